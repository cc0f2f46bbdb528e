// The nascpp command: the only place that catches exceptions, configures log
// sinks and chooses exit codes.
#include <CLI/CLI.hpp>

#include <iostream>

#include "nascpp/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"nascpp: neural architecture search"};
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
