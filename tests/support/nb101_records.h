#pragma once
// An independent writer of NAS-Bench-101's tfrecord format for tests and
// fuzz seeds: TFRecord framing (TensorFlow's record_writer: length, masked
// CRC-32C of the length, data, masked CRC-32C of the data), one JSON row per
// record as nasbench's api.py reads it, and a base64 ModelMetrics protobuf
// encoded by hand from the wire format (nasbench model_metrics.proto).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nascpp::test {

/// `bytes` little-endian bytes of `v`, appended to `out`.
void put_le(std::string& out, uint64_t v, int bytes);
/// TFRecord's masked CRC-32C.
uint32_t masked(const std::string& bytes);
/// One framed record.
std::string frame(const std::string& data);
/// The framed records, concatenated (a whole file).
std::string framed(const std::vector<std::string>& rows);
/// Protobuf varint, and a fixed64 double field.
void put_varint(std::string& out, uint64_t v);
void put_double(std::string& out, int field, double v);
/// EvaluationData {current_epoch = 1, training_time = 2, train_accuracy = 3,
/// validation_accuracy = 4, test_accuracy = 5}.
std::string evaluation(double epoch, double time, double train, double valid, double test);
/// ModelMetrics {repeated evaluation_data = 1, trainable_parameters = 2,
/// total_time = 3}.
std::string model_metrics(const std::vector<std::string>& evaluations, int64_t params);

/// A cell of nb101_sample30.json: hash, flattened adjacency, ops, the JSON.
struct Cell {
  std::string hash, adjacency, operations;
  nlohmann::json cell;
};
/// The 30 cells of nb101_sample30.json in the benchmark data directory.
std::vector<Cell> sample_cells(const std::string& data_dir);
/// The rows of all 30 cells x 3 repeats, interleaved as in the real file
/// (repeat r of every cell, then r + 1), plus one 4-epoch row.
std::vector<std::string> sample_rows(const std::string& data_dir);
/// Writes `bytes` to `path` (binary).
void write_file(const std::string& path, const std::string& bytes);

}  // namespace nascpp::test
