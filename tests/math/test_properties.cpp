// Properties over many random cases, where examples are thin (issue 15). Plain GoogleTest with a
// seeded std::mt19937, so a failure names its case and reproduces exactly:
// - the checker's verdict is monotone in the tolerance (and is exactly "max_abs_diff <= tol");
// - the solver's answer meets its own predicted error, which is the exact error, at a minimal |q|;
// - any edit followed by undo restores the session exactly; redo re-applies it;
// - save then load is the identity on random sessions;
// - random data-set files round-trip.
// Random numbers stay within the loaders' limits (|x| <= 1e3, temperature 0.01..100).
#include "core/course/answer_file.h"
#include "core/math/attention.h"
#include "core/math/dataset.h"
#include "core/base/error.h"
#include "core/course/exercises.h"
#include "core/course/course_session.h"
#include "core/math/solver.h"
#include "core/formats/undo.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using attn::Session;

namespace {

using Rng = std::mt19937;

int uniform_int(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
bool coin(Rng& rng) { return uniform_int(rng, 0, 1) == 1; }
double log_uniform(Rng& rng, double lo, double hi) {
    return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
}

// A number in [-1e3, 1e3] that does not print short: random magnitude, random low bits, and now
// and then a special one (±0, a tiny denormal-free value, a whole number, the limit itself).
double random_number(Rng& rng) {
    switch (uniform_int(rng, 0, 9)) {
        case 0: return coin(rng) ? 0.0 : -0.0;
        case 1: return std::ldexp(coin(rng) ? 1.0 : -1.0, -uniform_int(rng, 20, 1000));
        case 2: return static_cast<double>(uniform_int(rng, -1000, 1000));
        case 3: return coin(rng) ? 1e3 : -1e3;
        case 4: return static_cast<double>(static_cast<float>(std::uniform_real_distribution<double>(-2, 2)(rng)));
        default: {
            double x = log_uniform(rng, 1e-6, 1e3) * (coin(rng) ? 1 : -1);
            uint64_t bits;
            std::memcpy(&bits, &x, sizeof bits);
            bits ^= static_cast<uint64_t>(rng()) & 0xfffffu;  // scramble the last mantissa bits
            std::memcpy(&x, &bits, sizeof bits);
            return std::max(-1e3, std::min(1e3, x));
        }
    }
}

Eigen::MatrixXd random_matrix(Rng& rng, int rows, int cols) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = random_number(rng);
    return m;
}

std::string random_goal(Rng& rng, int keys) {
    switch (uniform_int(rng, 0, 2)) {
        case 0: return "select:" + std::to_string(uniform_int(rng, 0, keys - 1));
        case 1: {
            std::string text = "average:";
            const int a = uniform_int(rng, 0, keys - 1), b = uniform_int(rng, 0, keys - 1);
            text += std::to_string(std::min(a, b));
            if (a != b) text += "," + std::to_string(std::max(a, b));
            return text;
        }
        default: return "identity";
    }
}

attn::AnswerTensor random_answer(Rng& rng) {
    attn::AnswerTensor t;
    const bool vector = coin(rng);
    t.data = random_matrix(rng, vector ? 1 : uniform_int(rng, 1, 6), uniform_int(rng, 1, 5));
    t.is_vector = vector;
    return t;
}

void random_view(Rng& rng, attn::ViewSession& v) {
    v.language = coin(rng) ? "en" : "zh";
    v.presentation = coin(rng);
    v.text_zoom = std::uniform_real_distribution<float>(0.5f, 3.0f)(rng);
    v.camera_yaw = std::uniform_real_distribution<float>(-10.f, 10.f)(rng);
    v.camera_pitch = std::uniform_real_distribution<float>(-1.5f, 1.5f)(rng);
    v.camera_distance = std::uniform_real_distribution<float>(0.1f, 30.f)(rng);
}

// A random session within the loader's limits.
Session random_session(Rng& rng) {
    Session s = attn::default_session();
    s.mode = coin(rng) ? attn::AppMode::Sandbox : attn::AppMode::Exercises;
    for (const std::string& name : attn::answer_names())
        if (coin(rng)) s.answers[name] = random_answer(rng);
    const auto& tasks = attn::notebook_course().tasks;
    s.selected_task = tasks[static_cast<size_t>(uniform_int(rng, 0, static_cast<int>(tasks.size()) - 1))].id;
    s.tolerance = log_uniform(rng, 1e-4, 1.0);

    attn::SandboxSession& b = s.sandbox;
    b.source = static_cast<attn::DataSource>(uniform_int(rng, 0, 3));
    b.torch_seed = (static_cast<uint64_t>(rng()) << 32) | rng();
    b.key_count = uniform_int(rng, 0, 9) == 0 ? uniform_int(rng, 1, 256) : uniform_int(rng, 1, 8);
    b.key_dim = uniform_int(rng, 1, 16);
    b.value_dim = uniform_int(rng, 1, 16);
    b.data.keys = random_matrix(rng, b.key_count, b.key_dim);
    b.data.values = random_matrix(rng, b.key_count, b.value_dim);
    b.queries = random_matrix(rng, uniform_int(rng, 1, 6), b.key_dim);
    b.scale_mode = static_cast<attn::ScaleMode>(uniform_int(rng, 0, 2));
    b.temperature = log_uniform(rng, 0.01, 100.0);
    b.causal = coin(rng);
    b.goal = random_goal(rng, b.key_count);
    random_view(rng, s.view);
    return s;
}

// One random edit of the kind the app makes, to the document or (sometimes) only to the view.
void random_edit(Rng& rng, Session& s) {
    attn::SandboxSession& b = s.sandbox;
    auto entry = [&](Eigen::MatrixXd& m) {
        m(uniform_int(rng, 0, static_cast<int>(m.rows()) - 1), uniform_int(rng, 0, static_cast<int>(m.cols()) - 1)) =
            random_number(rng);
    };
    switch (uniform_int(rng, 0, 15)) {
        case 0: s.mode = s.mode == attn::AppMode::Sandbox ? attn::AppMode::Exercises : attn::AppMode::Sandbox; break;
        case 1: s.answers[attn::answer_names()[static_cast<size_t>(uniform_int(rng, 0, 5))]] = random_answer(rng); break;
        case 2:
            if (!s.answers.empty()) s.answers.erase(s.answers.begin());
            else s.answers["query121"] = random_answer(rng);
            break;
        case 3:
            if (!s.answers.empty()) entry(s.answers.begin()->second.data);
            break;
        case 4: {
            const auto& tasks = attn::notebook_course().tasks;
            s.selected_task = tasks[static_cast<size_t>(uniform_int(rng, 0, static_cast<int>(tasks.size()) - 1))].id;
            break;
        }
        case 5: s.tolerance = log_uniform(rng, 1e-4, 1.0); break;
        case 6: entry(b.data.keys); break;
        case 7: entry(b.data.values); break;
        case 8: entry(b.queries); break;
        case 9: b.temperature = log_uniform(rng, 0.01, 100.0); break;
        case 10: b.causal = !b.causal; break;
        case 11: b.scale_mode = static_cast<attn::ScaleMode>(uniform_int(rng, 0, 2)); break;
        case 12: b.goal = random_goal(rng, b.key_count); break;
        case 13: b.queries = random_matrix(rng, uniform_int(rng, 1, 6), b.key_dim); break;
        case 14: {  // a new shape: the data, queries and counts change together
            b.key_count = uniform_int(rng, 1, 8);
            b.key_dim = uniform_int(rng, 1, 16);
            b.value_dim = uniform_int(rng, 1, 16);
            b.data.keys = random_matrix(rng, b.key_count, b.key_dim);
            b.data.values = random_matrix(rng, b.key_count, b.value_dim);
            b.queries = random_matrix(rng, 1, b.key_dim);
            b.goal = random_goal(rng, b.key_count);
            break;
        }
        default: random_view(rng, s.view); break;  // the view alone: never an undo step
    }
}

// Bit-exact comparison: the JSON form tells -0 from 0, which operator== (numeric ==) does not.
std::string bits(const Session& s) { return attn::session_to_json(s); }

struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "attnlab-props-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

const attn::Dataset& notebook() {
    static const attn::Dataset data = attn::notebook_dataset();
    return data;
}

double exact_error(const attn::Dataset& d, const attn::Goal& goal, const Eigen::MatrixXd& q, double scale) {
    attn::AttentionOptions options;
    options.scale_mode = attn::ScaleMode::Temperature;
    options.temperature = 1.0 / scale;
    return attn::max_abs_diff(attn::goal_target(goal, d.values), attn::attention(q, d.keys, d.values, options).output);
}

}  // namespace

