// The boundaries and rare branches a plausible one-line bug would break without any other test
// noticing (issue 15): the exact tolerance, the last fixed key row, rows longer than row 1, the
// key width in 1/√d, the "no finite query" infeasibility, predicted_error against the exact
// error with |q| minimal, and the renormalised 1.4.2 key against real PyTorch
// (tests/fixtures/unit_key142.json, made by make_unit_key_fixture.py with python3-torch 1.13).
#include "core/course/answer_file.h"
#include "core/math/attention.h"
#include "core/base/error.h"
#include "core/course/exercises.h"
#include "core/base/json_io.h"
#include "core/base/text.h"
#include "core/math/solver.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

namespace {

const attn::Dataset& data() {
    static const attn::Dataset notebook = attn::notebook_dataset();
    return notebook;
}

const attn::Course& course() { return attn::notebook_course(); }

const attn::Task& task(const char* id) {
    const attn::Task* t = course().find(id);
    if (!t) throw std::runtime_error(std::string("no task ") + id);
    return *t;
}

attn::AnswerSet solved() {
    static const attn::AnswerSet answers = attn::solve_all(course(), data(), 0.05, {});
    return answers;
}

uint32_t bits_of(float x) {
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

float float_of_hex(const std::string& hex) {
    const uint32_t u = static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

// The error of the exact (double) output for query q, as the solver's bound is stated.
double exact_error(const attn::Dataset& d, const attn::Goal& goal, const Eigen::MatrixXd& q, double scale) {
    attn::AttentionOptions options;
    options.scale_mode = attn::ScaleMode::Temperature;
    options.temperature = 1.0 / scale;
    return attn::max_abs_diff(attn::goal_target(goal, d.values), attn::attention(q, d.keys, d.values, options).output);
}

std::string python_error(const std::string& text) {
    try {
        attn::parse_python_answers(text, "a.py");
    } catch (const attn::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string json_error(const std::string& text) {
    try {
        attn::parse_json_answers(text, "a.json");
    } catch (const attn::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

// ---- the checker's tolerance: pass at exactly the tolerance, fail one float32 ulp above ----------

TEST(CheckerBoundary, PassesAtExactlyTheToleranceAndFailsOneUlpAbove) {
    // A deliberately imprecise 1.2.1 answer: its float32 error is some value e well above 0.
    attn::AnswerSet answers = solved();
    Eigen::MatrixXd q(1, 3);
    q << 1.5, 0.25, 0.75;
    answers["query121"].data = q;
    const auto& t = task("1.2.1");
    const float e = attn::check_task(course(), t, data(), answers, 0.05).max_abs_diff;
    ASSERT_TRUE(std::isfinite(e));
    ASSERT_GT(e, 0.01f);

    // The notebook's rule is `diff <= tol`: a tolerance equal to the error passes ...
    const auto at = attn::check_task(course(), t, data(), answers, static_cast<double>(e));
    EXPECT_TRUE(at.pass) << "error " << e << " at tolerance " << static_cast<double>(e);
    EXPECT_EQ(at.max_abs_diff, e);
    // ... and an error one float32 ulp above the tolerance fails (tolerance = e - 1 ulp) ...
    const float one_ulp_below = std::nextafter(e, 0.0f);
    EXPECT_FALSE(attn::check_task(course(), t, data(), answers, static_cast<double>(one_ulp_below)).pass);
    // ... as does any tolerance below it, however close, and one ulp above the error passes.
    EXPECT_FALSE(attn::check_task(course(), t, data(), answers, std::nextafter(static_cast<double>(e), 0.0)).pass);
    EXPECT_TRUE(attn::check_task(course(), t, data(), answers, static_cast<double>(std::nextafter(e, 1.0f))).pass);
}

TEST(CheckerBoundary, ExactToleranceOnEveryTaskOfTheSolvedNotebook) {
    const attn::AnswerSet answers = solved();
    for (const auto& t : course().tasks) {
        if (t.discussion) continue;
        SCOPED_TRACE(t.id);
        const auto check = attn::check_task(course(), t, data(), answers, 0.05);
        ASSERT_TRUE(check.problem.empty()) << check.problem;
        const float e = check.max_abs_diff;
        EXPECT_TRUE(attn::check_task(course(), t, data(), answers, static_cast<double>(e) + 0.0).pass);
        if (e > 0) {
            EXPECT_FALSE(attn::check_task(course(), t, data(), answers, std::nextafter(static_cast<double>(e), 0.0)).pass);
        }
    }
}

// ---- every row but the editable one is checked, the last included ------------------------------

TEST(CheckerBoundary, EveryFixedKeyRowIsCheckedTheLastIncluded) {
    for (const char* id : {"1.4.1", "1.4.2"}) {
        const auto& t = task(id);
        const int rows = static_cast<int>(data().keys.rows());
        ASSERT_EQ(t.edit.key_row, 2);
        ASSERT_EQ(rows, 4);
        const attn::AnswerSet answers = solved();
        ASSERT_TRUE(attn::check_task(course(), t, data(), answers, 0.05).pass) << id;
        for (int r = 0; r < rows; ++r) {
            if (r == t.edit.key_row) continue;
            for (int c = 0; c < 3; ++c) {
                SCOPED_TRACE(std::string(id) + " row " + std::to_string(r) + " col " + std::to_string(c));
                attn::AnswerSet changed = answers;
                // The smallest change a float32 can hold: one ulp.
                const float before = static_cast<float>(changed[t.answer].data(r, c));
                changed[t.answer].data(r, c) = static_cast<double>(std::nextafter(before, 10.0f));
                const auto check = attn::check_task(course(), t, data(), changed, 0.05);
                EXPECT_FALSE(check.pass);
                EXPECT_NE(check.problem.find("row " + std::to_string(r)), std::string::npos) << check.problem;
            }
        }
        // Row 3 changed a lot while the output still meets the goal: refused all the same.
        attn::AnswerSet moved = answers;
        moved[t.answer].data.row(3) << -5, -5, -5;
        const auto check = attn::check_task(course(), t, data(), moved, 0.05);
        EXPECT_FALSE(check.pass) << id;
        EXPECT_NE(check.problem.find("row 3"), std::string::npos) << check.problem;
    }
}

// ---- answer rows longer or shorter than expected, both answer forms -----------------------------

TEST(AnswerShapes, RowsLongerOrShorterThanRowOneAreRefusedInPython) {
    EXPECT_EQ(python_error("query122 = torch.tensor([[1, 2, 3], [4, 5, 6, 7], [1, 2, 3], [1, 2, 3]])\n"),
              "a.py:1: query122 row 2 has 4 numbers, expected 3 like row 1");
    EXPECT_EQ(python_error("query122 = torch.tensor([[1, 2, 3],\n  [1, 2, 3],\n  [1, 2, 3],\n  [4, 5, 6, 7]])\n"),
              "a.py:4: query122 row 4 has 4 numbers, expected 3 like row 1");
    EXPECT_EQ(python_error("query122 = torch.tensor([[1, 2, 3], [1, 2, 3], [1, 2, 3], [4, 5]])\n"),
              "a.py:1: query122 row 4 has 2 numbers, expected 3 like row 1");
    EXPECT_EQ(python_error("m_key141 = torch.tensor([[1, 2], [1, 2, 3]])\n"),
              "a.py:1: m_key141 row 2 has 3 numbers, expected 2 like row 1");
    EXPECT_EQ(python_error("m_key141 = torch.tensor([[1, 2, 3], [1]])\n"),
              "a.py:1: m_key141 row 2 has 1 numbers, expected 3 like row 1");
}

TEST(AnswerShapes, RowsLongerOrShorterThanRowOneAreRefusedInJson) {
    EXPECT_EQ(json_error("{\"query122\": [[1, 2, 3], [4, 5, 6, 7], [1, 2, 3], [1, 2, 3]]}"),
              "a.json: \"query122\" row 2 has 4 numbers, expected 3 like row 1");
    EXPECT_EQ(json_error("{\"query122\": [[1, 2, 3], [1, 2, 3], [1, 2, 3], [4, 5, 6, 7]]}"),
              "a.json: \"query122\" row 4 has 4 numbers, expected 3 like row 1");
    EXPECT_EQ(json_error("{\"query122\": [[1, 2, 3], [1, 2, 3], [1, 2, 3], [4, 5]]}"),
              "a.json: \"query122\" row 4 has 2 numbers, expected 3 like row 1");
    EXPECT_EQ(json_error("{\"m_key141\": [[1, 2], [1, 2, 3]]}"),
              "a.json: \"m_key141\" row 2 has 3 numbers, expected 2 like row 1");
}

// Rectangular answers of the wrong width or height parse, and the checker refuses them (it knows
// the exercise); a tensor one column too long must never be graded on its first columns.
TEST(AnswerShapes, TheCheckerRefusesAnswersLongerOrShorterThanTheExercise) {
    const std::string py =
        "query121 = torch.tensor([10.0, 0.0, 0.0, 0.0])\n"
        "query122 = torch.tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 1, 1, 0]])\n"
        "query131 = torch.tensor([0.0, 0.0])\n"
        "query132 = torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])\n";
    const std::string json =
        R"({"query121": [10.0, 0.0, 0.0, 0.0], "query122": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 1, 1, 0]],
            "query131": [0.0, 0.0], "query132": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]})";
    for (const attn::AnswerSet& answers : {attn::parse_python_answers(py, "a.py"), attn::parse_json_answers(json, "a.json")}) {
        for (const char* id : {"1.2.1", "1.2.2", "1.3.1", "1.3.2"}) {
            const auto check = attn::check_task(course(), task(id), data(), answers, 1e9);
            EXPECT_TRUE(check.answered) << id;
            EXPECT_FALSE(check.pass) << id;
            EXPECT_NE(check.problem.find("shape"), std::string::npos) << id << ": " << check.problem;
        }
    }
    // Key matrices: a fifth row, a fourth column, or three rows.
    attn::AnswerSet keys = solved();
    for (const auto& [rows, cols] : {std::pair<int, int>{5, 3}, {4, 4}, {3, 3}, {4, 2}}) {
        for (const char* id : {"1.4.1", "1.4.2"}) {
            attn::AnswerSet changed = keys;
            Eigen::MatrixXd m = Eigen::MatrixXd::Zero(rows, cols);
            m.topLeftCorner(std::min(rows, 4), std::min(cols, 3)) =
                keys.at(task(id).answer).data.topLeftCorner(std::min(rows, 4), std::min(cols, 3));
            changed[task(id).answer].data = m;
            const auto check = attn::check_task(course(), task(id), data(), changed, 1e9);
            EXPECT_FALSE(check.pass) << id << " " << rows << "x" << cols;
            EXPECT_NE(check.problem.find("shape"), std::string::npos) << check.problem;
        }
    }
}

// ---- 1/√d comes from the key width d, not the value width dv -------------------------------------

TEST(AttentionScale, InvSqrtDUsesTheKeyWidthWhenValuesAreWider) {
    // d = 2, dv = 5 (and the reverse below); a non-zero query so the scale shows in the output.
    Eigen::MatrixXd q(2, 2), k(3, 2), v(3, 5);
    q << 0.9, -1.7, 2.5, 0.3;
    k << 1.0, 0.5, -0.25, 2.0, 0.75, -1.5;
    v << 1, 2, 3, 4, 5, -1, 0, 1, 0, -1, 0.5, 0.25, -2, 3, 1;
    attn::AttentionOptions options;
    options.scale_mode = attn::ScaleMode::InvSqrtD;
    EXPECT_EQ(attn::attention_scale(options, 2), 1.0 / std::sqrt(2.0));
    EXPECT_EQ(attn::attention_scale(options, 5), 1.0 / std::sqrt(5.0));
    const auto result = attn::attention(q, k, v, options);
    EXPECT_EQ(result.scale, 1.0 / std::sqrt(2.0));
    const auto result_f = attn::attention_f32(q, k, v, options);
    EXPECT_EQ(result_f.scale, static_cast<float>(1.0 / std::sqrt(2.0)));
    // Independent softmax in long double from the definition.
    for (int i = 0; i < 2; ++i) {
        long double logits[3], sum = 0;
        for (int j = 0; j < 3; ++j) {
            logits[j] = (static_cast<long double>(q(i, 0)) * k(j, 0) + static_cast<long double>(q(i, 1)) * k(j, 1)) /
                        std::sqrt(2.0L);
            EXPECT_NEAR(static_cast<double>(logits[j]), result.logits(i, j), 1e-13);
            EXPECT_NEAR(static_cast<double>(logits[j]), result_f.logits(i, j), 1e-5);
        }
        for (int j = 0; j < 3; ++j) sum += std::exp(logits[j]);
        for (int c = 0; c < 5; ++c) {
            long double out = 0;
            for (int j = 0; j < 3; ++j) out += std::exp(logits[j]) / sum * v(j, c);
            EXPECT_NEAR(static_cast<double>(out), result.output(i, c), 1e-13) << i << "," << c;
            EXPECT_NEAR(static_cast<double>(out), result_f.output(i, c), 1e-5) << i << "," << c;
        }
    }
    // The reverse shape: d = 5 keys, dv = 2 values.
    Eigen::MatrixXd q5(1, 5), k5(2, 5), v2(2, 2);
    q5 << 1, 2, -1, 0.5, 3;
    k5 << 0.2, 0.1, 0.3, -0.4, 0.5, -0.3, 0.6, 0.1, 0.2, -0.1;
    v2 << 1, 0, 0, 1;
    const auto r5 = attn::attention(q5, k5, v2, options);
    EXPECT_EQ(r5.scale, 1.0 / std::sqrt(5.0));
    EXPECT_NEAR(r5.logits(0, 0), q5.row(0).dot(k5.row(0)) / std::sqrt(5.0), 1e-15);
}

// ---- "no finite query can reach the margin": reachable with a tiny scale ---------------------------

TEST(SolverBoundary, TinyScaleIsInfeasibleWithAReasonAndNoNonFiniteAnswer) {
    attn::SolveOptions options;
    options.scale = 1e-15;  // |q| would have to exceed 1e12 to move the weights by 1e-7
    for (const char* goal_text : {"select:0", "select:3", "average:0,1"}) {
        SCOPED_TRACE(goal_text);
        const attn::Goal goal = attn::parse_goal(goal_text, 4);
        // The geometry is fine: with scale 1 the same goal is feasible.
        ASSERT_TRUE(attn::solve_query_goal(data(), goal, {}).feasible);
        const auto solution = attn::solve_query_goal(data(), goal, options);
        EXPECT_FALSE(solution.feasible);
        EXPECT_FALSE(solution.reason.empty());
        EXPECT_NE(solution.reason.find("finite"), std::string::npos) << solution.reason;
        EXPECT_TRUE(std::isfinite(solution.magnitude)) << solution.magnitude;
        EXPECT_TRUE(std::isfinite(solution.predicted_error)) << solution.predicted_error;
        for (Eigen::Index i = 0; i < solution.answer.size(); ++i)
            EXPECT_TRUE(std::isfinite(solution.answer.data()[i])) << solution.answer;
        attn::SolveOptions zh = options;
        zh.language = attn::Language{"zh"};
        EXPECT_NE(attn::solve_query_goal(data(), goal, zh).reason, solution.reason);
    }
    // The identity names the row that cannot be done.
    const auto identity = attn::solve_query_goal(data(), attn::parse_goal("identity", 4), options);
    EXPECT_FALSE(identity.feasible);
    EXPECT_NE(identity.reason.find("finite"), std::string::npos) << identity.reason;
    // And the task level keeps no answer for it.
    const auto solved_task = attn::solve_task(course(), task("1.2.1"), data(), {}, 0.05, options);
    EXPECT_FALSE(solved_task.solution.feasible);
    EXPECT_FALSE(solved_task.check.pass);
    EXPECT_EQ(solved_task.answer.data.size(), 0);
    EXPECT_TRUE(std::isinf(attn::required_magnitude(attn::solve_query_goal(data(), attn::parse_goal("select:0", 4), {}).direction,
                                                    data().keys, data().values, {0}, options)));
}

// ---- predicted_error is the exact error at the solved |q|, and |q| is the smallest --------------

TEST(SolverBoundary, PredictedErrorIsTheExactErrorAndTheLengthIsMinimal) {
    for (double scale : {1.0, 0.5, 3.0}) {
        for (double target : {1e-7, 1e-4}) {
            for (const char* goal_text : {"select:0", "select:1", "select:2", "select:3", "average:0,1", "average:1,2",
                                          "average:0,1,2"}) {
                const attn::Goal goal = attn::parse_goal(goal_text, 4);
                attn::SolveOptions options;
                options.scale = scale;
                options.target_error = target;
                const auto s = attn::solve_query_goal(data(), goal, options);
                SCOPED_TRACE(std::string(goal_text) + " scale " + std::to_string(scale) + " target " + std::to_string(target));
                if (!s.feasible) {
                    ADD_FAILURE() << s.reason;
                    continue;
                }
                const Eigen::MatrixXd exact_q = (s.magnitude * s.direction).transpose();
                const double exact = exact_error(data(), goal, exact_q, scale);
                EXPECT_NEAR(s.predicted_error, exact, 1e-6 * exact + 1e-15) << "|q| = " << s.magnitude;
                EXPECT_LE(s.predicted_error, target * (1 + 1e-9));
                // Minimal: 1% shorter misses the target.
                const double shorter = exact_error(data(), goal, 0.99 * exact_q, scale);
                EXPECT_GT(shorter, target) << "|q| = " << s.magnitude << " is longer than needed";
                // And not just by 1%: the length search is exact to ~1e-9, so 1e-6 shorter misses too.
                EXPECT_GT(exact_error(data(), goal, (1 - 1e-6) * exact_q, scale), target)
                    << "|q| = " << s.magnitude << " is longer than needed";
                EXPECT_EQ(s.magnitude, attn::required_magnitude(s.direction, data().keys, data().values, goal.keys, options));
            }
        }
    }
}

TEST(SolverBoundary, KeyEditPredictedErrorIsTheExactError) {
    const attn::AnswerSet answers = solved();
    const Eigen::RowVectorXd q = answers.at("query132").data.row(0);
    // Join: the group {0,1} plus key 2 average value[0,1,2]; DominateUnit: key 2 alone.
    struct Case {
        attn::KeyEdit edit;
        std::vector<int> group;
        attn::Goal goal;
    };
    for (const Case& c : {Case{attn::KeyEdit::Join, {0, 1}, attn::parse_goal("average:0,1,2", 4)},
                          Case{attn::KeyEdit::DominateUnit, {}, attn::parse_goal("select:2", 4)}}) {
        // Short queries: the float32 key ties with the group only to ~1e-8, which a long query turns
        // into an error the exact-tie formula does not include.
        for (double length : {0.5, 1.0, 2.0, 5.0}) {
            const Eigen::RowVectorXd query = q.normalized() * length;
            const auto s = attn::solve_key_edit(data(), query, 2, c.edit, c.group, {});
            ASSERT_FALSE(s.answer.size() == 0);
            attn::Dataset edited = data();
            edited.keys = s.answer;
            const double exact = exact_error(edited, c.goal, query, 1.0);
            // The answer's own group ties only up to float32 rounding of the edited key.
            EXPECT_NEAR(s.predicted_error, exact, 1e-4 * exact + 1e-7 * length) << "length " << length;
            EXPECT_GT(exact, 1e-4);
            EXPECT_EQ(s.magnitude, length);
        }
    }
}

// ---- the 1.4.2 key: float32 k / k.norm() exactly as the notebook computes it ----------------------

TEST(UnitKey142, EqualsTorchFloat32RenormalisationBitForBit) {
    const auto fixture = attn::read_json_file(std::string(ATTN_TEST_FIXTURES_DIR) + "/unit_key142.json", 1u << 20);
    ASSERT_NE(fixture.at("generator").get<std::string>().find("torch 1.13"), std::string::npos);
    int compared = 0, renormalised = 0;
    for (const auto& c : fixture.at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        Eigen::RowVectorXd q(3);
        Eigen::RowVector3f k, want;
        for (int i = 0; i < 3; ++i) {
            q(i) = float_of_hex(c.at("query132")[i]);
            k(i) = float_of_hex(c.at("rounded_direction")[i]);
            want(i) = float_of_hex(c.at("m_key142_row2")[i]);
        }
        if (k != want) ++renormalised;
        const auto s = attn::solve_key_edit(data(), q, 2, attn::KeyEdit::DominateUnit, {}, {});
        ASSERT_EQ(s.answer.rows(), 4);
        for (int i = 0; i < 3; ++i) {
            const float got = static_cast<float>(s.answer(2, i));
            EXPECT_EQ(static_cast<double>(got), s.answer(2, i)) << "not a float32";
            EXPECT_EQ(bits_of(got), bits_of(want(i))) << "component " << i << ": got " << got << ", torch " << want(i);
        }
        // The same through the task, with the student's 1.3.2 answer.
        attn::AnswerSet answers;
        answers["query132"].data = q;
        answers["query132"].is_vector = true;
        const auto solved_task = attn::solve_task(course(), task("1.4.2"), data(), answers, 0.05, {});
        ASSERT_EQ(solved_task.answer.data.rows(), 4);
        for (int i = 0; i < 3; ++i) EXPECT_EQ(bits_of(static_cast<float>(solved_task.answer.data(2, i))), bits_of(want(i)));
        ++compared;
    }
    EXPECT_GE(compared, 10);
    // The fixture would not show a missing renormalisation if rounding alone already gave torch's row.
    EXPECT_GE(renormalised, 3);
}

// The checker grades a typed 1.4.2 row after the notebook's own `m_key[2] /= m_key[2].norm()` in
// float32: the keys it uses must be torch's, bit for bit (the fixture's rows are not unit in
// float32 before that division).
TEST(UnitKey142, TheCheckerRenormalisesTheTypedRowLikeTorch) {
    const auto fixture = attn::read_json_file(std::string(ATTN_TEST_FIXTURES_DIR) + "/unit_key142.json", 1u << 20);
    int compared = 0;
    for (const auto& c : fixture.at("cases")) {
        SCOPED_TRACE(c.at("name").get<std::string>());
        attn::AnswerSet answers;
        answers["query132"].data.resize(1, 3);
        answers["query132"].is_vector = true;
        answers["m_key142"].data = data().keys.cast<float>().cast<double>();
        Eigen::RowVector3f want;
        for (int i = 0; i < 3; ++i) {
            answers["query132"].data(0, i) = float_of_hex(c.at("query132")[i]);
            answers["m_key142"].data(2, i) = float_of_hex(c.at("rounded_direction")[i]);
            want(i) = float_of_hex(c.at("m_key142_row2")[i]);
        }
        const auto check = attn::check_task(course(), task("1.4.2"), data(), answers, 0.05);
        ASSERT_TRUE(check.problem.empty()) << check.problem;
        ASSERT_EQ(check.keys.rows(), 4);
        for (int i = 0; i < 3; ++i)
            EXPECT_EQ(bits_of(static_cast<float>(check.keys(2, i))), bits_of(want(i))) << "component " << i;
        ++compared;
    }
    EXPECT_GE(compared, 10);
}

// solve_all keeps no answer for a task it cannot solve, so later tasks never read an empty tensor.
TEST(SolverBoundary, SolveAllStoresOnlyFeasibleAnswers) {
    attn::SolveOptions tiny;
    tiny.scale = 1e-15;
    std::vector<attn::TaskSolution> solutions;
    const attn::AnswerSet answers = attn::solve_all(course(), data(), 0.05, tiny, &solutions);
    ASSERT_EQ(solutions.size(), 6u);
    // 1.3.1 (average of all keys) needs no length at all: the zero query works at any scale.
    for (const auto& s : solutions) EXPECT_EQ(s.solution.feasible, s.check.id == "1.3.1") << s.check.id;
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_TRUE(answers.at("query131").data.isZero());
    EXPECT_EQ(answers.at("query131").data.cols(), 3);
}

// A key that ties exactly with the edited key can never be out-scored: the key edit is refused
// with a reason instead of being called feasible with an unreachable length.
TEST(SolverBoundary, KeyEditWithAnExactTieIsInfeasible) {
    attn::Dataset tie = data();
    tie.keys.row(3) << 1, 0, 0;  // exactly the unit key q/|q| will put in row 2
    Eigen::RowVectorXd q(3);
    q << 5, 0, 0;
    const auto unit = attn::solve_key_edit(tie, q, 2, attn::KeyEdit::DominateUnit, {}, {});
    EXPECT_EQ(unit.answer.row(2), unit.answer.row(3));
    EXPECT_FALSE(unit.feasible);
    EXPECT_FALSE(unit.reason.empty());
    // The same for a join: key 3 has exactly the logit keys 0 and 1 share.
    attn::Dataset join = data();
    join.keys.row(0) << 0.5, 1, 0;
    join.keys.row(1) << 0.5, -1, 0;
    join.keys.row(3) << 0.5, 0, 1;  // q·k3 = q·k0 = q·k1 for q along x
    const auto joined = attn::solve_key_edit(join, q, 2, attn::KeyEdit::Join, {0, 1}, {});
    EXPECT_FALSE(joined.feasible);
    EXPECT_FALSE(joined.reason.empty());
}

// Issue 21: a target beside its output shows the same digits when they differ by rounding alone
// (1.3.1 with q = 0 read "out +0.323, target +0.322" beside "max abs diff 0"), and only then.
TEST(Text, SameDigitsAsOnlyAbsorbsRoundingNoise) {
    const double output = 0.32249999999999995, target = 0.3225;
    EXPECT_NE(attn::format("%.3f", output), attn::format("%.3f", target));  // the defect, as printf shows it
    EXPECT_EQ(attn::format("%.3f", attn::same_digits_as(target, output)), attn::format("%.3f", output));
    EXPECT_EQ(attn::same_digits_as(0.3226, 0.3225), 0.3226);  // a real difference stays
    EXPECT_EQ(attn::same_digits_as(1e-13, 0.0), 0.0);
    EXPECT_EQ(attn::same_digits_as(1e-6, 0.0), 1e-6);
    EXPECT_TRUE(std::isnan(attn::same_digits_as(std::nan(""), 0.5)));
    EXPECT_EQ(attn::same_digits_as(0.5, INFINITY), 0.5);
}
