// The live diagnosis of a student's answer: its figures are checked against the float32 checker
// (check_task) and the solver, not against themselves, so a scale search that is off by 2× or a
// sentence that names the wrong key fails here.
#include "core/course/diagnosis.h"
#include "core/course/exercises.h"
#include "core/math/solver.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace {

const attn::Dataset& data() {
    static const attn::Dataset notebook = attn::notebook_dataset();
    return notebook;
}

const attn::Course& course() { return attn::notebook_course(); }
const attn::Task& task(const char* id) { return *course().find(id); }

attn::AnswerTensor tensor(const Eigen::MatrixXd& m) {
    attn::AnswerTensor t;
    t.data = m;
    t.is_vector = m.rows() == 1;
    return t;
}

attn::Diagnosis diagnose(const char* id, const attn::AnswerSet& answers, double tolerance = 0.05) {
    return attn::diagnose_task(course(), task(id), data(), answers, tolerance);
}

double error_of(const char* id, const attn::AnswerSet& answers) {
    return attn::check_task(course(), task(id), data(), answers, 0.05).max_abs_diff;
}

// The solver's unit direction for a query goal, and its minimal |q| for an exact error ≤ `target`.
attn::Solution solve(const char* goal, double target) {
    attn::SolveOptions options;
    options.target_error = target;
    return attn::solve_query_goal(data(), attn::parse_goal(goal, 4), options);
}

// The number printed right after `marker` (e.g. "|q| ≥ "); NaN when the marker is missing.
double number_after(const std::string& text, const std::string& marker) {
    const auto at = text.find(marker);
    if (at == std::string::npos) return std::nan("");
    return std::stod(text.substr(at + marker.size()));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

attn::AnswerSet solved() {
    static const attn::AnswerSet answers = attn::solve_all(course(), data(), 0.05, {});
    return answers;
}

Eigen::MatrixXd row(double x, double y, double z) { return (Eigen::MatrixXd(1, 3) << x, y, z).finished(); }

}  // namespace

TEST(Diagnosis, UnansweredTaskSaysSoInBothLanguages) {
    const attn::Diagnosis d = diagnose("1.2.1", {});
    EXPECT_FALSE(d.answered);
    EXPECT_EQ(d.summary.en, "Not answered yet.");
    EXPECT_EQ(d.summary.get("zh"), "尚未作答。");
    EXPECT_TRUE(std::isnan(d.passing_scale));

    const attn::Diagnosis key = diagnose("1.4.2", {});
    EXPECT_FALSE(key.answered);
    EXPECT_TRUE(contains(key.summary.en, "Not answered yet.")) << key.summary.en;
    EXPECT_TRUE(contains(key.summary.en, "1.3.2")) << key.summary.en;
    EXPECT_TRUE(contains(key.summary.get("zh"), "1.3.2")) << key.summary.get("zh");

    // The key is typed but the query it uses is not.
    attn::AnswerSet only_key{{"m_key142", tensor(data().keys)}};
    const attn::Diagnosis waiting = diagnose("1.4.2", only_key);
    EXPECT_TRUE(waiting.answered);
    EXPECT_TRUE(contains(waiting.summary.en, "query132")) << waiting.summary.en;
}

TEST(Diagnosis, DiscussionTasksAreEmpty) {
    const attn::Diagnosis d = diagnose("1.2.3", solved());
    EXPECT_TRUE(d.summary.en.empty());
    EXPECT_TRUE(d.details.en.empty());
    EXPECT_FALSE(d.answered);
}

