// attnlab core: small JSON helpers shared by every file format attnlab reads and writes.
//
// Calling rules
// - read_json_file refuses anything that is not a regular file, is larger than max_bytes, or is
//   not valid JSON, with InputError("<path>: <problem>"); it never returns a partial document.
// - parse_json_text is the one JSON reader for files: it refuses a NUL byte, nesting deeper than
//   max_depth (checked as the text is read, through nlohmann's SAX interface, so 8 MiB of '[' is
//   refused at the 17th), a key repeated in one object, and numbers beyond a double. Syntax
//   errors read "<where>: invalid JSON at line L, column C (byte B)" and never quote the text.
//   `where` is shown through printable_path().
// - json_to_matrix reads doc[field] as a non-empty rectangular list of lists of finite numbers
//   (a flat list becomes one row) and names the field, row and column in its errors.
// - json_value_to_matrix checks every row before allocating, so a matrix is never larger than
//   the text it came from.
// - write_file_atomically refuses a target that exists and is not a regular file (a device, a
//   FIFO, a directory): InputError("<path>: ... is not a regular file"), nothing written. It
//   writes to "<path>.tmp-XXXX" in the same folder, flushes, fsyncs and renames over path, so a reader sees the old file or the new one, never half of one. Throws
//   InputError naming the path and the system's reason (read-only folder, full disk). The temp
//   file is flock()ed from its creation to its rename, so a cleaner can tell a writer at work
//   from one that died mid-write.
// - remove_stale_temp_files(dir, is_ours) removes dir/NAME.tmp-XXXXXX (six letters or digits,
//   write_file_atomically's pattern) when is_ours(NAME) and no writer holds its lock: the leftovers
//   of a process killed while writing. Another process's file being written is never touched.
//   Returns how many it removed; never throws.
#pragma once

#include "core/base/limits.h"

#include <Eigen/Dense>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace attn {

std::string read_text_file(const std::string& path, std::size_t max_bytes);
nlohmann::json read_json_file(const std::string& path, std::size_t max_bytes);
nlohmann::json parse_json_text(std::string_view text, const std::string& where, int max_depth = kMaxJsonDepth);

Eigen::MatrixXd json_to_matrix(const nlohmann::json& doc, const std::string& field, const std::string& where);
Eigen::MatrixXd json_value_to_matrix(const nlohmann::json& value, const std::string& what);
nlohmann::json matrix_to_json(const Eigen::MatrixXd& m);
nlohmann::json vector_to_json(const Eigen::MatrixXd& row);  // 1×n → [..]

void write_file_atomically(const std::string& path, const std::string& contents);
bool is_temp_name_of(const std::string& name, const std::string& base);  // base + ".tmp-XXXXXX"?
int remove_stale_temp_files(const std::string& dir, const std::function<bool(const std::string&)>& is_ours);

}  // namespace attn
