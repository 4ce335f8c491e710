// Class grading (core/course/class_report.h): the pieces the end-to-end test (report/class_grading)
// cannot pin down one by one: reason grouping, histogram bins, CSV quoting, HTML escaping.
#include "core/course/class_report.h"
#include "core/course/pack.h"

#include "core/base/text.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace attn {
namespace {

TEST(ClassReport, ReasonsGroupWithNumbersOutButTaskIdsAndNamesKept) {
    EXPECT_EQ(normalize_reason("The 1.3.2 query is too short for any unit k2 to win: |q| = 3.20, needs ≥ 13.3."),
              "The 1.3.2 query is too short for any unit k2 to win: |q| = #, needs ≥ #.");
    EXPECT_EQ(normalize_reason("cannot be graded: uses `os` at cell 8 line 2"), "cannot be graded: uses `os` at cell # line #");
    EXPECT_EQ(normalize_reason("query122 has shape 3×3, expected (4, 3)"), "query122 has shape #×#, expected (#, #)");
    EXPECT_EQ(normalize_reason("error 1e-06 and 2.5E+3, weight .5"), "error # and #, weight #");
    EXPECT_EQ(normalize_reason("m_key141 row -2"), "m_key141 row -#");
    EXPECT_EQ(normalize_reason(""), "");
}

TEST(ClassReport, ErrorBinsAreDecadesSplitAtTheTolerance) {
    EXPECT_EQ(error_bin(0), 0);
    EXPECT_EQ(error_bin(9.9e-7), 0);
    EXPECT_EQ(error_bin(1e-6), 1);
    EXPECT_EQ(error_bin(0.02), 5);  // [0.01, 0.05]
    EXPECT_EQ(error_bin(0.07), 6);  // (0.05, 0.1)
    EXPECT_EQ(error_bin(1.0), 8);
    EXPECT_EQ(error_bin(10.0), 9);
    EXPECT_EQ(error_bin(1e30), kErrorBins - 1);
    EXPECT_EQ(error_bin_label(0), "<1e-6");
    EXPECT_EQ(error_bin_label(1), "1e-6");
    EXPECT_EQ(error_bin_label(5), "0.01");
    EXPECT_EQ(error_bin_label(6), ">0.05");
    EXPECT_EQ(error_bin_label(7), "0.1");
    EXPECT_EQ(error_bin_label(kErrorBins - 1), "≥10");
}

// Issue 22: the 0.01–0.1 bin held passes and fails; the tolerance is an edge now. A diff equal
// to the tolerance passes (diff <= tolerance), so it stays left of the edge.
TEST(ClassReport, ADiffJustBelowAndJustAboveTheToleranceLandInDifferentBins) {
    for (double tolerance : {0.05, 0.02, 0.1, 1e-3, 0.3, 1e-7, 20.0}) {
        SCOPED_TRACE(tolerance);
        const int below = error_bin(tolerance * (1 - 1e-9), tolerance);
        const int at = error_bin(tolerance, tolerance);
        const int above = error_bin(tolerance * (1 + 1e-9), tolerance);
        EXPECT_EQ(below, at);
        EXPECT_EQ(above, at + 1);
        EXPECT_EQ(first_failing_bin(tolerance), above);
        EXPECT_EQ(error_bin_label(above, tolerance).rfind(">", 0), 0u) << error_bin_label(above, tolerance);
        const auto edges = error_bin_edges(tolerance);
        for (std::size_t i = 1; i < edges.size(); ++i) EXPECT_LT(edges[i - 1], edges[i]);  // every bin has width
        // The decades stay edges: 0.5 and 0.005 still fall in different bins.
        EXPECT_NE(error_bin(0.5, tolerance), error_bin(0.005, tolerance));
    }
    EXPECT_EQ(error_bin_label(first_failing_bin(0.1) , 0.1), ">0.1");
    EXPECT_EQ(error_bin_label(first_failing_bin(0.1) + 1, 0.1), "0.5");  // 0.1 is a decade: 5 × 0.1 splits the next
}

// The bins reach the text and JSON summaries: counts per bin, labels, edges and the split.
TEST(ClassReport, SummariesCountPassesAndFailsInSeparateBins) {
    ClassReport r;
    r.tolerance = 0.05;
    r.tasks.push_back({});
    r.tasks[0].id = "1.1.1";
    r.tasks[0].histogram[static_cast<std::size_t>(error_bin(0.049))] = 3;
    r.tasks[0].histogram[static_cast<std::size_t>(error_bin(0.051))] = 4;
    const nlohmann::json doc = class_report_json(r);
    const nlohmann::json& h = doc["summary"]["tasks"][0]["histogram"];
    EXPECT_EQ(h["counts"][5], 3);
    EXPECT_EQ(h["counts"][6], 4);
    EXPECT_EQ(h["bins"][6], ">0.05");
    EXPECT_EQ(h["first_failing_bin"], 6);
    EXPECT_EQ(h["edges"][5], 0.05);
    const std::string text = class_report_text(r);
    EXPECT_NE(text.find(">0.05"), std::string::npos) << text;
    EXPECT_NE(text.find("from >0.05 they fail"), std::string::npos) << text;
}

ClassReport hostile_names() {
    std::vector<HandInSource> sources = {
        {"=HYPERLINK(\"x\")", "", "a,b: \"quoted\"\nnext line"},
        {"<script>alert(1)</script>", "", "<b>bold</b> & more"},
    };
    return grade_class(sources, 0.05);
}

TEST(ClassReport, CsvQuotesAndDisarmsFormulas) {
    const std::string csv = class_report_csv(hostile_names());
    EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"x\"\")\""), std::string::npos) << csv;
    EXPECT_NE(csv.find("\"a,b: \"\"quoted\"\"\\nnext line\""), std::string::npos) << csv;  // one line: \n escaped
    EXPECT_EQ(csv.find('\n'), csv.find("\r\n") + 1);
}