TEST(Diagnosis, ShortQueryAlongTheSolverDirectionNeedsTheSolverLength) {
    const attn::Solution minimal = solve("select:0", 0.05);
    ASSERT_TRUE(minimal.feasible);
    const double needed = minimal.magnitude;  // about 3.09 on the notebook data
    const Eigen::MatrixXd q = (0.5 * needed * minimal.direction).transpose();
    const attn::Diagnosis d = diagnose("1.2.1", {{"query121", tensor(q)}});

    EXPECT_TRUE(d.answered);
    EXPECT_TRUE(contains(d.summary.en, "Fails")) << d.summary.en;
    EXPECT_TRUE(contains(d.summary.en, "q is too short")) << d.summary.en;
    const double length = q.norm();
    EXPECT_NEAR(d.passing_scale * length, needed, 0.01 * needed);

    // The figure is the checker's own boundary: the scaled answer passes, 1% less fails.
    EXPECT_LE(error_of("1.2.1", {{"query121", tensor(d.passing_scale * q)}}), 0.05);
    EXPECT_GT(error_of("1.2.1", {{"query121", tensor(0.99 * d.passing_scale * q)}}), 0.05);
    ASSERT_TRUE(std::isfinite(d.precise_scale));
    EXPECT_LE(error_of("1.2.1", {{"query121", tensor(d.precise_scale * q)}}), 1e-7);
    EXPECT_GT(error_of("1.2.1", {{"query121", tensor(0.99 * d.precise_scale * q)}}), 1e-7);

    // The sentence quotes the same lengths.
    const double printed = number_after(d.details.en, "Lengthening q to |q| ≥ ");
    EXPECT_NEAR(printed, d.passing_scale * length, 0.005 * printed) << d.details.en;
    EXPECT_NEAR(number_after(d.details.en, "passes at 0.05; "), d.precise_scale * length, 0.005 * d.precise_scale * length) << d.details.en;
    EXPECT_NEAR(number_after(d.details.get("zh"), "加长到 |q| ≥ "), printed, 1e-9) << d.details.get("zh");
    EXPECT_TRUE(contains(d.details.en, "passes at 0.05")) << d.details.en;
    EXPECT_TRUE(contains(d.details.en, "reaches 1e-7")) << d.details.en;
    EXPECT_TRUE(contains(d.details.en, "k0 leads")) << d.details.en;
}

TEST(Diagnosis, PassingQueryReportsItsWeightsAndLead) {
    const attn::Solution minimal = solve("select:0", 0.05);
    const Eigen::MatrixXd q = (5.0 * minimal.direction).transpose();
    const attn::Diagnosis d = diagnose("1.2.1", {{"query121", tensor(q)}});
    EXPECT_TRUE(contains(d.summary.en, "Passes")) << d.summary.en;
    const auto attention = attn::attention_f32(q, data().keys, data().values);
    const double lead = attention.logits(0, 0) - attention.logits.row(0).tail(3).maxCoeff();
    EXPECT_NEAR(number_after(d.details.en, "leads k1 by "), lead, 0.006) << d.details.en;
    EXPECT_TRUE(contains(d.details.en, "at |q| = 5.00 that gives weight")) << d.details.en;
    EXPECT_NEAR(number_after(d.details.en, "Weights ["), attention.weights(0, 0), 0.006) << d.details.en;
    EXPECT_NEAR(d.passing_scale * 5.0, minimal.magnitude, 0.01 * minimal.magnitude);
}

TEST(Diagnosis, QueryAtTheWrongKeyNamesTheKeyThatLeads) {
    for (int wrong = 1; wrong < 4; ++wrong) {
        const Eigen::MatrixXd q = 10.0 * data().keys.row(wrong);
        const attn::Diagnosis d = diagnose("1.2.1", {{"query121", tensor(q)}});
        const std::string k = "k" + std::to_string(wrong);
        EXPECT_TRUE(std::isnan(d.passing_scale)) << k;
        EXPECT_TRUE(std::isnan(d.precise_scale)) << k;
        EXPECT_TRUE(contains(d.details.en, "Along this direction no length passes: " + k + " must lose its lead first."))
            << d.details.en;
        EXPECT_TRUE(contains(d.details.en, "the largest other is " + k + " at ")) << d.details.en;
        EXPECT_TRUE(contains(d.summary.en, k + " scores at least as high as k0")) << d.summary.en;
        EXPECT_TRUE(contains(d.details.get("zh"), "必须先让 " + k + " 失去领先")) << d.details.get("zh");
    }
}

