// attnlab core: what kind of file a file is, decided once, from its first bytes. Every entry point
// (the window's File menu, `attnlab FILE`, --open, `tensors info`, the capture loader) asks here, so
// a file is never a capture to one of them and a session to another.
//
// Calling rules
// - file_kind_of(head, size) looks at the first min(size, kFileKindHeadBytes) bytes and the total
//   size; it never fails. detect_file_kind(path) reads them from a regular file; anything that is
//   not one (missing, a folder, a FIFO) is FileKind::Unreadable, for the loader to explain.
// - safetensors: a little-endian u64 header length N with 2 <= N <= size - 8, then '{' at byte 8.
//   Writers pad the header to a multiple of 8, so the first byte may be anything, '{', ' ' and
//   '\n' included: the length is what tells it from a JSON file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace attn {

enum class FileKind {
    Unreadable,   // not a regular file we can open
    Empty,        // 0 bytes
    Safetensors,  // header length, then a JSON header
    Npz,          // a zip archive (numpy.savez)
    Npy,          // a lone numpy array (the loader says what to write instead)
    Json,         // text whose first non-space character (after a UTF-8 BOM) is '{' or '['
    Text,         // any other text without NUL bytes in its head (a .py hand-in)
    Binary,       // anything else
};

inline constexpr std::size_t kFileKindHeadBytes = 16;

FileKind file_kind_of(std::string_view head, std::uint64_t size);
FileKind detect_file_kind(const std::string& path);

// Safetensors, .npz and .npy: the files the capture loader (tensor_file.h) reads.
bool is_capture_kind(FileKind kind);

}  // namespace attn
