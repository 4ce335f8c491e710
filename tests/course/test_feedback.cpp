// Feedback files per student (core/course/feedback.h, issue 22): content, safe and unique file
// names for hostile student names, Chinese, and no half-written file when a write fails.
#include "core/course/feedback.h"

#include "core/course/exercises.h"
#include "core/base/error.h"
#include "core/base/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace attn {
namespace {

ClassReport fixture_class(Language language = {}) {
    ClassGradingOptions options;
    options.where = "hand-ins";
    options.language = language;
    return grade_class(find_hand_ins({std::string(ATTN_TEST_FIXTURES_DIR) + "/class/hand-ins"}), 0.05, options);
}

const FeedbackFile* find(const std::vector<FeedbackFile>& files, const std::string& student) {
    for (const FeedbackFile& f : files)
        if (f.student == student) return &f;
    return nullptr;
}

TEST(Feedback, EveryTaskWithVerdictMarkDiffToleranceReasonAndFirstHint) {
    const ClassReport report = fixture_class();
    const Course& course = notebook_course();
    const std::vector<FeedbackFile> files = class_feedback(report, course);
    ASSERT_EQ(files.size(), report.students.size());
    for (const StudentResult& s : report.students) {
        const FeedbackFile* f = find(files, s.student);
        ASSERT_NE(f, nullptr) << s.student;
        if (!s.error.empty()) {
            EXPECT_NE(f->text.find("! Your file could not be read: "), std::string::npos) << f->text;
            continue;
        }
        for (const StudentTask& t : s.tasks) {
            const Task* task = course.find(t.id);
            ASSERT_NE(task, nullptr);
            const char* mark = t.state == TaskState::Pass ? "✓ pass" : t.state == TaskState::Fail ? "✗ fail"
                               : t.state == TaskState::NotGraded ? "n/a cannot be graded" : "– not answered";
            EXPECT_NE(f->text.find("## " + t.id + " " + task->title.en + ": " + mark + "\n"), std::string::npos)
                << s.student << " " << t.id << "\n" << f->text;
            // A graded task says what its check measured (the notebook's tasks: the output's max abs
            // diff against the tolerance), exactly as the class report holds it.
            if (std::isfinite(t.max_abs_diff)) {
                EXPECT_EQ(t.measured.rfind("max abs diff ", 0), 0u) << t.measured;
                EXPECT_NE(f->text.find("- " + t.measured + "\n"), std::string::npos) << f->text;
            }
        }
    }
    // A student who failed a task gets its reason and the first hint (hint 1, "what must hold").
    const StudentResult* failing = nullptr;
    for (const StudentResult& s : report.students)
        for (const StudentTask& t : s.tasks)
            if (!failing && t.state == TaskState::Fail) failing = &s;
    ASSERT_NE(failing, nullptr);
    const std::string& text = find(files, failing->student)->text;
    EXPECT_NE(text.find("- why: "), std::string::npos) << text;
    EXPECT_NE(text.find("- hint: "), std::string::npos) << text;
    EXPECT_NE(text.find(format("%d of %zu tasks passed.", failing->passed(), failing->tasks.size())), std::string::npos);
}

TEST(Feedback, HostileNamesBecomeSafeUniqueFileNamesSaidInTheHeader) {
    EXPECT_EQ(feedback_file_stem("alice"), "alice");
    EXPECT_EQ(feedback_file_stem("../../etc/passwd"), "_._.._etc_passwd");
    EXPECT_EQ(feedback_file_stem(".hidden"), "_hidden");
    EXPECT_EQ(feedback_file_stem(""), "student");
    EXPECT_EQ(feedback_file_stem("<img src=x>"), "_img_src_x_");
    EXPECT_EQ(feedback_file_stem("李雷"), "______");
    EXPECT_EQ(feedback_file_stem(std::string(200, 'a')).size(), 60u);
    ClassReport report;
    for (const char* name : {"Alice", "alice", "a/b", "a?b", "a\nb-->"}) {
        StudentResult s;
        s.student = name;
        s.error = "no file";
        report.students.push_back(s);
    }
    const std::vector<FeedbackFile> files = class_feedback(report, notebook_course());
    ASSERT_EQ(files.size(), 5u);
    EXPECT_EQ(files[0].file_name, "Alice.md");
    EXPECT_EQ(files[1].file_name, "alice-2.md");  // same as Alice.md on a case-insensitive disk
    EXPECT_EQ(files[2].file_name, "a_b.md");
    EXPECT_EQ(files[3].file_name, "a_b-2.md");
    EXPECT_EQ(files[4].file_name, "a_b--_.md");
    EXPECT_EQ(files[0].text.find("<!-- attnlab feedback for the student \"Alice\" -->\n"), 0u) << files[0].text;
    EXPECT_NE(files[1].text.find("\"alice\"; file name alice-2.md: made safe from the student's name, with a number "
                                 "because another student's name gives alice.md"),
              std::string::npos)
        << files[1].text;
    EXPECT_NE(files[2].text.find("\"a/b\"; file name a_b.md: made safe"), std::string::npos) << files[2].text;
    // The comment cannot be closed early by a name: "-->" is escaped, and no raw newline.
    const std::string first_line = files[4].text.substr(0, files[4].text.find('\n'));
    EXPECT_EQ(first_line.find("-->"), first_line.size() - 3) << first_line;
}

TEST(Feedback, ChineseWhenAskedForIt) {
    const Language zh = parse_language("zh");
    const ClassReport report = fixture_class(zh);
    const std::vector<FeedbackFile> files = class_feedback(report, notebook_course(), zh);
    const FeedbackFile* alice = find(files, "alice");
    ASSERT_NE(alice, nullptr);
    EXPECT_NE(alice->text.find("的反馈"), std::string::npos) << alice->text;
    EXPECT_NE(alice->text.find("课程：" + notebook_course().title.get(zh)), std::string::npos) << alice->text;
    EXPECT_EQ(alice->text.find("Feedback for"), std::string::npos);
}

std::vector<std::string> folder(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST(Feedback, WritesOneFilePerStudentAtomicallyIntoANewFolder) {
    const std::string base = testing::TempDir() + "attnlab-feedback-" + std::to_string(::getpid());
    std::filesystem::remove_all(base);
    std::filesystem::create_directory(base);
    const ClassReport report = fixture_class();
    const std::string dir = base + "/out";
    EXPECT_EQ(write_class_feedback(report, ClassCourse{}, dir), static_cast<int>(report.students.size()));
    const std::vector<FeedbackFile> files = class_feedback(report, notebook_course());
    std::vector<std::string> expected;
    for (const FeedbackFile& f : files) expected.push_back(f.file_name);
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(folder(dir), expected);
    std::ifstream in(dir + "/" + files[3].file_name);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), files[3].text);

    // A failing write (the target is a folder) throws and leaves no half-written file behind.
    const std::string blocked = base + "/blocked";
    std::filesystem::create_directories(blocked + "/" + files[1].file_name);
    EXPECT_THROW(write_class_feedback(report, ClassCourse{}, blocked), InputError);
    for (const std::string& name : folder(blocked)) EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
    // A feedback "folder" that is a file is refused with its name.
    try {
        write_class_feedback(report, ClassCourse{}, dir + "/" + files[0].file_name);
        ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("not a folder"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace attn
