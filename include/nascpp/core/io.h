#pragma once
/// Small file helpers shared by run directories, checkpoints and readers.

#include <string>
#include <vector>

namespace nascpp {

/// Writes `contents` to `path` atomically: a temporary file in the same
/// folder, flushed, then renamed over `path`. A reader never sees a partial file.
void write_file_atomic(const std::string& path, const std::string& contents);

/// Reads a whole file; a missing or unreadable file is a DataError naming it.
std::string read_file(const std::string& path);

/// Reads a whole gzip-compressed (or plain) file; errors name the file.
std::string read_gzip_file(const std::string& path);

/// Appends `line` and a newline to `path` (created if missing) and flushes,
/// so that a kill leaves at most one partial last line. Errors name the file.
void append_line(const std::string& path, const std::string& line);

/// The complete (newline-terminated) lines of a text file; a partial last
/// line, as a kill during `append_line` leaves, is dropped. A missing file
/// has no lines.
std::vector<std::string> read_complete_lines(const std::string& path);

/// The SHA-256 digest of a file's contents as 64 lowercase hex digits,
/// computed in chunks (OpenSSL). A missing file is a DataError naming it.
std::string sha256_file(const std::string& path);

}  // namespace nascpp
