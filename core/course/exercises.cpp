#include "core/course/exercises.h"

#include "core/base/error.h"
#include "core/base/i18n.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/pack.h"
#include "core/math/torch_random.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace attn {

extern const char* const kNotebookCourseJson;  // generated from assets/exercises/notebook.json

namespace {

LocalText read_text(const nlohmann::json& object, const char* field, const std::string& where) {
    if (!object.contains(field) || !object[field].is_object())
        throw InputError(where + ": missing \"" + field + "\" with its texts by language (\"en\", ...)");
    const auto& text = object[field];
    if (!text.contains("en") || !text["en"].is_string()) throw InputError(where + ": \"" + field + "\" has no English text");
    LocalText out;
    // Every language the file has, whether or not this build has its catalog; get() falls back to
    // the English for the others. tests/i18n/check_catalogs.py makes sure every catalog's
    // language is here.
    for (const auto& [code, translation] : text.items())
        if (translation.is_string()) out.in(code) = translation.get<std::string>();
    return out;
}

// A whole number in [low, high]; nlohmann's get<int>() on 1e300 or 2.5 would be undefined or
// silently truncated.
int whole_number(const nlohmann::json& value, int low, int high, const std::string& what) {
    if (!value.is_number_integer()) throw InputError(what + " must be a whole number");
    const bool in_range = value.is_number_unsigned()
                              ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(high) &&
                                    static_cast<std::int64_t>(value.get<std::uint64_t>()) >= low
                              : value.get<std::int64_t>() >= low && value.get<std::int64_t>() <= high;
    if (!in_range)
        throw InputError(what + " is out of range (" + std::to_string(low) + " to " + std::to_string(high) + ")");
    return static_cast<int>(value.get<std::int64_t>());
}

std::vector<int> whole_numbers(const nlohmann::json& value, int low, int high, const std::string& what) {
    if (!value.is_array()) throw InputError(what + " must be a list of whole numbers");
    std::vector<int> out;
    for (const auto& item : value) out.push_back(whole_number(item, low, high, what));
    return out;
}

// A temperature answer: one number T; the fixed query key[query_key]; logits q·k/T in float32.
TaskCheck check_temperature(const Task& task, const Dataset& data, const Eigen::MatrixXd& tensor, double tolerance,
                            Language lang) {
    TaskCheck check;
    check.id = task.id;
    check.answered = true;
    if (tensor.size() != 1) {
        check.problem = format(tr(lang, "%s must be one number (the temperature), not %d×%d"), task.answer.c_str(),
                               static_cast<int>(tensor.rows()), static_cast<int>(tensor.cols()));
        return check;
    }
    const double temperature = tensor(0, 0);
    if (!(temperature >= kMinTemperature && temperature <= kMaxTemperature)) {
        check.problem = format(tr(lang, "the temperature %g is outside %g to %g"), temperature, kMinTemperature, kMaxTemperature);
        return check;
    }
    AttentionOptions options;
    options.scale_mode = ScaleMode::Temperature;
    options.temperature = static_cast<float>(temperature);
    check.query = data.keys.row(task.edit.query_key);
    check.keys = data.keys;
    check.attention = attention_f32(check.query, check.keys, data.values, options);
    check.target = task_target(task, data);
    const float weight = check.attention.weights(0, task.target.keys.front());
    check.measure = CheckMeasure::KeyWeight;
    check.weight_key = task.target.keys.front();
    check.weight = weight;
    check.min_weight = task.min_weight;
    check.max_abs_diff = std::max(0.0f, static_cast<float>(task.min_weight) - weight);  // the shortfall
    check.pass = check.max_abs_diff <= tolerance;  // measured_text() says the weight and what it needs
    return check;
}

std::vector<int> sorted_group(std::vector<int> group) {
    std::sort(group.begin(), group.end());
    return group;
}

}  // namespace

const Task* Course::find(const std::string& task_id) const {
    for (const Task& task : tasks)
        if (task.id == task_id) return &task;
    return nullptr;
}

