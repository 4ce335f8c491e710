// Issue 26: every limit a session file or a JSON reader enforces, at its exact boundary. One table:
// a session edited to the value AT the limit must save and load back; one PAST it must be refused
// naming the field. Then JSON nesting (attnlab's files and notebooks) and file sizes the same way.
#include "core/base/error.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/course_session.h"
#include "core/formats/session.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using attn::Session;

using attn::test::contains;
const auto error_of = attn::test::input_error_of;

// Writes the session and reads it back (the reader validates; the writer may refuse first).
std::string round_trip(const Session& s) {
    return error_of([&] {
        const Session back = attn::session_from_json(attn::session_to_json(s), "t.json");
        EXPECT_TRUE(back == s);
    });
}

Session with_capture() {
    Session s = attn::default_session();
    s.captured.path = "/data/head.safetensors";
    s.captured.fingerprint = "0123456789abcdef";
    return s;
}

// `rows` distinct one-number edits (tensor q, k, v × 1024 rows × heads).
Session with_edits(int rows, int width = 1) {
    Session s = with_capture();
    for (int i = 0; i < rows; ++i) {
        attn::CapturedRowKey key;
        key.head = i / (3 * attn::kMaxCaptureTokens);
        key.tensor = "qkv"[(i / attn::kMaxCaptureTokens) % 3];
        key.row = i % attn::kMaxCaptureTokens;
        s.captured.edits[key] = Eigen::RowVectorXd::Constant(width, 0.5);
    }
    return s;
}

Session with_pack_student(std::size_t bytes) {
    Session s = attn::default_session();
    s.pack.builtin = "temperature-masks";
    s.selected_task = "2.1.1";
    s.pack.student = std::string(bytes, 's');
    return s;
}

Session with_sandbox_keys(int n) {
    Session s = attn::default_session();
    s.sandbox.key_count = n;
    s.sandbox.data.keys = Eigen::MatrixXd::Constant(n, s.sandbox.key_dim, 0.25);
    s.sandbox.data.values = Eigen::MatrixXd::Constant(n, s.sandbox.value_dim, 0.5);
    return s;
}

struct Boundary {
    const char* what;
    std::function<void(Session&)> at_limit, past_limit;
    std::string phrase;
};

}  // namespace

