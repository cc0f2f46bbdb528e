#pragma once
/// A small, fast reader for the comma-separated tables of the benchmarks.
///
/// The format is the one of every derived CSV in the benchmark data: one header
/// line, comma separated, no quoting, `\n` (or `\r\n`) line ends, floats as
/// Python writes them (`nan` for a missing value). The file is mapped into
/// memory (read whole where it cannot be) and each row is split in place: a
/// field is a view into that buffer, so reading a row allocates nothing. Every error is a DataError
/// that names the file, the line and what was expected.
///
///     nascpp::CsvReader csv("/data/table.csv");
///     const size_t acc = csv.column("valid_acc");   // DataError if absent
///     while (csv.next_row()) {
///       double v = csv.number(acc);                 // DataError on "abc"
///       double p = csv.number(acc, nascpp::NumberRange::percent());  // and on 101
///     }

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nascpp {

/// The values a numeric column may hold, checked by
/// `CsvReader::number(column, range)`: an interval with closed bounds (the
/// lower one optionally open), and NaN (`nan`, a missing value) only where
/// allowed. Infinite values lie outside every range but `-inf` for
/// `allow_negative_infinity`.
///
///     nascpp::NumberRange::percent();                 // [0, 100], no nan
///     nascpp::NumberRange::positive();                // finite and > 0
///     nascpp::NumberRange::finite().allow_nan();      // any finite number, or nan
///     nascpp::NumberRange::between(1, 3);             // [1, 3]
class NumberRange {
 public:
  /// [0, 100]: accuracies in percent.
  static NumberRange percent();
  /// Finite and > 0: times, latencies.
  static NumberRange positive();
  /// Finite and >= 0: counts, sizes.
  static NumberRange non_negative();
  /// Any finite number.
  static NumberRange finite();
  /// [min, max] (finite bounds).
  static NumberRange between(double min, double max);

  /// Also accepts NaN (`nan` in the file: a hole the source has).
  NumberRange& allow_nan(bool allow = true);
  /// Also accepts -inf (a score whose source writes -inf for "worst").
  NumberRange& allow_negative_infinity(bool allow = true);

  /// True if `v` is a valid value.
  bool contains(double v) const {
    if (std::isnan(v)) return nan_allowed_;
    return (min_open_ ? v > min_ : v >= min_) && v <= max_;
  }
  /// What is valid, for messages: "a number in [0, 100]", "a finite number > 0", ...
  std::string describe() const;

 private:
  NumberRange(double min, double max, bool min_open) : min_(min), max_(max), min_open_(min_open) {}
  double min_;
  double max_;
  bool min_open_;
  bool nan_allowed_ = false;
};

class CsvReader {
 public:
  /// Reads `path`. A missing or unreadable file is a DataError naming it, and so
  /// is a file without a header line.
  explicit CsvReader(const std::string& path);

  /// Reads CSV from `text`; `origin` names it in messages.
  static CsvReader from_string(std::string text, std::string origin);

  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;
  ~CsvReader();

  /// The file name (or origin) used in messages.
  const std::string& origin() const { return origin_; }
  /// The header's column names, in file order.
  const std::vector<std::string>& header() const { return header_; }

  /// Position of column `name`, or nullopt.
  std::optional<size_t> find_column(std::string_view name) const;
  /// Position of column `name`; a DataError naming the file, line 1, the
  /// missing column and the header found when absent.
  size_t column(std::string_view name) const;
  /// Throws a DataError (file, line 1, expected and found header) unless the
  /// header is exactly `expected`.
  void expect_header(const std::vector<std::string>& expected) const;

  /// Advances to the next data row; false at the end of the file. Empty lines
  /// are skipped. A row whose field count differs from the header's is a
  /// DataError ("line 7: expected 9 fields, found 3").
  bool next_row();

  /// 1-based line number of the current row (1 is the header).
  size_t line() const { return line_; }
  /// Number of data rows read so far.
  size_t rows_read() const { return rows_read_; }
  /// Number of fields of the current row (= header size after `next_row`).
  size_t num_fields() const { return fields_.size(); }

  /// Field `column` of the current row, as a view into the file buffer.
  std::string_view field(size_t column) const;
  /// Field `column` parsed as a double (`nan` gives NaN). Anything that is not
  /// entirely a number is a DataError naming the file, line, column and text.
  double number(size_t column) const;
  /// As `number`, and a value outside `range` is a DataError naming the
  /// file, line, column, the value as written and the valid range.
  double number(size_t column, const NumberRange& range) const {
    // Inline: a benchmark load checks about a million numbers.
    const double value = number(column);
    if (!range.contains(value)) fail_range(column, range, value);
    return value;
  }
  /// Field `column` parsed as a decimal integer; DataError as for `number`.
  int64_t integer(size_t column) const;

  /// Throws DataError "<file>, line <n>: <message>" for the current line.
  [[noreturn]] void fail(const std::string& message) const;
  /// Throws DataError "<file>, line <n>: <message>" for column `column` of the
  /// current line (the column's name is added).
  [[noreturn]] void fail_field(size_t column, const std::string& message) const;

 private:
  CsvReader();
  void init();
  [[noreturn]] void fail_range(size_t column, const NumberRange& range, double value) const;
  // Splits the line [begin, end) at commas into `out`.
  static void split(const char* begin, const char* end, std::vector<std::string_view>& out);

  std::string origin_;
  // The file's bytes: a read-only mapping of the file (no copy, and no page
  // faults on fresh memory, which dominate on some virtual machines) or a
  // string. Behind a pointer so that the field views survive a move.
  struct Buffer;
  static std::unique_ptr<Buffer> read_buffer(const std::string& path);
  std::unique_ptr<Buffer> buffer_;
  std::string_view text_;
  std::vector<std::string> header_;
  std::vector<std::string_view> fields_;
  size_t pos_ = 0;
  size_t line_ = 0;
  size_t rows_read_ = 0;
};

/// `text` as one CSV field in double quotes ("" for a quote inside): for
/// fields that may hold commas (DARTS genotypes, NAS-Bench-101 specs).
std::string csv_quote(const std::string& text);

/// The fields of one CSV line, comma separated; a field may be double-quoted
/// as `csv_quote` writes it. `where` (file and line) names the line in the
/// DataError for an unclosed quote.
std::vector<std::string> split_csv_line(const std::string& line, const std::string& where);

}  // namespace nascpp
