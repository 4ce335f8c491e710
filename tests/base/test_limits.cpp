// Issue 11: hostile and oversized input. The limits of core/base/limits.h, the message rule (one line,
// at most 300 bytes, no control characters, the file named), bounded parsers, refusing special
// files as write targets, strict numbers, and a solver whose memory is linear in d.
#include "core/course/answer_file.h"
#include "core/math/dataset.h"
#include "core/base/error.h"
#include "core/course/exercises.h"
#include "core/math/geometry.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/course_session.h"
#include "core/math/solver.h"
#include "core/base/text.h"

#include "tests/support/cpu_time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using attn::InputError;

namespace {

// The InputError message of f(), or "" when none was thrown; anything else fails the test.
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        EXPECT_TRUE(attn::message_is_clean(e.what())) << e.what();
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not an InputError: " << e.what();
        return "?";
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// CPU seconds since `start` (attn::test::cpu_seconds()): a bound that load cannot break.
double seconds_since(double start) { return attn::test::cpu_seconds() - start; }

// A scratch directory removed at the end of the test.
class TempDir {
public:
    TempDir() {
        char pattern[] = "/tmp/attnlab-limits.XXXXXX";
        path_ = ::mkdtemp(pattern);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string file(const std::string& name, const std::string& contents) const {
        const std::string path = path_ + "/" + name;
        std::ofstream(path, std::ios::binary) << contents;
        return path;
    }
    std::string path(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string regress(const std::string& name) { return std::string(ATTN_TEST_REGRESS_DIR) + "/" + name; }

std::string session_with(const std::string& sandbox_fields, const std::string& answers = "{}") {
    return R"({"format": "attnlab-session", "version": 1, "answers": )" + answers + R"(, "sandbox": {)" +
           sandbox_fields + "}}";
}

}  // namespace

// ---- the message helper ---------------------------------------------------------------------

TEST(Messages, PrintableEscapesControlsAndCaps) {
    EXPECT_EQ(attn::printable("a\nb\x1b[31mRED"), "a\\nb\\x1b[31mRED");
    EXPECT_EQ(attn::printable(std::string("x\0y", 3)), "x\\x00y");
    EXPECT_EQ(attn::printable("\xff\xfe"), "\\xff\\xfe");                // not UTF-8
    EXPECT_EQ(attn::printable("a\xe2\x80\xae" "b"), "a\\u202eb");          // right-to-left override
    EXPECT_EQ(attn::printable("\xe6\xb3\xa8\xe6\x84\x8f"), "\xe6\xb3\xa8\xe6\x84\x8f");  // Chinese stays
    EXPECT_EQ(attn::printable("back\\slash"), "back\\\\slash");
    const std::string long_name = attn::printable(std::string(5000, 'x'));
    EXPECT_EQ(long_name, std::string(40, 'x') + "...");
    // Never cut inside a character: 20 three-byte characters in 40 bytes → 13 of them.
    std::string chinese;
    for (int i = 0; i < 20; ++i) chinese += "\xe6\xb3\xa8";
    EXPECT_EQ(attn::printable(chinese), chinese.substr(0, 39) + "...");
    EXPECT_EQ(attn::in_quotes("a\"b"), "\"a\"b\"");
}

TEST(Messages, EveryInputErrorIsOneCleanLine) {
    const InputError e(std::string(100000, 'y') + "\n\x1b[2J" + std::string("\0", 1) + "end of the problem");
    EXPECT_TRUE(attn::message_is_clean(e.what())) << e.what();
    EXPECT_LE(std::string(e.what()).size(), attn::kMaxMessageBytes);
    EXPECT_TRUE(contains(e.what(), "end of the problem")) << e.what();  // the end survives the cut
    EXPECT_FALSE(attn::message_is_clean("two\nlines"));
    EXPECT_FALSE(attn::message_is_clean("\x1b[31m"));
    EXPECT_FALSE(attn::message_is_clean(""));
    EXPECT_TRUE(attn::message_is_clean("f.json: 4×3 is fine, ±1e6 too"));
}

// ---- bounded JSON ---------------------------------------------------------------------------

TEST(BoundedJson, EightMiBOfBracketsIsRefusedQuicklyAtTheDepthLimit) {
    const std::string brackets(8u << 20, '[');
    const double start = attn::test::cpu_seconds();
    const std::string m = error_of([&] { attn::parse_json_text(brackets, "deep.json"); });
    EXPECT_LT(seconds_since(start), 1.0);
    EXPECT_EQ(m, "deep.json: nested more than 16 levels deep (the limit), at line 1, column 17 (byte 16)");
    EXPECT_NO_THROW(attn::parse_json_text(std::string(16, '[') + std::string(16, ']'), "ok.json"));
    // Brackets inside strings do not count.
    EXPECT_NO_THROW(attn::parse_json_text("[\"" + std::string(100, '[') + "\"]", "ok.json"));
}

TEST(BoundedJson, ErrorsNeverQuoteTheText) {
    const std::string unterminated = "{\"keys\": \"" + std::string(8u << 20, 'A');
    const std::string m = error_of([&] { attn::parse_json_text(unterminated, "s.json"); });
    EXPECT_EQ(m.rfind("s.json: invalid JSON at line 1, column ", 0), 0u) << m;
    EXPECT_FALSE(contains(m, "AAAA")) << m;
    EXPECT_EQ(error_of([] { attn::parse_json_text("{\"a\": 1,\n \"b\": x}", "s.json"); }),
              "s.json: invalid JSON at line 2, column 7 (byte 15)");
    EXPECT_TRUE(contains(error_of([] { attn::parse_json_text("[1e999]", "s.json"); }), "number too large"));
}

TEST(BoundedJson, DuplicateKeysAndNulBytesAreRefused) {
    EXPECT_EQ(error_of([] { attn::parse_json_text(R"({"keys": 1, "keys": 2})", "d.json"); }),
              "d.json: invalid JSON: the key \"keys\" appears twice in one object");
    EXPECT_EQ(error_of([] { attn::parse_json_text(std::string("{}\0 garbage", 11), "d.json"); }),
              "d.json: contains a NUL byte at line 1, column 3 (byte 2) (not a text file)");
    // A file name with a newline is shown escaped.
    EXPECT_EQ(error_of([] { attn::parse_json_text("[", "evil\nname.json"); }).rfind("evil\\nname.json: ", 0), 0u);
}

// ---- data sets -----------------------------------------------------------------------------

TEST(DatasetLimits, ShapesMagnitudesAndFieldsAreChecked) {
    auto parse = [](const std::string& text) { return error_of([&] { attn::parse_dataset_json(text, "d.json"); }); };
    EXPECT_EQ(parse(R"({"keys": [[1]], "values": [[1]], "keys": [[2]]})"),
              "d.json: invalid JSON: the key \"keys\" appears twice in one object");
    std::string wide = R"({"keys": [[)";
    for (int i = 0; i < 129; ++i) wide += i ? ",1" : "1";
    wide += R"(]], "values": [[1]]})";
    EXPECT_EQ(parse(wide), "d.json: d (key components) = 129 is more than the limit of 128");
    std::string many = R"({"keys": [)";
    for (int i = 0; i < 1025; ++i) many += i ? ",[1]" : "[1]";
    many += R"(], "values": [)";
    for (int i = 0; i < 1025; ++i) many += i ? ",[1]" : "[1]";
    EXPECT_EQ(parse(many + "]}"), "d.json: N (keys) = 1025 is more than the limit of 1024");
    EXPECT_EQ(parse(R"({"keys": [[1e308, 0]], "values": [[1]]})"), "d.json: keys[0][0]: 1e308 is outside ±1e6 (the limit)");
    EXPECT_EQ(parse(R"({"keys": [[1]], "values": [[-1000001]]})"),
              "d.json: values[0][0]: -1000001 is outside ±1e6 (the limit)");
    EXPECT_EQ(parse(R"({"keys": [[1000000]], "values": [[-1000000]]})"), "");  // the limit itself is fine
    EXPECT_EQ(parse(std::string("{\"keys\": [[1]], \"values\": [[1]]}\0{", 33)).rfind("d.json: contains a NUL byte", 0), 0u);
}

TEST(DatasetLimits, RowsAreCheckedBeforeAllocating) {
    // Row 0 long, then many empty rows: rows × cols must not be allocated from row 0 alone.
    std::string text = R"({"keys": [[)" + std::string("1") ;
    for (int i = 0; i < 20000; ++i) text += ",1";
    text += "]";
    for (int i = 0; i < 100000; ++i) text += ",[]";
    text += R"(], "values": [[1]]})";
    EXPECT_TRUE(contains(error_of([&] { attn::parse_dataset_json(text, "d.json"); }), "row 1 has 0 numbers"));
}

TEST(DatasetLimits, RegressionFilesGiveOneCleanLineNamingTheFile) {
    for (const char* name : {"dataset_field_newline_esc.json", "solve_1e308_message_without_file.json",
                             "solve_d100000_abort.json", "solve_d10000_768MB.json"}) {
        const std::string m = error_of([&] { attn::load_dataset_json(regress(name)); });
        EXPECT_TRUE(contains(m, name)) << m;
    }
    EXPECT_TRUE(contains(error_of([] { attn::load_dataset_json(regress("dataset_field_newline_esc.json")); }),
                         "unknown field \"a\\nb\\x1b[31mRED\""));
}

// ---- sessions ------------------------------------------------------------------------------

TEST(SessionLimits, TensorsBeyondTheMagnitudeLimitAreRefusedNamingTheField) {
    auto load = [](const std::string& text) { return error_of([&] { attn::session_from_json(text, "s.json"); }); };
    EXPECT_EQ(load(session_with("", R"({"query121": {"value": [1e160, 0, 0]}})")),
              "s.json: answers.query121[0]: 1e160 is outside ±1e6 (the limit)");
    EXPECT_EQ(load(session_with(R"("keys": [[1, 2, 3e38], [0, 0, 0], [0, 0, 0], [0, 0, 0]])")),
              "s.json: sandbox.keys[0][2]: 3e38 is outside ±1e6 (the limit)");
    EXPECT_EQ(load(session_with(R"("queries": [[0, 0, -1e308]])")),
              "s.json: sandbox.queries[0][2]: -1e308 is outside ±1e6 (the limit)");
    EXPECT_EQ(load(session_with(R"("values": [[1e6, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])")), "");
}

TEST(SessionLimits, TemperatureHasARange) {
    auto load = [](const std::string& text) { return error_of([&] { attn::session_from_json(text, "s.json"); }); };
    EXPECT_TRUE(contains(load(session_with(R"("temperature": 1e-300)")), "outside the limits 0.001 to 1000"));
    EXPECT_TRUE(contains(load(session_with(R"("temperature": 1e300)")), "outside the limits 0.001 to 1000"));
    EXPECT_EQ(load(session_with(R"("temperature": 0.001)")), "");
    EXPECT_EQ(load(session_with(R"("temperature": 1000)")), "");
}

TEST(SessionLimits, DeepNestingIsRefusedQuickly) {
    const std::string brackets(8u << 20, '[');
    const double start = attn::test::cpu_seconds();
    EXPECT_TRUE(contains(error_of([&] { attn::session_from_json(brackets, "s.json"); }), "the limit"));
    const std::string inside = session_with(R"("keys": )" + std::string(1000, '['));
    EXPECT_TRUE(contains(error_of([&] { attn::session_from_json(inside, "s.json"); }), "nested more than 16"));
    EXPECT_LT(seconds_since(start), 1.0);
}

TEST(SessionLimits, RegressionFilesGiveOneCleanLineNamingTheFile) {
    for (const char* name : {"fuzz_session_crash_multiline_message.json", "session_answer_1e200_segv.json",
                             "session_field_newline_2lines.json", "session_key_3e38_segv.json",
                             "session_q121_1e160_segv.json", "session_query_1e308_segv.json",
                             "session_value_3e38_segv.json"}) {
        const std::string m = error_of([&] { attn::load_session(regress(name)); });
        EXPECT_TRUE(contains(m, name)) << m;
    }
    // 1e6 is within the limit: the session loads (drawing it is the window's business).
    EXPECT_NO_THROW(attn::load_session(regress("session_value_1e6_unbounded_memory.json")));
}

// ---- writing --------------------------------------------------------------------------------

TEST(AtomicWrite, RefusesFifosAndDirectoriesAndLeavesThemAlone) {
    TempDir dir;
    const std::string fifo = dir.path("pipe");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(error_of([&] { attn::write_file_atomically(fifo, "x"); }),
              fifo + ": is a FIFO, not a regular file; nothing was written");
    struct stat info {};
    ASSERT_EQ(::stat(fifo.c_str(), &info), 0);
    EXPECT_TRUE(S_ISFIFO(info.st_mode));

    const std::string folder = dir.path("folder");
    fs::create_directory(folder);
    EXPECT_EQ(error_of([&] { attn::write_file_atomically(folder, "x"); }),
              folder + ": is a directory, not a regular file; nothing was written");
    EXPECT_TRUE(fs::is_directory(folder));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path("")), fs::directory_iterator()), 2);  // no temp left

