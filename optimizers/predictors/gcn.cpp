// The graph-convolutional predictor (optimizers/predictors/gcn.h).
#include "optimizers/predictors/gcn.h"

#include <torch/torch.h>

#include <cmath>
#include <numeric>

#include "nascpp/core/error.h"
#include "nascpp/core/random.h"

namespace nascpp {

GcnOptions GcnOptions::from_config(ConfigNode& cfg) {
  GcnOptions o;
  o.gcn_layers(cfg.get<int64_t>("gcn_layers", o.gcn_layers()));
  o.gcn_hidden(cfg.get<int64_t>("gcn_hidden", o.gcn_hidden()));
  o.linear_hidden(cfg.get<int64_t>("linear_hidden", o.linear_hidden()));
  o.epochs(cfg.get<int64_t>("epochs", o.epochs()));
  o.batch_size(cfg.get<int64_t>("batch_size", o.batch_size()));
  o.learning_rate(cfg.get<double>("learning_rate", o.learning_rate()));
  o.weight_decay(cfg.get<double>("weight_decay", o.weight_decay()));
  o.dropout(cfg.get<double>("dropout", o.dropout()));
  o.nodes(cfg.get<int64_t>("nodes", o.nodes()));
  o.validate();
  return o;
}

void GcnOptions::validate() const {
  const auto positive = [](const char* key, int64_t v, int64_t max) {
    NASCPP_CHECK_CONFIG(v >= 1 && v <= max, "gcn {} must be in [1, {}], got {}", key, max, v);
  };
  positive("gcn_layers", gcn_layers_, 64);
  positive("gcn_hidden", gcn_hidden_, 65536);
  positive("linear_hidden", linear_hidden_, 65536);
  positive("epochs", epochs_, 1'000'000);
  positive("batch_size", batch_size_, 1 << 20);
  NASCPP_CHECK_CONFIG(learning_rate_ > 0 && learning_rate_ <= 10.0,
                      "gcn learning_rate must be in (0, 10], got {}", learning_rate_);
  NASCPP_CHECK_CONFIG(weight_decay_ >= 0 && weight_decay_ <= 1.0,
                      "gcn weight_decay must be in [0, 1], got {}", weight_decay_);
  NASCPP_CHECK_CONFIG(dropout_ >= 0 && dropout_ < 1.0, "gcn dropout must be in [0, 1), got {}",
                      dropout_);
  NASCPP_CHECK_CONFIG(nodes_ == 0 || (nodes_ >= 3 && nodes_ <= 256),
                      "gcn nodes must be 0 (inferred) or in [3, 256], got {}", nodes_);
}

std::pair<int64_t, int64_t> gcn_graph_layout(size_t cols, int64_t nodes) {
  const auto fits = [cols](int64_t n) -> int64_t {
    const auto tri = static_cast<size_t>(n * (n - 1) / 2);
    if (cols <= tri) return 0;
    const size_t rest = cols - tri;
    const auto inner = static_cast<size_t>(n - 2);
    return rest % inner == 0 ? static_cast<int64_t>(rest / inner) : 0;
  };
  if (nodes > 0) {
    const int64_t k = fits(nodes);
    NASCPP_CHECK_CONFIG(k >= 1,
                        "gcn: {} features are not an adjacency encoding of {} nodes (upper "
                        "triangle, then a one-hot operation per inner node)",
                        cols, nodes);
    return {nodes, k};
  }
  for (int64_t n = 64; n >= 3; --n) {
    const int64_t k = fits(n);
    if (k >= 2) return {n, k};
  }
  throw ConfigError(fmt::format(
      "gcn: {} features are no adjacency encoding (n(n-1)/2 adjacency values, then (n-2) "
      "one-hot operations): use the space's `adjacency` encoding, or set `nodes`",
      cols));
}

namespace {

torch::Tensor row_normalised(const torch::Tensor& a) {
  return a / a.sum(-1, /*keepdim=*/true).clamp_min(1e-12);
}

struct DirectedConvImpl : torch::nn::Module {
  DirectedConvImpl(int64_t in, int64_t out, double dropout)
      : w1(register_parameter("weight1", torch::empty({in, out}))),
        w2(register_parameter("weight2", torch::empty({in, out}))),
        drop(register_module("dropout", torch::nn::Dropout(dropout))) {
    torch::nn::init::xavier_uniform_(w1);
    torch::nn::init::xavier_uniform_(w2);
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& adj) {
    const auto forward_edges = torch::relu(torch::matmul(adj, torch::matmul(x, w1)));
    const auto backward_edges =
        torch::relu(torch::matmul(row_normalised(adj.transpose(1, 2)), torch::matmul(x, w2)));
    return drop((forward_edges + backward_edges) / 2);
  }
  torch::Tensor w1, w2;
  torch::nn::Dropout drop;
};
TORCH_MODULE(DirectedConv);

struct GcnNetImpl : torch::nn::Module {
  GcnNetImpl(int64_t features, const GcnOptions& o)
      : drop(register_module("dropout", torch::nn::Dropout(o.dropout()))),
        fc1(register_module(
            "fc1", torch::nn::Linear(
                       torch::nn::LinearOptions(o.gcn_hidden(), o.linear_hidden()).bias(false)))),
        fc2(register_module(
            "fc2", torch::nn::Linear(torch::nn::LinearOptions(o.linear_hidden(), 1).bias(false)))) {
    for (int64_t l = 0; l < o.gcn_layers(); ++l) {
      layers.push_back(register_module(
          "gcn" + std::to_string(l),
          DirectedConv(l == 0 ? features : o.gcn_hidden(), o.gcn_hidden(), o.dropout())));
    }
  }
  // x [B, n, f], adj [B, n, n], vertices [B].
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& adj, const torch::Tensor& vertices) {
    const auto n = adj.size(1);
    const auto a = row_normalised(adj + torch::eye(n, adj.options()));
    for (auto& layer : layers) x = layer->forward(x, a);
    x = x.sum(1) / vertices.unsqueeze(1);
    return fc2(drop(fc1(x))).view({-1});
  }
  std::vector<DirectedConv> layers;
  torch::nn::Dropout drop;
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(GcnNet);

// The graph tensors of the given rows of `x`.
struct Graphs {
  torch::Tensor features, adjacency, vertices;
};

Graphs decode(const FeatureMatrix& x, const std::vector<size_t>& rows, int64_t n, int64_t k) {
  const auto b = static_cast<int64_t>(rows.size());
  auto adj = torch::zeros({b, n, n});
  auto feat = torch::zeros({b, n, k + 2});
  auto vertices = torch::zeros({b});
  auto A = adj.accessor<float, 3>();
  auto F = feat.accessor<float, 3>();
  auto V = vertices.accessor<float, 1>();
  for (int64_t r = 0; r < b; ++r) {
    const float* row = x.row(rows[static_cast<size_t>(r)]);
    size_t c = 0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = i + 1; j < n; ++j) A[r][i][j] = row[c++];
    }
    // Input and output: the two extra one-hot positions; inner nodes their operation.
    F[r][0][k] = 1.0f;
    F[r][n - 1][k + 1] = 1.0f;
    float count = 2.0f;
    for (int64_t v = 1; v + 1 < n; ++v) {
      bool any = false;
      for (int64_t op = 0; op < k; ++op) {
        F[r][v][op] = row[c];
        any = any || row[c] != 0.0f;
        ++c;
      }
      count += any ? 1.0f : 0.0f;  // padding nodes (NAS-Bench-101) have no operation
    }
    V[r] = count;
  }
  return {feat, adj, vertices};
}

