// TorchGenerator and make_torch_dataset against real PyTorch's numbers, bit for bit
// (tests/fixtures/torch_random.json, made by make_torch_random_fixtures.py with Debian's
// python3-torch 1.13), plus the notebook's data and the input limits.
#include "core/math/dataset.h"
#include "core/base/error.h"
#include "core/math/torch_random.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

uint32_t bits_of(float x) {
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

const nlohmann::json& fixture() {
    static const nlohmann::json doc = [] {
        const std::string path = std::string(ATTN_TEST_FIXTURES_DIR) + "/torch_random.json";
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot open " + path);
        return nlohmann::json::parse(in);
    }();
    return doc;
}

// Compares every element's bits with the fixture's hex; returns how many were compared.
int expect_bits(const Eigen::MatrixXf& got, const nlohmann::json& want, const std::string& what) {
    const auto& hex = want.at("hex");
    EXPECT_EQ(got.rows(), static_cast<Eigen::Index>(hex.size())) << what;
    if (got.rows() != static_cast<Eigen::Index>(hex.size())) return 0;
    int compared = 0, mismatches = 0;
    for (Eigen::Index r = 0; r < got.rows(); ++r) {
        const auto& row = hex[static_cast<size_t>(r)];
        EXPECT_EQ(got.cols(), static_cast<Eigen::Index>(row.size())) << what << " row " << r;
        if (got.cols() != static_cast<Eigen::Index>(row.size())) return compared;
        for (Eigen::Index c = 0; c < got.cols(); ++c, ++compared) {
            const uint32_t expected = static_cast<uint32_t>(std::stoul(row[static_cast<size_t>(c)].get<std::string>(), nullptr, 16));
            if (bits_of(got(r, c)) != expected && ++mismatches <= 5)
                ADD_FAILURE() << what << " (" << r << "," << c << "): got " << std::hex << bits_of(got(r, c))
                              << " (" << std::dec << got(r, c) << "), torch " << std::hex << expected;
        }
    }
    EXPECT_EQ(mismatches, 0) << what;
    return compared;
}

// Dataset holds widened float32: narrowing must be exact before comparing bits.
Eigen::MatrixXf narrow_exactly(const Eigen::MatrixXd& m, const std::string& what) {
    Eigen::MatrixXf f = m.cast<float>();
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            if (!(static_cast<double>(f(r, c)) == m(r, c)) && !(std::isnan(m(r, c)) && std::isnan(f(r, c))))
                ADD_FAILURE() << what << " (" << r << "," << c << ") is not a float32: " << m(r, c);
    return f;
}

std::string name_of(const nlohmann::json& c) {
    std::ostringstream s;
    s << "seed " << c.at("seed").get<uint64_t>() << " key " << c.at("n").get<int>() << "x" << c.at("d").get<int>()
      << " value " << c.at("n").get<int>() << "x" << c.at("dv").get<int>();
    return s.str();
}

}  // namespace

TEST(TorchRandom, FixtureComesFromTorch) {
    const auto& doc = fixture();
    EXPECT_EQ(doc.at("cpu_capability").get<std::string>(), "AVX2");
    EXPECT_GE(doc.at("cases").size(), 40u);
}

TEST(TorchRandom, RandnMatchesTorchBitForBit) {
    int elements = 0;
    for (const auto& c : fixture().at("cases")) {
        const std::string name = name_of(c);
        attn::TorchGenerator gen(c.at("seed").get<uint64_t>());
        const int n = c.at("n"), d = c.at("d"), dv = c.at("dv");
        const Eigen::MatrixXf keys = gen.randn(n, d);
        const Eigen::MatrixXf values = gen.randn(n, dv);
        elements += expect_bits(keys, c.at("raw_keys"), name + " raw keys");
        elements += expect_bits(values, c.at("raw_values"), name + " raw values");
    }
    EXPECT_GE(elements, 4000);  // guards against a truncated fixture
    std::cout << "compared " << elements << " raw randn elements\n";
}

