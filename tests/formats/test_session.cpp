// Sessions: exact round trips, every class of bad input refused with InputError, atomic saves
// (including a process killed mid-save), and the undo history.
#include "core/base/error.h"
#include "core/course/exercises.h"
#include "core/base/json_io.h"
#include "core/course/course_session.h"
#include "core/formats/undo.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using attn::InputError;
using attn::Session;
using nlohmann::json;

namespace {

// A fresh directory under /tmp, removed (with everything in it) when the test ends.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "attn_session_XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

int count_temp_files(const fs::path& dir) {
    int n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.path().filename().string().find(".tmp-") != std::string::npos) ++n;
    return n;
}

void remove_temp_files(const fs::path& dir) {
    std::vector<fs::path> temps;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().find(".tmp-") != std::string::npos) temps.push_back(entry.path());
    for (const auto& p : temps) fs::remove(p);
}

Eigen::MatrixXd filled(int rows, int cols, double start, double step) {
    Eigen::MatrixXd m(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) m(r, c) = start + step * (r * cols + c);
    return m;
}

attn::AnswerTensor tensor(const Eigen::MatrixXd& data, bool is_vector) {
    attn::AnswerTensor t;
    t.data = data;
    t.is_vector = is_vector;
    return t;
}

// Everything away from its default, with numbers that do not print short.
Session rich_session() {
    Session s = attn::default_session();
    s.mode = attn::AppMode::Sandbox;
    Eigen::MatrixXd v121(1, 3);
    v121 << 0.1, 1.0 / 3.0, -2.5e-300;
    s.answers["query121"] = tensor(v121, true);
    Eigen::MatrixXd v122(1, 3);
    v122 << 100.0, -0.0, 5e-324;  // a denormal
    s.answers["query122"] = tensor(v122, false);  // (1, 3), not a vector
    s.answers["query131"] = tensor(filled(1, 3, 3.141592653589793, std::sqrt(2.0)), true);
    s.answers["query132"] = tensor(filled(4, 3, -1e6, 1e6 / 6.0), false);  // from the magnitude limit up
    s.answers["m_key141"] = tensor(filled(1, 3, 0.123456789012345678, 1e-17), true);
    s.answers["m_key142"] = tensor(filled(1, 3, std::nextafter(1.0, 2.0), 1.0 / 7.0), true);
    s.selected_task = attn::notebook_course().tasks.back().id;
    s.tolerance = 0.012345678901234567;

    attn::SandboxSession& b = s.sandbox;
    b.source = attn::DataSource::TorchSeed;
    b.torch_seed = 18446744073709551557ull;  // needs all 64 bits
    b.key_count = 5;
    b.key_dim = 2;
    b.value_dim = 4;
    b.data.keys = filled(5, 2, -0.3, 0.1);
    b.data.values = filled(5, 4, 0.7, -1.0 / 3.0);
    b.queries = filled(3, 2, 1e-5, 12345.678);
    b.scale_mode = attn::ScaleMode::Temperature;
    b.temperature = 0.5;
    b.causal = true;
    b.goal = "average:0,1 \u6ce8\u610f";  // UTF-8 survives

    s.view.language = "zh";
    s.view.presentation = true;
    s.view.text_zoom = 1.75f;
    s.view.camera_yaw = 0.1f;
    s.view.camera_pitch = -1.2345678f;
    s.view.camera_distance = 7.3f;
    return s;
}

// A session whose file is ~100 KB (the answers' shapes are not limited; the sandbox's are).
Session huge_session(double seed) {
    Session s = rich_session();
    s.answers["query132"] = tensor(filled(100, 60, seed, 1.0 / 3.0), false);
    return s;
}

// The InputError message, or "" when no InputError was thrown. Anything else fails the test.
std::string error_of(const std::string& text, const std::string& where = "s.json") {
    try {
        attn::session_from_json(text, where);
    } catch (const InputError& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not an InputError: " << e.what();
        return "?";
    }
    return "";
}

json rich_json() { return json::parse(attn::session_to_json(rich_session())); }

}  // namespace

// ---- round trips ------------------------------------------------------------------------------

TEST(Session, DefaultSessionIsNotebookDataWithOneZeroQuery) {
    const Session s = attn::default_session();
    const attn::Dataset nb = attn::notebook_dataset();
    EXPECT_EQ(s.sandbox.data.keys, nb.keys);
    EXPECT_EQ(s.sandbox.data.values, nb.values);
    EXPECT_EQ(s.sandbox.queries.rows(), 1);
    EXPECT_EQ(s.sandbox.queries.cols(), nb.keys.cols());
    EXPECT_TRUE(s.sandbox.queries.isZero(0));
    EXPECT_EQ(s.sandbox.key_count, 4);
    EXPECT_TRUE(s.answers.empty());
    EXPECT_NO_THROW(attn::validate_session(s, "default"));
    EXPECT_EQ(attn::session_from_json(attn::session_to_json(s), "d"), s);
}

TEST(Session, RichSessionRoundTripsThroughJsonExactly) {
    const Session s = rich_session();
    const std::string text = attn::session_to_json(s);
    const Session back = attn::session_from_json(text, "mem");
    EXPECT_TRUE(back == s);
    EXPECT_EQ(back.sandbox.torch_seed, 18446744073709551557ull);
    EXPECT_TRUE(back.answers.at("query121").is_vector);
    EXPECT_FALSE(back.answers.at("query122").is_vector);
    EXPECT_TRUE(std::signbit(back.answers.at("query122").data(0, 1)));
    EXPECT_EQ(back.answers.at("query122").data(0, 2), 5e-324);
    // Writing again gives the same bytes.
    EXPECT_EQ(attn::session_to_json(back), text);
    // The documented layout.
    const json doc = json::parse(text);
    EXPECT_EQ(doc["format"], "attnlab-session");
    EXPECT_EQ(doc["version"], 1);
    EXPECT_EQ(doc["mode"], "sandbox");
    EXPECT_EQ(doc["answers"]["query121"]["vector"], true);
    EXPECT_TRUE(doc["answers"]["query121"]["value"][0].is_number());
    EXPECT_TRUE(doc["answers"]["query122"]["value"][0].is_array());
    EXPECT_EQ(doc["sandbox"]["source"], "torch_seed");
    EXPECT_EQ(doc["sandbox"]["scale"], "temperature");
    EXPECT_EQ(doc["sandbox"]["keys"].size(), 5u);
    EXPECT_EQ(doc["view"]["language"], "zh");
}