    const std::string file = dir.file("plain.json", "old");
    attn::write_file_atomically(file, "new");
    std::ifstream in(file);
    std::string text;
    in >> text;
    EXPECT_EQ(text, "new");
}

// Issue 23, defect 5: a save killed half-way leaves NAME.tmp-XXXXXX; the next start removes ours,
// and only when its writer is gone: a writer holds the temp file's flock until its rename.
TEST(AtomicWrite, StaleTempFilesOfOursAreRemovedButNotOnesBeingWritten) {
    TempDir dir;
    const std::string stale = dir.file("autosave.json.tmp-abc123", std::string(4096, 'x'));
    const std::string recent = dir.file("recent.json.tmp-XyZ789", "[");
    const std::string being_written = dir.file("autosave.json.tmp-live01", "{");
    const std::string not_ours = dir.file("notes.json.tmp-abc123", "keep");
    const std::string wrong_pattern = dir.file("autosave.json.tmp-abc12", "keep");
    const std::string target = dir.file("autosave.json", "{}");
    const int writer = ::open(being_written.c_str(), O_RDWR);
    ASSERT_GE(writer, 0);
    ASSERT_EQ(::flock(writer, LOCK_EX), 0);  // as write_file_atomically holds it while writing
    const auto ours = [](const std::string& name) { return name == "autosave.json" || name == "recent.json"; };
    EXPECT_EQ(attn::remove_stale_temp_files(dir.path(""), ours), 2);
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_FALSE(fs::exists(recent));
    for (const std::string& kept : {being_written, not_ours, wrong_pattern, target}) EXPECT_TRUE(fs::exists(kept)) << kept;
    ::close(writer);  // the writer is gone now: its file is a leftover too
    EXPECT_EQ(attn::remove_stale_temp_files(dir.path(""), ours), 1);
    EXPECT_FALSE(fs::exists(being_written));
    attn::write_file_atomically(target, "[1]");  // and a finished write leaves no temp file
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path("")), fs::directory_iterator()), 3);
    EXPECT_TRUE(attn::is_temp_name_of("recent.json.tmp-Q9z0aB", "recent.json"));
    EXPECT_FALSE(attn::is_temp_name_of("recent.json.tmp-Q9z0a/", "recent.json"));
}