// Every row an adjacency encoding: 0/1 values, at most one operation per
// inner node (a one-hot or path encoding of the same length is refused here).
void check_rows(const FeatureMatrix& x, int64_t n, int64_t k) {
  const auto tri = static_cast<size_t>(n * (n - 1) / 2);
  for (size_t r = 0; r < x.rows; ++r) {
    const float* row = x.row(r);
    for (size_t c = 0; c < x.cols; ++c) {
      NASCPP_CHECK_CONFIG(row[c] == 0.0f || row[c] == 1.0f,
                          "gcn: feature {} of row {} is {}, not 0 or 1: not an adjacency "
                          "encoding (use the space's `adjacency` encoding)",
                          c, r, row[c]);
    }
    for (int64_t v = 0; v < n - 2; ++v) {
      float ops = 0.0f;
      for (int64_t op = 0; op < k; ++op) ops += row[tri + static_cast<size_t>(v * k + op)];
      NASCPP_CHECK_CONFIG(ops <= 1.0f,
                          "gcn: row {} gives inner node {} of {} nodes {} operations: not an "
                          "adjacency encoding (use the space's `adjacency` encoding)",
                          r, v + 1, n, ops);
    }
  }
}

}  // namespace

struct GcnPredictor::Model {
  GcnNet net{nullptr};
};

GcnPredictor::GcnPredictor(GcnOptions options) : options_(std::move(options)) {
  options_.validate();
}

