#include "benchmarks/nasbench101/tfrecord.h"

#include <array>
#include <cerrno>
#include <cstring>

#include "benchmarks/nasbench101/nasbench101_metrics.pb.h"
#include "nascpp/core/error.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace nascpp {

namespace {

// No Debian 12 package ships a CRC-32C library for C++ (libcrc32c is not in
// bookworm), so the checksum is computed here: a 256-entry table for the
// reflected Castagnoli polynomial, and the SSE4.2 CRC32 instruction (which
// computes exactly this CRC) where the CPU has it.
constexpr uint32_t kCastagnoli = 0x82F63B78u;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ kCastagnoli : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = make_table();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc32c_sse42(const void* data, size_t size,
                                                        uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t c = ~crc;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8;
    size -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (size-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

const bool kHaveSse42 = __builtin_cpu_supports("sse4.2");
#endif

uint32_t read_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

uint64_t read_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void put_u32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

void put_u64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// Records of nasbench_only108 are ~500 bytes; anything near this is corrupt.
constexpr uint64_t kMaxRecordBytes = uint64_t{1} << 30;

constexpr const char* kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_base64_values() {
  std::array<int8_t, 256> v{};
  for (auto& x : v) x = -1;
  for (int i = 0; i < 64; ++i) {
    v[static_cast<unsigned char>(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i])] =
        static_cast<int8_t>(i);
  }
  return v;
}
constexpr std::array<int8_t, 256> kBase64Values = make_base64_values();

// A tiny cursor over the JSON row.
struct RowCursor {
  std::string_view text;
  size_t pos = 0;

  [[noreturn]] void fail(const std::string& what) const {
    const std::string_view shown = text.substr(0, 120);
    throw DataError(fmt::format(
        "malformed NAS-Bench-101 row at character {}: {}; expected the JSON list [\"<32-hex "
        "module hash>\", <epochs>, \"<flattened 0/1 adjacency>\", \"<comma-separated ops>\", "
        "\"<base64 ModelMetrics>\"]; the row begins '{}'",
        pos, what, shown));
  }
  void skip() {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\t' || text[pos] == '\r')) {
      ++pos;
    }
  }
  void expect(char c, const char* what) {
    skip();
    if (pos >= text.size() || text[pos] != c) {
      fail(fmt::format(
          "expected '{}' {}, found {}", c, what,
          pos >= text.size() ? std::string("the end") : fmt::format("'{}'", text[pos])));
    }
    ++pos;
  }
  std::string string(const char* what) {
    expect('"', what);
    const size_t start = pos;
    while (pos < text.size() && text[pos] != '"') {
      if (text[pos] == '\\') fail(fmt::format("escape sequences are not expected in {}", what));
      ++pos;
    }
    if (pos >= text.size()) fail(fmt::format("unterminated string ({})", what));
    std::string out(text.substr(start, pos - start));
    ++pos;
    return out;
  }
  int64_t integer(const char* what) {
    skip();
    const size_t start = pos;
    int64_t v = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 18) {
      v = v * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start) fail(fmt::format("expected an integer ({})", what));
    return v;
  }
};

}  // namespace

