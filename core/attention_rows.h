// attnlab core, internal: the row-by-row steps of attention() shared by attention.cpp and the
// incremental AttentionCache (attention_cache.h), so that an incremental update produces the
// very same bits as a full recompute. Not part of the public API.
//
// Calling rules
// - Shapes are already checked (check_shapes in attention.cpp); result matrices are sized n×N
//   (logits, weights) and n×dv (output) before the first call.
// - Each step reads only what the previous step of the same row wrote: logits → softmax → output.
#pragma once

#include "core/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attn::detail {

inline bool visible(const AttentionOptions& options, Eigen::Index i, Eigen::Index j) {
    if (options.causal && j > i) return false;
    if (options.mask.size() != 0 && !options.mask(i, j)) return false;
    return true;
}

// scale·q_i·k_j summed component by component in Scalar, clamped to ±max (1e200·1e200 stays
// a huge finite logit, so the softmax never sees inf - inf); -inf when hidden.
template <typename Scalar, typename Q, typename K>
Scalar logit_entry(const Q& q, const K& k, Scalar scale, const AttentionOptions& options, Eigen::Index i,
                   Eigen::Index j) {
    if (!visible(options, i, j)) return -std::numeric_limits<Scalar>::infinity();
    Scalar dot = 0;
    for (Eigen::Index c = 0; c < k.cols(); ++c) dot += q(i, c) * k(j, c);
    const Scalar limit = std::numeric_limits<Scalar>::max();
    Scalar logit = dot * scale;
    if (!(logit <= limit)) logit = limit;
    if (!(logit >= -limit)) logit = -limit;
    return logit;
}

// Row i of the weights from row i of the logits: max subtracted, exp, times 1/sum (as torch's
// vectorised softmax). Returns false when every key is hidden (the row is then all zero).
template <typename Matrix>
bool softmax_row(const Matrix& logits, Matrix& weights, Eigen::Index i) {
    using Scalar = typename Matrix::Scalar;
    const Scalar minus_inf = -std::numeric_limits<Scalar>::infinity();
    const Eigen::Index count = logits.cols();
    Scalar row_max = minus_inf;
    for (Eigen::Index j = 0; j < count; ++j) row_max = std::max(row_max, logits(i, j));
    if (row_max == minus_inf) {
        for (Eigen::Index j = 0; j < count; ++j) weights(i, j) = 0;
        return false;
    }
    Scalar sum = 0;
    for (Eigen::Index j = 0; j < count; ++j) {
        if (logits(i, j) == minus_inf) {
            weights(i, j) = 0;
            continue;
        }
        const Scalar e = std::exp(logits(i, j) - row_max);
        weights(i, j) = e;
        sum += e;
    }
    const Scalar inverse_sum = Scalar(1) / sum;  // sum ≥ 1: the max term is exp(0)
    for (Eigen::Index j = 0; j < count; ++j) weights(i, j) *= inverse_sum;
    return true;
}

// Row i of the output, summed key by key like torch's CPU matmul at these sizes.
template <typename Matrix, typename V>
void output_row(const Matrix& weights, const V& v, Matrix& output, Eigen::Index i) {
    using Scalar = typename Matrix::Scalar;
    for (Eigen::Index c = 0; c < v.cols(); ++c) {
        Scalar sum = 0;
        for (Eigen::Index j = 0; j < weights.cols(); ++j) sum += weights(i, j) * v(j, c);
        output(i, c) = sum;
    }
}

// Throws InputError for a shape mismatch or a non-finite entry (attention.h's rules).
void check_shapes(const Eigen::MatrixXd& q, const Eigen::MatrixXd& k, const Eigen::MatrixXd& v,
                  const AttentionOptions& options);

}  // namespace attn::detail
