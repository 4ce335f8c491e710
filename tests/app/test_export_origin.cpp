// Where File → Export and Copy PyTorch say an answer came from (issue 21): Solve's key for 1.4.2
// stays Solve's after the 1.3.2 query it was derived from changes, and says so; an answer the
// student changed counts as typed. Drives the app state as the window does, without a window.
#include "app/app_state.h"
#include "core/course/report.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace attn;
using namespace attn::app;

const Task& task_named(const AppState& state, const std::string& id) { return *course(state).find(id); }

void solve_task_named(AppState& state, const std::string& id) {
    select_task(state, id);
    solve_selected(state);
}

TEST(ExportOrigin, SolvesKeyStaysSolvesWhenTheQueryItCameFromChanges) {
    AppState state;
    state.session = default_session();
    refresh(state);
    solve_task_named(state, "1.3.2");
    solve_task_named(state, "1.4.2");
    const Task& key_task = task_named(state, "1.4.2");
    ASSERT_EQ(answer_origin(state, key_task), AnswerOrigin::Solved);

    // The student moves the 1.3.2 query: the key is still the one Solve derived, for the old query.
    Eigen::MatrixXd& query = state.session.answers[task_named(state, "1.3.2").answer].data;
    query(0, 0) += 0.5;
    refresh(state);
    EXPECT_EQ(answer_origin(state, key_task), AnswerOrigin::SolvedForEarlierQuery);
    EXPECT_EQ(answer_origin(state, task_named(state, "1.3.2")), AnswerOrigin::Typed);
    const std::string python = answers_as_python(course(state), state.session.answers, answer_extras(state));
    EXPECT_NE(python.find("# 1.4.2: from attnlab's Solve, for the answer to 1.3.2 before it changed: k2 = q/|q| (q = query132)"),
              std::string::npos)
        << python;
    EXPECT_EQ(python.find("1.4.2: typed by hand"), std::string::npos) << python;

    // Changing the key itself makes it the student's.
    state.session.answers[key_task.answer].data(0, 0) += 0.25;
    refresh(state);
    EXPECT_EQ(answer_origin(state, key_task), AnswerOrigin::Typed);
    EXPECT_NE(answers_as_python(course(state), state.session.answers, answer_extras(state)).find("# 1.4.2: typed by hand"),
              std::string::npos);
}

TEST(ExportOrigin, AnUntouchedSolveIsSolvesAndNotesTravelAlong) {
    AppState state;
    state.session = default_session();
    refresh(state);
    solve_task_named(state, "1.2.1");
    state.session.notes["1.5"] = "the weights sum to one";
    const AnswerExtras extras = answer_extras(state);
    EXPECT_EQ(extras.origins.at(task_named(state, "1.2.1").answer), AnswerOrigin::Solved);
    EXPECT_EQ(extras.notes.at("1.5"), "the weights sum to one");
    const std::string python = answers_as_python(course(state), state.session.answers, extras);
    EXPECT_NE(python.find("# 1.2.1: from attnlab's Solve: q = m u"), std::string::npos) << python;
}

}  // namespace
