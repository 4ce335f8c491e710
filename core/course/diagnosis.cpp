#include "core/course/diagnosis.h"

#include "core/base/i18n.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace attn {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPrecise = 1e-7;
constexpr double kPi = 3.14159265358979323846;
// Scan factors s_k = 10^((k - 30)/10), k = 0..90: 1e-3 … 1e6, and s_30 = 1 is the answer itself.
constexpr int kScanPoints = 91;
constexpr int kCurrent = 30;


// ---- numbers and key names --------------------------------------------------------------------

// "6.1e+06" → "6.1e6", "3.1e-08" → "3.1e-8".
std::string compact(std::string text) {
    const auto e = text.find('e');
    if (e == std::string::npos) return text;
    std::string exponent = text.substr(e + 1);
    const bool negative = exponent[0] == '-';
    exponent.erase(0, exponent.find_first_not_of("+-0"));
    return text.substr(0, e) + "e" + (negative ? "-" : "") + (exponent.empty() ? "0" : exponent);
}

// Logits, leads, weights: two decimals ("2.31", "-0.49"), small ones in %.2g; "—" if not finite.
std::string fixed(double x) {
    if (!std::isfinite(x)) return "—";
    const double a = std::fabs(x);
    if (a >= 1e5 || (a > 0 && a < 0.01)) return compact(format("%.2g", x));
    if (a < 0.005) return "0.00";  // no "-0.00"
    return format("%.2f", x);
}

// Lengths and factors: three significant digits ("5.00", "30.1", "0.850"), whole numbers from 100.
std::string len(double x) {
    if (!std::isfinite(x)) return "—";
    const double a = std::fabs(x);
    if (a >= 1e6 || (a > 0 && a < 1e-3)) return compact(format("%.2g", x));
    if (a >= 100) return format("%.0f", x);
    return format("%#.3g", x);
}

std::string error_text(double e) { return std::isfinite(e) ? compact(format("%.3g", e)) : "—"; }

std::string key_set(const std::vector<int>& keys, Language lang) {
    std::string out;
    for (size_t i = 0; i < keys.size(); ++i) out += (i ? tr(lang, ", ") : "") + format("k%d", keys[i]);
    return out;
}