// ---- strict numbers -------------------------------------------------------------------------

TEST(StrictNumbers, OnlyPlainDecimalsInRange) {
    EXPECT_EQ(attn::parse_unsigned64("18446744073709551615", "--torch-seed"), 18446744073709551615ull);
    EXPECT_EQ(error_of([] { attn::parse_unsigned64("18446744073709551616", "--torch-seed"); }),
              "--torch-seed: \"18446744073709551616\" is not a whole number from 0 to 18446744073709551615");
    EXPECT_EQ(error_of([] { attn::parse_unsigned64("", "--torch-seed"); }),
              "--torch-seed: an empty value is not a whole number from 0 to 18446744073709551615");
    for (const char* bad : {"-1", "+1", " 1", "1 ", "0x10", "1e3"})
        EXPECT_TRUE(contains(error_of([&] { attn::parse_unsigned64(bad, "--torch-seed"); }), "--torch-seed")) << bad;

    EXPECT_EQ(attn::parse_decimal("0.05", "--tol", 1e-12, 1e6), 0.05);
    EXPECT_EQ(attn::parse_decimal(".5e-1", "--tol", 1e-12, 1e6), 0.05);
    for (const char* bad : {"0x10", "inf", "nan", "", "1e999", "0", "-0.1", "1,5", "1.5.2", "e5", ".", "1e", "2e6"})
        EXPECT_TRUE(contains(error_of([&] { attn::parse_decimal(bad, "--tol", 1e-12, 1e6); }), "--tol: ")) << bad;

    EXPECT_EQ(attn::parse_whole_number("-1", "--decimals", -1, 8), -1);
    for (const char* bad : {"99999999999", "9", "-2", "0x3", "", "3.0"})
        EXPECT_TRUE(contains(error_of([&] { attn::parse_whole_number(bad, "--decimals", -1, 8); }), "--decimals"))
            << bad;
    EXPECT_TRUE(contains(error_of([] { attn::parse_whole_number("99999999999999999999999", "--size", 1, 8192); }),
                         "--size"));
}