TEST(Session, RichSessionRoundTripsThroughAFile) {
    TempDir dir;
    const std::string path = dir.file("s.attnlab.json");
    const Session s = rich_session();
    attn::save_session(s, path);
    EXPECT_TRUE(attn::load_session(path) == s);
    // Overwriting works and leaves no temporary files.
    Session t = s;
    t.sandbox.causal = false;
    attn::save_session(t, path);
    EXPECT_TRUE(attn::load_session(path) == t);
    EXPECT_FALSE(attn::load_session(path) == s);
    EXPECT_EQ(count_temp_files(dir.path()), 0);
}

TEST(Session, RandomBitPatternsRoundTripExactly) {
    std::mt19937_64 rng(12345);
    Session s = attn::default_session();
    s.sandbox.key_count = 256;
    s.sandbox.key_dim = 16;
    s.sandbox.value_dim = 16;
    s.sandbox.data.keys.resize(256, 16);
    s.sandbox.data.values.resize(256, 16);
    s.sandbox.queries.resize(256, 16);
    for (Eigen::MatrixXd* m : {&s.sandbox.data.keys, &s.sandbox.data.values, &s.sandbox.queries})
        for (Eigen::Index i = 0; i < m->size(); ++i) {
            double x;
            do {  // any bit pattern within the magnitude limit (core/base/limits.h)
                const uint64_t bits = rng();
                std::memcpy(&x, &bits, sizeof x);
            } while (!std::isfinite(x) || std::fabs(x) > 1e6);
            m->data()[i] = x;
        }
    std::uniform_real_distribution<float> angle(-10.f, 10.f);
    s.view.camera_yaw = angle(rng);
    s.view.camera_pitch = angle(rng);
    s.view.camera_distance = std::nextafter(0.0f, 1.0f);  // the smallest float above 0
    s.sandbox.temperature = std::nextafter(1e-3, 1.0);  // just above the smallest temperature allowed
    const Session back = attn::session_from_json(attn::session_to_json(s), "bits");
    ASSERT_TRUE(back == s);
    for (Eigen::Index i = 0; i < s.sandbox.data.keys.size(); ++i)
        ASSERT_EQ(std::memcmp(&s.sandbox.data.keys.data()[i], &back.sandbox.data.keys.data()[i], sizeof(double)), 0);
}

TEST(Session, MinimalFileGetsDefaults) {
    const Session s = attn::session_from_json(R"({"format": "attnlab-session", "version": 1})", "min");
    EXPECT_TRUE(s == attn::default_session());

    // Partial objects default field by field; counts come from the matrices when absent.
    const Session t = attn::session_from_json(
        R"({"format": "attnlab-session", "version": 1, "mode": "sandbox",
            "sandbox": {"keys": [[1, 0], [0, 1]], "values": [[5], [6]], "queries": [0.5, 0.5]},
            "view": {"language": "zh"}})",
        "partial");
    EXPECT_EQ(t.mode, attn::AppMode::Sandbox);
    EXPECT_EQ(t.sandbox.key_count, 2);
    EXPECT_EQ(t.sandbox.key_dim, 2);
    EXPECT_EQ(t.sandbox.value_dim, 1);
    EXPECT_EQ(t.sandbox.queries.rows(), 1);
    EXPECT_EQ(t.view.language, "zh");
    EXPECT_EQ(t.view.camera_distance, attn::default_session().view.camera_distance);
    EXPECT_EQ(t.selected_task, "1.2.1");

    // An answer without "vector": the value's form decides.
    const Session u = attn::session_from_json(
        R"({"format": "attnlab-session", "version": 1, "answers": {"query121": {"value": [1, 2, 3]},
            "query122": {"value": [[1, 2, 3]]}}})",
        "answers");
    EXPECT_TRUE(u.answers.at("query121").is_vector);
    EXPECT_FALSE(u.answers.at("query122").is_vector);
}

TEST(Session, EqualityComparesEveryField) {
    const Session a = rich_session();
    std::vector<std::function<void(Session&)>> changes = {
        [](Session& s) { s.mode = attn::AppMode::Exercises; },
        [](Session& s) { s.answers.erase("query131"); },
        [](Session& s) { s.answers["query121"].is_vector = false; },
        [](Session& s) { s.answers["query121"].data(0, 0) = std::nextafter(0.1, 1.0); },
        [](Session& s) { s.answers["query132"].data.conservativeResize(3, 3); },
        [](Session& s) { s.selected_task = "1.2.1"; },
        [](Session& s) { s.tolerance = 0.05; },
        [](Session& s) { s.sandbox.source = attn::DataSource::Random; },
        [](Session& s) { s.sandbox.torch_seed = 1; },
        [](Session& s) { s.sandbox.key_count = 4; },
        [](Session& s) { s.sandbox.key_dim = 3; },
        [](Session& s) { s.sandbox.value_dim = 3; },
        [](Session& s) { s.sandbox.data.keys(4, 1) += 1e-12; },
        [](Session& s) { s.sandbox.data.values(0, 0) = -s.sandbox.data.values(0, 0); },
        [](Session& s) { s.sandbox.queries.conservativeResize(2, 2); },
        [](Session& s) { s.sandbox.scale_mode = attn::ScaleMode::InvSqrtD; },
        [](Session& s) { s.sandbox.temperature = 0.25; },
        [](Session& s) { s.sandbox.causal = false; },
        [](Session& s) { s.sandbox.goal = "select:1"; },
        [](Session& s) { s.view.language = "en"; },
        [](Session& s) { s.view.presentation = false; },
        [](Session& s) { s.view.text_zoom = 1.0f; },
        [](Session& s) { s.view.camera_yaw = 0.0f; },
        [](Session& s) { s.view.camera_pitch = 0.0f; },
        [](Session& s) { s.view.camera_distance = 1.0f; },
    };
    EXPECT_TRUE(a == rich_session());
    for (std::size_t i = 0; i < changes.size(); ++i) {
        Session b = a;
        changes[i](b);
        EXPECT_TRUE(a != b) << "change " << i;
    }
    // Where an answer file had the answer is not part of the session.
    Session c = a;
    c.answers["query121"].line = 7;
    EXPECT_TRUE(a == c);
}

