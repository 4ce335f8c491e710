#include "core/json_io.h"

#include "core/error.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace attn {

std::string read_text_file(const std::string& path, std::size_t max_bytes) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) throw InputError(path + ": cannot open (" + std::strerror(errno) + ")");
    if (!S_ISREG(info.st_mode)) throw InputError(path + ": not a regular file");
    if (static_cast<std::size_t>(info.st_size) > max_bytes)
        throw InputError(path + ": file is " + std::to_string(info.st_size) + " bytes, more than the limit of " +
                         std::to_string(max_bytes));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::string text;
    text.resize(static_cast<std::size_t>(info.st_size));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

nlohmann::json parse_json_text(const std::string& text, const std::string& where) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann's message carries the byte offset; keep it, drop its "[json.exception...]" prefix.
        std::string message = e.what();
        const auto pos = message.find("] ");
        if (pos != std::string::npos) message = message.substr(pos + 2);
        throw InputError(where + ": invalid JSON (" + message + ")");
    } catch (const nlohmann::json::exception& e) {
        // e.g. out_of_range for a number like 1e999 that overflows a double.
        std::string message = e.what();
        const auto pos = message.find("] ");
        if (pos != std::string::npos) message = message.substr(pos + 2);
        throw InputError(where + ": invalid JSON (" + message + ")");
    }
}

nlohmann::json read_json_file(const std::string& path, std::size_t max_bytes) {
    return parse_json_text(read_text_file(path, max_bytes), path);
}

Eigen::MatrixXd json_value_to_matrix(const nlohmann::json& value, const std::string& what) {
    if (!value.is_array() || value.empty()) throw InputError(what + " must be a non-empty list of rows");
    const bool flat = !value[0].is_array();
    const std::size_t rows = flat ? 1 : value.size();
    const std::size_t cols = flat ? value.size() : value[0].size();
    if (cols == 0) throw InputError(what + ": row 0 is empty");
    Eigen::MatrixXd m(rows, cols);
    for (std::size_t r = 0; r < rows; ++r) {
        const nlohmann::json& row = flat ? value : value[r];
        if (!row.is_array())
            throw InputError(what + ": row " + std::to_string(r) + " is not a list (mixing numbers and lists)");
        if (row.size() != cols)
            throw InputError(what + ": row " + std::to_string(r) + " has " + std::to_string(row.size()) +
                             " numbers, expected " + std::to_string(cols) + " like row 0");
        for (std::size_t c = 0; c < cols; ++c) {
            if (!row[c].is_number())
                throw InputError(what + ": entry (" + std::to_string(r) + ", " + std::to_string(c) +
                                 ") is not a number");
            const double x = row[c].get<double>();
            if (!std::isfinite(x))
                throw InputError(what + ": entry (" + std::to_string(r) + ", " + std::to_string(c) +
                                 ") is not finite");
            m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = x;
        }
    }
    return m;
}

Eigen::MatrixXd json_to_matrix(const nlohmann::json& doc, const std::string& field, const std::string& where) {
    if (!doc.contains(field)) throw InputError(where + ": missing \"" + field + "\"");
    return json_value_to_matrix(doc.at(field), where + ": \"" + field + "\"");
}

nlohmann::json vector_to_json(const Eigen::MatrixXd& row) {
    nlohmann::json out = nlohmann::json::array();
    for (Eigen::Index c = 0; c < row.size(); ++c) out.push_back(row(c));
    return out;
}

nlohmann::json matrix_to_json(const Eigen::MatrixXd& m) {
    nlohmann::json out = nlohmann::json::array();
    for (Eigen::Index r = 0; r < m.rows(); ++r) out.push_back(vector_to_json(m.row(r)));
    return out;
}

void write_file_atomically(const std::string& path, const std::string& contents) {
    std::string temp = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) throw InputError(path + ": cannot write (" + std::strerror(errno) + ")");
    std::size_t written = 0;
    while (written < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const std::string reason = std::strerror(errno);
            ::close(fd);
            ::unlink(temp.c_str());
            throw InputError(path + ": cannot write (" + reason + ")");
        }
        written += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    const int sync_errno = errno;
    const bool closed = ::close(fd) == 0;
    if (!synced || !closed) {
        const std::string reason = std::strerror(synced ? errno : sync_errno);
        ::unlink(temp.c_str());
        throw InputError(path + ": cannot write (" + reason + ")");
    }
    ::chmod(temp.c_str(), 0644);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temp.c_str());
        throw InputError(path + ": cannot write (" + reason + ")");
    }
}

}  // namespace attn
