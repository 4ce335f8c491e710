// attnlab core: analytic answers for "make attention output this".
//
// Goals (text form in parentheses, as the command line and exercise files write them)
//   select:i      (select:I)        one query whose output is value[i]
//   average:S     (average:I,J,...) one query whose output is the mean of value[S]
//   identity      (identity)        N queries; row i selects value[i]
// Key edits (the notebook's 1.4): with a fixed query q, replace key[r] only
//   join          so that key r's logit joins the winning group: minimal change, along q
//   dominate_unit with |key[r]| = 1, so that key r wins alone: key[r] = q/|q|
//
// Method: a query's direction comes from max_margin_direction() (geometry.h): equal logits over
// the goal's keys and the widest gap to every other key. Its length is the smallest that makes
// the exact (double) error at most SolveOptions::target_error; the answer is then rounded to
// float32, the precision the notebook checks in, and checked there by the caller.
//
// Calling rules
// - data must pass validate_dataset(); indices in goals must be in [0, N) (parse_goal checks).
// - A solve never throws for an impossible goal: it returns feasible = false and a reason that
//   says why with the actual numbers (a key inside the hull of the others, a set that is not a
//   face). It throws InputError only for malformed input.
// - Explanations are in the requested language and quote the numbers they derive.
#pragma once

#include "core/math/dataset.h"
#include "core/base/text.h"

#include <Eigen/Dense>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace attn {

struct Goal {
    enum class Kind { Select, Average, Identity };
    Kind kind = Kind::Select;
    std::vector<int> keys;  // Select: {i}; Average: S (sorted, distinct); Identity: empty
};

// Parses "select:2", "average:0,1", "identity"; key_count bounds the indices.
Goal parse_goal(const std::string& text, int key_count);
std::string goal_to_string(const Goal& goal);

// The output the goal asks for: 1×dv (select/average) or N×dv (identity).
Eigen::MatrixXd goal_target(const Goal& goal, const Eigen::MatrixXd& values);

struct SolveOptions {
    double scale = 1.0;            // logits = scale·q·k
    double target_error = 1e-7;    // wanted max abs error of the exact output
    double min_magnitude = 0.0;    // a lower bound on |q| (dependent exercises need headroom)
    Language language;  // English by default
    // Long solves (identity on many keys): `progress` is called after each finished row with
    // (rows done, rows in all), from the solving thread; once `cancel` reads true the solve stops
    // within one row and returns feasible = false, cancelled = true. Both optional.
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(int done, int total)> progress;
};

struct Solution {
    bool feasible = false;
    std::string reason;            // why not, when infeasible (in the requested language)
    Eigen::MatrixXd answer;        // the query (1×d, or N×d for identity) or the edited key matrix
    std::string explanation;       // the derivation with numbers
    Eigen::VectorXd direction;     // unit direction of the (first) query; empty for key edits
    double magnitude = 0;          // |q| chosen (largest row for identity)
    double margin = 0;             // smallest logit gap per unit |q|
    double predicted_error = 0;    // exact-arithmetic bound on the max abs error
    bool cancelled = false;        // stopped by SolveOptions::cancel; answer is empty then
};

Solution solve_query_goal(const Dataset& data, const Goal& goal, const SolveOptions& options);

// The smallest |q| along unit direction u such that, with these keys, the exact output misses the
// mean of value[group] by at most options.target_error. Infinity when some key outside the group
// is not strictly below it along u.
double required_magnitude(const Eigen::VectorXd& direction, const Eigen::MatrixXd& keys,
                          const Eigen::MatrixXd& values, const std::vector<int>& group, const SolveOptions& options);

enum class KeyEdit { Join, DominateUnit };

// Replace key[row] for the fixed query (1×d). Join: key[row]'s logit becomes the mean logit of
// `group` (the keys the query already averages). DominateUnit: key[row] = q/|q|.
Solution solve_key_edit(const Dataset& data, const Eigen::RowVectorXd& query, int row, KeyEdit edit,
                        const std::vector<int>& group, const SolveOptions& options);

// The keys after the edit for a unit direction u, independent of |q|: Join moves key[row] along u
// by u·(k_group0 - k_row); DominateUnit puts u there.
Eigen::MatrixXd edited_keys(const Eigen::MatrixXd& keys, const Eigen::VectorXd& direction, int row, KeyEdit edit,
                            const std::vector<int>& group);

// Temperature goals: with the fixed query (1×d) and logits q·k/T, the largest T (rounded down to
// two significant digits) that gives key `key` a softmax weight of at least min_weight
// (0 < min_weight < 1). The weight of the top key falls as T grows, so the answer is a bound:
// every smaller T works too. Infeasible, with the logits in the reason, when `key` does not have
// the largest logit alone. The answer is 1×1 (T); magnitude holds the exact bound T*.
Solution solve_temperature(const Dataset& data, const Eigen::RowVectorXd& query, int key, double min_weight,
                           const SolveOptions& options);
// Key `key`'s weight for the query at temperature T, in double.
double weight_at_temperature(const Dataset& data, const Eigen::RowVectorXd& query, int key, double temperature);

}  // namespace attn