TEST(ClassReport, HtmlEscapesEveryStudentString) {
    const std::string html = class_report_html(hostile_names());
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("&lt;b&gt;bold&lt;/b&gt; &amp; more"), std::string::npos);
    EXPECT_EQ(html.find("http:"), std::string::npos);  // no URL (http-equiv is the CSP's meta tag)
    EXPECT_EQ(html.find("https:"), std::string::npos);
}

TEST(ClassReport, UnreadableHandInsFailTheExitStatusAndCountInEveryTask) {
    const ClassReport report = hostile_names();
    EXPECT_EQ(report.unreadable, 2);
    EXPECT_EQ(class_exit_status(report), 1);
    ASSERT_FALSE(report.tasks.empty());
    for (const TaskSummary& t : report.tasks) {
        EXPECT_EQ(t.unreadable, 2);
        EXPECT_EQ(t.pass_rate, 0.0);
    }
    EXPECT_EQ(report.students.front().student, "=HYPERLINK(\"x\")");  // in the order given (find_hand_ins sorts)
}

// The Class window grades on a worker thread: progress after each hand-in, and a set cancel flag
// stops before the next one with an empty report marked cancelled (not a partial class).
TEST(ClassReport, GradingReportsProgressAndStopsWhenCancelled) {
    std::vector<HandInSource> hand_ins;
    for (int i = 0; i < 5; ++i) hand_ins.push_back({"student" + std::to_string(i), "", "no file"});
    std::vector<std::pair<int, int>> seen;
    std::atomic<bool> cancel{false};
    const ClassReport full = grade_class(hand_ins, 0.05, &cancel, [&](int done, int total) { seen.emplace_back(done, total); });
    EXPECT_FALSE(full.cancelled);
    EXPECT_EQ(full.students.size(), 5u);
    ASSERT_EQ(seen.size(), 5u);
    EXPECT_EQ(seen.back(), std::make_pair(5, 5));

    seen.clear();
    const ClassReport stopped = grade_class(hand_ins, 0.05, &cancel, [&](int done, int total) {
        seen.emplace_back(done, total);
        if (done == 2) cancel = true;
    });
    EXPECT_TRUE(stopped.cancelled);
    EXPECT_TRUE(stopped.students.empty());
    EXPECT_EQ(seen.size(), 2u);  // no hand-in graded after the flag was set
}

