// The analytic solver: every goal kind, the notebook's six answers, and properties on random data
// checked against an independent brute-force feasibility test (Carathéodory enumeration).
#include "core/math/attention.h"
#include "core/math/dataset.h"
#include "core/base/error.h"
#include "core/math/geometry.h"
#include "core/math/solver.h"

#include <gtest/gtest.h>

#include <random>

using attn::Goal;

namespace {

double float32_error(const attn::Dataset& data, const Goal& goal, const Eigen::MatrixXd& query) {
    const auto result = attn::attention_f32(query, data.keys, data.values);
    return attn::max_abs_diff(attn::goal_target(goal, data.values).cast<float>().eval(), result.output);
}

// Independent check: is the origin in the convex hull of the rows of P? Enumerates every subset
// of at most dim+1 rows (Carathéodory) and solves for barycentric weights directly.
bool origin_in_hull(const Eigen::MatrixXd& points) {
    const int m = static_cast<int>(points.rows()), dim = static_cast<int>(points.cols());
    for (int mask = 1; mask < (1 << m); ++mask) {
        std::vector<int> rows;
        for (int i = 0; i < m; ++i)
            if (mask & (1 << i)) rows.push_back(i);
        if (static_cast<int>(rows.size()) > dim + 1) continue;
        const int k = static_cast<int>(rows.size());
        Eigen::MatrixXd system(dim + 1, k);
        for (int i = 0; i < k; ++i) {
            system.block(0, i, dim, 1) = points.row(rows[i]).transpose();
            system(dim, i) = 1;
        }
        Eigen::VectorXd rhs = Eigen::VectorXd::Zero(dim + 1);
        rhs(dim) = 1;
        const Eigen::VectorXd lambda = system.colPivHouseholderQr().solve(rhs);
        if ((system * lambda - rhs).norm() < 1e-9 && lambda.minCoeff() >= -1e-9) return true;
    }
    return false;
}

// A group S can win alone iff 0 is not in conv{P(k_a0 - k_j)}, P projecting out span{k_a - k_a0}.
bool group_separable_bruteforce(const Eigen::MatrixXd& keys, const std::vector<int>& group) {
    const int d = static_cast<int>(keys.cols());
    std::vector<int> others;
    for (int j = 0; j < keys.rows(); ++j)
        if (std::find(group.begin(), group.end(), j) == group.end()) others.push_back(j);
    if (others.empty()) return true;
    Eigen::MatrixXd basis(d, std::max<int>(1, static_cast<int>(group.size()) - 1));
    basis.setZero();
    for (size_t i = 1; i < group.size(); ++i) basis.col(i - 1) = (keys.row(group[i]) - keys.row(group[0])).transpose();
    Eigen::MatrixXd projector = Eigen::MatrixXd::Identity(d, d);
    if (group.size() > 1) {
        const Eigen::MatrixXd q = basis.fullPivLu().image(basis);
        const Eigen::MatrixXd orthonormal = q.householderQr().householderQ() * Eigen::MatrixXd::Identity(d, q.cols());
        projector -= orthonormal * orthonormal.transpose();
    }
    Eigen::MatrixXd points(others.size(), d);
    for (size_t i = 0; i < others.size(); ++i) points.row(i) = (projector * (keys.row(group[0]) - keys.row(others[i])).transpose()).transpose();
    return !origin_in_hull(points);
}

}  // namespace

TEST(Goal, ParsesAndRejects) {
    EXPECT_EQ(attn::goal_to_string(attn::parse_goal("select:3", 4)), "select:3");
    EXPECT_EQ(attn::goal_to_string(attn::parse_goal("average:2,0", 4)), "average:0,2");
    EXPECT_EQ(attn::parse_goal("identity", 4).kind, Goal::Kind::Identity);
    for (const char* bad : {"select:4", "select:0,1", "average:", "average:1,1", "pick:0", "select:-1", "select:x", "average:0,,1", ""})
        EXPECT_THROW(attn::parse_goal(bad, 4), attn::InputError) << bad;
}

