// The range checks of the CSV reader (the splitting and number parsing are
// tested with the NAS-Bench-201 reader, tests/unit/benchmarks).
#include "nascpp/core/csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "support/test_support.h"

namespace nascpp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(NumberRange, ContainsWhatItDescribes) {
  const auto percent = NumberRange::percent();
  EXPECT_TRUE(percent.contains(0.0));
  EXPECT_TRUE(percent.contains(100.0));
  EXPECT_FALSE(percent.contains(100.000001));
  EXPECT_FALSE(percent.contains(-1e-9));
  EXPECT_FALSE(percent.contains(kNaN));
  EXPECT_FALSE(percent.contains(kInf));
  EXPECT_EQ(percent.describe(), "a number in [0, 100]");

  const auto positive = NumberRange::positive();
  EXPECT_TRUE(positive.contains(1e-300));
  EXPECT_TRUE(positive.contains(1e300));
  EXPECT_FALSE(positive.contains(0.0));
  EXPECT_FALSE(positive.contains(kInf));
  EXPECT_EQ(positive.describe(), "a finite number > 0");

  const auto counts = NumberRange::non_negative();
  EXPECT_TRUE(counts.contains(0.0));
  EXPECT_FALSE(counts.contains(-0.5));
  EXPECT_EQ(counts.describe(), "a finite number >= 0");

  const auto holes = NumberRange::finite().allow_nan();
  EXPECT_TRUE(holes.contains(kNaN));
  EXPECT_TRUE(holes.contains(-2.5e6));
  EXPECT_FALSE(holes.contains(-kInf));
  EXPECT_EQ(holes.describe(), "a finite number, or nan");

  const auto scores = NumberRange::finite().allow_negative_infinity();
  EXPECT_TRUE(scores.contains(-kInf));
  EXPECT_FALSE(scores.contains(kInf));
  EXPECT_FALSE(scores.contains(kNaN));
  EXPECT_EQ(scores.describe(), "a number or -inf (not +inf)");

  const auto seeds = NumberRange::between(1, 3);
  EXPECT_TRUE(seeds.contains(2));
  EXPECT_FALSE(seeds.contains(4));
  EXPECT_EQ(seeds.describe(), "a number in [1, 3]");
  EXPECT_THROW(NumberRange::between(3, 1), Error);
  EXPECT_THROW(NumberRange::between(0, kInf), Error);
}

TEST(CsvReader, ValuesOutOfRangeNameFileLineColumnAndValue) {
  auto csv = CsvReader::from_string("acc,time\n99.5,12\n101,0\n1e300,-3\nnan,inf\n", "t.csv");
  ASSERT_TRUE(csv.next_row());
  EXPECT_EQ(csv.number(0, NumberRange::percent()), 99.5);
  EXPECT_EQ(csv.number(1, NumberRange::positive()), 12.0);
  ASSERT_TRUE(csv.next_row());
  NASCPP_EXPECT_THROW_WITH(csv.number(0, NumberRange::percent()), DataError,
                           "t.csv, line 3, column 'acc': value '101' is out of range: expected a "
                           "number in [0, 100]");
  NASCPP_EXPECT_THROW_WITH(csv.number(1, NumberRange::positive()), DataError,
                           "t.csv, line 3, column 'time': value '0' is out of range: expected a "
                           "finite number > 0");
  ASSERT_TRUE(csv.next_row());
  NASCPP_EXPECT_THROW_WITH(csv.number(0, NumberRange::percent()), DataError,
                           "line 4, column 'acc': value '1e300' is out of range");
  NASCPP_EXPECT_THROW_WITH(csv.number(1, NumberRange::positive()), DataError,
                           "line 4, column 'time': value '-3' is out of range");
  ASSERT_TRUE(csv.next_row());
  NASCPP_EXPECT_THROW_WITH(csv.number(0, NumberRange::percent()), DataError,
                           "line 5, column 'acc': value 'nan' is out of range: expected a number "
                           "in [0, 100] (nan, a missing value, is not allowed here)");
  EXPECT_TRUE(std::isnan(csv.number(0, NumberRange::percent().allow_nan())));
  NASCPP_EXPECT_THROW_WITH(csv.number(1, NumberRange::positive()), DataError,
                           "line 5, column 'time': value 'inf' is out of range: expected a finite "
                           "number > 0");
  // Without a range, every number is accepted as before.
  EXPECT_EQ(csv.number(1), kInf);
}

// Numbers beyond the double range are rounded (to inf or a subnormal/zero)
// by strtod; text after such a number was ignored and "1e999x" read as inf.
TEST(CsvReader, OutOfRangeNumbersMustBeWholeFields) {
  auto csv = CsvReader::from_string("v,w\n1e999,1e-400\n1e999x,-1e999 \n", "r.csv");
  ASSERT_TRUE(csv.next_row());
  EXPECT_EQ(csv.number(0), kInf);
  EXPECT_EQ(csv.number(1), 0.0);
  NASCPP_EXPECT_THROW_WITH(csv.number(0, NumberRange::positive()), DataError,
                           "r.csv, line 2, column 'v': value '1e999' is out of range");
  ASSERT_TRUE(csv.next_row());
  NASCPP_EXPECT_THROW_WITH(csv.number(0), DataError,
                           "r.csv, line 3, column 'v': expected a number, found '1e999x'");
  NASCPP_EXPECT_THROW_WITH(csv.number(1), DataError, "expected a number, found '-1e999 '");
}

}  // namespace
}  // namespace nascpp
