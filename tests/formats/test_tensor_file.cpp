// core/tensor_file: captured attention read back exactly as torch wrote it, torch's own attention
// weights reproduced from it, exact float16/bfloat16 conversion, and every malformed file of
// tests/fixtures/tensors/bad/ refused with a message naming what is wrong. Fixtures:
// tests/tools/make_tensor_fixtures.py (torch is needed only to remake them).
#include "core/math/attention.h"
#include "core/base/error.h"
#include "core/formats/tensor_file.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

const std::string kDir = std::string(ATTN_TEST_FIXTURES_DIR) + "/tensors/";

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

nlohmann::json expected() { return nlohmann::json::parse(read_bytes(kDir + "expected.json")); }

std::uint32_t bits_of(float x) {
    std::uint32_t b;
    std::memcpy(&b, &x, 4);
    return b;
}

float from_hex(const std::string& hex) {
    const auto b = static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16));
    float x;
    std::memcpy(&x, &b, 4);
    return x;
}

// Distance in float32 units in the last place (same-sign finite values).
long ulps(float a, float b) {
    const auto key = [](float x) {
        const auto raw = static_cast<std::int64_t>(bits_of(x));
        return raw & 0x80000000 ? -(raw & 0x7FFFFFFF) : raw;
    };
    return static_cast<long>(std::llabs(key(a) - key(b)));
}

std::string error_of(const std::string& path) {
    try {
        attn::load_attention_file(path);
    } catch (const attn::InputError& e) {
        return e.what();
    }
    return "(accepted)";
}

// ---- conversions -------------------------------------------------------------------------------

TEST(TensorFileConvert, Float16KnownBitPatterns) {
    EXPECT_EQ(attn::float16_to_float(0x3C00), 1.0f);
    EXPECT_EQ(attn::float16_to_float(0xC000), -2.0f);
    EXPECT_EQ(attn::float16_to_float(0x7BFF), 65504.0f);                  // largest half
    EXPECT_EQ(attn::float16_to_float(0x3555), 0.333251953125f);          // nearest half to 1/3
    EXPECT_EQ(attn::float16_to_float(0x0400), std::ldexp(1.0f, -14));    // smallest normal
    EXPECT_EQ(attn::float16_to_float(0x0001), std::ldexp(1.0f, -24));    // smallest subnormal
    EXPECT_EQ(attn::float16_to_float(0x03FF), std::ldexp(1023.0f, -24)); // largest subnormal
    EXPECT_EQ(bits_of(attn::float16_to_float(0x8000)), 0x80000000u);     // -0
    EXPECT_EQ(attn::float16_to_float(0x7C00), INFINITY);
    EXPECT_EQ(attn::float16_to_float(0xFC00), -INFINITY);
    EXPECT_TRUE(std::isnan(attn::float16_to_float(0x7E00)));
    EXPECT_TRUE(std::isnan(attn::float16_to_float(0x7C01)));  // signalling half → NaN
}

TEST(TensorFileConvert, Float16EveryPatternMatchesItsFields) {
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const int exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
        const float sign = h & 0x8000 ? -1.0f : 1.0f;
        const float got = attn::float16_to_float(static_cast<std::uint16_t>(h));
        if (exponent == 31) {
            EXPECT_EQ(std::isnan(got), mantissa != 0) << h;
            continue;
        }
        const float want = exponent == 0 ? sign * std::ldexp(static_cast<float>(mantissa), -24)
                                         : sign * std::ldexp(1.0f + mantissa / 1024.0f, exponent - 15);
        ASSERT_EQ(bits_of(got), bits_of(want)) << "half 0x" << std::hex << h;
    }
}

