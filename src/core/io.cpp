#include "nascpp/core/io.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nascpp/core/error.h"

namespace nascpp {

void write_file_atomic(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    NASCPP_CHECK_DATA(out.good(), "cannot write '{}': {}", tmp, std::strerror(errno));
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    NASCPP_CHECK_DATA(out.good(), "writing '{}' failed: {}", tmp, std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  NASCPP_CHECK_DATA(!ec, "cannot rename '{}' to '{}': {}", tmp, path, ec.message());
}

std::string read_file(const std::string& path) {
  NASCPP_CHECK_DATA(std::filesystem::is_regular_file(path), "file '{}' does not exist", path);
  std::ifstream in(path, std::ios::binary);
  NASCPP_CHECK_DATA(in.good(), "cannot open '{}': {}", path, std::strerror(errno));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string read_gzip_file(const std::string& path) {
  NASCPP_CHECK_DATA(std::filesystem::is_regular_file(path), "file '{}' does not exist", path);
  gzFile file = gzopen(path.c_str(), "rb");
  NASCPP_CHECK_DATA(file != nullptr, "cannot open '{}': {}", path, std::strerror(errno));
  std::string out;
  char buffer[1 << 16];
  while (true) {
    const int n = gzread(file, buffer, sizeof(buffer));
    if (n < 0) {
      int code = 0;
      const std::string message = gzerror(file, &code);
      gzclose(file);
      throw DataError(fmt::format("'{}' is not a valid gzip file: {}", path, message));
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  gzclose(file);
  return out;
}

}  // namespace nascpp
