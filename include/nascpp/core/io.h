#pragma once
/// Small file helpers shared by run directories, checkpoints and readers.

#include <string>

namespace nascpp {

/// Writes `contents` to `path` atomically: a temporary file in the same
/// folder, flushed, then renamed over `path`. A reader never sees a partial file.
void write_file_atomic(const std::string& path, const std::string& contents);

/// Reads a whole file; a missing or unreadable file is a DataError naming it.
std::string read_file(const std::string& path);

/// Reads a whole gzip-compressed (or plain) file; errors name the file.
std::string read_gzip_file(const std::string& path);

}  // namespace nascpp