// Issue 23, defect 13: the hand-ins are graded on a pool of threads; every output is the serial
// one, byte for byte, and progress still counts up by one per call.
TEST(ClassReport, ParallelGradingGivesTheSerialReport) {
    const std::vector<HandInSource> hand_ins = find_hand_ins({std::string(ATTN_TEST_FIXTURES_DIR) + "/class/hand-ins"});
    ASSERT_GE(hand_ins.size(), 30u);
    ClassGradingOptions serial;
    serial.threads = 1;
    const ClassReport one = grade_class(hand_ins, 0.05, serial);
    for (int threads : {2, 3, kMaxGradingThreads}) {
        ClassGradingOptions parallel;
        parallel.threads = threads;
        std::vector<int> seen;
        parallel.progress = [&](int done, int total) {
            EXPECT_EQ(total, static_cast<int>(hand_ins.size()));
            seen.push_back(done);
        };
        const ClassReport many = grade_class(hand_ins, 0.05, parallel);
        EXPECT_EQ(class_report_json(many).dump(), class_report_json(one).dump()) << threads << " threads";
        EXPECT_EQ(class_report_text(many), class_report_text(one)) << threads << " threads";
        EXPECT_EQ(class_report_csv(many), class_report_csv(one)) << threads << " threads";
        EXPECT_EQ(class_report_html(many, "2026-12-07"), class_report_html(one, "2026-12-07")) << threads << " threads";
        ASSERT_EQ(seen.size(), hand_ins.size());
        for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int>(i) + 1);
    }
    // The default (one thread per core) gives the same report too.
    EXPECT_EQ(class_report_json(grade_class(hand_ins, 0.05)).dump(), class_report_json(one).dump());
}

// The class's work budget: refused before grading when the files alone pass it, else as soon as
// the graded hand-ins' work does; never a partial report.
TEST(ClassReport, WorkBudgetRefusesTheClassBeforeOrWhileGrading) {
    const std::vector<HandInSource> hand_ins = find_hand_ins({std::string(ATTN_TEST_FIXTURES_DIR) + "/class/hand-ins"});
    const double files = class_file_work(hand_ins);
    EXPECT_GT(files, 0);
    EXPECT_LT(files, kMaxClassWork / 1000);  // the synthetic class is far inside the real budget
    int calls = 0;
    ClassGradingOptions before;
    before.work_budget = files * 0.99;
    before.where = "hand-ins";
    before.progress = [&](int, int) { ++calls; };
    try {
        grade_class(hand_ins, 0.05, before);
        ADD_FAILURE() << "not refused";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("hand-ins: "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("files alone"), std::string::npos) << e.what();
    }
    EXPECT_EQ(calls, 0);  // nothing graded
    for (int threads : {1, 2}) {
        ClassGradingOptions during;
        during.threads = threads;
        during.work_budget = files + 1;  // the first Python hand-in's source passes it
        during.progress = [&](int, int) { ++calls; };
        try {
            grade_class(hand_ins, 0.05, during);
            ADD_FAILURE() << "not refused";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("grading stopped at the class limit"), std::string::npos) << e.what();
            EXPECT_LE(std::string(e.what()).size(), 300u);
        }
        EXPECT_LT(calls, static_cast<int>(hand_ins.size()));
    }
    ClassGradingOptions enough;
    enough.work_budget = kMaxClassWork;
    EXPECT_EQ(grade_class(hand_ins, 0.05, enough).students.size(), hand_ins.size());
}

TEST(ClassReport, NoArgumentsOrMissingPathsAreUsageErrors) {
    EXPECT_THROW(find_hand_ins({}), InputError);
    EXPECT_THROW(find_hand_ins({"/nonexistent/attnlab/class"}), InputError);
}


// ---- a class of variants (issue 22) -----------------------------------------------------------
// tests/fixtures/variants: three students' hand-ins for their own variants of temperature-masks,
// with each variant's data and answers computed by real torch (make_variant_fixtures.py).
std::string variants_dir() { return std::string(ATTN_TEST_FIXTURES_DIR) + "/variants"; }

