// attnlab core: the convex geometry behind "can a query pick out these keys?".
//
// A query q gives key j the logit q·k_j. The keys in a set S can win together (equal logits,
// every other key strictly lower) exactly when S is the set of keys on one face of the convex
// hull of all keys. This file finds the direction that does it with the widest margin, or a
// certificate that none exists.
//
// Calling rules
// - keys is N×d with finite entries; group holds distinct row indices in [0, N), non-empty.
// - max_margin_direction() is exact up to floating-point round-off (Wolfe's minimum-norm-point
//   algorithm, finite termination); margins below `degenerate_margin` times the largest |key
//   entry| count as infeasible, since no float32 query could realise them. The keys' scale does
//   not matter otherwise (keys of 1e-300 give the same direction as keys of 1).
// - Memory and time are linear in d (no d×d matrix): d = 100 000 with a few keys is fine.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace attn {

struct MinNormPoint {
    Eigen::VectorXd point;        // the point of conv{rows of points} closest to the origin
    std::vector<int> support;     // rows that carry weight
    std::vector<double> weights;  // their convex weights (sum 1), same order as support
};

// Wolfe's minimum-norm-point algorithm on the convex hull of the rows of `points` (m×d, m ≥ 1).
MinNormPoint min_norm_point(const Eigen::MatrixXd& points);

struct MarginDirection {
    bool feasible = false;
    bool all_keys = false;            // S is every key: the zero query already ties them all
    Eigen::VectorXd direction;        // unit vector, orthogonal to every k_a - k_b (a, b in S)
    double margin = 0;                // min over j outside S of direction·(k_S - k_j)
    std::vector<double> margins;      // per key: direction·(k_S - k_j); 0 for keys in S
    // When infeasible: keys outside S whose convex combination (these weights) ties with S on
    // every query that ties S, which is why no query can separate them.
    std::vector<int> blocking_keys;
    std::vector<double> blocking_weights;
};

constexpr double kDegenerateMargin = 1e-9;

MarginDirection max_margin_direction(const Eigen::MatrixXd& keys, const std::vector<int>& group,
                                     double degenerate_margin = kDegenerateMargin);

}  // namespace attn