// ---- bad input --------------------------------------------------------------------------------

TEST(SessionErrors, CorruptJson) {
    for (const char* text : {"", "   ", "{", "not json", "{\"format\": \"attnlab-session\",}", "\xff\xfe{}", "nul",
                             "{\"format\": \"attnlab-session\", \"version\": 1} trailing", "[1, 2"}) {
        const std::string message = error_of(text, "bad.json");
        EXPECT_EQ(message.rfind("bad.json: ", 0), 0u) << text << " -> " << message;
    }
}

TEST(SessionErrors, DeepNestingIsRefusedNotACrash) {
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    EXPECT_NE(error_of(deep), "");
    std::string deep_field = R"({"format": "attnlab-session", "version": 1, "answers": {"query121": {"value": )" +
                             std::string(100000, '[') + "1" + std::string(100000, ']') + "}}}";
    EXPECT_NE(error_of(deep_field).find("answers.query121.value"), std::string::npos);
}

TEST(SessionErrors, FormatAndVersion) {
    EXPECT_NE(error_of("[]").find("must be a JSON object"), std::string::npos);
    EXPECT_NE(error_of("{}").find("not an attnlab session"), std::string::npos);
    EXPECT_NE(error_of(R"({"format": "attnlab-dataset", "version": 1})").find("not an attnlab session"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"format": 1, "version": 1})").find("not an attnlab session"), std::string::npos);
    EXPECT_NE(error_of(R"({"format": "attnlab-session"})").find("version is missing"), std::string::npos);

    const std::string newer = error_of(R"({"format": "attnlab-session", "version": 3})");
    EXPECT_EQ(newer, "s.json: written by a newer attnlab (session version 3; this one reads version 2)");
    EXPECT_NE(error_of(R"({"format": "attnlab-session", "version": 18446744073709551615})")
                  .find("session version 18446744073709551615; this one reads version 2"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"format": "attnlab-session", "version": 0})").find("session version 0 is not valid"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"format": "attnlab-session", "version": -2})").find("session version -2 is not valid"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"format": "attnlab-session", "version": "1"})").find("version must be a whole number"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"format": "attnlab-session", "version": 1.5})").find("version must be a whole number"),
              std::string::npos);
}

