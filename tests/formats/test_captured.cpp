// An opened capture as part of the session (issue 12): the captured part round-trips through the
// session file, only edited rows are kept, a gone or changed file is reported, and the head's
// matrices are the file's with the edits applied.
#include "core/formats/captured.h"
#include "core/base/error.h"
#include "core/course/course_session.h"
#include "core/formats/undo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {

const std::string kEncoder = std::string(ATTN_TEST_FIXTURES_DIR) + "/tensors/encoder.safetensors";

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("attn_captured_" + std::to_string(::getpid()) + "_" + name)).string();
}

attn::Session session_with_capture(const attn::AttentionCapture& capture) {
    attn::Session s = attn::default_session();
    s.mode = attn::AppMode::Captured;
    s.captured = attn::captured_session_for(capture, kEncoder);
    return s;
}

TEST(Captured, OpensOnLayerZeroHeadZeroWithTheFilesOptions) {
    const attn::AttentionCapture capture = attn::load_attention_file(kEncoder);
    const attn::CapturedSession c = attn::captured_session_for(capture, kEncoder);
    EXPECT_EQ(c.layer, 0);
    EXPECT_EQ(c.head, 0);
    EXPECT_EQ(c.causal, capture.causal);
    EXPECT_EQ(c.fingerprint, attn::capture_fingerprint(capture));
    EXPECT_EQ(c.fingerprint.size(), 16u);
    const attn::CapturedHead h = attn::captured_head(capture, c);
    EXPECT_EQ(h.queries.rows(), capture.tokens);
    EXPECT_EQ(h.keys.cols(), capture.d);
    EXPECT_EQ(h.values.cols(), capture.dv);
    EXPECT_EQ(h.queries(3, 1), static_cast<double>(capture.query(0, 0)(3, 1)));
    EXPECT_EQ(h.edited_rows, 0);
}

TEST(Captured, KeepsOnlyEditedRowsAndForgetsARowSetBack) {
    const attn::AttentionCapture capture = attn::load_attention_file(kEncoder);
    attn::CapturedSession c = attn::captured_session_for(capture, kEncoder);
    c.layer = 1;
    c.head = 1;
    Eigen::RowVectorXd q = capture.query(1, 1).row(2).cast<double>();
    const Eigen::RowVectorXd original = q;
    q(0) += 0.5;
    attn::record_captured_row(c, capture, 'q', 2, q);
    ASSERT_EQ(c.edits.size(), 1u);
    attn::CapturedHead h = attn::captured_head(capture, c);
    EXPECT_EQ(h.queries(2, 0), q(0));
    EXPECT_EQ(h.edited_rows, 1);
    c.head = 0;  // another head does not see it
    EXPECT_EQ(attn::captured_head(capture, c).edited_rows, 0);
    c.head = 1;
    attn::record_captured_row(c, capture, 'q', 2, original);
    EXPECT_TRUE(c.edits.empty());
    attn::record_captured_row(c, capture, 'k', 0, q);
    attn::reset_captured_head(c);
    EXPECT_TRUE(c.edits.empty());
}

TEST(Captured, SessionRoundTripIsExactAndVersionTwo) {
    const attn::AttentionCapture capture = attn::load_attention_file(kEncoder);
    attn::Session s = session_with_capture(capture);
    s.captured.layer = 1;
    s.captured.causal = true;
    Eigen::RowVectorXd v = capture.value(1, 0).row(7).cast<double>();
    v(1) = 0.1 + 0.2;  // not a float32: the session keeps doubles exactly
    attn::record_captured_row(s.captured, capture, 'v', 7, v);
    const std::string text = attn::session_to_json(s);
    EXPECT_NE(text.find("\"version\": 2"), std::string::npos);
    EXPECT_NE(text.find("\"tensor\": \"v\""), std::string::npos);
    const attn::Session back = attn::session_from_json(text, "s.json");
    EXPECT_TRUE(back == s);
    EXPECT_EQ(back.mode, attn::AppMode::Captured);
    // Without a capture the file stays version 1.
    EXPECT_NE(attn::session_to_json(attn::default_session()).find("\"version\": 1"), std::string::npos);
    // Undo sees a captured edit as a change of the document.
    attn::UndoHistory history;
    attn::Session after = s;
    after.captured.edits.clear();
    history.record(s, after);
    EXPECT_TRUE(history.can_undo());
}

