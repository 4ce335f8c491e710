#include "core/math/attention.h"
#include "core/math/attention_rows.h"

#include "core/base/error.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace attn {

std::string shape_string(const Eigen::MatrixXd& m) {
    std::ostringstream out;
    out << m.rows() << "×" << m.cols();
    return out.str();
}

void require_finite(const Eigen::MatrixXd& m, const std::string& what) {
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            if (!std::isfinite(m(r, c))) {
                std::ostringstream out;
                out << what << ": entry (" << r << ", " << c << ") is not finite";
                throw InputError(out.str());
            }
}

namespace {
// Shortest exact "%g" without the exponent's plus sign and leading zeros: 1e6, 3e38, 1e-300, -1000001.
std::string short_number(double x) {
    char buffer[32];
    for (int digits = 1; digits <= 17; ++digits) {  // the shortest form that reads back exactly
        std::snprintf(buffer, sizeof buffer, "%.*g", digits, x);
        if (std::strtod(buffer, nullptr) == x) break;
    }
    std::string out = buffer;
    const auto e = out.find('e');
    if (e == std::string::npos) return out;
    std::string exponent = out.substr(e + 1);
    const bool negative = exponent[0] == '-';
    exponent.erase(0, exponent.find_first_not_of("+-0"));
    return out.substr(0, e) + "e" + (negative ? "-" : "") + exponent;
}
}  // namespace

void require_magnitude(const Eigen::MatrixXd& m, const std::string& what, bool vector, double limit) {
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            if (!(std::fabs(m(r, c)) <= limit)) {
                const std::string index = vector ? "[" + std::to_string(c) + "]"
                                                 : "[" + std::to_string(r) + "][" + std::to_string(c) + "]";
                throw InputError(what + index + ": " + short_number(m(r, c)) + " is outside ±" + short_number(limit) +
                                 " (the limit)");
            }
}

double attention_scale(const AttentionOptions& options, int d) {
    switch (options.scale_mode) {
        case ScaleMode::One: return 1.0;
        case ScaleMode::InvSqrtD: return 1.0 / std::sqrt(static_cast<double>(d));
        case ScaleMode::Temperature:
            if (!std::isfinite(options.temperature) || options.temperature <= 0)
                throw InputError("temperature must be a positive finite number");
            return 1.0 / options.temperature;
    }
    return 1.0;
}

namespace detail {

void check_shapes(const Eigen::MatrixXd& q, const Eigen::MatrixXd& k, const Eigen::MatrixXd& v,
                  const AttentionOptions& options) {
    if (q.size() == 0 || k.size() == 0 || v.size() == 0)
        throw InputError("attention: queries, keys and values must be non-empty (got " + shape_string(q) +
                         ", " + shape_string(k) + ", " + shape_string(v) + ")");
    if (q.cols() != k.cols())
        throw InputError("attention: queries are " + shape_string(q) + " but keys are " + shape_string(k) +
                         "; both need the same number of columns d");
    if (k.rows() != v.rows())
        throw InputError("attention: keys are " + shape_string(k) + " but values are " + shape_string(v) +
                         "; both need one row per token");
    if (options.mask.size() != 0 && (options.mask.rows() != q.rows() || options.mask.cols() != k.rows())) {
        std::ostringstream out;
        out << "attention: mask is " << options.mask.rows() << "×" << options.mask.cols() << ", expected "
            << q.rows() << "×" << k.rows() << " (queries × keys)";
        throw InputError(out.str());
    }
    require_finite(q, "queries");
    require_finite(k, "keys");
    require_finite(v, "values");
}

}  // namespace detail

namespace {

// One implementation for both precisions: all arithmetic happens in Scalar, in the order
// PyTorch's CPU kernels use (matmul, then max-subtracted exp, then divide by the row sum).
// The row steps live in attention_rows.h, shared with the incremental AttentionCache.
template <typename Scalar>
AttentionResultT<Scalar> compute(const Eigen::MatrixXd& q_in, const Eigen::MatrixXd& k_in,
                                 const Eigen::MatrixXd& v_in, const AttentionOptions& options) {
    detail::check_shapes(q_in, k_in, v_in, options);
    using Matrix = typename AttentionResultT<Scalar>::Matrix;
    const Matrix q = q_in.cast<Scalar>();
    const Matrix k = k_in.cast<Scalar>();
    const Matrix v = v_in.cast<Scalar>();
    AttentionResultT<Scalar> result;
    result.scale = static_cast<Scalar>(attention_scale(options, static_cast<int>(k.cols())));
    const Eigen::Index n = q.rows(), count = k.rows();
    result.logits.resize(n, count);  // filled by the row-order-preserving sweeps of attention_rows.h
    result.weights.resize(n, count);
    result.output.resize(n, v.cols());
    detail::all_logits(q, k, result.scale, options, result.logits);
    result.fully_masked_rows = detail::all_softmax(result.logits, result.weights);
    detail::all_outputs(result.weights, v, result.output);
    return result;
}

}  // namespace

AttentionResult attention(const Eigen::MatrixXd& queries, const Eigen::MatrixXd& keys,
                          const Eigen::MatrixXd& values, const AttentionOptions& options) {
    return compute<double>(queries, keys, values, options);
}

AttentionResultF attention_f32(const Eigen::MatrixXd& queries, const Eigen::MatrixXd& keys,
                               const Eigen::MatrixXd& values, const AttentionOptions& options) {
    return compute<float>(queries, keys, values, options);
}

namespace {
template <typename M>
void require_same_shape(const M& a, const M& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) {
        std::ostringstream out;
        out << "max_abs_diff: shapes differ (" << a.rows() << "×" << a.cols() << " vs " << b.rows() << "×"
            << b.cols() << ")";
        throw InputError(out.str());
    }
}
}  // namespace

double max_abs_diff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    require_same_shape(a, b);
    return a.size() == 0 ? 0.0 : (a - b).cwiseAbs().maxCoeff();
}

float max_abs_diff(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
    require_same_shape(a, b);
    return a.size() == 0 ? 0.0f : (a - b).cwiseAbs().maxCoeff();
}

}  // namespace attn
