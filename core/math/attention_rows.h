// attnlab core, internal: the row-by-row steps of attention() shared by attention.cpp and the
// incremental AttentionCache (attention_cache.h), so that an incremental update produces the
// very same bits as a full recompute. Not part of the public API.
//
// Calling rules
// - Shapes are already checked (check_shapes in attention.cpp); result matrices are sized n×N
//   (logits, weights) and n×dv (output) before the first call.
// - Each step reads only what the previous step of the same row wrote: logits → softmax → output.
#pragma once

#include "core/math/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace attn::detail {

inline bool visible(const AttentionOptions& options, Eigen::Index i, Eigen::Index j) {
    if (options.causal && j > i) return false;
    if (options.mask.size() != 0 && !options.mask(i, j)) return false;
    return true;
}

// scale·dot clamped to ±max (1e200·1e200 stays a huge finite logit, so the softmax never sees
// inf - inf).
template <typename Scalar>
Scalar clamped_logit(Scalar dot, Scalar scale) {
    const Scalar limit = std::numeric_limits<Scalar>::max();
    Scalar logit = dot * scale;
    if (!(logit <= limit)) logit = limit;
    if (!(logit >= -limit)) logit = -limit;
    return logit;
}

// Every logit is scale·Σ_c q(i,c)·k(j,c) with c ascending, then clamped; -inf when hidden. The
// row, column and whole-matrix forms below all sum in that order (same bits); they differ only
// in which index the inner loop walks, so it runs along contiguous column-major memory.

// Row i of the logits: the keys read a column at a time.
template <typename Scalar, typename Matrix>
void logits_row(const Matrix& q, const Matrix& k, Scalar scale, const AttentionOptions& options, Eigen::Index i,
                std::vector<Scalar>& dot, Matrix& logits) {
    const Eigen::Index count = k.rows();
    dot.assign(static_cast<std::size_t>(count), Scalar(0));
    for (Eigen::Index c = 0; c < k.cols(); ++c) {
        const Scalar qc = q(i, c);
        const Scalar* kc = k.data() + c * count;
        for (Eigen::Index j = 0; j < count; ++j) dot[j] += qc * kc[j];
    }
    for (Eigen::Index j = 0; j < count; ++j)
        logits(i, j) = visible(options, i, j) ? clamped_logit(dot[j], scale) : -std::numeric_limits<Scalar>::infinity();
}

// Column j of the logits (key j changed): the queries read a column at a time.
template <typename Scalar, typename Matrix>
void logits_column(const Matrix& q, const Matrix& k, Scalar scale, const AttentionOptions& options, Eigen::Index j,
                   std::vector<Scalar>& dot, Matrix& logits) {
    const Eigen::Index n = q.rows();
    dot.assign(static_cast<std::size_t>(n), Scalar(0));
    for (Eigen::Index c = 0; c < q.cols(); ++c) {
        const Scalar kc = k(j, c);
        const Scalar* qc = q.data() + c * n;
        for (Eigen::Index i = 0; i < n; ++i) dot[i] += qc[i] * kc;
    }
    for (Eigen::Index i = 0; i < n; ++i)
        logits(i, j) = visible(options, i, j) ? clamped_logit(dot[i], scale) : -std::numeric_limits<Scalar>::infinity();
}

// Row i of the weights from row i of the logits: max subtracted, exp, times 1/sum (as torch's
// vectorised softmax). Returns false when every key is hidden (the row is then all zero).
template <typename Matrix>
bool softmax_row(const Matrix& logits, Matrix& weights, Eigen::Index i) {
    using Scalar = typename Matrix::Scalar;
    const Scalar minus_inf = -std::numeric_limits<Scalar>::infinity();
    const Eigen::Index count = logits.cols();
    // Row i is strided in column-major storage: read it once into a contiguous buffer.
    std::vector<Scalar> row(static_cast<std::size_t>(count));
    Scalar row_max = minus_inf;
    for (Eigen::Index j = 0; j < count; ++j) {
        row[j] = logits(i, j);
        row_max = std::max(row_max, row[j]);
    }
    if (row_max == minus_inf) {
        for (Eigen::Index j = 0; j < count; ++j) weights(i, j) = 0;
        return false;
    }
    Scalar sum = 0;
    for (Eigen::Index j = 0; j < count; ++j) {
        if (row[j] == minus_inf) {
            row[j] = 0;
            continue;
        }
        row[j] = std::exp(row[j] - row_max);
        sum += row[j];
    }
    const Scalar inverse_sum = Scalar(1) / sum;  // sum ≥ 1: the max term is exp(0)
    for (Eigen::Index j = 0; j < count; ++j) weights(i, j) = row[j] * inverse_sum;
    return true;
}

