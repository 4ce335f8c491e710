#include "core/formats/file_kind.h"

#include <cstdio>
#include <cstring>
#include <sys/stat.h>

namespace attn {

namespace {

bool is_safetensors(std::string_view head, std::uint64_t size) {
    if (head.size() < 9 || head[8] != '{') return false;
    std::uint64_t header = 0;
    for (int i = 7; i >= 0; --i) header = (header << 8) | static_cast<unsigned char>(head[static_cast<std::size_t>(i)]);
    return header >= 2 && header <= size - 8;
}

bool is_json_start(std::string_view head) {
    if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
    const std::size_t first = head.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && (head[first] == '{' || head[first] == '[');
}

}  // namespace

FileKind file_kind_of(std::string_view head, std::uint64_t size) {
    head = head.substr(0, kFileKindHeadBytes);
    if (size == 0) return FileKind::Empty;
    if (head.substr(0, 4) == std::string_view("PK\x03\x04", 4) || head.substr(0, 4) == std::string_view("PK\x05\x06", 4))
        return FileKind::Npz;
    if (head.substr(0, 6) == "\x93NUMPY") return FileKind::Npy;
    if (is_safetensors(head, size)) return FileKind::Safetensors;
    if (head.find('\0') != std::string_view::npos) return FileKind::Binary;
    return is_json_start(head) ? FileKind::Json : FileKind::Text;
}

FileKind detect_file_kind(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return FileKind::Unreadable;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return FileKind::Unreadable;
    char head[kFileKindHeadBytes];
    const std::size_t got = std::fread(head, 1, sizeof head, file);
    std::fclose(file);
    return file_kind_of(std::string_view(head, got), static_cast<std::uint64_t>(info.st_size));
}

bool is_capture_kind(FileKind kind) {
    return kind == FileKind::Safetensors || kind == FileKind::Npz || kind == FileKind::Npy;
}

}  // namespace attn
