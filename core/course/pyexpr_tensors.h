// attnlab core, internal: the float32 tensor kernels of pyexpr (pyexpr.h), each doing its
// arithmetic in the order PyTorch's CPU kernels do, so that a grade matches torch bit for bit.
// Not part of the public API.
//
// Tensors are pyexpr::Tensor (rank 0, 1 or 2, row-major). For broadcasting a tensor is seen as
// rows × cols: () is 1×1, (n,) is 1×n.
//
// Calling rules
// - The kernels neither check sizes against the limits nor count work, except where said
//   (matmul adds its multiply-adds to `work`); the evaluator calls check_size() on any shape it
//   is about to make and counts the work of the rest.
// - Errors PyTorch raises too (shapes that do not broadcast, inner sizes, a dimension out of
//   range, a singular matrix) are thrown as TorchError, the limits as TorchError with `ours` set,
//   a rank above 2 as Unsupported (pyexpr_failures.h), each with the `line` given.
// - reduction lanes: a function of one lane (lane_sum, lane_norm, lane_max) applied to every
//   lane; sums go through sum_tensor (torch's cascade order), which the evaluator picks when the
//   lane function is lane_sum.
// - Pure functions; no state.
#pragma once

#include "core/course/pyexpr.h"

#include <cstddef>
#include <string>
#include <vector>

namespace attn::pyexpr::detail {

std::size_t numel(const std::vector<int>& shape);
Tensor make_tensor(std::vector<int> shape, float fill = 0.0f);
Tensor scalar_tensor(float x);

// Limits of core/base/limits.h on every tensor the evaluator makes (before allocating it).
void check_size(const std::vector<int>& shape, int line);

// A tensor seen as rows × cols for broadcasting: () → 1×1, (n,) → 1×n.
int rows_of(const Tensor& t);
int cols_of(const Tensor& t);

std::vector<int> broadcast_shape(const std::vector<int>& a, const std::vector<int>& b, int line);

template <typename F>
Tensor elementwise(const Tensor& a, const Tensor& b, int line, F op) {
    const std::vector<int> shape = broadcast_shape(a.shape, b.shape, line);
    Tensor out = make_tensor(shape);
    const int rows = shape.size() == 2 ? shape[0] : 1, cols = shape.empty() ? 1 : shape.back();
    const int ar = rows_of(a), ac = cols_of(a), br = rows_of(b), bc = cols_of(b);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const float x = a.data[static_cast<std::size_t>((ar == 1 ? 0 : r) * ac + (ac == 1 ? 0 : c))];
            const float y = b.data[static_cast<std::size_t>((br == 1 ? 0 : r) * bc + (bc == 1 ? 0 : c))];
            out.data[static_cast<std::size_t>(r * cols + c)] = op(x, y);
        }
    return out;
}

template <typename F>
Tensor map_tensor(Tensor t, F f) {
    for (float& x : t.data) x = f(x);
    return t;
}

// torch.pow(tensor, python number): the CPU kernel's special cases, then pow in double.
Tensor pow_scalar(const Tensor& base, double e);

// Sequential float32 sums, as torch's CPU kernels do at these sizes. Adds n·k·m to `work` and
// throws past kMaxScriptWork.
Tensor matmul(const Tensor& a, const Tensor& b, int line, double& work);

// The transpose of a 2-D tensor (a copy); a tensor of rank 0 or 1 unchanged.
Tensor transpose2(const Tensor& t);

// A whole number (a Python int, kept as a double) for a message; one past long long's range is
// never cast (undefined behaviour) but written as 3.88889e+24.
std::string whole_text(double x);

// A Python dimension (negative counts from the end) for a tensor of `rank` dimensions.
int normalize_dim(double dim, int rank, int line);

// Gathers the lanes of a reduction over `dim` (-1: everything): one vector per output entry.
std::vector<std::vector<float>> lanes(const Tensor& t, int dim);

// Shape after reducing `dim` (-1: all) with keepdim.
std::vector<int> reduced_shape(const std::vector<int>& shape, int dim, bool keepdim);

template <typename F>
Tensor reduce(const Tensor& t, int dim, bool keepdim, F f) {
    Tensor out;
    out.shape = reduced_shape(t.shape, dim, keepdim);
    for (const auto& lane : lanes(t, dim)) out.data.push_back(f(lane));
    return out;
}

// The lane functions. lane_sum is torch's sum of a contiguous lane; a sum over a dimension goes
// through sum_tensor, which knows the memory order.
float lane_sum(const std::vector<float>& v);
float lane_norm(const std::vector<float>& v);
float lane_max(const std::vector<float>& v);

// sum over `dim` (-1: all) of t, in the order torch reads memory: `transposed` says t is a
// transposed view, so its memory holds t.T row by row.
Tensor sum_tensor(const Tensor& t, int dim, bool keepdim, bool transposed);

// torch.softmax: the max subtracted, exp, sum; the last dimension multiplies by the
// reciprocal of the sum (vectorised kernel), another dimension divides.
Tensor softmax(const Tensor& t, int dim);

// torch.linalg.inv of a square matrix whose shape and work are already checked: NaN everywhere
// when an entry is not finite, TorchError for a singular matrix.
Tensor inverse_of_square(const Tensor& t, int line);

// torch.linalg.lstsq(A, B).solution for shapes and work already checked: a complete orthogonal
// decomposition (minimum-norm like gelsy); NaN everywhere when an entry is not finite.
Tensor lstsq_solution(const Tensor& A, const Tensor& B);

}  // namespace attn::pyexpr::detail
