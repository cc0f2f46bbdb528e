#pragma once
// What the generated doc_examples.cpp includes before the project's headers:
// the standard and third-party headers the examples use without naming them.
#include <fmt/core.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>