Course variant_of(const std::string& student) {
    return make_variant(read_pack_source("temperature-masks"), "temperature-masks", student).course;
}

// Graded, answered, passed: counts of the checks of one hand-in against one course.
int passed_tasks(const std::string& path, const Course& course) {
    const HandIn hand_in = read_pack_hand_in(path, course).hand_in;
    int passed = 0;
    for (const TaskCheck& check : check_hand_in(course, course.data, hand_in, 0.05)) passed += check.pass ? 1 : 0;
    return passed;
}

TEST(ClassVariants, AHandInPassesItsOwnVariantOnly) {
    const std::string s001 = variants_dir() + "/class/s001.py", s002 = variants_dir() + "/class/s002/hand_in.ipynb";
    EXPECT_EQ(passed_tasks(s001, variant_of("s001")), 9);
    EXPECT_EQ(passed_tasks(s001, load_pack_file(variants_dir() + "/temperature-masks-s001.json")), 9);
    EXPECT_EQ(passed_tasks(s002, variant_of("s002")), 9);
    EXPECT_LT(passed_tasks(s001, variant_of("s002")), 5);
    EXPECT_LT(passed_tasks(s002, load_pack_file(variants_dir() + "/temperature-masks-s003.json")), 5);
    EXPECT_LT(passed_tasks(s001, load_pack(read_pack_source("temperature-masks"), "temperature-masks")), 5);
}

TEST(ClassVariants, APyHandInUsesThePacksAnswerNamesOverTheCoursesData) {
    const Course course = variant_of("s001");
    const CourseAnswerNames names = course_answer_names(course);
    EXPECT_EQ(names.names.front(), "temperature211");
    EXPECT_EQ(names.numbers, std::vector<std::string>{"temperature211"});
    EXPECT_EQ(names.key_checked, (std::vector<std::string>{"m_key233", "m_key234"}));
    // The student's own `key` is the notebook's setup: the course's data are used instead.
    const std::string text = "key = torch.tensor([[1.0, 0, 0]])\ntemperature211 = 0.1\nquery231 = 40 * key[5]\n";
    const HandIn hand_in = parse_code_hand_in(text, "h.py", false, course.data, names);
    ASSERT_EQ(hand_in.answers.count("query231"), 1u);
    EXPECT_TRUE(hand_in.answers.at("query231").data.isApprox(40 * course.data.keys.row(5), 1e-6));
    EXPECT_DOUBLE_EQ(hand_in.answers.at("temperature211").data(0, 0), 0.1);
    EXPECT_THROW(parse_code_hand_in("query121 = torch.tensor([1.0, 2, 3])\n", "h.py", false, course.data, names),
                 InputError);
}

TEST(ClassVariants, AClassGradesEachStudentAgainstTheirOwnVariant) {
    std::vector<HandInSource> hand_ins = find_hand_ins({variants_dir() + "/class"});
    const ClassCourse against = class_pack_course("temperature-masks");
    EXPECT_TRUE(against.variants);
    assign_student_ids(hand_ins, nullptr);
    ClassGradingOptions options;
    options.course = &against;
    options.threads = 2;
    const ClassReport report = grade_class(hand_ins, 0.05, options);
    EXPECT_EQ(report.course_id, "temperature-masks");
    EXPECT_EQ(report.course_title, "Temperature, masks and more tokens");
    EXPECT_EQ(report.pack_source, "temperature-masks");
    ASSERT_EQ(report.students.size(), 3u);
    EXPECT_EQ(report.all_passed, 3);
    EXPECT_EQ(report.tasks.size(), 9u);
    for (const StudentResult& s : report.students) EXPECT_EQ(s.variant_student, s.student);
    EXPECT_EQ(class_exit_status(report), 0);

    // The same hand-ins under each other's IDs: each passes only with their own data.
    const Roster swapped = parse_roster("hand_in,student_id\ns001.py,s002\ns002,s003\ns003.py,s001\n", "r.csv");
    assign_student_ids(hand_ins, &swapped);
    const ClassReport wrong = grade_class(hand_ins, 0.05, options);
    EXPECT_EQ(wrong.all_passed, 0);
    EXPECT_EQ(wrong.students[0].variant_student, "s002");
}