// ---- the checker ---------------------------------------------------------------------------------

TEST(CheckerProperty, VerdictIsMonotoneInTheToleranceAndIsExactlyDiffAtMostTol) {
    Rng rng(15001);
    const attn::Course& course = attn::notebook_course();
    const attn::AnswerSet solved = attn::solve_all(course, notebook(), 0.05, {});
    int cases = 0, passes = 0, fails = 0;
    for (int trial = 0; trial < 300; ++trial) {
        // Random answers near and far from the solved ones.
        attn::AnswerSet answers = solved;
        const double spread = log_uniform(rng, 1e-6, 10.0);
        for (auto& [name, tensor] : answers) {
            if (name == "m_key141" || name == "m_key142") {
                if (coin(rng)) tensor.data(2, uniform_int(rng, 0, 2)) += std::normal_distribution<double>(0, spread)(rng);
                if (name == "m_key142" && coin(rng)) tensor.data.row(2).normalize();
            } else {
                for (Eigen::Index i = 0; i < tensor.data.size(); ++i)
                    tensor.data.data()[i] += std::normal_distribution<double>(0, spread)(rng) * (1 + std::abs(tensor.data.data()[i]));
            }
        }
        for (const attn::Task& task : course.tasks) {
            if (task.discussion) continue;
            SCOPED_TRACE("trial " + std::to_string(trial) + " task " + task.id);
            const float diff = attn::check_task(course, task, notebook(), answers, 0.05).max_abs_diff;
            std::vector<double> tolerances;
            for (int i = 0; i < 8; ++i) tolerances.push_back(log_uniform(rng, 1e-8, 10.0));
            if (std::isfinite(diff)) {
                tolerances.push_back(diff);
                tolerances.push_back(std::nextafter(static_cast<double>(diff), 0.0));
                tolerances.push_back(std::nextafter(static_cast<double>(diff), 1.0));
                tolerances.push_back(std::nextafter(diff, 0.0f));
            }
            std::sort(tolerances.begin(), tolerances.end());
            bool passed_before = false;
            for (double tol : tolerances) {
                const auto check = attn::check_task(course, task, notebook(), answers, tol);
                // The figure does not depend on the tolerance; the verdict is diff <= tol ...
                if (std::isfinite(diff)) {
                    EXPECT_EQ(check.max_abs_diff, diff);
                    EXPECT_EQ(check.pass, check.problem.empty() && static_cast<double>(diff) <= tol) << "tol " << tol;
                } else {
                    EXPECT_FALSE(check.pass);
                }
                // ... so once it passes, every larger tolerance passes too.
                if (passed_before) {
                    EXPECT_TRUE(check.pass) << "passed at a smaller tolerance than " << tol;
                }
                passed_before = passed_before || check.pass;
                ++cases;
                (check.pass ? passes : fails)++;
            }
        }
    }
    EXPECT_GT(passes, 1000);
    EXPECT_GT(fails, 1000);
    EXPECT_GT(cases, 20000);
}

