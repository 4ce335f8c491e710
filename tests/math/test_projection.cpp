// Principal axes for the geometry view: the right axes, the right share of spread, stable
// signs, and the cases with nothing to choose (d ≤ 3, all points equal).
#include "core/base/error.h"
#include "core/math/projection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using attn::Centre;
using attn::principal_axes;

TEST(Projection, FindsTheSpreadAxesInOrder) {
    // Spread 3 along e2, 2 along e0, 1 along e4, nothing along e1, e3.
    Eigen::MatrixXd points = Eigen::MatrixXd::Zero(6, 5);
    points(0, 2) = 3;  points(1, 2) = -3;
    points(2, 0) = 2;  points(3, 0) = -2;
    points(4, 4) = 1;  points(5, 4) = -1;
    const auto p = principal_axes(points, 3);
    ASSERT_EQ(p.basis.rows(), 5);
    ASSERT_EQ(p.basis.cols(), 3);
    EXPECT_NEAR(p.basis(2, 0), 1.0, 1e-12);
    EXPECT_NEAR(p.basis(0, 1), 1.0, 1e-12);
    EXPECT_NEAR(p.basis(4, 2), 1.0, 1e-12);  // sign rule: largest entry positive
    EXPECT_NEAR(p.explained, 1.0, 1e-12);
    EXPECT_TRUE((p.basis.transpose() * p.basis).isIdentity(1e-12));
}

TEST(Projection, ExplainedIsTheShareOfSpreadKept) {
    // Squared spread 4·(9, 4, 1, 1) along four axes; three axes keep 14 of 15.
    Eigen::MatrixXd points = Eigen::MatrixXd::Zero(8, 4);
    const double s[] = {3, 2, 1, 1};
    for (int a = 0; a < 4; ++a) {
        points(2 * a, a) = s[a];
        points(2 * a + 1, a) = -s[a];
    }
    const auto p = principal_axes(points, 3);
    EXPECT_NEAR(p.explained, 14.0 / 15.0, 1e-12);
}

TEST(Projection, OriginCentreKeepsACommonOffset) {
    // Every point is e0 plus a little e1 noise: about the mean, e0 carries nothing; about the
    // origin it is the main axis, which is what arrows from the origin need.
    Eigen::MatrixXd points(4, 4);
    points << 5, 0.1, 0, 0,
              5, -0.1, 0, 0,
              5, 0, 0.05, 0,
              5, 0, -0.05, 0;
    const auto origin = principal_axes(points, 1, Centre::Origin);
    EXPECT_NEAR(std::abs(origin.basis(0, 0)), 1.0, 1e-9);
    EXPECT_TRUE(origin.mean.isZero());
    const auto mean = principal_axes(points, 1, Centre::Mean);
    EXPECT_NEAR(mean.basis(0, 0), 0.0, 1e-9);
    EXPECT_NEAR(mean.mean(0), 5.0, 1e-12);
}

TEST(Projection, LowDimensionIsPaddedIdentity) {
    Eigen::MatrixXd points(3, 2);
    points << 1, 2, 3, 4, 5, 6;
    const auto p = principal_axes(points, 3, Centre::Origin);
    Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(2, 3);
    expected(0, 0) = expected(1, 1) = 1;
    EXPECT_TRUE(p.basis.isApprox(expected));
    EXPECT_EQ(p.explained, 1.0);
    const Eigen::VectorXd x = attn::project(p, Eigen::Vector2d(7, -1));
    EXPECT_EQ(x, Eigen::Vector3d(7, -1, 0));
}

TEST(Projection, DegenerateInputGivesFiniteAxes) {
    const Eigen::MatrixXd same = Eigen::MatrixXd::Constant(5, 6, 0.5);
    for (const Centre centre : {Centre::Mean, Centre::Origin}) {
        const auto p = principal_axes(same, 3, centre);
        EXPECT_TRUE(p.basis.allFinite());
        EXPECT_TRUE((p.basis.transpose() * p.basis).isIdentity(1e-9));
        EXPECT_GE(p.explained, 0.0);
        EXPECT_LE(p.explained, 1.0);
    }
    // One point on a line in ℝ^6: rank 1, the other two axes are still orthonormal.
    Eigen::MatrixXd one = Eigen::MatrixXd::Zero(1, 6);
    one(0, 3) = 1e-200;
    const auto p = principal_axes(one, 3, Centre::Origin);
    EXPECT_NEAR(p.basis(3, 0), 1.0, 1e-12);
    EXPECT_TRUE((p.basis.transpose() * p.basis).isIdentity(1e-9));
    EXPECT_NEAR(p.explained, 1.0, 1e-12);
}

TEST(Projection, RejectsBadInput) {
    EXPECT_THROW(principal_axes(Eigen::MatrixXd(0, 3), 3), attn::InputError);
    EXPECT_THROW(principal_axes(Eigen::MatrixXd::Ones(2, 3), 0), attn::InputError);
    Eigen::MatrixXd nan = Eigen::MatrixXd::Ones(2, 5);
    nan(1, 2) = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(principal_axes(nan, 3), attn::InputError);
}