TEST(Geometry, MinNormPointOfSegmentAndTriangle) {
    Eigen::MatrixXd segment(2, 2);
    segment << 1, 1, 1, -1;
    auto p = attn::min_norm_point(segment);
    EXPECT_NEAR(p.point(0), 1.0, 1e-12);
    EXPECT_NEAR(p.point(1), 0.0, 1e-12);
    Eigen::MatrixXd triangle(3, 2);
    triangle << 1, 0, -1, 1, -1, -1;  // contains the origin
    EXPECT_LT(attn::min_norm_point(triangle).point.norm(), 1e-12);
}

TEST(Solver, NotebookSelectEveryKey) {
    const auto data = attn::notebook_dataset();
    for (int i = 0; i < 4; ++i) {
        const Goal goal = attn::parse_goal("select:" + std::to_string(i), 4);
        const auto solution = attn::solve_query_goal(data, goal, {});
        ASSERT_TRUE(solution.feasible) << solution.reason;
        EXPECT_LE(float32_error(data, goal, solution.answer), 1e-5) << i;
        EXPECT_LE(solution.predicted_error, 1e-7);
        EXPECT_NEAR(solution.direction.norm(), 1.0, 1e-12);
        EXPECT_FALSE(solution.explanation.empty());
    }
}

TEST(Solver, AverageAllIsTheZeroQueryExactly) {
    const auto data = attn::notebook_dataset();
    const Goal goal = attn::parse_goal("average:0,1,2,3", 4);
    const auto solution = attn::solve_query_goal(data, goal, {});
    ASSERT_TRUE(solution.feasible);
    EXPECT_TRUE(solution.answer.isZero());
    EXPECT_LE(float32_error(data, goal, solution.answer), 1e-7);
}

TEST(Solver, AveragePairsAndIdentity) {
    const auto data = attn::notebook_dataset();
    const Goal pair = attn::parse_goal("average:0,1", 4);
    const auto solution = attn::solve_query_goal(data, pair, {});
    ASSERT_TRUE(solution.feasible) << solution.reason;
    // Equal logits for keys 0 and 1: the direction is orthogonal to k1 - k0.
    EXPECT_NEAR(solution.direction.dot((data.keys.row(1) - data.keys.row(0)).transpose()), 0.0, 1e-12);
    EXPECT_LE(float32_error(data, pair, solution.answer), 1e-5);
    const Goal identity = attn::parse_goal("identity", 4);
    const auto id = attn::solve_query_goal(data, identity, {});
    ASSERT_TRUE(id.feasible) << id.reason;
    EXPECT_EQ(id.answer.rows(), 4);
    EXPECT_LE(float32_error(data, identity, id.answer), 1e-5);
}

TEST(Solver, KeyInsideHullIsImpossibleWithReason) {
    attn::Dataset data;
    data.keys.resize(4, 2);
    data.keys << 1, 0, -1, 1, -1, -1, 0, 0;  // key 3 is the hull's interior point
    data.values = Eigen::MatrixXd::Identity(4, 4);
    const auto solution = attn::solve_query_goal(data, attn::parse_goal("select:3", 4), {});
    EXPECT_FALSE(solution.feasible);
    EXPECT_NE(solution.reason.find("convex hull"), std::string::npos) << solution.reason;
    const auto identity = attn::solve_query_goal(data, attn::parse_goal("identity", 4), {});
    EXPECT_FALSE(identity.feasible);
    // Keys 0 and 1 span an edge of the triangle, but 0 and 3? Key 3 is interior: no face.
    EXPECT_FALSE(attn::solve_query_goal(data, attn::parse_goal("average:0,3", 4), {}).feasible);
    EXPECT_TRUE(attn::solve_query_goal(data, attn::parse_goal("average:0,1", 4), {}).feasible);
}

TEST(Solver, CollinearKeysCannotAverageTheEnds) {
    attn::Dataset data;
    data.keys.resize(3, 2);
    data.keys << 0, 0, 1, 0, 2, 0;  // key 1 is between keys 0 and 2
    data.values = Eigen::MatrixXd::Identity(3, 3);
    const auto solution = attn::solve_query_goal(data, attn::parse_goal("average:0,2", 3), {});
    EXPECT_FALSE(solution.feasible);
    EXPECT_NE(solution.reason.find("face"), std::string::npos) << solution.reason;
    EXPECT_TRUE(attn::solve_query_goal(data, attn::parse_goal("average:0,1,2", 3), {}).feasible);
    EXPECT_TRUE(attn::solve_query_goal(data, attn::parse_goal("select:2", 3), {}).feasible);
}

