#include "nascpp/core/gnuplot.h"

#include <cstdlib>
#include <filesystem>

#include "nascpp/core/error.h"

namespace nascpp {

namespace {

std::string quoted(const std::string& text, bool escape_underscores) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (escape_underscores && c == '_') out += "\\\\";
    out += c;
  }
  return out + "\"";
}

}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

std::string gnuplot_label(const std::string& text) { return quoted(text, true); }

std::string gnuplot_literal(const std::string& text) { return quoted(text, false); }

void run_gnuplot(const std::string& dir, const std::string& script) {
  namespace fs = std::filesystem;
  const std::string cmd = "cd '" + dir + "' && gnuplot " + script + " 2>gnuplot.log";
  NASCPP_CHECK(std::system(cmd.c_str()) == 0, "gnuplot failed on '{}' (see {})",
               (fs::path(dir) / script).string(), (fs::path(dir) / "gnuplot.log").string());
}

}  // namespace nascpp
