#include "nascpp/core/csv.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>

#include "nascpp/core/error.h"

namespace nascpp {

struct CsvReader::Buffer {
  std::string text;
  void* map = nullptr;
  size_t map_size = 0;

  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (map != nullptr) munmap(map, map_size);
  }
  std::string_view view() const {
    if (map != nullptr) return {static_cast<const char*>(map), map_size};
    return text;
  }
};

namespace {

std::string shorten(std::string_view text) {
  constexpr size_t kMax = 40;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

}  // namespace

// ---- NumberRange ----

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxFinite = std::numeric_limits<double>::max();
}  // namespace

NumberRange NumberRange::percent() { return NumberRange(0.0, 100.0, false); }
NumberRange NumberRange::positive() { return NumberRange(0.0, kMaxFinite, true); }
NumberRange NumberRange::non_negative() { return NumberRange(0.0, kMaxFinite, false); }
NumberRange NumberRange::finite() { return NumberRange(-kMaxFinite, kMaxFinite, false); }

NumberRange NumberRange::between(double min, double max) {
  NASCPP_CHECK(std::isfinite(min) && std::isfinite(max) && min <= max,
               "NumberRange::between({}, {}): the bounds must be finite and ordered", min, max);
  return NumberRange(min, max, false);
}

NumberRange& NumberRange::allow_nan(bool allow) {
  nan_allowed_ = allow;
  return *this;
}

NumberRange& NumberRange::allow_negative_infinity(bool allow) {
  if (allow) {
    min_ = -kInf;
    min_open_ = false;
  } else if (min_ == -kInf) {
    min_ = -kMaxFinite;
  }
  return *this;
}

std::string NumberRange::describe() const {
  std::string out;
  if (max_ != kMaxFinite) {
    out = fmt::format("a number in {}{}, {}]", min_open_ ? "(" : "[", min_, max_);
  } else if (min_ == -kInf) {
    out = "a number or -inf (not +inf)";
  } else if (min_ == -kMaxFinite) {
    out = "a finite number";
  } else {
    out = fmt::format("a finite number {} {}", min_open_ ? ">" : ">=", min_);
  }
  return nan_allowed_ ? out + ", or nan" : out;
}

// ---- CsvReader ----

// Maps the file read-only, populated at once; falls back to one fread where
// mapping fails. Both avoid stream iterators, several times slower on the
// 10 MB tables.
std::unique_ptr<CsvReader::Buffer> CsvReader::read_buffer(const std::string& path) {
  std::error_code ec;
  NASCPP_CHECK_DATA(std::filesystem::is_regular_file(path, ec), "file '{}' does not exist", path);
  auto buffer = std::make_unique<Buffer>();
  const int fd = ::open(path.c_str(), O_RDONLY);
  NASCPP_CHECK_DATA(fd >= 0, "cannot open '{}': {}", path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    const auto size = static_cast<size_t>(st.st_size);
#ifdef MAP_POPULATE
    const int flags = MAP_PRIVATE | MAP_POPULATE;
#else
    const int flags = MAP_PRIVATE;
#endif
    void* map = ::mmap(nullptr, size, PROT_READ, flags, fd, 0);
    if (map != MAP_FAILED) {
      buffer->map = map;
      buffer->map_size = size;
      ::close(fd);
      return buffer;
    }
  }
  ::close(fd);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  NASCPP_CHECK_DATA(file != nullptr, "cannot open '{}': {}", path, std::strerror(errno));
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) buffer->text.resize(static_cast<size_t>(size));
  const size_t n =
      buffer->text.empty() ? 0 : std::fread(buffer->text.data(), 1, buffer->text.size(), file);
  const bool read_error = std::ferror(file) != 0;
  std::fclose(file);
  NASCPP_CHECK_DATA(!read_error && n == buffer->text.size(), "cannot read '{}'", path);
  return buffer;
}

CsvReader::CsvReader(const std::string& path) : origin_(path), buffer_(read_buffer(path)) {
  text_ = buffer_->view();
  init();
}

CsvReader::CsvReader() = default;
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

CsvReader CsvReader::from_string(std::string text, std::string origin) {
  CsvReader reader;
  reader.origin_ = std::move(origin);
  reader.buffer_ = std::make_unique<Buffer>();
  reader.buffer_->text = std::move(text);
  reader.text_ = reader.buffer_->view();
  reader.init();
  return reader;
}