std::string logit_list(const Eigen::RowVectorXf& logits, const std::vector<int>& keys) {
    std::string out;
    for (size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + fixed(logits(keys[i]));
    return out;
}

std::string weights_text(const Eigen::RowVectorXf& weights) {
    const Eigen::VectorXd w = weights.transpose().cast<double>();
    return format_vector(w.data(), static_cast<int>(w.size()), 2);
}

// ---- text in both languages -------------------------------------------------------------------

// sentence(language) for every available language: the same numbers, each language's words.
template <typename Sentence>
LocalText both(Sentence sentence) {
    LocalText out;
    for (const LanguageInfo& info : available_languages()) out.in(info.code) = sentence(Language{info.code});
    return out;
}

// Appends `part` to `text`, after `separator` (by default the language's word separator: " ",
// "" in Chinese) unless text is empty.
void append(LocalText& text, const LocalText& part, const char* separator = nullptr) {
    if (part.en.empty()) return;
    const bool first = text.en.empty();
    for (const LanguageInfo& info : available_languages()) {
        std::string& into = text.in(info.code);
        if (!first) into += separator != nullptr ? separator : info.word_separator.c_str();
        into += part.get(info.code);
    }
}

void add_line(LocalText& text, const LocalText& line) { append(text, line, "\n"); }

LocalText verdict(bool pass, double error, double tolerance) {
    return both([&](Language l) {
        return pass ? format(tr(l, "Passes: max error %s ≤ %g."), error_text(error).c_str(), tolerance)
                    : format(tr(l, "Fails: max error %s > %g."), error_text(error).c_str(), tolerance);
    });
}

// ---- what the logits say ----------------------------------------------------------------------

struct Lead {  // one query row that must select `target`
    int target = 0;
    int rival = -1;  // the strongest other key (-1 when there is none)
    double logit = 0, rival_logit = -kInf, weight = 0;
    double lead() const { return logit - rival_logit; }
};

Lead select_lead(const AttentionResultF& att, int row, int target) {
    Lead lead;
    lead.target = target;
    lead.logit = att.logits(row, target);
    lead.weight = att.weights(row, target);
    for (int j = 0; j < att.logits.cols(); ++j)
        if (j != target && (lead.rival < 0 || att.logits(row, j) > lead.rival_logit)) {
            lead.rival = j;
            lead.rival_logit = att.logits(row, j);
        }
    return lead;
}

struct Group {  // a query row that must average the keys in `keys`
    std::vector<int> keys;
    Eigen::RowVectorXf logits;
    int high = 0, low = 0;  // members with the highest and the lowest logit
    int rival = -1;         // strongest key outside the group (-1 when the group is every key)
    double spread() const { return logits(high) - logits(low); }
    double gap() const { return rival < 0 ? kInf : logits(low) - logits(rival); }
};

Group group_logits(const AttentionResultF& att, int row, const std::vector<int>& keys) {
    Group g;
    g.keys = keys;
    g.logits = att.logits.row(row);
    g.high = g.low = keys.front();
    for (int k : keys) {
        if (g.logits(k) > g.logits(g.high)) g.high = k;
        if (g.logits(k) < g.logits(g.low)) g.low = k;
    }
    for (int j = 0; j < g.logits.size(); ++j)
        if (std::find(keys.begin(), keys.end(), j) == keys.end() && (g.rival < 0 || g.logits(j) > g.logits(g.rival)))
            g.rival = j;
    return g;
}

LocalText lead_sentence(const Lead& lead, double length) {
    return both([&](Language l) {
        if (lead.rival < 0) return format(tr(l, "k%d is the only key."), lead.target);
        if (lead.lead() <= 0)
            return format(tr(l,
                             "k%d's logit must exceed every other by enough: it is %s, the largest other is k%d at %s "
                             "(misses by %s)."),
                          lead.target, fixed(lead.logit).c_str(), lead.rival, fixed(lead.rival_logit).c_str(),
                          fixed(-lead.lead()).c_str());
        return format(tr(l, "k%d leads k%d by %s; at |q| = %s that gives weight %s."),
                      lead.target, lead.rival, fixed(lead.lead()).c_str(), len(length).c_str(), fixed(lead.weight).c_str());
    });
}

LocalText group_sentence(const Group& g) {
    return both([&](Language l) {
        const std::string names = key_set(g.keys, l), values = logit_list(g.logits, g.keys);
        if (g.rival < 0)
            return format(tr(l, "The logits of %s must all be equal: they are %s (spread %s)."),
                          names.c_str(), values.c_str(), fixed(g.spread()).c_str());
        // Whole sentences, so a translator sees each one entire.
        if (g.gap() > 0)
            return format(tr(l, "The logits of %s must be equal and every other key far below: they are %s (spread %s); "
                                "the highest other is k%d at %s, %s below the lowest of them."),
                          names.c_str(), values.c_str(), fixed(g.spread()).c_str(), g.rival, fixed(g.logits(g.rival)).c_str(),
                          fixed(g.gap()).c_str());
        return format(tr(l, "The logits of %s must be equal and every other key far below: they are %s (spread %s); "
                            "k%d at %s is not below the lowest of them (misses by %s)."),
                      names.c_str(), values.c_str(), fixed(g.spread()).c_str(), g.rival, fixed(g.logits(g.rival)).c_str(),
                      fixed(-g.gap()).c_str());
    });
}

// ---- grading scaled answers -------------------------------------------------------------------

using ErrorAt = std::function<double(double)>;  // max abs error at factor s; NaN when it cannot be graded

bool passes(double error, double limit) { return error <= limit; }  // NaN fails

double scan_scale(int k) { return std::pow(10.0, (k - kCurrent) / 10.0); }

// A passing factor next to the boundary between `pass` and `fail` (bounded bisection).
double boundary(const ErrorAt& error, double pass, double fail, double limit) {
    for (int i = 0; i < 80 && std::fabs(pass - fail) > 1e-9 * std::max(pass, fail); ++i) {
        const double mid = pass > 0 && fail > 0 ? std::sqrt(pass * fail) : 0.5 * (pass + fail);
        (passes(error(mid), limit) ? pass : fail) = mid;
    }
    return pass;
}

struct Range {  // passing factors [low, high]; low = 0 when even 0 passes, high = ∞ beyond the scan
    double low = kNaN, high = kNaN;
    bool found() const { return !std::isnan(low); }
    bool contains_one() const { return low <= 1 && 1 <= high; }
};

// The passing range around the scan run [a, b].
Range run_range(const ErrorAt& error, int a, int b, double limit) {
    Range r;
    if (a == 0) r.low = passes(error(0), limit) ? 0 : boundary(error, scan_scale(0), 0, limit);
    else r.low = boundary(error, scan_scale(a), scan_scale(a - 1), limit);
    r.high = b == kScanPoints - 1 ? kInf : boundary(error, scan_scale(b), scan_scale(b + 1), limit);
    if (a <= kCurrent && kCurrent <= b) r.low = std::min(r.low, 1.0), r.high = std::max(r.high, 1.0);
    return r;
}

std::vector<std::pair<int, int>> passing_runs(const std::vector<double>& errors, double limit) {
    std::vector<std::pair<int, int>> runs;
    for (int k = 0; k < kScanPoints; ++k)
        if (passes(errors[k], limit)) {
            if (!runs.empty() && runs.back().second == k - 1) runs.back().second = k;
            else runs.push_back({k, k});
        }
    return runs;
}

struct Scales {
    Range nearest;                       // the passing range nearest the current answer (s = 1)
    double smallest = kNaN, precise = kNaN;
};

Scales search_scales(const ErrorAt& error, double tolerance) {
    std::vector<double> errors(kScanPoints);
    for (int k = 0; k < kScanPoints; ++k) errors[k] = error(scan_scale(k));
    Scales scales;
    const auto runs = passing_runs(errors, tolerance);
    if (runs.empty()) return scales;
    scales.smallest = run_range(error, runs.front().first, runs.front().second, tolerance).low;
    const auto precise = passing_runs(errors, kPrecise);
    if (!precise.empty()) scales.precise = run_range(error, precise.front().first, precise.front().second, kPrecise).low;
    const auto distance = [](const std::pair<int, int>& run) {
        return run.first > kCurrent ? run.first - kCurrent : run.second < kCurrent ? kCurrent - run.second : 0;
    };
    auto best = runs.front();
    for (const auto& run : runs)
        if (distance(run) <= distance(best)) best = run;  // ties go to the longer answer
    scales.nearest = run_range(error, best.first, best.second, tolerance);
    return scales;
}

// ---- the task and its answers as the check sees them ------------------------------------------

struct Context {
    const Course& course;
    const Task& task;
    const Dataset& data;
    double tolerance;
    AnswerSet answers;  // as typed
};

// check_task() divides a unit_norm key row by its norm itself (the notebook's m_key[2] /= norm),
// so answers go in as typed and every figure is the one the app shows.
double graded_error(const Context& c, const AnswerSet& answers) {
    const TaskCheck check = check_task(c.course, c.task, c.data, answers, c.tolerance);
    return check.answered && check.problem.empty() ? static_cast<double>(check.max_abs_diff) : kNaN;
}

// The error with answer[name]'s rows (all when row < 0) multiplied by s.
ErrorAt scaled_error(const Context& c, const std::string& name, int row) {
    return [&c, name, row](double s) {
        AnswerSet answers = c.answers;
        Eigen::MatrixXd& m = answers.at(name).data;
        if (row < 0) m *= s;
        else m.row(row) *= s;
        return graded_error(c, answers);
    };
}

// ---- query tasks (select, average, identity) --------------------------------------------------

// Why no length passes, in a few words.
LocalText blocker_select(const Lead& lead) {
    return both([&](Language l) {
        if (lead.lead() <= 0)
            return format(tr(l, "k%d must lose its lead first."), lead.rival);
        return format(tr(l, "k%d's lead of %s is too small."), lead.target, fixed(lead.lead()).c_str());
    });
}

LocalText blocker_group(const Group& g) {
    return both([&](Language l) {
        const std::string names = key_set(g.keys, l);
        if (g.gap() <= 0)
            return format(tr(l, "k%d must fall below %s first."), g.rival, names.c_str());
        if (g.spread() > 0)
            return format(tr(l, "the logits of %s must be equal first (spread now %s)."),
                          names.c_str(), fixed(g.spread()).c_str());
        return format(tr(l, "the gap to k%d (%s) is too small."), g.rival, fixed(g.gap()).c_str());
    });
}

// The upper end of a passing range, when it is near enough to matter (not a float32 artefact far out).
bool shows_high(const Range& r) { return std::isfinite(r.high) && r.high < 1e3; }

// "Lengthening q to |q| ≥ 30.1 passes at 0.05; 79.6 reaches 1e-7." and its relatives. `length` is
// |q| now; for a matrix (every row scaled alike) it is the longest row's.
LocalText change_sentence(const Scales& scales, double length, double tolerance, const LocalText& blocker, bool matrix) {
    const Range& r = scales.nearest;
    return both([&](Language l) {
        const char* q = matrix ? tr(l, "Q (every row alike)") : "q";
        const char* m = matrix ? tr(l, "longest |q|") : "|q|";
        if (!r.found())
            return std::string(matrix ? tr(l, "Scaling every row alike, no length passes: ")
                                      : tr(l, "Along this direction no length passes: ")) +
                   blocker.get(l);
        const std::string low = len(r.low * length), high = len(r.high * length);
        const std::string precise =
            std::isfinite(scales.precise) && scales.precise > 0 && scales.precise >= r.low
                ? format(tr(l, "; %s reaches 1e-7"), len(scales.precise * length).c_str())
                : "";
        const std::string upto = shows_high(r) ? format(tr(l, " (up to %s)"), high.c_str()) : "";
        if (r.contains_one()) {
            if (r.low == 0 && !shows_high(r))
                return format(tr(l, "Any shorter %s passes at %g too."), q, tolerance);
            if (r.low == 0)
                return format(tr(l, "Along this direction %s passes at %g for %s ≤ %s."),
                              q, tolerance, m, high.c_str());
            return format(tr(l, "Along this direction %s passes at %g from %s = %s%s%s."),
                          q, tolerance, m, low.c_str(), upto.c_str(), precise.c_str());
        }
        if (r.low > 1)
            return format(tr(l, "Lengthening %s to %s ≥ %s%s passes at %g%s."), q, m,
                          low.c_str(), upto.c_str(), tolerance, precise.c_str());
        const std::string down = r.low > 0 ? format(tr(l, " (down to %s)"), low.c_str()) : "";
        return format(tr(l, "Shortening %s to %s ≤ %s%s passes at %g."), q, m,
                      high.c_str(), down.c_str(), tolerance);
    });
}

LocalText weights_line(const Eigen::RowVectorXf& weights) {
    return both([&](Language l) { return format(tr(l, "Weights %s."), weights_text(weights).c_str()); });
}

LocalText select_reason(const Lead& lead, const Scales& scales) {
    return both([&](Language l) {
        if (lead.lead() <= 0)
            return format(tr(l, "k%d scores at least as high as k%d."), lead.rival, lead.target);
        if (scales.nearest.found() && scales.nearest.low > 1)
            return format(tr(l, "k%d leads, but q is too short: its weight is only %s."),
                          lead.target, fixed(lead.weight).c_str());
        return format(tr(l, "k%d leads, but its weight is only %s."), lead.target,
                      fixed(lead.weight).c_str());
    });
}

LocalText group_reason(const Group& g, const Scales& scales) {
    return both([&](Language l) {
        const std::string names = key_set(g.keys, l);
        if (g.gap() <= 0) return format(tr(l, "k%d is not below %s."), g.rival, names.c_str());
        if (g.rival >= 0 && scales.nearest.found() && scales.nearest.low > 1)
            return format(tr(l, "q is too short: the other keys still get weight (k%d is only %s below)."),
                          g.rival, fixed(g.gap()).c_str());
        if (g.spread() > 0)
            return format(tr(l, "The logits of %s are not equal (spread %s)."), names.c_str(),
                          fixed(g.spread()).c_str());
        return std::string(tr(l, "The other keys are not far enough below."));
    });
}

LocalText zero_query_sentence(bool pass) {
    return both([&](Language l) {
        return std::string(pass ? tr(l, "q = 0 gives every key the same logit, so each gets the same weight.")
                                : tr(l, "q = 0 gives every key the same logit, and scaling it changes nothing: choose a direction first."));
    });
}

// A zero query or matrix cannot be scaled: it passes at every factor or at none.
void zero_scales(const TaskCheck& check, Diagnosis& out) {
    if (check.pass) out.passing_scale = 0;
    if (check.max_abs_diff <= kPrecise) out.precise_scale = 0;
}

void diagnose_query(const Context& c, const TaskCheck& check, Diagnosis& out) {
    const Goal& goal = c.task.target;
    const double length = check.query.row(0).norm();
    add_line(out.details, weights_line(check.attention.weights.row(0)));
    Scales scales;
    if (length > 0) scales = search_scales(scaled_error(c, c.task.answer, -1), c.tolerance);
    else zero_scales(check, out);
    if (length > 0) out.passing_scale = scales.smallest, out.precise_scale = scales.precise;
    LocalText reason, blocker;
    if (goal.kind == Goal::Kind::Select) {
        const Lead lead = select_lead(check.attention, 0, goal.keys.front());
        add_line(out.details, lead_sentence(lead, length));
        reason = select_reason(lead, scales);
        blocker = blocker_select(lead);
    } else {
        const Group group = group_logits(check.attention, 0, goal.keys);
        add_line(out.details, group_sentence(group));
        reason = group_reason(group, scales);
        blocker = blocker_group(group);
    }
    add_line(out.details, length > 0 ? change_sentence(scales, length, c.tolerance, blocker, false) : zero_query_sentence(check.pass));
    out.summary = verdict(check.pass, check.max_abs_diff, c.tolerance);
    if (!check.pass) append(out.summary, length > 0 ? reason : zero_query_sentence(false));
}

std::string row_list(const std::vector<int>& rows) {
    std::string out;
    for (size_t i = 0; i < rows.size(); ++i) out += (i ? ", " : "") + std::to_string(rows[i]);
    return out;
}

void diagnose_identity(const Context& c, const TaskCheck& check, Diagnosis& out) {
    const int rows = static_cast<int>(check.query.rows());
    std::vector<int> failing;
    LocalText reason, blocker;
    for (int i = 0; i < rows && i < check.attention.logits.cols(); ++i) {
        const Lead lead = select_lead(check.attention, i, i);
        const float error = (check.target.row(i) - check.attention.output.row(i)).cwiseAbs().maxCoeff();
        const bool ok = error <= c.tolerance;
        if (!ok) failing.push_back(i);
        if (!ok && blocker.en.empty() && lead.lead() <= 0) {
            blocker = both([&](Language l) { return format(tr(l, "in row %d, "), i) + blocker_select(lead).get(l); });
            reason = select_reason(lead, {});
        }
        LocalText line = both([&](Language l) {
            return format(ok ? tr(l, "Row %d passes (error %s): weights %s.")
                             : tr(l, "Row %d fails (error %s): weights %s."),
                          i, error_text(error).c_str(), weights_text(check.attention.weights.row(i)).c_str());
        });
        append(line, lead_sentence(lead, check.query.row(i).norm()));
        add_line(out.details, line);
    }
    const double longest = check.query.rowwise().norm().maxCoeff();
    Scales scales;
    if (longest > 0) scales = search_scales(scaled_error(c, c.task.answer, -1), c.tolerance);
    else zero_scales(check, out);
    if (longest > 0) out.passing_scale = scales.smallest, out.precise_scale = scales.precise;
    if (blocker.en.empty())
        blocker = both([](Language l) { return std::string(tr(l, "the rows need different lengths.")); });
    add_line(out.details, longest > 0 ? change_sentence(scales, longest, c.tolerance, blocker, true) : zero_query_sentence(check.pass));
    out.summary = verdict(check.pass, check.max_abs_diff, c.tolerance);
    if (check.pass || failing.empty()) return;
    append(out.summary, both([&](Language l) {
               const std::string failing_rows = row_list(failing);
               if (reason.en.empty())
                   return format(failing.size() == 1
                                     ? tr(l, "Row %s fails: the right keys lead, but not by enough.")
                                     : tr(l, "Rows %s fail: the right keys lead, but not by enough."),
                                 failing_rows.c_str());
               return format(failing.size() == 1 ? tr(l, "Row %s fails; %s")
                                                 : tr(l, "Rows %s fail; %s"),
                             failing_rows.c_str(), reason.get(l).c_str());
           }));
}

// ---- key tasks (1.4.1: join the group; 1.4.2: unit key that must win) --------------------------

struct JoinFacts {
    int row = 0;
    std::vector<int> others;  // the group without the edited key
    double logit = 0, others_mean = 0, others_spread = 0;
};

JoinFacts join_facts(const Group& g, int row) {
    JoinFacts f;
    f.row = row;
    f.logit = g.logits(row);
    double low = kInf, high = -kInf;
    for (int k : g.keys)
        if (k != row) {
            f.others.push_back(k);
            f.others_mean += g.logits(k);
            low = std::min<double>(low, g.logits(k));
            high = std::max<double>(high, g.logits(k));
        }
    if (!f.others.empty()) f.others_mean /= static_cast<double>(f.others.size()), f.others_spread = high - low;
    return f;
}

LocalText join_blocker(const JoinFacts& f, const Group& g, double key_length) {
    return both([&](Language l) {
        const std::string names = key_set(f.others, l);
        if (key_length == 0)
            return format(tr(l, "k%d = 0 has logit 0 whatever its length; point it along q first."),
                          f.row);
        if (f.logit * f.others_mean <= 0)
            return format(tr(l, "k%d's logit %s does not have the sign of %s's (%s); turn k%d first."),
                          f.row, fixed(f.logit).c_str(), names.c_str(), fixed(f.others_mean).c_str(), f.row);
        if (f.others_spread > 0 || g.gap() <= 0)
            return format(tr(l, "the 1.3.2 query must tie %s and keep the other keys below, and no k%d can change that."),
                          names.c_str(), f.row);
        return format(tr(l, "k%d's direction must change, not just its length."), f.row);
    });
}

LocalText join_reason(const JoinFacts& f, const Group& g) {
    return both([&](Language l) {
        const std::string names = key_set(f.others, l);
        const double miss = f.logit - f.others_mean;
        if (std::fabs(miss) > f.others_spread)
            return format(tr(l, "k%d's logit %s must equal that of %s (%s): it is %s too %s."),
                          f.row, fixed(f.logit).c_str(), names.c_str(), fixed(f.others_mean).c_str(), fixed(std::fabs(miss)).c_str(),
                          miss > 0 ? tr(l, "high") : tr(l, "low"));
        if (f.others_spread > 0)
            return format(tr(l, "The 1.3.2 query gives %s different logits (spread %s)."),
                          names.c_str(), fixed(f.others_spread).c_str());
        if (g.gap() <= 0) return format(tr(l, "k%d is not below the group."), g.rival);
        return std::string(tr(l, "The other keys are not far enough below."));
    });
}

LocalText key_change_sentence(const Scales& scales, int row, double key_length, double tolerance, const LocalText& blocker) {
    const Range& r = scales.nearest;
    return both([&](Language l) {
        if (!r.found())
            return format(tr(l, "No length of k%d passes: "), row) + blocker.get(l);
        const std::string low = len(r.low * key_length), high = len(r.high * key_length);
        const std::string range = std::isinf(r.high) ? "≥ " + low
                                  : r.low == 0       ? "≤ " + high
                                                     : format(tr(l, "from %s to %s"), low.c_str(), high.c_str());
        if (r.contains_one())
            return format(tr(l, "Along this direction k%d passes at %g for |k%d| %s (now %s)."),
                          row, tolerance, row, range.c_str(), len(key_length).c_str());
        return format(tr(l, "Scaling k%d to |k%d| %s passes at %g (now %s)."),
                      row, row, range.c_str(), tolerance, len(key_length).c_str());
    });
}

void diagnose_join(const Context& c, const TaskCheck& check, Diagnosis& out) {
    const int row = c.task.edit.key_row;
    const Group group = group_logits(check.attention, 0, c.task.target.keys);
    const JoinFacts facts = join_facts(group, row);
    const double key_length = check.keys.row(row).norm();
    add_line(out.details, weights_line(check.attention.weights.row(0)));
    add_line(out.details, group_sentence(group));
    Scales scales;
    if (key_length > 0) scales = search_scales(scaled_error(c, c.task.answer, row), c.tolerance);
    out.passing_scale = scales.smallest;
    out.precise_scale = scales.precise;
    add_line(out.details, key_change_sentence(scales, row, key_length, c.tolerance, join_blocker(facts, group, key_length)));
    out.summary = verdict(check.pass, check.max_abs_diff, c.tolerance);
    if (!check.pass) append(out.summary, join_reason(facts, group));
}

// The error with the 1.3.2 query scaled by s and key row `row` replaced by `key` (unit length).
double error_with_key(const Context& c, const std::string& query_name, double s, int row, const Eigen::RowVectorXd& key) {
    AnswerSet answers = c.answers;
    answers.at(query_name).data *= s;
    answers.at(c.task.answer).data.row(row) = key;
    return graded_error(c, answers);
}

// A unit vector orthogonal to u, towards k when k is not parallel to u.
Eigen::RowVectorXd orthogonal_towards(const Eigen::RowVectorXd& u, const Eigen::RowVectorXd& k) {
    Eigen::RowVectorXd w = k - k.dot(u) * u;
    if (w.norm() < 1e-9) {
        Eigen::Index axis = 0;
        u.cwiseAbs().minCoeff(&axis);  // the axis least along u
        w = Eigen::RowVectorXd::Unit(u.size(), axis) - u(axis) * u;
    }
    return w / w.norm();
}

double degrees(double radians) { return radians * 180.0 / kPi; }

LocalText unit_angle_sentence(int row, double length, double theta, double limit, bool pass, double tolerance) {
    return both([&](Language l) {
        if (pass)
            return format(tr(l, "|k%d| is fixed at 1, so q·k%d = |q|·cos θ: k%d is %.0f° from q; within %.0f° of q it "
                                "passes at %g."),
                          row, row, row, degrees(theta), degrees(limit), tolerance);
        return format(tr(l, "|k%d| is fixed at 1, so q·k%d = |q|·cos θ: k%d is %.0f° from q (logit %s); within %.0f° "
                            "of q (logit ≥ %s) it passes at %g."),
                      row, row, row, degrees(theta), fixed(length * std::cos(theta)).c_str(), degrees(limit),
                      fixed(length * std::cos(limit)).c_str(), tolerance);
    });
}

LocalText unit_short_sentence(int row, double length, double needed, double tolerance, const Task& source) {
    return both([&](Language l) {
        return format(tr(l,
                         "|k%d| is fixed at 1, so q·k%d ≤ |q|: even k%d = q/|q| gives logit |q| = %s but needs ≥ %s "
                         "to pass at %g: lengthen the %s query."),
                      row, row, row, len(length).c_str(), len(needed).c_str(), tolerance, source.id.c_str());
    });
}

void diagnose_unit(const Context& c, const TaskCheck& check, const Task& source, Diagnosis& out) {
    const int row = c.task.edit.key_row;
    const Eigen::RowVectorXd q = check.query.row(0), k = check.keys.row(row);
    const double length = q.norm();
    const Lead lead = select_lead(check.attention, 0, c.task.target.keys.front());
    add_line(out.details, weights_line(check.attention.weights.row(0)));
    add_line(out.details, both([&](Language l) {
                 return format(tr(l, "k%d is normalized to %s (length 1)."), row,
                               format_vector(k.data(), static_cast<int>(k.size()), 3).c_str());
             }));
    add_line(out.details, lead_sentence(lead, length));
    out.summary = verdict(check.pass, check.max_abs_diff, c.tolerance);
    if (length == 0) {
        const LocalText zero = both([&](Language l) {
            return format(tr(l, "The %s query is zero: every key has logit 0, so no k%d can win; give %s a non-zero query."),
                          source.id.c_str(), row, source.id.c_str());
        });
        add_line(out.details, zero);
        if (!check.pass) append(out.summary, zero);
        return;
    }
    const Eigen::RowVectorXd u = q / length;
    const ErrorAt best = [&](double s) { return error_with_key(c, source.answer, s, row, u); };
    if (passes(best(1.0), c.tolerance)) {
        // |q| is long enough: the miss is k's angle to q (rotate k towards q in their plane).
        const double theta = std::acos(std::clamp(k.dot(u), -1.0, 1.0));
        const Eigen::RowVectorXd w = orthogonal_towards(u, k);
        const ErrorAt at_angle = [&](double phi) {
            return error_with_key(c, source.answer, 1.0, row, std::cos(phi) * u + std::sin(phi) * w);
        };
        const double limit = passes(at_angle(kPi), c.tolerance) ? kPi
                             : check.pass                        ? boundary(at_angle, theta, kPi, c.tolerance)
                                                                 : boundary(at_angle, 0, theta, c.tolerance);
        add_line(out.details, unit_angle_sentence(row, length, theta, limit, check.pass, c.tolerance));
        if (!check.pass)
            append(out.summary, both([&](Language l) {
                       return format(tr(l, "k%d must point closer to q: %.0f° now, at most %.0f° passes."),
                                     row, degrees(theta), degrees(limit));
                   }));
        return;
    }
    const Scales needed = search_scales(best, c.tolerance);
    if (needed.nearest.found() && needed.nearest.low > 1) {
        add_line(out.details, unit_short_sentence(row, length, needed.nearest.low * length, c.tolerance, source));
        if (!check.pass)
            append(out.summary, both([&](Language l) {
                   return format(tr(l, "The %s query is too short for any unit k%d to win: |q| = %s, needs ≥ %s."),
                                 source.id.c_str(), row, len(length).c_str(), len(needed.nearest.low * length).c_str());
               }));
        return;
    }
    const LocalText never = both([&](Language l) {
        return format(tr(l, "Even k%d = q/|q| cannot win with this %s query at any length: change its direction."),
                      row, source.id.c_str());
    });
    add_line(out.details, never);
    if (!check.pass) append(out.summary, never);
}

LocalText not_answered(const Task* source, bool query_missing) {
    return both([&](Language l) {
        std::string text = tr(l, "Not answered yet.");
        if (query_missing)
            text += format(tr(l, " It also needs the %s query (%s), which is not answered yet either."),
                           source->id.c_str(), source->answer.c_str());
        return text;
    });
}

LocalText needs_query(const Task& source) {
    return both([&](Language l) {
        return format(tr(l, "Cannot be checked yet: it uses the %s query (%s), which is not answered yet."),
                      source.id.c_str(), source.answer.c_str());
    });
}

bool zero_key_row(const Task& task, const AnswerSet& answers) {
    const auto it = answers.find(task.answer);
    return task.edit.unit_norm && it != answers.end() && task.edit.key_row < it->second.data.rows() &&
           it->second.data.row(task.edit.key_row).isZero(0);
}

}  // namespace

