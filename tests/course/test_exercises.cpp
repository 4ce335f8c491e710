// The notebook's exercises: the course file, the checker against PyTorch's own check_query
// figures (tests/fixtures/checker.json), the six analytic answers, and solve → export → check.
#include "core/course/answer_file.h"
#include "core/base/error.h"
#include "core/course/exercises.h"
#include "core/base/json_io.h"
#include "core/course/report.h"

#include <gtest/gtest.h>

namespace {

const attn::Dataset& data() {
    static const attn::Dataset notebook = attn::notebook_dataset();
    return notebook;
}

attn::AnswerSet solved_answers(std::vector<attn::TaskSolution>* solutions = nullptr) {
    return attn::solve_all(attn::notebook_course(), data(), 0.05, {}, solutions);
}

}  // namespace

TEST(Course, HasTheNotebookTasksInBothLanguages) {
    const auto& course = attn::notebook_course();
    std::vector<std::string> ids;
    for (const auto& task : course.tasks) {
        ids.push_back(task.id);
        EXPECT_FALSE(task.title.en.empty()) << task.id;
        EXPECT_FALSE(task.title.translations.at("zh").empty()) << task.id;
        EXPECT_FALSE(task.prompt.translations.at("zh").empty()) << task.id;
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"1.2.1", "1.2.2", "1.2.3", "1.3.1", "1.3.2", "1.3.3", "1.4.1", "1.4.2", "1.4.3"}));
    EXPECT_DOUBLE_EQ(course.tolerance, 0.05);
    EXPECT_EQ(course.find("1.4.2")->edit.query_from, "1.3.2");
    EXPECT_TRUE(course.find("1.4.2")->edit.unit_norm);
    EXPECT_TRUE(course.find("1.3.3")->discussion);
    EXPECT_EQ(course.find_by_answer("m_key141")->id, "1.4.1");
}

TEST(Course, RejectsBrokenCourseFiles) {
    EXPECT_THROW(attn::parse_course("{", "c.json", 4), attn::InputError);
    EXPECT_THROW(attn::parse_course(R"({"format": 2})", "c.json", 4), attn::InputError);
    const std::string bad_goal = R"({"format":1,"title":{"en":"t"},"tolerance_note":{"en":"n"},"tolerance":0.05,"sections":[],
      "tasks":[{"id":"x","section":"1","answer":"a","title":{"en":"t"},"prompt":{"en":"p"},
                "edit":{"tensor":"query","rows":1},"target":"select:9"}]})";
    EXPECT_THROW(attn::parse_course(bad_goal, "c.json", 4), attn::InputError);
}

TEST(Checker, EqualsTorchCheckQueryFigures) {
    const auto fixture = attn::read_json_file(std::string(ATTN_TEST_FIXTURES_DIR) + "/checker.json", 1u << 22);
    int compared = 0;
    for (const auto& c : fixture["cases"]) {
        attn::AnswerSet answers;
        for (const auto& [name, item] : c["answers"].items()) {
            attn::AnswerTensor tensor;
            tensor.data = attn::json_value_to_matrix(item["value"], name);
            tensor.is_vector = item["shape"].size() == 1;
            answers[name] = tensor;
        }
        const auto checks = attn::check_all(attn::notebook_course(), data(), answers, 0.05);
        ASSERT_EQ(checks.size(), 6u);
        for (const auto& check : checks) {
            SCOPED_TRACE(check.id);
            ASSERT_TRUE(check.answered);
            ASSERT_TRUE(check.problem.empty()) << check.problem;
            const double torch = c["torch_max_abs_diff"][check.id];
            // Two float32 ulps near 1: torch's vectorised SLEEF expf can differ from glibc's
            // correctly rounded expf in the last place, which moves a weight by one ulp.
            EXPECT_LE(std::abs(check.max_abs_diff - torch), 2.4e-7) << "torch " << torch;
            EXPECT_EQ(check.pass, torch <= 0.05);
            ++compared;
        }
    }
    EXPECT_EQ(compared, 48);
}