void CsvReader::split(const char* begin, const char* end, std::vector<std::string_view>& out) {
  out.clear();
  if (end > begin && end[-1] == '\r') --end;
  const char* field = begin;
  while (true) {
    const void* comma = std::memchr(field, ',', static_cast<size_t>(end - field));
    if (comma == nullptr) {
      out.emplace_back(field, static_cast<size_t>(end - field));
      return;
    }
    const char* c = static_cast<const char*>(comma);
    out.emplace_back(field, static_cast<size_t>(c - field));
    field = c + 1;
  }
}

void CsvReader::init() {
  const std::string_view text = text_;
  line_ = 1;
  NASCPP_CHECK_DATA(!text.empty(), "{}, line 1: empty file, expected a header line", origin_);
  const size_t newline = text.find('\n');
  const size_t end = newline == std::string_view::npos ? text.size() : newline;
  split(text.data(), text.data() + end, fields_);
  for (std::string_view name : fields_) header_.emplace_back(name);
  NASCPP_CHECK_DATA(!(header_.size() == 1 && header_[0].empty()), "{}, line 1: empty header line",
                    origin_);
  fields_.clear();
  pos_ = newline == std::string_view::npos ? text.size() : newline + 1;
}

std::optional<size_t> CsvReader::find_column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

size_t CsvReader::column(std::string_view name) const {
  const auto index = find_column(name);
  if (!index) {
    throw DataError(fmt::format("{}, line 1: wrong header: no column '{}' (header is '{}')",
                                origin_, name, join(header_, ",")));
  }
  return *index;
}

void CsvReader::expect_header(const std::vector<std::string>& expected) const {
  if (header_ != expected) {
    throw DataError(fmt::format("{}, line 1: wrong header: expected '{}', found '{}'", origin_,
                                join(expected, ","), join(header_, ",")));
  }
}

bool CsvReader::next_row() {
  const std::string_view text = text_;
  while (pos_ < text.size()) {
    const char* begin = text.data() + pos_;
    const void* newline = std::memchr(begin, '\n', text.size() - pos_);
    const char* end =
        newline == nullptr ? text.data() + text.size() : static_cast<const char*>(newline);
    pos_ = static_cast<size_t>(end - text.data()) + (newline == nullptr ? 0 : 1);
    ++line_;
    if (end == begin || (end == begin + 1 && *begin == '\r')) continue;  // empty line
    split(begin, end, fields_);
    if (fields_.size() != header_.size()) {
      fail(fmt::format("expected {} fields (as in the header), found {}", header_.size(),
                       fields_.size()));
    }
    ++rows_read_;
    return true;
  }
  fields_.clear();
  return false;
}

std::string_view CsvReader::field(size_t column) const {
  NASCPP_ASSERT(column < fields_.size());
  return fields_[column];
}

double CsvReader::number(size_t column) const {
  const std::string_view text = field(column);
  double value = 0.0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  // from_chars does not take a leading '+'; Python never writes one, but accept it.
  if (begin != end && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec == std::errc::result_out_of_range && ptr == end) {
    // Subnormal or huge values: fall back to strtod, which rounds them. Only
    // for a field that is wholly that number: strtod would ignore the rest
    // of "1e999x" and give inf.
    const std::string copy(text);
    return std::strtod(copy.c_str(), nullptr);
  }
  if (ec != std::errc() || ptr != end || text.empty()) {
    fail_field(column, fmt::format("expected a number, found '{}'", shorten(text)));
  }
  return value;
}

void CsvReader::fail_range(size_t column, const NumberRange& range, double value) const {
  fail_field(column,
             fmt::format("value '{}' is out of range: expected {}{}", shorten(field(column)),
                         range.describe(),
                         std::isnan(value) ? " (nan, a missing value, is not allowed here)" : ""));
}

int64_t CsvReader::integer(size_t column) const {
  const std::string_view text = field(column);
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    fail_field(column, fmt::format("expected an integer, found '{}'", shorten(text)));
  }
  return value;
}

void CsvReader::fail(const std::string& message) const {
  throw DataError(fmt::format("{}, line {}: {}", origin_, line_, message));
}

void CsvReader::fail_field(size_t column, const std::string& message) const {
  const std::string name = column < header_.size() ? header_[column] : "?";
  throw DataError(fmt::format("{}, line {}, column '{}': {}", origin_, line_, name, message));
}

std::string csv_quote(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted += '"';
  return quoted;
}

std::vector<std::string> split_csv_line(const std::string& line, const std::string& where) {
  std::vector<std::string> fields;
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        NASCPP_CHECK_DATA(i < line.size(), "{}: a quoted field is not closed", where);
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      NASCPP_CHECK_DATA(i == line.size() || line[i] == ',',
                        "{}: text after a quoted field's closing quote", where);
    } else {
      while (i < line.size() && line[i] != ',') field += line[i++];
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return fields;
}

}  // namespace nascpp