// ---- answer files ---------------------------------------------------------------------------

TEST(AnswerLimits, StatementAfterImportIsRefused) {
    EXPECT_EQ(error_of([] { attn::parse_python_answers("import os; os.system('rm -rf /')\n", "a.py"); }),
              "a.py:1: a statement after ';' on an import line (one statement per line)");
    EXPECT_EQ(error_of([] { attn::parse_python_answers("from os import *;system('x')\n", "a.py"); }),
              "a.py:1: a statement after ';' on an import line (one statement per line)");
    EXPECT_NO_THROW(attn::parse_python_answers("import torch;  # fine\nimport os  # a; b\n", "a.py"));
}

TEST(AnswerLimits, MagnitudeAndSizeLimits) {
    EXPECT_EQ(error_of([] { attn::parse_python_answers("query121 = torch.tensor([1e200, -1e200, 1e200])\n", "a.py"); }),
              "a.py:1: query121[0]: 1e200 is outside ±1e6 (the limit)");
    EXPECT_EQ(error_of([] { attn::parse_python_answers("query121 = 1e3 * torch.tensor([0, 1e4])\n", "a.py"); }),
              "a.py:1: query121[1]: 1e7 is outside ±1e6 (the limit)");
    EXPECT_NO_THROW(attn::parse_python_answers("query121 = 1e-3 * torch.tensor([0, 1e8])\n", "a.py"));
    EXPECT_EQ(error_of([] { attn::parse_json_answers(R"({"query122": [[1e200, 0, 0]]})", "a.json"); }),
              "a.json: \"query122\"[0][0]: 1e200 is outside ±1e6 (the limit)");
    // One long row then many empty rows must not allocate rows × cols.
    std::string text = "{\"query122\": [[" + std::string("1");
    for (int i = 0; i < 60000; ++i) text += ",1";
    text += "]";
    for (int i = 0; i < 60000; ++i) text += ",[]";
    text += "]}";
    EXPECT_TRUE(contains(error_of([&] { attn::parse_json_answers(text, "a.json"); }), "more than the limit"));
}

