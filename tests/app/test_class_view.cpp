// The Class window's "view a student's answers" (issue 22): a student opens in the course and
// variant the class was graded against, the teacher's own work is set aside whole (the autosave
// keeps writing it) and comes back unchanged. Drives the app state as the window does, without
// a window; the pack path here (a built-in pack, a student's variant) is the one the notebook
// GUI test (tests/gui/class_view.sh) cannot reach while class grading covers the notebook only.
#include "app/app_state.h"
#include "app/packs.h"
#include "app/ui.h"
#include "core/base/json_io.h"
#include "core/course/pack.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

using namespace attn;
using namespace attn::app;

constexpr const char* kPack = "temperature-masks";

// alice's variant of the pack, every task solved, written as a pack hand-in.
std::string write_variant_hand_in(const std::string& student) {
    const Course variant = make_variant(find_builtin_pack(kPack)->json, kPack, student).course;
    const AnswerSet answers = solve_all(variant, variant.data, 0.05, SolveOptions{});
    // One file per test and process: ctest runs these tests in parallel, and one test's cleanup
    // must not remove the file another is reading.
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("attnlab-class-view-" + test + "-" + std::to_string(::getpid()) + "-" + student + ".json"))
                                 .string();
    write_file_atomically(path, pack_answers_json(variant, answers).dump(2) + "\n");
    return path;
}

AppState teacher_with_own_work() {
    AppState state;
    state.session = default_session();
    refresh(state);
    select_task(state, "1.3.2");
    solve_selected(state);
    state.session_path = "/tmp/teachers-own-session.json";
    return state;
}

std::shared_ptr<const ClassReport> pack_class(const std::string& path, const std::string& variant_student) {
    ClassReport report;
    report.course_id = kPack;
    report.pack_source = kPack;
    StudentResult alice;
    alice.student = "alice";
    alice.path = path;
    alice.variant_student = variant_student;
    report.students.push_back(alice);
    return std::make_shared<const ClassReport>(report);
}

TEST(ClassView, AStudentOpensInTheirVariantOfThePackAndTheTeachersWorkComesBack) {
    AppState state = teacher_with_own_work();
    const Session own = state.session;
    const std::string path = write_variant_hand_in("alice");
    state.class_view.report = pack_class(path, "alice");

    ASSERT_TRUE(open_class_student(state, 0));
    EXPECT_TRUE(viewing_student(state));
    EXPECT_EQ(course(state).id, kPack);
    EXPECT_EQ(course(state).variant_student, "alice");
    EXPECT_EQ(state.session.pack.builtin, kPack);
    EXPECT_EQ(state.session.pack.student, "alice");
    // Solved for alice's data, so every answered task passes only in alice's variant.
    int answered = 0;
    for (const TaskCheck& check : state.checks) {
        if (!check.answered) continue;
        ++answered;
        EXPECT_TRUE(check.pass) << check.id << ": " << check.problem;
    }
    EXPECT_GT(answered, 2);
    EXPECT_TRUE(state.session_path.empty());  // Save never writes the student's answers over the teacher's file
    // The autosave still writes the teacher's own document.
    EXPECT_TRUE(same_document(session_for_autosave(state), own));
    EXPECT_TRUE(same_document(own_document(state), own));

    back_to_own_work(state);
    EXPECT_FALSE(viewing_student(state));
    EXPECT_EQ(course(state).id, "notebook");
    EXPECT_TRUE(same_document(state.session, own));
    EXPECT_EQ(state.session_path, "/tmp/teachers-own-session.json");
    std::remove(path.c_str());
}

TEST(ClassView, WithoutTheVariantTheSameAnswersFailThePack) {
    // The variant matters: opened in the pack itself, alice's answers do not all pass.
    AppState state = teacher_with_own_work();
    const std::string path = write_variant_hand_in("alice");
    state.class_view.report = pack_class(path, "");
    ASSERT_TRUE(open_class_student(state, 0));
    EXPECT_EQ(course(state).id, kPack);
    EXPECT_TRUE(course(state).variant_student.empty());
    int failing = 0;
    for (const TaskCheck& check : state.checks) failing += check.answered && !check.pass ? 1 : 0;
    EXPECT_GT(failing, 0);
    std::remove(path.c_str());
}

TEST(ClassView, OpeningAnotherStudentKeepsTheFirstWorkSetAside) {
    AppState state = teacher_with_own_work();
    const Session own = state.session;
    const std::string alice = write_variant_hand_in("alice"), bob = write_variant_hand_in("bob");
    ClassReport report = *pack_class(alice, "alice");
    StudentResult b = report.students.front();
    b.student = "bob";
    b.path = bob;
    b.variant_student = "bob";
    report.students.push_back(b);
    state.class_view.report = std::make_shared<const ClassReport>(report);
    ASSERT_TRUE(open_class_student(state, 0));
    ASSERT_TRUE(open_class_student(state, 1));
    EXPECT_EQ(course(state).variant_student, "bob");
    EXPECT_EQ(state.class_view.opened_student, "bob");
    EXPECT_TRUE(same_document(own_document(state), own));
    back_to_own_work(state);
    EXPECT_TRUE(same_document(state.session, own));
    std::remove(alice.c_str());
    std::remove(bob.c_str());
}

TEST(ClassView, AStudentWhoCannotBeOpenedLeavesTheTeachersWorkInPlace) {
    AppState state = teacher_with_own_work();
    const Session own = state.session;
    state.class_view.report = pack_class("/nonexistent/alice.json", "alice");
    EXPECT_FALSE(open_class_student(state, 0));
    EXPECT_FALSE(viewing_student(state));
    EXPECT_EQ(course(state).id, "notebook");
    EXPECT_TRUE(same_document(state.session, own));
    ASSERT_FALSE(state.toasts.empty());
    EXPECT_TRUE(state.toasts.back().is_error);
}

TEST(ClassView, OpeningAPackWhileViewingMakesItTheTeachersWork) {
    AppState state = teacher_with_own_work();
    const std::string path = write_variant_hand_in("alice");
    state.class_view.report = pack_class(path, "alice");
    ASSERT_TRUE(open_class_student(state, 0));
    ASSERT_TRUE(open_builtin_pack(state, kPack));
    EXPECT_FALSE(viewing_student(state));
    EXPECT_TRUE(same_document(session_for_autosave(state), state.session));
    std::remove(path.c_str());
}

}  // namespace
