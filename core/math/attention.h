// attnlab core: scaled-dot-product attention, as the course notebook computes it.
//
//   logits  = scale · Q Kᵀ          (n×N)   masked entries excluded from the softmax
//   weights = softmax(logits, row)  (n×N)   row max subtracted first, so ±1e30 stays finite
//   output  = weights · V           (n×dv)
//
// Calling rules
// - Q is n×d (a single query is a 1×d matrix), K is N×d, V is N×dv; n, N, d, dv ≥ 1. dv need
//   not equal d. A mismatch throws InputError naming both shapes.
// - Every input entry must be finite (InputError otherwise); finite input never yields NaN.
// - scale: ScaleMode::One (the notebook's `scale=1`, the default), ScaleMode::InvSqrtD (1/√d,
//   the transformer convention) or ScaleMode::Temperature (1/T, T > 0 and finite).
// - mask: optional n×N boolean, true = this query may attend to this key; `causal` additionally
//   hides key j from query i when j > i. A row with every key hidden gets all-zero weights and a
//   zero output, and its index is listed in fully_masked_rows: never NaN, never a silent uniform.
// - attention() computes in double. attention_f32() rounds the inputs to float32 and computes in
//   float32 with PyTorch's order of operations, so its numbers are the ones the notebook prints.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace attn {

enum class ScaleMode { One, InvSqrtD, Temperature };

struct AttentionOptions {
    ScaleMode scale_mode = ScaleMode::One;
    double temperature = 1.0;  // read only when scale_mode == Temperature
    bool causal = false;
    Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> mask;  // empty = every key visible
};

template <typename Scalar>
struct AttentionResultT {
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    Scalar scale = 1;
    Matrix logits;   // n×N, scale·q_i·k_j; hidden entries hold -infinity
    Matrix weights;  // n×N, each row sums to 1 (or is all zero when fully masked)
    Matrix output;   // n×dv
    std::vector<int> fully_masked_rows;
};
using AttentionResult = AttentionResultT<double>;
using AttentionResultF = AttentionResultT<float>;

// The factor logits are multiplied by, for d key components. Throws on a bad temperature.
double attention_scale(const AttentionOptions& options, int d);

AttentionResult attention(const Eigen::MatrixXd& queries, const Eigen::MatrixXd& keys,
                          const Eigen::MatrixXd& values, const AttentionOptions& options = {});

AttentionResultF attention_f32(const Eigen::MatrixXd& queries, const Eigen::MatrixXd& keys,
                               const Eigen::MatrixXd& values, const AttentionOptions& options = {});

// max |a - b| over all entries, as the notebook's check_query prints it: (target - out).abs().max().
// Shapes must agree (InputError otherwise). The float overload works in float32 like the notebook.
double max_abs_diff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);
float max_abs_diff(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b);

// "n×d" for messages.
std::string shape_string(const Eigen::MatrixXd& m);

// Throws InputError("<what>: entry (r, c) is not finite") for the first NaN/Inf.
void require_finite(const Eigen::MatrixXd& m, const std::string& what);

// Throws InputError("<what>[r][c]: 1e+160 is outside ±1e6 (the limit)"), or "<what>[c]" for a
// vector, for the first entry with |x| > limit (NaN counts as outside).
void require_magnitude(const Eigen::MatrixXd& m, const std::string& what, bool vector, double limit);

}  // namespace attn
