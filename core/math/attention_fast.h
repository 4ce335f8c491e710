// attnlab core: float32 attention for large inputs (display, captured files, benchmarks).
//
// Same definition as attention() (attention.h): logits = scale·Q Kᵀ, row softmax with the row
// max subtracted, output = weights·V, hidden keys excluded, fully masked rows all zero. It differs
// only in how it computes: Eigen's cache-blocked, vectorised matrix products in float and Eigen's
// vectorised exp (SSE2 on any x86-64, wider with -march), over row-major matrices so each query's
// softmax runs over contiguous memory.
//
// Calling rules
// - Not the grading path: its sums are reordered, so entries may differ from attention_f32()
//   (which reproduces PyTorch's numbers bit for bit for the notebook's sizes) by a few float32
//   ulps of the largest term. Checks and the fixtures use attention_f32().
// - q is n×d, k is N×d, v is N×dv (float); options as in attention.h. Bad shapes or non-finite
//   entries throw InputError, as attention() does.
// - Eigen runs single-threaded here (no OpenMP in the build), so figures are one-thread figures.
#pragma once

#include "core/math/attention.h"

namespace attn {

struct FastAttentionResult {
    using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    float scale = 1;
    RowMatrix logits;        // n×N, -infinity where hidden
    RowMatrix weights;       // n×N
    Eigen::MatrixXf output;  // n×dv
    std::vector<int> fully_masked_rows;
};

FastAttentionResult attention_f32_fast(const Eigen::MatrixXf& queries, const Eigen::MatrixXf& keys,
                                       const Eigen::MatrixXf& values, const AttentionOptions& options = {});

}  // namespace attn