const Task* Course::find_by_answer(const std::string& name) const {
    for (const Task& task : tasks)
        if (!task.answer.empty() && task.answer == name) return &task;
    return nullptr;
}

Course parse_course(const std::string& json_text, const std::string& where_raw, int key_count) {
    const std::string where = printable_path(where_raw);
    if (json_text.size() > kMaxCourseFileBytes)
        throw InputError(where + ": " + std::to_string(json_text.size()) + " bytes, more than the limit of " +
                         std::to_string(kMaxCourseFileBytes));
    const nlohmann::json doc = parse_json_text(json_text, where_raw);
    if (doc.is_object() && doc.contains("attnlab_pack")) return load_pack(json_text, where_raw);
    try {
        if (!doc.is_object() || !doc.contains("format") || !doc["format"].is_number_integer() ||
            doc["format"].get<std::int64_t>() != 1)
            throw InputError(where + ": not a course file of format 1");
        Course course;
        course.data = notebook_dataset();
        course.torch_data = true;  // the notebook's data is torch.manual_seed(447)'s
        course.title = read_text(doc, "title", where);
        course.tolerance_note = read_text(doc, "tolerance_note", where);
        course.tolerance = doc.at("tolerance").get<double>();
        if (!(course.tolerance > 0 && course.tolerance <= kMaxTolerance))
            throw InputError(where + ": tolerance must be above 0 and at most " + format("%g", kMaxTolerance));
        for (const auto& section : doc.at("sections"))
            course.sections.push_back({section.at("id").get<std::string>(), read_text(section, "title", where)});
        for (const auto& item : doc.at("tasks")) {
            Task task;
            task.id = item.at("id").get<std::string>();
            const std::string at = where + ": task " + in_quotes(task.id);
            task.section = item.at("section").get<std::string>();
            task.title = read_text(item, "title", at);
            task.prompt = read_text(item, "prompt", at);
            task.discussion = item.value("discussion", false);
            if (!task.discussion) {
                task.answer = item.at("answer").get<std::string>();
                const auto& edit = item.at("edit");
                const std::string tensor = edit.at("tensor").get<std::string>();
                if (tensor == "query") {
                    task.edit.tensor = TaskEdit::Tensor::Query;
                    task.edit.rows = whole_number(edit.at("rows"), 1, kMaxQueries, at + ": rows");
                    task.edit.vector = edit.value("vector", false);
                } else if (tensor == "key_row") {
                    task.edit.tensor = TaskEdit::Tensor::KeyRow;
                    task.edit.key_row = whole_number(edit.at("row"), 0, kMaxKeys, at + ": row");
                    task.edit.unit_norm = edit.value("unit_norm", false);
                    task.edit.query_from = edit.at("query_from").get<std::string>();
                    if (edit.contains("join_group"))
                        task.edit.join_group = whole_numbers(edit["join_group"], 0, kMaxKeys, at + ": join_group");
                    if (task.edit.key_row < 0 || task.edit.key_row >= key_count)
                        throw InputError(at + ": key row " + std::to_string(task.edit.key_row) + " does not exist");
                    if (!task.edit.unit_norm && task.edit.join_group.empty())
                        throw InputError(at + ": a key edit without unit_norm needs a join_group");
                    for (int j : task.edit.join_group)
                        if (j < 0 || j >= key_count) throw InputError(at + ": join_group names a key that does not exist");
                } else {
                    throw InputError(at + ": unknown tensor " + in_quotes(tensor) + " (expected query or key_row)");
                }
                task.target_text = item.at("target").get<std::string>();
                try {
                    task.target = parse_goal(task.target_text, key_count);
                } catch (const InputError& e) {
                    throw InputError(at + ": " + e.what());
                }
            }
            course.tasks.push_back(std::move(task));
        }
        for (const Task& task : course.tasks)
            if (task.edit.tensor == TaskEdit::Tensor::KeyRow && !task.discussion) {
                const Task* source = course.find(task.edit.query_from);
                if (!source || source->discussion || source->edit.tensor != TaskEdit::Tensor::Query || source->edit.rows != 1)
                    throw InputError(where + ": task " + in_quotes(task.id) + " takes its query from " +
                                     in_quotes(task.edit.query_from) + ", which is not a single-query task");
            }
        return course;
    } catch (const nlohmann::json::exception& e) {
        // nlohmann's type and key errors name only our own field names, never the file's text.
        std::string message = e.what();
        const auto prefix = message.find("] ");
        if (prefix != std::string::npos) message = message.substr(prefix + 2);
        throw InputError(where + ": " + message);
    }
}