TEST(TorchRandom, DatasetsMatchTorchBitForBit) {
    int elements = 0, variants = 0;
    for (const auto& c : fixture().at("cases")) {
        for (const auto& p : c.at("processed")) {
            attn::TorchDatasetSpec spec;
            spec.seed = c.at("seed").get<uint64_t>();
            spec.n = c.at("n");
            spec.d = c.at("d");
            spec.dv = c.at("dv");
            spec.normalize = p.at("normalize");
            spec.decimals = p.at("decimals");
            const std::string name = name_of(c) + (spec.normalize ? " normalized" : "") + " decimals " +
                                     std::to_string(spec.decimals);
            const attn::Dataset data = attn::make_torch_dataset(spec);
            elements += expect_bits(narrow_exactly(data.keys, name + " keys"), p.at("keys"), name + " keys");
            elements += expect_bits(narrow_exactly(data.values, name + " values"), p.at("values"), name + " values");
            ++variants;
        }
    }
    EXPECT_GE(variants, 60);
    EXPECT_GE(elements, 4000);
    std::cout << "compared " << elements << " elements in " << variants << " datasets\n";
}

TEST(TorchRandom, NotebookData) {
    // The notebook prints these after torch.manual_seed(447), normalize, round_(decimals=2).
    const float keys[4][3] = {{0.47f, 0.65f, 0.60f}, {0.64f, 0.50f, -0.59f}, {-0.03f, -0.48f, -0.88f},
                              {0.43f, -0.83f, 0.35f}};
    const float values[4][3] = {{-0.07f, -0.88f, 0.47f}, {0.37f, -0.93f, -0.07f}, {-0.25f, -0.75f, 0.61f},
                                {0.94f, 0.20f, 0.28f}};
    const attn::Dataset data = attn::make_torch_dataset(attn::TorchDatasetSpec{});
    ASSERT_EQ(data.keys.rows(), 4);
    ASSERT_EQ(data.keys.cols(), 3);
    ASSERT_EQ(data.values.rows(), 4);
    ASSERT_EQ(data.values.cols(), 3);
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 3; ++c) {
            EXPECT_EQ(data.keys(r, c), static_cast<double>(keys[r][c])) << "key " << r << "," << c;
            EXPECT_EQ(data.values(r, c), static_cast<double>(values[r][c])) << "value " << r << "," << c;
        }
    const attn::Dataset notebook = attn::notebook_dataset();
    EXPECT_EQ(data.keys, notebook.keys);
    EXPECT_EQ(data.values, notebook.values);
    EXPECT_NO_THROW(attn::validate_dataset(data, "torch dataset"));
}

TEST(TorchRandom, SeedUsesLow32BitsAndCopiesFork) {
    attn::TorchGenerator a(7), b((uint64_t{1} << 32) + 7);
    EXPECT_EQ(a.random(), b.random());
    attn::TorchGenerator fork = a;
    EXPECT_EQ(a.randn(3, 3), fork.randn(3, 3));
    EXPECT_EQ(a.randn(5, 5), fork.randn(5, 5));
    // std::mt19937's documented 10000th output for the default seed 5489, which torch shares.
    attn::TorchGenerator standard(5489);
    for (int i = 1; i < 10000; ++i) standard.random();
    EXPECT_EQ(standard.random(), 4123659995u);
}

TEST(TorchRandom, Random64PutsFirstDrawHigh) {
    attn::TorchGenerator a(3), b(3);
    const uint64_t hi = a.random(), lo = a.random();
    EXPECT_EQ(b.random64(), (hi << 32) | lo);
}

