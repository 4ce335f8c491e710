#include "core/course/hints.h"

#include "core/math/attention.h"
#include "core/math/geometry.h"
#include "core/base/i18n.h"
#include "core/math/solver.h"

#include <algorithm>
#include <cmath>

namespace attn {

namespace {

std::string key_list(const std::vector<int>& keys) {
    std::string out;
    for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? "," : "") + std::to_string(keys[i]);
    return out;
}

std::string vec(const Eigen::VectorXd& v) { return format_vector(v.data(), static_cast<int>(v.size()), 3); }

// How many keys the task's (first) query row sees: all, or the causal prefix.
int visible_keys(const Course& course, const Task& task, const Dataset& data) {
    const int n = static_cast<int>(data.keys.rows());
    const AttentionOptions options = task_attention(course, task, 1, n);
    return options.mask.size() ? static_cast<int>(options.mask.row(0).count()) : n;
}

std::string mask_note(int visible, int n, Language l) {
    if (visible == n) return "";
    return format(tr(l, "The causal mask hides the keys after token %d from this query: only keys 0..%d compete. "),
                  visible - 1, visible - 1);
}

std::string scale_note(const Course& course, const Task& task, const Dataset& data, Language l) {
    const double scale = attention_scale(task_attention(course, task, 1, static_cast<int>(data.keys.rows())),
                                         static_cast<int>(data.keys.cols()));
    if (scale == 1.0) return "";
    return format(tr(l, " The logits are multiplied by %.4g here, so q must be %.4g times as long as with scale 1."),
                  scale, 1.0 / scale);
}

TaskHints query_hints(const Course& course, const Task& task, const Dataset& data, Language l) {
    TaskHints hints;
    const int n = static_cast<int>(data.keys.rows());
    const int visible = visible_keys(course, task, data);
    const std::string keys = key_list(task.target.keys);
    if (task.target.kind == Goal::Kind::Identity) {
        hints.must_hold = tr(l, "Row i of Q must select value[i]: in row i, key i's logit must beat every other key's logit "
                                "that row sees, by a wide margin.");
        const MarginDirection first = max_margin_direction(data.keys.topRows(visible_keys(course, task, data) == n ? n : 1), {0});
        hints.direction = format(tr(l, "Solve it row by row: row i points where k_i leads the others, for example row 0 along "
                                       "u = %s; then make every row long."),
                                 first.feasible ? vec(first.direction).c_str() : "?");
        hints.direction += scale_note(course, task, data, l);
        return hints;
    }
    const MarginDirection best = max_margin_direction(data.keys.topRows(visible), task.target.keys);
    const std::string note = mask_note(visible, n, l);
    if (task.target.kind == Goal::Kind::Select) {
        hints.must_hold = note + format(tr(l, "Key %s's logit q·k%s must be larger than every other key's logit, by a wide "
                                              "margin, so that softmax gives it almost all the weight."),
                                        keys.c_str(), keys.c_str());
        if (best.feasible)
            hints.direction = format(tr(l, "Point q along u = %s: along it k%s leads every other key by at least %.3f per "
                                           "unit length of q. Then make q long enough that the others' weight vanishes."),
                                     vec(best.direction).c_str(), keys.c_str(), best.margin);
    } else {
        hints.must_hold = note + format(tr(l, "The logits of keys {%s} must be equal (q·k_a = q·k_b for every pair), and every "
                                              "other key's logit must be clearly lower."),
                                        keys.c_str());
        if (best.feasible && best.all_keys)
            hints.direction = tr(l, "Every key the query sees is in the goal: a query that gives them all the same logit works.");
        else if (best.feasible)
            hints.direction = format(tr(l, "q must be orthogonal to the differences k_a − k_b within {%s}; among those "
                                           "directions u = %s leaves the other keys behind by %.3f per unit |q|. Then make q long."),
                                     keys.c_str(), vec(best.direction).c_str(), best.margin);
    }
    if (!hints.direction.empty()) hints.direction += scale_note(course, task, data, l);
    return hints;
}

TaskHints key_hints(const Course& course, const Task& task, const Dataset& data, const AnswerSet& current, Language l) {
    TaskHints hints;
    const Task* source = course.find(task.edit.query_from);
    const auto query = source ? current.find(source->answer) : current.end();
    const bool has_query = query != current.end() && query->second.data.rows() == 1 &&
                           query->second.data.cols() == data.keys.cols() && query->second.data.norm() > 0;
    const int r = task.edit.key_row;
    if (task.edit.unit_norm) {
        hints.must_hold = format(tr(l, "Key %d must win alone: q·k%d must beat every other key's logit for the query of task "
                                       "%s, yet |k%d| = 1, so its logit can be at most |q|."),
                                 r, r, task.edit.query_from.c_str(), r);
        hints.direction = format(tr(l, "Among unit vectors, the one along q has the largest logit: point k%d the same way as "
                                       "the query of task %s."),
                                 r, task.edit.query_from.c_str());
        return hints;
    }
    const std::string group = key_list(task.edit.join_group);
    if (!has_query) {
        hints.must_hold = format(tr(l, "With the query of task %s fixed, key %d's logit must equal the logit keys {%s} share, "
                                       "while the other keys stay lower."),
                                 task.edit.query_from.c_str(), r, group.c_str());
        hints.direction = format(tr(l, "Answer task %s first: this task uses its query."),
                                 task.edit.query_from.c_str());
        return hints;
    }
    const Eigen::RowVectorXd q = query->second.data.row(0);
    double shared = 0;
    for (int a : task.edit.join_group) shared += q.dot(data.keys.row(a));
    shared /= static_cast<double>(task.edit.join_group.size());
    const double now = q.dot(data.keys.row(r));
    hints.must_hold = format(tr(l, "With the query of task %s fixed, key %d's logit q·k%d (now %.4f) must equal the logit keys "
                                   "{%s} share (%.4f), while the other keys stay lower."),
                             task.edit.query_from.c_str(), r, r, now, group.c_str(), shared);
    hints.direction = format(tr(l, "Only the part of k%d along q changes its logit: move k%d along q/|q| until its logit rises "
                                   "or falls by %.4f."),
                             r, r, shared - now);
    return hints;
}

TaskHints temperature_hints(const Task& task, const Dataset& data, Language l) {
    TaskHints hints;
    const int key = task.target.keys.front();
    const Eigen::RowVectorXd q = data.keys.row(task.edit.query_key);
    const Eigen::VectorXd logits = data.keys * q.transpose();
    double next = -std::numeric_limits<double>::infinity();
    for (Eigen::Index j = 0; j < logits.size(); ++j)
        if (j != key) next = std::max(next, logits(j));
    hints.must_hold = format(tr(l, "With q = k%d, key %d's weight 1/Σ_j exp((l_j − l_%d)/T) must reach %.3g. Its logit is "
                                   "%.4f; the largest other logit is %.4f."),
                             task.edit.query_key, key, key, task.min_weight, logits(key), next);
    hints.direction = format(tr(l, "The weight of the largest logit rises as T falls. At T = 1 key %d's weight is %.4f: "
                                   "lower T until it reaches %.3g."),
                             key, weight_at_temperature(data, q, key, 1.0), task.min_weight);
    return hints;
}

}  // namespace

TaskHints task_hints(const Course& course, const Task& task, const Dataset& data, const AnswerSet& current, Language language) {
    if (task.discussion) return {};
    TaskHints hints;
    if (task.edit.tensor == TaskEdit::Tensor::Temperature) hints = temperature_hints(task, data, language);
    else if (task.edit.tensor == TaskEdit::Tensor::KeyRow) hints = key_hints(course, task, data, current, language);
    else hints = query_hints(course, task, data, language);
    if (hints.direction.empty() || task.edit.tensor != TaskEdit::Tensor::KeyRow) {
        // An impossible goal: the second hint says why, with the solver's reason.
        SolveOptions options;
        options.language = language;
        const TaskSolution solved = solve_task(course, task, data, current, course.tolerance, options);
        if (!solved.solution.feasible && task.edit.tensor != TaskEdit::Tensor::KeyRow)
            hints.direction = format(tr(language, "This goal is impossible: %s"), solved.solution.reason.c_str());
    }
    return hints;
}

}  // namespace attn
