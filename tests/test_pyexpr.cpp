// The expression evaluator (core/pyexpr.h) against PyTorch: fixtures written by
// tests/tools/make_expr_fixtures.py with Debian's python3-torch (the tests never need torch),
// then the subset's edges, its refusals and hostile input.
#include "core/dataset.h"
#include "core/error.h"
#include "core/pyexpr.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using attn::pyexpr::Tensor;

nlohmann::json load_fixture(const std::string& name) {
    std::ifstream in(std::string(ATTN_TEST_FIXTURES_DIR) + "/expr/" + name);
    EXPECT_TRUE(in.good()) << name;
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str());
}

float from_bits(const std::string& hex) {
    const uint32_t u = static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// Distance in float32 steps (ulps) between two floats; NaN matches NaN, inf matches only itself.
int64_t ulps(float a, float b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INT64_MAX;
    if (a == b) return 0;
    if (std::isinf(a) || std::isinf(b)) return INT64_MAX;
    auto ordered = [](float x) {
        int32_t i;
        std::memcpy(&i, &x, sizeof i);
        return i < 0 ? int64_t{INT32_MIN} - i : int64_t{i};
    };
    const int64_t d = ordered(a) - ordered(b);
    return d < 0 ? -d : d;
}

Tensor tensor_of(const Eigen::MatrixXd& m) {
    Tensor t;
    t.shape = {static_cast<int>(m.rows()), static_cast<int>(m.cols())};
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) t.data.push_back(static_cast<float>(m(r, c)));
    return t;
}

std::map<std::string, Tensor> notebook_names() {
    const attn::Dataset data = attn::notebook_dataset();
    return {{"key", tensor_of(data.keys)}, {"value", tensor_of(data.values)}};
}

std::vector<float> values_of(const nlohmann::json& bits) {
    std::vector<float> out;
    for (const auto& b : bits) out.push_back(from_bits(b.get<std::string>()));
    return out;
}

// Worst ulp distance; -1 when the shapes differ.
int64_t worst_ulps(const Tensor& got, const std::vector<int>& shape, const std::vector<float>& want) {
    if (got.shape != shape || got.data.size() != want.size()) return -1;
    int64_t worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, ulps(got.data[i], want[i]));
    return worst;
}

// linalg.inv/lstsq: LAPACK's float32 against our double then rounded, so a tolerance relative
// to the largest magnitude of the result.
bool close_linalg(const Tensor& got, const std::vector<float>& want) {
    double scale = 1e-6;
    for (float w : want) scale = std::max(scale, std::fabs(static_cast<double>(w)));
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (std::isnan(want[i]) != std::isnan(got.data[i])) return false;
        if (!std::isnan(want[i]) && std::fabs(static_cast<double>(got.data[i]) - want[i]) > 1e-4 * scale) return false;
    }
    return true;
}

std::string problem_of(const std::string& expr) {
    try {
        attn::pyexpr::evaluate(expr, notebook_names());
    } catch (const attn::InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(PyExprFixtures, TheNotebookDataAreTheFixturesData) {
    const nlohmann::json fx = load_fixture("random.json");
    const auto names = notebook_names();
    EXPECT_EQ(worst_ulps(names.at("key"), {4, 3}, values_of(fx.at("key"))), 0);
    EXPECT_EQ(worst_ulps(names.at("value"), {4, 3}, values_of(fx.at("value"))), 0);
}

TEST(PyExprFixtures, RandomExpressionsMatchPyTorch) {
    const nlohmann::json fx = load_fixture("random.json");
    const auto names = notebook_names();
    int exact = 0, one_ulp = 0, linalg = 0, refused = 0, exp_cases = 0;
    for (const auto& c : fx.at("cases")) {
        const std::string expr = c.at("expr");
        if (c.contains("error")) {
            EXPECT_THROW(attn::pyexpr::evaluate(expr, names), attn::InputError) << expr;
            ++refused;
            continue;
        }
        Tensor got;
        try {
            got = attn::pyexpr::evaluate(expr, names);
        } catch (const attn::InputError& e) {
            ADD_FAILURE() << expr << "\n  refused: " << e.what();
            continue;
        }
        const std::vector<int> shape = c.at("shape").get<std::vector<int>>();
        const std::vector<float> want = values_of(c.at("bits"));
        if (c.value("linalg", false)) {
            EXPECT_TRUE(got.shape == shape && close_linalg(got, want)) << expr;
            ++linalg;
            continue;
        }
        const int64_t worst = worst_ulps(got, shape, want);
        EXPECT_GE(worst, 0) << expr << "\n  shape " << attn::pyexpr::shape_text(got.shape) << ", torch "
                            << attn::pyexpr::shape_text(shape);
        // softmax: torch's vectorised exp (Sleef, within 1 ulp) against the C library's expf.
        const int64_t allowed = c.value("exp", false) ? 4 : 1;
        EXPECT_LE(worst, allowed) << expr << "\n  " << worst << " ulps";
        if (worst > 1) ++exp_cases;
        if (worst == 0) ++exact;
        if (worst == 1) ++one_ulp;
    }
    std::printf("random fixtures: %d bit-exact, %d within 1 ulp, %d softmax within 4 ulps, %d linalg within 1e-4 "
                "relative, %d refused as torch does\n",
                exact, one_ulp, exp_cases, linalg, refused);
    EXPECT_GE(exact + one_ulp + linalg + refused, 500);
}
