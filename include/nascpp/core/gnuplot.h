#pragma once
/// Drawing plots with gnuplot (Debian: gnuplot-nox), for `nascpp report` and
/// `nascpp predictors`: both write a script and its data, then run gnuplot
/// when it is installed.

#include <string>

namespace nascpp {

/// Whether a `gnuplot` program is on the PATH.
bool gnuplot_available();

/// `text` as a gnuplot double-quoted string for titles and labels: quotes and
/// backslashes escaped, and underscores too, so that enhanced text shows them
/// instead of starting a subscript.
std::string gnuplot_label(const std::string& text);

/// `text` as a gnuplot double-quoted string whose value is `text` itself (for
/// comparisons such as `strcol(1) eq "..."`).
std::string gnuplot_literal(const std::string& text);

/// Runs `gnuplot SCRIPT` in folder `dir`, its errors going to
/// `dir/gnuplot.log`; an Error naming both when gnuplot fails.
void run_gnuplot(const std::string& dir, const std::string& script);

}  // namespace nascpp
