// The native reader of NAS-Bench-101's tfrecord, on files the tests write
// byte by byte in the official format: TFRecord framing (TensorFlow's
// record_writer: length, masked CRC-32C of the length, data, masked CRC-32C
// of the data), one JSON row per record as nasbench's api.py reads it, and a
// base64 ModelMetrics protobuf encoded here by hand from the wire format.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "benchmarks/nasbench101/nasbench101_benchmark.h"
#include "benchmarks/nasbench101/tfrecord.h"
#include "support/nb101_records.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Json = nlohmann::json;

using test::framed;
using test::sample_cells;
using test::sample_rows;
using test::write_file;
using test::model_metrics;
using test::evaluation;
using test::frame;

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
  write_file(path, framed(sample_rows(test::data_dir())));
  const auto from_file = NasBench101Benchmark::load_tfrecord(
      path, "", NasBench101TfRecordOptions().verify_hashes(true));
  const auto from_json = NasBench101Benchmark::load(test::data_dir());
  EXPECT_EQ(from_file->size(), 30u);
  EXPECT_EQ(from_file->skipped_records(), 1u);
  EXPECT_EQ(from_file->zero_cost_size(), 0u);
  for (const auto& c : sample_cells(test::data_dir())) {
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
  const auto rows = sample_rows(test::data_dir());
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
  const auto rows = sample_rows(test::data_dir());
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
  const auto rows = sample_rows(test::data_dir());
  auto load_with = [&](const std::string& row) {
    write_file(dir.file("bad.tfrecord"), framed({rows[0], row}));
    return NasBench101Benchmark::load_tfrecord(dir.file("bad.tfrecord"), "",
                                               NasBench101TfRecordOptions().verify_hashes(true));
  };
  NASCPP_EXPECT_THROW_WITH(load_with("{\"hash\": 1}"), DataError, "record 1 (at byte offset");
  NASCPP_EXPECT_THROW_WITH(
      load_with("{\"hash\": 1}"), DataError,
      "malformed NAS-Bench-101 row at character 0: expected '[' to open the row");
  const auto cells = sample_cells(test::data_dir());
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

// A 108-epoch row of sample cell `c` with the given halfway and final
// evaluations (fractions, seconds) and parameter count.
std::string row_of(const test::Cell& c, const std::string& halfway, const std::string& final,
                   int64_t params) {
  return fmt::format(
      "[\"{}\", 108, \"{}\", \"{}\", \"{}\"]", c.hash, c.adjacency, c.operations,
      base64_encode(model_metrics({evaluation(0, 0, 0.1, 0.1, 0.1), halfway, final}, params)));
}

TEST(NasBench101TfRecord, EmptyFilesAndImpossibleValuesAreClearErrors) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir dir;
  const auto cells = sample_cells(test::data_dir());
  const auto rows = sample_rows(test::data_dir());
  const std::string path = dir.file("bad.tfrecord");
  auto load_with = [&](const std::vector<std::string>& records) {
    write_file(path, framed(records));
    return NasBench101Benchmark::load_tfrecord(path);
  };
  // An empty file, and one without a 108-epoch record, loaded as empty tables.
  NASCPP_EXPECT_THROW_WITH(load_with({}), DataError,
                           "TFRecord file '" + path + "' is empty: it has no records");
  NASCPP_EXPECT_THROW_WITH(load_with({rows.back()}), DataError,
                           "none of its 1 records is a 108-epoch training run");

  const auto& c = cells[1];
  const std::string half = evaluation(54, 1000.0, 0.8, 0.8, 0.8);
  const std::string last = evaluation(108, 2000.0, 1.0, 0.9, 0.9);
  ASSERT_EQ(load_with({row_of(c, half, last, 2000000)})->size(), 1u);
  // Accuracies are fractions in [0, 1] (1.01 = 101 %), times finite and > 0.
  const std::string at = "record 1 (at byte offset " + std::to_string(16 + rows[0].size()) + "): ";
  NASCPP_EXPECT_THROW_WITH(
      load_with({rows[0], row_of(c, half, evaluation(108, 2000.0, 1.0, 1.01, 0.9), 2000000)}),
      DataError,
      at + "final_validation_accuracy 1.01 is out of range: expected a fraction in "
           "[0, 1]");
  NASCPP_EXPECT_THROW_WITH(
      load_with({rows[0], row_of(c, evaluation(54, 1000.0, 0.8, 0.8, 1e300), last, 2000000)}),
      DataError, at + "halfway_test_accuracy 1e+300 is out of range");
  NASCPP_EXPECT_THROW_WITH(
      load_with({rows[0], row_of(c, half, evaluation(108, std::nan(""), 1.0, 0.9, 0.9), 2000000)}),
      DataError,
      at + "final_training_time nan is not a training time: expected seconds, finite "
           "and > 0");
  NASCPP_EXPECT_THROW_WITH(
      load_with({rows[0], row_of(c, evaluation(54, -3.0, 0.8, 0.8, 0.8), last, 2000000)}),
      DataError, at + "halfway_training_time -3 is not a training time");
  NASCPP_EXPECT_THROW_WITH(load_with({rows[0], row_of(c, half, last, 0)}), DataError,
                           at + "trainable_parameters 0 must be > 0");
  // A second run of cell 0 whose spec is cell 1's: one of them is corrupt.
  std::string other = rows[30];
  other.replace(other.find(cells[0].adjacency), cells[0].adjacency.size(), c.adjacency);
  other.replace(other.find(cells[0].operations), cells[0].operations.size(), c.operations);
  NASCPP_EXPECT_THROW_WITH(load_with({rows[0], other}), DataError,
                           at + "the spec '" + c.adjacency + "|" + c.operations +
                               "' of this run of cell " + cells[0].hash +
                               " is not the cell of its earlier runs (graph hash " + c.hash + ")");
}

}  // namespace
}  // namespace nascpp