// Each case edits the rich session's JSON; the message must name the file and the field.
TEST(SessionErrors, EveryFieldIsValidated) {
    struct Case {
        const char* expect;
        std::function<void(json&)> edit;
    };
    const std::vector<Case> cases = {
        {"mode must be a string", [](json& d) { d["mode"] = 1; }},
        {"mode is \"play\"; expected one of \"exercises\", \"sandbox\"", [](json& d) { d["mode"] = "play"; }},
        {"answers must be a JSON object", [](json& d) { d["answers"] = json::array(); }},
        {"answers.query999 is not an answer name", [](json& d) { d["answers"]["query999"] = d["answers"]["query121"]; }},
        {"answers.query121 must be a JSON object", [](json& d) { d["answers"]["query121"] = json::array({1, 2}); }},
        {"answers.query121 has no \"value\"", [](json& d) { d["answers"]["query121"].erase("value"); }},
        {"answers.query121.value must be a non-empty list", [](json& d) { d["answers"]["query121"]["value"] = "1,2"; }},
        {"answers.query121.value must be a non-empty list", [](json& d) { d["answers"]["query121"]["value"] = json::array(); }},
        {"answers.query121.value: entry (0, 1) is not a number",
         [](json& d) { d["answers"]["query121"]["value"][1] = "NaN"; }},
        {"answers.query121.vector must be true or false", [](json& d) { d["answers"]["query121"]["vector"] = "yes"; }},
        {"answers.query121.vector is false but", [](json& d) { d["answers"]["query121"]["vector"] = false; }},
        {"answers.query132.vector is true but", [](json& d) { d["answers"]["query132"]["vector"] = true; }},
        {"answers.query121.line is not a known field", [](json& d) { d["answers"]["query121"]["line"] = 3; }},
        {"selected_task \"9.9.9\" is not a task", [](json& d) { d["selected_task"] = "9.9.9"; }},
        {"selected_task must be a string", [](json& d) { d["selected_task"] = 121; }},
        {"tolerance must be a number", [](json& d) { d["tolerance"] = "0.05"; }},
        {"tolerance must be a number above 0", [](json& d) { d["tolerance"] = 0; }},
        {"tolerance must be a number above 0", [](json& d) { d["tolerance"] = -0.05; }},
        {"sandbox must be a JSON object", [](json& d) { d["sandbox"] = "notebook"; }},
        {"sandbox.source is \"file\"", [](json& d) { d["sandbox"]["source"] = "file"; }},
        {"sandbox.torch_seed must not be negative", [](json& d) { d["sandbox"]["torch_seed"] = -1; }},
        {"sandbox.torch_seed must be a whole number", [](json& d) { d["sandbox"]["torch_seed"] = 4.5; }},
        {"sandbox.torch_seed must be a whole number", [](json& d) { d["sandbox"]["torch_seed"] = 1e30; }},
        {"sandbox.key_count must be a whole number", [](json& d) { d["sandbox"]["key_count"] = 5.5; }},
        {"sandbox.key_count is 0; it must be 1 to 1024", [](json& d) { d["sandbox"]["key_count"] = 0; }},
        {"sandbox.key_count is out of range", [](json& d) { d["sandbox"]["key_count"] = 99999999999; }},
        {"sandbox.keys is 5×2 but key_count × key_dim is 6×2", [](json& d) { d["sandbox"]["key_count"] = 6; }},
        {"sandbox.keys is 5×2 but key_count × key_dim is 5×3", [](json& d) { d["sandbox"]["key_dim"] = 3; }},
        {"sandbox.values is 5×4 but key_count × value_dim is 5×3", [](json& d) { d["sandbox"]["value_dim"] = 3; }},
        {"sandbox.values is 4×4 but key_count × value_dim is 5×4", [](json& d) { d["sandbox"]["values"].erase(0); }},
        {"sandbox.keys: row 1 has 3 numbers", [](json& d) { d["sandbox"]["keys"][1].push_back(1); }},
        {"sandbox.queries is 3×3 but queries need key_dim = 2",
         [](json& d) { d["sandbox"]["queries"] = json::parse("[[1,2,3],[1,2,3],[1,2,3]]"); }},
        {"sandbox.queries must be a non-empty list", [](json& d) { d["sandbox"]["queries"] = json::array(); }},
        {"sandbox.keys: entry (0, 0) is not a number", [](json& d) { d["sandbox"]["keys"][0][0] = "NaN"; }},
        {"sandbox.keys: entry (0, 0) is not a number", [](json& d) { d["sandbox"]["keys"][0][0] = nullptr; }},
        {"sandbox.keys must be a non-empty list", [](json& d) { d["sandbox"]["keys"] = "[[1, 2]]"; }},
        {"sandbox.scale is \"sqrt\"", [](json& d) { d["sandbox"]["scale"] = "sqrt"; }},
        {"sandbox.temperature must be a number above 0", [](json& d) { d["sandbox"]["temperature"] = 0; }},
        {"sandbox.temperature must be a number above 0", [](json& d) { d["sandbox"]["temperature"] = -1; }},
        {"sandbox.causal must be true or false", [](json& d) { d["sandbox"]["causal"] = "false"; }},
        {"sandbox.causal must be true or false", [](json& d) { d["sandbox"]["causal"] = 0; }},
        {"sandbox.goal must be a string", [](json& d) { d["sandbox"]["goal"] = json::array(); }},
        {"sandbox.mask is not a known field", [](json& d) { d["sandbox"]["mask"] = true; }},
        {"view must be a JSON object", [](json& d) { d["view"] = nullptr; }},
        {"view.language is \"fr\"; expected \"en\" or \"zh\"", [](json& d) { d["view"]["language"] = "fr"; }},
        {"view.presentation must be true or false", [](json& d) { d["view"]["presentation"] = 1; }},
        {"view.text_zoom must be 0.5 to 3", [](json& d) { d["view"]["text_zoom"] = 0.4; }},
        {"view.text_zoom must be 0.5 to 3", [](json& d) { d["view"]["text_zoom"] = 3.01; }},
        {"view.camera_distance must be a number above 0", [](json& d) { d["view"]["camera_distance"] = 0; }},
        {"view.camera_distance must be a number above 0", [](json& d) { d["view"]["camera_distance"] = -3; }},
        {"view.camera_distance must be a number above 0", [](json& d) { d["view"]["camera_distance"] = 1e-60; }},
        {"view.camera_yaw is out of range", [](json& d) { d["view"]["camera_yaw"] = 1e39; }},
        {"view.camera_pitch must be a number", [](json& d) { d["view"]["camera_pitch"] = "0.3"; }},
        {"view.theme is not a known field", [](json& d) { d["view"]["theme"] = "dark"; }},
        {"extra is not a known field", [](json& d) { d["extra"] = 1; }},
    };
    for (const Case& c : cases) {
        json doc = rich_json();
        c.edit(doc);
        const std::string message = error_of(doc.dump(), "bad.json");
        EXPECT_EQ(message.rfind("bad.json: ", 0), 0u) << message;
        EXPECT_NE(message.find(c.expect), std::string::npos) << "expected \"" << c.expect << "\" in: " << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

TEST(SessionErrors, SizeLimits) {
    auto with_shape = [](int n, int d, int dv, int queries) {
        json doc = json::parse(attn::session_to_json(attn::default_session()));
        doc["sandbox"]["keys"] = attn::matrix_to_json(Eigen::MatrixXd::Ones(n, d));
        doc["sandbox"]["values"] = attn::matrix_to_json(Eigen::MatrixXd::Ones(n, dv));
        doc["sandbox"]["queries"] = attn::matrix_to_json(Eigen::MatrixXd::Ones(queries, d));
        doc["sandbox"].erase("key_count");
        doc["sandbox"].erase("key_dim");
        doc["sandbox"].erase("value_dim");
        return doc.dump();
    };
    EXPECT_EQ(error_of(with_shape(1024, 128, 128, 1024)), "");
    EXPECT_EQ(error_of(with_shape(1, 1, 1, 1)), "");
    EXPECT_NE(error_of(with_shape(1025, 2, 2, 1)).find("sandbox.key_count is 1025; it must be 1 to 1024"),
              std::string::npos);
    EXPECT_NE(error_of(with_shape(3, 129, 2, 1)).find("sandbox.key_dim is 129; it must be 1 to 128"), std::string::npos);
    EXPECT_NE(error_of(with_shape(3, 2, 129, 1)).find("sandbox.value_dim is 129"), std::string::npos);
    EXPECT_NE(error_of(with_shape(3, 2, 2, 1025)).find("sandbox.queries has 1025 rows; at most 1024"),
              std::string::npos);
}

TEST(SessionErrors, NonFiniteNumbers) {
    // Puts a literal JSON cannot hold as a double where `edit` put the sentinel 777.25.
    auto with_literal = [](const std::function<void(json&)>& edit, const std::string& literal) {
        json doc = rich_json();
        edit(doc);
        std::string text = doc.dump();
        const auto pos = text.find("777.25");
        EXPECT_NE(pos, std::string::npos);
        return text.replace(pos, 6, literal);
    };
    auto key00 = [](json& d) { d["sandbox"]["keys"][0][0] = 777.25; };
    auto tolerance = [](json& d) { d["tolerance"] = 777.25; };
    auto temperature = [](json& d) { d["sandbox"]["temperature"] = 777.25; };
    auto answer = [](json& d) { d["answers"]["query121"]["value"][2] = 777.25; };
    // 1e999 overflows a double: nlohmann refuses it while parsing with out_of_range.406 (not a
    // parse_error); session_from_json must still throw InputError.
    for (const char* big : {"1e999", "-1e999", "1E400"})
        for (const auto& edit : std::vector<std::function<void(json&)>>{key00, tolerance, temperature, answer}) {
            const std::string m = error_of(with_literal(edit, big));
            EXPECT_EQ(m.rfind("s.json: ", 0), 0u) << m;
            EXPECT_NE(m.find("invalid JSON"), std::string::npos) << m;
        }
    for (const char* bad : {"NaN", "nan", "Infinity", "-Infinity", "inf"})
        EXPECT_NE(error_of(with_literal(temperature, bad)).find("invalid JSON"), std::string::npos) << bad;
    // As strings they are wrong types.
    EXPECT_NE(error_of(with_literal(temperature, "\"NaN\"")).find("sandbox.temperature must be a number"),
              std::string::npos);
    EXPECT_NE(error_of(with_literal(answer, "\"Infinity\"")).find("answers.query121.value: entry (0, 2) is not a number"),
              std::string::npos);
    EXPECT_NE(error_of(with_literal(key00, "null")).find("sandbox.keys: entry (0, 0) is not a number"),
              std::string::npos);
    // An underflow to 0 is a finite number: fine for a key, refused where 0 is not allowed.
    EXPECT_EQ(attn::session_from_json(with_literal(key00, "1e-400"), "u").sandbox.data.keys(0, 0), 0.0);
    EXPECT_NE(error_of(with_literal(temperature, "1e-400")).find("sandbox.temperature must be a number above 0"),
              std::string::npos);
}

TEST(SessionErrors, TruncatedAtEveryOffsetIsAnInputError) {
    const Session s = rich_session();
    const std::string text = attn::session_to_json(s);
    ASSERT_GT(text.size(), 500u);
    for (std::size_t n = 0; n < text.size(); ++n) {
        const std::string prefix = text.substr(0, n);
        try {
            const Session back = attn::session_from_json(prefix, "cut.json");
            // Only the trailing newline may be missing.
            EXPECT_TRUE(back == s) << "offset " << n;
            EXPECT_GE(n, text.size() - 1) << "offset " << n;
        } catch (const InputError& e) {
            EXPECT_EQ(std::string(e.what()).rfind("cut.json: ", 0), 0u);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "offset " << n << ": " << e.what();
        }
    }
    // And through files, at a spread of offsets.
    TempDir dir;
    const std::string path = dir.file("cut.json");
    for (std::size_t n = 0; n + 1 < text.size(); n += text.size() / 40 + 1) {
        write_bytes(path, text.substr(0, n));
        EXPECT_THROW(attn::load_session(path), InputError) << "offset " << n;
    }
}

TEST(SessionErrors, RandomCorruptionNeverCrashes) {
    const std::string text = attn::session_to_json(rich_session());
    std::mt19937 rng(7);
    std::uniform_int_distribution<std::size_t> where(0, text.size() - 1);
    const char raw[] = "{}[]\",:0123456789.eE+-ntfaxyz \\\x00\xff\xc3";
    const std::string alphabet(raw, sizeof raw - 1);
    int refused = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string t = text;
        const int edits = 1 + i % 4;
        for (int e = 0; e < edits; ++e) {
            const std::size_t pos = where(rng);
            switch (rng() % 3) {
                case 0: t[pos % t.size()] = alphabet[rng() % alphabet.size()]; break;
                case 1: t.erase(pos % t.size(), 1 + rng() % 8); break;
                default: t.insert(pos % (t.size() + 1), 1, alphabet[rng() % alphabet.size()]); break;
            }
            if (t.empty()) t = "x";
        }
        try {
            attn::session_from_json(t, "fuzz");
        } catch (const InputError&) {
            ++refused;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not an InputError: " << e.what();
        }
    }
    EXPECT_GT(refused, 1000);
}

TEST(SessionErrors, FileProblems) {
    TempDir dir;
    EXPECT_THROW(attn::load_session(dir.file("missing.json")), InputError);
    EXPECT_THROW(attn::load_session(dir.path().string()), InputError);  // a directory
    // More than 16 MiB is refused before reading.
    const std::string big = dir.file("big.json");
    { std::ofstream out(big); }
    fs::resize_file(big, (16u << 20) + 1);
    try {
        attn::load_session(big);
        ADD_FAILURE() << "a 16 MiB + 1 file loaded";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("more than the limit"), std::string::npos) << e.what();
    }
}