TEST(Diagnosis, AverageWithUnequalLogitsReportsTheSpread) {
    Eigen::MatrixXd q = solved().at("query132").data;
    q(0, 0) += 3;  // k0 and k1 no longer tie
    const attn::Diagnosis d = diagnose("1.3.2", {{"query132", tensor(q)}});
    const auto attention = attn::attention_f32(q, data().keys, data().values);
    const double spread = std::fabs(attention.logits(0, 0) - attention.logits(0, 1));
    ASSERT_GT(spread, 0.1);
    EXPECT_NEAR(number_after(d.details.en, "(spread "), spread, 0.006) << d.details.en;
    EXPECT_NEAR(number_after(d.summary.en, "are not equal (spread "), spread, 0.006) << d.summary.en;
    EXPECT_TRUE(contains(d.details.en, attn::format("(spread %.2f)", spread))) << d.details.en;
    // The gap from the lower of k0, k1 down to the highest other key.
    const double low = std::min<double>(attention.logits(0, 0), attention.logits(0, 1));
    Eigen::Index rival = 2;
    attention.logits.row(0).tail(2).maxCoeff(&rival);
    rival += 2;
    const double gap = low - attention.logits(0, rival);
    EXPECT_TRUE(contains(d.details.en, attn::format("the highest other is k%d at %.2f, %.2f below the lowest of them",
                                                    static_cast<int>(rival), attention.logits(0, rival), gap)))
        << d.details.en;
    // Too long for logits that do not tie: the nearest passing lengths are shorter.
    const double shortest = number_after(d.details.en, "Shortening q to |q| ≤ ");
    ASSERT_TRUE(std::isfinite(shortest)) << d.details.en;
    EXPECT_LT(shortest, q.norm());
    const Eigen::MatrixXd unit = q / q.norm();
    EXPECT_LE(error_of("1.3.2", {{"query132", tensor(0.995 * shortest * unit)}}), 0.05);
    EXPECT_GT(error_of("1.3.2", {{"query132", tensor(1.01 * shortest * unit)}}), 0.05);
}

TEST(Diagnosis, AverageOfAllTooLongSaysHowShort) {
    const Eigen::MatrixXd q = row(1, 0.5, 0);
    const attn::Diagnosis d = diagnose("1.3.1", {{"query131", tensor(q)}});
    EXPECT_TRUE(contains(d.summary.en, "Fails")) << d.summary.en;
    EXPECT_EQ(d.passing_scale, 0);  // q = 0 itself passes
    const double longest = number_after(d.details.en, "Shortening q to |q| ≤ ");
    ASSERT_TRUE(std::isfinite(longest)) << d.details.en;
    const Eigen::MatrixXd unit = q / q.norm();
    EXPECT_LE(error_of("1.3.1", {{"query131", tensor(0.995 * longest * unit)}}), 0.05);
    EXPECT_GT(error_of("1.3.1", {{"query131", tensor(1.01 * longest * unit)}}), 0.05);
}

TEST(Diagnosis, ShortQueryMakesUnitKeyTaskReportTheLengthShortfall) {
    const attn::Solution average = solve("average:0,1", 1e-7);
    const Eigen::RowVectorXd u = average.direction.transpose();
    attn::AnswerSet answers{{"query132", tensor(5.0 * u)}};
    Eigen::MatrixXd keys = data().keys;
    keys.row(2) = u;  // the best unit key there is
    answers["m_key142"] = tensor(keys);
    const attn::Diagnosis d = diagnose("1.4.2", answers);

    EXPECT_TRUE(contains(d.summary.en, "Fails")) << d.summary.en;
    EXPECT_TRUE(contains(d.summary.en, "|q| = 5.00, needs ≥ ")) << d.summary.en;
    EXPECT_TRUE(contains(d.details.en, "even k2 = q/|q| gives logit |q| = 5.00 but needs ≥ ")) << d.details.en;
    EXPECT_TRUE(contains(d.details.en, "lengthen the 1.3.2 query")) << d.details.en;
    EXPECT_TRUE(std::isnan(d.passing_scale));  // k2's length is fixed: scaling does not apply

    // The printed length is where the checker starts to pass with k2 = q/|q|.
    const double needed = number_after(d.summary.en, "needs ≥ ");
    ASSERT_GT(needed, 6.0);
    auto with_length = [&](double length) {
        attn::AnswerSet a = answers;
        a["query132"] = tensor(length * u);
        return error_of("1.4.2", a);
    };
    EXPECT_LE(with_length(1.01 * needed), 0.05);
    EXPECT_GT(with_length(0.99 * needed), 0.05);
    EXPECT_NEAR(number_after(d.summary.get("zh"), "需要 ≥ "), needed, 1e-9) << d.summary.get("zh");
}

