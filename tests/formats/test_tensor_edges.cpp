// Issue 26: captured-attention files past the common case. Fixtures in tests/fixtures/tensors/edges/
// (tests/tools/make_tensor_edge_fixtures.py, checked there by Python's zipfile, numpy.load and
// torch): zip64 central directories with any subset of the sizes and offset in the extra field,
// the zip64 end record, .npy headers of every length modulo 64 and of versions 2 and 3, float16 and
// bfloat16 subnormals, extremes and -0 (inf, NaN and values past the limit refused naming the
// number), safetensors headers of every length modulo 8 and zero-byte tensors. Then every capture
// limit of core/base/limits.h at its boundary: the value AT the limit is read, one past is refused.
#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/formats/tensor_file.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

const std::string kEdges = std::string(ATTN_TEST_FIXTURES_DIR) + "/tensors/edges/";

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string hex_bits(float x) {
    std::uint32_t b;
    std::memcpy(&b, &x, 4);
    char text[9];
    std::snprintf(text, sizeof text, "%08x", b);
    return text;
}

std::vector<std::string> hex_all(const std::vector<float>& values) {
    std::vector<std::string> out;
    for (float x : values) out.push_back(hex_bits(x));
    return out;
}

using attn::test::contains;
const auto message_of = attn::test::input_error_of;

const nlohmann::json& manifest() {
    static const nlohmann::json m = nlohmann::json::parse(read_bytes(kEdges + "expected.json"));
    return m;
}

}  // namespace

// ---- the fixtures --------------------------------------------------------------------------------

TEST(TensorEdges, EveryFixtureReadsBackTheNumbersNumpyAndTorchWrote) {
    const auto& read = manifest().at("read");
    ASSERT_GE(read.size(), 45u);
    int zip64 = 0, padded = 0;
    for (const auto& [name, want] : read.items()) {
        SCOPED_TRACE(name);
        attn::AttentionCapture c;
        const std::string m = message_of([&] { c = attn::load_attention_file(kEdges + name); });
        ASSERT_EQ(m, "(accepted)");
        EXPECT_EQ(c.layers, 1);
        EXPECT_EQ(c.heads, 1);
        EXPECT_EQ(c.tokens, want.at("shape_q")[0].get<int>());
        EXPECT_EQ(c.d, want.at("shape_q")[1].get<int>());
        EXPECT_EQ(c.dv, want.at("shape_v")[1].get<int>());
        EXPECT_EQ(hex_all(c.q), want.at("q").get<std::vector<std::string>>());
        EXPECT_EQ(hex_all(c.k), want.at("k").get<std::vector<std::string>>());
        EXPECT_EQ(hex_all(c.v), want.at("v").get<std::vector<std::string>>());
        zip64 += name.rfind("zip64_", 0) == 0;
        padded += name.rfind("npy_pad_", 0) == 0;
    }
    EXPECT_EQ(zip64, 12);  // 7 subsets of {size, csize, offset}, the end record, after another extra, 3 deflated
    EXPECT_EQ(padded, 22);  // 66 header lengths: every residue modulo 64
}

TEST(TensorEdges, Float16AndBFloat16ExtremesKeepTheirExactValue) {
    // The values themselves, not only their bits against the manifest: -0 stays negative, the
    // smallest subnormals are not flushed to zero.
    const attn::AttentionCapture half = attn::load_attention_file(kEdges + "f16_edges.npz");
    EXPECT_EQ(half.dtype, "float16");
    EXPECT_EQ(half.q[0], std::ldexp(1.0f, -24));
    EXPECT_EQ(half.q[1], std::ldexp(1023.0f, -24));
    EXPECT_EQ(half.q[3], 65504.0f);
    EXPECT_TRUE(half.q[4] == 0.0f && std::signbit(half.q[4]));
    EXPECT_EQ(half.q[7], -std::ldexp(1.0f, -24));
    const attn::AttentionCapture brain = attn::load_attention_file(kEdges + "bf16_edges.safetensors");
    EXPECT_EQ(brain.dtype, "bfloat16");
    EXPECT_EQ(brain.q[0], std::ldexp(1.0f, -133));
    EXPECT_EQ(brain.q[2], std::ldexp(1.0f, -126));
    EXPECT_EQ(brain.q[3], 999424.0f);  // the largest bfloat16 inside ±1e6
    EXPECT_TRUE(brain.q[4] == 0.0f && std::signbit(brain.q[4]));
}

TEST(TensorEdges, InfNanAndValuesPastTheLimitAreRefusedNamingTheNumber) {
    const auto& refused = manifest().at("refused");
    ASSERT_EQ(refused.size(), 10u);
    for (const auto& [name, phrase] : refused.items()) {
        const std::string m = message_of([&] { attn::load_attention_file(kEdges + name); });
        EXPECT_TRUE(contains(m, phrase.get<std::string>())) << name << ": " << m;
        EXPECT_TRUE(contains(m, name)) << m;
    }
}

// ---- the capture limits at their boundaries ------------------------------------------------------