// Row i of the output, summed key by key like torch's CPU matmul at these sizes.
template <typename Matrix, typename V>
void output_row(const Matrix& weights, const V& v, Matrix& output, Eigen::Index i) {
    using Scalar = typename Matrix::Scalar;
    const Eigen::Index count = weights.cols();
    std::vector<Scalar> w(static_cast<std::size_t>(count));  // row i, contiguous
    for (Eigen::Index j = 0; j < count; ++j) w[j] = weights(i, j);
    for (Eigen::Index c = 0; c < v.cols(); ++c) {
        Scalar sum = 0;
        for (Eigen::Index j = 0; j < count; ++j) sum += w[j] * v(j, c);
        output(i, c) = sum;
    }
}

// ---- the same steps for every row at once ----
// Each entry is computed with exactly the operations, in exactly the order, of the row steps
// above (the sum over c or j runs in the same sequence), so the bits are the same; only the loop
// nesting differs, so that the inner loop walks contiguous column-major memory and vectorises.

// All logits, a row at a time.
template <typename Scalar, typename Matrix>
void all_logits(const Matrix& q, const Matrix& k, Scalar scale, const AttentionOptions& options, Matrix& logits) {
    std::vector<Scalar> dot;
    for (Eigen::Index i = 0; i < q.rows(); ++i) logits_row(q, k, scale, options, i, dot, logits);
}

// All softmax rows, sweeping column by column. Returns the fully masked rows.
template <typename Matrix>
std::vector<int> all_softmax(const Matrix& logits, Matrix& weights) {
    using Scalar = typename Matrix::Scalar;
    const Scalar minus_inf = -std::numeric_limits<Scalar>::infinity();
    const Eigen::Index n = logits.rows(), count = logits.cols();
    std::vector<Scalar> row_max(static_cast<std::size_t>(n), minus_inf), sum(static_cast<std::size_t>(n), Scalar(0));
    for (Eigen::Index j = 0; j < count; ++j)
        for (Eigen::Index i = 0; i < n; ++i) row_max[i] = std::max(row_max[i], logits(i, j));
    for (Eigen::Index j = 0; j < count; ++j)
        for (Eigen::Index i = 0; i < n; ++i) {
            if (row_max[i] == minus_inf || logits(i, j) == minus_inf) {
                weights(i, j) = 0;
                continue;
            }
            const Scalar e = std::exp(logits(i, j) - row_max[i]);
            weights(i, j) = e;
            sum[i] += e;
        }
    std::vector<int> fully_masked;
    std::vector<Scalar> inverse_sum(static_cast<std::size_t>(n), Scalar(0));
    for (Eigen::Index i = 0; i < n; ++i) {
        if (row_max[i] == minus_inf) fully_masked.push_back(static_cast<int>(i));
        else inverse_sum[i] = Scalar(1) / sum[i];
    }
    for (Eigen::Index j = 0; j < count; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
            if (row_max[i] != minus_inf) weights(i, j) *= inverse_sum[i];
    return fully_masked;
}

// The whole output, in blocks of rows so the weights' block stays in cache across columns.
template <typename Matrix>
void all_outputs(const Matrix& weights, const Matrix& v, Matrix& output) {
    using Scalar = typename Matrix::Scalar;
    constexpr Eigen::Index kBlock = 32;
    const Eigen::Index n = weights.rows(), count = weights.cols();
    output.setZero();
    for (Eigen::Index i0 = 0; i0 < n; i0 += kBlock) {
        const Eigen::Index i1 = std::min(n, i0 + kBlock);
        for (Eigen::Index c = 0; c < v.cols(); ++c) {
            Scalar* out = output.data() + c * n;
            for (Eigen::Index j = 0; j < count; ++j) {
                const Scalar vjc = v(j, c);
                const Scalar* w = weights.data() + j * n;
                for (Eigen::Index i = i0; i < i1; ++i) out[i] += w[i] * vjc;
            }
        }
    }
}

// Throws InputError for a shape mismatch or a non-finite entry (attention.h's rules).
void check_shapes(const Eigen::MatrixXd& q, const Eigen::MatrixXd& k, const Eigen::MatrixXd& v,
                  const AttentionOptions& options);

}  // namespace attn::detail