// ---- the solver -----------------------------------------------------------------------------------

TEST(SolverProperty, AnswerMeetsItsOwnPredictedErrorWhichIsExactAtAMinimalLength) {
    Rng rng(15002);
    std::normal_distribution<double> normal;
    int feasible = 0, checked_minimal = 0;
    for (int trial = 0; trial < 400; ++trial) {
        const int n = uniform_int(rng, 2, 7), d = uniform_int(rng, 1, 4), dv = uniform_int(rng, 1, 3);
        attn::Dataset data;
        data.keys.resize(n, d);
        data.values.resize(n, dv);
        for (Eigen::Index i = 0; i < data.keys.size(); ++i) data.keys.data()[i] = normal(rng);
        for (Eigen::Index i = 0; i < data.values.size(); ++i) data.values.data()[i] = normal(rng);
        std::vector<int> group;
        const int size = uniform_int(rng, 1, std::min(3, n - 1));
        while (static_cast<int>(group.size()) < size) {
            const int k = uniform_int(rng, 0, n - 1);
            if (std::find(group.begin(), group.end(), k) == group.end()) group.push_back(k);
        }
        std::sort(group.begin(), group.end());
        const attn::Goal goal{size == 1 ? attn::Goal::Kind::Select : attn::Goal::Kind::Average, group};
        attn::SolveOptions options;
        options.scale = log_uniform(rng, 0.3, 3.0);
        options.target_error = log_uniform(rng, 1e-8, 1e-3);
        const auto s = attn::solve_query_goal(data, goal, options);
        if (!s.feasible) continue;
        SCOPED_TRACE("trial " + std::to_string(trial) + " goal " + attn::goal_to_string(goal));
        ++feasible;
        EXPECT_NEAR(s.direction.norm(), 1.0, 1e-12);
        EXPECT_LE(s.predicted_error, options.target_error * (1 + 1e-9));
        const Eigen::MatrixXd exact_q = (s.magnitude * s.direction).transpose();
        const double exact = exact_error(data, goal, exact_q, options.scale);
        // The answer passes at its own predicted error (exact arithmetic), which is its exact error.
        // The group's logits tie only up to the direction's round-off (~1e-12 per unit |q|), which
        // moves the exact output by that much times the values.
        const double roundoff = 1e-12 * s.magnitude * (1 + data.values.cwiseAbs().maxCoeff());
        EXPECT_LE(exact, s.predicted_error * (1 + 1e-6) + roundoff) << "|q| " << s.magnitude;
        EXPECT_NEAR(exact, s.predicted_error, 1e-6 * s.predicted_error + roundoff) << "|q| " << s.magnitude;
        // The float32 answer is the exact one rounded.
        EXPECT_EQ(s.answer, exact_q.cast<float>().cast<double>());
        // Minimal: 1% shorter misses the target (unless no length at all was needed).
        if (s.magnitude > 0) {
            ++checked_minimal;
            EXPECT_GT(exact_error(data, goal, 0.99 * exact_q, options.scale), options.target_error) << "|q| " << s.magnitude;
            // Tighter than 1%: 1e-4 shorter misses too (the search is exact to ~1e-9; 1e-4 stays clear of
            // the tie round-off above, which moves the exact error by ~1e-5 relative at |q| ~ 1000).
            EXPECT_GT(exact_error(data, goal, (1 - 1e-4) * exact_q, options.scale), options.target_error)
                << "|q| " << s.magnitude << " is more than 1e-4 longer than needed";
        }
    }
    EXPECT_GT(feasible, 150);
    EXPECT_GT(checked_minimal, 150);
}

