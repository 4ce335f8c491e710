#include "core/base/json_io.h"

#include "core/base/error.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace attn {

namespace {

using nlohmann::json;

// mkstemp's file for path, opened and locked (flock) for as long as it is being written. A
// cleaner that removed the file between mkstemp and flock would leave us writing to nothing, so a
// file found unlinked once locked is given up and another made.
int open_locked_temp(const std::string& path, std::string& temp) {
    for (int attempt = 0; attempt < 4; ++attempt) {
        temp = path + ".tmp-XXXXXX";
        const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
        if (fd < 0) return -1;
        struct stat info {};
        if (::flock(fd, LOCK_EX) == 0 && ::fstat(fd, &info) == 0 && info.st_nlink > 0) return fd;
        ::close(fd);
    }
    errno = EAGAIN;
    return -1;
}

// "line L, column C (byte B)" for a 0-based byte offset into text.
std::string position_of(std::string_view text, std::size_t byte) {
    byte = std::min(byte, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < byte; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " + std::to_string(byte) + ")";
}

// Builds the tree from SAX events (nlohmann's parser is iterative), refusing depth and duplicate
// keys as they arrive. Containers on the stack are never moved while open: a child is always
// appended to the innermost open container.
class BoundedTreeBuilder : public nlohmann::json_sax<json> {
public:
    BoundedTreeBuilder(std::string_view text, const std::string& where, int max_depth)
        : text_(text), where_(where), max_depth_(max_depth) {}
    json take() { return std::move(root_); }

    bool null() override { return add(json(nullptr)); }
    bool boolean(bool v) override { return add(json(v)); }
    bool number_integer(number_integer_t v) override { return add(json(v)); }
    bool number_unsigned(number_unsigned_t v) override { return add(json(v)); }
    bool number_float(number_float_t v, const string_t&) override { return add(json(v)); }
    bool string(string_t& v) override { return add(json(std::move(v))); }
    bool binary(binary_t&) override { return add(json()); }  // not produced by the text parser
    bool start_object(std::size_t) override { return open(json::object()); }
    bool start_array(std::size_t) override { return open(json::array()); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool key(string_t& name) override {
        if (stack_.back()->contains(name))
            throw InputError(where_ + ": " + path_prefix() + "invalid JSON: the key " + in_quotes(name) +
                             " appears twice in one object");
        key_ = std::move(name);
        return true;
    }
    bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& e) override {
        // Never nlohmann's message: it quotes the raw text ("last read: ...").
        const std::size_t at = byte > 0 ? byte - 1 : 0;
        if (e.id == 406) throw InputError(where_ + ": invalid JSON: number too large for a double at " + position_of(text_, at));
        throw InputError(where_ + ": invalid JSON at " + position_of(text_, at));
    }

private:
    json* place(json&& value) {
        if (stack_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(value));
            return &parent.back();
        }
        json& slot = parent[key_];
        slot = std::move(value);
        return &slot;
    }
    bool add(json&& value) {
        place(std::move(value));
        return true;
    }
    bool open(json&& container) {
        if (static_cast<int>(stack_.size()) >= max_depth_)
            throw InputError(where_ + ": " + path_prefix() + "nested more than " + std::to_string(max_depth_) +
                             " levels deep (the limit), at " + position_of(text_, depth_error_byte()));
        const bool member = !stack_.empty() && stack_.back()->is_object();
        names_.push_back(member ? key_ : std::string());
        stack_.push_back(place(std::move(container)));
        return true;
    }
    bool close() {
        stack_.pop_back();
        names_.pop_back();
        return true;
    }
    // "answers.query121.value: " for messages: the object keys leading to the open container.
    std::string path_prefix() const {
        std::string path;
        for (std::size_t i = 1; i < names_.size(); ++i)
            if (!names_[i].empty()) path += (path.empty() ? "" : ".") + printable(names_[i]);
        return path.empty() ? path : path + ": ";
    }
    // The opening bracket that went too deep: the (max_depth+1)-th unclosed one.
    std::size_t depth_error_byte() const {
        int depth = 0;
        bool in_string = false;
        for (std::size_t i = 0; i < text_.size(); ++i) {
            const char c = text_[i];
            if (in_string) {
                if (c == '\\') ++i;
                else if (c == '"') in_string = false;
            } else if (c == '"') {
                in_string = true;
            } else if (c == '[' || c == '{') {
                if (++depth > max_depth_) return i;
            } else if (c == ']' || c == '}') {
                --depth;
            }
        }
        return 0;
    }

    std::string_view text_;
    const std::string& where_;
    int max_depth_;
    json root_;
    std::vector<json*> stack_;
    std::vector<std::string> names_;  // per open container: its key in the parent object, or ""
    std::string key_;
};

}  // namespace