TEST(Captured, BadCapturedPartsAreRefusedByName) {
    const auto error_of = [](const std::string& captured) {
        try {
            attn::session_from_json(R"({"format": "attnlab-session", "version": 2, "captured": )" + captured + "}", "s.json");
        } catch (const attn::InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(error_of(R"({"layer": 0})").find("captured.file"), std::string::npos);
    EXPECT_NE(error_of(R"({"file": "/x", "edits": [{"layer": 0, "head": 0, "tensor": "w", "row": 0, "value": [1]}]})")
                  .find("captured.edits[0].tensor"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"file": "/x", "edits": [{"layer": 0, "head": 0, "tensor": "q", "row": 5000, "value": [1]}]})")
                  .find("outside the limits"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"file": "/x", "fingerprint": "XYZ"})").find("captured.fingerprint"), std::string::npos);
    EXPECT_NE(error_of(R"({"file": "/x", "extra": 1})").find("captured.extra is not a known field"), std::string::npos);
    try {
        attn::session_from_json(R"({"format": "attnlab-session", "version": 2, "mode": "captured"})", "s.json");
        ADD_FAILURE() << "mode captured without a file was accepted";
    } catch (const attn::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no captured file"), std::string::npos);
    }
}

TEST(Captured, AGoneFileSaysSoAndAChangedFileWarns) {
    const std::string gone = temp_path("gone.safetensors");
    const attn::OpenedCapture missing = attn::open_captured_file(gone, "", attn::Language{});
    EXPECT_FALSE(missing.capture);
    EXPECT_NE(missing.problem.find("is gone"), std::string::npos) << missing.problem;
    EXPECT_NE(missing.problem.find("gone.safetensors"), std::string::npos);

    const std::string broken = temp_path("broken.safetensors");
    std::ofstream(broken) << "not a tensor file";
    const attn::OpenedCapture bad = attn::open_captured_file(broken, "", attn::Language{});
    EXPECT_FALSE(bad.capture);
    EXPECT_NE(bad.problem.find("cannot be read"), std::string::npos) << bad.problem;
    std::remove(broken.c_str());

    const attn::OpenedCapture changed = attn::open_captured_file(kEncoder, "0123456789abcdef", attn::Language{});
    ASSERT_TRUE(changed.capture);
    EXPECT_NE(changed.warning.find("has changed"), std::string::npos);
    const attn::OpenedCapture same =
        attn::open_captured_file(kEncoder, attn::capture_fingerprint(*changed.capture), attn::Language{});
    EXPECT_TRUE(same.warning.empty());
}

TEST(Captured, SandboxAtTheNewLimitsRoundTrips) {
    attn::Session s = attn::default_session();
    s.mode = attn::AppMode::Sandbox;
    s.sandbox.key_count = 1024;
    s.sandbox.key_dim = 128;
    s.sandbox.value_dim = 128;
    s.sandbox.data.keys = Eigen::MatrixXd::Random(1024, 128);
    s.sandbox.data.values = Eigen::MatrixXd::Random(1024, 128);
    s.sandbox.queries = Eigen::MatrixXd::Random(1024, 128);
    s.sandbox.source = attn::DataSource::Typed;
    const std::string path = temp_path("big.json");
    attn::save_session(s, path);
    EXPECT_TRUE(attn::load_session(path) == s);
    std::remove(path.c_str());
    // One past each limit is refused, naming it.
    attn::Session wide = s;
    wide.sandbox.key_dim = 129;
    wide.sandbox.data.keys = Eigen::MatrixXd::Zero(1024, 129);
    wide.sandbox.queries = Eigen::MatrixXd::Zero(1, 129);
    try {
        attn::session_to_json(wide);
        ADD_FAILURE() << "d = 129 was accepted";
    } catch (const attn::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("sandbox.key_dim is 129; it must be 1 to 128"), std::string::npos) << e.what();
    }
    attn::Session many = s;
    many.sandbox.queries = Eigen::MatrixXd::Zero(1025, 128);
    try {
        attn::session_to_json(many);
        ADD_FAILURE() << "1025 queries were accepted";
    } catch (const attn::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("at most 1024"), std::string::npos) << e.what();
    }
}

