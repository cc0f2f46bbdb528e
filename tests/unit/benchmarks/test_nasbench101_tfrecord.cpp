// The native reader of NAS-Bench-101's tfrecord, on files the tests write
// byte by byte in the official format: TFRecord framing (TensorFlow's
// record_writer: length, masked CRC-32C of the length, data, masked CRC-32C
// of the data), one JSON row per record as nasbench's api.py reads it, and a
// base64 ModelMetrics protobuf encoded here by hand from the wire format.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "benchmarks/nasbench101/nasbench101_benchmark.h"
#include "benchmarks/nasbench101/tfrecord.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Json = nlohmann::json;

// ---- an independent writer of the format ----

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

struct Cell {
  std::string hash, adjacency, operations;
  Json cell;
};

std::vector<Cell> sample_cells() {
  std::ifstream in(test::data_dir() + "/nasbench101/nb101_sample30.json");
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
std::vector<std::string> sample_rows() {
  std::vector<std::string> rows;
  const auto cells = sample_cells();
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

// ---- tests ----

TEST(NasBench101TfRecord, Crc32cHasThePublishedCheckValue) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32c(check.data(), check.size()), 0xE3069283u);
  EXPECT_EQ(detail::crc32c_portable(check.data(), check.size()), 0xE3069283u);
  // Continuing a CRC over pieces equals the CRC of the whole.
  EXPECT_EQ(crc32c(check.data() + 4, 5, crc32c(check.data(), 4)), 0xE3069283u);
  std::string big(1000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + 3);
  EXPECT_EQ(crc32c(big.data(), big.size()), detail::crc32c_portable(big.data(), big.size()));
}

TEST(NasBench101TfRecord, Base64MatchesRfc4648) {
  // RFC 4648 section 10 test vectors.
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  NASCPP_EXPECT_THROW_WITH(base64_decode("Zm9v*mFy"), DataError,
                           "invalid base64 character '*' at position 4");
  NASCPP_EXPECT_THROW_WITH(base64_decode("Zm9"), DataError, "not a multiple of 4");
}

TEST(NasBench101TfRecord, ReadsTheOfficialFormatLikeTheJsonSample) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir dir;
  const std::string path = dir.file("nb101.tfrecord");
  write_file(path, framed(sample_rows()));
  const auto from_file = NasBench101Benchmark::load_tfrecord(
      path, "", NasBench101TfRecordOptions().verify_hashes(true));
  const auto from_json = NasBench101Benchmark::load(test::data_dir());
  EXPECT_EQ(from_file->size(), 30u);
  EXPECT_EQ(from_file->skipped_records(), 1u);
  EXPECT_EQ(from_file->zero_cost_size(), 0u);
  for (const auto& c : sample_cells()) {
    const auto* a = from_file->find(NasBench101Benchmark::parse_hash(c.hash));
    const auto* b = from_json->find(NasBench101Benchmark::parse_hash(c.hash));
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a->spec, b->spec);
    EXPECT_EQ(a->trainable_parameters, b->trainable_parameters);
    ASSERT_EQ(a->repeats, 3);
    for (const std::string metric :
         {"valid_acc", "test_acc", "train_acc", "train_time_s", "halfway_test_acc", "params"}) {
      EXPECT_EQ(from_file->query_hash(c.hash, metric), from_json->query_hash(c.hash, metric))
          << metric;
    }
  }
  // With a data directory the zero-cost scores join the records.
  const auto with_zc = NasBench101Benchmark::load_tfrecord(path, test::data_dir());
  EXPECT_EQ(with_zc->zero_cost_size(), from_json->zero_cost_size());
  EXPECT_GT(with_zc->zero_cost_size(), 0u);
}

TEST(NasBench101TfRecord, CorruptedCrcsAreClearErrors) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir dir;
  const auto rows = sample_rows();
  std::string bytes = framed(rows);
  // Record 2 starts after records 0 and 1 (16 framing bytes each).
  const size_t record2 = 16 + rows[0].size() + 16 + rows[1].size();
  std::string data_corrupt = bytes;
  data_corrupt[record2 + 12 + 5] ^= 0x01;
  write_file(dir.file("data.tfrecord"), data_corrupt);
  NASCPP_EXPECT_THROW_WITH(NasBench101Benchmark::load_tfrecord(dir.file("data.tfrecord")),
                           DataError,
                           fmt::format("record 2 (at byte offset {}): data CRC mismatch", record2));
  std::string length_corrupt = bytes;
  length_corrupt[record2] ^= 0x01;
  write_file(dir.file("length.tfrecord"), length_corrupt);
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Benchmark::load_tfrecord(dir.file("length.tfrecord")), DataError,
      "record 2 (at byte offset " + std::to_string(record2) + "): length CRC mismatch");
}

