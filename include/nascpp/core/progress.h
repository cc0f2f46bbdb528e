#pragma once
/// Progress of long work (training epochs, searches): a snapshot type, a
/// terminal progress bar with rate and ETA, and plain periodic lines for logs
/// and pipes. The library only reports progress through a callback; the
/// command-line program decides how to show it.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace nascpp {

/// One progress report.
struct Progress {
  /// What is running, e.g. "epoch 3/50".
  std::string label;
  /// Units done so far in this task and the task's total.
  int64_t done = 0;
  int64_t total = 0;
  /// Seconds since the task started.
  double elapsed_s = 0.0;
  /// Items (e.g. images) processed per second.
  double rate = 0.0;
  /// Unit of `rate`, e.g. "img/s".
  std::string rate_unit;
  /// Free text appended to the line, e.g. "loss 1.234".
  std::string detail;

  /// Estimated seconds left (from done/total and elapsed time; 0 when unknown).
  double eta_s() const;
};

/// "1:02:03", "4:05" or "0:07" for a number of seconds.
std::string format_duration(double seconds);

/// One line for logs: "epoch 3/50 120/391 (31%) 812 img/s eta 0:33 loss 1.234".
std::string format_progress_line(const Progress& p);

/// Draws a one-line bar on a terminal, redrawn in place at most `max_hz`
/// times per second; the line ends when done reaches total or at `finish()`.
class ProgressBar {
 public:
  explicit ProgressBar(std::ostream& out, double max_hz = 10.0);
  void update(const Progress& p);
  /// Draws the last state (if any) and ends the line.
  void finish();

 private:
  std::ostream& out_;
  double min_interval_s_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  bool pending_ = false;
  Progress last_;
  void draw(const Progress& p);
};

/// Whether `fd` (e.g. 2 for stderr) is a terminal.
bool is_terminal(int fd);

}  // namespace nascpp