TEST(Checker, ReportsMissingWrongShapeChangedRowsAndNonUnitKeys) {
    attn::AnswerSet answers = solved_answers();
    auto checks = attn::check_all(attn::notebook_course(), data(), {}, 0.05);
    for (const auto& check : checks) EXPECT_FALSE(check.answered) << check.id;

    attn::AnswerSet wrong_shape = answers;
    wrong_shape["query122"].data = Eigen::MatrixXd::Zero(3, 3);
    auto check = attn::check_task(attn::notebook_course(), *attn::notebook_course().find("1.2.2"), data(), wrong_shape, 0.05);
    EXPECT_FALSE(check.pass);
    EXPECT_NE(check.problem.find("shape"), std::string::npos) << check.problem;

    attn::AnswerSet changed = answers;
    changed["m_key141"].data(0, 1) += 0.5;
    check = attn::check_task(attn::notebook_course(), *attn::notebook_course().find("1.4.1"), data(), changed, 0.05);
    EXPECT_FALSE(check.pass);
    EXPECT_NE(check.problem.find("row 0"), std::string::npos) << check.problem;

    // 1.4.2's row is graded as the notebook's cell leaves it: divided by its norm. A typed row
    // that is not unit length still passes; a zero row cannot be normalized.
    attn::AnswerSet not_unit = answers;
    not_unit["m_key142"].data.row(2) *= 2;
    check = attn::check_task(attn::notebook_course(), *attn::notebook_course().find("1.4.2"), data(), not_unit, 0.05);
    EXPECT_TRUE(check.pass) << check.problem;
    EXPECT_NEAR(check.keys.row(2).norm(), 1.0, 1e-6);
    attn::AnswerSet zero_row = answers;
    zero_row["m_key142"].data.row(2).setZero();
    check = attn::check_task(attn::notebook_course(), *attn::notebook_course().find("1.4.2"), data(), zero_row, 0.05);
    EXPECT_FALSE(check.pass);
    EXPECT_NE(check.problem.find("length"), std::string::npos) << check.problem;

    attn::AnswerSet no_query = answers;
    no_query.erase("query132");
    check = attn::check_task(attn::notebook_course(), *attn::notebook_course().find("1.4.1"), data(), no_query, 0.05);
    EXPECT_FALSE(check.pass);
    EXPECT_NE(check.problem.find("query132"), std::string::npos) << check.problem;
}

TEST(Checker, KeyTasksUseTheStudentsOwn132Query) {
    attn::AnswerSet answers = solved_answers();
    const auto& task = *attn::notebook_course().find("1.4.2");
    EXPECT_TRUE(attn::check_task(attn::notebook_course(), task, data(), answers, 0.05).pass);
    // A short 1.3.2 query in the same direction still passes 1.3.2 loosely but breaks 1.4.2.
    answers["query132"].data *= 0.1;
    const auto check = attn::check_task(attn::notebook_course(), task, data(), answers, 0.05);
    EXPECT_FALSE(check.pass);
    EXPECT_GT(check.max_abs_diff, 0.05f);
}

TEST(Solver, SixAnswersPassFarBelowTheCourseTolerance) {
    std::vector<attn::TaskSolution> solutions;
    const auto answers = solved_answers(&solutions);
    ASSERT_EQ(answers.size(), 6u);
    for (const auto& solved : solutions) {
        SCOPED_TRACE(solved.check.id);
        EXPECT_TRUE(solved.solution.feasible) << solved.solution.reason;
        EXPECT_TRUE(solved.check.pass);
        EXPECT_LE(solved.check.max_abs_diff, 1e-5f);
        EXPECT_FALSE(solved.solution.explanation.empty());
    }
    // 1.3.2's length leaves room for 1.4.2 (a short q, e.g. 3(k0+k1), gives 0.18 there).
    EXPECT_GT(answers.at("query132").data.norm(), 20.0);
}

TEST(Solver, PythonExportRoundTripsThroughTheChecker) {
    std::vector<attn::TaskSolution> solutions;
    solved_answers(&solutions);
    const std::string python = attn::solutions_as_python(attn::notebook_course(), solutions);
    for (const char* name : {"query121 = torch.tensor(", "query122 = torch.tensor(", "query131 = torch.tensor([0.0, 0.0, 0.0])",
                             "query132 = ", "m_key141 = ", "m_key142 = "})
        EXPECT_NE(python.find(name), std::string::npos) << name;
    const attn::AnswerSet parsed = attn::parse_python_answers(python, "solve.py");
    ASSERT_EQ(parsed.size(), 6u);
    const auto checks = attn::check_all(attn::notebook_course(), data(), parsed, 0.05);
    for (const auto& check : checks) {
        EXPECT_TRUE(check.pass) << check.id << " " << check.problem;
        EXPECT_LE(check.max_abs_diff, 1e-5f) << check.id;
    }
    const std::string json = attn::answers_as_json(attn::notebook_course(), parsed).dump();
    const attn::AnswerSet reparsed = attn::parse_json_answers(json, "answers.json");
    for (const auto& [name, tensor] : parsed) EXPECT_EQ(reparsed.at(name).data, tensor.data) << name;
}

TEST(Report, PythonNumbersStayFloatLiterals) {
    EXPECT_EQ(attn::python_number(0.0), "0.0");
    EXPECT_EQ(attn::python_number(3.0), "3.0");
    EXPECT_EQ(attn::python_number(0.47f), "0.47");
    EXPECT_EQ(attn::python_number(-1.39640427), "-1.3964043");
    EXPECT_EQ(static_cast<float>(std::stod(attn::python_number(1.0 / 3.0))), 1.0f / 3.0f);
}
