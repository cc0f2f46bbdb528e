#include "nascpp/core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ostream>

namespace nascpp {

double Progress::eta_s() const {
  if (done <= 0 || total <= done || elapsed_s <= 0) return 0.0;
  return elapsed_s * static_cast<double>(total - done) / static_cast<double>(done);
}

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string format_progress_line(const Progress& p) {
  std::string line = p.label;
  if (p.total > 0) {
    line += fmt::format(" {}/{} ({:.0f}%)", p.done, p.total,
                        100.0 * static_cast<double>(p.done) / static_cast<double>(p.total));
  }
  if (p.rate > 0) line += fmt::format(" {:.0f} {}", p.rate, p.rate_unit);
  if (p.total > 0 && p.done < p.total) line += " eta " + format_duration(p.eta_s());
  if (!p.detail.empty()) line += " " + p.detail;
  return line;
}

ProgressBar::ProgressBar(std::ostream& out, double max_hz)
    : out_(out), min_interval_s_(max_hz > 0 ? 1.0 / max_hz : 0.0) {}

void ProgressBar::draw(const Progress& p) {
  constexpr int kWidth = 24;
  const double fraction =
      p.total > 0 ? std::clamp(static_cast<double>(p.done) / static_cast<double>(p.total), 0.0, 1.0)
                  : 0.0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  // \r returns to the line start; \033[K clears what a longer line left.
  // The line without a label starts with its own space.
  out_ << "\r" << p.label << " [" << bar << "]"
       << format_progress_line(
              Progress{"", p.done, p.total, p.elapsed_s, p.rate, p.rate_unit, p.detail})
       << "\033[K" << std::flush;
  drawn_ = true;
  pending_ = false;
  last_draw_ = std::chrono::steady_clock::now();
}

void ProgressBar::update(const Progress& p) {
  last_ = p;
  pending_ = true;
  const auto now = std::chrono::steady_clock::now();
  const bool complete = p.total > 0 && p.done >= p.total;
  if (!drawn_ || complete ||
      std::chrono::duration<double>(now - last_draw_).count() >= min_interval_s_) {
    draw(p);
  }
  // A finished task ends its line, so log lines that follow start on their own.
  if (complete) finish();
}

void ProgressBar::finish() {
  if (pending_) draw(last_);
  if (drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

}  // namespace nascpp
