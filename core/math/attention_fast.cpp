#include "core/math/attention_fast.h"

#include "core/math/attention_rows.h"
#include "core/base/error.h"

#include <cmath>
#include <limits>

namespace attn {

namespace {

void check_fast_inputs(const Eigen::MatrixXf& q, const Eigen::MatrixXf& k, const Eigen::MatrixXf& v,
                       const AttentionOptions& options) {
    const auto shape = [](const Eigen::MatrixXf& m) { return std::to_string(m.rows()) + "×" + std::to_string(m.cols()); };
    if (q.size() == 0 || k.size() == 0 || v.size() == 0 || q.cols() != k.cols() || k.rows() != v.rows())
        throw InputError("attention: queries " + shape(q) + ", keys " + shape(k) + ", values " + shape(v) +
                         " do not fit (need n×d, N×d, N×dv, all non-empty)");
    if (options.mask.size() != 0 && (options.mask.rows() != q.rows() || options.mask.cols() != k.rows()))
        throw InputError("attention: mask is " + std::to_string(options.mask.rows()) + "×" +
                         std::to_string(options.mask.cols()) + ", expected " + std::to_string(q.rows()) + "×" +
                         std::to_string(k.rows()) + " (queries × keys)");
    if (!q.allFinite()) throw InputError("queries: an entry is not finite");
    if (!k.allFinite()) throw InputError("keys: an entry is not finite");
    if (!v.allFinite()) throw InputError("values: an entry is not finite");
}

// Huge finite inputs can overflow a dot product to ±inf (or inf - inf = NaN); like attention(),
// such a logit becomes ±max so the softmax stays finite.
template <typename Row>
void clamp_row(Row row) {
    const float limit = std::numeric_limits<float>::max();
    for (Eigen::Index j = 0; j < row.size(); ++j) {
        float& x = row(j);
        if (!(x <= limit)) x = limit;  // +inf and NaN
        if (!(x >= -limit)) x = -limit;
    }
}

bool has_hidden_keys(const AttentionOptions& options) { return options.causal || options.mask.size() != 0; }

}  // namespace

FastAttentionResult attention_f32_fast(const Eigen::MatrixXf& q, const Eigen::MatrixXf& k, const Eigen::MatrixXf& v,
                                       const AttentionOptions& options) {
    check_fast_inputs(q, k, v, options);
    FastAttentionResult result;
    result.scale = static_cast<float>(attention_scale(options, static_cast<int>(k.cols())));
    const Eigen::Index n = q.rows(), count = k.rows();
    result.logits.resize(n, count);
    result.logits.noalias() = q * k.transpose();
    result.weights.resize(n, count);
    const bool hiding = has_hidden_keys(options);
    const float minus_inf = -std::numeric_limits<float>::infinity();
    for (Eigen::Index i = 0; i < n; ++i) {
        auto logits = result.logits.row(i);
        auto weights = result.weights.row(i);
        logits *= result.scale;
        if (!logits.allFinite()) clamp_row(logits);
        if (hiding)
            for (Eigen::Index j = 0; j < count; ++j)
                if (!detail::visible(options, i, j)) logits(j) = minus_inf;
        const float row_max = logits.maxCoeff();
        if (row_max == minus_inf) {
            weights.setZero();
            result.fully_masked_rows.push_back(static_cast<int>(i));
            continue;
        }
        weights = (logits.array() - row_max).exp().matrix();
        if (hiding)  // exp(-inf) is 0 in IEEE arithmetic; say so explicitly for any exp
            for (Eigen::Index j = 0; j < count; ++j)
                if (logits(j) == minus_inf) weights(j) = 0;
        weights *= 1.0f / weights.sum();  // sum ≥ 1: the max term is exp(0)
    }
    result.output.resize(n, v.cols());
    result.output.noalias() = result.weights * v;
    return result;
}

}  // namespace attn
