// Issue 26: every field a student or a pack controls, in every class-report output, read back.
// One class report whose every such field (student name, file, error, variant, task ids, reasons,
// measured text, course id and title, pack source, folder, the reason table) holds all the
// special characters: CSV formula starters (= + - @ tab CR) at the start, quotes, commas,
// semicolons, newlines, and HTML's & < > " '. Half the fields are clean one-line text (kept as
// they are), half hold control characters (shown through printable()). Each output must read
// back to the same text and hold no special character where it would be live.
#include "core/course/class_report.h"
#include "core/course/feedback.h"

#include "core/base/error.h"
#include "core/base/text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace attn {
namespace {

// Field number i: a unique tag <u_i> and every special character; even i is clean one-line text.
std::string hostile(int i) {
    static const char* starts[] = {"=", "+", "-", "@", "\t", "\r"};
    const std::string tag = "<u" + std::to_string(i) + ">";
    if (i % 2 == 0) return std::string(starts[(i / 2) % 4]) + tag + " & \"q\" 'a', b;c =d";
    return std::string(starts[4 + (i / 2) % 2]) + tag + " & \"q\" 'a', b;c\r\n=d\te";
}

// What any output shows of a raw string: itself when clean, else its printable() form.
std::string shown(const std::string& raw) { return message_is_clean(raw) ? raw : printable(raw, 400); }

// The CSV rule: a text that starts like a formula gets a leading '.
std::string disarmed(const std::string& text) {
    return !text.empty() && std::strchr("=+-@", text[0]) ? "'" + text : text;
}

std::string html_escaped(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '"') out += "&quot;";
        else if (c == '\'') out += "&#39;";
        else out += c;
    }
    return out;
}

ClassReport hostile_report() {
    ClassReport r;
    r.course_id = hostile(0);
    r.course_title = hostile(1);
    r.pack_source = hostile(2);
    r.where = hostile(3);
    for (int i : {4, 5}) {
        TaskSummary t;
        t.id = hostile(i);
        r.tasks.push_back(t);
    }
    StudentResult a;
    a.student = hostile(6);
    a.path = hostile(7);
    a.variant_student = hostile(17);  // a roster's ID may hold a tab
    a.tasks.push_back({hostile(4), TaskState::Fail, 0.5f, hostile(9), hostile(10)});
    a.tasks.push_back({hostile(5), TaskState::NotGraded, NAN, hostile(11), ""});
    StudentResult b;
    b.student = hostile(12);
    b.path = hostile(13);
    b.error = hostile(14);
    r.students = {a, b};
    r.unreadable = 1;
    r.reasons.push_back({hostile(4), hostile(15), 1, {hostile(6)}});
    return r;
}

// RFC 4180: rows of fields; quoted fields may hold , " CR LF; rows end with CRLF.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
    std::size_t i = 0;
    while (i < text.size()) {
        std::string& field = rows.back().back();
        if (text[i] == '"' && field.empty()) {
            for (++i; i < text.size(); ++i) {
                if (text[i] != '"') field += text[i];
                else if (i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
                else break;
            }
            ++i;  // the closing quote
        } else if (text[i] == ',') {
            rows.back().emplace_back();
            ++i;
        } else if (text.compare(i, 2, "\r\n") == 0) {
            i += 2;
            if (i < text.size()) rows.emplace_back(1);
        } else {
            EXPECT_TRUE(text[i] != '\r' && text[i] != '\n' && text[i] != '"') << "a bare control or quote at byte " << i;
            field += text[i++];
        }
    }
    return rows;
}

TEST(ReportEscaping, CsvCellsReadBackAndNeverStartLikeAFormula) {
    const ClassReport r = hostile_report();
    const auto rows = parse_csv(class_report_csv(r));
    ASSERT_EQ(rows.size(), 3u);
    const std::size_t columns = 3 + 3 * r.tasks.size() + 1;
    for (const auto& row : rows) EXPECT_EQ(row.size(), columns);  // no comma or newline split a cell
    ASSERT_EQ(rows[0].size(), columns);
    for (std::size_t t = 0; t < r.tasks.size(); ++t) {
        EXPECT_EQ(rows[0][3 + 3 * t], disarmed(shown(r.tasks[t].id)));
        EXPECT_EQ(rows[0][4 + 3 * t], disarmed(shown(r.tasks[t].id)) + " max_abs_diff");
        EXPECT_EQ(rows[0][5 + 3 * t], disarmed(shown(r.tasks[t].id)) + " reason");
    }
    const auto& a = rows[1];
    EXPECT_EQ(a[0], disarmed(shown(hostile(6))));
    EXPECT_EQ(a[1], disarmed(shown(hostile(7))));
    EXPECT_EQ(a[5], disarmed(shown(hostile(9))));
    EXPECT_EQ(a[8], disarmed(shown(hostile(11))));
    EXPECT_EQ(rows[2][0], disarmed(shown(hostile(12))));
    EXPECT_EQ(rows[2][2], disarmed(shown(hostile(14))));
    for (const auto& row : rows)
        for (const std::string& cell : row) {
            EXPECT_TRUE(cell.empty() || !std::strchr("=+-@\t\r", cell[0])) << "live formula start: " << cell;
            EXPECT_EQ(cell.find_first_of("\t\r\n"), std::string::npos) << cell;
        }
}