// ---- saving -----------------------------------------------------------------------------------

TEST(SessionSave, MissingOrUnwritableDirectoryThrowsAndLeavesNothing) {
    TempDir dir;
    const Session s = rich_session();
    EXPECT_THROW(attn::save_session(s, dir.file("no/such/dir/s.json")), InputError);
    write_bytes(dir.file("plain"), "x");
    EXPECT_THROW(attn::save_session(s, dir.file("plain/s.json")), InputError);  // a file as a folder
    EXPECT_EQ(count_temp_files(dir.path()), 0);

    // A read-only folder (root ignores the mode bits, so this part needs an ordinary user).
    const std::string ro = dir.file("readonly");
    fs::create_directory(ro);
    attn::save_session(s, ro + "/s.json");
    const std::string before = read_bytes(ro + "/s.json");
    fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
    if (::geteuid() != 0) {
        Session t = s;
        t.mode = attn::AppMode::Exercises;
        EXPECT_THROW(attn::save_session(t, ro + "/s.json"), InputError);
        EXPECT_EQ(read_bytes(ro + "/s.json"), before);
    }
    fs::permissions(ro, fs::perms::owner_all, fs::perm_options::replace);
    EXPECT_EQ(count_temp_files(dir.path()), 0);
}

TEST(SessionSave, InvalidSessionIsNotWritten) {
    TempDir dir;
    const std::string path = dir.file("s.json");
    attn::save_session(rich_session(), path);
    const std::string before = read_bytes(path);
    Session bad = rich_session();
    bad.sandbox.key_count = 6;  // keys are 5×2
    try {
        attn::save_session(bad, path);
        ADD_FAILURE() << "saved an inconsistent session";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("sandbox.keys is 5×2"), std::string::npos) << e.what();
    }
    bad = rich_session();
    bad.answers["query121"].data(0, 0) = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(attn::save_session(bad, path), InputError);
    bad = rich_session();
    bad.answers["bogus"] = bad.answers["query121"];
    EXPECT_THROW(attn::save_session(bad, path), InputError);
    bad = rich_session();
    bad.answers["query121"].data.resize(0, 0);  // would write [] which cannot be read back
    EXPECT_THROW(attn::session_to_json(bad), InputError);
    EXPECT_EQ(read_bytes(path), before);
    EXPECT_EQ(count_temp_files(dir.path()), 0);
}