// ---- undo -------------------------------------------------------------------------------------------

TEST(UndoProperty, AnyEditFollowedByUndoRestoresTheSessionExactly) {
    Rng rng(15003);
    int undone = 0, view_only = 0;
    for (int trial = 0; trial < 600; ++trial) {
        Session current = random_session(rng);
        const Session before = current;
        attn::UndoHistory history;
        random_edit(rng, current);
        const Session after = current;
        history.record(before, after);
        SCOPED_TRACE("trial " + std::to_string(trial));
        if (attn::same_document(before, after)) {
            ++view_only;
            EXPECT_FALSE(history.can_undo());
            EXPECT_FALSE(history.undo(current));
            EXPECT_EQ(bits(current), bits(after));
            continue;
        }
        ASSERT_TRUE(history.can_undo());
        ASSERT_TRUE(history.undo(current));
        ++undone;
        // Document edits do not touch the view, so undo gives back `before` bit for bit.
        EXPECT_TRUE(current == before);
        EXPECT_EQ(bits(current), bits(before));
        EXPECT_FALSE(history.can_undo());
        ASSERT_TRUE(history.redo(current));
        EXPECT_EQ(bits(current), bits(after));
    }
    EXPECT_GT(undone, 450);
    EXPECT_GT(view_only, 10);
}

