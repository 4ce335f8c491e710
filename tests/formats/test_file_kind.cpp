// A file's kind is decided once, from its content (core/formats/file_kind.h). Issue 23: a valid
// safetensors file whose header length starts with 0x20, 0x0A or 0x7B was taken for a session.
#include "core/formats/file_kind.h"
#include "core/formats/tensor_file.h"
#include "core/base/json_io.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace {

const std::string kFixtures = ATTN_TEST_FIXTURES_DIR;

std::string le64(std::uint64_t n) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
    return bytes;
}

// The encoder fixture with its JSON header padded with spaces to `length` bytes (as writers pad
// to a multiple of 8): the same file to any reader.
std::string padded_encoder(std::uint64_t length) {
    const std::string bytes = attn::read_text_file(kFixtures + "/tensors/encoder.safetensors", 1 << 20);
    std::uint64_t header = 0;
    for (int i = 7; i >= 0; --i) header = (header << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    std::string json = bytes.substr(8, header);
    json.resize(length, ' ');
    return le64(length) + json + bytes.substr(8 + header);
}

std::string write_temp(const std::string& bytes, const std::string& name) {
    const std::string path = testing::TempDir() + "/" + std::to_string(::getpid()) + "-" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
}

TEST(FileKind, SafetensorsOfEveryHeaderLengthModulo256) {
    for (std::uint64_t length = 2; length < 2 + 512; ++length) {
        std::string header = "{" + std::string(length - 2, ' ') + "}";
        const std::string bytes = le64(length) + header + std::string(24, '\x01');
        EXPECT_EQ(attn::file_kind_of(bytes, bytes.size()), attn::FileKind::Safetensors) << "header length " << length;
    }
}

TEST(FileKind, PaddedHeadersThatLookLikeTextAreStillCaptures) {
    // 0x20 (space), 0x0A (newline) and 0x7B ('{') as the first byte: the old sniff said "session".
    for (std::uint64_t length : {0x220u, 0x20Au, 0x17Bu, 0x209u, 0x20Du}) {
        const std::string path = write_temp(padded_encoder(length), "padded.safetensors");
        EXPECT_EQ(attn::detect_file_kind(path), attn::FileKind::Safetensors) << length;
        const attn::AttentionCapture capture = attn::load_attention_file(path);
        EXPECT_EQ(capture.tokens, 8) << length;
        std::remove(path.c_str());
    }
}

TEST(FileKind, TextJsonAndArchives) {
    using attn::FileKind;
    const auto kind = [](const std::string& bytes) { return attn::file_kind_of(bytes, bytes.size()); };
    EXPECT_EQ(kind(""), FileKind::Empty);
    EXPECT_EQ(kind("{\"format\": \"attnlab-session\"}"), FileKind::Json);
    EXPECT_EQ(kind("\xEF\xBB\xBF  \n{}"), FileKind::Json);
    EXPECT_EQ(kind("[1, 2]"), FileKind::Json);
    // '{' at byte 8 as in a safetensors file, but the "length" is text: JSON.
    EXPECT_EQ(kind("{\"abc\": {\"c\": 1}}"), FileKind::Json);
    EXPECT_EQ(kind("query121 = torch.tensor([1., 2, 3])\n"), FileKind::Text);
    EXPECT_EQ(kind(std::string("PK\x03\x04", 4) + "rest"), FileKind::Npz);
    EXPECT_EQ(kind(std::string("PK\x05\x06", 4) + std::string(18, '\0')), FileKind::Npz);
    EXPECT_EQ(kind("\x93NUMPY\x01\x00"), FileKind::Npy);
    EXPECT_EQ(kind(std::string("ab\0cd", 5)), FileKind::Binary);
    // A header length past the end of the file is not safetensors, whatever byte 8 is.
    EXPECT_EQ(kind(le64(1000) + "{}"), FileKind::Binary);
    EXPECT_EQ(kind(le64(1) + "{"), FileKind::Binary);
    EXPECT_EQ(attn::detect_file_kind(kFixtures + "/tensors/encoder.npz"), FileKind::Npz);
    EXPECT_EQ(attn::detect_file_kind(kFixtures + "/tensors/encoder.safetensors"), FileKind::Safetensors);
    EXPECT_EQ(attn::detect_file_kind(kFixtures + "/tensors"), FileKind::Unreadable);
    EXPECT_EQ(attn::detect_file_kind(kFixtures + "/no such file"), FileKind::Unreadable);
}

}  // namespace