const Course& notebook_course() {
    // Immutable after first use: parsed from the compiled-in JSON, which the tests validate.
    static const Course course = load_pack(kNotebookCourseJson, "notebook.json");
    return course;
}

AttentionOptions task_attention(const Course& course, const Task& task, int query_rows, int key_count) {
    AttentionOptions options = task.has_attention ? task.attention : course.attention;
    if (!options.causal) return options;
    // A query row sits at a token: row i of an N-row query at token i, a single query at
    // edit.position (the last token by default). It sees the keys up to its own token.
    options.causal = false;
    options.mask.resize(query_rows, key_count);
    for (int r = 0; r < query_rows; ++r) {
        const int token = query_rows == 1 ? (task.edit.position >= 0 ? task.edit.position : key_count - 1) : r;
        for (int j = 0; j < key_count; ++j) options.mask(r, j) = j <= token;
    }
    return options;
}

double task_tolerance(const Task& task, double tolerance) { return task.tolerance > 0 ? task.tolerance : tolerance; }

Eigen::MatrixXf task_target(const Task& task, const Dataset& data) {
    const Eigen::MatrixXf values = data.values.cast<float>();
    if (task.target.kind == Goal::Kind::Identity) return values;
    // Summed row by row in float32 and divided, as torch's value[rows].mean(0) does.
    Eigen::MatrixXf sum = Eigen::MatrixXf::Zero(1, values.cols());
    for (int r : task.target.keys) sum += values.row(r);
    return sum / static_cast<float>(task.target.keys.size());
}

namespace {

// A key task's answer: the full key matrix with only task.edit.key_row changed, normalized as the
// notebook does when the task asks for it. Sets check.query and check.keys, or check.problem.
void read_key_answer(const Course& course, const Task& task, const Dataset& data, const AnswerSet& answers,
                     const Eigen::MatrixXd& tensor, Language lang, TaskCheck& check) {
    const int d = static_cast<int>(data.keys.cols());
    const Task* source = course.find(task.edit.query_from);
    const auto query = answers.find(source->answer);
    if (query == answers.end()) {
        check.problem = format(tr(lang, "needs %s (task %s): this task uses that query"),
                               source->answer.c_str(), source->id.c_str());
        return;
    }
    if (query->second.data.rows() != 1 || query->second.data.cols() != d) {
        check.problem = format(tr(lang, "%s (task %s) does not have shape (%d,)"),
                               source->answer.c_str(), source->id.c_str(), d);
        return;
    }
    if (tensor.rows() != data.keys.rows() || tensor.cols() != d) {
        check.problem = format(tr(lang, "%s has shape %d×%d, expected the full key matrix %d×%d"),
                               task.answer.c_str(), static_cast<int>(tensor.rows()), static_cast<int>(tensor.cols()),
                               static_cast<int>(data.keys.rows()), d);
        return;
    }
    const Eigen::MatrixXf given = tensor.cast<float>();
    const Eigen::MatrixXf original = data.keys.cast<float>();
    for (Eigen::Index r = 0; r < given.rows(); ++r)
        if (r != task.edit.key_row && given.row(r) != original.row(r)) {
            check.problem = format(tr(lang, "key row %d was changed; only row %d may change"),
                                   static_cast<int>(r), task.edit.key_row);
            return;
        }
    Eigen::MatrixXd keys = tensor;
    if (task.edit.unit_norm) {
        // As the notebook's cell does after the student's line: m_key[2] /= m_key[2].norm(),
        // in float32. The student's row is kept as typed; only a zero row cannot be scaled.
        Eigen::RowVectorXf row = given.row(task.edit.key_row);
        const float length = torch_vector_norm(row.data(), static_cast<int>(row.size()));  // torch's summation
        if (!(length > 0.0f) || !std::isfinite(length)) {
            check.problem = format(tr(lang, "key row %d has length %g: it cannot be normalized to 1"),
                                   task.edit.key_row, static_cast<double>(length));
            return;
        }
        row /= length;
        keys.row(task.edit.key_row) = row.cast<double>();
    }
    check.query = query->second.data;
    check.keys = keys;
}

// A query task's answer: task.edit.rows rows of d components. Sets check.query and check.keys,
// or check.problem.
void read_query_answer(const Task& task, const Dataset& data, const Eigen::MatrixXd& tensor, Language lang,
                       TaskCheck& check) {
    const int d = static_cast<int>(data.keys.cols());
    if (tensor.rows() != task.edit.rows || tensor.cols() != d) {
        check.problem = format(tr(lang, "%s has shape %d×%d, expected %s"),
                               task.answer.c_str(), static_cast<int>(tensor.rows()), static_cast<int>(tensor.cols()),
                               task.edit.rows == 1 ? format("(%d,)", d).c_str() : format("(%d, %d)", task.edit.rows, d).c_str());
        return;
    }
    check.query = tensor;
    check.keys = data.keys;
}

}  // namespace