TEST(TorchRandom, RandnRejectsBadShapesWithoutDrawing) {
    attn::TorchGenerator gen(447), fresh(447);
    EXPECT_THROW(gen.randn(0, 3), attn::InputError);
    EXPECT_THROW(gen.randn(3, 0), attn::InputError);
    EXPECT_THROW(gen.randn(-1, 3), attn::InputError);
    EXPECT_THROW(gen.randn(4097, 1), attn::InputError);
    EXPECT_THROW(gen.randn(1, 4097), attn::InputError);
    EXPECT_EQ(gen.randn(4, 3), fresh.randn(4, 3));
}

TEST(TorchRandom, DatasetRejectsBadSpecs) {
    auto expect_error = [](attn::TorchDatasetSpec spec, const std::string& field) {
        try {
            attn::make_torch_dataset(spec);
            ADD_FAILURE() << "no error for bad " << field;
        } catch (const attn::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
        }
    };
    attn::TorchDatasetSpec spec;
    spec.n = 0;
    expect_error(spec, "n is 0");
    spec = {};
    spec.n = 4097;
    expect_error(spec, "n is 4097");
    spec = {};
    spec.d = 0;
    expect_error(spec, "d is 0");
    spec = {};
    spec.dv = 5000;
    expect_error(spec, "dv is 5000");
    spec = {};
    spec.decimals = -2;
    expect_error(spec, "decimals is -2");
    spec = {};
    spec.decimals = 9;
    expect_error(spec, "decimals is 9");

    spec = {};
    spec.decimals = -1;
    EXPECT_NO_THROW(attn::make_torch_dataset(spec));
    spec.n = 1;
    spec.d = 1;
    spec.dv = 1;
    spec.decimals = 8;
    EXPECT_NO_THROW(attn::make_torch_dataset(spec));
}

// The scalar path in full double precision (tests/fixtures/torch_normal_double.json, made by
// make_double_normal_fixtures.py with torch 1.13): randn below 16 elements rounds these doubles to
// float32, which hides a last-place slip (log1p(-u) for torch 1.13's log(1 - u)) almost always.
TEST(TorchRandom, ScalarDoubleSamplerEqualsTorchBitForBit) {
    const std::string path = std::string(ATTN_TEST_FIXTURES_DIR) + "/torch_normal_double.json";
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    const nlohmann::json doc = nlohmann::json::parse(in);
    EXPECT_EQ(doc.at("generator").get<std::string>().rfind("torch 1.13", 0), 0u);
    int compared = 0;
    for (const auto& c : doc.at("cases")) {
        const uint64_t seed = c.at("seed").get<uint64_t>();
        const int first = c.at("float32_draws_first").get<int>();
        SCOPED_TRACE("seed " + std::to_string(seed) + " after " + std::to_string(first) + " float draws");
        attn::TorchGenerator gen(seed);
        if (first > 0) gen.randn(1, first);
        int mismatches = 0;
        for (const auto& hex : c.at("doubles")) {
            const uint64_t want = std::stoull(hex.get<std::string>(), nullptr, 16);
            const double got = gen.normal_double();
            uint64_t bits;
            std::memcpy(&bits, &got, sizeof bits);
            if (bits != want && ++mismatches <= 3)
                ADD_FAILURE() << "draw " << compared << ": got " << std::hex << bits << ", torch " << want;
            ++compared;
        }
        EXPECT_EQ(mismatches, 0);
    }
    EXPECT_GE(compared, 2000);
}

// The float32 scalar path is those doubles rounded, sharing the one-sample cache.
TEST(TorchRandom, ScalarFloatPathIsTheDoubleSamplerRounded) {
    for (uint64_t seed : {447ull, 3ull, 99ull}) {
        attn::TorchGenerator a(seed), b(seed);
        for (int round = 0; round < 20; ++round) {
            const int count = 1 + round % 15;  // every size of the scalar path, odd ones leave a cached sample
            const Eigen::MatrixXf m = a.randn(1, count);
            for (int i = 0; i < count; ++i) ASSERT_EQ(bits_of(m(0, i)), bits_of(static_cast<float>(b.normal_double())));
        }
    }
}