// A directory where the file should go: the temporary file is written, the rename fails.
TEST(SessionSave, FailedRenameLeavesTargetAndNoTempFile) {
    TempDir dir;
    const std::string target = dir.file("s.json");
    fs::create_directory(target);
    write_bytes(target + "/inside", "keep");
    EXPECT_THROW(attn::save_session(rich_session(), target), InputError);
    EXPECT_TRUE(fs::is_directory(target));
    EXPECT_EQ(read_bytes(target + "/inside"), "keep");
    EXPECT_EQ(count_temp_files(dir.path()), 0);
}

// A save interrupted midway (the file size limit makes write() fail after the first 64 KiB of a
// ~100 KB session) leaves the previous file intact and no temporary file.
TEST(SessionSave, InterruptedWriteLeavesPreviousFileIntact) {
    TempDir dir;
    const std::string path = dir.file("s.json");
    attn::save_session(rich_session(), path);
    const std::string before = read_bytes(path);
    ASSERT_LT(before.size(), 64u * 1024);

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        limit.rlim_cur = limit.rlim_max = 64 * 1024;
        ::setrlimit(RLIMIT_FSIZE, &limit);
        int code = 3;
        try {
            attn::save_session(huge_session(1.0), path);
            code = 1;  // should not have fitted
        } catch (const InputError& e) {
            code = std::string(e.what()).find("cannot write") != std::string::npos ? 0 : 2;
        } catch (...) {
            code = 4;
        }
        ::_exit(code);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: saved anyway, 2: wrong message, 3/4: other failure";
    EXPECT_EQ(read_bytes(path), before);
    EXPECT_TRUE(attn::load_session(path) == rich_session());
    EXPECT_EQ(count_temp_files(dir.path()), 0);
}

// The real thing: a child saving in a loop is SIGKILLed at random moments. Whatever the moment,
// the file is one complete session (the old or the new one), never a mix or a fragment.
TEST(SessionSave, KilledMidSaveLeavesOldOrNewSession) {
    TempDir dir;
    const std::string path = dir.file("s.json");
    const Session old_session = huge_session(1.0);
    const Session new_session = huge_session(2.0);
    attn::save_session(new_session, path);
    const std::string new_bytes = read_bytes(path);
    auto t0 = std::chrono::steady_clock::now();
    attn::save_session(old_session, path);
    const auto save_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    const std::string old_bytes = read_bytes(path);
    ASSERT_GT(old_bytes.size(), 65536u);
    ASSERT_NE(old_bytes, new_bytes);

    // Kill anywhere in the first ~3 saves, so some rounds end mid-write and some after a rename.
    std::mt19937 rng(2024);
    std::uniform_int_distribution<long> delay(0, 3 * save_us + 1000);
    const auto start = std::chrono::steady_clock::now();
    int kills = 0, changes = 0, interrupted = 0;
    bool on_disk_is_new = false;
    for (int round = 0; round < 40; ++round) {
        if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(2500)) break;
        const bool first_new = !on_disk_is_new;  // the child first writes the other session
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            for (int i = 0; i < 1000; ++i) {
                try {
                    attn::save_session((i % 2 == 0) == first_new ? new_session : old_session, path);
                } catch (...) {
                    ::_exit(2);
                }
            }
            ::_exit(0);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(delay(rng)));
        ::kill(child, SIGKILL);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        if (WIFSIGNALED(status)) ++kills;
        else
            EXPECT_EQ(WEXITSTATUS(status), 0);

        const std::string bytes = read_bytes(path);
        const bool is_new = bytes == new_bytes;
        if (!is_new && bytes != old_bytes) {
            // Not byte-identical to either: it must at least be one of them when read.
            const Session loaded = attn::load_session(path);
            ASSERT_TRUE(loaded == old_session || loaded == new_session) << "round " << round;
            FAIL() << "round " << round << ": the file changed bytes without changing sessions";
        }
        if (is_new != on_disk_is_new) ++changes;
        on_disk_is_new = is_new;
        if (count_temp_files(dir.path()) > 0) ++interrupted;
        remove_temp_files(dir.path());
    }
    EXPECT_TRUE(attn::load_session(path) == (on_disk_is_new ? new_session : old_session));
    EXPECT_GE(kills, 5);
    std::printf("[ info     ] one save %ld us; %d kills, the file changed %d times, %d kills left a temp file\n",
                static_cast<long>(save_us), kills, changes, interrupted);
}

