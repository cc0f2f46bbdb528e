#include "nascpp/core/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace nascpp {
namespace {

TEST(Progress, LineHasCountsRateAndEta) {
  Progress p{"epoch 2/5", 25, 100, 10.0, 640.0, "img/s", "loss 1.2345"};
  EXPECT_DOUBLE_EQ(p.eta_s(), 30.0);
  EXPECT_EQ(format_progress_line(p), "epoch 2/5 25/100 (25%) 640 img/s eta 0:30 loss 1.2345");
  p.done = 100;
  EXPECT_EQ(format_progress_line(p), "epoch 2/5 100/100 (100%) 640 img/s loss 1.2345");
  EXPECT_EQ(format_duration(3725), "1:02:05");
  EXPECT_EQ(format_duration(65.4), "1:05");
}

TEST(Progress, BarRedrawsInPlaceAndEndsTheLine) {
  std::ostringstream out;
  ProgressBar bar(out, 0.0);  // no rate limit
  bar.update(Progress{"search", 1, 4, 1.0, 0.0, "", ""});
  bar.update(Progress{"search", 4, 4, 4.0, 0.0, "", ""});
  bar.finish();
  const auto text = out.str();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_NE(text.find("[######..................]"), std::string::npos) << text;
  EXPECT_NE(text.find("[########################] 4/4 (100%)"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

}  // namespace
}  // namespace nascpp
