#include "core/course/report.h"

#include "core/base/i18n.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace attn {

std::string python_number(double value) {
    // The shortest decimal that reads back as the same float32 (9 digits always suffice).
    const float target = static_cast<float>(value);
    std::string out;
    for (int digits = 6; digits <= 9; ++digits) {
        out = format("%.*g", digits, static_cast<double>(target));
        if (static_cast<float>(std::strtod(out.c_str(), nullptr)) == target) break;
    }
    if (out.find_first_of(".eEn") == std::string::npos) out += ".0";  // keep it a float literal
    return out;
}

std::string python_tensor(const AnswerTensor& tensor) {
    const Eigen::MatrixXd& m = tensor.data;
    const auto row_text = [&](Eigen::Index r) {
        std::string out = "[";
        for (Eigen::Index c = 0; c < m.cols(); ++c) out += (c ? ", " : "") + python_number(m(r, c));
        return out + "]";
    };
    if (tensor.is_vector && m.rows() == 1) return "torch.tensor(" + row_text(0) + ")";
    std::string out = "torch.tensor([";
    for (Eigen::Index r = 0; r < m.rows(); ++r) out += (r ? ",\n                        " : "") + row_text(r);
    return out + "])";
}

std::string task_formula(const Task& task) {
    if (task.edit.tensor == TaskEdit::Tensor::KeyRow) {
        const int r = task.edit.key_row;
        if (task.edit.unit_norm) return format("k%d = q/|q| (q = query%s unchanged): the unit key with the largest logit", r,
                                               "132");
        return format("k%d <- k%d + ((q.k0 - q.k%d)/|q|^2) q: smallest change that gives k%d the logit k0 and k1 share", r, r,
                      r, r);
    }
    switch (task.target.kind) {
        case Goal::Kind::Identity: return "row i = m_i u_i, u_i = max-margin unit direction separating key i from the others";
        case Goal::Kind::Select:
            return format("q = m u, u = max-margin unit direction separating key %d from the others, m from the tolerance",
                          task.target.keys[0]);
        case Goal::Kind::Average:
            if (static_cast<int>(task.target.keys.size()) == 4) return "q = 0: all logits equal, every weight 1/N";
            return "q = m u, u orthogonal to the differences of the averaged keys, max margin to the rest";
    }
    return "";
}

std::string answer_as_python(const Task& task, const AnswerTensor& tensor, AnswerOrigin origin) {
    const std::string comment = origin == AnswerOrigin::Solved ? "# " + task.id + ": from attnlab's Solve: " + task_formula(task)
                                                               : "# " + task.id + ": typed by hand";
    return comment + "\n" + task.answer + " = " + python_tensor(tensor) + "\n";
}

namespace {
// A note as python comment lines; every line of the note gets its own '#'.
std::string note_as_comment(const Task& task, const std::string& note) {
    std::string out = "# " + task.id + " (discussion) notes:\n# ";
    for (const char c : note) {
        if (c == '\r') continue;
        out += c;
        if (c == '\n') out += "# ";
    }
    return out + "\n";
}
}  // namespace

std::string solutions_as_python(const Course& course, const std::vector<TaskSolution>& solutions) {
    std::string out = "# attnlab " ATTN_VERSION ": analytic answers for \"" + course.title.en +
                      "\".\n# Paste after the notebook's setup cells (torch, key and value defined).\n";
    for (const TaskSolution& solved : solutions) {
        const Task* task = course.find(solved.check.id);
        if (!task || !solved.solution.feasible) continue;
        out += "\n" + answer_as_python(*task, solved.answer, AnswerOrigin::Solved);
    }
    return out;
}

nlohmann::json solutions_as_json(const Course& course, const std::vector<TaskSolution>& solutions, double tolerance) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const TaskSolution& solved : solutions) {
        const Task* task = course.find(solved.check.id);
        if (!task) continue;
        nlohmann::json item{{"id", task->id}, {"name", task->answer}, {"feasible", solved.solution.feasible}};
        if (solved.solution.feasible) {
            item["value"] = solved.answer.is_vector ? vector_to_json(solved.answer.data) : matrix_to_json(solved.answer.data);
            item["max_abs_diff"] = solved.check.max_abs_diff;
            item["pass"] = solved.check.pass;
            item["formula"] = task_formula(*task);
            item["explanation"] = solved.solution.explanation;
        } else {
            item["reason"] = solved.solution.reason;
        }
        tasks.push_back(item);
    }
    return {{"tolerance", tolerance}, {"tasks", tasks}};
}

