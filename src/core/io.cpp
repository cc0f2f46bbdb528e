#include "nascpp/core/io.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

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

void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  NASCPP_CHECK_DATA(out.good(), "cannot append to '{}': {}", path, std::strerror(errno));
  out << line << '\n';
  out.flush();
  NASCPP_CHECK_DATA(out.good(), "appending to '{}' failed: {}", path, std::strerror(errno));
}

std::vector<std::string> read_complete_lines(const std::string& path) {
  std::vector<std::string> lines;
  if (!std::filesystem::exists(path)) return lines;
  const std::string text = read_file(path);
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

std::string sha256_file(const std::string& path) {
  NASCPP_CHECK_DATA(std::filesystem::is_regular_file(path), "file '{}' does not exist", path);
  std::ifstream in(path, std::ios::binary);
  NASCPP_CHECK_DATA(in.good(), "cannot open '{}': {}", path, std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  NASCPP_CHECK(ctx != nullptr && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1,
               "OpenSSL: cannot start a SHA-256 digest");
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = in.gcount();
    if (n > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(n));
  }
  NASCPP_CHECK_DATA(in.eof(), "reading '{}' failed: {}", path, std::strerror(errno));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace nascpp