TEST(ClassVariants, APackThatIsOneVariantGradesEveryoneAgainstIt) {
    std::vector<HandInSource> hand_ins = find_hand_ins({variants_dir() + "/class"});
    const ClassCourse against = class_pack_course(variants_dir() + "/temperature-masks-s002.json");
    EXPECT_FALSE(against.variants);
    ClassGradingOptions options;
    options.course = &against;
    const ClassReport report = grade_class(hand_ins, 0.05, options);
    EXPECT_EQ(report.all_passed, 1);
    EXPECT_EQ(report.students[1].passed(), 9);
    for (const StudentResult& s : report.students) EXPECT_EQ(s.variant_student, "");
}

TEST(ClassVariants, ARosterNamesEachHandInsStudentAndMissingOnesAreErrors) {
    const Roster roster = parse_roster("\xEF\xBB\xBFhand_in,student_id\r\n\"s001.py\",\"ID, one\"\r\n\r\ns002/,s002\r\n", "r.csv");
    ASSERT_EQ(roster.entries.size(), 2u);
    EXPECT_EQ(roster.entries[0].student_id, "ID, one");
    EXPECT_EQ(roster.entries[1].hand_in, "s002");
    EXPECT_EQ(roster.entries[1].line, 4);
    std::vector<HandInSource> hand_ins = find_hand_ins({variants_dir() + "/class"});
    assign_student_ids(hand_ins, &roster);
    EXPECT_EQ(hand_ins[0].student_id, "ID, one");
    EXPECT_EQ(hand_ins[1].student_id, "s002");
    EXPECT_TRUE(hand_ins[2].path.empty());
    EXPECT_NE(hand_ins[2].error.find("s003.py: not in the roster r.csv"), std::string::npos) << hand_ins[2].error;
}

void expect_roster_error(const std::string& text, const std::string& message) {
    try {
        parse_roster(text, "r.csv");
        ADD_FAILURE() << "accepted: " << text;
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
}

TEST(ClassVariants, ABadRosterIsRefusedWithItsLine) {
    expect_roster_error("hand_in,student_id\na.py,s1\nb.py,s2,x\n", "r.csv:3: expected 2 fields (hand_in,student_id), found 3");
    expect_roster_error("student,id\na.py,s1\n", "r.csv:1: the header must be hand_in,student_id");
    expect_roster_error("", "r.csv: empty roster");
    expect_roster_error("hand_in,student_id\na.py,\n", "r.csv:2: the student_id must be 1 to 200 bytes, not 0");
    expect_roster_error("hand_in,student_id\n,s1\n", "r.csv:2: the hand_in field is empty");
    expect_roster_error("hand_in,student_id\na.py,s1\na.py,s2\n", "r.csv:3: \"a.py\" is listed twice (first at line 2)");
    expect_roster_error("hand_in,student_id\n\"a.py,s1\n", "r.csv:2: a quoted field is not closed");
    expect_roster_error("hand_in,student_id\n\"a\"x,s1\n", "r.csv:2: text after a quoted field");
}

}  // namespace
}  // namespace attn