TEST(Diagnosis, UnitKeyAtAnAngleSaysWithinWhichAngleItPasses) {
    attn::AnswerSet answers = solved();
    answers["m_key142"] = tensor(data().keys);  // the original k2, far from q
    const attn::Diagnosis d = diagnose("1.4.2", answers);
    EXPECT_TRUE(contains(d.summary.en, "Fails")) << d.summary.en;
    const double limit = number_after(d.details.en, "within ");
    ASSERT_TRUE(limit > 5 && limit < 90) << d.details.en;
    const Eigen::RowVectorXd q = answers.at("query132").data.row(0);
    const Eigen::RowVectorXd u = q / q.norm();
    Eigen::RowVectorXd w = data().keys.row(2) - data().keys.row(2).dot(u) * u;
    w /= w.norm();
    auto at_degrees = [&](double deg) {
        attn::AnswerSet a = answers;
        const double phi = deg * 3.14159265358979 / 180;
        a["m_key142"].data.row(2) = std::cos(phi) * u + std::sin(phi) * w;
        return error_of("1.4.2", a);
    };
    EXPECT_LE(at_degrees(limit - 1), 0.05);
    EXPECT_GT(at_degrees(limit + 1), 0.05);
    EXPECT_TRUE(contains(d.details.en, "k2 is 113° from q")) << d.details.en;
}

TEST(Diagnosis, UnitKeyIsJudgedAfterNormalization) {
    attn::AnswerSet typed = solved();
    typed["m_key142"].data.row(2) << 0.694, 0.719, 0.006;
    attn::AnswerSet longer = typed;
    longer["m_key142"].data.row(2) *= 3;  // the notebook divides by the norm: same answer
    const attn::Diagnosis a = diagnose("1.4.2", typed), b = diagnose("1.4.2", longer);
    EXPECT_TRUE(contains(a.summary.en, "Passes")) << a.summary.en;
    EXPECT_EQ(a.summary.en, b.summary.en);
    EXPECT_EQ(a.details.en, b.details.en);
}

TEST(Diagnosis, ShortenedKeyRowSaysHowToScaleIt) {
    attn::AnswerSet answers = solved();
    answers["m_key141"].data.row(2) *= 0.5;
    const attn::Diagnosis d = diagnose("1.4.1", answers);
    EXPECT_TRUE(contains(d.summary.en, "k2's logit")) << d.summary.en;
    EXPECT_TRUE(contains(d.summary.en, "too low")) << d.summary.en;
    ASSERT_TRUE(std::isfinite(d.passing_scale));
    EXPECT_NEAR(d.passing_scale, 2.0, 0.05);  // back to (about) the solver's key
    auto scaled = [&](double s) {
        attn::AnswerSet a = answers;
        a["m_key141"].data.row(2) *= s;
        return error_of("1.4.1", a);
    };
    EXPECT_LE(scaled(d.passing_scale), 0.05);
    EXPECT_GT(scaled(0.99 * d.passing_scale), 0.05);
    EXPECT_TRUE(contains(d.details.en, "Scaling k2 to |k2| from ")) << d.details.en;
}