TaskCheck check_task(const Course& course, const Task& task, const Dataset& data, const AnswerSet& answers,
                     double tolerance, Language lang) {
    TaskCheck check;
    check.id = task.id;
    if (task.discussion) return check;
    const auto answer = answers.find(task.answer);
    if (answer == answers.end()) {
        check.problem = format(tr(lang, "%s is not answered"), task.answer.c_str());
        return check;
    }
    check.answered = true;
    const Eigen::MatrixXd& tensor = answer->second.data;
    tolerance = task_tolerance(task, tolerance);
    check.tolerance = tolerance;
    if (task.edit.tensor == TaskEdit::Tensor::Temperature) {
        TaskCheck temperature = check_temperature(task, data, tensor, tolerance, lang);
        temperature.tolerance = tolerance;
        return temperature;
    }
    if (task.edit.tensor == TaskEdit::Tensor::Query) read_query_answer(task, data, tensor, lang, check);
    else read_key_answer(course, task, data, answers, tensor, lang, check);
    if (!check.problem.empty()) return check;
    try {
        check.attention = attention_f32(check.query, check.keys, data.values,
                                        task_attention(course, task, static_cast<int>(check.query.rows()),
                                                       static_cast<int>(check.keys.rows())));
    } catch (const InputError& e) {
        check.problem = e.what();
        return check;
    }
    check.target = task_target(task, data);
    check.max_abs_diff = max_abs_diff(check.target, check.attention.output);
    check.pass = check.max_abs_diff <= tolerance;
    return check;
}

std::string measured_text(const TaskCheck& check, Language lang) {
    if (!check.answered || !check.graded || !std::isfinite(check.max_abs_diff)) return {};
    if (check.measure == CheckMeasure::KeyWeight)
        return format(tr(lang, "weight of k%d = %.3f, needs ≥ %g (within %g)"), check.weight_key, check.weight, check.min_weight,
                      check.tolerance);
    // %.3g: a difference too small for the output's three decimals still shows as non-zero (1e-08).
    return format(tr(lang, "max abs diff %.3g %s %g"), static_cast<double>(check.max_abs_diff), check.pass ? "≤" : ">",
                  check.tolerance);
}