Diagnosis diagnose_task(const Course& course, const Task& task, const Dataset& data, const AnswerSet& answers,
                        double tolerance) {
    Diagnosis out;
    if (task.discussion) return out;
    const bool key_task = task.edit.tensor == TaskEdit::Tensor::KeyRow;
    const Task* source = key_task ? course.find(task.edit.query_from) : nullptr;
    const bool query_missing = source && answers.find(source->answer) == answers.end();
    if (answers.find(task.answer) == answers.end()) {
        out.summary = not_answered(source, query_missing);
        return out;
    }
    out.answered = true;
    if (query_missing) {
        out.summary = needs_query(*source);
        return out;
    }
    Context c{course, task, data, tolerance, answers};
    if (zero_key_row(task, c.answers)) {
        out.summary = both([&](Language l) {
            return format(tr(l, "k%d = 0 has no direction, so it cannot be normalized to length 1."),
                          task.edit.key_row);
        });
        return out;
    }
    const TaskCheck check = check_task(course, task, data, c.answers, tolerance);
    if (!check.problem.empty()) {
        out.summary = both([&](Language l) {
            const TaskCheck checked = check_task(course, task, data, c.answers, tolerance, l);
            return format(tr(l, "Cannot be checked: %s."), checked.problem.c_str());
        });
        return out;
    }
    if (task.target.kind == Goal::Kind::Identity) diagnose_identity(c, check, out);
    else if (!key_task) diagnose_query(c, check, out);
    else if (task.edit.unit_norm) diagnose_unit(c, check, *source, out);
    else diagnose_join(c, check, out);
    return out;
}

}  // namespace attn
