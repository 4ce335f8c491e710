// The class report as one HTML page, a grade sheet to print or post (core/course/class_report.h,
// class_report_html). Inline CSS and SVG only: no scripts, no URLs; every student string escaped.
#include "core/course/class_report.h"

#include "core/base/text.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>

namespace attn {

namespace {

std::string html(const std::string& raw) {
    const std::string clean = raw.size() <= 1000 && message_is_clean(raw) ? raw : printable(raw, 1000);
    std::string out;
    for (char c : clean) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string figure(float x) { return std::isfinite(x) ? format("%.2g", static_cast<double>(x)) : "-"; }

// The marks and colours of the five states; the Class window uses the same colours.
// Okabe-Ito where it has them (pass green, fail red-orange, n/a amber): safe for colour-blind readers.
constexpr const char* kPassColour = "#009E73";
constexpr const char* kFailColour = "#D55E00";
constexpr const char* kNotGradedColour = "#E69F00";
constexpr const char* kMissingColour = "#BBBBBB";
constexpr const char* kUnreadableColour = "#3B4A5C";  // dark slate: not the grey of "missing"
constexpr const char* kBarColour = "#0072B2";

constexpr const char* kPassMark = "✓";
constexpr const char* kFailMark = "✗";
constexpr const char* kNotGradedMark = "n/a";
constexpr const char* kMissingMark = "–";
constexpr const char* kUnreadableMark = "!";

// Stacked 100 % bars, one per task: pass at the bottom, its percentage on top.
std::string pass_rate_chart(const ClassReport& r) {
    const int n = static_cast<int>(r.tasks.size());
    const double left = 50, top = 30, height = 220, bar = 70, gap = 40;
    const double width = left + n * (bar + gap) + 20;
    std::string svg = format("<svg class=\"chart\" role=\"img\" aria-label=\"pass rate per task\" width=\"%.0f\" "
                             "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
                             width, top + height + 50, width, top + height + 50);
    for (int p = 0; p <= 100; p += 25) {
        const double y = top + height * (1 - p / 100.0);
        svg += format("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                      "<text x=\"%.0f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%d%%</text>\n",
                      left - 4, y, width - 10, y, left - 8, y + 4, p);
    }
    const double total = std::max<double>(1, static_cast<double>(r.students.size()));
    for (int i = 0; i < n; ++i) {
        const TaskSummary& t = r.tasks[static_cast<std::size_t>(i)];
        const double x = left + gap / 2 + i * (bar + gap);
        const std::pair<int, const char*> parts[] = {{t.passed, kPassColour},      {t.failed, kFailColour},
                                                     {t.not_graded, kNotGradedColour}, {t.missing, kMissingColour},
                                                     {t.unreadable, kUnreadableColour}};
        double y = top + height;
        for (const auto& [count, colour] : parts) {
            if (count == 0) continue;
            const double h = height * count / total;
            y -= h;
            svg += format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"%s\" stroke=\"#fff\"><title>%s: %d</title></rect>\n",
                          x, y, bar, h, colour, html(t.id).c_str(), count);
        }
        svg += format("<text x=\"%.1f\" y=\"%.1f\" class=\"value\" text-anchor=\"middle\">%.0f%%</text>\n", x + bar / 2,
                      top - 8, t.pass_rate * 100);
        svg += format("<text x=\"%.1f\" y=\"%.1f\" class=\"label\" text-anchor=\"middle\">%s</text>\n", x + bar / 2,
                      top + height + 20, html(t.id).c_str());
        svg += format("<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">%d/%zu</text>\n", x + bar / 2,
                      top + height + 36, t.passed, r.students.size());
    }
    return svg + "</svg>\n";
}

// One small histogram per task: hand-ins per bin of max abs diff (error_bin), the bins split at
// the tolerance, whose edge is drawn dashed and labelled; passes left of it, fails right.
std::string histogram_chart(const ClassReport& r, const TaskSummary& t) {
    const double left = 14, top = 36, bin_width = 30, width = kErrorBins * bin_width, height = 110;
    const int most = std::max(1, *std::max_element(t.histogram.begin(), t.histogram.end()));
    const auto edges = error_bin_edges(r.tolerance);
    const int first_fail = first_failing_bin(r.tolerance);
    std::string svg = format("<svg class=\"hist\" role=\"img\" aria-label=\"errors of %s\" width=\"%.0f\" height=\"%.0f\" "
                             "viewBox=\"0 0 %.0f %.0f\">\n<text x=\"%.0f\" y=\"16\" class=\"label\">%s</text>\n",
                             html(t.id).c_str(), left + width + 14, top + height + 34, left + width + 14, top + height + 34,
                             left, html(t.id).c_str());
    svg += format("<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>\n", left, top + height,
                  left + width, top + height);
    for (int b = 0; b < kErrorBins; ++b) {
        const int count = t.histogram[static_cast<std::size_t>(b)];
        const double x = left + b * bin_width;
        if (count == 0) continue;
        const double h = height * count / most;
        svg += format("<rect class=\"bin\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %d</title></rect>\n"
                      "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">%d</text>\n",
                      x + 2, top + height - h, bin_width - 4, h, kBarColour, html(error_bin_label(b, r.tolerance)).c_str(),
                      count, x + bin_width / 2, top + height - h - 3, count);
    }
    double last_label_x = -1e9;  // edge labels where they fit: 2 bins apart, or short ("0.1", "1")
    for (int e = 0; e < kErrorBins - 1; ++e) {
        const double x = left + (e + 1) * bin_width;
        std::string text = format("%g", edges[static_cast<std::size_t>(e)]);
        if (const std::size_t at = text.find("e-0"); at != std::string::npos) text.erase(at + 2, 1);  // 1e-06 → 1e-6
        if (e == first_fail - 1 || (x - last_label_x < 2 * bin_width && text.size() > 3)) continue;  // the tolerance's below
        svg += format("<text x=\"%.1f\" y=\"%.0f\" class=\"axis\" text-anchor=\"middle\">%s</text>\n", x, top + height + 14,
                      text.c_str());
        last_label_x = x;
    }
    const double tx = left + first_fail * bin_width;
    svg += format("<line class=\"tol\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2\" "
                  "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%.0f\" class=\"tol-label\" text-anchor=\"middle\">tol %g</text>\n"
                  "<text x=\"%.1f\" y=\"16\" class=\"axis\" text-anchor=\"end\">%s pass</text>"
                  "<text x=\"%.1f\" y=\"16\" class=\"axis\">fail %s</text>\n",
                  tx, top - 4, tx, top + height + 4, kFailColour, tx, top + height + 28, r.tolerance, tx - 4,
                  kPassMark, tx + 4, kFailMark);
    return svg + "</svg>\n";
}

const char* kCss = R"(body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px}
p.sub{color:#555;margin:0 0 12px}p.verdict{font-size:17px;font-weight:bold;margin:8px 0 12px}
table.meta th{background:none;border:none;padding:1px 12px 1px 0;color:#555;font-weight:normal}
table.meta td{border:none;padding:1px 0}
.legend span{display:inline-block;margin-right:16px;font-size:13px}
.legend b{display:inline-block;min-width:24px;text-align:center;margin-right:4px;padding:0 3px;border:1px solid #999}
svg text{font-family:"DejaVu Sans",Arial,sans-serif}
svg .axis{font-size:11px;fill:#555}svg .label{font-size:13px;fill:#222;font-weight:bold}svg .value{font-size:13px;fill:#222}
svg .tol-label{font-size:11px;fill:#D55E00;font-weight:bold}
.hists{display:flex;flex-wrap:wrap;gap:8px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f2f2f2}.pass{background:#d7f0e7}.fail{background:#f8dccb}.na{background:#fbecc9}
.missing{background:#eeeeee;color:#666}.err{background:#3B4A5C;color:#fff}
td.num{text-align:right}td.pass,td.fail,td.na,td.missing{white-space:nowrap}.reasons{font-size:12px;color:#444}
@media print{body{margin:0;color:#000}p.sub,.reasons,table.meta th{color:#000}
th,td{border:1px solid #000}th,.pass,.fail,.na,.missing,.err{background:none;color:#000}
.legend b{border-color:#000}tr{break-inside:avoid}svg{break-inside:avoid}h2,p.sub{break-after:avoid}}
)";

std::string legend() {
    const std::pair<const char*, const char*> entries[] = {
        {"pass", "pass"}, {"fail", "fail"}, {"na", "cannot be graded"}, {"missing", "not answered"}, {"err", "could not be read"}};
    const char* marks[] = {kPassMark, kFailMark, kNotGradedMark, kMissingMark, kUnreadableMark};
    std::string out = "<p class=\"legend\">";
    for (int i = 0; i < 5; ++i)
        out += format("<span><b class=\"%s\">%s</b>%s</span>", entries[i].first, marks[i], entries[i].second);
    return out + "</p>\n";
}

// The chart's colour key as SVG: its fills print, where the HTML legend's backgrounds may not.
std::string chart_key() {
    const std::pair<const char*, const char*> entries[] = {{kPassColour, "pass"}, {kFailColour, "fail"},
                                                           {kNotGradedColour, "cannot be graded"},
                                                           {kMissingColour, "not answered"},
                                                           {kUnreadableColour, "could not be read"}};
    std::string svg = "<svg class=\"key\" role=\"img\" aria-label=\"colours of the chart\" width=\"640\" height=\"20\" viewBox=\"0 0 640 20\">\n";
    double x = 0;
    for (const auto& [colour, label] : entries) {
        svg += format("<rect x=\"%.0f\" y=\"4\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%.0f\" y=\"14\" class=\"axis\">%s</text>\n",
                      x, colour, x + 16, label);
        x += 24 + 7.0 * static_cast<double>(std::strlen(label));
    }
    return svg + "</svg><br>\n";
}

std::string task_cell(const StudentTask& t) {
    const char* cls = t.state == TaskState::Pass ? "pass" : t.state == TaskState::Fail ? "fail"
                      : t.state == TaskState::NotGraded ? "na" : "missing";
    const std::string diff = std::isfinite(t.max_abs_diff) ? " " + figure(t.max_abs_diff) : "";  // none: a wrong shape
    std::string text = t.state == TaskState::Pass   ? kPassMark + diff
                       : t.state == TaskState::Fail ? kFailMark + diff
                       : t.state == TaskState::NotGraded ? kNotGradedMark : kMissingMark;
    return format("<td class=\"%s\" title=\"%s\">", cls, html(t.reason.empty() ? task_state_name(t.state) : t.reason).c_str()) +
           html(text) + "</td>";
}

std::string students_table(const ClassReport& r) {
    std::string out = "<table class=\"students\">\n<tr><th>student</th>";
    for (const TaskSummary& t : r.tasks) out += "<th>" + html(t.id) + "</th>";
    out += "<th>passed</th><th>why not</th></tr>\n";
    for (const StudentResult& s : r.students) {
        out += "<tr><td>" + html(s.student) + "</td>";
        if (!s.error.empty()) {
            out += format("<td class=\"err\" colspan=\"%zu\">%s could not be read</td><td class=\"num\">0/%zu</td>",
                          r.tasks.size(), kUnreadableMark, r.tasks.size());
            out += "<td class=\"reasons\">" + html(s.error) + "</td></tr>\n";
            continue;
        }
        std::string why, missing;
        for (const StudentTask& t : s.tasks) {
            out += task_cell(t);
            if (t.state == TaskState::Missing) missing += (missing.empty() ? "" : ", ") + t.id;
            else if (t.state != TaskState::Pass) why += (why.empty() ? "" : "<br>") + html(t.id) + ": " + html(t.reason);
        }
        if (!missing.empty()) why += (why.empty() ? "" : "<br>") + std::string("not answered: ") + html(missing);
        out += format("<td class=\"num\">%d/%zu</td><td class=\"reasons\">%s</td></tr>\n", s.passed(), s.tasks.size(), why.c_str());
    }
    return out + "</table>\n";
}

// How the class did, in words: "12 of 28 students passed every task." and what kept the rest.
std::string verdict(const ClassReport& r) {
    int failed = 0, not_graded = 0;
    for (const TaskSummary& t : r.tasks) failed += t.failed, not_graded += t.not_graded;
    const std::size_t n = r.students.size();
    std::string out = format("%d of %zu student%s passed every task.", r.all_passed, n, n == 1 ? "" : "s");
    if (r.unreadable) out += format(" %d hand-in%s could not be read.", r.unreadable, r.unreadable == 1 ? "" : "s");
    if (failed) out += format(" %d task answer%s failed.", failed, failed == 1 ? "" : "s");
    if (not_graded) out += format(" %d cannot be graded.", not_graded);
    return out;
}

std::string header(const ClassReport& r, const std::string& date) {
    const std::string course = r.course_title.empty() ? r.course_id : r.course_title;
    const std::string source = r.pack_source.empty() ? "the built-in notebook" : "pack " + r.pack_source;
    std::string out = "<h1>Grade sheet: " + html(course) + "</h1>\n<table class=\"meta\">\n";
    out += "<tr><th>Course</th><td id=\"course\">" + html(course) + " (" + html(r.course_id) + "), " + html(source) + "</td></tr>\n";
    out += "<tr><th>Graded</th><td id=\"folder\">" + html(r.where) + "</td></tr>\n";
    out += format("<tr><th>Tolerance</th><td id=\"tolerance\">max abs diff ≤ %g passes</td></tr>\n", r.tolerance);
    if (!date.empty()) out += "<tr><th>Date</th><td id=\"date\">" + html(date) + "</td></tr>\n";
    return out + "</table>\n<p class=\"verdict\" id=\"verdict\">" + html(verdict(r)) + "</p>\n";
}

std::string reasons_table(const ClassReport& r) {
    if (r.reasons.empty()) return "<p>None: every answered task passed.</p>\n";
    std::string out = "<table>\n<tr><th>count</th><th>task</th><th>reason (numbers as #)</th><th>students</th></tr>\n";
    for (std::size_t i = 0; i < r.reasons.size() && i < 15; ++i) {
        const ReasonCount& c = r.reasons[i];
        std::string names;
        for (std::size_t k = 0; k < c.students.size() && k < 8; ++k) names += (k ? ", " : "") + html(c.students[k]);
        if (c.students.size() > 8) names += format(", and %zu more", c.students.size() - 8);
        out += format("<tr><td class=\"num\">%d</td><td>%s</td><td>", c.count, html(c.task).c_str()) + html(c.reason) +
               "</td><td class=\"reasons\">" + names + "</td></tr>\n";
    }
    return out + "</table>\n";
}

}  // namespace

std::string class_report_html(const ClassReport& r, const std::string& date) {
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
                      "<title>attnlab grade sheet</title>\n<style>\n";
    out += kCss;
    out += "</style>\n</head>\n<body>\n" + header(r, date) + legend();
    out += "<h2>Students</h2>\n" + students_table(r);
    out += "<h2>Pass rate per task</h2>\n" + chart_key() + pass_rate_chart(r);
    out += format("<h2>Max abs diff per task</h2>\n<p class=\"sub\">Hand-ins per decade of the error (graded answers only), "
                  "split at the tolerance %g: left of it pass, right of it fail.</p>\n<div class=\"hists\">\n",
                  r.tolerance);
    for (const TaskSummary& t : r.tasks) out += histogram_chart(r, t);
    out += "</div>\n<h2>Most common reasons a task failed or could not be graded</h2>\n" + reasons_table(r);
    return out + "</body>\n</html>\n";
}

std::string class_report_html(const ClassReport& r) { return class_report_html(r, local_date_today()); }

std::string local_date_today() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &local);
    return text;
}

}  // namespace attn
