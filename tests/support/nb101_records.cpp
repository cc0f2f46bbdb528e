// The independent NAS-Bench-101 tfrecord writer of the tests (nb101_records.h).
#include "support/nb101_records.h"

#include <cstring>
#include <fmt/format.h>

#include <fstream>

#include "benchmarks/nasbench101/tfrecord.h"

namespace nascpp::test {

using Json = nlohmann::json;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint32_t masked(const std::string& bytes) {
  const uint32_t crc = crc32c(bytes.data(), bytes.size());
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

std::string frame(const std::string& data) {
  std::string length;
  put_le(length, data.size(), 8);
  std::string out = length;
  put_le(out, masked(length), 4);
  out += data;
  put_le(out, masked(data), 4);
  return out;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_double(std::string& out, int field, double v) {
  out += static_cast<char>((field << 3) | 1);  // wire type 1: 64-bit
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  put_le(out, bits, 8);
}

// EvaluationData {current_epoch = 1, training_time = 2, train_accuracy = 3,
// validation_accuracy = 4, test_accuracy = 5} (nasbench model_metrics.proto).
std::string evaluation(double epoch, double time, double train, double valid, double test) {
  std::string e;
  put_double(e, 1, epoch);
  put_double(e, 2, time);
  put_double(e, 3, train);
  put_double(e, 4, valid);
  put_double(e, 5, test);
  return e;
}

// ModelMetrics {repeated evaluation_data = 1, trainable_parameters = 2,
// total_time = 3}.
std::string model_metrics(const std::vector<std::string>& evaluations, int64_t params) {
  std::string m;
  for (const auto& e : evaluations) {
    m += static_cast<char>((1 << 3) | 2);  // wire type 2: length-delimited
    put_varint(m, e.size());
    m += e;
  }
  m += static_cast<char>(2 << 3);  // wire type 0: varint
  put_varint(m, static_cast<uint64_t>(params));
  put_double(m, 3, 4000.0);
  return m;
}


std::vector<Cell> sample_cells(const std::string& data_dir) {
  std::ifstream in(data_dir + "/nasbench101/nb101_sample30.json");
  std::vector<Cell> out;
  for (const auto& c : Json::parse(in)) {
    Cell cell{c.at("hash").get<std::string>(), "", "", c};
    for (const auto& row : c.at("matrix")) {
      for (const auto& v : row) cell.adjacency += std::to_string(v.get<int>());
    }
    for (const auto& op : c.at("ops")) {
      cell.operations += (cell.operations.empty() ? "" : ",") + op.get<std::string>();
    }
    out.push_back(cell);
  }
  return out;
}

// The rows of all 30 cells x 3 repeats, interleaved as in the real file
// (repeat r of every cell, then r + 1), plus one 4-epoch row.
std::vector<std::string> sample_rows(const std::string& data_dir) {
  std::vector<std::string> rows;
  const auto cells = sample_cells(data_dir);
  for (int r = 0; r < 3; ++r) {
    for (const auto& c : cells) {
      const Json& run = c.cell.at("epochs").at("108").at(r);
      const std::string metrics =
          model_metrics({evaluation(0, 0, 0.1, 0.1, 0.1),
                         evaluation(54, run.at("halfway_training_time").get<double>(),
                                    run.at("halfway_train_accuracy").get<double>(),
                                    run.at("halfway_validation_accuracy").get<double>(),
                                    run.at("halfway_test_accuracy").get<double>()),
                         evaluation(108, run.at("final_training_time").get<double>(),
                                    run.at("final_train_accuracy").get<double>(),
                                    run.at("final_validation_accuracy").get<double>(),
                                    run.at("final_test_accuracy").get<double>())},
                        c.cell.at("trainable_parameters").get<int64_t>());
      rows.push_back(fmt::format("[\"{}\", 108, \"{}\", \"{}\", \"{}\"]", c.hash, c.adjacency,
                                 c.operations, base64_encode(metrics)));
    }
  }
  const auto& c = cells.front();
  rows.push_back(fmt::format("[\"{}\", 4, \"{}\", \"{}\", \"{}\"]", c.hash, c.adjacency,
                             c.operations, base64_encode(model_metrics({}, 1))));
  return rows;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string framed(const std::vector<std::string>& rows) {
  std::string bytes;
  for (const auto& r : rows) bytes += frame(r);
  return bytes;
}

}  // namespace nascpp::test