std::vector<TaskCheck> check_all(const Course& course, const Dataset& data, const AnswerSet& answers, double tolerance,
                                 Language language) {
    std::vector<TaskCheck> checks;
    for (const Task& task : course.tasks)
        if (!task.discussion) checks.push_back(check_task(course, task, data, answers, tolerance, language));
    return checks;
}

std::vector<TaskCheck> check_hand_in(const Course& course, const Dataset& data, const HandIn& hand_in, double tolerance,
                                     Language language) {
    std::vector<TaskCheck> checks = check_all(course, data, hand_in.answers, tolerance, language);
    const char* prefix = tr(language, "cannot be graded: ");
    for (TaskCheck& check : checks) {
        const Task* task = course.find(check.id);
        if (task == nullptr) continue;
        std::string reason;
        const auto own = hand_in.cannot_grade.find(task->answer);
        if (own != hand_in.cannot_grade.end()) {
            reason = own->second;
        } else if (check.answered && !task->edit.query_from.empty()) {
            const Task* source = course.find(task->edit.query_from);
            const auto dep = source ? hand_in.cannot_grade.find(source->answer) : hand_in.cannot_grade.end();
            if (dep != hand_in.cannot_grade.end())
                reason = format(tr(language, "needs %s (task %s): %s"), source->answer.c_str(),
                                source->id.c_str(), dep->second.c_str());
        }
        if (reason.empty()) continue;
        check.answered = true;
        check.pass = false;
        check.graded = false;
        check.max_abs_diff = std::numeric_limits<float>::quiet_NaN();
        check.problem = prefix + reason;
    }
    return checks;
}

namespace {

Dataset visible_prefix(const Dataset& data, int tokens) {
    return Dataset{data.keys.topRows(tokens), data.values.topRows(tokens)};
}

// Under a mask each query row only competes among the keys it sees: solve it on those.
Solution solve_masked_query(const Dataset& data, const Task& task, const AttentionOptions& attention,
                            const SolveOptions& options) {
    const int d = static_cast<int>(data.keys.cols());
    const auto visible = [&](int row) { return static_cast<int>(attention.mask.row(row).count()); };
    if (task.target.kind != Goal::Kind::Identity) {
        const int tokens = visible(0);
        Solution solution = solve_query_goal(visible_prefix(data, tokens), task.target, options);
        const std::string seen = format(tr(options.language, "The causal mask lets this query (token %d) see keys 0..%d only; "
                                                             "the others get no weight whatever q is.\n"),
                                        tokens - 1, tokens - 1);
        if (tokens == data.keys.rows()) return solution;  // the last token sees every key
        if (solution.feasible) solution.explanation = seen + solution.explanation;
        else solution.reason = seen + solution.reason;
        return solution;
    }
    Solution solution;
    solution.answer = Eigen::MatrixXd::Zero(task.edit.rows, d);
    std::string lines = tr(options.language, "Under the causal mask row i sees keys 0..i only, so row i must select "
                                             "value[i] among those: one select solve per row.\n");
    for (int i = 0; i < task.edit.rows; ++i) {
        const Solution row = solve_query_goal(visible_prefix(data, visible(i)), Goal{Goal::Kind::Select, {i}}, options);
        if (!row.feasible) {
            solution.reason = format(tr(options.language, "Row %d of the identity cannot be done: %s"), i, row.reason.c_str());
            return solution;
        }
        solution.answer.row(i) = row.answer.row(0);
        solution.magnitude = std::max(solution.magnitude, row.magnitude);
        solution.predicted_error = std::max(solution.predicted_error, row.predicted_error);
        if (i == 0) solution.direction = row.direction;
        lines += format(tr(options.language, "  row %d selects value[%d]: |q| = %.2f\n"), i, i, row.magnitude);
    }
    solution.feasible = true;
    solution.explanation = lines;
    return solution;
}

}  // namespace

