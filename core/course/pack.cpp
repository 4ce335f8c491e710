#include "core/course/pack.h"

#include "core/math/attention.h"
#include "core/base/error.h"
#include "core/base/i18n.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/math/solver.h"
#include "core/math/torch_random.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace attn {

extern const char* const kNotebookCourseJson;       // assets/exercises/notebook.json
extern const char* const kTemperatureMasksPackJson;  // assets/packs/temperature-masks.json

namespace {

using nlohmann::json;

// Walks a pack document, recording every problem with its path instead of stopping at the first.
class PackReader {
public:
    explicit PackReader(std::vector<PackProblem>& problems) : problems_(problems) {}

    void problem(const std::string& path, const std::string& message) { problems_.push_back({path, message}); }

    // The object's fields must be among `known`; each unknown one is a problem (typos).
    void known_fields(const json& object, const std::string& path, std::initializer_list<const char*> known) {
        if (!object.is_object()) return;
        for (auto it = object.begin(); it != object.end(); ++it)
            if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; }))
                problem(path + "." + printable_key(it.key()), "unknown field");
    }

    const json* field(const json& object, const std::string& path, const char* name, bool required = true) {
        if (object.is_object() && object.contains(name)) return &object[name];
        if (required) problem(path + "." + name, "missing");
        return nullptr;
    }

    std::string string_field(const json& object, const std::string& path, const char* name, bool required = true) {
        const json* value = field(object, path, name, required);
        if (!value) return "";
        if (!value->is_string()) {
            problem(path + "." + name, "must be a string");
            return "";
        }
        return value->get<std::string>();
    }

    // A text in every language of the pack.
    LocalText text(const json& object, const std::string& path, const char* name, bool required = true) {
        LocalText out;
        const json* value = field(object, path, name, required);
        if (!value) return out;
        const std::string at = path + "." + name;
        if (!value->is_object()) {
            problem(at, "must be an object of texts by language ({\"en\": ...})");
            return out;
        }
        for (auto it = value->begin(); it != value->end(); ++it) {
            if (!it->is_string() || it->get<std::string>().empty()) {
                problem(at + "." + printable_key(it.key()), "must be a non-empty string");
                continue;
            }
            out.in(it.key()) = it->get<std::string>();
        }
        for (const std::string& code : languages)
            if (!value->contains(code)) problem(at + "." + code, "missing translation (the pack's languages are " + language_list() + ")");
        return out;
    }

    bool whole(const json& value, const std::string& path, int low, int high, int& out) {
        // JSON has one kind of number: 2.0 is the whole number 2 (as the schema's "integer" says).
        if (value.is_number_float() && std::isfinite(value.get<double>()) && std::floor(value.get<double>()) == value.get<double>()) {
            const double x = value.get<double>();
            if (x < low || x > high) {
                problem(path, "out of range (" + std::to_string(low) + " to " + std::to_string(high) + ")");
                return false;
            }
            out = static_cast<int>(x);
            return true;
        }
        if (!value.is_number_integer()) {
            problem(path, "must be a whole number");
            return false;
        }
        const bool in_range = value.is_number_unsigned() ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(high)
                                                         : value.get<std::int64_t>() >= low && value.get<std::int64_t>() <= high;
        if (!in_range || (value.is_number_unsigned() && static_cast<std::int64_t>(value.get<std::uint64_t>()) < low)) {
            problem(path, "out of range (" + std::to_string(low) + " to " + std::to_string(high) + ")");
            return false;
        }
        out = static_cast<int>(value.get<std::int64_t>());
        return true;
    }

    // A tolerance: a number above 0 and at most kMaxTolerance.
    bool tolerance(const json& value, const std::string& path, double& out) {
        if (!value.is_number() || !(value.get<double>() > 0) || !(value.get<double>() <= kMaxTolerance)) {
            problem(path, format("bad tolerance: must be a number above 0 and at most %g", kMaxTolerance));
            return false;
        }
        out = value.get<double>();
        return true;
    }

    std::string language_list() const {
        std::string out;
        for (const std::string& code : languages) out += (out.empty() ? "" : ", ") + code;
        return out;
    }

    static std::string printable_key(const std::string& key) {
        const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        });
        return plain ? key : "[" + in_quotes(key) + "]";
    }

    std::vector<std::string> languages = {"en"};

private:
    std::vector<PackProblem>& problems_;
};