TEST(UndoProperty, ChainsOfEditsUndoAndRedoThroughEveryState) {
    Rng rng(15004);
    for (int trial = 0; trial < 80; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        Session current = random_session(rng);
        attn::UndoHistory history(1000);
        std::vector<Session> documents{current};  // each distinct document, oldest first
        const int edits = uniform_int(rng, 1, 40);
        for (int e = 0; e < edits; ++e) {
            const Session before = current;
            random_edit(rng, current);
            history.record(before, current);
            if (!attn::same_document(before, current)) documents.push_back(current);
        }
        ASSERT_EQ(history.size(), documents.size() - 1);
        // The view is whatever the user looks through now; undo and redo never change it.
        const attn::ViewSession view = current.view;
        auto with_view = [&](Session s) {
            s.view = view;
            return s;
        };
        // operator== compares numbers, so an edit that only turns 0 into -0 (or back) is no undo
        // step: compare with == here (the single-edit test above compares bits).
        for (size_t i = documents.size() - 1; i-- > 0;) {
            ASSERT_TRUE(history.undo(current));
            ASSERT_TRUE(current == with_view(documents[i])) << "after undoing to state " << i;
            ASSERT_EQ(current.view.camera_yaw, view.camera_yaw);
        }
        EXPECT_FALSE(history.undo(current));
        for (size_t i = 1; i < documents.size(); ++i) {
            ASSERT_TRUE(history.redo(current));
            ASSERT_TRUE(current == with_view(documents[i])) << "after redoing to state " << i;
        }
        EXPECT_EQ(bits(current), bits(with_view(documents.back())));
        EXPECT_FALSE(history.redo(current));
    }
}

// ---- sessions ---------------------------------------------------------------------------------------

TEST(SessionProperty, SaveThenLoadIsTheIdentity) {
    Rng rng(15005);
    TempDir dir;
    for (int trial = 0; trial < 150; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        const Session s = random_session(rng);
        const std::string path = (dir.path / ("s" + std::to_string(trial % 7) + ".json")).string();
        attn::save_session(s, path);  // overwrites earlier trials' files too
        const Session back = attn::load_session(path);
        ASSERT_TRUE(back == s);
        ASSERT_EQ(bits(back), bits(s));
        // Bit for bit, -0 included.
        for (const auto* pair : {&s.sandbox.data.keys, &s.sandbox.data.values, &s.sandbox.queries}) {
            const Eigen::MatrixXd& a = *pair;
            const Eigen::MatrixXd& b = pair == &s.sandbox.data.keys     ? back.sandbox.data.keys
                                       : pair == &s.sandbox.data.values ? back.sandbox.data.values
                                                                        : back.sandbox.queries;
            ASSERT_EQ(a.rows(), b.rows());
            ASSERT_EQ(a.cols(), b.cols());
            ASSERT_EQ(std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<size_t>(a.size())), 0);
        }
        // The text form is a fixed point too.
        EXPECT_EQ(attn::session_to_json(attn::session_from_json(attn::session_to_json(s), "again")), attn::session_to_json(s));
    }
    std::size_t left = 0;
    for (const auto& entry : fs::directory_iterator(dir.path)) left += entry.path().filename().string().find("tmp") != std::string::npos;
    EXPECT_EQ(left, 0u) << "temporary files left behind";
}

// ---- data-set files ---------------------------------------------------------------------------------