namespace detail {

uint32_t crc32c_portable(const void* data, size_t size, uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c = ~crc;
  for (size_t i = 0; i < size; ++i) c = kTable[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
  return ~c;
}

}  // namespace detail

uint32_t crc32c(const void* data, size_t size, uint32_t crc) {
#if defined(__x86_64__)
  if (kHaveSse42) return crc32c_sse42(data, size, crc);
#endif
  return detail::crc32c_portable(data, size, crc);
}

uint32_t tfrecord_masked_crc(const void* data, size_t size) {
  const uint32_t crc = crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

// ---- TfRecordReader ----

TfRecordReader::TfRecordReader(const std::string& path)
    : path_(path), file_(std::fopen(path.c_str(), "rb"), &std::fclose) {
  NASCPP_CHECK_DATA(file_ != nullptr, "cannot open TFRecord file '{}': {}", path,
                    std::strerror(errno));
  buffer_.resize(size_t{1} << 20);
  std::setvbuf(file_.get(), buffer_.data(), _IOFBF, buffer_.size());
}

void TfRecordReader::fail(const std::string& what) const {
  throw DataError(fmt::format("TFRecord file '{}': record {} (at byte offset {}): {}", path_,
                              records_, offset_, what));
}

size_t TfRecordReader::read_some(char* dst, size_t n) { return std::fread(dst, 1, n, file_.get()); }

bool TfRecordReader::next(std::string& out) {
  char header[12];
  const size_t got = read_some(header, sizeof header);
  if (got == 0) {
    NASCPP_CHECK_DATA(!std::ferror(file_.get()), "error reading TFRecord file '{}'", path_);
    return false;
  }
  if (got < sizeof header) {
    fail(fmt::format("truncated record header: the file ends after {} of its 12 bytes", got));
  }
  const uint64_t length = read_u64(header);
  const uint32_t length_crc = read_u32(header + 8);
  const uint32_t expected_length_crc = tfrecord_masked_crc(header, 8);
  if (length_crc != expected_length_crc) {
    fail(
        fmt::format("length CRC mismatch (stored 0x{:08x}, computed 0x{:08x}): the file is "
                    "corrupt or not a TFRecord file",
                    length_crc, expected_length_crc));
  }
  if (length > kMaxRecordBytes) {
    fail(fmt::format("record length {} bytes is implausible (more than {})", length,
                     kMaxRecordBytes));
  }
  out.resize(static_cast<size_t>(length));
  const size_t data_got = read_some(out.data(), out.size());
  if (data_got < out.size()) {
    fail(fmt::format("truncated record: the file ends after {} of its {} data bytes", data_got,
                     length));
  }
  char footer[4];
  const size_t footer_got = read_some(footer, sizeof footer);
  if (footer_got < sizeof footer) {
    fail(fmt::format("truncated record: the file ends after {} of the 4 bytes of its data CRC",
                     footer_got));
  }
  const uint32_t data_crc = read_u32(footer);
  const uint32_t expected_data_crc = tfrecord_masked_crc(out.data(), out.size());
  if (data_crc != expected_data_crc) {
    fail(
        fmt::format("data CRC mismatch (stored 0x{:08x}, computed 0x{:08x}): the record is corrupt",
                    data_crc, expected_data_crc));
  }
  ++records_;
  offset_ += 16 + length;
  return true;
}

// ---- TfRecordWriter ----

TfRecordWriter::TfRecordWriter(const std::string& path)
    : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
  NASCPP_CHECK_DATA(out_.good(), "cannot create TFRecord file '{}'", path);
}

void TfRecordWriter::write(std::string_view data) {
  char header[12];
  put_u64(header, data.size());
  put_u32(header + 8, tfrecord_masked_crc(header, 8));
  char footer[4];
  put_u32(footer, tfrecord_masked_crc(data.data(), data.size()));
  out_.write(header, sizeof header);
  out_.write(data.data(), static_cast<std::streamsize>(data.size()));
  out_.write(footer, sizeof footer);
}

void TfRecordWriter::close() {
  out_.close();
  NASCPP_CHECK_DATA(!out_.fail(), "error writing TFRecord file '{}'", path_);
}

// ---- base64 ----

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                       (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  NASCPP_CHECK_DATA(text.size() % 4 == 0,
                    "base64 text of {} characters is not a multiple of 4 long", text.size());
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      int d;
      if (c == '=' && last && k >= 2 && (k == 3 || text[i + 3] == '=')) {
        ++pad;
        d = 0;
      } else {
        d = kBase64Values[static_cast<unsigned char>(c)];
        NASCPP_CHECK_DATA(d >= 0 && pad == 0,
                          "invalid base64 character '{}' at position {} (alphabet A-Z a-z 0-9 + / "
                          "and '=' padding at the end)",
                          c, i + k);
      }
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out += static_cast<char>((v >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return out;
}

// ---- rows ----

NasBench101Row parse_nasbench101_row(std::string_view json) {
  RowCursor c{json};
  NasBench101Row row;
  c.expect('[', "to open the row");
  row.module_hash = c.string("the module hash");
  if (row.module_hash.size() != 32 ||
      row.module_hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    c.fail(fmt::format("the module hash '{}' is not 32 lowercase hex digits", row.module_hash));
  }
  c.expect(',', "after the module hash");
  row.epochs = c.integer("the epochs");
  c.expect(',', "after the epochs");
  row.adjacency = c.string("the adjacency");
  c.expect(',', "after the adjacency");
  row.operations = c.string("the operations");
  c.expect(',', "after the operations");
  row.metrics_base64 = c.string("the metrics");
  c.expect(']', "to close the row");
  c.skip();
  if (c.pos != json.size()) c.fail("unexpected text after the row");
  return row;
}

std::string format_nasbench101_row(const NasBench101Row& row) {
  return fmt::format("[\"{}\", {}, \"{}\", \"{}\", \"{}\"]", row.module_hash, row.epochs,
                     row.adjacency, row.operations, row.metrics_base64);
}

// ---- ModelMetrics ----

NasBench101Metrics decode_nasbench101_metrics(std::string_view bytes) {
  nb101::ModelMetrics proto;
  NASCPP_CHECK_DATA(proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())),
                    "malformed ModelMetrics protobuf ({} bytes)", bytes.size());
  NasBench101Metrics m;
  m.trainable_parameters = proto.trainable_parameters();
  m.total_time = proto.total_time();
  m.evaluations.reserve(static_cast<size_t>(proto.evaluation_data_size()));
  for (const auto& e : proto.evaluation_data()) {
    m.evaluations.push_back({e.current_epoch(), e.training_time(), e.train_accuracy(),
                             e.validation_accuracy(), e.test_accuracy()});
  }
  return m;
}

std::string encode_nasbench101_metrics(const NasBench101Metrics& metrics) {
  nb101::ModelMetrics proto;
  proto.set_trainable_parameters(metrics.trainable_parameters);
  proto.set_total_time(metrics.total_time);
  for (const auto& e : metrics.evaluations) {
    auto* d = proto.add_evaluation_data();
    d->set_current_epoch(e.current_epoch);
    d->set_training_time(e.training_time);
    d->set_train_accuracy(e.train_accuracy);
    d->set_validation_accuracy(e.validation_accuracy);
    d->set_test_accuracy(e.test_accuracy);
  }
  std::string out;
  NASCPP_CHECK(proto.SerializeToString(&out), "cannot serialise ModelMetrics");
  return out;
}

}  // namespace nascpp
