#include "core/math/solver.h"

#include "core/math/attention.h"
#include "core/base/error.h"
#include "core/math/geometry.h"
#include "core/base/i18n.h"
#include "core/base/limits.h"
#include "core/math/torch_random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

namespace attn {

namespace {

std::string vec(const Eigen::VectorXd& v, int decimals = 3) { return format_vector(v.data(), static_cast<int>(v.size()), decimals); }

std::string key_list(const std::vector<int>& keys) {
    std::string out;
    for (size_t i = 0; i < keys.size(); ++i) out += (i ? "," : "") + std::to_string(keys[i]);
    return out;
}

Eigen::RowVectorXd mean_of_rows(const Eigen::MatrixXd& m, const std::vector<int>& rows) {
    Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(m.cols());
    for (int r : rows) sum += m.row(r);
    return sum / static_cast<double>(rows.size());
}

Eigen::MatrixXd round_to_float32(const Eigen::MatrixXd& m) { return m.cast<float>().cast<double>(); }

// Exact-arithmetic error of the output when the group ties and key j trails it by gap_j·|q|:
// out - target = Σ_j e_j (v_j - target) / (|S| + Σ_j e_j), e_j = exp(-scale·|q|·gap_j).
double predicted_error(double magnitude, const std::vector<double>& gaps, const std::vector<Eigen::RowVectorXd>& offsets,
                       double group_size, double scale) {
    if (offsets.empty()) return 0;
    Eigen::RowVectorXd numerator = Eigen::RowVectorXd::Zero(offsets.front().size());
    double denominator = group_size;
    for (size_t j = 0; j < gaps.size(); ++j) {
        const double e = std::exp(-scale * magnitude * gaps[j]);
        numerator += e * offsets[j];
        denominator += e;
    }
    return numerator.cwiseAbs().maxCoeff() / denominator;
}

struct GapProfile {
    bool separable = true;
    std::vector<double> gaps;                    // per key outside the group, along u
    std::vector<Eigen::RowVectorXd> offsets;     // value_j - target
    double smallest_gap = std::numeric_limits<double>::infinity();
};

GapProfile gap_profile(const Eigen::VectorXd& u, const Eigen::MatrixXd& keys, const Eigen::MatrixXd& values,
                       const std::vector<int>& group) {
    GapProfile profile;
    const Eigen::RowVectorXd target = mean_of_rows(values, group);
    std::vector<bool> in_group(keys.rows(), false);
    double top = 0;
    for (int a : group) {
        in_group[a] = true;
        top += keys.row(a).dot(u);
    }
    top /= static_cast<double>(group.size());
    for (Eigen::Index j = 0; j < keys.rows(); ++j) {
        if (in_group[j]) continue;
        const double gap = top - keys.row(j).dot(u);
        const Eigen::RowVectorXd offset = values.row(j) - target;
        if (offset.cwiseAbs().maxCoeff() == 0) continue;  // a key with the target's own value cannot hurt
        if (gap <= 0) profile.separable = false;
        profile.gaps.push_back(gap);
        profile.offsets.push_back(offset);
        profile.smallest_gap = std::min(profile.smallest_gap, gap);
    }
    return profile;
}

}  // namespace

Goal parse_goal(const std::string& text, int key_count) {
    Goal goal;
    if (text == "identity") {
        goal.kind = Goal::Kind::Identity;
        return goal;
    }
    const auto colon = text.find(':');
    const std::string kind = text.substr(0, colon);
    if (colon == std::string::npos || (kind != "select" && kind != "average"))
        throw InputError("unknown goal " + in_quotes(text) + " (expected select:I, average:I,J,... or identity)");
    goal.kind = kind == "select" ? Goal::Kind::Select : Goal::Kind::Average;
    std::set<int> seen;
    const std::string shown = "goal " + in_quotes(text);
    for (const int index : parse_int_list(text.substr(colon + 1), shown, "a key index")) {
        if (index >= key_count)
            throw InputError(shown + ": key " + std::to_string(index) + " does not exist (there are " +
                             std::to_string(key_count) + " keys, 0.." + std::to_string(key_count - 1) + ")");
        if (!seen.insert(index).second)
            throw InputError(shown + ": key " + std::to_string(index) + " is listed twice");
    }
    goal.keys.assign(seen.begin(), seen.end());
    if (goal.kind == Goal::Kind::Select && goal.keys.size() != 1)
        throw InputError(shown + ": select takes exactly one key");
    return goal;
}

std::string goal_to_string(const Goal& goal) {
    switch (goal.kind) {
        case Goal::Kind::Identity: return "identity";
        case Goal::Kind::Select: return "select:" + key_list(goal.keys);
        case Goal::Kind::Average: return "average:" + key_list(goal.keys);
    }
    return "";
}

Eigen::MatrixXd goal_target(const Goal& goal, const Eigen::MatrixXd& values) {
    if (goal.kind == Goal::Kind::Identity) return values;
    return mean_of_rows(values, goal.keys);
}

double required_magnitude(const Eigen::VectorXd& direction, const Eigen::MatrixXd& keys, const Eigen::MatrixXd& values,
                          const std::vector<int>& group, const SolveOptions& options) {
    const GapProfile profile = gap_profile(direction, keys, values, group);
    if (!profile.separable) return std::numeric_limits<double>::infinity();
    const double size = static_cast<double>(group.size());
    const auto error_at = [&](double m) { return predicted_error(m, profile.gaps, profile.offsets, size, options.scale); };
    if (error_at(0) <= options.target_error) return 0;
    double high = 1;
    while (error_at(high) > options.target_error) {
        high *= 2;
        if (high > 1e12) return std::numeric_limits<double>::infinity();
    }
    double low = 0;
    for (int i = 0; i < 100 && high - low > 1e-9 * high; ++i) {
        const double mid = 0.5 * (low + high);
        (error_at(mid) > options.target_error ? low : high) = mid;
    }
    return high;
}

namespace {

Solution cancelled_solution(Language lang) {
    Solution solution;
    solution.cancelled = true;
    solution.reason = tr(lang, "The solve was cancelled.");
    return solution;
}

// The identity: query row i selects value[i], one select solve per row.
Solution solve_identity(const Dataset& data, const SolveOptions& options) {
    const Language lang = options.language;
    Solution solution;
    const int count = static_cast<int>(data.keys.rows());
    solution.answer.resize(count, data.keys.cols());
    std::string lines;
    SolveOptions row_options = options;
    row_options.progress = nullptr;
    for (int i = 0; i < count; ++i) {
        if (options.cancel && options.cancel->load()) return cancelled_solution(lang);
        Goal row_goal{Goal::Kind::Select, {i}};
        const Solution row = solve_query_goal(data, row_goal, row_options);
        if (!row.feasible) {
            solution.reason = format(tr(lang, "Row %d of the identity cannot be done: %s"), i,
                                     row.reason.c_str());
            return solution;
        }
        solution.answer.row(i) = row.answer.row(0);
        solution.magnitude = std::max(solution.magnitude, row.magnitude);
        solution.predicted_error = std::max(solution.predicted_error, row.predicted_error);
        solution.margin = i == 0 ? row.margin : std::min(solution.margin, row.margin);
        if (i == 0) solution.direction = row.direction;
        lines += format(tr(lang, "  row %d selects value[%d]: u = %s, margin %.3f, |q| = %.2f\n"),
                        i, i, vec(row.direction).c_str(), row.margin, row.magnitude);
        if (options.progress) options.progress(i + 1, count);
    }
    solution.feasible = true;
    solution.explanation =
        tr(lang, "The identity needs query row i to select value[i], each on its own: one select solve per row.\n") +
        lines;
    return solution;
}

// Why no query reaches the goal when its keys are not a face of the hull (the blocking mix).
std::string hull_reason(const MarginDirection& best, const Goal& goal, Language lang) {
    const std::string keys_text = key_list(goal.keys);
    std::string mix;
    for (size_t i = 0; i < best.blocking_keys.size(); ++i)
        mix += format("%s%.3f·k%d", i ? " + " : "", best.blocking_weights[i], best.blocking_keys[i]);
    if (goal.kind == Goal::Kind::Select)
        return format(tr(lang,
                         "key[%s] lies inside the convex hull of the other keys: k%s = %s. For every query q, "
                         "q·k%s is a weighted mean of those keys' logits, so one of them always scores at least "
                         "as high and no query can select value[%s]."),
                      keys_text.c_str(), keys_text.c_str(), mix.c_str(), keys_text.c_str(), keys_text.c_str());
    return format(tr(lang,
                     "keys {%s} are not exactly the keys of one face of the convex hull: the mix %s lies on "
                     "their face, so whenever q gives keys {%s} equal logits it gives that mix the same logit, "
                     "and one of its keys scores at least as high. No query averages value[%s] alone."),
                  keys_text.c_str(), mix.c_str(), keys_text.c_str(), keys_text.c_str());
}

// The three steps of a select or average solve, in words: direction, length, the query.
std::string explain_direction_and_length(const Dataset& data, const Goal& goal, const MarginDirection& best,
                                         double needed, const Solution& solution, const SolveOptions& options) {
    const Language lang = options.language;
    const std::string keys_text = key_list(goal.keys);
    std::string gaps;
    for (Eigen::Index j = 0; j < data.keys.rows(); ++j)
        if (std::find(goal.keys.begin(), goal.keys.end(), j) == goal.keys.end())
            gaps += format("%sk%d %.3f", gaps.empty() ? "" : ", ", static_cast<int>(j), best.margins[j]);
    const bool select = goal.kind == Goal::Kind::Select;
    std::string text;
    text += format(tr(lang, "Logit of key j is %g·q·k_j. "), options.scale);
    text += select ? format(tr(lang, "To select value[%s], key %s must beat every other key by a wide margin.\n"),
                            keys_text.c_str(), keys_text.c_str())
                   : format(tr(lang,
                               "To average value[%s], keys {%s} need equal logits (q orthogonal to their differences) "
                               "and every other key must trail them by a wide margin.\n"),
                            keys_text.c_str(), keys_text.c_str());
    text += format(tr(lang,
                      "1. Direction: the unit u with the widest smallest gap is u = %s (minimum-norm point of the "
                      "gaps k_S − k_j). Gaps per unit |q|: %s; smallest γ = %.4f.\n"),
                   vec(best.direction).c_str(), gaps.c_str(), best.margin);
    if (options.min_magnitude > needed)
        text += format(tr(lang, "2. Length: the weight left on the other keys falls like exp(−%g·|q|·γ_j); for an error ≤ "
                                "%.0e |q| must be at least %.2f; %.2f is used so that the 1.4 tasks built on this query "
                                "work too.\n"),
                       options.scale, options.target_error, needed, solution.magnitude);
    else
        text += format(tr(lang, "2. Length: the weight left on the other keys falls like exp(−%g·|q|·γ_j); for an error ≤ "
                                "%.0e |q| must be at least %.2f.\n"),
                       options.scale, options.target_error, needed);
    text += format(tr(lang, "3. q = %.2f·u = %s (rounded to float32)."),
                   solution.magnitude, vec(solution.answer.row(0).transpose(), 4).c_str());
    return text;
}

}  // namespace

Solution solve_query_goal(const Dataset& data, const Goal& goal, const SolveOptions& options) {
    const Language lang = options.language;
    if (goal.kind == Goal::Kind::Identity) return solve_identity(data, options);
    Solution solution;
    const int d = static_cast<int>(data.keys.cols());
    const MarginDirection best = max_margin_direction(data.keys, goal.keys);
    if (!best.feasible) {
        solution.reason = hull_reason(best, goal, lang);
        return solution;
    }
    solution.feasible = true;
    if (best.all_keys) {
        solution.answer = Eigen::MatrixXd::Zero(1, d);
        solution.direction = Eigen::VectorXd::Zero(d);
        solution.explanation = tr(lang,
                                  "The goal averages every value. With q = 0 every logit is 0, so softmax gives each of the "
                                  "N keys weight exactly 1/N and the output is the plain mean: q = 0.");
        return solution;
    }
    const double needed = required_magnitude(best.direction, data.keys, data.values, goal.keys, options);
    // Entries beyond kMaxMagnitude could not be typed, saved or drawn: the goal is out of reach.
    const double largest = std::max(needed, options.min_magnitude) * best.direction.cwiseAbs().maxCoeff();
    if (!std::isfinite(needed) || largest > kMaxMagnitude) {
        solution.feasible = false;
        // needed is infinite past 1e12 (required_magnitude gives up there).
        const double at_least = std::isfinite(needed) ? needed : 1e12;
        solution.reason = format(tr(lang,
                                    "no finite query within ±%g per component (the limit) reaches an error of %.0e: with "
                                    "logits %g·q·k and a margin of γ = %.3g per unit |q|, |q| would have to exceed %.3g"),
                                 kMaxMagnitude, options.target_error, options.scale, best.margin, at_least);
        return solution;
    }
    solution.direction = best.direction;
    solution.margin = best.margin;
    solution.magnitude = std::max(needed, options.min_magnitude);
    solution.answer = round_to_float32((solution.magnitude * best.direction).transpose());
    const GapProfile profile = gap_profile(best.direction, data.keys, data.values, goal.keys);
    solution.predicted_error =
        predicted_error(solution.magnitude, profile.gaps, profile.offsets, static_cast<double>(goal.keys.size()), options.scale);
    solution.explanation = explain_direction_and_length(data, goal, best, needed, solution, options);
    return solution;
}

Eigen::MatrixXd edited_keys(const Eigen::MatrixXd& keys, const Eigen::VectorXd& direction, int row, KeyEdit edit,
                            const std::vector<int>& group) {
    Eigen::MatrixXd result = keys;
    if (edit == KeyEdit::DominateUnit) {
        result.row(row) = direction.transpose();
        return result;
    }
    double target = 0;
    for (int a : group) target += keys.row(a).dot(direction);
    target /= static_cast<double>(group.size());
    result.row(row) += (target - keys.row(row).dot(direction)) * direction.transpose();
    return result;
}

Solution solve_key_edit(const Dataset& data, const Eigen::RowVectorXd& query, int row, KeyEdit edit,
                        const std::vector<int>& group, const SolveOptions& options) {
    const Language lang = options.language;
    Solution solution;
    const double length = query.norm();
    if (length == 0 || !std::isfinite(length)) {
        solution.reason = tr(lang,
                             "the query is zero: every key gets the same logit whatever key is changed, so the output "
                             "stays the mean of all values. Solve the query task first.");
        return solution;
    }
    const Eigen::VectorXd u = query.transpose() / length;
    const Eigen::MatrixXd keys = edited_keys(data.keys, u, row, edit, group);
    solution.answer = round_to_float32(keys);
    if (edit == KeyEdit::DominateUnit) {
        // Renormalise after rounding, as the notebook does (m_key[2] /= m_key[2].norm()).
        const Eigen::RowVectorXf k = keys.row(row).cast<float>();
        solution.answer.row(row) = (k / torch_vector_norm(k.data(), static_cast<int>(k.size()))).cast<double>();
    }
    std::vector<int> wanted = group;
    if (edit == KeyEdit::Join) wanted.push_back(row);
    else wanted = {row};
    std::sort(wanted.begin(), wanted.end());
    const GapProfile profile = gap_profile(u, solution.answer, data.values, wanted);
    solution.magnitude = length;
    solution.margin = profile.smallest_gap;
    solution.predicted_error = profile.separable ? predicted_error(length, profile.gaps, profile.offsets,
                                                                   static_cast<double>(wanted.size()), options.scale)
                                                 : std::numeric_limits<double>::infinity();
    const double needed = required_magnitude(u, solution.answer, data.values, wanted, options);
    const std::string group_text = key_list(group);
    std::string text;
    if (edit == KeyEdit::Join) {
        const double shift = solution.answer.row(row).dot(u.transpose()) - data.keys.row(row).dot(u.transpose());
        text = format(tr(lang,
                         "Key %d must get the logit that keys {%s} share, so the softmax splits the weight evenly over "
                         "{%s,%d}. Only the part of k%d along q matters: the smallest change is k%d + δ·q/|q| with "
                         "δ = (q·k_S − q·k%d)/|q| = %.4f, giving k%d = %s. The other keys trail by γ = %.4f per unit |q|; "
                         "with |q| = %.2f the exact error is %.1e."),
                      row, group_text.c_str(), group_text.c_str(), row, row, row, row, shift, row,
                      vec(solution.answer.row(row).transpose(), 4).c_str(), solution.margin, length, solution.predicted_error);
    } else {
        text = format(tr(lang,
                         "Under |k%d| = 1 the largest logit key %d can get is q·k%d = |q| = %.2f, reached by k%d = q/|q| = %s. "
                         "The next best key trails by γ = %.4f per unit |q|, so the other keys keep weight about "
                         "exp(−|q|·γ): exact error %.1e."),
                      row, row, row, length, row, vec(solution.answer.row(row).transpose(), 4).c_str(), solution.margin,
                      solution.predicted_error);
    }
    if (!profile.separable) {
        solution.reason = format(tr(lang,
                                    "with this query some other key always scores at least as high as key %d; change the query "
                                    "(task 1.3.2) first."),
                                 row);
        solution.explanation = text;
        return solution;
    }
    if (needed > length)
        text += format(tr(lang,
                          " This |q| is too short for an error ≤ %.0e: scale the 1.3.2 query to |q| ≥ %.2f (same direction) "
                          "and solve again."),
                      options.target_error, needed);
    solution.feasible = true;
    solution.explanation = text;
    return solution;
}

double weight_at_temperature(const Dataset& data, const Eigen::RowVectorXd& query, int key, double temperature) {
    const Eigen::VectorXd logits = data.keys * query.transpose();
    double sum = 0;
    for (Eigen::Index j = 0; j < logits.size(); ++j) sum += std::exp((logits(j) - logits(key)) / temperature);
    return 1.0 / sum;
}

Solution solve_temperature(const Dataset& data, const Eigen::RowVectorXd& query, int key, double min_weight,
                           const SolveOptions& options) {
    const Language lang = options.language;
    Solution solution;
    const Eigen::VectorXd logits = data.keys * query.transpose();
    Eigen::Index rival = -1;
    for (Eigen::Index j = 0; j < logits.size(); ++j)
        if (j != key && (rival < 0 || logits(j) > logits(rival))) rival = j;
    if (rival >= 0 && logits(rival) >= logits(key)) {
        solution.reason = format(tr(lang,
                                    "key %d's logit q·k%d = %.4f is not the largest: key %d has %.4f. Lowering T gives the "
                                    "largest logit all the weight, so key %d's weight never reaches %.3g."),
                                 key, key, logits(key), static_cast<int>(rival), logits(rival), key, min_weight);
        return solution;
    }
    const double count = static_cast<double>(logits.size());
    double exact = kMaxTemperature;
    if (rival >= 0 && weight_at_temperature(data, query, key, kMaxTemperature) < min_weight) {
        // weight(T) falls as T grows: bisect on log T between kMinTemperature and kMaxTemperature.
        double low = std::log(kMinTemperature), high = std::log(kMaxTemperature);
        if (weight_at_temperature(data, query, key, kMinTemperature) < min_weight) {
            solution.reason = format(tr(lang, "even at T = %g key %d's weight stays below %.3g: its logit leads by too little"),
                                     kMinTemperature, key, min_weight);
            return solution;
        }
        for (int i = 0; i < 200; ++i) {
            const double mid = 0.5 * (low + high);
            (weight_at_temperature(data, query, key, std::exp(mid)) >= min_weight ? low : high) = mid;
        }
        exact = std::exp(low);
    }
    // Two significant digits, rounded down, so the number is easy to type and still works.
    const double unit = std::pow(10.0, std::floor(std::log10(exact)) - 1);
    const double answer = std::max(kMinTemperature, std::floor(exact * (1 - 1e-6) / unit) * unit);
    solution.feasible = true;
    solution.magnitude = exact;
    solution.answer = Eigen::MatrixXd::Constant(1, 1, static_cast<double>(static_cast<float>(answer)));
    const double gap = rival >= 0 ? logits(key) - logits(rival) : 0;
    solution.margin = gap;
    solution.explanation = format(
        tr(lang, "Key %d has the largest logit, %.4f, %.4f above the next. Its weight 1/Σ_j exp((l_j − l_%d)/T) grows as T "
                 "falls (from 1/%g when T is huge towards 1 as T → 0). It reaches %.3g at T* = %.4g, so every T ≤ T* "
                 "works: T = %g."),
        key, logits(key), gap, key, count, min_weight, exact, answer);
    return solution;
}

}  // namespace attn
