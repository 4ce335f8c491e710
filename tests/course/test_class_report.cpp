// Class grading (core/course/class_report.h): the pieces the end-to-end test (report/class_grading)
// cannot pin down one by one: reason grouping, histogram bins, CSV quoting, HTML escaping.
#include "core/course/class_report.h"

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

TEST(ClassReport, ErrorBinsAreDecades) {
    EXPECT_EQ(error_bin(0), 0);
    EXPECT_EQ(error_bin(9.9e-7), 0);
    EXPECT_EQ(error_bin(1e-6), 1);
    EXPECT_EQ(error_bin(0.05), 5);  // [0.01, 0.1)
    EXPECT_EQ(error_bin(1.0), 7);
    EXPECT_EQ(error_bin(10.0), 8);
    EXPECT_EQ(error_bin(1e30), kErrorBins - 1);
    EXPECT_EQ(error_bin_label(0), "<1e-6");
    EXPECT_EQ(error_bin_label(kErrorBins - 1), "≥10");
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

TEST(ClassReport, NoArgumentsOrMissingPathsAreUsageErrors) {
    EXPECT_THROW(find_hand_ins({}), InputError);
    EXPECT_THROW(find_hand_ins({"/nonexistent/attnlab/class"}), InputError);
}

}  // namespace
}  // namespace attn