// ---- courses --------------------------------------------------------------------------------

TEST(CourseLimits, NumbersAreCheckedAndNamesEscaped) {
    const std::string base = R"({"format": 1, "title": {"en": "t"}, "tolerance_note": {"en": "n"}, "tolerance": 0.05,
        "sections": [{"id": "1", "title": {"en": "s"}}], "tasks": [{"id": "ID", "section": "1", "title": {"en": "t"},
        "prompt": {"en": "p"}, "answer": "query121", "edit": EDIT, "target": "select:0"}]})";
    auto course = [&](const std::string& id, const std::string& edit) {
        std::string text = base;
        text.replace(text.find("ID"), 2, id);
        text.replace(text.find("EDIT"), 4, edit);
        return error_of([&] { attn::parse_course(text, "c.json", 4); });
    };
    EXPECT_EQ(course("1.1", R"({"tensor": "query", "rows": 1})"), "");
    EXPECT_TRUE(contains(course("1.1", R"({"tensor": "query", "rows": 1e300})"), "rows must be a whole number"));
    EXPECT_TRUE(contains(course("1.1", R"({"tensor": "query", "rows": 100000})"), "rows is out of range"));
    EXPECT_TRUE(contains(course("a\\nb", R"({"tensor": "x\u001b"})"), "task \"a\\nb\": unknown tensor \"x\\x1b\""));
}