std::string item_path(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

void read_languages(const json& doc, PackReader& r) {
    const json* value = r.field(doc, "$", "languages", false);
    if (!value) return;
    if (!value->is_array() || value->empty()) {
        r.problem("$.languages", "must be a non-empty list of language codes, \"en\" included");
        return;
    }
    std::vector<std::string> codes;
    for (std::size_t i = 0; i < value->size(); ++i) {
        const json& code = (*value)[i];
        if (!code.is_string() || code.get<std::string>().empty() || code.get<std::string>().size() > 16)
            r.problem(item_path("$.languages", i), "must be a language code such as \"en\" or \"zh\"");
        else if (std::find(codes.begin(), codes.end(), code.get<std::string>()) != codes.end())
            r.problem(item_path("$.languages", i), "listed twice");
        else
            codes.push_back(code.get<std::string>());
    }
    if (std::find(codes.begin(), codes.end(), kSourceLanguage) == codes.end())
        r.problem("$.languages", "must include \"en\" (every text has an English version)");
    else
        r.languages = codes;
}

void read_data(const json& doc, PackReader& r, Course& course) {
    const json* data = r.field(doc, "$", "data");
    if (!data) return;
    if (!data->is_object() || data->size() != 1 || !(data->contains("inline") || data->contains("torch"))) {
        r.problem("$.data", "must be {\"inline\": {\"keys\": .., \"values\": ..}} or {\"torch\": {\"seed\": .., \"shape\": ..}}");
        return;
    }
    if (data->contains("inline")) {
        try {
            course.data = parse_dataset_json((*data)["inline"].dump(), "$.data.inline");
        } catch (const InputError& e) {
            std::string message = e.what();
            const std::string prefix = "$.data.inline: ";
            if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
            r.problem("$.data.inline", message);
        }
        return;
    }
    const json& torch = (*data)["torch"];
    const std::string at = "$.data.torch";
    r.known_fields(torch, at, {"seed", "shape", "normalize", "decimals"});
    TorchDatasetSpec spec;
    bool ok = true;
    if (const json* seed = r.field(torch, at, "seed")) {
        const double as_float = seed->is_number_float() ? seed->get<double>() : -1;
        if (seed->is_number_unsigned()) {
            spec.seed = seed->get<std::uint64_t>();
        } else if (as_float >= 0 && as_float < 18446744073709551616.0 && std::floor(as_float) == as_float) {
            spec.seed = static_cast<std::uint64_t>(as_float);  // 447.0 is the whole number 447
        } else {
            r.problem(at + ".seed", "must be a whole number from 0 to 2^64-1");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (const json* shape = r.field(torch, at, "shape")) {
        if (!shape->is_array() || shape->size() < 2 || shape->size() > 3) {
            r.problem(at + ".shape", "must be [N, d] or [N, d, dv]");
            ok = false;
        } else {
            const int limits[3] = {kMaxKeys, kMaxKeyDim, kMaxValueDim};
            int dims[3] = {0, 0, 0};
            for (std::size_t i = 0; i < shape->size(); ++i) ok = r.whole((*shape)[i], item_path(at + ".shape", i), 1, limits[i], dims[i]) && ok;
            spec.n = dims[0];
            spec.d = dims[1];
            spec.dv = shape->size() == 3 ? dims[2] : dims[1];
        }
    } else {
        ok = false;
    }
    if (const json* normalize = r.field(torch, at, "normalize", false)) {
        if (!normalize->is_boolean()) {
            r.problem(at + ".normalize", "must be true or false");
            ok = false;
        } else {
            spec.normalize = normalize->get<bool>();
        }
    }
    if (const json* decimals = r.field(torch, at, "decimals", false)) ok = r.whole(*decimals, at + ".decimals", -1, 8, spec.decimals) && ok;
    if (!ok) return;
    course.torch = spec;
    course.torch_data = true;
    course.data = make_torch_dataset(spec);
}

// "one", "inv_sqrt_d" or {"temperature": T}.
bool read_scale(const json& value, const std::string& path, PackReader& r, AttentionOptions& options) {
    if (value.is_string() && value.get<std::string>() == "one") {
        options.scale_mode = ScaleMode::One;
        return true;
    }
    if (value.is_string() && value.get<std::string>() == "inv_sqrt_d") {
        options.scale_mode = ScaleMode::InvSqrtD;
        return true;
    }
    if (value.is_object() && value.size() == 1 && value.contains("temperature")) {
        const json& t = value["temperature"];
        if (!t.is_number() || !(t.get<double>() >= kMinTemperature && t.get<double>() <= kMaxTemperature)) {
            r.problem(path + ".temperature", format("must be a number from %g to %g", kMinTemperature, kMaxTemperature));
            return false;
        }
        options.scale_mode = ScaleMode::Temperature;
        options.temperature = t.get<double>();
        return true;
    }
    r.problem(path, "must be \"one\", \"inv_sqrt_d\" or {\"temperature\": T}");
    return false;
}

bool read_mask(const json& value, const std::string& path, PackReader& r, AttentionOptions& options) {
    if (value.is_string() && (value.get<std::string>() == "none" || value.get<std::string>() == "causal")) {
        options.causal = value.get<std::string>() == "causal";
        return true;
    }
    r.problem(path, "must be \"none\" or \"causal\"");
    return false;
}

// "weight:I>=W": key I needs softmax weight at least W (0 < W < 1).
bool parse_weight_goal(const std::string& text, int key_count, Task& task, std::string& error) {
    const auto at = text.find(">=");
    if (text.rfind("weight:", 0) != 0 || at == std::string::npos) {
        error = "expected weight:I>=W";
        return false;
    }
    try {
        const Goal goal = parse_goal("select:" + text.substr(7, at - 7), key_count);
        const double w = parse_decimal(text.substr(at + 2), "the weight", 0, 1);
        if (!(w > 0 && w < 1)) {
            error = "the weight must be above 0 and below 1";
            return false;
        }
        task.target = goal;
        task.min_weight = w;
        return true;
    } catch (const InputError& e) {
        error = e.what();
        return false;
    }
}

void read_goal(const json& item, const std::string& at, PackReader& r, int key_count, Task& task) {
    const char* name = item.contains("target") && !item.contains("goal") ? "target" : "goal";
    task.target_text = r.string_field(item, at, name);
    if (task.target_text.empty() || key_count < 1) return;
    const std::string path = at + "." + name;
    const bool weight = task.target_text.rfind("weight:", 0) == 0;
    if (weight != (task.edit.tensor == TaskEdit::Tensor::Temperature)) {
        r.problem(path, weight ? "a weight goal needs \"edit\": {\"tensor\": \"temperature\"}"
                               : "a temperature edit needs a goal weight:I>=W");
        return;
    }
    std::string error;
    if (weight) {
        if (!parse_weight_goal(task.target_text, key_count, task, error)) r.problem(path, error);
        return;
    }
    try {
        task.target = parse_goal(task.target_text, key_count);
    } catch (const InputError& e) {
        r.problem(path, e.what());
    }
}

void read_query_edit(const json& edit, const std::string& at, PackReader& r, int key_count, Task& task) {
    r.known_fields(edit, at, {"tensor", "rows", "vector", "position"});
    task.edit.tensor = TaskEdit::Tensor::Query;
    if (const json* rows = r.field(edit, at, "rows", false)) r.whole(*rows, at + ".rows", 1, kMaxQueries, task.edit.rows);
    if (const json* vector = r.field(edit, at, "vector", false)) {
        if (vector->is_boolean()) task.edit.vector = vector->get<bool>();
        else r.problem(at + ".vector", "must be true or false");
    } else {
        task.edit.vector = task.edit.rows == 1;
    }
    if (const json* position = r.field(edit, at, "position", false))
        if (r.whole(*position, at + ".position", 0, kMaxKeys, task.edit.position) && task.edit.position >= key_count)
            r.problem(at + ".position", "token " + std::to_string(task.edit.position) + " does not exist (there are " +
                                            std::to_string(key_count) + " tokens)");
}

void read_key_edit(const json& edit, const std::string& at, PackReader& r, int key_count, Task& task) {
    r.known_fields(edit, at, {"tensor", "row", "unit_norm", "query_from", "join_group"});
    task.edit.tensor = TaskEdit::Tensor::KeyRow;
    if (const json* row = r.field(edit, at, "row"))
        if (r.whole(*row, at + ".row", 0, kMaxKeys, task.edit.key_row) && task.edit.key_row >= key_count)
            r.problem(at + ".row", "key " + std::to_string(task.edit.key_row) + " does not exist (there are " +
                                       std::to_string(key_count) + " keys)");
    if (const json* unit = r.field(edit, at, "unit_norm", false)) {
        if (unit->is_boolean()) task.edit.unit_norm = unit->get<bool>();
        else r.problem(at + ".unit_norm", "must be true or false");
    }
    task.edit.query_from = r.string_field(edit, at, "query_from");
    if (const json* group = r.field(edit, at, "join_group", false)) {
        if (!group->is_array()) r.problem(at + ".join_group", "must be a list of key indices");
        else
            for (std::size_t i = 0; i < group->size(); ++i) {
                int k = 0;
                if (r.whole((*group)[i], item_path(at + ".join_group", i), 0, kMaxKeys, k)) {
                    if (k >= key_count) r.problem(item_path(at + ".join_group", i), "key " + std::to_string(k) + " does not exist");
                    else task.edit.join_group.push_back(k);
                }
            }
    }
}

void read_temperature_edit(const json& edit, const std::string& at, PackReader& r, int key_count, Task& task) {
    r.known_fields(edit, at, {"tensor", "query_key"});
    task.edit.tensor = TaskEdit::Tensor::Temperature;
    if (const json* key = r.field(edit, at, "query_key"))
        if (r.whole(*key, at + ".query_key", 0, kMaxKeys, task.edit.query_key) && task.edit.query_key >= key_count)
            r.problem(at + ".query_key", "key " + std::to_string(task.edit.query_key) + " does not exist");
}

void read_edit(const json& item, const std::string& task_path, PackReader& r, int key_count, Task& task) {
    const json* edit = r.field(item, task_path, "edit");
    if (!edit) return;
    const std::string at = task_path + ".edit";
    if (!edit->is_object()) {
        r.problem(at, "must be an object with a \"tensor\"");
        return;
    }
    const std::string tensor = r.string_field(*edit, at, "tensor");
    if (tensor == "query") read_query_edit(*edit, at, r, key_count, task);
    else if (tensor == "key_row") read_key_edit(*edit, at, r, key_count, task);
    else if (tensor == "temperature") read_temperature_edit(*edit, at, r, key_count, task);
    else if (!tensor.empty()) r.problem(at + ".tensor", "unknown tensor " + in_quotes(tensor) + " (expected query, key_row or temperature)");
}

// What a goal asks of the edit that the goal parser cannot see: shapes, the mask, key groups.
void check_goal_fits(const Course& course, Task& task, const std::string& at, PackReader& r, int key_count) {
    if (task.target_text.empty()) return;
    const std::string goal_path = at + (task.target_text.empty() ? "" : ".goal");
    const AttentionOptions& attention = task.has_attention ? task.attention : course.attention;
    if (task.edit.tensor == TaskEdit::Tensor::Query) {
        const bool identity = task.target.kind == Goal::Kind::Identity;
        if (identity && task.edit.rows != key_count)
            r.problem(at + ".edit.rows", "identity needs one query row per key (" + std::to_string(key_count) + ")");
        if (!identity && task.edit.rows != 1) r.problem(at + ".edit.rows", "select and average goals take one query row");
        if (attention.causal && !identity) {
            const int token = task.edit.position >= 0 ? task.edit.position : key_count - 1;
            for (int k : task.target.keys)
                if (k > token)
                    r.problem(goal_path, format("key %d is hidden from the query at token %d by the causal mask", k, token));
        }
        if (!attention.causal && task.edit.position >= 0) r.problem(at + ".edit.position", "only a causal mask gives a query a position");
    } else if (task.edit.tensor == TaskEdit::Tensor::KeyRow) {
        if (attention.causal) r.problem(at + ".mask", "key edits under a causal mask are not supported");
        std::vector<int> goal_keys = task.target.keys;
        if (task.edit.unit_norm) {
            if (task.target.kind != Goal::Kind::Select || goal_keys != std::vector<int>{task.edit.key_row})
                r.problem(goal_path, "a unit-norm key edit's goal is select:ROW (the edited key returns its value)");
            if (!task.edit.join_group.empty()) r.problem(at + ".edit.join_group", "a unit-norm key edit has no join group");
            return;
        }
        if (task.target.kind != Goal::Kind::Average ||
            std::find(goal_keys.begin(), goal_keys.end(), task.edit.key_row) == goal_keys.end()) {
            r.problem(goal_path, "a key edit's goal is average:S with the edited row in S");
            return;
        }
        goal_keys.erase(std::find(goal_keys.begin(), goal_keys.end(), task.edit.key_row));
        std::vector<int> group = task.edit.join_group;
        std::sort(group.begin(), group.end());
        if (group.empty()) task.edit.join_group = goal_keys;
        else if (group != goal_keys) r.problem(at + ".edit.join_group", "must be the goal's keys without the edited row");
    }
}

void read_task_options(const json& item, const std::string& at, PackReader& r, const Course& course, Task& task) {
    if (const json* tol = r.field(item, at, "tolerance", false)) r.tolerance(*tol, at + ".tolerance", task.tolerance);
    const json* scale = r.field(item, at, "scale", false);
    const json* mask = r.field(item, at, "mask", false);
    if (!scale && !mask) return;
    task.has_attention = true;
    task.attention = course.attention;
    if (scale) read_scale(*scale, at + ".scale", r, task.attention);
    if (mask) read_mask(*mask, at + ".mask", r, task.attention);
}

Task read_task(const json& item, const std::string& at, PackReader& r, const Course& course, std::set<std::string>& ids) {
    Task task;
    r.known_fields(item, at, {"id", "section", "title", "prompt", "discussion", "answer", "edit", "goal", "target",
                              "tolerance", "scale", "mask"});
    task.id = r.string_field(item, at, "id");
    if (task.id.empty() && item.contains("id") && item["id"].is_string()) r.problem(at + ".id", "must not be empty");
    if (!task.id.empty() && !ids.insert(task.id).second) r.problem(at + ".id", "task " + in_quotes(task.id) + " is listed twice");
    task.section = r.string_field(item, at, "section");
    if (!task.section.empty() &&
        std::none_of(course.sections.begin(), course.sections.end(), [&](const Section& s) { return s.id == task.section; }))
        r.problem(at + ".section", "no section " + in_quotes(task.section));
    task.title = r.text(item, at, "title");
    task.prompt = r.text(item, at, "prompt");
    if (const json* discussion = r.field(item, at, "discussion", false)) {
        if (discussion->is_boolean()) task.discussion = discussion->get<bool>();
        else r.problem(at + ".discussion", "must be true or false");
    }
    if (task.discussion) {
        for (const char* name : {"answer", "edit", "goal", "target"})
            if (item.contains(name)) r.problem(at + "." + name, "a discussion task has no " + std::string(name));
        return task;
    }
    task.answer = r.string_field(item, at, "answer");
    if (!task.answer.empty() && !is_identifier(task.answer))
        r.problem(at + ".answer", "must be a Python name such as query121");
    const int key_count = static_cast<int>(course.data.keys.rows());
    read_task_options(item, at, r, course, task);
    read_edit(item, at, r, key_count, task);
    read_goal(item, at, r, key_count, task);
    check_goal_fits(course, task, at, r, key_count);
    return task;
}

void check_dependencies(const Course& course, const json& tasks, PackReader& r) {
    std::set<std::string> answers;
    for (std::size_t i = 0; i < course.tasks.size(); ++i) {
        const Task& task = course.tasks[i];
        const std::string at = item_path("$.tasks", i);
        if (!task.answer.empty() && !answers.insert(task.answer).second)
            r.problem(at + ".answer", in_quotes(task.answer) + " is the answer of another task too");
        if (task.discussion || task.edit.tensor != TaskEdit::Tensor::KeyRow || task.edit.query_from.empty()) continue;
        const auto source = std::find_if(course.tasks.begin(), course.tasks.begin() + static_cast<long>(i),
                                         [&](const Task& t) { return t.id == task.edit.query_from; });
        if (source == course.tasks.begin() + static_cast<long>(i))
            r.problem(at + ".edit.query_from", "no earlier task " + in_quotes(task.edit.query_from));
        else if (source->discussion || source->edit.tensor != TaskEdit::Tensor::Query || source->edit.rows != 1)
            r.problem(at + ".edit.query_from", in_quotes(task.edit.query_from) + " is not a single-query task");
        else if (source->has_attention != task.has_attention ||
                 (task.has_attention && (source->attention.scale_mode != task.attention.scale_mode ||
                                         source->attention.temperature != task.attention.temperature)))
            r.problem(at + ".scale", "must be the scale of " + in_quotes(task.edit.query_from) + ", whose query it uses");
    }
    (void)tasks;
}

void read_variant(const json& doc, PackReader& r, Course& course) {
    const json* variant = r.field(doc, "$", "variant", false);
    if (!variant) return;
    r.known_fields(*variant, "$.variant", {"student", "seed", "attempt", "base_seed", "note"});
    course.variant_student = r.string_field(*variant, "$.variant", "student");
    if (const json* attempt = r.field(*variant, "$.variant", "attempt", false))
        r.whole(*attempt, "$.variant.attempt", 0, kMaxVariantAttempts, course.variant_attempt);
    course.variant_seed = course.torch.seed;
    if (!course.torch_data) r.problem("$.variant", "a variant needs torch data");
}

void read_course_body(const json& doc, PackReader& r, Course& course) {
    r.known_fields(doc, "$", {"attnlab_pack", "id", "languages", "title", "description", "source", "data", "scale", "mask",
                              "tolerance", "tolerance_note", "sections", "tasks", "variant"});
    course.id = r.string_field(doc, "$", "id");
    if (!course.id.empty() && !is_identifier(course.id, true))
        r.problem("$.id", "must be letters, digits, '-' and '_' (at most 64)");
    read_languages(doc, r);
    course.languages = r.languages;
    course.title = r.text(doc, "$", "title");
    r.text(doc, "$", "description", false);     // not shown by attnlab, but a text like the title
    r.string_field(doc, "$", "source", false);  // where the data come from, for the teacher
    course.tolerance_note = r.text(doc, "$", "tolerance_note", false);
    if (const json* tol = r.field(doc, "$", "tolerance")) r.tolerance(*tol, "$.tolerance", course.tolerance);
    read_data(doc, r, course);
    if (const json* scale = r.field(doc, "$", "scale", false)) read_scale(*scale, "$.scale", r, course.attention);
    if (const json* mask = r.field(doc, "$", "mask", false)) read_mask(*mask, "$.mask", r, course.attention);
    read_variant(doc, r, course);
    if (const json* sections = r.field(doc, "$", "sections")) {
        if (!sections->is_array()) r.problem("$.sections", "must be a list");
        else
            for (std::size_t i = 0; i < sections->size(); ++i) {
                const std::string at = item_path("$.sections", i);
                r.known_fields((*sections)[i], at, {"id", "title"});
                const json& section = (*sections)[i];
                course.sections.push_back({r.string_field(section, at, "id"), r.text(section, at, "title")});
                if (course.sections.back().id.empty() && section.is_object() && section.contains("id") && section["id"].is_string())
                    r.problem(at + ".id", "must not be empty");
            }
    }
    const json* tasks = r.field(doc, "$", "tasks");
    if (!tasks) return;
    if (!tasks->is_array() || tasks->empty()) {
        r.problem("$.tasks", "must be a non-empty list");
        return;
    }
    if (tasks->size() > static_cast<std::size_t>(kMaxPackTasks)) {  // before reading them: never a long read
        r.problem("$.tasks", format("%zu tasks, more than the limit of %d", tasks->size(), kMaxPackTasks));
        return;
    }
    if (course.data.keys.size() == 0) return;  // the data's problem is reported; goals cannot be checked
    std::set<std::string> ids;
    for (std::size_t i = 0; i < tasks->size(); ++i) {
        const std::string at = item_path("$.tasks", i);
        if (!(*tasks)[i].is_object()) {
            r.problem(at, "must be an object");
            continue;
        }
        course.tasks.push_back(read_task((*tasks)[i], at, r, course, ids));
    }
    check_dependencies(course, *tasks, r);
}

}  // namespace

PackReading read_pack(std::string_view text, const std::string& where, Language language) {
    PackReading out;
    if (text.size() > kMaxCourseFileBytes) {
        out.problems.push_back({"$", format("%zu bytes, more than the limit of %zu", text.size(), kMaxCourseFileBytes)});
        return out;
    }
    json doc;
    try {
        doc = parse_json_text(text, where);
    } catch (const InputError& e) {
        out.problems.push_back({"$", e.what()});
        return out;
    }
    if (!doc.is_object() || !doc.contains("attnlab_pack")) {
        out.problems.push_back({"$.attnlab_pack", "missing: not an attnlab course pack"});
        return out;
    }
    if (!doc["attnlab_pack"].is_number_integer() || doc["attnlab_pack"].get<std::int64_t>() != kPackFormat) {
        out.problems.push_back({"$.attnlab_pack", format("format %s is not supported (this attnlab reads format %d)",
                                                         in_quotes(doc["attnlab_pack"].dump(), 20).c_str(), kPackFormat)});
        return out;
    }
    PackReader reader(out.problems);
    read_course_body(doc, reader, out.course);
    // The solver's work is estimated from the shape before anything is solved (never timed).
    const long long work = out.problems.empty() ? pack_work(out.course) : 0;
    if (work > kMaxPackWork)
        out.problems.push_back({"$.tasks", format("solving the tasks needs %lld units of work (rows x keys x d per task, "
                                                  "%d keys, d = %d), more than the limit of %lld",
                                                  work, static_cast<int>(out.course.data.keys.rows()),
                                                  static_cast<int>(out.course.data.keys.cols()), kMaxPackWork)});
    if (out.problems.empty()) out.problems = unsolvable_tasks(out.course, language);
    // Each problem is printed as "path: message": together they obey the message rule.
    for (PackProblem& p : out.problems) {
        const std::size_t before = std::min<std::size_t>(p.path.size() + 2, kMaxMessageBytes - 16);
        p.message = one_line(p.message, kMaxMessageBytes - before);
    }
    out.ok = out.problems.empty();
    return out;
}

std::string pack_problems_text(const std::string& where, const std::vector<PackProblem>& problems) {
    std::string out;
    for (const PackProblem& p : problems) out += printable_path(where) + ": " + p.path + ": " + p.message + "\n";
    return out;
}

Course load_pack(std::string_view text, const std::string& where) {
    PackReading reading = read_pack(text, where);
    if (!reading.ok) {
        // One line (InputError's rule): the first problem, and how many more `pack check` lists.
        const PackProblem& first = reading.problems.front();
        std::string message = printable_path(where) + ": " + first.path + ": " + first.message;
        if (reading.problems.size() > 1)
            message = format("%s (and %zu more: attnlab pack check lists them)", message.c_str(), reading.problems.size() - 1);
        throw InputError(message);
    }
    return std::move(reading.course);
}

Course load_pack_file(const std::string& path) { return load_pack(read_text_file(path, kMaxCourseFileBytes), path); }

const std::vector<BuiltinPack>& builtin_packs() {
    static const std::vector<BuiltinPack> packs = {{"notebook", kNotebookCourseJson},
                                                   {"temperature-masks", kTemperatureMasksPackJson}};
    return packs;
}

const BuiltinPack* find_builtin_pack(const std::string& id) {
    for (const BuiltinPack& pack : builtin_packs())
        if (pack.id == id) return &pack;
    return nullptr;
}

std::string read_pack_source(const std::string& id_or_path) {
    if (const BuiltinPack* pack = find_builtin_pack(id_or_path)) return pack->json;
    return read_text_file(id_or_path, kMaxCourseFileBytes);
}

long long pack_work(const Course& course) {
    const long long keys = course.data.keys.rows(), d = course.data.keys.cols();
    long long work = 0;
    for (const Task& task : course.tasks) {
        if (task.discussion) continue;
        const long long rows = task.edit.tensor == TaskEdit::Tensor::Query ? std::max(1, task.edit.rows) : 1;
        work += rows * keys * d;  // ≤ 256 tasks × 1024 × 1024 × 128: far inside long long
    }
    return work;
}

int variant_attempts(const Course& course) {
    const long long work = std::max(1LL, pack_work(course));
    return static_cast<int>(std::clamp(kMaxVariantWork / work, 1LL, static_cast<long long>(kMaxVariantAttempts)));
}

std::vector<PackProblem> unsolvable_tasks(const Course& course, Language language) {
    std::vector<PackProblem> problems;
    SolveOptions options;
    options.language = language;
    std::vector<TaskSolution> solutions;
    solve_all(course, course.data, course.tolerance, options, &solutions);
    std::size_t s = 0;
    for (std::size_t i = 0; i < course.tasks.size(); ++i) {
        if (course.tasks[i].discussion) continue;
        const TaskSolution& solved = solutions[s++];
        const std::string at = item_path("$.tasks", i) + ".goal";
        if (!solved.solution.feasible)
            problems.push_back({at, "impossible goal " + in_quotes(course.tasks[i].target_text) + ": " +
                                        one_line(solved.solution.reason.empty() ? "no answer" : solved.solution.reason)});
        else if (!solved.check.pass)
            problems.push_back({at, format("the solver's answer misses by %g in float32 (tolerance %g)%s%s",
                                           static_cast<double>(solved.check.max_abs_diff),
                                           task_tolerance(course.tasks[i], course.tolerance),
                                           solved.check.problem.empty() ? "" : ": ", solved.check.problem.c_str())});
    }
    return problems;
}

std::uint32_t variant_seed(const std::string& pack_id, const std::string& student, int attempt) {
    std::string bytes = "attnlab-variant-1";
    bytes += '\0';
    bytes += pack_id;
    bytes += '\0';
    bytes += student;
    bytes += '\0';
    bytes += std::to_string(attempt);
    std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    return static_cast<std::uint32_t>(hash);
}

PackVariant make_variant(std::string_view pack_text, const std::string& where, const std::string& student) {
    if (student.empty() || student.size() > 200) throw InputError("--student: an ID of 1 to 200 bytes is needed");
    const Course base = load_pack(pack_text, where);
    if (!base.torch_data) throw InputError(printable_path(where) + ": variants need \"data\": {\"torch\": ...} (this pack's data are inline)");
    if (!base.variant_student.empty())
        throw InputError(printable_path(where) + ": is already the variant of " + in_quotes(base.variant_student));
    json doc = parse_json_text(pack_text, where);
    PackVariant out;
    const int attempts = variant_attempts(base);  // each seed solves the whole pack again
    for (int attempt = 0; attempt < attempts; ++attempt) {
        const std::uint32_t seed = variant_seed(base.id, student, attempt);
        doc["data"]["torch"]["seed"] = seed;
        doc["variant"] = json{{"student", student}, {"attempt", attempt}, {"base_seed", base.torch.seed}};
        const PackReading reading = read_pack(doc.dump(), where);
        if (reading.ok) {
            out.doc = doc;
            out.course = reading.course;
            out.attempt = attempt;
            return out;
        }
        out.skipped.push_back(format("seed %u (attempt %d): %s: %s", seed, attempt, reading.problems.front().path.c_str(),
                                     reading.problems.front().message.c_str()));
    }
    throw InputError(printable_path(where) + ": no solvable variant for " + in_quotes(student) + " in " +
                     std::to_string(attempts) + " seeds; the tasks are too hard for random data" +
                     (attempts < kMaxVariantAttempts ? " (the work limit allows " + std::to_string(attempts) + " seeds of this pack)"
                                                     : std::string()));
}

PackAnswers read_pack_answers(std::string_view text, const std::string& where, const Course& course) {
    const json doc = parse_json_text(text, where);
    const std::string at = printable_path(where);
    if (!doc.is_object()) throw InputError(at + ": expected a JSON object of answers");
    PackAnswers out;
    const json* answers = &doc;
    if (doc.contains("answers")) {
        answers = &doc["answers"];
        for (auto it = doc.begin(); it != doc.end(); ++it) {
            const std::string& key = it.key();
            if (key == "answers") continue;
            if ((key != "pack" && key != "student") || !it->is_string())
                throw InputError(at + ": " + in_quotes(key) + ": expected only \"pack\", \"student\" (strings) and \"answers\"");
            (key == "pack" ? out.pack : out.student) = it->get<std::string>();
        }
        if (!answers->is_object()) throw InputError(at + ": \"answers\" must be an object");
    }
    for (auto it = answers->begin(); it != answers->end(); ++it) {
        const Task* task = course.find_by_answer(it.key());
        if (!task) throw InputError(at + ": " + in_quotes(it.key()) + " is not an answer of pack " + in_quotes(course.id));
        AnswerTensor tensor;
        const std::string what = at + ": " + it.key();
        if (it->is_number()) {
            tensor.data = Eigen::MatrixXd::Constant(1, 1, it->get<double>());
            if (!std::isfinite(tensor.data(0, 0))) throw InputError(what + ": not a finite number");
        } else {
            tensor.data = json_value_to_matrix(*it, what);
            tensor.is_vector = it->is_array() && !it->empty() && !(*it)[0].is_array();
        }
        require_magnitude(tensor.data, what, tensor.is_vector, kMaxMagnitude);
        out.answers[it.key()] = tensor;
    }
    return out;
}

json pack_answers_json(const Course& course, const AnswerSet& answers) {
    json out{{"pack", course.id}};
    if (!course.variant_student.empty()) out["student"] = course.variant_student;
    json values = json::object();
    for (const Task& task : course.tasks) {
        const auto it = answers.find(task.answer);
        if (task.discussion || it == answers.end()) continue;
        const Eigen::MatrixXd& m = it->second.data;
        if (task.edit.tensor == TaskEdit::Tensor::Temperature) values[task.answer] = m(0, 0);
        else values[task.answer] = it->second.is_vector ? vector_to_json(m) : matrix_to_json(m);
    }
    out["answers"] = values;
    return out;
}

CourseAnswerNames course_answer_names(const Course& course) {
    CourseAnswerNames names;
    for (const Task& task : course.tasks) {
        if (task.discussion) continue;
        names.names.push_back(task.answer);
        if (task.edit.tensor == TaskEdit::Tensor::Temperature) names.numbers.push_back(task.answer);
        if (task.edit.tensor == TaskEdit::Tensor::KeyRow) names.key_checked.push_back(task.answer);
    }
    return names;
}

PackHandIn read_pack_hand_in(const std::string& path, const Course& course) {
    const std::string text = read_text_file(path, kMaxAnswerFileBytes);
    const bool notebook = path.size() >= 6 && path.compare(path.size() - 6, 6, ".ipynb") == 0;
    const auto first = text.find_first_not_of(" \t\r\n\f\v");
    PackHandIn out;
    if (!notebook && first != std::string::npos && text[first] == '{') {
        PackAnswers named = read_pack_answers(text, path, course);
        if (!named.pack.empty() && named.pack != course.id)
            throw InputError(printable_path(path) + ": answers for pack " + in_quotes(named.pack) + ", not " +
                             in_quotes(course.id));
        out.hand_in.answers = std::move(named.answers);
        out.student = named.student;
        return out;
    }
    out.hand_in = parse_code_hand_in(text, path, notebook, course.data, course_answer_names(course));
    return out;
}

}  // namespace attn