namespace {

std::string shape_json(const std::vector<unsigned long long>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

unsigned long long count_of(const std::vector<unsigned long long>& shape) {
    unsigned long long n = 1;
    for (auto x : shape) n *= x;
    return n;
}

// A safetensors file of float16 zeros: q and k of `shape`, v of shape_v, the given __metadata__
// object text, `extra` more header entries (zero-byte tensors), the header padded with spaces
// to `header_bytes` when that is given.
std::string safetensors_of(const std::vector<unsigned long long>& shape, const std::vector<unsigned long long>& shape_v,
                           const std::string& metadata = "{}", int extra = 0, std::size_t header_bytes = 0) {
    const unsigned long long n = 2 * count_of(shape), nv = 2 * count_of(shape_v);
    std::string header = R"({"__metadata__":)" + metadata + R"(,"q":{"dtype":"F16","shape":)" + shape_json(shape) +
                         R"(,"data_offsets":[0,)" + std::to_string(n) + R"(]},"k":{"dtype":"F16","shape":)" +
                         shape_json(shape) + R"(,"data_offsets":[)" + std::to_string(n) + "," + std::to_string(2 * n) +
                         R"(]},"v":{"dtype":"F16","shape":)" + shape_json(shape_v) + R"(,"data_offsets":[)" +
                         std::to_string(2 * n) + "," + std::to_string(2 * n + nv) + "]}";
    for (int i = 0; i < extra; ++i) header += R"(,"e)" + std::to_string(i) + R"(":{"dtype":"F16","shape":[0],"data_offsets":[0,0]})";
    header += "}";
    if (header_bytes > header.size()) header.append(header_bytes - header.size(), ' ');
    std::string out(8, '\0');
    const unsigned long long length = header.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
    return out + header + std::string(static_cast<std::size_t>(2 * n + nv), '\0');
}

std::string parse_message(const std::string& bytes) {
    return message_of([&] { attn::parse_attention_bytes(bytes, "edge.safetensors"); });
}

std::string tokens_metadata(int count, std::size_t bytes_of_first) {
    std::string list = "[";
    for (int i = 0; i < count; ++i) list += (i ? ",\\\"t" : "\\\"" + std::string(bytes_of_first - 1, 'a') + "t") + std::string("\\\"");
    return R"({"tokens":")" + list + R"(]"})";
}

struct Boundary {
    const char* what;
    std::string at_limit, past_limit;  // file bytes
    std::string phrase;                // the refusal of past_limit says this
};

}  // namespace

TEST(TensorLimits, EveryShapeLimitAcceptsItsValueAndRefusesOneMore) {
    const auto L = static_cast<unsigned long long>(attn::kMaxCaptureLayers);
    const auto H = static_cast<unsigned long long>(attn::kMaxCaptureHeads);
    const auto T = static_cast<unsigned long long>(attn::kMaxCaptureTokens);
    const auto D = static_cast<unsigned long long>(attn::kMaxCaptureDim);
    const std::vector<Boundary> table{
        {"layers", safetensors_of({L, 1, 1, 1}, {L, 1, 1, 1}), safetensors_of({L + 1, 1, 1, 1}, {L + 1, 1, 1, 1}),
         "has 257 layers, more than the limit of 256"},
        {"heads", safetensors_of({1, H, 1, 1}, {1, H, 1, 1}), safetensors_of({1, H + 1, 1, 1}, {1, H + 1, 1, 1}),
         "has 257 heads, more than the limit of 256"},
        {"layers x heads", safetensors_of({32, 32, 1, 1}, {32, 32, 1, 1}), safetensors_of({41, 25, 1, 1}, {41, 25, 1, 1}),
         "41 layers × 25 heads, more than the limit of 1024 heads in all"},
        {"tokens", safetensors_of({T, 1}, {T, 1}), safetensors_of({T + 1, 1}, {T + 1, 1}),
         "has 1025 tokens, more than the limit of 1024"},
        {"d", safetensors_of({1, D}, {1, 1}), safetensors_of({1, D + 1}, {1, 1}),
         "tensor 'q' has 129 components (d), more than the limit of 128"},
        {"dv", safetensors_of({1, 1}, {1, D}), safetensors_of({1, 1}, {1, D + 1}),
         "tensor 'v' has 129 components (d), more than the limit of 128"},
        {"token bytes", safetensors_of({2, 1}, {2, 1}, tokens_metadata(2, attn::kMaxTokenBytes)),
         safetensors_of({2, 1}, {2, 1}, tokens_metadata(2, attn::kMaxTokenBytes + 1)),
         "token 0 is 129 bytes, more than the limit of 128"},
        {"token count", safetensors_of({T, 1}, {T, 1}, tokens_metadata(attn::kMaxCaptureTokens, 1)),
         safetensors_of({T, 1}, {T, 1}, tokens_metadata(attn::kMaxCaptureTokens + 1, 1)),
         "metadata 'tokens' lists 1025 tokens, more than the limit of 1024"},
        // __metadata__, q, k, v and the zero-byte extras: kMaxCaptureEntries header entries in all.
        {"header entries", safetensors_of({1, 1}, {1, 1}, "{}", attn::kMaxCaptureEntries - 4),
         safetensors_of({1, 1}, {1, 1}, "{}", attn::kMaxCaptureEntries - 3), "lists 4097 tensors, more than the limit of 4096"},
        {"header bytes", safetensors_of({1, 1}, {1, 1}, "{}", 0, attn::kMaxCaptureHeaderBytes),
         safetensors_of({1, 1}, {1, 1}, "{}", 0, attn::kMaxCaptureHeaderBytes + 1),
         "safetensors header is 4194305 bytes, more than the limit of 4194304"},
        {"scale low", safetensors_of({1, 1}, {1, 1}, R"({"scale":"0.001"})"),
         safetensors_of({1, 1}, {1, 1}, R"({"scale":"0.000999"})"), "metadata 'scale' 0.000999 is outside 0.001 to 1000"},
        {"scale high", safetensors_of({1, 1}, {1, 1}, R"({"scale":"1000"})"),
         safetensors_of({1, 1}, {1, 1}, R"({"scale":"1000.001"})"), "metadata 'scale' 1000 is outside 0.001 to 1000"},
    };
    for (const Boundary& b : table) {
        SCOPED_TRACE(b.what);
        EXPECT_EQ(parse_message(b.at_limit), "(accepted)");
        const std::string m = parse_message(b.past_limit);
        EXPECT_TRUE(contains(m, b.phrase)) << m;
    }
}