TEST(DatasetProperty, RandomDatasetFilesRoundTrip) {
    Rng rng(15006);
    TempDir dir;
    for (int trial = 0; trial < 200; ++trial) {
        SCOPED_TRACE("trial " + std::to_string(trial));
        const int n = uniform_int(rng, 0, 9) == 0 ? uniform_int(rng, 1, 256) : uniform_int(rng, 1, 10);
        attn::Dataset data;
        data.keys = random_matrix(rng, n, uniform_int(rng, 1, 16));
        data.values = random_matrix(rng, n, uniform_int(rng, 1, 16));
        nlohmann::json doc;
        // Either order of the fields, and one row written as a flat list when there is one key.
        auto rows_of = [&](const Eigen::MatrixXd& m) {
            nlohmann::json rows = nlohmann::json::array();
            for (Eigen::Index r = 0; r < m.rows(); ++r) {
                nlohmann::json row = nlohmann::json::array();
                for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
                rows.push_back(row);
            }
            return rows;
        };
        doc["keys"] = rows_of(data.keys);
        doc["values"] = rows_of(data.values);
        const std::string path = (dir.path / "data.json").string();
        {
            std::ofstream out(path, std::ios::trunc);
            out << doc.dump(coin(rng) ? -1 : 1);
        }
        const attn::Dataset back = attn::load_dataset_json(path);
        ASSERT_EQ(back.keys.rows(), data.keys.rows());
        ASSERT_EQ(back.keys.cols(), data.keys.cols());
        ASSERT_EQ(back.values.rows(), data.values.rows());
        ASSERT_EQ(back.values.cols(), data.values.cols());
        ASSERT_EQ(std::memcmp(back.keys.data(), data.keys.data(), sizeof(double) * static_cast<size_t>(data.keys.size())), 0);
        ASSERT_EQ(std::memcmp(back.values.data(), data.values.data(), sizeof(double) * static_cast<size_t>(data.values.size())), 0);

        // %.17g text (what other tools write) reads back to the same doubles.
        {
            std::ofstream out(path, std::ios::trunc);
            out << "{\"values\": [";
            for (Eigen::Index r = 0; r < data.values.rows(); ++r) {
                out << (r ? ", [" : "[");
                for (Eigen::Index c = 0; c < data.values.cols(); ++c) {
                    char buf[40];
                    std::snprintf(buf, sizeof buf, "%.17g", data.values(r, c));
                    out << (c ? ", " : "") << buf;
                }
                out << "]";
            }
            out << "],\n \"keys\": " << rows_of(data.keys).dump() << "}\n";
        }
        const attn::Dataset again = attn::load_dataset_json(path);
        ASSERT_TRUE(again.keys == data.keys);
        ASSERT_TRUE(again.values == data.values);
    }
}

// Every key needs a value and every value a key: a mismatch either way is refused, never truncated.
TEST(DatasetProperty, RowCountMismatchIsRefusedEitherWay) {
    Rng rng(15007);
    TempDir dir;
    const std::string path = (dir.path / "bad.json").string();
    for (int trial = 0; trial < 40; ++trial) {
        const int keys = uniform_int(rng, 1, 8);
        int values = uniform_int(rng, 1, 8);
        if (values == keys) values = keys + (coin(rng) || keys == 1 ? 1 : -1);
        nlohmann::json doc;
        doc["keys"] = nlohmann::json::array();
        doc["values"] = nlohmann::json::array();
        for (int r = 0; r < keys; ++r) doc["keys"].push_back({random_number(rng), random_number(rng)});
        for (int r = 0; r < values; ++r) doc["values"].push_back({random_number(rng)});
        {
            std::ofstream out(path, std::ios::trunc);
            out << doc.dump();
        }
        EXPECT_THROW(attn::load_dataset_json(path), attn::InputError) << keys << " keys, " << values << " values";
        attn::Dataset data;
        data.keys = random_matrix(rng, keys, 2);
        data.values = random_matrix(rng, values, 1);
        EXPECT_THROW(attn::validate_dataset(data, "d"), attn::InputError) << keys << " keys, " << values << " values";
    }
}