std::string read_text_file(const std::string& path, std::size_t max_bytes) {
    const std::string where = printable_path(path);
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) throw InputError(where + ": cannot open (" + std::strerror(errno) + ")");
    if (!S_ISREG(info.st_mode)) throw InputError(where + ": not a regular file");
    if (static_cast<std::size_t>(info.st_size) > max_bytes)
        throw InputError(where + ": file is " + std::to_string(info.st_size) + " bytes, more than the limit of " +
                         std::to_string(max_bytes));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(where + ": cannot open (" + std::strerror(errno) + ")");
    std::string text;
    text.resize(static_cast<std::size_t>(info.st_size));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

nlohmann::json parse_json_text(std::string_view text, const std::string& where_raw, int max_depth) {
    const std::string where = printable_path(where_raw);
    const std::size_t nul = text.find('\0');
    // nlohmann stops at a NUL as if the text ended there: refuse it, or anything after it would
    // be silently ignored.
    if (nul != std::string_view::npos)
        throw InputError(where + ": contains a NUL byte at " + position_of(text, nul) + " (not a text file)");
    BoundedTreeBuilder builder(text, where, max_depth);
    try {
        nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
    } catch (const nlohmann::json::exception&) {
        throw InputError(where + ": invalid JSON");  // not expected: errors go to parse_error()
    }
    return builder.take();
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
    // Every row's shape first: the allocation below must not trust row 0 alone.
    for (std::size_t r = 0; r < rows; ++r) {
        const nlohmann::json& row = flat ? value : value[r];
        if (!row.is_array())
            throw InputError(what + ": row " + std::to_string(r) + " is not a list (mixing numbers and lists)");
        if (row.size() != cols)
            throw InputError(what + ": row " + std::to_string(r) + " has " + std::to_string(row.size()) +
                             " numbers, expected " + std::to_string(cols) + " like row 0");
    }
    Eigen::MatrixXd m(rows, cols);
    for (std::size_t r = 0; r < rows; ++r) {
        const nlohmann::json& row = flat ? value : value[r];
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

void write_file_atomically(const std::string& path_raw, const std::string& contents) {
    const std::string path = printable_path(path_raw);
    // rename() would replace a device node, a FIFO or an empty directory's entry with our file.
    struct stat info {};
    if (::stat(path_raw.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
        const char* kind = S_ISDIR(info.st_mode)                          ? "a directory"
                           : S_ISFIFO(info.st_mode)                       ? "a FIFO"
                           : S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode) ? "a device"
                           : S_ISSOCK(info.st_mode)                       ? "a socket"
                                                                          : "a special file";
        throw InputError(path + ": is " + kind + ", not a regular file; nothing was written");
    }
    std::string temp;
    const int fd = open_locked_temp(path_raw, temp);
    if (fd < 0) throw InputError(path + ": cannot write (" + std::strerror(errno) + ")");
    std::size_t written = 0;
    const auto fail = [&](int error) {
        ::close(fd);
        ::unlink(temp.c_str());
        throw InputError(path + ": cannot write (" + std::strerror(error) + ")");
    };
    while (written < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(errno);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) fail(errno);
    ::fchmod(fd, 0644);
    // Renamed while still open and locked: remove_stale_temp_files never sees it unlocked.
    if (::rename(temp.c_str(), path_raw.c_str()) != 0) fail(errno);
    if (::close(fd) != 0) throw InputError(path + ": cannot write (" + std::strerror(errno) + ")");
}

bool is_temp_name_of(const std::string& name, const std::string& base) {
    const std::string stem = base + ".tmp-";
    if (name.size() != stem.size() + 6 || name.compare(0, stem.size(), stem) != 0) return false;
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(stem.size()), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

int remove_stale_temp_files(const std::string& dir, const std::function<bool(const std::string&)>& is_ours) {
    DIR* folder = ::opendir(dir.c_str());
    if (!folder) return 0;
    int removed = 0;
    while (const dirent* entry = ::readdir(folder)) {
        const std::string name = entry->d_name;
        const std::size_t at = name.rfind(".tmp-");
        if (at == std::string::npos || !is_ours(name.substr(0, at)) || !is_temp_name_of(name, name.substr(0, at))) continue;
        const std::string path = dir + "/" + name;
        const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        // A writer holds the lock from creating the file to renaming it: a lock we get is a
        // writer gone. The same file must still be under that name (not renamed, not replaced).
        struct stat held {}, named {};
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::fstat(fd, &held) == 0 && S_ISREG(held.st_mode) &&
            ::lstat(path.c_str(), &named) == 0 && named.st_ino == held.st_ino && named.st_dev == held.st_dev &&
            ::unlink(path.c_str()) == 0)
            ++removed;
        ::close(fd);
    }
    ::closedir(folder);
    return removed;
}

}  // namespace attn
