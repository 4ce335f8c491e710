#include "core/math/geometry.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace attn {

namespace {

// Minimum-norm point of the affine hull of the given rows: argmin |Σ a_i p_i| with Σ a_i = 1.
Eigen::VectorXd affine_min_norm_weights(const Eigen::MatrixXd& points, const std::vector<int>& rows) {
    const int k = static_cast<int>(rows.size());
    Eigen::MatrixXd system = Eigen::MatrixXd::Zero(k + 1, k + 1);
    for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) system(a, b) = points.row(rows[a]).dot(points.row(rows[b]));
    system.block(0, k, k, 1).setOnes();
    system.block(k, 0, 1, k).setOnes();
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(k + 1);
    rhs(k) = 1;
    // Wolfe keeps the corral affinely independent, so the system is regular; the pivoting
    // decomposition still behaves when round-off makes it nearly singular.
    return system.completeOrthogonalDecomposition().solve(rhs).head(k);
}

}  // namespace

MinNormPoint min_norm_point(const Eigen::MatrixXd& points) {
    assert(points.rows() >= 1);
    const int m = static_cast<int>(points.rows());
    const double scale = std::max(1.0, points.rowwise().squaredNorm().maxCoeff());
    const double tolerance = 1e-12 * scale;

    int start = 0;
    points.rowwise().squaredNorm().minCoeff(&start);
    std::vector<int> corral{start};
    std::vector<double> lambda{1.0};
    Eigen::VectorXd x = points.row(start).transpose();

    for (int major = 0; major < 10 * m + 100; ++major) {
        Eigen::Index best = 0;
        (points * x).minCoeff(&best);
        if (x.squaredNorm() - points.row(best).dot(x) <= tolerance) break;  // x is optimal
        if (std::find(corral.begin(), corral.end(), static_cast<int>(best)) != corral.end()) break;  // round-off
        corral.push_back(static_cast<int>(best));
        lambda.push_back(0.0);
        for (int minor = 0; minor < m + 10; ++minor) {
            const Eigen::VectorXd alpha = affine_min_norm_weights(points, corral);
            if (alpha.minCoeff() > 1e-14) {
                lambda.assign(alpha.data(), alpha.data() + alpha.size());
                break;
            }
            // Step from lambda towards alpha until the first weight reaches zero, then drop it.
            double theta = 1.0;
            for (size_t i = 0; i < corral.size(); ++i)
                if (alpha(i) <= 1e-14) theta = std::min(theta, lambda[i] / (lambda[i] - alpha(i)));
            std::vector<int> kept;
            std::vector<double> kept_lambda;
            for (size_t i = 0; i < corral.size(); ++i) {
                const double value = lambda[i] + theta * (alpha(i) - lambda[i]);
                if (value > 1e-14) {
                    kept.push_back(corral[i]);
                    kept_lambda.push_back(value);
                }
            }
            if (kept.empty()) {  // cannot happen in exact arithmetic; keep the newest point
                kept = {corral.back()};
                kept_lambda = {1.0};
            }
            const double total = std::accumulate(kept_lambda.begin(), kept_lambda.end(), 0.0);
            for (double& value : kept_lambda) value /= total;
            corral = kept;
            lambda = kept_lambda;
        }
        x.setZero(points.cols());
        for (size_t i = 0; i < corral.size(); ++i) x += lambda[i] * points.row(corral[i]).transpose();
    }
    MinNormPoint result;
    result.point = x;
    result.support = corral;
    result.weights = lambda;
    return result;
}

MarginDirection max_margin_direction(const Eigen::MatrixXd& keys, const std::vector<int>& group,
                                     double degenerate_margin) {
    const int count = static_cast<int>(keys.rows());
    const int d = static_cast<int>(keys.cols());
    assert(!group.empty());
    MarginDirection result;
    result.margins.assign(count, 0.0);
    std::vector<bool> in_group(count, false);
    for (int a : group) in_group[a] = true;
    std::vector<int> others;
    for (int j = 0; j < count; ++j)
        if (!in_group[j]) others.push_back(j);
    if (others.empty()) {
        result.feasible = true;
        result.all_keys = true;
        result.direction = Eigen::VectorXd::Zero(d);
        return result;
    }

    // The geometry does not depend on the keys' unit, but the tolerances below are absolute:
    // work on keys / (largest |entry|), so keys of 1e-300 are treated like keys of 1.
    const double unit = keys.cwiseAbs().maxCoeff();
    const Eigen::MatrixXd scaled = unit > 0 && std::isfinite(unit) ? Eigen::MatrixXd(keys / unit) : keys;

    // Queries that tie the group are orthogonal to every k_a - k_a0: remove the components along
    // an orthonormal basis of those differences. The basis is d×(|S|-1) at most, never a d×d
    // projector, so memory and time stay linear in d.
    const int anchor = group.front();
    Eigen::MatrixXd basis(d, 0);
    if (group.size() > 1) {
        Eigen::MatrixXd differences(d, static_cast<int>(group.size()) - 1);
        for (size_t i = 1; i < group.size(); ++i)
            differences.col(i - 1) = (scaled.row(group[i]) - scaled.row(anchor)).transpose();
        Eigen::JacobiSVD<Eigen::MatrixXd> svd(differences, Eigen::ComputeThinU);
        const double cutoff = 1e-12 * std::max(1.0, svd.singularValues().maxCoeff());
        int rank = 0;
        while (rank < svd.singularValues().size() && svd.singularValues()(rank) > cutoff) ++rank;
        basis = svd.matrixU().leftCols(rank);
    }
    Eigen::MatrixXd gaps(static_cast<int>(others.size()), d);
    for (size_t i = 0; i < others.size(); ++i) {
        const Eigen::VectorXd gap = (scaled.row(anchor) - scaled.row(others[i])).transpose();
        gaps.row(i) = (gap - basis * (basis.transpose() * gap)).transpose();
    }

    const MinNormPoint nearest = min_norm_point(gaps);
    const double margin = nearest.point.norm();
    if (margin <= degenerate_margin) {
        for (size_t i = 0; i < nearest.support.size(); ++i) {
            result.blocking_keys.push_back(others[nearest.support[i]]);
            result.blocking_weights.push_back(nearest.weights[i]);
        }
        return result;
    }
    result.feasible = true;
    result.direction = nearest.point / margin;
    result.margin = margin;
    for (int j : others) result.margins[j] = result.direction.dot((keys.row(anchor) - keys.row(j)).transpose());
    double smallest = std::numeric_limits<double>::infinity();
    for (int j : others) smallest = std::min(smallest, result.margins[j]);
    result.margin = smallest;
    return result;
}

}  // namespace attn