// ---- undo -------------------------------------------------------------------------------------

namespace {

// Each step changes the document: the causal flag, the seed.
Session with_seed(const Session& s, uint64_t seed) {
    Session t = s;
    t.sandbox.torch_seed = seed;
    return t;
}

}  // namespace

TEST(Undo, RecordUndoRedo) {
    attn::UndoHistory history;
    EXPECT_FALSE(history.can_undo());
    EXPECT_FALSE(history.can_redo());
    const Session s0 = attn::default_session();
    const Session s1 = with_seed(s0, 1);
    const Session s2 = with_seed(s1, 2);
    const Session s3 = with_seed(s2, 3);
    history.record(s0, s1);
    history.record(s1, s2);
    history.record(s2, s3);
    EXPECT_EQ(history.size(), 3u);

    Session current = s3;
    EXPECT_FALSE(history.redo(current));
    EXPECT_TRUE(current == s3);
    ASSERT_TRUE(history.undo(current));
    EXPECT_TRUE(current == s2);
    ASSERT_TRUE(history.undo(current));
    EXPECT_TRUE(current == s1);
    EXPECT_TRUE(history.can_redo());
    EXPECT_EQ(history.redo_size(), 2u);
    ASSERT_TRUE(history.redo(current));
    EXPECT_TRUE(current == s2);
    ASSERT_TRUE(history.undo(current));
    ASSERT_TRUE(history.undo(current));
    EXPECT_TRUE(current == s0);
    EXPECT_FALSE(history.undo(current));
    EXPECT_TRUE(current == s0);
    ASSERT_TRUE(history.redo(current));
    ASSERT_TRUE(history.redo(current));
    ASSERT_TRUE(history.redo(current));
    EXPECT_TRUE(current == s3);
    EXPECT_FALSE(history.redo(current));

    history.clear();
    EXPECT_FALSE(history.can_undo());
    EXPECT_FALSE(history.can_redo());
    EXPECT_EQ(history.size(), 0u);
}

TEST(Undo, NewEditDropsRedoBranch) {
    attn::UndoHistory history;
    const Session s0 = attn::default_session();
    const Session s1 = with_seed(s0, 1);
    const Session s2 = with_seed(s1, 2);
    history.record(s0, s1);
    history.record(s1, s2);
    Session current = s2;
    history.undo(current);  // back to s1
    EXPECT_TRUE(history.can_redo());
    const Session branch = with_seed(current, 99);
    history.record(current, branch);
    current = branch;
    EXPECT_FALSE(history.can_redo());
    EXPECT_FALSE(history.redo(current));
    ASSERT_TRUE(history.undo(current));
    EXPECT_TRUE(current == s1);
    ASSERT_TRUE(history.undo(current));
    EXPECT_TRUE(current == s0);
    EXPECT_FALSE(history.can_undo());
}

TEST(Undo, NoOpEditsAreNotRecorded) {
    attn::UndoHistory history;
    const Session s = rich_session();
    history.record(s, s);
    EXPECT_FALSE(history.can_undo());
    // A failed record() keeps the redo branch.
    const Session t = with_seed(s, 5);
    history.record(s, t);
    Session current = t;
    history.undo(current);
    history.record(current, current);
    EXPECT_TRUE(history.can_redo());
}

TEST(Undo, LimitDropsTheOldest) {
    attn::UndoHistory history(3);
    std::vector<Session> states{attn::default_session()};
    for (uint64_t i = 1; i <= 5; ++i) {
        states.push_back(with_seed(states.back(), i));
        history.record(states[i - 1], states[i]);
    }
    EXPECT_EQ(history.size(), 3u);
    Session current = states[5];
    ASSERT_TRUE(history.undo(current));
    ASSERT_TRUE(history.undo(current));
    ASSERT_TRUE(history.undo(current));
    EXPECT_TRUE(current == states[2]);  // states[0] and [1] were dropped
    EXPECT_FALSE(history.undo(current));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(history.redo(current));
    EXPECT_TRUE(current == states[5]);

    attn::UndoHistory none(0);
    none.record(states[0], states[1]);
    EXPECT_FALSE(none.can_undo());
}

TEST(Undo, ViewOnlyChangesAreNotRecorded) {
    attn::UndoHistory history;
    const Session s = rich_session();
    Session camera = s;
    camera.view.camera_yaw += 1.0f;
    camera.view.camera_pitch -= 0.5f;
    camera.view.camera_distance *= 2.0f;
    history.record(s, camera);
    EXPECT_FALSE(history.can_undo());
    Session zoom = s;
    zoom.view.text_zoom = 2.0f;
    zoom.view.language = "en";
    zoom.view.presentation = false;
    history.record(s, zoom);
    EXPECT_FALSE(history.can_undo());
    EXPECT_TRUE(attn::same_document(s, camera));
    EXPECT_FALSE(attn::same_document(s, with_seed(s, 1)));
}