TEST(NasBench101TfRecord, TruncatedRecordsAreClearErrors) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir dir;
  const auto rows = sample_rows();
  const std::string bytes = framed(rows);
  const size_t last = bytes.size() - 16 - rows.back().size();
  write_file(dir.file("cut.tfrecord"), bytes.substr(0, last + 12 + 10));
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Benchmark::load_tfrecord(dir.file("cut.tfrecord")), DataError,
      fmt::format("record {} (at byte offset {}): truncated record: the file ends after 10 of its "
                  "{} data bytes",
                  rows.size() - 1, last, rows.back().size()));
  write_file(dir.file("header.tfrecord"), bytes.substr(0, last + 5));
  NASCPP_EXPECT_THROW_WITH(NasBench101Benchmark::load_tfrecord(dir.file("header.tfrecord")),
                           DataError, "truncated record header: the file ends after 5 of its 12");
  write_file(dir.file("footer.tfrecord"), bytes.substr(0, bytes.size() - 2));
  NASCPP_EXPECT_THROW_WITH(NasBench101Benchmark::load_tfrecord(dir.file("footer.tfrecord")),
                           DataError, "the file ends after 2 of the 4 bytes of its data CRC");
  NASCPP_EXPECT_THROW_WITH(NasBench101Benchmark::load_tfrecord(dir.file("missing.tfrecord")),
                           DataError, "cannot open TFRecord file");
}

TEST(NasBench101TfRecord, MalformedRowsAndMetricsAreClearErrors) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir dir;
  const auto rows = sample_rows();
  auto load_with = [&](const std::string& row) {
    write_file(dir.file("bad.tfrecord"), framed({rows[0], row}));
    return NasBench101Benchmark::load_tfrecord(dir.file("bad.tfrecord"), "",
                                               NasBench101TfRecordOptions().verify_hashes(true));
  };
  NASCPP_EXPECT_THROW_WITH(load_with("{\"hash\": 1}"), DataError, "record 1 (at byte offset");
  NASCPP_EXPECT_THROW_WITH(
      load_with("{\"hash\": 1}"), DataError,
      "malformed NAS-Bench-101 row at character 0: expected '[' to open the row");
  const auto cells = sample_cells();
  const auto& c = cells[1];
  NASCPP_EXPECT_THROW_WITH(load_with(fmt::format("[\"{}\", 108, \"{}\", \"{}\", \"Zm9v!mFy\"]",
                                                 c.hash, c.adjacency, c.operations)),
                           DataError, "invalid base64 character '!'");
  NASCPP_EXPECT_THROW_WITH(
      load_with(fmt::format("[\"{}\", 108, \"{}\", \"{}\", \"{}\"]", c.hash, c.adjacency,
                            c.operations, base64_encode("\x0a\x05\x09"))),
      DataError, "malformed ModelMetrics protobuf");
  // A row whose spec does not hash to its key.
  std::string wrong = rows[1];
  wrong.replace(2, 32, cells[2].hash);
  NASCPP_EXPECT_THROW_WITH(load_with(wrong), DataError, "the spec's graph hash is " + c.hash);
  std::string bad_op = rows[1];
  bad_op.replace(bad_op.find(c.operations), c.operations.size(), "input,conv5x5,output");
  NASCPP_EXPECT_THROW_WITH(load_with(bad_op), DataError, "unknown op 'conv5x5'");
  // A fourth run of a cell.
  write_file(dir.file("four.tfrecord"), framed({rows[0], rows[30], rows[60], rows[0]}));
  NASCPP_EXPECT_THROW_WITH(NasBench101Benchmark::load_tfrecord(dir.file("four.tfrecord")),
                           DataError, "more than 3 runs of cell " + cells[0].hash);
}

}  // namespace
}  // namespace nascpp