TEST(TensorFileConvert, BFloat16KnownBitPatterns) {
    EXPECT_EQ(attn::bfloat16_to_float(0x3F80), 1.0f);
    EXPECT_EQ(attn::bfloat16_to_float(0xC049), -3.140625f);
    EXPECT_EQ(attn::bfloat16_to_float(0x7F7F), from_hex("7f7f0000"));  // largest bfloat16
    EXPECT_EQ(attn::bfloat16_to_float(0x0001), std::ldexp(1.0f, -133));
    EXPECT_EQ(attn::bfloat16_to_float(0xFF80), -INFINITY);
    EXPECT_TRUE(std::isnan(attn::bfloat16_to_float(0x7FC0)));
    EXPECT_TRUE(std::isnan(attn::bfloat16_to_float(0x7F81)));
    for (std::uint32_t b = 0; b < 0x10000; ++b) {
        if (((b >> 7) & 0xFF) == 0xFF) continue;  // inf and NaN: above
        ASSERT_EQ(bits_of(attn::bfloat16_to_float(static_cast<std::uint16_t>(b))), b << 16);
    }
}

// ---- the torch fixture ---------------------------------------------------------------------------

TEST(TensorFileTorch, SafetensorsHoldsWhatTorchCaptured) {
    const auto want = expected();
    const attn::AttentionCapture c = attn::load_attention_file(kDir + "encoder.safetensors");
    EXPECT_EQ(c.container, "safetensors");
    EXPECT_EQ(c.dtype, "float32");
    EXPECT_EQ(c.layers, 2);
    EXPECT_EQ(c.heads, 2);
    EXPECT_EQ(c.tokens, 8);
    EXPECT_EQ(c.d, 8);
    EXPECT_EQ(c.dv, 8);
    EXPECT_EQ(c.token_labels, want["tokens"].get<std::vector<std::string>>());
    EXPECT_FALSE(c.causal);
    EXPECT_EQ(c.scale_mode, attn::ScaleMode::InvSqrtD);
    EXPECT_DOUBLE_EQ(c.scale, 1 / std::sqrt(8.0));
    const auto q = c.query(0, 0);
    const auto& q_bits = want["q_bits"]["float32"];
    ASSERT_EQ(q_bits.size(), 64u);
    for (int i = 0; i < 64; ++i) EXPECT_EQ(q(i / 8, i % 8), from_hex(q_bits[i])) << i;
}

// The loader + core attention give torch's MultiheadAttention weights, every layer and head.
TEST(TensorFileTorch, AttentionReproducesTorchWeights) {
    const auto want = expected();
    for (const char* file : {"encoder.safetensors", "encoder.npz", "encoder_deflated.npz"}) {
        const attn::AttentionCapture c = attn::load_attention_file(kDir + file);
        long worst = 0;
        for (int l = 0; l < c.layers; ++l) {
            for (int h = 0; h < c.heads; ++h) {
                const auto result = attn::attention_f32(c.query(l, h).cast<double>(), c.key(l, h).cast<double>(),
                                                        c.value(l, h).cast<double>(), attn::capture_attention_options(c));
                const auto& w = want["weights"][l][h];
                for (int i = 0; i < 64; ++i) worst = std::max(worst, ulps(result.weights(i / 8, i % 8), from_hex(w[i])));
            }
        }
        EXPECT_LE(worst, 8) << file << ": worst weight differs from torch's by " << worst << " float32 ulps";
        RecordProperty(std::string("worst_ulps_") + file, std::to_string(worst));
    }
}

TEST(TensorFileTorch, NpzFormsEqualTheSafetensors) {
    const attn::AttentionCapture a = attn::load_attention_file(kDir + "encoder.safetensors");
    for (const char* file : {"encoder.npz", "encoder_deflated.npz"}) {
        const attn::AttentionCapture b = attn::load_attention_file(kDir + file);
        EXPECT_EQ(b.container, "npz");
        EXPECT_EQ(a.q, b.q) << file;
        EXPECT_EQ(a.k, b.k) << file;
        EXPECT_EQ(a.v, b.v) << file;
        EXPECT_EQ(a.token_labels, b.token_labels) << file;
        EXPECT_EQ(a.causal, b.causal) << file;
        EXPECT_EQ(a.scale_mode, b.scale_mode) << file;
    }
}

