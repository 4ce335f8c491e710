// Attention against PyTorch's own numbers (tests/fixtures/attention.json, made by
// make_attention_fixtures.py with Debian's python3-torch), plus the edge cases torch can't show.
#include "core/math/attention.h"
#include "core/math/dataset.h"
#include "core/base/error.h"
#include "core/base/json_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using attn::AttentionOptions;
using attn::ScaleMode;

namespace {

nlohmann::json load_fixture() {
    return attn::read_json_file(std::string(ATTN_TEST_FIXTURES_DIR) + "/attention.json", 1u << 24);
}

AttentionOptions options_of(const nlohmann::json& c) {
    AttentionOptions options;
    const std::string mode = c["scale_mode"];
    options.scale_mode = mode == "one" ? ScaleMode::One : mode == "inv_sqrt_d" ? ScaleMode::InvSqrtD : ScaleMode::Temperature;
    options.temperature = c["temperature"];
    options.causal = c["causal"];
    if (c.contains("mask") && !options.causal) {
        const auto& m = c["mask"];
        options.mask.resize(m.size(), m[0].size());
        for (size_t r = 0; r < m.size(); ++r)
            for (size_t j = 0; j < m[r].size(); ++j) options.mask(r, j) = m[r][j].get<bool>();
    }
    return options;
}

}  // namespace

TEST(Attention, MatchesTorchFloat64) {
    const auto fixture = load_fixture();
    ASSERT_GE(fixture["cases"].size(), 10u);
    for (const auto& c : fixture["cases"]) {
        SCOPED_TRACE(c["name"].get<std::string>());
        const auto result = attn::attention(attn::json_value_to_matrix(c["queries"], "q"),
                                            attn::json_value_to_matrix(c["keys"], "k"),
                                            attn::json_value_to_matrix(c["values"], "v"), options_of(c));
        EXPECT_LE(attn::max_abs_diff(result.weights, attn::json_value_to_matrix(c["f64"]["weights"], "w")), 1e-14);
        EXPECT_LE(attn::max_abs_diff(result.output, attn::json_value_to_matrix(c["f64"]["output"], "o")), 1e-14);
    }
}

TEST(Attention, Float32PathEqualsTorchFloat32) {
    const auto fixture = load_fixture();
    for (const auto& c : fixture["cases"]) {
        SCOPED_TRACE(c["name"].get<std::string>());
        const auto result = attn::attention_f32(attn::json_value_to_matrix(c["queries"], "q"),
                                                attn::json_value_to_matrix(c["keys"], "k"),
                                                attn::json_value_to_matrix(c["values"], "v"), options_of(c));
        const Eigen::MatrixXf torch_w = attn::json_value_to_matrix(c["f32"]["weights"], "w").cast<float>();
        const Eigen::MatrixXf torch_out = attn::json_value_to_matrix(c["f32"]["output"], "o").cast<float>();
        // Notebook numbers are below 1 in magnitude: within 1e-7. Larger random outputs are allowed
        // one float32 ulp of themselves, since torch's blocked sgemm may order its sums differently.
        const auto within = [](const Eigen::MatrixXf& ours, const Eigen::MatrixXf& theirs) {
            const float ulp = std::numeric_limits<float>::epsilon();
            return ((ours - theirs).array().abs() <= (ulp * theirs.array().abs()).max(1e-7f)).all();
        };
        EXPECT_LE(attn::max_abs_diff(result.weights, torch_w), 1e-7f);
        if (c["name"].get<std::string>().rfind("notebook", 0) == 0)
            EXPECT_LE(attn::max_abs_diff(result.output, torch_out), 1e-7f);
        else
            EXPECT_TRUE(within(result.output, torch_out)) << attn::max_abs_diff(result.output, torch_out);
    }
}

TEST(Attention, NotebookDataIsTheTorchSeed447Data) {
    const auto data = attn::notebook_dataset();
    const auto fixture = load_fixture();
    const auto& first = fixture["cases"][0];
    EXPECT_EQ(data.keys, attn::json_value_to_matrix(first["keys"], "k"));
    EXPECT_EQ(data.values, attn::json_value_to_matrix(first["values"], "v"));
}

TEST(Attention, ZeroQueryGivesUniformWeights) {
    const auto data = attn::notebook_dataset();
    const auto result = attn::attention(Eigen::MatrixXd::Zero(1, 3), data.keys, data.values);
    for (int j = 0; j < 4; ++j) EXPECT_DOUBLE_EQ(result.weights(0, j), 0.25);
    EXPECT_LE(attn::max_abs_diff(result.output, data.values.colwise().mean()), 1e-15);
}