TEST(SessionBoundaries, EveryLimitAcceptsItsValueAndRefusesOneMore) {
    const double above_tolerance = std::nextafter(attn::kMaxTolerance, 2 * attn::kMaxTolerance);
    const std::vector<Boundary> table{
        {"goal text", [](Session& s) { s.sandbox.goal = std::string(attn::kMaxGoalTextBytes, 'g'); },
         [](Session& s) { s.sandbox.goal = std::string(attn::kMaxGoalTextBytes + 1, 'g'); }, "sandbox.goal is 4097 bytes"},
        {"tolerance", [](Session& s) { s.tolerance = attn::kMaxTolerance; },
         [&](Session& s) { s.tolerance = above_tolerance; }, "tolerance is 1e+06, more than the limit"},
        {"sandbox temperature low", [](Session& s) { s.sandbox.temperature = attn::kMinTemperature; },
         [](Session& s) { s.sandbox.temperature = std::nextafter(attn::kMinTemperature, 0.0); }, "sandbox.temperature"},
        {"captured temperature high", [](Session& s) { s = with_capture(), s.captured.temperature = attn::kMaxTemperature; },
         [](Session& s) { s = with_capture(), s.captured.temperature = std::nextafter(attn::kMaxTemperature, 1e9); },
         "captured.temperature is 1000, outside the limits"},
        {"captured layer", [](Session& s) { s = with_capture(), s.captured.layer = attn::kMaxCaptureLayers - 1; },
         [](Session& s) { s = with_capture(), s.captured.layer = attn::kMaxCaptureLayers; }, "captured.layer is out of range"},
        {"captured head", [](Session& s) { s = with_capture(), s.captured.head = attn::kMaxCaptureHeads - 1; },
         [](Session& s) { s = with_capture(), s.captured.head = attn::kMaxCaptureHeads; }, "captured.head is out of range"},
        {"captured edits", [](Session& s) { s = with_edits(attn::kMaxCapturedEdits); },
         [](Session& s) { s = with_edits(attn::kMaxCapturedEdits + 1); }, "captured.edits has more than 4096 rows"},
        {"captured edit width", [](Session& s) { s = with_edits(1, attn::kMaxCaptureDim); },
         [](Session& s) { s = with_edits(1, attn::kMaxCaptureDim + 1); }, "has 129 numbers; it must be 1 to 128"},
        {"captured edit row", [](Session& s) { s = with_edits(attn::kMaxCaptureTokens); },
         [](Session& s) {
             s = with_capture();
             s.captured.edits[attn::CapturedRowKey{0, 0, 'q', attn::kMaxCaptureTokens}] = Eigen::RowVectorXd::Ones(1);
         },
         "is outside the limits of a capture"},
        {"pack student ID", [](Session& s) { s = with_pack_student(200); }, [](Session& s) { s = with_pack_student(201); },
         "pack.student must be an ID of at most 200 bytes"},
        {"sandbox keys", [](Session& s) { s = with_sandbox_keys(attn::kMaxKeys); },
         [](Session& s) { s = with_sandbox_keys(attn::kMaxKeys + 1); }, "sandbox.key_count is 1025; it must be 1 to 1024"},
        {"sandbox queries", [](Session& s) { s.sandbox.queries = Eigen::MatrixXd::Zero(attn::kMaxQueries, 3); },
         [](Session& s) { s.sandbox.queries = Eigen::MatrixXd::Zero(attn::kMaxQueries + 1, 3); },
         "sandbox.queries has 1025 rows; at most 1024"},
        {"answer rows", [](Session& s) { s.answers["query121"].data = Eigen::MatrixXd::Zero(attn::kMaxTensorRows, 1); },
         [](Session& s) { s.answers["query121"].data = Eigen::MatrixXd::Zero(attn::kMaxTensorRows + 1, 1); }, "256 rows"},
        {"answer numbers", [](Session& s) { s.answers["query121"].data = Eigen::MatrixXd::Zero(256, 256); },
         [](Session& s) { s.answers["query121"].data = Eigen::MatrixXd::Zero(256, 257); }, "65536 numbers"},
        {"answer magnitude", [](Session& s) { s.answers["query121"].data = Eigen::MatrixXd::Constant(1, 3, -attn::kMaxMagnitude); },
         [](Session& s) { s.answers["query121"].data = Eigen::MatrixXd::Constant(1, 3, -std::nextafter(attn::kMaxMagnitude, 2e6)); },
         "is outside ±1e6 (the limit)"},
    };
    for (const Boundary& b : table) {
        SCOPED_TRACE(b.what);
        Session at = attn::default_session(), past = attn::default_session();
        b.at_limit(at);
        b.past_limit(past);
        EXPECT_EQ(round_trip(at), "(accepted)");
        const std::string m = round_trip(past);
        EXPECT_TRUE(contains(m, b.phrase)) << m;
    }
}

TEST(JsonBoundaries, NestingDepthAtTheLimitParsesOneDeeperIsRefused) {
    const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    for (const int limit : {attn::kMaxJsonDepth, attn::kMaxNotebookJsonDepth}) {
        SCOPED_TRACE(limit);
        EXPECT_EQ(error_of([&] { attn::parse_json_text(nested(limit), "d.json", limit); }), "(accepted)");
        EXPECT_TRUE(contains(error_of([&] { attn::parse_json_text(nested(limit + 1), "d.json", limit); }),
                             "nested more than " + std::to_string(limit) + " levels deep"));
        // Objects count like arrays.
        std::string objects;
        for (int i = 0; i < limit; ++i) objects += "{\"a\":";
        const std::string deep_objects = objects + "1" + std::string(limit, '}');
        EXPECT_EQ(error_of([&] { attn::parse_json_text(deep_objects, "d.json", limit); }), "(accepted)");
        EXPECT_NE(error_of([&] { attn::parse_json_text("[" + deep_objects + "]", "d.json", limit); }), "(accepted)");
    }
}

TEST(JsonBoundaries, FileSizeAtTheLimitIsReadOneByteMoreIsRefused) {
    char pattern[] = "/tmp/attnlab-json-size.XXXXXX";
    const int fd = ::mkstemp(pattern);
    ASSERT_GE(fd, 0);
    const std::string path = pattern;
    const std::size_t limit = attn::kMaxAnswerFileBytes;
    const std::string body = "[" + std::string(limit - 2, ' ') + "]";
    ASSERT_EQ(::write(fd, body.data(), body.size()), static_cast<ssize_t>(body.size()));
    EXPECT_EQ(error_of([&] { attn::read_json_file(path, limit); }), "(accepted)");
    ASSERT_EQ(::write(fd, " ", 1), 1);
    EXPECT_TRUE(contains(error_of([&] { attn::read_json_file(path, limit); }), "limit")) << error_of([&] { attn::read_json_file(path, limit); });
    ::close(fd);
    std::remove(path.c_str());
}