TEST(TensorLimits, MagnitudeLimitIsInclusiveInEveryDtype) {
    // float64 entries: exactly ±1e6 is read, the next double past it is refused.
    const auto f64_file = [](double x) {
        const std::string header = R"({"q":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]},"k":{"dtype":"F64","shape":[1,1],"data_offsets":[8,16]},"v":{"dtype":"F64","shape":[1,1],"data_offsets":[16,24]}})";
        std::string out(8, '\0');
        out[0] = static_cast<char>(header.size());
        out += header;
        for (int i = 0; i < 3; ++i) out.append(reinterpret_cast<const char*>(&x), 8);
        return out;
    };
    EXPECT_EQ(parse_message(f64_file(attn::kMaxMagnitude)), "(accepted)");
    EXPECT_EQ(parse_message(f64_file(-attn::kMaxMagnitude)), "(accepted)");
    EXPECT_TRUE(contains(parse_message(f64_file(std::nextafter(attn::kMaxMagnitude, 2e6))), "is outside ±1e6"));
    EXPECT_TRUE(contains(parse_message(f64_file(-std::nextafter(attn::kMaxMagnitude, 2e6))), "is outside ±1e6"));
    EXPECT_TRUE(contains(parse_message(f64_file(INFINITY)), "is not finite"));
}

TEST(TensorLimits, SafetensorsHeaderLengthMayReachTheEndOfTheFileButNotPastIt) {
    // A header that fills the file exactly is read (and then lacks q); one byte longer runs past.
    const std::string header = "{}";
    std::string exact(8, '\0');
    exact[0] = 2;
    exact += header;
    EXPECT_TRUE(contains(parse_message(exact), "no tensor 'q'")) << parse_message(exact);
    std::string past = exact;
    past[0] = 3;
    EXPECT_TRUE(contains(parse_message(past), "header length 3 runs past the end of the file (10 bytes)"));
}

TEST(TensorLimits, NpzEntryCountAtTheLimitIsReadOnePastIsRefused) {
    // An end record alone: the count is checked before the (missing) directory is read.
    const auto end_record = [](unsigned count) {
        std::string e("PK\x05\x06", 4);
        e += std::string(4, '\0');
        e += static_cast<char>(count & 0xFF);
        e += static_cast<char>(count >> 8);
        e += static_cast<char>(count & 0xFF);
        e += static_cast<char>(count >> 8);
        e += std::string(10, '\0');
        return e;
    };
    const auto npz_message = [](const std::string& bytes) {
        return message_of([&] { attn::parse_attention_bytes(bytes, "edge.npz"); });
    };
    const std::string at = npz_message(end_record(attn::kMaxCaptureEntries));
    EXPECT_TRUE(contains(at, "central directory entry 0 is missing")) << at;
    EXPECT_TRUE(contains(npz_message(end_record(attn::kMaxCaptureEntries + 1)), "lists 4097 entries, more than the limit of 4096"));
}

TEST(TensorLimits, FileSizeAtTheLimitIsOpenedOnePastIsRefused) {
    // Sparse files: no disk is used. At the limit the file is read (and refused for its content).
    char pattern[] = "/tmp/attnlab-edge-size.XXXXXX";
    const int fd = ::mkstemp(pattern);
    ASSERT_GE(fd, 0);
    const std::string path = pattern;
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(attn::kMaxCaptureFileBytes)), 0);
    const std::string at = message_of([&] { attn::load_attention_file(path); });
    EXPECT_TRUE(contains(at, "not a safetensors or .npz file")) << at;
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(attn::kMaxCaptureFileBytes + 1)), 0);
    const std::string past = message_of([&] { attn::load_attention_file(path); });
    EXPECT_TRUE(contains(past, "file is 1073741825 bytes, more than the limit of 1073741824")) << past;
    ::close(fd);
    std::remove(path.c_str());
}