GcnPredictor::~GcnPredictor() = default;

std::unique_ptr<Predictor> GcnPredictor::from_config(ConfigNode& config) {
  return std::make_unique<GcnPredictor>(GcnOptions::from_config(config));
}

void GcnPredictor::fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) {
  NASCPP_CHECK(x.rows == y.size() && x.rows >= 1, "gcn: fit on {} rows with {} targets", x.rows,
               y.size());
  std::tie(n_, k_) = gcn_graph_layout(x.cols, options_.nodes());
  check_rows(x, n_, k_);
  fit_warning_.clear();
  mean_ = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  double var = 0.0;
  for (double v : y) var += (v - mean_) * (v - mean_) / static_cast<double>(y.size());
  std_ = var > 0 ? std::sqrt(var) : 1.0;
  std::vector<float> target(y.size());
  for (size_t i = 0; i < y.size(); ++i) target[i] = static_cast<float>((y[i] - mean_) / std_);

  seed_torch(rng.next_seed());
  model_ = std::make_shared<Model>();
  model_->net = GcnNet(k_ + 2, options_);
  model_->net->train();
  torch::optim::Adam adam(
      model_->net->parameters(),
      torch::optim::AdamOptions(options_.learning_rate()).weight_decay(options_.weight_decay()));
  const auto all_rows = [&] {
    std::vector<size_t> r(x.rows);
    std::iota(r.begin(), r.end(), size_t{0});
    return r;
  }();
  const Graphs graphs = decode(x, all_rows, n_, k_);
  const auto targets = torch::tensor(target);
  const auto batch = static_cast<size_t>(options_.batch_size());
  // NASLib drops the last incomplete batch; a set smaller than one batch is one batch.
  const size_t batches = x.rows < batch ? 1 : x.rows / batch;
  const size_t per_batch = x.rows < batch ? x.rows : batch;
  std::vector<size_t> order = all_rows;
  constexpr double kPi = 3.14159265358979323846;
  for (int64_t epoch = 0; epoch < options_.epochs(); ++epoch) {
    // Cosine annealing from the learning rate to 0 over the epochs.
    const double lr =
        options_.learning_rate() * 0.5 *
        (1.0 + std::cos(kPi * static_cast<double>(epoch) / static_cast<double>(options_.epochs())));
    for (auto& group : adam.param_groups()) {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.index(i)]);
    for (size_t b = 0; b < batches; ++b) {
      std::vector<int64_t> idx(order.begin() + static_cast<std::ptrdiff_t>(b * per_batch),
                               order.begin() + static_cast<std::ptrdiff_t>((b + 1) * per_batch));
      const auto index = torch::tensor(idx, torch::kLong);
      adam.zero_grad();
      const auto prediction = model_->net->forward(graphs.features.index_select(0, index),
                                                   graphs.adjacency.index_select(0, index),
                                                   graphs.vertices.index_select(0, index));
      const auto loss = torch::mse_loss(prediction, targets.index_select(0, index));
      if (!std::isfinite(loss.item<double>())) {
        fit_warning_ = fmt::format("training diverged in epoch {} (loss {}): predictions are NaN",
                                   epoch + 1, loss.item<double>());
        return;
      }
      loss.backward();
      adam.step();
    }
  }
}

std::vector<Prediction> GcnPredictor::predict(const FeatureMatrix& x) const {
  NASCPP_CHECK(model_ != nullptr, "gcn: predict before fit");
  NASCPP_CHECK_CONFIG(gcn_graph_layout(x.cols, n_).second == k_,
                      "gcn: fitted on {}-node graphs with {} operations, asked about {} features",
                      n_, k_, x.cols);
  check_rows(x, n_, k_);
  std::vector<Prediction> out(x.rows);
  if (!fit_warning_.empty()) {
    for (auto& p : out) p.mean = std::nan("");
    return out;
  }
  torch::NoGradGuard no_grad;
  model_->net->eval();
  std::vector<size_t> rows(x.rows);
  std::iota(rows.begin(), rows.end(), size_t{0});
  const Graphs g = decode(x, rows, n_, k_);
  const auto p = model_->net->forward(g.features, g.adjacency, g.vertices).contiguous();
  const auto P = p.accessor<float, 1>();
  for (size_t i = 0; i < x.rows; ++i) {
    out[i].mean = static_cast<double>(P[static_cast<int64_t>(i)]) * std_ + mean_;
  }
  model_->net->train();
  return out;
}

}  // namespace nascpp
