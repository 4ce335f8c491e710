#include "core/math/attention_cache.h"

#include "core/math/attention_rows.h"
#include "core/base/error.h"

#include <vector>

namespace attn {

namespace {

bool same_options(const AttentionOptions& a, const AttentionOptions& b) {
    if (a.scale_mode != b.scale_mode || a.causal != b.causal) return false;
    if (a.scale_mode == ScaleMode::Temperature && a.temperature != b.temperature) return false;
    if (a.mask.rows() != b.mask.rows() || a.mask.cols() != b.mask.cols()) return false;
    return a.mask.size() == 0 || (a.mask == b.mask).all();
}

bool same_shape(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return a.rows() == b.rows() && a.cols() == b.cols(); }

// Rows of `now` that differ from `before` (same shape), up to `limit` + 1 of them.
// Scans in storage order (column-major): a row at a time would stride through memory.
std::vector<Eigen::Index> changed_rows(const Eigen::MatrixXd& before, const Eigen::MatrixXd& now, std::size_t limit) {
    std::vector<Eigen::Index> rows;
    if (now == before) return rows;
    std::vector<char> changed(static_cast<std::size_t>(now.rows()), 0);
    for (Eigen::Index c = 0; c < now.cols(); ++c)
        for (Eigen::Index r = 0; r < now.rows(); ++r)
            if (now(r, c) != before(r, c)) changed[static_cast<std::size_t>(r)] = 1;
    for (Eigen::Index r = 0; r < now.rows() && rows.size() <= limit; ++r)
        if (changed[static_cast<std::size_t>(r)]) rows.push_back(r);
    return rows;
}

void require_ready(bool valid, bool lent) {
    if (!valid || lent) throw InputError("AttentionCache: a row update needs a computed result held by the cache");
}

void require_row(const Eigen::MatrixXd& stored, Eigen::Index row, const Eigen::RowVectorXd& given, const char* what) {
    if (row < 0 || row >= stored.rows() || given.size() != stored.cols())
        throw InputError(std::string("AttentionCache: ") + what + " row " + std::to_string(row) + " of width " +
                         std::to_string(given.size()) + " does not fit " + shape_string(stored));
    require_finite(given, what);
}

}  // namespace

void AttentionCache::full(const Eigen::MatrixXd& queries, const Eigen::MatrixXd& keys, const Eigen::MatrixXd& values,
                          const AttentionOptions& options) {
    valid_ = false;
    lent_ = false;
    change_ = Change{true, {}};
    result_ = attention(queries, keys, values, options);  // throws for bad input, cache left empty
    queries_ = queries;
    keys_ = keys;
    values_ = values;
    options_ = options;
    valid_ = true;
    ++stats_.full;
}

const AttentionResult& AttentionCache::update(const Eigen::MatrixXd& queries, const Eigen::MatrixXd& keys,
                                              const Eigen::MatrixXd& values, const AttentionOptions& options) {
    if (!valid_ || lent_ || !same_shape(queries, queries_) || !same_shape(keys, keys_) || !same_shape(values, values_) ||
        !same_options(options, options_)) {
        full(queries, keys, values, options);
        return result_;
    }
    // A few changed rows are cheaper one by one; beyond that the full pass is as fast.
    constexpr std::size_t kFewRows = 4;
    const auto q_rows = changed_rows(queries_, queries, kFewRows);
    const auto k_rows = changed_rows(keys_, keys, kFewRows);
    const auto v_rows = changed_rows(values_, values, kFewRows);
    if (q_rows.size() > kFewRows || k_rows.size() > kFewRows || v_rows.size() > kFewRows) {
        full(queries, keys, values, options);
        return result_;
    }
    change_ = Change{};
    if (q_rows.empty() && k_rows.empty() && v_rows.empty()) {
        ++stats_.unchanged;
        return result_;
    }
    Change change;
    try {
        for (Eigen::Index j : k_rows) {
            update_key_row(j, keys.row(j));
            change.all_rows = true;
        }
        for (Eigen::Index i : q_rows) {
            update_query_row(i, queries.row(i));
            change.rows.push_back(i);
        }
        for (Eigen::Index j : v_rows) update_value_row(j, values.row(j));
    } catch (...) {
        valid_ = false;
        change_ = Change{true, {}};
        throw;
    }
    if (change.all_rows) change.rows.clear();
    change_ = std::move(change);
    return result_;
}

AttentionResult AttentionCache::take_result() {
    require_ready(valid_, lent_);
    lent_ = true;
    return std::move(result_);
}

void AttentionCache::give_back(AttentionResult&& result) {
    if (!lent_) return;
    result_ = std::move(result);
    lent_ = false;
}

void AttentionCache::update_query_row(Eigen::Index i, const Eigen::RowVectorXd& query) {
    require_ready(valid_, lent_);
    require_row(queries_, i, query, "queries");
    queries_.row(i) = query;
    change_ = Change{false, {i}};
    std::vector<double> dot;
    detail::logits_row(queries_, keys_, result_.scale, options_, i, dot, result_.logits);
    detail::softmax_row(result_.logits, result_.weights, i);  // fully masked rows stay so: the mask is unchanged
    detail::output_row(result_.weights, values_, result_.output, i);
    ++stats_.query_rows;
}

void AttentionCache::update_key_row(Eigen::Index j, const Eigen::RowVectorXd& key) {
    require_ready(valid_, lent_);
    require_row(keys_, j, key, "keys");
    keys_.row(j) = key;
    change_ = Change{true, {}};
    refresh_rows_seeing_key(j);
    ++stats_.key_rows;
}

void AttentionCache::update_value_row(Eigen::Index j, const Eigen::RowVectorXd& value) {
    require_ready(valid_, lent_);
    require_row(values_, j, value, "values");
    values_.row(j) = value;
    change_ = Change{};
    refresh_output();
    ++stats_.value_rows;
}

// Column j of the logits changes; every softmax row that sees key j changes with it, which is
// nearly all of them, so the softmax and output sweeps run over all rows (unchanged rows come
// out bit for bit the same).
void AttentionCache::refresh_rows_seeing_key(Eigen::Index j) {
    std::vector<double> dot;
    detail::logits_column(queries_, keys_, result_.scale, options_, j, dot, result_.logits);
    result_.fully_masked_rows = detail::all_softmax(result_.logits, result_.weights);
    detail::all_outputs(result_.weights, values_, result_.output);
}

void AttentionCache::refresh_output() { detail::all_outputs(result_.weights, values_, result_.output); }

}  // namespace attn
