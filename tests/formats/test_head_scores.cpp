// Head pattern scores (core/formats/captured.h, head_pattern_scores) on tricky token sequences
// (issue 26, family 2): an immediate repeat, no repeat, length 1, all tokens equal, causal or not.
// Checked against PyTorch's numbers (tests/fixtures/head_scores.json, written by
// tests/tools/make_head_score_fixtures.py from the header's definitions) and against exact values
// on uniform heads, where each weight is 1/(keys seen).
#include "core/formats/captured.h"
#include "core/base/json_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

// One layer, one head: labels, and q, k as given (v plays no part in the weights).
attn::AttentionCapture one_head(const std::vector<std::string>& labels, const std::vector<float>& q, const std::vector<float>& k,
                                int d, bool causal, attn::ScaleMode mode, double scale) {
    attn::AttentionCapture c;
    c.layers = c.heads = 1;
    c.tokens = static_cast<int>(labels.size());
    c.d = d;
    c.dv = 1;
    c.token_labels = labels;
    c.causal = causal;
    c.scale_mode = mode;
    c.scale = scale;
    c.q = q;
    c.k = k;
    c.v.assign(labels.size(), 0.0f);
    return c;
}

// A head whose every query is zero: each row spreads its weight evenly over the keys it sees.
attn::AttentionCapture uniform_head(const std::string& letters, bool causal) {
    std::vector<std::string> labels;
    for (const char ch : letters) labels.emplace_back(1, ch);
    const std::vector<float> zeros(letters.size() * 2, 0.0f);
    return one_head(labels, zeros, zeros, 2, causal, attn::ScaleMode::One, 1);
}

TEST(HeadScores, MatchTorchOnTrickySequences) {
    const nlohmann::json fixture = attn::read_json_file(std::string(ATTN_TEST_FIXTURES_DIR) + "/head_scores.json", 1u << 20);
    ASSERT_GE(fixture["cases"].size(), 20u);
    for (const nlohmann::json& c : fixture["cases"]) {
        const std::string name = c["name"].get<std::string>() + (c["causal"].get<bool>() ? " (causal)" : " (not causal)");
        const std::string mode = c["scale_mode"];
        const int d = c["d"];
        std::vector<float> q, k;
        for (const auto& row : c["q"])
            for (const auto& x : row) q.push_back(static_cast<float>(x.get<double>()));
        for (const auto& row : c["k"])
            for (const auto& x : row) k.push_back(static_cast<float>(x.get<double>()));
        const attn::ScaleMode scale_mode = mode == "one" ? attn::ScaleMode::One
                                           : mode == "inv_sqrt_d" ? attn::ScaleMode::InvSqrtD
                                                                  : attn::ScaleMode::Temperature;
        const attn::AttentionCapture capture =
            one_head(c["labels"].get<std::vector<std::string>>(), q, k, d, c["causal"], scale_mode, c["scale"]);
        const attn::HeadPatternScores got = attn::head_pattern_scores(capture, 0, 0);
        const nlohmann::json& want = c["want"];
        EXPECT_NEAR(got.previous_token, want["previous_token"].get<double>(), 1e-9) << name;
        EXPECT_NEAR(got.same_token, want["same_token"].get<double>(), 1e-9) << name;
        EXPECT_NEAR(got.first_token, want["first_token"].get<double>(), 1e-9) << name;
        EXPECT_EQ(got.induction_rows, want["induction_rows"].get<int>()) << name;
        if (want["induction"].is_null()) EXPECT_TRUE(std::isnan(got.induction)) << name << ": no repeat, no induction score";
        else EXPECT_NEAR(got.induction, want["induction"].get<double>(), 1e-9) << name;
    }
}

// Causal, uniform: row i gives 1/(i+1) to each of keys 0..i.
TEST(HeadScores, UniformCausalHeadHasExactScores) {
    const attn::HeadPatternScores s = attn::head_pattern_scores(uniform_head("abcd", true), 0, 0);
    const double mean = (1.0 / 2 + 1.0 / 3 + 1.0 / 4) / 3;
    EXPECT_NEAR(s.previous_token, mean, 1e-15);
    EXPECT_NEAR(s.same_token, mean, 1e-15);
    EXPECT_NEAR(s.first_token, mean, 1e-15);
    EXPECT_EQ(s.induction_rows, 0) << "no token repeats";
    EXPECT_TRUE(std::isnan(s.induction));
}

// All tokens equal: every row i ≥ 2 has an earlier occurrence j < i - 1 (the most recent: i - 2),
// whose next token is key i - 1. Row 1 repeats row 0 immediately: nothing earlier, no target.
TEST(HeadScores, AllTokensEqualHaveAnInductionTargetFromRowTwo) {
    const attn::HeadPatternScores causal = attn::head_pattern_scores(uniform_head("aaaaa", true), 0, 0);
    EXPECT_EQ(causal.induction_rows, 3);
    EXPECT_NEAR(causal.induction, (1.0 / 3 + 1.0 / 4 + 1.0 / 5) / 3, 1e-15);
    const attn::HeadPatternScores open = attn::head_pattern_scores(uniform_head("aaaaa", false), 0, 0);
    EXPECT_EQ(open.induction_rows, 3);
    EXPECT_NEAR(open.induction, 1.0 / 5, 1e-15) << "not causal: every weight is 1/5";
    EXPECT_NEAR(open.previous_token, 1.0 / 5, 1e-15);
}

// "a b a c a d": row 4 ('a') follows the most recent 'a' (2), so its target is key 3, not key 1.
// Only the weight on key 3 is large, so the most recent occurrence is told from the first.
TEST(HeadScores, InductionLooksAfterTheMostRecentOccurrence) {
    const std::vector<std::string> labels = {"a", "b", "a", "c", "a", "d"};
    const int t = 6, d = 6;
    std::vector<float> q(t * d, 0.0f), k(t * d, 0.0f);
    for (int j = 0; j < t; ++j) k[static_cast<std::size_t>(j * d + j)] = 1;  // key j = e_j
    q[static_cast<std::size_t>(2 * d + 1)] = 30;                              // row 2 ('a' after 'a' at 0) looks at key 1
    q[static_cast<std::size_t>(4 * d + 3)] = 30;                              // row 4 looks at key 3
    const attn::HeadPatternScores s = attn::head_pattern_scores(one_head(labels, q, k, d, true, attn::ScaleMode::One, 1), 0, 0);
    EXPECT_EQ(s.induction_rows, 2);
    EXPECT_GT(s.induction, 0.999) << "rows 2 and 4 put all their weight on their induction targets";
}

// One token: no row 1..T-1 to average; zero scores and no induction score (NaN, no rows).
TEST(HeadScores, ASequenceOfOneTokenHasNoScores) {
    for (const bool causal : {true, false}) {
        const attn::HeadPatternScores s = attn::head_pattern_scores(uniform_head("a", causal), 0, 0);
        EXPECT_EQ(s.previous_token, 0);
        EXPECT_EQ(s.same_token, 0);
        EXPECT_EQ(s.first_token, 0);
        EXPECT_EQ(s.induction_rows, 0);
        EXPECT_TRUE(std::isnan(s.induction)) << "as for any sequence without a repeat";
    }
}

}  // namespace