TEST(Diagnosis, IdentityNamesTheFailingRow) {
    attn::AnswerSet answers = solved();
    answers["query122"].data.row(1) = 3 * data().keys.row(3);
    const attn::Diagnosis d = diagnose("1.2.2", answers);
    EXPECT_TRUE(contains(d.summary.en, "Row 1 fails")) << d.summary.en;
    EXPECT_TRUE(contains(d.summary.en, "k3 scores at least as high as k1")) << d.summary.en;
    EXPECT_TRUE(contains(d.details.en, "Row 0 passes")) << d.details.en;
    EXPECT_TRUE(contains(d.details.en, "Row 1 fails")) << d.details.en;
    EXPECT_TRUE(std::isnan(d.passing_scale));
}

// Every task, for answers from solved to absurd: both languages present and different, no
// non-finite figure in the text, the scales NaN or finite and non-negative.
TEST(Diagnosis, EveryTextIsTranslatedAndFinite) {
    std::vector<attn::AnswerSet> sets;
    sets.push_back(solved());
    sets.push_back({});
    attn::AnswerSet scaled = solved();
    for (auto& [name, answer] : scaled) answer.data *= name.rfind("query", 0) == 0 ? 0.05 : 1.0;
    sets.push_back(scaled);
    attn::AnswerSet zero = solved();
    for (auto& [name, answer] : zero)
        if (name.rfind("query", 0) == 0) answer.data.setZero();
    zero["m_key142"].data.row(2).setZero();
    sets.push_back(zero);
    attn::AnswerSet huge = solved();
    for (auto& [name, answer] : huge)
        if (name.rfind("query", 0) == 0) answer.data.setConstant(1e6);
    sets.push_back(huge);
    attn::AnswerSet misshapen = solved();
    misshapen["query121"].data = Eigen::MatrixXd::Ones(2, 2);
    misshapen["m_key141"].data = Eigen::MatrixXd::Ones(4, 3);  // other key rows changed
    sets.push_back(misshapen);
    attn::AnswerSet typed = solved();
    typed["m_key142"].data.row(2) << 2.1, 2.2, 0.02;  // kept as typed; the check normalizes it
    typed["m_key141"].data.row(2) *= 0.5;
    sets.push_back(typed);

    for (size_t s = 0; s < sets.size(); ++s)
        for (const attn::Task& t : course().tasks) {
            for (double tolerance : {0.05, 1e-3}) {
                const attn::Diagnosis d = attn::diagnose_task(course(), t, data(), sets[s], tolerance);
                const std::string where = "set " + std::to_string(s) + " task " + t.id;
                for (const std::string* text : {&d.summary.en, &d.summary.get("zh"), &d.details.en, &d.details.get("zh")}) {
                    std::string lower = *text;
                    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                    EXPECT_FALSE(contains(lower, "nan")) << where << ": " << *text;
                    EXPECT_FALSE(contains(lower, "inf")) << where << ": " << *text;
                }
                if (t.discussion) continue;
                EXPECT_FALSE(d.summary.en.empty()) << where;
                EXPECT_NE(d.summary.en, d.summary.get("zh")) << where;
                if (!d.details.en.empty()) {
                    EXPECT_NE(d.details.en, d.details.get("zh")) << where;
                }
                // The figure in the summary is the checker's, as the app shows it.
                const attn::TaskCheck check = attn::check_task(course(), t, data(), sets[s], tolerance);
                if (check.problem.empty() && check.answered && check.max_abs_diff >= 1e-4f) {
                    EXPECT_TRUE(contains(d.summary.en, attn::format("max error %.3g", check.max_abs_diff))) << where << ": "
                                                                                                          << d.summary.en;
                    EXPECT_EQ(check.pass, contains(d.summary.en, "Passes")) << where;
                }
                for (double scale : {d.passing_scale, d.precise_scale})
                    EXPECT_TRUE(std::isnan(scale) || (std::isfinite(scale) && scale >= 0)) << where << ": " << scale;
            }
        }
}
