// One feedback file per student (core/course/feedback.h).
#include "core/course/feedback.h"

#include "core/course/answer_file.h"
#include "core/course/hints.h"
#include "core/course/pack.h"
#include "core/base/error.h"
#include "core/base/i18n.h"
#include "core/base/json_io.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <sys/stat.h>

namespace attn {

namespace {

// A student string made safe for Markdown: one clean line, and no HTML a course site would run.
std::string md(const std::string& raw) {
    const std::string clean = raw.size() <= 600 && message_is_clean(raw) ? raw : printable(raw, 600);
    std::string out;
    for (char c : clean) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else out += c;
    }
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

const char* verdict(TaskState state, const Language& lang) {
    switch (state) {
    case TaskState::Pass: return tr(lang, "✓ pass");
    case TaskState::Fail: return tr(lang, "✗ fail");
    case TaskState::NotGraded: return tr(lang, "n/a cannot be graded");
    case TaskState::Missing: return tr(lang, "– not answered");
    }
    return "?";
}

// The course the student was graded against: the class's, or their own variant of its pack.
Course course_of(const ClassCourse& against, const StudentResult& s) {
    if (!against.variants || s.variant_student.empty()) return against.course;
    try {
        return make_variant(against.pack_text, against.pack_source, s.variant_student).course;
    } catch (const std::exception&) {
        return against.course;  // grading made it once; a hint from the pack beats no file
    }
}

// The student's answers, for hints that build on them, read as grading read them (the
// notebook's reader, or a pack's); none when the file cannot be read again.
AnswerSet answers_of(const ClassCourse& against, const StudentResult& s, const Course& course) {
    try {
        if (against.pack_text.empty()) return read_hand_in(s.path, course.data).answers;
        return read_pack_hand_in(s.path, course).hand_in.answers;
    } catch (const std::exception&) {
        return {};
    }
}

std::string task_section(const Course& course, const StudentTask& t, const AnswerSet& answers, double tolerance,
                         const Language& lang) {
    const Task* task = course.find(t.id);
    std::string out = "\n## " + md(t.id) + (task ? " " + md(task->title.get(lang)) : "") + ": " + verdict(t.state, lang) + "\n\n";
    // What the check measured (a temperature task measures a weight, not a diff). attnlab's own
    // words and numbers, no student text: '>' and '≤' stay as they are, readable as plain text.
    if (!t.measured.empty()) out += "- " + t.measured + "\n";
    else if (std::isfinite(t.max_abs_diff))
        out += format(tr(lang, "- max abs diff %.3g (tolerance %g)\n"), static_cast<double>(t.max_abs_diff), tolerance);
    if (!t.reason.empty()) out += format(tr(lang, "- why: %s\n"), md(t.reason).c_str());
    if (task && t.state != TaskState::Pass) {
        const std::string hint = task_hints(course, *task, course.data, answers, lang).must_hold;
        if (!hint.empty()) out += format(tr(lang, "- hint: %s\n"), md(hint).c_str());
    }
    return out;
}

std::string feedback_text(const ClassReport& r, const ClassCourse& against, const StudentResult& s,
                          const std::string& name_note, const Language& lang) {
    const Course course = course_of(against, s);
    std::string out = "<!-- attnlab feedback for the student \"" + md(s.student) + "\"" + name_note + " -->\n";
    out += format(tr(lang, "# Feedback for %s\n\n"), md(s.student).c_str());
    out += format(tr(lang, "Course: %s; tolerance %g (max abs diff at most this passes)\n"),
                  md(course.title.get(lang)).c_str(), r.tolerance);
    if (!s.variant_student.empty()) out += format(tr(lang, "Your variant: %s\n"), md(s.variant_student).c_str());
    if (!s.error.empty()) return out + format(tr(lang, "\n! Your file could not be read: %s\n"), md(s.error).c_str());
    out += format(tr(lang, "\n%d of %zu tasks passed.\n"), s.passed(), s.tasks.size());
    const AnswerSet answers = answers_of(against, s, course);
    for (const StudentTask& t : s.tasks) out += task_section(course, t, answers, r.tolerance, lang);
    return out;
}

}  // namespace

std::string feedback_file_stem(const std::string& student) {
    std::string out;
    for (unsigned char c : student) {
        if (out.size() >= 60) break;
        out += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? static_cast<char>(c) : '_';
    }
    if (!out.empty() && out[0] == '.') out[0] = '_';
    return out.empty() ? "student" : out;
}

std::vector<FeedbackFile> class_feedback(const ClassReport& report, const Course& course, Language language) {
    ClassCourse against;
    against.course = course;
    return class_feedback(report, against, std::move(language));
}

std::vector<FeedbackFile> class_feedback(const ClassReport& report, const ClassCourse& against, Language language) {
    std::vector<FeedbackFile> files;
    std::set<std::string> taken;  // lower case: unique on case-insensitive disks too
    for (const StudentResult& s : report.students) {
        const std::string stem = feedback_file_stem(s.student);
        std::string name = stem + ".md";
        for (int n = 2; !taken.insert(lower(name)).second; ++n) name = stem + "-" + std::to_string(n) + ".md";
        std::string note;
        if (name != s.student + ".md")
            note = "; file name " + name + ": made safe from the student's name" +
                   (name == stem + ".md" ? "" : ", with a number because another student's name gives " + stem + ".md");
        files.push_back({name, s.student, feedback_text(report, against, s, note, language)});
    }
    return files;
}

int write_class_feedback(const ClassReport& report, const ClassCourse& against, const std::string& dir, Language language) {
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
        throw InputError(printable_path(dir) + ": cannot create the feedback folder (" + std::strerror(errno) + ")");
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
        throw InputError(printable_path(dir) + ": the feedback folder is not a folder");
    const std::vector<FeedbackFile> files = class_feedback(report, against, std::move(language));
    for (const FeedbackFile& f : files) write_file_atomically(dir + "/" + f.file_name, f.text);
    return static_cast<int>(files.size());
}

}  // namespace attn