std::string solutions_as_text(const Course& course, const std::vector<TaskSolution>& solutions, double tolerance,
                              Language language) {
    std::string out;
    for (const TaskSolution& solved : solutions) {
        const Task* task = course.find(solved.check.id);
        if (!task) continue;
        out += format("%s  %s  (%s)\n", task->id.c_str(), task->title.get(language).c_str(), task->answer.c_str());
        if (!solved.solution.feasible) {
            out += "  " + std::string(tr(language, "impossible: ")) + solved.solution.reason + "\n\n";
            continue;
        }
        const std::string literal = python_tensor(solved.answer);
        out += "  " + task->answer + " = " + literal + "\n";
        out += format(tr(language, "  max abs diff %.3g (float32): %s at tolerance %g\n"),
                      solved.check.max_abs_diff, solved.check.pass ? tr(language, "pass") : tr(language, "FAIL"),
                      tolerance);
        std::string explanation = solved.solution.explanation;
        std::string indented = "  ";
        for (char c : explanation) {
            indented += c;
            if (c == '\n') indented += "  ";
        }
        out += indented + "\n\n";
    }
    return out;
}

std::string answers_as_python(const Course& course, const AnswerSet& answers, const AnswerExtras& extras) {
    std::string out = "# attnlab " ATTN_VERSION ": answers for \"" + course.title.en + "\"\n";
    for (const Task& task : course.tasks) {
        if (task.discussion) {
            const auto note = extras.notes.find(task.id);
            if (note != extras.notes.end() && !note->second.empty()) out += "\n" + note_as_comment(task, note->second);
            continue;
        }
        const auto it = answers.find(task.answer);
        if (it == answers.end()) continue;
        const AnswerOrigin origin = extras.solved.count(task.answer) ? AnswerOrigin::Solved : AnswerOrigin::Typed;
        out += "\n" + answer_as_python(task, it->second, origin);
    }
    return out;
}

nlohmann::json answers_as_json(const Course& course, const AnswerSet& answers) {
    nlohmann::json out = nlohmann::json::object();
    for (const Task& task : course.tasks) {
        const auto it = answers.find(task.answer);
        if (task.discussion || it == answers.end()) continue;
        out[task.answer] = it->second.is_vector ? vector_to_json(it->second.data) : matrix_to_json(it->second.data);
    }
    return out;
}

nlohmann::json checks_as_json(const std::vector<TaskCheck>& checks, double tolerance) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const TaskCheck& check : checks) {
        nlohmann::json item{{"id", check.id}, {"answered", check.answered}, {"pass", check.pass}};
        item["max_abs_diff"] = std::isfinite(check.max_abs_diff) ? nlohmann::json(check.max_abs_diff) : nlohmann::json(nullptr);
        if (!check.problem.empty()) item["problem"] = check.problem;
        if (!check.graded) item["graded"] = false;
        if (check.measure == CheckMeasure::KeyWeight && std::isfinite(check.weight))  // what a temperature task grades
            item["weight"] = {{"key", check.weight_key}, {"value", check.weight}, {"needs", check.min_weight}};
        tasks.push_back(item);
    }
    return {{"tolerance", tolerance}, {"tasks", tasks}};
}

std::string checks_as_text(const Course& course, const std::vector<TaskCheck>& checks, double tolerance, Language language) {
    std::string out;
    int passed = 0, failed = 0, missing = 0, ungraded = 0;
    for (const TaskCheck& check : checks) {
        const Task* task = course.find(check.id);
        const std::string title = task ? task->title.get(language) : "";
        if (!check.answered) {
            ++missing;
            out += format("  %-6s %-8s %s\n", check.id.c_str(), tr(language, "missing"), title.c_str());
            continue;
        }
        if (!check.graded) {
            ++ungraded;
            out += format("  %-6s %-8s %-10s %s: %s\n", check.id.c_str(), tr(language, "n/a"), "-",
                          title.c_str(), check.problem.c_str());
            continue;
        }
        check.pass ? ++passed : ++failed;
        // The figure column is what the task measures: the max abs diff, or a temperature task's weight.
        const bool weight = check.measure == CheckMeasure::KeyWeight;
        std::string figure = !std::isfinite(check.max_abs_diff) ? "-"
                             : weight                           ? format("%.3f", check.weight)
                                                                : format("%.3g", check.max_abs_diff);
        const std::string detail = weight ? measured_text(check, language) : check.problem;
        out += format("  %-6s %-8s %-10s %s%s%s\n", check.id.c_str(), check.pass ? tr(language, "pass") : tr(language, "FAIL"),
                      figure.c_str(), title.c_str(), detail.empty() ? "" : ": ", detail.c_str());
    }
    out += format(tr(language, "tolerance %g: %d passed, %d failed, %d not answered"),
                  tolerance, passed, failed, missing);
    if (ungraded > 0) out += format(tr(language, ", %d cannot be graded"), ungraded);
    out += "\n";
    return out;
}

nlohmann::json goal_solution_json(const Goal& goal, const Solution& solution, double max_abs_diff) {
    nlohmann::json out{{"goal", goal_to_string(goal)}, {"feasible", solution.feasible}};
    if (!solution.feasible) {
        out["reason"] = solution.reason;
        return out;
    }
    out["query"] = goal.kind == Goal::Kind::Identity ? matrix_to_json(solution.answer) : vector_to_json(solution.answer);
    out["max_abs_diff"] = max_abs_diff;
    out["explanation"] = solution.explanation;
    return out;
}

}  // namespace attn
