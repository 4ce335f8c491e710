#include "core/math/projection.h"

#include "core/math/attention.h"
#include "core/base/error.h"

#include <algorithm>
#include <cassert>
#include <string>

namespace attn {

Projection principal_axes(const Eigen::MatrixXd& points, int dims, Centre centre) {
    if (points.rows() < 1 || points.cols() < 1 || dims < 1)
        throw InputError("principal axes: need at least one point and one axis, got " + shape_string(points) +
                         " points and " + std::to_string(dims) + " axes");
    require_finite(points, "principal axes");
    const int d = static_cast<int>(points.cols());

    Projection p;
    p.mean = centre == Centre::Mean ? Eigen::VectorXd(points.colwise().mean().transpose())
                                    : Eigen::VectorXd::Zero(d);
    p.basis = Eigen::MatrixXd::Zero(d, dims);
    if (d <= dims) {
        p.basis.topLeftCorner(d, d).setIdentity();
        p.explained = 1;
        return p;
    }

    const Eigen::MatrixXd centred = points.rowwise() - p.mean.transpose();
    // Scale first so that huge or tiny inputs do not over- or underflow the squares.
    const double scale = centred.cwiseAbs().maxCoeff();
    if (scale == 0) {
        p.basis.topLeftCorner(dims, dims).setIdentity();
        p.explained = 1;
        return p;
    }
    const Eigen::MatrixXd scaled = centred / scale;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(scaled.transpose() * scaled);
    // Eigenvalues come in increasing order: the last dims columns are the top axes.
    const Eigen::VectorXd values = eig.eigenvalues().cwiseMax(0.0);
    double kept = 0;
    for (int a = 0; a < dims; ++a) {
        Eigen::VectorXd axis = eig.eigenvectors().col(d - 1 - a);
        Eigen::Index largest = 0;
        axis.cwiseAbs().maxCoeff(&largest);
        if (axis(largest) < 0) axis = -axis;
        p.basis.col(a) = axis;
        kept += values(d - 1 - a);
    }
    const double total = values.sum();
    p.explained = total > 0 ? std::clamp(kept / total, 0.0, 1.0) : 1.0;
    return p;
}

Eigen::VectorXd project(const Projection& projection, const Eigen::VectorXd& x) {
    assert(x.size() == projection.basis.rows());
    return projection.basis.transpose() * (x - projection.mean);
}

}  // namespace attn