TEST(TensorFileTorch, HalfAndBFloatMatchTorchsConversion) {
    const auto want = expected();
    for (const auto& [file, dtype] : {std::pair<const char*, const char*>{"encoder_f16.safetensors", "float16"},
                                      {"encoder_bf16.safetensors", "bfloat16"},
                                      {"encoder_bf16.npz", "bfloat16"}}) {
        const attn::AttentionCapture c = attn::load_attention_file(kDir + file);
        EXPECT_EQ(c.dtype, dtype) << file;
        const auto q = c.query(0, 0);
        const auto& q_bits = want["q_bits"][dtype];
        for (int i = 0; i < 64; ++i) ASSERT_EQ(bits_of(q(i / 8, i % 8)), bits_of(from_hex(q_bits[i]))) << file << " " << i;
    }
}

TEST(TensorFileTorch, SingleHeadLayoutAndMetadata) {
    const attn::AttentionCapture all = attn::load_attention_file(kDir + "encoder.safetensors");
    const attn::AttentionCapture one = attn::load_attention_file(kDir + "single_head.safetensors");
    EXPECT_EQ(one.layers, 1);
    EXPECT_EQ(one.heads, 1);
    EXPECT_TRUE(one.causal);
    EXPECT_EQ(one.scale_mode, attn::ScaleMode::One);
    EXPECT_EQ(one.scale, 1.0);
    EXPECT_EQ(Eigen::MatrixXf(one.query(0, 0)), Eigen::MatrixXf(all.query(1, 0)));
    EXPECT_EQ(Eigen::MatrixXf(one.value(0, 0)), Eigen::MatrixXf(all.value(1, 0)));
    const auto result = attn::attention_f32(one.query(0, 0).cast<double>(), one.key(0, 0).cast<double>(),
                                            one.value(0, 0).cast<double>(), attn::capture_attention_options(one));
    EXPECT_EQ(result.weights(0, 1), 0.0f);  // causal: token 0 sees only itself
    EXPECT_EQ(result.weights(0, 0), 1.0f);
}

TEST(TensorFileTorch, Gpt2StyleCaptureIsCausal) {
    const attn::AttentionCapture c = attn::load_attention_file(kDir + "gpt2_style.npz");
    EXPECT_TRUE(c.causal);
    EXPECT_EQ(c.layers, 2);
    EXPECT_EQ(c.token_labels.front(), "the");
}

// ---- hand-built files ----------------------------------------------------------------------------

// A safetensors file of q, k, v [tokens, d] in float64 with the given metadata object.
std::string f64_safetensors(const std::vector<double>& q, int tokens, int d, const std::string& metadata) {
    const std::size_t n = static_cast<std::size_t>(tokens) * d * 8;
    std::string header = "{\"__metadata__\":" + metadata;
    const char* names[3] = {"q", "k", "v"};
    for (int i = 0; i < 3; ++i)
        header += std::string(",\"") + names[i] + "\":{\"dtype\":\"F64\",\"shape\":[" + std::to_string(tokens) + "," +
                  std::to_string(d) + "],\"data_offsets\":[" + std::to_string(i * n) + "," + std::to_string((i + 1) * n) + "]}";
    header += "}";
    std::string out(8, '\0');
    const std::uint64_t length = header.size();
    std::memcpy(out.data(), &length, 8);
    out += header;
    for (int i = 0; i < 3; ++i) out.append(reinterpret_cast<const char*>(q.data()), n);
    return out;
}

TEST(TensorFileBuilt, Float64IsRoundedToFloat32AndMetadataDefaults) {
    const attn::AttentionCapture c =
        attn::parse_attention_bytes(f64_safetensors({0.1, -2.5, 3.0, 1e-3}, 2, 2, "{}"), "f64.safetensors");
    EXPECT_EQ(c.dtype, "float64");
    EXPECT_EQ(c.query(0, 0)(0, 0), 0.1f);
    EXPECT_EQ(c.key(0, 0)(1, 1), 1e-3f);
    EXPECT_EQ(c.token_labels, (std::vector<std::string>{"#0", "#1"}));  // no tokens: numbered labels
    EXPECT_FALSE(c.causal);
    EXPECT_EQ(c.scale_mode, attn::ScaleMode::InvSqrtD);
}