TEST(Solver, ChineseExplanations) {
    const auto data = attn::notebook_dataset();
    attn::SolveOptions options;
    options.language = attn::Language{"zh"};
    const auto solution = attn::solve_query_goal(data, attn::parse_goal("select:1", 4), options);
    EXPECT_NE(solution.explanation.find("方向"), std::string::npos);
}

TEST(Solver, KeyEditsOnNotebook) {
    const auto data = attn::notebook_dataset();
    const auto query = attn::solve_query_goal(data, attn::parse_goal("average:0,1", 4), {});
    ASSERT_TRUE(query.feasible);
    const Eigen::RowVectorXd q = query.answer.row(0);
    const auto join = attn::solve_key_edit(data, q, 2, attn::KeyEdit::Join, {0, 1}, {});
    ASSERT_TRUE(join.feasible) << join.reason;
    // Only row 2 changed, along q.
    for (int r : {0, 1, 3}) EXPECT_EQ(join.answer.row(r), data.keys.row(r).cast<float>().cast<double>());
    const Eigen::RowVectorXd change = join.answer.row(2) - data.keys.row(2);
    EXPECT_NEAR(std::abs(change.normalized().dot(q.normalized())), 1.0, 1e-6);
    const auto dominate = attn::solve_key_edit(data, q, 2, attn::KeyEdit::DominateUnit, {}, {});
    EXPECT_NEAR(dominate.answer.row(2).norm(), 1.0, 1e-6);
    const auto zero = attn::solve_key_edit(data, Eigen::RowVectorXd::Zero(3), 2, attn::KeyEdit::Join, {0, 1}, {});
    EXPECT_FALSE(zero.feasible);
}

// Property: on random data, every claimed-feasible answer meets its goal in float32, and every
// verdict agrees with the brute-force hull test.
TEST(Solver, RandomDataVerdictsAgreeWithBruteForce) {
    std::mt19937 rng(12345);
    std::normal_distribution<double> normal;
    int feasible = 0, infeasible = 0;
    for (int trial = 0; trial < 300; ++trial) {
        const int n = 3 + trial % 5, d = 1 + trial % 3;
        attn::Dataset data;
        data.keys.resize(n, d);
        data.values.resize(n, 2);
        for (int i = 0; i < n; ++i) {
            for (int c = 0; c < d; ++c) data.keys(i, c) = normal(rng);
            for (int c = 0; c < 2; ++c) data.values(i, c) = normal(rng);
        }
        std::vector<int> group;
        const int size = trial % 3 == 0 ? 1 : 2;
        while (static_cast<int>(group.size()) < size) {
            const int k = static_cast<int>(rng() % n);
            if (std::find(group.begin(), group.end(), k) == group.end()) group.push_back(k);
        }
        std::sort(group.begin(), group.end());
        const Goal goal{size == 1 ? Goal::Kind::Select : Goal::Kind::Average, group};
        const auto solution = attn::solve_query_goal(data, goal, {});
        const bool expected = group_separable_bruteforce(data.keys, group);
        ASSERT_EQ(solution.feasible, expected) << "trial " << trial << " goal " << attn::goal_to_string(goal) << "\n"
                                               << data.keys << "\n" << solution.reason;
        if (solution.feasible) {
            ++feasible;
            // Random keys can be nearly degenerate; the exact bound is what the solver promises,
            // float32 adds rounding proportional to |q|.
            EXPECT_LE(solution.predicted_error, 1e-7);
            const double exact = attn::max_abs_diff(attn::goal_target(goal, data.values),
                                                    attn::attention(solution.answer, data.keys, data.values).output);
            EXPECT_LE(exact, 1e-7 + 1e-6 * solution.magnitude) << "trial " << trial;
        } else {
            ++infeasible;
            EXPECT_FALSE(solution.reason.empty());
        }
    }
    EXPECT_GT(feasible, 50);
    EXPECT_GT(infeasible, 20);
}