TEST(Undo, UndoKeepsTheCurrentView) {
    attn::UndoHistory history;
    const Session s0 = rich_session();
    Session s1 = s0;
    s1.sandbox.causal = false;
    s1.view.camera_yaw = 2.0f;  // a camera move inside the same edit
    history.record(s0, s1);

    Session current = s1;
    current.view.camera_yaw = -1.0f;  // moved afterwards
    current.view.camera_distance = 9.0f;
    current.view.text_zoom = 2.5f;
    current.view.presentation = false;
    current.view.language = "en";
    const attn::ViewSession view = current.view;

    ASSERT_TRUE(history.undo(current));
    EXPECT_TRUE(current.sandbox.causal);  // the document is back
    EXPECT_TRUE(attn::same_document(current, s0));
    EXPECT_EQ(current.view.camera_yaw, view.camera_yaw);
    EXPECT_EQ(current.view.camera_distance, view.camera_distance);
    EXPECT_EQ(current.view.text_zoom, view.text_zoom);
    EXPECT_EQ(current.view.presentation, view.presentation);
    EXPECT_EQ(current.view.language, view.language);

    current.view.camera_pitch = 0.9f;
    const attn::ViewSession view2 = current.view;
    ASSERT_TRUE(history.redo(current));
    EXPECT_FALSE(current.sandbox.causal);
    EXPECT_TRUE(attn::same_document(current, s1));
    EXPECT_EQ(current.view.camera_pitch, view2.camera_pitch);
    EXPECT_EQ(current.view.camera_yaw, view2.camera_yaw);
}

// ---- the course pack a session belongs to ------------------------------------------------------

namespace {

Session pack_session() {
    Session s = attn::default_session();
    s.pack.file = "/courses/my pack.json";
    s.pack.hash = attn::content_hash("{\"attnlab_pack\": 1}");
    s.pack.student = "s-0042";
    s.selected_task = "2.1.1";
    attn::AnswerTensor t;
    t.data = Eigen::MatrixXd::Constant(1, 1, 0.125);
    t.is_vector = false;
    s.answers["temperature211"] = t;
    s.notes["2.1.3"] = "the weights flatten";
    return s;
}

}  // namespace

TEST(SessionPack, FileReferenceRoundTripsExactly) {
    const Session s = pack_session();
    const std::string text = attn::session_to_json(s);
    const json doc = json::parse(text);
    EXPECT_EQ(doc["pack"]["file"], "/courses/my pack.json");
    EXPECT_EQ(doc["pack"]["student"], "s-0042");
    EXPECT_EQ(doc["pack"]["hash"].get<std::string>().substr(0, 8), "fnv1a64:");
    const Session back = attn::session_from_json(text, "t.json");
    EXPECT_TRUE(back == s);
    EXPECT_TRUE(back.pack == s.pack);
}

TEST(SessionPack, BuiltinReferenceRoundTripsAndDiffers) {
    Session s = attn::default_session();
    s.pack.builtin = "temperature-masks";
    s.selected_task = "2.2.3";
    const Session back = attn::session_from_json(attn::session_to_json(s), "t.json");
    EXPECT_EQ(back.pack.builtin, "temperature-masks");
    EXPECT_TRUE(back == s);
    Session other = s;
    other.pack.student = "ann";
    EXPECT_FALSE(other == s);  // undo and "unsaved" see a change of variant
}

TEST(SessionPack, OldSessionsMeanTheNotebookAndAreWrittenWithoutPack) {
    const Session s = attn::default_session();
    const std::string text = attn::session_to_json(s);
    EXPECT_FALSE(json::parse(text).contains("pack"));
    EXPECT_TRUE(attn::session_from_json(text, "t.json").pack.empty());
    // Without a pack the notebook's names are still enforced.
    json doc = json::parse(text);
    doc["answers"] = {{"temperature211", {{"value", {{1.0}}}}}};
    EXPECT_THROW(attn::session_from_json(doc.dump(), "t.json"), InputError);
}

TEST(SessionPack, BadReferencesAreRefusedWithTheirField) {
    const json good = json::parse(attn::session_to_json(pack_session()));
    const auto refused = [&](const std::function<void(json&)>& edit, const std::string& needle) {
        json doc = good;
        edit(doc);
        try {
            attn::session_from_json(doc.dump(), "t.json");
            ADD_FAILURE() << "accepted: " << doc["pack"].dump();
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    refused([](json& d) { d["pack"]["hash"] = "md5:00"; }, "pack.hash");
    refused([](json& d) { d["pack"]["builtin"] = "temperature-masks"; }, "both");
    refused([](json& d) { d["pack"] = {{"builtin", "no-such-pack"}}; }, "pack.builtin");
    refused([](json& d) { d["pack"]["colour"] = "red"; }, "colour");
    refused(
        [](json& d) {
            d["pack"] = {{"student", "ann"}};
            d["answers"] = json::object();
            d["notes"] = json::object();
            d["selected_task"] = "1.2.1";
        },
        "pack names no built-in pack");
    refused([](json& d) { d["answers"]["not a name"] = {{"value", {1.0}}}; }, "answers");
    refused([](json& d) { d["selected_task"] = "2 1"; }, "selected_task");
}

TEST(SessionPack, ContentHashIsFnv1a64) {
    EXPECT_EQ(attn::content_hash(""), "fnv1a64:cbf29ce484222325");
    EXPECT_EQ(attn::content_hash("a"), "fnv1a64:af63dc4c8601ec8c");
    EXPECT_NE(attn::content_hash("{}"), attn::content_hash("{ }"));
}

TEST(Session, SameDocumentIgnoresOnlyTheViewersSettings) {
    attn::Session a = attn::default_session();
    attn::Session b = a;
    b.view.text_zoom = 2.0f;
    b.view.language = "zh";
    EXPECT_TRUE(attn::same_document(a, b)) << "the view belongs to the person at the screen";
    EXPECT_FALSE(a == b) << "a saved file still records the view";
    b = a;
    b.sandbox.queries(0, 0) += 1;
    EXPECT_FALSE(attn::same_document(a, b));
    b = a;
    b.notes["2.1"] = "a note";
    EXPECT_FALSE(attn::same_document(a, b));
    b = a;
    b.pack.builtin = "temperature-masks";
    EXPECT_FALSE(attn::same_document(a, b));
}
