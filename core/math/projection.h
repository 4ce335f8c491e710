// attnlab core: principal axes, for drawing vectors of ℝ^d (d ≠ 3) in a 3-D view.
//
//   project(p, x) = basisᵀ (x − mean)        (dims components)
//
// Calling rules
// - points is m×d (one point per row), m ≥ 1, d ≥ 1, every entry finite; 1 ≤ dims. A bad
//   shape or a non-finite entry throws InputError.
// - Centre::Origin finds the axes of the points' second moment about the origin (no mean is
//   subtracted, mean is zero), so the projection is linear and keeps dot-product pictures
//   honest: arrows from the origin stay arrows from the origin. Centre::Mean is classic PCA.
// - basis is d×dims with orthonormal columns, ordered by decreasing variance; each column's
//   largest-magnitude entry is positive so that small edits do not flip the picture.
// - When d ≤ dims there is nothing to choose: basis is the identity padded with zero columns
//   (the missing axes show nothing) and explained is 1.
// - explained is the fraction of the points' total squared spread (about the centre) that the
//   axes keep, in [0, 1]; it is 1 when every point sits at the centre. Never NaN.
#pragma once

#include <Eigen/Dense>

namespace attn {

enum class Centre { Mean, Origin };

struct Projection {
    Eigen::MatrixXd basis;  // d×dims
    Eigen::VectorXd mean;   // d; zero for Centre::Origin
    double explained = 1;   // fraction of spread kept, [0, 1]
};

Projection principal_axes(const Eigen::MatrixXd& points, int dims, Centre centre = Centre::Mean);

// basisᵀ (x − mean); x has d entries (asserted).
Eigen::VectorXd project(const Projection& projection, const Eigen::VectorXd& x);

}  // namespace attn
