// The float32 tensor kernels, in PyTorch's order of operations (pyexpr_tensors.h).
#include "core/course/pyexpr_tensors.h"

#include "core/base/limits.h"
#include "core/course/pyexpr_failures.h"
#include "core/math/torch_random.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <utility>

namespace attn::pyexpr::detail {

std::size_t numel(const std::vector<int>& shape) {
    std::size_t n = 1;
    for (int d : shape) n *= static_cast<std::size_t>(d);
    return n;
}

Tensor make_tensor(std::vector<int> shape, float fill) {
    Tensor t;
    t.data.assign(numel(shape), fill);
    t.shape = std::move(shape);
    return t;
}

Tensor scalar_tensor(float x) {
    Tensor t;
    t.data = {x};
    return t;
}

void check_size(const std::vector<int>& shape, int line) {
    if (shape.size() > 2) throw Unsupported{"a tensor with more than 2 dimensions", line};
    double n = 1;
    for (int d : shape) n *= d;
    const int rows = shape.size() == 2 ? shape[0] : 1;
    if (n > kMaxTensorElements || rows > kMaxTensorRows)
        throw TorchError{"a tensor of shape " + shape_text(shape) + " is over the limit of " +
                             std::to_string(kMaxTensorRows) + " rows and " + std::to_string(kMaxTensorElements) +
                             " numbers",
                         line, true};
}

int rows_of(const Tensor& t) { return t.shape.size() == 2 ? t.shape[0] : 1; }
int cols_of(const Tensor& t) { return t.shape.empty() ? 1 : t.shape.back(); }

std::vector<int> broadcast_shape(const std::vector<int>& a, const std::vector<int>& b, int line) {
    std::vector<int> out(std::max(a.size(), b.size()));
    for (std::size_t k = 0; k < out.size(); ++k) {
        const int da = k < a.size() ? a[a.size() - 1 - k] : 1;
        const int db = k < b.size() ? b[b.size() - 1 - k] : 1;
        if (da != db && da != 1 && db != 1)
            throw TorchError{"shapes " + shape_text(a) + " and " + shape_text(b) + " do not broadcast", line};
        out[out.size() - 1 - k] = da == 1 ? db : da;
    }
    return out;
}

Tensor pow_scalar(const Tensor& base, double e) {
    if (e == 0.0) return map_tensor(base, [](float) { return 1.0f; });
    if (e == 1.0) return base;
    if (e == 0.5) return map_tensor(base, [](float x) { return std::sqrt(x); });
    if (e == -0.5) return map_tensor(base, [](float x) { return 1.0f / std::sqrt(x); });
    if (e == -1.0) return map_tensor(base, [](float x) { return 1.0f / x; });
    if (e == 2.0) return map_tensor(base, [](float x) { return x * x; });
    if (e == 3.0) return map_tensor(base, [](float x) { return x * x * x; });
    if (e == -2.0) return map_tensor(base, [](float x) { return static_cast<float>(1.0 / static_cast<double>(x * x)); });
    return map_tensor(base, [e](float x) { return static_cast<float>(std::pow(static_cast<double>(x), e)); });
}

// Sequential float32 sums, as torch's CPU kernels do at these sizes.
Tensor matmul(const Tensor& a, const Tensor& b, int line, double& work) {
    if (a.shape.empty() || b.shape.empty())
        throw TorchError{"@ needs tensors of at least 1 dimension, not " + shape_text(a.shape) + " and " +
                             shape_text(b.shape),
                         line};
    const int n = a.shape.size() == 2 ? a.shape[0] : 1, k = a.shape.back();
    const int kb = b.shape[0], m = b.shape.size() == 2 ? b.shape[1] : 1;
    if (k != kb)
        throw TorchError{"@ of shapes " + shape_text(a.shape) + " and " + shape_text(b.shape) + " (inner sizes differ)",
                         line};
    work += static_cast<double>(n) * k * m;
    if (work > kMaxScriptWork) throw TorchError{"too much computation (over the limit)", line, true};
    std::vector<int> shape;
    if (a.shape.size() == 2) shape.push_back(n);
    if (b.shape.size() == 2) shape.push_back(m);
    Tensor out = make_tensor(shape);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) {
            float sum = 0.0f;
            for (int p = 0; p < k; ++p)
                sum += a.data[static_cast<std::size_t>(i * k + p)] * b.data[static_cast<std::size_t>(p * m + j)];
            out.data[static_cast<std::size_t>(i * m + j)] = sum;
        }
    return out;
}

Tensor transpose2(const Tensor& t) {
    if (t.shape.size() < 2) return t;
    Tensor out = make_tensor({t.shape[1], t.shape[0]});
    for (int r = 0; r < t.shape[0]; ++r)
        for (int c = 0; c < t.shape[1]; ++c)
            out.data[static_cast<std::size_t>(c * t.shape[0] + r)] = t.data[static_cast<std::size_t>(r * t.shape[1] + c)];
    return out;
}

