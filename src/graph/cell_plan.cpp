// The evaluation plan of a cell (channels and resolutions along the graph):
// pure shape logic, part of the core (no LibTorch call), so graph search
// spaces check their definitions in the torch-free front end too.
#include <map>
#include <string>

#include "nascpp/core/error.h"
#include "nascpp/graph/cell.h"

namespace nascpp {

std::vector<int64_t> reduction_strides(const Graph& graph) {
  std::vector<int64_t> strides;
  for (const auto& e : graph.edges()) {
    strides.push_back(graph.node(e.from).role == NodeRole::kInput ? 2 : 1);
  }
  return strides;
}

namespace detail {

CellPlan CellPlan::make(const Graph& graph, const CellOptions& options) {
  const int64_t channels = options.channels();
  NASCPP_CHECK_CONFIG(channels > 0, "cell channels must be positive, got {}", channels);
  const auto& nodes = graph.nodes();
  const auto& edges = graph.edges();

  CellPlan plan;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].name] = i;
  for (const auto& name : graph.topological_order()) plan.order.push_back(index.at(name));
  for (const auto& name : graph.inputs()) plan.inputs.push_back(index.at(name));
  plan.output = index.at(graph.outputs().at(0));
  plan.in_edges.resize(nodes.size());
  for (size_t e = 0; e < edges.size(); ++e) {
    plan.edge_from.push_back(index.at(edges[e].from));
    plan.in_edges[index.at(edges[e].to)].push_back(e);
  }

  plan.edge_stride = options.edge_strides();
  if (plan.edge_stride.empty()) plan.edge_stride.assign(edges.size(), 1);
  NASCPP_CHECK_CONFIG(plan.edge_stride.size() == edges.size(),
                      "cell edge_strides has {} entries but the graph has {} edges",
                      plan.edge_stride.size(), edges.size());
  for (size_t e = 0; e < edges.size(); ++e) {
    const int64_t s = plan.edge_stride[e];
    NASCPP_CHECK_CONFIG(s == 1 || s == 2, "edge '{}': stride must be 1 or 2, got {}",
                        edges[e].label(), s);
    NASCPP_CHECK_CONFIG(s == 1 || !edges[e].op.empty(),
                        "edge '{}' has stride 2 but no operation to apply it", edges[e].label());
  }

  // Channels and resolutions (number of halvings) along the topological order.
  plan.node_c_in.assign(nodes.size(), 0);
  plan.node_c_out.assign(nodes.size(), 0);
  plan.edge_c_in.assign(edges.size(), 0);
  plan.edge_c_out.assign(edges.size(), 0);
  std::vector<int64_t> level(nodes.size(), 0);
  for (const size_t i : plan.order) {
    const Node& node = nodes[i];
    if (node.role == NodeRole::kInput) {
      plan.node_c_in[i] = channels;
    } else {
      const auto& incoming = plan.in_edges[i];
      NASCPP_ASSERT(!incoming.empty());  // validate() rejects such graphs
      int64_t sum_channels = 0;
      for (size_t k = 0; k < incoming.size(); ++k) {
        const size_t e = incoming[k];
        const size_t from = plan.edge_from[e];
        plan.edge_c_in[e] = plan.node_c_out[from];
        plan.edge_c_out[e] = edges[e].op.empty() ? plan.edge_c_in[e] : channels;
        const int64_t edge_level = level[from] + (plan.edge_stride[e] == 2 ? 1 : 0);
        const size_t first = incoming.front();
        if (k == 0) {
          level[i] = edge_level;
        } else {
          NASCPP_CHECK_CONFIG(edge_level == level[i],
                              "node '{}' combines inputs of different resolutions: edge '{}' "
                              "halves the input size {} time(s), edge '{}' {} time(s)",
                              node.name, edges[first].label(), level[i], edges[e].label(),
                              edge_level);
          NASCPP_CHECK_CONFIG(
              node.combine != Combine::kSum || plan.edge_c_out[e] == plan.edge_c_out[first],
              "node '{}' sums inputs with different channel counts: edge '{}' "
              "carries {}, edge '{}' carries {}",
              node.name, edges[first].label(), plan.edge_c_out[first], edges[e].label(),
              plan.edge_c_out[e]);
        }
        sum_channels += plan.edge_c_out[e];
      }
      plan.node_c_in[i] =
          node.combine == Combine::kSum ? plan.edge_c_out[incoming.front()] : sum_channels;
    }
    plan.node_c_out[i] = node.op.empty() ? plan.node_c_in[i] : channels;
  }
  return plan;
}

}  // namespace detail

}  // namespace nascpp