TaskSolution solve_task(const Course& course, const Task& task, const Dataset& data, const AnswerSet& current,
                        double tolerance, const SolveOptions& options) {
    TaskSolution result;
    result.check.id = task.id;
    if (task.discussion) return result;
    SolveOptions scaled = options;
    const int d = static_cast<int>(data.keys.cols());
    const int key_count = static_cast<int>(data.keys.rows());
    const AttentionOptions attention = task_attention(course, task, task.edit.rows, key_count);
    // The caller's scale (1 unless a test or the sandbox says otherwise) times the task's own.
    if (task.edit.tensor != TaskEdit::Tensor::Temperature) scaled.scale = options.scale * attention_scale(attention, d);
    if (task.edit.tensor == TaskEdit::Tensor::Temperature) {
        result.solution = solve_temperature(data, data.keys.row(task.edit.query_key), task.target.keys.front(),
                                            task.min_weight, options);
    } else if (task.edit.tensor == TaskEdit::Tensor::Query && attention.mask.size() > 0) {
        result.solution = solve_masked_query(data, task, attention, scaled);
    } else if (task.edit.tensor == TaskEdit::Tensor::Query) {
        result.solution = solve_query_goal(data, task.target, scaled);
        if (result.solution.feasible && result.solution.direction.size() && task.edit.rows == 1) {
            // Give the query the length that the tasks building on it need as well (1.4.2 needs a
            // long 1.3.2 query: the unit key q/|q| must beat the others by enough).
            double headroom = 0;
            for (const Task& other : course.tasks) {
                if (other.discussion || other.edit.tensor != TaskEdit::Tensor::KeyRow || other.edit.query_from != task.id)
                    continue;
                const KeyEdit edit = other.edit.unit_norm ? KeyEdit::DominateUnit : KeyEdit::Join;
                const Eigen::MatrixXd keys =
                    edited_keys(data.keys, result.solution.direction, other.edit.key_row, edit, other.edit.join_group);
                headroom = std::max(headroom, required_magnitude(result.solution.direction, keys, data.values,
                                                                 other.target.keys, scaled));
            }
            if (std::isfinite(headroom) && headroom > result.solution.magnitude) {
                SolveOptions longer = scaled;
                longer.min_magnitude = std::max(scaled.min_magnitude, headroom);
                result.solution = solve_query_goal(data, task.target, longer);
            }
        }
    } else {
        const Task* source = course.find(task.edit.query_from);
        const auto query = current.find(source->answer);
        if (query == current.end() || query->second.data.rows() != 1 || query->second.data.cols() != data.keys.cols()) {
            result.solution.reason = format(tr(options.language, "answer task %s first: this task keeps its query %s unchanged"),
                                            source->id.c_str(), source->answer.c_str());
            return result;
        }
        const KeyEdit edit = task.edit.unit_norm ? KeyEdit::DominateUnit : KeyEdit::Join;
        result.solution = solve_key_edit(data, query->second.data.row(0), task.edit.key_row, edit,
                                         sorted_group(task.edit.join_group), scaled);
    }
    if (!result.solution.feasible && result.solution.answer.size() == 0) return result;
    result.answer.data = result.solution.answer;
    result.answer.is_vector = task.edit.tensor == TaskEdit::Tensor::Query && task.edit.vector;
    if (task.edit.tensor == TaskEdit::Tensor::Temperature) result.answer.is_vector = false;
    AnswerSet with_answer = current;
    with_answer[task.answer] = result.answer;
    result.check = check_task(course, task, data, with_answer, tolerance, options.language);
    return result;
}

AnswerSet solve_all(const Course& course, const Dataset& data, double tolerance, const SolveOptions& options,
                    std::vector<TaskSolution>* solutions) {
    AnswerSet answers;
    for (const Task& task : course.tasks) {
        if (task.discussion) continue;
        TaskSolution solved = solve_task(course, task, data, answers, tolerance, options);
        if (solved.solution.feasible) answers[task.answer] = solved.answer;
        if (solutions) solutions->push_back(std::move(solved));
    }
    return answers;
}

}  // namespace attn