std::string whole_text(double x) {
    char figure[32];
    std::snprintf(figure, sizeof figure, std::fabs(x) < 1e15 ? "%.0f" : "%g", x);
    return figure;
}

int normalize_dim(double dim, int rank, int line) {
    const int r = std::max(rank, 1);
    if (dim < -r || dim >= r)
        throw TorchError{"dimension " + whole_text(dim) + " is out of range for a tensor of " +
                             std::to_string(rank) + " dimensions",
                         line};
    return static_cast<int>(dim < 0 ? dim + r : dim);
}

// Gathers the lanes of a reduction over `dim` (-1: everything): one vector per output entry.
std::vector<std::vector<float>> lanes(const Tensor& t, int dim) {
    std::vector<std::vector<float>> out;
    if (dim < 0 || t.shape.size() < 2) {
        out.push_back(t.data);
        return out;
    }
    const int rows = t.shape[0], cols = t.shape[1];
    if (dim == 1) {
        for (int r = 0; r < rows; ++r)
            out.emplace_back(t.data.begin() + r * cols, t.data.begin() + (r + 1) * cols);
    } else {
        for (int c = 0; c < cols; ++c) {
            std::vector<float> lane;
            for (int r = 0; r < rows; ++r) lane.push_back(t.data[static_cast<std::size_t>(r * cols + c)]);
            out.push_back(std::move(lane));
        }
    }
    return out;
}

std::vector<int> reduced_shape(const std::vector<int>& shape, int dim, bool keepdim) {
    if (dim < 0) return keepdim ? std::vector<int>(shape.size(), 1) : std::vector<int>{};
    std::vector<int> out = shape;
    if (keepdim) out[static_cast<std::size_t>(dim)] = 1;
    else out.erase(out.begin() + dim);
    return out;
}

namespace {

// torch's CPU sum (SumKernel.cpp, AVX2: 8 floats a vector), so sums match bit for bit.
// multi_row_sum for one lane: sequential, with partial sums folded every 16^k terms.
float cascade_sum(const std::vector<float>& seq) {
    const int64_t size = static_cast<int64_t>(seq.size());
    int64_t log2 = 0;
    while ((int64_t{1} << log2) < size) ++log2;
    const int64_t level_power = std::max<int64_t>(4, log2 / 4);
    const int64_t level_step = int64_t{1} << level_power, level_mask = level_step - 1;
    float acc[4] = {0, 0, 0, 0};
    int64_t i = 0;
    while (i + level_step <= size) {
        for (int64_t j = 0; j < level_step; ++j, ++i) acc[0] += seq[static_cast<std::size_t>(i)];
        for (int j = 1; j < 4; ++j) {
            acc[j] += acc[j - 1];
            acc[j - 1] = 0;
            if ((i & (level_mask << (j * level_power))) != 0) break;
        }
    }
    for (; i < size; ++i) acc[0] += seq[static_cast<std::size_t>(i)];
    for (int j = 1; j < 4; ++j) acc[0] += acc[j];
    return acc[0];
}

// row_sum: the sequence seen as rows of 4 (four cascaded partial sums), the rest added to the first.
float row_sum(const std::vector<float>& seq) {
    const std::size_t groups = seq.size() / 4;
    float partial[4];
    for (std::size_t k = 0; k < 4; ++k) {
        std::vector<float> column;
        for (std::size_t g = 0; g < groups; ++g) column.push_back(seq[g * 4 + k]);
        partial[k] = cascade_sum(column);
    }
    for (std::size_t i = groups * 4; i < seq.size(); ++i) partial[0] += seq[i];
    for (int k = 1; k < 4; ++k) partial[0] += partial[k];
    return partial[0];
}

// A contiguous lane (vectorized_inner_sum): 8 vector lanes, the tail, then the lanes in order.
float inner_sum(const std::vector<float>& x) {
    constexpr std::size_t kWidth = 8;
    const std::size_t vectors = x.size() / kWidth;
    float lanes_acc[kWidth];
    for (std::size_t k = 0; k < kWidth; ++k) {
        std::vector<float> seq;
        for (std::size_t v = 0; v < vectors; ++v) seq.push_back(x[v * kWidth + k]);
        lanes_acc[k] = row_sum(seq);
    }
    float total = 0.0f;
    for (std::size_t i = vectors * kWidth; i < x.size(); ++i) total += x[i];
    for (float lane : lanes_acc) total += lane;
    return total;
}

// cascade_sum's choice for a lane that is contiguous in memory: vectorized from 8 numbers on.
float contiguous_sum(const std::vector<float>& lane) { return lane.size() >= 8 ? inner_sum(lane) : row_sum(lane); }

// A strided lane, output `o` of `outputs` side by side in memory: full blocks (32 columns when
// vectorized, 4 otherwise) use multi_row_sum, the remaining columns row_sum.
float strided_sum(const std::vector<float>& lane, int o, int outputs) {
    const int block = outputs >= 8 ? 32 : 4;
    return (o / block + 1) * block <= outputs ? cascade_sum(lane) : row_sum(lane);
}

}  // namespace

float lane_sum(const std::vector<float>& v) { return contiguous_sum(v); }