// ---- the solver -----------------------------------------------------------------------------

TEST(SolverLimits, WideKeysNeedNoDSquaredMemory) {
    const int d = 100000;
    Eigen::MatrixXd keys = Eigen::MatrixXd::Zero(3, d);
    keys(0, 0) = 1;
    keys(1, 1) = 1;
    keys(2, 2) = 1;
    const double start = attn::test::cpu_seconds();
    const attn::MarginDirection select = attn::max_margin_direction(keys, {0});
    const attn::MarginDirection pair = attn::max_margin_direction(keys, {0, 1});  // a group: the old d×d projector
    EXPECT_LT(seconds_since(start), 2.0);
    ASSERT_TRUE(select.feasible && pair.feasible);
    EXPECT_NEAR(pair.direction(0), pair.direction(1), 1e-12);
    EXPECT_NEAR(pair.margin, std::sqrt(1.5), 1e-9);  // (e0 + e1)/2 - e2, orthogonal to e1 - e0
}

TEST(SolverLimits, TinyKeysAreNotCalledInsideTheHull) {
    attn::Dataset data = attn::notebook_dataset();
    const attn::MarginDirection normal = attn::max_margin_direction(data.keys, {0});
    const attn::MarginDirection tiny = attn::max_margin_direction(data.keys * 1e-300, {0});
    ASSERT_TRUE(normal.feasible);
    ASSERT_TRUE(tiny.feasible) << "blocking keys reported for a pure change of scale";
    EXPECT_LT((normal.direction - tiny.direction).norm(), 1e-9);
    // Solving then says honestly that no allowed query is long enough.
    data.keys *= 1e-300;
    const attn::Solution solution = attn::solve_query_goal(data, attn::parse_goal("select:0", 4), {});
    EXPECT_FALSE(solution.feasible);
    EXPECT_TRUE(contains(solution.reason, "no finite query within ±1e+06 per component (the limit)")) << solution.reason;
    EXPECT_FALSE(contains(solution.reason, "inside the convex hull")) << solution.reason;
}

// Issue 23: text from packs and hand-ins reaches the terminal with its lines, and nothing else that
// a terminal would act on: no escape sequence, no title change, no bell, no lone carriage return.
TEST(TerminalText, KeepsLinesAndEscapesEverythingElse) {
    EXPECT_EQ(attn::terminal_text("a\nb\n"), "a\nb\n");
    EXPECT_EQ(attn::terminal_text("a,b\r\nc,d\r\n"), "a,b\r\nc,d\r\n");  // CSV keeps its CRLF
    EXPECT_EQ(attn::terminal_text("x\x1b[2Jy"), "x\\x1b[2Jy");
    EXPECT_EQ(attn::terminal_text("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
    EXPECT_EQ(attn::terminal_text("over\rwrite\n"), "over\\rwrite\n");
    EXPECT_EQ(attn::terminal_text("\r\n"), "\r\n");
    EXPECT_EQ(attn::terminal_text("\xe2\x80\xae" "abc"), "\\u202eabc");  // right-to-left override
    EXPECT_EQ(attn::terminal_text("中文 ok\t"), "中文 ok\\t");
}
