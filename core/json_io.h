// attnlab core: small JSON helpers shared by every file format attnlab reads and writes.
//
// Calling rules
// - read_json_file refuses anything that is not a regular file, is larger than max_bytes, or is
//   not valid JSON, with InputError("<path>: <problem>"); it never returns a partial document.
// - json_to_matrix reads doc[field] as a non-empty rectangular list of lists of finite numbers
//   (a flat list becomes one row) and names the field, row and column in its errors.
// - write_file_atomically writes to "<path>.tmp-XXXX" in the same folder, flushes, fsyncs and
//   renames over path, so a reader sees the old file or the new one, never half of one. Throws
//   InputError naming the path and the system's reason (read-only folder, full disk).
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace attn {

std::string read_text_file(const std::string& path, std::size_t max_bytes);
nlohmann::json read_json_file(const std::string& path, std::size_t max_bytes);
nlohmann::json parse_json_text(const std::string& text, const std::string& where);

Eigen::MatrixXd json_to_matrix(const nlohmann::json& doc, const std::string& field, const std::string& where);
Eigen::MatrixXd json_value_to_matrix(const nlohmann::json& value, const std::string& what);
nlohmann::json matrix_to_json(const Eigen::MatrixXd& m);
nlohmann::json vector_to_json(const Eigen::MatrixXd& row);  // 1×n → [..]

void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace attn