namespace attn {
namespace {

ClassReport fixture_class() {
    ClassGradingOptions options;
    options.where = "tests/fixtures/class/hand-ins";
    return grade_class(find_hand_ins({std::string(ATTN_TEST_FIXTURES_DIR) + "/class/hand-ins"}), 0.05, options);
}

// Issue 22: the header names the course, the folder, the tolerance and the date, and says how the
// class did in words, not as an exit status.
TEST(ClassReportHtml, HeaderNamesCourseFolderToleranceDateAndHowTheClassDid) {
    ClassReport r = fixture_class();
    const std::string html = class_report_html(r, "2026-12-07");
    EXPECT_NE(html.find("<td id=\"course\">Understanding attention (notebook), the built-in notebook</td>"), std::string::npos);
    EXPECT_NE(html.find("<td id=\"folder\">tests/fixtures/class/hand-ins</td>"), std::string::npos);
    EXPECT_NE(html.find("<td id=\"tolerance\">max abs diff ≤ 0.05 passes</td>"), std::string::npos);
    EXPECT_NE(html.find("<td id=\"date\">2026-12-07</td>"), std::string::npos);
    const std::string verdict = std::to_string(r.all_passed) + " of " + std::to_string(r.students.size()) +
                                " students passed every task.";
    EXPECT_NE(html.find(verdict), std::string::npos) << verdict;
    EXPECT_NE(html.find(std::to_string(r.unreadable) + " hand-ins could not be read."), std::string::npos);
    EXPECT_EQ(html.find("Exit status"), std::string::npos);
    EXPECT_EQ(class_report_html(r, "").find("id=\"date\""), std::string::npos);
    // Without a date (the Class window's Export): today's, as `check --report` writes it.
    const std::string today = local_date_today();
    ASSERT_EQ(today.size(), 10u);
    EXPECT_EQ(today[4], '-');
    EXPECT_NE(class_report_html(r).find("<td id=\"date\">" + today + "</td>"), std::string::npos);
    r.pack_source = "packs/<temp>.json";
    r.course_title = "Temperature & masks";
    r.course_id = "temperature-masks";
    const std::string pack = class_report_html(r, "2026-12-07");
    EXPECT_NE(pack.find("Temperature &amp; masks (temperature-masks), pack packs/&lt;temp&gt;.json"), std::string::npos);
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// Every cell carries a mark, not colour alone; the legend explains marks and colours; print CSS.
TEST(ClassReportHtml, EveryCellHasAMarkAndTheLegendExplainsThem) {
    ClassReport r;
    r.tolerance = 0.05;
    for (const char* id : {"1.1.1", "1.1.2", "1.1.3", "1.1.4"}) r.tasks.push_back({id});
    StudentResult s;
    s.student = "amy";
    s.tasks = {{"1.1.1", TaskState::Pass, 0.001f, ""}, {"1.1.2", TaskState::Fail, 0.5f, "too far"},
               {"1.1.3", TaskState::NotGraded, NAN, "uses os"}, {"1.1.4", TaskState::Missing, NAN, "not answered"}};
    StudentResult broken;
    broken.student = "ben";
    broken.error = "not UTF-8";
    r.students = {s, broken};
    const std::string html = class_report_html(r, "2026-12-07");
    EXPECT_NE(html.find("<td class=\"pass\" title=\"pass\">✓ 0.001</td>"), std::string::npos) << html;
    EXPECT_NE(html.find("<td class=\"fail\" title=\"too far\">✗ 0.5</td>"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"na\" title=\"uses os\">n/a</td>"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"missing\" title=\"not answered\">–</td>"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"err\" colspan=\"4\">! could not be read</td>"), std::string::npos);
    for (const char* legend : {"<b class=\"pass\">✓</b>pass", "<b class=\"fail\">✗</b>fail", "<b class=\"na\">n/a</b>cannot be graded",
                               "<b class=\"missing\">–</b>not answered", "<b class=\"err\">!</b>could not be read"})
        EXPECT_EQ(count(html, legend), 1u) << legend;
    EXPECT_NE(html.find("@media print"), std::string::npos);
    // Missing is grey, could-not-be-read dark slate: two different colours.
    EXPECT_NE(html.find(".missing{background:#eeeeee"), std::string::npos);
    EXPECT_NE(html.find(".err{background:#3B4A5C"), std::string::npos);
}

// The chart draws the tolerance edge between the last passing and the first failing bin.
TEST(ClassReportHtml, HistogramLabelsTheToleranceEdge) {
    const ClassReport r = fixture_class();
    const std::string html = class_report_html(r, "2026-12-07");
    EXPECT_EQ(count(html, "class=\"tol-label\" text-anchor=\"middle\">tol 0.05</text>"), r.tasks.size());
    // x of the edge: left 14 + first failing bin × 30
    EXPECT_EQ(count(html, format("<line class=\"tol\" x1=\"%.1f\"", 14.0 + first_failing_bin(0.05) * 30)), r.tasks.size());
}

}  // namespace
}  // namespace attn