TEST(TensorFileBuilt, NumericScaleBecomesATemperature) {
    const attn::AttentionCapture c = attn::parse_attention_bytes(
        f64_safetensors({1, 0, 0, 1}, 2, 2, R"({"scale":"0.125","causal":"true","tokens":"[\"a\",\"b\"]"})"), "s.safetensors");
    EXPECT_EQ(c.scale_mode, attn::ScaleMode::Temperature);
    EXPECT_EQ(c.scale, 0.125);
    EXPECT_TRUE(c.causal);
    const attn::AttentionOptions options = attn::capture_attention_options(c);
    EXPECT_DOUBLE_EQ(attn::attention_scale(options, c.d), 0.125);
}

TEST(TensorFileBuilt, NumbersPastTheLimitAreNamed) {
    const auto message = [](const std::string& bytes) {
        try {
            attn::parse_attention_bytes(bytes, "big.safetensors");
        } catch (const attn::InputError& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    EXPECT_NE(message(f64_safetensors({1, 2, 3, 1e300}, 2, 2, "{}")).find("token 1, component 1 is outside ±1e6"),
              std::string::npos);
    EXPECT_NE(message(f64_safetensors({1, 2, 3, 2e6}, 2, 2, "{}")).find("is outside ±1e6"), std::string::npos);
    EXPECT_NE(message(f64_safetensors({1, 2, NAN, 4}, 2, 2, "{}")).find("token 1, component 0 is not finite"),
              std::string::npos);
    EXPECT_NE(message(f64_safetensors({1, 2, 3, 4}, 2, 2, R"({"scale":"5000"})")).find("metadata 'scale' 5000 is outside"),
              std::string::npos);
    EXPECT_NE(message(f64_safetensors({1, 2, 3, 4}, 2, 2, R"({"causal":"maybe"})")).find("expected true or false"),
              std::string::npos);
}

// ---- malformed files -----------------------------------------------------------------------------

TEST(TensorFileBad, EveryMalformedFileIsRefusedSayingWhy) {
    const auto manifest = nlohmann::json::parse(read_bytes(kDir + "bad/expected.json"));
    ASSERT_GE(manifest.size(), 30u);
    for (const auto& [name, phrase] : manifest.items()) {
        const std::string path = kDir + "bad/" + name;
        const std::string message = error_of(path);
        EXPECT_NE(message.find(phrase.get<std::string>()), std::string::npos)
            << name << ": got \"" << message << "\", want it to say \"" << phrase.get<std::string>() << "\"";
        EXPECT_TRUE(attn::message_is_clean(message)) << message;
        EXPECT_NE(message.find(name), std::string::npos) << "the message names the file: " << message;
    }
}

TEST(TensorFileBad, SpecialFiles) {
    EXPECT_NE(error_of(kDir).find("not a regular file"), std::string::npos);
    EXPECT_NE(error_of(kDir + "no-such-file.safetensors").find("cannot open"), std::string::npos);
    EXPECT_NE(error_of("/dev/null").find("not a regular file"), std::string::npos);
}

// Every truncation and every single-byte change of a good file is read or refused, never crashes.
TEST(TensorFileBad, EveryPrefixAndByteFlipIsHandled) {
    for (const char* file : {"encoder.safetensors", "encoder_deflated.npz", "encoder_bf16.npz"}) {
        const std::string bytes = read_bytes(kDir + file);
        int refused = 0;
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            try {
                attn::parse_attention_bytes(std::string_view(bytes).substr(0, n), file);
            } catch (const attn::InputError& e) {
                ++refused;
                ASSERT_TRUE(attn::message_is_clean(e.what())) << e.what();
            }
        }
        EXPECT_EQ(refused, static_cast<int>(bytes.size())) << file << ": every proper prefix is refused";
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            std::string changed = bytes;
            changed[i] = static_cast<char>(changed[i] ^ 0x5A);
            try {
                attn::parse_attention_bytes(changed, file);
            } catch (const attn::InputError& e) {
                ASSERT_TRUE(attn::message_is_clean(e.what())) << e.what();
            }
        }
    }
}

}  // namespace
