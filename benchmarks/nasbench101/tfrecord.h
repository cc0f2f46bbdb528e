#pragma once
/// TFRecord files without TensorFlow, and the parts of NAS-Bench-101's
/// `nasbench_only108.tfrecord` records (base64, the JSON row).
///
/// A TFRecord file is a sequence of records, each framed as
///
///     uint64 length (little endian)
///     uint32 masked CRC-32C of the 8 length bytes
///     byte   data[length]
///     uint32 masked CRC-32C of the data
///
/// with mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8. Reading checks
/// both CRCs; a mismatch or a truncated record is a DataError naming the
/// file, the record number and its byte offset.

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nascpp {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `size` bytes,
/// continuing from `crc` (0 to start). crc32c("123456789") == 0xE3069283.
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);
namespace detail {
/// The table-driven CRC-32C (used where the CPU has no CRC32 instruction).
uint32_t crc32c_portable(const void* data, size_t size, uint32_t crc = 0);
}  // namespace detail
/// TFRecord's masked CRC-32C of `size` bytes.
uint32_t tfrecord_masked_crc(const void* data, size_t size);

/// Reads the records of a TFRecord file one after another.
///
///     nascpp::TfRecordReader reader("nasbench_only108.tfrecord");
///     std::string record;
///     while (reader.next(record)) { /* ... */ }
class TfRecordReader {
 public:
  /// Opens `path`; a missing or unreadable file is a DataError.
  explicit TfRecordReader(const std::string& path);
  /// The next record's data in `out`; false at the clean end of the file.
  /// A truncated record or a CRC mismatch is a DataError.
  bool next(std::string& out);
  /// Number of records read so far.
  uint64_t records_read() const { return records_; }
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what) const;
  size_t read_some(char* dst, size_t n);

  std::string path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::vector<char> buffer_;
  uint64_t records_ = 0;
  uint64_t offset_ = 0;  // of the record being read
};

/// Writes TFRecord files (tests, benchmarks, exports).
class TfRecordWriter {
 public:
  /// Creates (truncates) `path`; a DataError if it cannot be opened.
  explicit TfRecordWriter(const std::string& path);
  /// Appends one framed record.
  void write(std::string_view data);
  /// Flushes and closes; a DataError if writing failed.
  void close();

 private:
  std::string path_;
  std::ofstream out_;
};

/// Standard base64 (RFC 4648, '+', '/', '=' padding) as Python's b64encode.
std::string base64_encode(std::string_view bytes);
/// Decodes standard base64; a character outside the alphabet or a length
/// that is not a multiple of 4 is a DataError naming the position.
std::string base64_decode(std::string_view text);

/// One row of `nasbench_only108.tfrecord`: the JSON list
/// `[module_hash, epochs, raw_adjacency, raw_operations, raw_metrics]`
/// (google-research/nasbench api.py): the 32-hex MD5 module hash, the number
/// of epochs, the flattened 0/1 adjacency of the pruned spec, its
/// comma-separated ops and the base64 serialised ModelMetrics protobuf.
struct NasBench101Row {
  std::string module_hash;
  int64_t epochs = 0;
  std::string adjacency;
  std::string operations;
  std::string metrics_base64;
};

/// Parses the JSON row (strings without escapes, as the file has); anything
/// else is a DataError saying what was expected where.
NasBench101Row parse_nasbench101_row(std::string_view json);
/// The JSON text of a row, formatted as Python's json.dumps writes it.
std::string format_nasbench101_row(const NasBench101Row& row);

/// One evaluation point of a training run (fractions and seconds).
struct NasBench101Evaluation {
  double current_epoch = 0.0;
  double training_time = 0.0;
  double train_accuracy = 0.0;
  double validation_accuracy = 0.0;
  double test_accuracy = 0.0;
};

/// The decoded ModelMetrics protobuf of one training run.
struct NasBench101Metrics {
  std::vector<NasBench101Evaluation> evaluations;
  int32_t trainable_parameters = 0;
  double total_time = 0.0;
};

/// Decodes serialised ModelMetrics bytes; malformed bytes are a DataError.
NasBench101Metrics decode_nasbench101_metrics(std::string_view bytes);
/// Serialises ModelMetrics (the inverse, for writing files).
std::string encode_nasbench101_metrics(const NasBench101Metrics& metrics);

}  // namespace nascpp