// sum over `dim` (-1: all) of t, in the order torch reads memory: `transposed` says t is a
// transposed view, so its memory holds t.T row by row.
Tensor sum_tensor(const Tensor& t, int dim, bool keepdim, bool transposed) {
    Tensor out;
    out.shape = reduced_shape(t.shape, dim, keepdim);
    if (dim < 0 || t.shape.size() < 2) {
        out.data.push_back(contiguous_sum(transposed ? transpose2(t).data : t.data));
        return out;
    }
    const int rows = t.shape[0], cols = t.shape[1];
    const int outputs = dim == 1 ? rows : cols;
    // The reduced lane is contiguous in memory when it runs along the memory's rows, or when it
    // is the only one (a column of shape (n, 1) is n numbers side by side).
    const bool contiguous_lane = (dim == 1) != transposed || outputs == 1;
    for (int o = 0; o < outputs; ++o) {
        std::vector<float> lane;
        const int n = dim == 1 ? cols : rows;
        for (int i = 0; i < n; ++i) lane.push_back(t.data[static_cast<std::size_t>(dim == 1 ? o * cols + i : i * cols + o)]);
        out.data.push_back(contiguous_lane ? contiguous_sum(lane) : strided_sum(lane, o, outputs));
    }
    return out;
}

float lane_norm(const std::vector<float>& v) {
    return v.empty() ? 0.0f : torch_vector_norm(v.data(), static_cast<int>(v.size()));
}

float lane_max(const std::vector<float>& v) {
    float m = -std::numeric_limits<float>::infinity();
    for (float x : v) {
        if (std::isnan(x)) return x;
        m = std::max(m, x);
    }
    return m;
}

// torch.softmax: the max subtracted, exp, sum; the last dimension multiplies by the
// reciprocal of the sum (vectorised kernel), another dimension divides.
Tensor softmax(const Tensor& t, int dim) {
    Tensor out = t;
    const bool last = dim == static_cast<int>(t.shape.size()) - 1 || t.shape.size() < 2;
    const int rows = rows_of(t), cols = cols_of(t);
    const int outer = last ? rows : cols, inner = last ? cols : rows;
    for (int o = 0; o < outer; ++o) {
        auto at = [&](int i) -> float& {
            return out.data[static_cast<std::size_t>(last ? o * cols + i : i * cols + o)];
        };
        float m = -std::numeric_limits<float>::infinity();
        for (int i = 0; i < inner; ++i) m = std::isnan(at(i)) || std::isnan(m) ? std::nanf("") : std::max(m, at(i));
        float sum = 0.0f;
        for (int i = 0; i < inner; ++i) {
            at(i) = std::exp(at(i) - m);
            sum += at(i);
        }
        const float inverse = 1.0f / sum;
        for (int i = 0; i < inner; ++i) at(i) = last ? at(i) * inverse : at(i) / sum;
    }
    return out;
}

namespace {

Eigen::MatrixXd to_eigen(const Tensor& t) {
    Eigen::MatrixXd m(rows_of(t), cols_of(t));
    for (int r = 0; r < m.rows(); ++r)
        for (int c = 0; c < m.cols(); ++c) m(r, c) = t.data[static_cast<std::size_t>(r * m.cols() + c)];
    return m;
}

Tensor from_eigen(const Eigen::MatrixXd& m, std::vector<int> shape) {
    Tensor t = make_tensor(std::move(shape));
    for (int r = 0; r < m.rows(); ++r)
        for (int c = 0; c < m.cols(); ++c)
            t.data[static_cast<std::size_t>(r * m.cols() + c)] = static_cast<float>(m(r, c));
    return t;
}

bool all_finite(const Tensor& t) {
    return std::all_of(t.data.begin(), t.data.end(), [](float x) { return std::isfinite(x); });
}

}  // namespace

Tensor inverse_of_square(const Tensor& t, int line) {
    if (!all_finite(t)) return make_tensor(t.shape, std::nanf(""));
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(to_eigen(t));
    if (!lu.isInvertible()) throw TorchError{"linalg.inv of a singular matrix", line};
    return from_eigen(lu.inverse(), t.shape);
}

Tensor lstsq_solution(const Tensor& A, const Tensor& B) {
    const double n = A.shape[0], m = A.shape[1];
    Eigen::MatrixXd rhs = to_eigen(B);
    if (B.shape.size() == 1) rhs = rhs.transpose().eval();
    const std::vector<int> shape = B.shape.size() == 1 ? std::vector<int>{A.shape[1]} : std::vector<int>{A.shape[1], B.shape[1]};
    if (!all_finite(A) || !all_finite(B)) return make_tensor(shape, std::nanf(""));
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod;
    cod.setThreshold(std::numeric_limits<float>::epsilon() * std::max(n, m));
    cod.compute(to_eigen(A));
    Eigen::MatrixXd x = cod.solve(rhs);
    if (B.shape.size() == 1) x = x.transpose().eval();
    return from_eigen(x, shape);
}

}  // namespace attn::pyexpr::detail