TEST(Attention, HugeLogitsStayFinite) {
    Eigen::MatrixXd keys(3, 1);
    keys << 1, -1, 0;
    Eigen::MatrixXd values(3, 2);
    values << 1, 0, 0, 1, 5, 5;
    for (double q : {1e30, -1e30, 1e300, -1e300}) {
        const Eigen::MatrixXd query = Eigen::MatrixXd::Constant(1, 1, q);
        for (const auto& result : {attn::attention(query, keys, values)}) {
            EXPECT_TRUE(result.weights.allFinite());
            EXPECT_TRUE(result.output.allFinite());
            const int winner = q > 0 ? 0 : 1;
            EXPECT_DOUBLE_EQ(result.weights(0, winner), 1.0);
            EXPECT_NEAR(result.weights.sum(), 1.0, 1e-15);
        }
        const auto f = attn::attention_f32(query, keys, values);
        EXPECT_TRUE(f.weights.allFinite());
        EXPECT_TRUE(f.output.allFinite());
    }
    // Two logits of +1e30 tie exactly: the weight is shared, not NaN.
    Eigen::MatrixXd tied_keys(2, 1);
    tied_keys << 1, 1;
    const auto tied = attn::attention(Eigen::MatrixXd::Constant(1, 1, 1e30), tied_keys, values.topRows(2));
    EXPECT_DOUBLE_EQ(tied.weights(0, 0), 0.5);
}

TEST(Attention, CausalMaskHidesLaterKeys) {
    const auto data = attn::notebook_dataset();
    AttentionOptions options;
    options.causal = true;
    const auto result = attn::attention(Eigen::MatrixXd::Ones(4, 3), data.keys, data.values, options);
    for (int i = 0; i < 4; ++i) {
        for (int j = i + 1; j < 4; ++j) EXPECT_EQ(result.weights(i, j), 0.0);
        EXPECT_NEAR(result.weights.row(i).sum(), 1.0, 1e-15);
    }
    EXPECT_DOUBLE_EQ(result.weights(0, 0), 1.0);
    EXPECT_TRUE(result.fully_masked_rows.empty());
}

TEST(Attention, FullyMaskedRowIsZeroAndReported) {
    const auto data = attn::notebook_dataset();
    AttentionOptions options;
    options.mask.setConstant(2, 4, true);
    options.mask.row(1).setConstant(false);
    const auto result = attn::attention(Eigen::MatrixXd::Ones(2, 3), data.keys, data.values, options);
    ASSERT_EQ(result.fully_masked_rows, std::vector<int>{1});
    EXPECT_TRUE(result.weights.row(1).isZero());
    EXPECT_TRUE(result.output.row(1).isZero());
    EXPECT_TRUE(result.output.allFinite());
    EXPECT_NEAR(result.weights.row(0).sum(), 1.0, 1e-15);
}

TEST(Attention, ScaleModes) {
    AttentionOptions options;
    EXPECT_EQ(attn::attention_scale(options, 4), 1.0);
    options.scale_mode = ScaleMode::InvSqrtD;
    EXPECT_DOUBLE_EQ(attn::attention_scale(options, 4), 0.5);
    options.scale_mode = ScaleMode::Temperature;
    options.temperature = 0.1;
    EXPECT_DOUBLE_EQ(attn::attention_scale(options, 4), 10.0);
    for (double bad : {0.0, -1.0, std::numeric_limits<double>::infinity(), std::nan("")}) {
        options.temperature = bad;
        EXPECT_THROW(attn::attention_scale(options, 4), attn::InputError);
    }
}

TEST(Attention, ShapeErrorsNameTheShapes) {
    const auto data = attn::notebook_dataset();
    try {
        attn::attention(Eigen::MatrixXd::Zero(1, 2), data.keys, data.values);
        FAIL() << "expected InputError";
    } catch (const attn::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("1×2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("4×3"), std::string::npos) << e.what();
    }
    EXPECT_THROW(attn::attention(Eigen::MatrixXd::Zero(1, 3), data.keys, data.values.topRows(3)), attn::InputError);
    EXPECT_THROW(attn::attention(Eigen::MatrixXd::Zero(0, 3), data.keys, data.values), attn::InputError);
    AttentionOptions options;
    options.mask.setConstant(1, 3, true);
    EXPECT_THROW(attn::attention(Eigen::MatrixXd::Zero(1, 3), data.keys, data.values, options), attn::InputError);
    Eigen::MatrixXd nan_query = Eigen::MatrixXd::Zero(1, 3);
    nan_query(0, 1) = std::nan("");
    EXPECT_THROW(attn::attention(nan_query, data.keys, data.values), attn::InputError);
}

TEST(Attention, ValueWidthIndependentOfKeyWidth) {
    Eigen::MatrixXd keys = Eigen::MatrixXd::Identity(2, 2);
    Eigen::MatrixXd values(2, 5);
    values << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
    const auto result = attn::attention(Eigen::MatrixXd::Zero(3, 2), keys, values);
    EXPECT_EQ(result.output.rows(), 3);
    EXPECT_EQ(result.output.cols(), 5);
    EXPECT_DOUBLE_EQ(result.output(2, 4), 7.5);
}

TEST(Attention, MaxAbsDiff) {
    Eigen::MatrixXd a(1, 3), b(1, 3);
    a << 1, 2, 3;
    b << 1, 2.5, 2.9;
    EXPECT_DOUBLE_EQ(attn::max_abs_diff(a, b), 0.5);
    EXPECT_THROW(attn::max_abs_diff(a, Eigen::MatrixXd::Zero(3, 1)), attn::InputError);
}