TEST(ReportEscaping, JsonStringsReadBackAsTheirShownText) {
    const ClassReport r = hostile_report();
    const nlohmann::json j = nlohmann::json::parse(class_report_json(r).dump());
    EXPECT_EQ(j["tasks"][0], hostile(4));
    const auto& a = j["students"][0];
    EXPECT_EQ(a["student"], shown(hostile(6)));
    EXPECT_EQ(a["file"], shown(hostile(7)));
    EXPECT_EQ(a["variant"], shown(hostile(17)));
    EXPECT_EQ(a["tasks"][0]["reason"], shown(hostile(9)));
    EXPECT_EQ(a["tasks"][0]["measured"], shown(hostile(10)));
    EXPECT_EQ(a["tasks"][1]["reason"], shown(hostile(11)));
    const auto& b = j["students"][1];
    EXPECT_EQ(b["student"], shown(hostile(12)));
    EXPECT_EQ(b["error"], shown(hostile(14)));
    const auto& reason = j["summary"]["reasons"][0];
    EXPECT_EQ(reason["reason"], shown(hostile(15)));
    EXPECT_EQ(reason["students"][0], shown(hostile(6)));
    for (const auto& student : j["students"]) EXPECT_TRUE(message_is_clean(student["student"].get<std::string>()));
}

TEST(ReportEscaping, HtmlShowsEveryFieldEscapedAndNoTagOrQuoteLeaks) {
    const ClassReport r = hostile_report();
    const std::string page = class_report_html(r, "2026-12-07");
    // Fields the page shows; the file path, the variant and the measured text are not on it.
    for (int i : {0, 1, 2, 3, 4, 5, 6, 9, 11, 12, 14, 15}) {
        SCOPED_TRACE(i);
        EXPECT_NE(page.find(html_escaped(shown(hostile(i)))), std::string::npos);
    }
    for (int i = 0; i < 18; ++i) EXPECT_EQ(page.find("<u" + std::to_string(i) + ">"), std::string::npos) << i;
    // The reasons sit in title="..." attributes: a raw quote there would end the attribute.
    EXPECT_EQ(page.find("\"q\""), std::string::npos);
    EXPECT_EQ(page.find("'a'"), std::string::npos);
    EXPECT_EQ(page.find(" & "), std::string::npos);  // every & of a field became &amp;
    EXPECT_EQ(page.find('\r'), std::string::npos);
    EXPECT_EQ(page.find('\t'), std::string::npos);
}

TEST(ReportEscaping, FeedbackShowsEveryFieldWithoutLiveHtml) {
    const ClassReport r = hostile_report();
    Course course = notebook_course();
    course.title.en = hostile(1);
    course.tasks[0].id = hostile(4);
    course.tasks[0].title.en = hostile(16);
    const std::vector<FeedbackFile> files = class_feedback(r, course);
    ASSERT_EQ(files.size(), 2u);
    const auto md = [](const std::string& raw) {
        std::string out;
        for (char c : shown(raw)) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
        return out;
    };
    const std::string& a = files[0].text;
    // The measured text (10) is attnlab's own words and numbers, printed as is (feedback.cpp).
    for (int i : {1, 4, 5, 6, 9, 11, 16, 17}) EXPECT_NE(a.find(md(hostile(i))), std::string::npos) << i << "\n" << a;
    EXPECT_NE(files[1].text.find(md(hostile(14))), std::string::npos) << files[1].text;
    for (const FeedbackFile& f : files) {
        for (int i = 0; i < 18; ++i)
            EXPECT_TRUE(i == 10 || f.text.find("<u" + std::to_string(i) + ">") == std::string::npos) << i;
        EXPECT_EQ(f.text.find('\r'), std::string::npos);
        EXPECT_EQ(f.text.find('\t'), std::string::npos);
        EXPECT_EQ(f.file_name.find_first_of("<>&\"'\t\r\n=+@,;/ "), std::string::npos) << f.file_name;
    }
}

}  // namespace
}  // namespace attn