TEST(Captured, UndoKeepsLargeSandboxesWithinItsBudget) {
    attn::Session s = attn::default_session();
    s.sandbox.data.keys = Eigen::MatrixXd::Zero(1024, 128);
    s.sandbox.data.values = Eigen::MatrixXd::Zero(1024, 128);
    s.sandbox.queries = Eigen::MatrixXd::Zero(1024, 128);
    attn::UndoHistory history;
    for (int step = 0; step < 60; ++step) {
        attn::Session after = s;
        after.sandbox.queries(0, 0) = step + 1;
        history.record(s, after);
        s = after;
    }
    const std::size_t per_step = 3 * 1024 * 128;
    EXPECT_LE(history.size() * per_step, attn::UndoHistory::kUndoNumberBudget);
    EXPECT_GE(history.size(), 40u);  // still many steps
    ASSERT_TRUE(history.undo(s));
    EXPECT_EQ(s.sandbox.queries(0, 0), 59);
}

// Two heads over tokens "a b c a b c": head 0 puts (almost) all weight on the previous token
// (one-hot keys by position, each query the previous position's key × 20); head 1 is uniform.
attn::AttentionCapture two_patterned_heads() {
    attn::AttentionCapture c;
    c.layers = 1;
    c.heads = 2;
    c.tokens = 6;
    c.d = c.dv = 6;
    c.token_labels = {"a", "b", "c", "a", "b", "c"};
    c.causal = true;
    c.scale_mode = attn::ScaleMode::One;
    c.scale = 1;
    c.q.assign(2 * 6 * 6, 0.0f);
    c.k.assign(2 * 6 * 6, 0.0f);
    c.v.assign(2 * 6 * 6, 1.0f);
    for (int i = 0; i < 6; ++i) {
        c.k[static_cast<std::size_t>(i * 6 + i)] = 1;                            // head 0: key i = e_i
        if (i > 0) c.q[static_cast<std::size_t>(i * 6 + i - 1)] = 20;           // query i = 20·e_{i-1}
    }
    return c;
}

TEST(Captured, HeadPatternScoresMeasureThePreviousTokenAndInductionWeights) {
    const attn::AttentionCapture capture = two_patterned_heads();
    const attn::HeadPatternScores previous = attn::head_pattern_scores(capture, 0, 0);
    EXPECT_GT(previous.previous_token, 0.999);
    EXPECT_LT(previous.same_token, 1e-6);
    // Rows 1..5: row 1's previous token is the first token.
    EXPECT_NEAR(previous.first_token, 1.0 / 5, 1e-6);
    // "a b c a b c": rows 3, 4, 5 repeat a token seen at 0, 1, 2; their targets 1, 2, 3 are not
    // their previous tokens (2, 3, 4), so a previous-token head scores ~0 there.
    EXPECT_EQ(previous.induction_rows, 3);
    EXPECT_LT(previous.induction, 1e-6);

    const attn::HeadPatternScores uniform = attn::head_pattern_scores(capture, 0, 1);
    // Row i spreads 1/(i+1) over keys 0..i: the mean over rows 1..5 of 1/(i+1).
    const double mean = (1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5 + 1.0 / 6) / 5;
    EXPECT_NEAR(uniform.previous_token, mean, 1e-9);
    EXPECT_NEAR(uniform.same_token, mean, 1e-9);
    EXPECT_NEAR(uniform.induction, (1.0 / 4 + 1.0 / 5 + 1.0 / 6) / 3, 1e-9);
}

TEST(Captured, HeadPatternScoresWithoutRepeatsHaveNoInduction) {
    attn::AttentionCapture capture = two_patterned_heads();
    capture.token_labels = {"a", "b", "c", "d", "e", "f"};
    const attn::HeadPatternScores scores = attn::head_pattern_scores(capture, 0, 1);
    EXPECT_EQ(scores.induction_rows, 0);
    EXPECT_TRUE(std::isnan(scores.induction));
}

}  // namespace