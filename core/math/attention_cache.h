// attnlab core: attention that recomputes only what an edit changed.
//
// A slider moves one component of one query or key per frame. AttentionCache keeps the inputs
// and the result of the last computation and, given new inputs, redoes only:
//   a changed query row i   → logits row i, softmax row i, output row i      O(N·(d + dv))
//   a changed key row j     → logits column j, then every softmax row and output row that
//                             sees key j (all rows, or rows i ≥ j when causal)  O(n·N·dv)
//   a changed value row     → the output                                     O(n·N·dv)
//   nothing changed         → nothing (returns the stored result)
// Anything else (shapes, scale, mask, causal, more than a few rows at once) is a full recompute.
//
// Calling rules
// - update() takes the same arguments and follows the same rules as attention() (attention.h),
//   throws the same InputError for bad input (leaving the cache empty), and returns a result
//   equal bit for bit to attention(q, k, v, options): both use the row steps in attention_rows.h.
// - update_query_row / update_key_row / update_value_row change one row of the stored inputs and
//   recompute what depends on it; call them only after a successful update(). The row must be
//   finite and of the stored width (InputError otherwise).
// - stats() counts the work done, so tests and benchmarks can see that nothing was recomputed.
// - last_change() says which rows of the logits and weights the last update() (or row update)
//   may have changed, so a view can redraw only those rows (the heatmap's texture).
// - take_result() moves the result out (no copy of n×N matrices; the app keeps it in its
//   workspace); hand the same storage back with give_back() before the next update(), which
//   otherwise recomputes in full.
#pragma once

#include "core/math/attention.h"

#include <vector>

namespace attn {

class AttentionCache {
public:
    struct Stats {
        long long full = 0;         // full recomputes
        long long query_rows = 0;   // query rows recomputed incrementally
        long long key_rows = 0;     // key rows (columns of the logits) recomputed incrementally
        long long value_rows = 0;   // value edits (output recomputed)
        long long unchanged = 0;    // update() calls that found nothing to do
    };

    // Rows of the logits and weights that may differ from the result before the last call.
    struct Change {
        bool all_rows = false;             // a full recompute or a key edit: any row may differ
        std::vector<Eigen::Index> rows;    // otherwise these rows (empty: logits and weights unchanged)
        bool any() const { return all_rows || !rows.empty(); }
    };

    const AttentionResult& update(const Eigen::MatrixXd& queries, const Eigen::MatrixXd& keys,
                                  const Eigen::MatrixXd& values, const AttentionOptions& options = {});
    void update_query_row(Eigen::Index i, const Eigen::RowVectorXd& query);
    void update_key_row(Eigen::Index j, const Eigen::RowVectorXd& key);
    void update_value_row(Eigen::Index j, const Eigen::RowVectorXd& value);

    bool valid() const { return valid_; }
    const AttentionResult& result() const { return result_; }
    const Stats& stats() const { return stats_; }
    const Change& last_change() const { return change_; }
    void clear() { valid_ = false; }
    AttentionResult take_result();
    void give_back(AttentionResult&& result);

private:
    void full(const Eigen::MatrixXd& queries, const Eigen::MatrixXd& keys, const Eigen::MatrixXd& values,
              const AttentionOptions& options);
    void refresh_rows_seeing_key(Eigen::Index j);
    void refresh_output();

    bool valid_ = false;
    bool lent_ = false;  // result_ is out with the caller (take_result)
    Eigen::MatrixXd queries_, keys_, values_;
    AttentionOptions options_;
    AttentionResult result_;
    Stats stats_;
    Change change_;
};

}  // namespace attn
