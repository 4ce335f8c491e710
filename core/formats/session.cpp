// attnlab core: sessions as JSON files.
//
// Layout (version 1):
//
//   {"format": "attnlab-session", "version": 1,
//    "mode": "exercises" | "sandbox",
//    "answers": {"query121": {"value": [1, 2, 3], "vector": true},
//                "query122": {"value": [[..], [..]], "vector": false}, ...},
//    "selected_task": "1.2.1",
//    "tolerance": 0.05,
//    "sandbox": {"source": "notebook" | "torch_seed" | "random" | "typed",
//                "torch_seed": 447, "key_count": 4, "key_dim": 3, "value_dim": 3,
//                "keys": [[..]], "values": [[..]], "queries": [[..]],
//                "scale": "one" | "inv_sqrt_d" | "temperature", "temperature": 1.0,
//                "causal": false, "goal": "select:0"},
//    "view": {"language": "en" | "zh" | any code with a catalog (core/base/i18n.h), "presentation": false, "text_zoom": 1.0,
//             "camera_yaw": 0.6, "camera_pitch": 0.35, "camera_distance": 3.2},
//    "notes": {"1.2.3": "the student's notes on a discussion task", ...},
//    "captured": {"file": "/abs/encoder.safetensors", "fingerprint": "0123456789abcdef",
//                 "layer": 0, "head": 1, "scale": "inv_sqrt_d", "temperature": 1.0, "causal": false,
//                 "edits": [{"layer": 0, "head": 1, "tensor": "q", "row": 3, "value": [..d numbers]}, ...]},
//    "pack": {"builtin": "temperature-masks"} | {"file": "/path/pack.json", "hash": "fnv1a64:..."},
//            either with "student": "ID" for a variant; absent for the notebook}
//
// Version 2 adds "captured" (and mode "captured") and "pack"; it is written only when a capture
// was opened or a course pack is in use, so every other session stays version 1 and older
// attnlabs keep reading it.
//
// Reading rules
// - "format" and "version" are required; every other field (and every field inside "sandbox" and
//   "view") is optional and defaults to default_session()'s value, so older and hand-written
//   files load. key_count/key_dim/value_dim, when absent, are taken from the matrices.
// - Unknown fields are refused (a typo must not be silently ignored); a newer attnlab that adds
//   fields writes a newer version.
// - Answers: "value" is required; a flat list is a vector (shape (n,)), a list of rows a matrix.
//   "vector", when given, must agree with the value's form. Names must be the vocabulary's
//   answer_names (SessionVocabulary in session.h).
// - Numbers: doubles are written with nlohmann's shortest round-trip form, so they read back
//   bit-exactly; view floats are widened to double when written and narrowed back when read
//   (exact). torch_seed is an unsigned 64-bit integer.
// - Limits (core/base/limits.h): 1 <= N <= kMaxKeys, 1 <= d <= kMaxKeyDim, 1 <= dv <= kMaxValueDim,
//   1 <= n <= kMaxQueries queries; every tensor entry (answers, keys, values, queries) within
//   ±kMaxMagnitude; answers at most kMaxTensorRows rows and kMaxTensorElements numbers; 0 <
//   tolerance <= kMaxTolerance; temperature in [kMinTemperature, kMaxTemperature]; the goal at
//   most kMaxGoalTextBytes; text_zoom in [0.5, 3]; camera_distance > 0; everything finite.
// - The text is read by parse_json_text (depth limit, no duplicate keys, no NUL); every piece of
//   the file quoted in a message goes through printable().
#include "core/formats/session.h"

#include "core/base/error.h"
#include "core/base/i18n.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/base/text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

namespace attn {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "attnlab-session";
constexpr int kVersion = 2;         // the newest version read
constexpr int kPlainVersion = 1;    // written when there is neither a "captured" nor a "pack" part

// ---- enum spellings ---------------------------------------------------------------------------

const char* mode_name(AppMode mode) {
    return mode == AppMode::Sandbox ? "sandbox" : mode == AppMode::Captured ? "captured" : "exercises";
}

const char* source_name(DataSource source) {
    switch (source) {
        case DataSource::Notebook: return "notebook";
        case DataSource::TorchSeed: return "torch_seed";
        case DataSource::Random: return "random";
        case DataSource::Typed: return "typed";
    }
    return "notebook";
}

const char* scale_name(ScaleMode mode) {
    switch (mode) {
        case ScaleMode::One: return "one";
        case ScaleMode::InvSqrtD: return "inv_sqrt_d";
        case ScaleMode::Temperature: return "temperature";
    }
    return "one";
}

// ---- writing ----------------------------------------------------------------------------------

// Pretty printing that keeps a list of numbers on one line: a 256×16 matrix is 256 lines, not 4096.
bool is_flat(const json& value) {
    if (!value.is_array()) return false;
    for (const json& item : value)
        if (item.is_structured()) return false;
    return true;
}

std::string dump_scalar(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

void pretty(const json& value, int indent, std::string& out) {
    const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
    if (value.is_object()) {
        if (value.empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        bool first = true;
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (!first) out += ",\n";
            first = false;
            out += inner + dump_scalar(json(it.key())) + ": ";
            pretty(it.value(), indent + 1, out);
        }
        out += "\n" + pad + "}";
    } else if (value.is_array() && !is_flat(value)) {
        out += "[\n";
        bool first = true;
        for (const json& item : value) {
            if (!first) out += ",\n";
            first = false;
            out += inner;
            pretty(item, indent + 1, out);
        }
        out += "\n" + pad + "]";
    } else if (value.is_array()) {
        out += "[";
        bool first = true;
        for (const json& item : value) {
            if (!first) out += ", ";
            first = false;
            out += dump_scalar(item);
        }
        out += "]";
    } else {
        out += dump_scalar(value);
    }
}

// An object whose fields are written in the given order (nlohmann's json sorts by key). A field
// is a JSON value, or text already written by pretty_fields (a nested ordered object).
struct Field {
    const char* name;
    json value;
    std::string written;
    Field(const char* n, json v) : name(n), value(std::move(v)) {}
    Field(const char* n, std::string w, bool) : name(n), written(std::move(w)) {}
};

std::string pretty_fields(const std::vector<Field>& fields, int indent) {
    const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
    std::string out = "{\n";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        out += inner + dump_scalar(json(fields[i].name)) + ": ";
        if (fields[i].written.empty())
            pretty(fields[i].value, indent + 1, out);
        else
            out += fields[i].written;
        out += i + 1 < fields.size() ? ",\n" : "\n";
    }
    return out + std::string(static_cast<std::size_t>(indent) * 2, ' ') + "}";
}

std::string captured_to_json(const CapturedSession& c) {
    json edits = json::array();
    for (const auto& [key, row] : c.edits)
        edits.push_back({{"layer", key.layer}, {"head", key.head}, {"tensor", std::string(1, key.tensor)},
                         {"row", key.row}, {"value", vector_to_json(Eigen::MatrixXd(row))}});
    return pretty_fields({{"file", c.path},
                          {"fingerprint", c.fingerprint},
                          {"layer", c.layer},
                          {"head", c.head},
                          {"scale", scale_name(c.scale_mode)},
                          {"temperature", c.temperature},
                          {"causal", c.causal},
                          {"edits", edits}},
                         1);
}

json pack_to_json(const SessionPack& pack) {
    json out = json::object();
    if (!pack.builtin.empty()) out["builtin"] = pack.builtin;
    if (!pack.file.empty()) {
        out["file"] = pack.file;
        out["hash"] = pack.hash;
    }
    if (!pack.student.empty()) out["student"] = pack.student;
    return out;
}

std::string to_json_unchecked(const Session& s) {
    json answers = json::object();
    for (const auto& [name, tensor] : s.answers) {
        json entry = json::object();
        entry["value"] = tensor.is_vector ? vector_to_json(tensor.data) : matrix_to_json(tensor.data);
        entry["vector"] = tensor.is_vector;
        answers[name] = entry;
    }
    const SandboxSession& b = s.sandbox;
    const ViewSession& v = s.view;
    const std::string sandbox = pretty_fields({{"source", source_name(b.source)},
                                               {"torch_seed", b.torch_seed},
                                               {"key_count", b.key_count},
                                               {"key_dim", b.key_dim},
                                               {"value_dim", b.value_dim},
                                               {"keys", matrix_to_json(b.data.keys)},
                                               {"values", matrix_to_json(b.data.values)},
                                               {"queries", matrix_to_json(b.queries)},
                                               {"scale", scale_name(b.scale_mode)},
                                               {"temperature", b.temperature},
                                               {"causal", b.causal},
                                               {"goal", b.goal}},
                                              1);
    // Floats are widened to double: exact, if longer than the float's shortest form.
    const std::string view = pretty_fields({{"language", v.language},
                                            {"presentation", v.presentation},
                                            {"text_zoom", static_cast<double>(v.text_zoom)},
                                            {"camera_yaw", static_cast<double>(v.camera_yaw)},
                                            {"camera_pitch", static_cast<double>(v.camera_pitch)},
                                            {"camera_distance", static_cast<double>(v.camera_distance)}},
                                           1);
    const bool captured = !s.captured.path.empty();
    // Version 2 adds "captured" and "pack"; a session without either stays version 1.
    const bool newer = captured || !s.pack.empty();
    std::vector<Field> fields{{"format", kFormat},
                              {"version", newer ? kVersion : kPlainVersion},
                              {"mode", mode_name(s.mode)},
                              {"answers", answers},
                              {"selected_task", s.selected_task},
                              {"tolerance", s.tolerance},
                              {"sandbox", sandbox, true},
                              {"view", view, true},
                              {"notes", json(s.notes)}};
    if (captured) fields.emplace_back("captured", captured_to_json(s.captured), true);
    if (!s.pack.empty()) fields.emplace_back("pack", pack_to_json(s.pack));
    return pretty_fields(fields, 0) + "\n";
}

// ---- reading ----------------------------------------------------------------------------------

// Reads the fields of one JSON object, each optional, and refuses fields it was not asked about.
class ObjectReader {
public:
    ObjectReader(const json& object, std::string where, std::string path)
        : object_(object), where_(std::move(where)), path_(std::move(path)) {
        if (!object_.is_object()) fail_at(path_.empty() ? "the document" : path_, "must be a JSON object");
    }

    // The field's value, or nullptr when absent. Records the name as known.
    const json* get(const std::string& name) {
        known_.insert(name);
        const auto it = object_.find(name);
        return it == object_.end() ? nullptr : &*it;
    }

    std::string field_path(const std::string& name) const {
        return path_.empty() ? printable(name) : path_ + "." + printable(name);
    }

    [[noreturn]] void fail(const std::string& name, const std::string& problem) const {
        fail_at(field_path(name), problem);
    }
    [[noreturn]] void fail_at(const std::string& path, const std::string& problem) const {
        throw InputError(where_ + ": " + path + " " + problem);
    }

    const std::string& where() const { return where_; }

    // Call after every get(): refuses anything not asked for.
    void refuse_unknown() const {
        for (auto it = object_.begin(); it != object_.end(); ++it)
            if (known_.count(it.key()) == 0) fail(it.key(), "is not a known field");
    }

    void read_string(const std::string& name, std::string& out) {
        if (const json* v = get(name)) {
            if (!v->is_string()) fail(name, "must be a string");
            out = v->get<std::string>();
        }
    }
    void read_bool(const std::string& name, bool& out) {
        if (const json* v = get(name)) {
            if (!v->is_boolean()) fail(name, "must be true or false");
            out = v->get<bool>();
        }
    }
    void read_double(const std::string& name, double& out) {
        if (const json* v = get(name)) {
            if (!v->is_number()) fail(name, "must be a number");
            const double x = v->get<double>();
            if (!std::isfinite(x)) fail(name, "is not finite");
            out = x;
        }
    }
    void read_float(const std::string& name, float& out) {
        double x = out;
        read_double(name, x);
        if (std::fabs(x) > static_cast<double>(std::numeric_limits<float>::max())) fail(name, "is out of range");
        out = static_cast<float>(x);
    }
    // Returns whether the field was present.
    bool read_int(const std::string& name, int& out) {
        const json* v = get(name);
        if (!v) return false;
        if (!v->is_number_integer()) fail(name, "must be a whole number");
        if (v->is_number_unsigned() ? v->get<std::uint64_t>() > 1000000u
                                    : (v->get<std::int64_t>() < -1000000 || v->get<std::int64_t>() > 1000000))
            fail(name, "is out of range");
        out = static_cast<int>(v->get<std::int64_t>());
        return true;
    }
    void read_u64(const std::string& name, std::uint64_t& out) {
        if (const json* v = get(name)) {
            if (!v->is_number_integer()) fail(name, "must be a whole number");
            if (!v->is_number_unsigned()) fail(name, "must not be negative");
            out = v->get<std::uint64_t>();
        }
    }
    bool read_matrix(const std::string& name, Eigen::MatrixXd& out) {
        const json* v = get(name);
        if (!v) return false;
        out = json_value_to_matrix(*v, where_ + ": " + field_path(name));
        return true;
    }

private:
    const json& object_;
    std::string where_;
    std::string path_;
    std::set<std::string> known_;
};

template <typename Enum>
Enum parse_enum(ObjectReader& reader, const std::string& name, Enum current,
                std::initializer_list<std::pair<const char*, Enum>> spellings) {
    std::string text;
    const json* v = reader.get(name);
    if (!v) return current;
    if (!v->is_string()) reader.fail(name, "must be a string");
    text = v->get<std::string>();
    std::string expected;
    for (const auto& [spelling, value] : spellings) {
        if (text == spelling) return value;
        expected += expected.empty() ? "" : ", ";
        expected += std::string("\"") + spelling + "\"";
    }
    reader.fail(name, "is " + in_quotes(text, 20) + "; expected one of " + expected);
}

bool contains(const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

AnswerSet read_answers(const json& value, const std::string& where, bool notebook, const SessionVocabulary& names) {
    ObjectReader reader(value, where, "answers");
    AnswerSet answers;
    for (auto it = value.begin(); it != value.end(); ++it) {
        const std::string& name = it.key();
        const std::string path = "answers." + printable(name);
        const bool known = notebook ? contains(names.answer_names, name) : is_identifier(name);
        if (!known && !notebook) reader.fail(name, "is not an answer name (a Python name)");
        if (!known) {
            std::string list;
            for (const std::string& valid : names.answer_names) list += (list.empty() ? "" : ", ") + valid;
            reader.fail(name, "is not an answer name (expected " + list + ")");
        }
        reader.get(name);
        ObjectReader entry(it.value(), where, path);
        const json* data = entry.get("value");
        if (!data) entry.fail_at(path, "has no \"value\"");
        AnswerTensor tensor;
        tensor.data = json_value_to_matrix(*data, where + ": " + path + ".value");
        tensor.is_vector = !(*data)[0].is_array();
        bool vector = tensor.is_vector;
        entry.read_bool("vector", vector);
        if (vector != tensor.is_vector)
            entry.fail("vector", vector ? "is true but \"value\" is a list of rows"
                                        : "is false but \"value\" is a flat list (a vector)");
        entry.refuse_unknown();
        answers[name] = tensor;
    }
    return answers;
}

// "scale", "temperature" and "causal", shared by the sandbox and a capture.
void read_scale_and_mask(ObjectReader& r, ScaleMode& scale_mode, double& temperature, bool& causal) {
    scale_mode = parse_enum<ScaleMode>(r, "scale", scale_mode,
                                       {{"one", ScaleMode::One},
                                        {"inv_sqrt_d", ScaleMode::InvSqrtD},
                                        {"temperature", ScaleMode::Temperature}});
    r.read_double("temperature", temperature);
    r.read_bool("causal", causal);
}

void read_sandbox(const json& value, const std::string& where, SandboxSession& b) {
    ObjectReader r(value, where, "sandbox");
    b.source = parse_enum<DataSource>(r, "source", b.source,
                                      {{"notebook", DataSource::Notebook},
                                       {"torch_seed", DataSource::TorchSeed},
                                       {"random", DataSource::Random},
                                       {"typed", DataSource::Typed}});
    r.read_u64("torch_seed", b.torch_seed);
    const bool has_keys = r.read_matrix("keys", b.data.keys);
    const bool has_values = r.read_matrix("values", b.data.values);
    r.read_matrix("queries", b.queries);
    int key_count = static_cast<int>(b.data.keys.rows());
    int key_dim = static_cast<int>(b.data.keys.cols());
    int value_dim = static_cast<int>(b.data.values.cols());
    const bool has_count = r.read_int("key_count", key_count);
    const bool has_dim = r.read_int("key_dim", key_dim);
    const bool has_vdim = r.read_int("value_dim", value_dim);
    // A count given without its matrix is checked against the default matrix by validate_session.
    b.key_count = has_count || has_keys ? key_count : b.key_count;
    b.key_dim = has_dim || has_keys ? key_dim : b.key_dim;
    b.value_dim = has_vdim || has_values ? value_dim : b.value_dim;
    read_scale_and_mask(r, b.scale_mode, b.temperature, b.causal);
    r.read_string("goal", b.goal);
    r.refuse_unknown();
}

void read_captured_edits(const json& value, const std::string& where, CapturedSession& c) {
    if (!value.is_array()) throw InputError(where + ": captured.edits must be a list");
    if (value.size() > static_cast<std::size_t>(kMaxCapturedEdits))
        throw InputError(where + ": captured.edits has " + std::to_string(value.size()) + " rows, more than the limit of " +
                         std::to_string(kMaxCapturedEdits));
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string path = "captured.edits[" + std::to_string(i) + "]";
        ObjectReader r(value[i], where, path);
        CapturedRowKey key;
        std::string tensor = "q";
        if (!r.read_int("layer", key.layer) || !r.read_int("head", key.head) || !r.read_int("row", key.row))
            r.fail_at(path, "needs \"layer\", \"head\" and \"row\"");
        r.read_string("tensor", tensor);
        if (tensor != "q" && tensor != "k" && tensor != "v") r.fail("tensor", "is " + in_quotes(tensor, 20) + "; expected \"q\", \"k\" or \"v\"");
        key.tensor = tensor[0];
        Eigen::MatrixXd row;
        if (!r.read_matrix("value", row)) r.fail_at(path, "has no \"value\"");
        if (row.rows() != 1) r.fail("value", "must be a flat list of numbers");
        r.refuse_unknown();
        if (c.edits.count(key)) r.fail_at(path, "repeats an earlier row");
        c.edits[key] = row.row(0);
    }
}

void read_captured(const json& value, const std::string& where, CapturedSession& c) {
    ObjectReader r(value, where, "captured");
    r.read_string("file", c.path);
    r.read_string("fingerprint", c.fingerprint);
    r.read_int("layer", c.layer);
    r.read_int("head", c.head);
    read_scale_and_mask(r, c.scale_mode, c.temperature, c.causal);
    if (const json* edits = r.get("edits")) read_captured_edits(*edits, where, c);
    r.refuse_unknown();
    if (c.path.empty()) r.fail("file", "must name the opened file");
}

void read_view(const json& value, const std::string& where, ViewSession& v) {
    ObjectReader r(value, where, "view");
    r.read_string("language", v.language);
    r.read_bool("presentation", v.presentation);
    r.read_float("text_zoom", v.text_zoom);
    r.read_float("camera_yaw", v.camera_yaw);
    r.read_float("camera_pitch", v.camera_pitch);
    r.read_float("camera_distance", v.camera_distance);
    r.refuse_unknown();
}

// A pack's notes are read by any id; the notebook's by its discussion tasks.
std::map<std::string, std::string> read_notes(const json& value, const std::string& where, bool notebook,
                                              const SessionVocabulary& names) {
    ObjectReader reader(value, where, "notes");
    std::map<std::string, std::string> notes;
    if (notebook) {
        for (const std::string& id : names.discussion_tasks) reader.read_string(id, notes[id]);
    } else if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) reader.read_string(it.key(), notes[it.key()]);
    }
    reader.refuse_unknown();
    for (auto it = notes.begin(); it != notes.end();) it = it->second.empty() ? notes.erase(it) : std::next(it);
    return notes;
}

SessionPack read_pack_ref(const json& value, const std::string& where) {
    ObjectReader r(value, where, "pack");
    SessionPack pack;
    r.read_string("builtin", pack.builtin);
    r.read_string("file", pack.file);
    r.read_string("hash", pack.hash);
    r.read_string("student", pack.student);
    r.refuse_unknown();
    return pack;
}

Session from_json_document(const json& doc, const std::string& where, const SessionVocabulary& names) {
    ObjectReader r(doc, where, "");
    const json* format = r.get("format");
    if (!format) throw InputError(where + ": not an attnlab session (no \"format\" field)");
    if (!format->is_string() || format->get<std::string>() != kFormat)
        throw InputError(where + ": not an attnlab session (\"format\" is " + printable(dump_scalar(*format), 60) +
                         ", expected \"" + kFormat + "\")");
    const json* version = r.get("version");
    if (!version) r.fail("version", "is missing");
    if (!version->is_number_integer()) r.fail("version", "must be a whole number");
    const bool negative = !version->is_number_unsigned() && version->get<std::int64_t>() < 0;
    const std::string shown = negative ? std::to_string(version->get<std::int64_t>())
                                       : std::to_string(version->get<std::uint64_t>());
    if (!negative && version->get<std::uint64_t>() > static_cast<std::uint64_t>(kVersion))
        throw InputError(where + ": written by a newer attnlab (session version " + shown +
                         "; this one reads version " + std::to_string(kVersion) + ")");
    if (negative || version->get<std::uint64_t>() < 1)
        throw InputError(where + ": session version " + shown + " is not valid (this attnlab reads version " +
                         std::to_string(kVersion) + ")");

    Session s = default_session();
    s.mode = parse_enum<AppMode>(r, "mode", s.mode,
                                 {{"exercises", AppMode::Exercises}, {"sandbox", AppMode::Sandbox}, {"captured", AppMode::Captured}});
    if (const json* pack = r.get("pack")) s.pack = read_pack_ref(*pack, where);
    if (const json* answers = r.get("answers")) s.answers = read_answers(*answers, where, s.pack.empty(), names);
    r.read_string("selected_task", s.selected_task);
    r.read_double("tolerance", s.tolerance);
    if (const json* sandbox = r.get("sandbox")) read_sandbox(*sandbox, where, s.sandbox);
    if (const json* view = r.get("view")) read_view(*view, where, s.view);
    if (const json* notes = r.get("notes")) s.notes = read_notes(*notes, where, s.pack.empty(), names);
    if (const json* captured = r.get("captured")) read_captured(*captured, where, s.captured);
    r.refuse_unknown();
    validate_session(s, where, names);
    return s;
}

bool same_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() && (a.size() == 0 || (a.array() == b.array()).all());
}

[[noreturn]] void invalid(const std::string& where, const std::string& path, const std::string& problem) {
    throw InputError(where + ": " + path + " " + problem);
}

void check_matrix(const Eigen::MatrixXd& m, const std::string& where, const std::string& path) {
    if (m.rows() < 1 || m.cols() < 1) invalid(where, path, "is empty");
    require_finite(m, where + ": " + path);
}

// Only what the session itself can know: the file's shape is checked when it is opened.
void validate_captured(const Session& s, const std::string& where) {
    const CapturedSession& c = s.captured;
    if (c.path.empty()) {
        if (s.mode == AppMode::Captured) invalid(where, "mode", "is \"captured\" but no captured file is named");
        return;
    }
    if (c.path.size() > 4096) invalid(where, "captured.file", "is longer than 4096 bytes");
    if (c.fingerprint.size() > 16 || c.fingerprint.find_first_not_of("0123456789abcdef") != std::string::npos)
        invalid(where, "captured.fingerprint", "must be at most 16 hex digits");
    if (c.layer < 0 || c.layer >= kMaxCaptureLayers) invalid(where, "captured.layer", "is out of range");
    if (c.head < 0 || c.head >= kMaxCaptureHeads) invalid(where, "captured.head", "is out of range");
    if (c.temperature < kMinTemperature || c.temperature > kMaxTemperature)
        invalid(where, "captured.temperature",
                format("is %g, outside the limits %g to %g", c.temperature, kMinTemperature, kMaxTemperature));
    if (c.edits.size() > static_cast<std::size_t>(kMaxCapturedEdits))
        invalid(where, "captured.edits", "has more than " + std::to_string(kMaxCapturedEdits) + " rows");
    for (const auto& [key, row] : c.edits) {
        const std::string path = format("captured.edits (layer %d, head %d, %c row %d)", key.layer, key.head, key.tensor, key.row);
        if (key.layer < 0 || key.layer >= kMaxCaptureLayers || key.head < 0 || key.head >= kMaxCaptureHeads ||
            key.row < 0 || key.row >= kMaxCaptureTokens || (key.tensor != 'q' && key.tensor != 'k' && key.tensor != 'v'))
            invalid(where, path, "is outside the limits of a capture");
        if (row.size() < 1 || row.size() > kMaxCaptureDim)
            invalid(where, path, "has " + std::to_string(row.size()) + " numbers; it must be 1 to " + std::to_string(kMaxCaptureDim));
        const Eigen::MatrixXd m = row;
        require_finite(m, where + ": " + path);
        require_magnitude(m, where + ": " + path, true, kMaxMagnitude);
    }
}

}  // namespace

bool CapturedSession::operator==(const CapturedSession& o) const {
    if (path != o.path || fingerprint != o.fingerprint || layer != o.layer || head != o.head ||
        scale_mode != o.scale_mode || temperature != o.temperature || causal != o.causal || edits.size() != o.edits.size())
        return false;
    for (auto a = edits.begin(), b = o.edits.begin(); a != edits.end(); ++a, ++b)
        if (!(a->first == b->first) || a->second.size() != b->second.size() || !(a->second.array() == b->second.array()).all())
            return false;
    return true;
}

Session default_session() {
    Session s;
    s.sandbox.data = notebook_dataset();
    s.sandbox.key_count = static_cast<int>(s.sandbox.data.keys.rows());
    s.sandbox.key_dim = static_cast<int>(s.sandbox.data.keys.cols());
    s.sandbox.value_dim = static_cast<int>(s.sandbox.data.values.cols());
    s.sandbox.queries = Eigen::MatrixXd::Zero(1, s.sandbox.key_dim);
    return s;
}

namespace {

void validate_pack_ref(const SessionPack& pack, const std::string& where, const SessionVocabulary& names) {
    if (pack.empty()) {
        if (!pack.hash.empty() || !pack.student.empty()) invalid(where, "pack", "names no built-in pack and no file");
        return;
    }
    if (!pack.builtin.empty() && !pack.file.empty()) invalid(where, "pack", "names both a built-in pack and a file");
    if (!pack.builtin.empty()) {
        bool known = false;
        std::string list;
        for (const std::string& id : names.builtin_packs) {
            known = known || id == pack.builtin;
            list += (list.empty() ? "" : ", ") + in_quotes(id);
        }
        if (!known) invalid(where, "pack.builtin", "is " + in_quotes(pack.builtin, 40) + "; expected one of " + list);
        if (!pack.hash.empty()) invalid(where, "pack.hash", "belongs to a file, not a built-in pack");
    }
    if (pack.file.size() > 4096 || pack.file.find('\0') != std::string::npos)
        invalid(where, "pack.file", "is not a usable path");
    if (!pack.file.empty() && (pack.hash.size() != 24 || pack.hash.rfind("fnv1a64:", 0) != 0 ||
                               pack.hash.find_first_not_of("0123456789abcdef", 8) != std::string::npos))
        invalid(where, "pack.hash", "is " + in_quotes(pack.hash, 40) + "; expected \"fnv1a64:\" and 16 hex digits");
    if (pack.student.size() > 200 || pack.student.find('\0') != std::string::npos)
        invalid(where, "pack.student", "must be an ID of at most 200 bytes");
}

}  // namespace

std::string content_hash(const std::string& bytes) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
    for (const unsigned char c : bytes) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return std::string("fnv1a64:") + text;
}

bool operator==(const SessionPack& a, const SessionPack& b) {
    return a.builtin == b.builtin && a.file == b.file && a.hash == b.hash && a.student == b.student;
}

namespace {

void validate_answers(const Session& s, const std::string& where, const SessionVocabulary& names) {
    for (const auto& [name, tensor] : s.answers) {
        const bool known = s.pack.empty() ? contains(names.answer_names, name) : is_identifier(name);
        const std::string path = "answers." + printable(name);
        if (!known) invalid(where, path, "is not an answer name");
        check_matrix(tensor.data, where, path + ".value");
        if (tensor.is_vector && tensor.data.rows() != 1)
            invalid(where, path, "is a vector but has " + std::to_string(tensor.data.rows()) + " rows");
        if (tensor.data.rows() > kMaxTensorRows || tensor.data.size() > kMaxTensorElements)
            invalid(where, path, "is " + shape_string(tensor.data) + ", more than the limit of " +
                                     std::to_string(kMaxTensorRows) + " rows and " +
                                     std::to_string(kMaxTensorElements) + " numbers");
        require_magnitude(tensor.data, where + ": " + path, tensor.is_vector, kMaxMagnitude);
    }
}

void validate_course_fields(const Session& s, const std::string& where, const SessionVocabulary& names) {
    validate_answers(s, where, names);
    validate_pack_ref(s.pack, where, names);
    if (!s.pack.empty() ? !is_identifier(s.selected_task, true) : !contains(names.task_ids, s.selected_task))
        invalid(where, "selected_task", in_quotes(s.selected_task) + " is not a task of the course");
    if (!std::isfinite(s.tolerance) || s.tolerance <= 0) invalid(where, "tolerance", "must be a number above 0");
    if (s.tolerance > kMaxTolerance)
        invalid(where, "tolerance", format("is %g, more than the limit of %g", s.tolerance, kMaxTolerance));
}

void validate_notes(const Session& s, const std::string& where, const SessionVocabulary& names) {
    for (const auto& [id, text] : s.notes) {
        if (s.pack.empty() ? !contains(names.discussion_tasks, id) : !is_identifier(id, true))
            invalid(where, "notes", "names a task that is not a discussion question");
        if (text.size() > kMaxNoteBytes)
            invalid(where, "notes." + id, "is longer than " + std::to_string(kMaxNoteBytes) + " bytes");
    }
}

void validate_sandbox(const SandboxSession& b, const std::string& where) {
    auto in_range = [&](int value, int high, const std::string& path) {
        if (value < 1 || value > high)
            invalid(where, path, "is " + std::to_string(value) + "; it must be 1 to " + std::to_string(high));
    };
    in_range(b.key_count, kMaxKeys, "sandbox.key_count");
    in_range(b.key_dim, kMaxKeyDim, "sandbox.key_dim");
    in_range(b.value_dim, kMaxValueDim, "sandbox.value_dim");
    check_matrix(b.data.keys, where, "sandbox.keys");
    check_matrix(b.data.values, where, "sandbox.values");
    check_matrix(b.queries, where, "sandbox.queries");
    const std::string keys_shape = shape_string(b.data.keys);
    if (b.data.keys.rows() != b.key_count || b.data.keys.cols() != b.key_dim)
        invalid(where, "sandbox.keys", "is " + keys_shape + " but key_count × key_dim is " +
                                           std::to_string(b.key_count) + "×" + std::to_string(b.key_dim));
    if (b.data.values.rows() != b.key_count || b.data.values.cols() != b.value_dim)
        invalid(where, "sandbox.values", "is " + shape_string(b.data.values) + " but key_count × value_dim is " +
                                             std::to_string(b.key_count) + "×" + std::to_string(b.value_dim));
    if (b.queries.cols() != b.key_dim)
        invalid(where, "sandbox.queries", "is " + shape_string(b.queries) + " but queries need key_dim = " +
                                              std::to_string(b.key_dim) + " columns like the keys (" + keys_shape +
                                              ")");
    if (b.queries.rows() > kMaxQueries)
        invalid(where, "sandbox.queries", "has " + std::to_string(b.queries.rows()) + " rows; at most " +
                                              std::to_string(kMaxQueries) + " are allowed");
    require_magnitude(b.data.keys, where + ": sandbox.keys", false, kMaxMagnitude);
    require_magnitude(b.data.values, where + ": sandbox.values", false, kMaxMagnitude);
    require_magnitude(b.queries, where + ": sandbox.queries", false, kMaxMagnitude);
    if (!std::isfinite(b.temperature) || b.temperature <= 0)
        invalid(where, "sandbox.temperature", "must be a number above 0");
    if (b.temperature < kMinTemperature || b.temperature > kMaxTemperature)
        invalid(where, "sandbox.temperature", format("is %g, outside the limits %g to %g", b.temperature,
                                                     kMinTemperature, kMaxTemperature));
    if (b.goal.size() > kMaxGoalTextBytes)
        invalid(where, "sandbox.goal", "is " + std::to_string(b.goal.size()) + " bytes, more than the limit of " +
                                           std::to_string(kMaxGoalTextBytes));
}

void validate_view(const ViewSession& v, const std::string& where) {
    if (!is_available_language(v.language)) {
        const auto& languages = available_languages();
        std::string expected;
        for (size_t i = 0; i < languages.size(); ++i)
            expected += (i == 0 ? "" : i + 1 == languages.size() ? " or " : ", ") + ("\"" + languages[i].code + "\"");
        invalid(where, "view.language", "is " + in_quotes(v.language, 20) + "; expected " + expected);
    }
    if (!(v.text_zoom >= 0.5f && v.text_zoom <= 3.0f)) invalid(where, "view.text_zoom", "must be 0.5 to 3");
    if (!std::isfinite(v.camera_yaw)) invalid(where, "view.camera_yaw", "is not finite");
    if (!std::isfinite(v.camera_pitch)) invalid(where, "view.camera_pitch", "is not finite");
    if (!std::isfinite(v.camera_distance) || v.camera_distance <= 0)
        invalid(where, "view.camera_distance", "must be a number above 0");
}

}  // namespace

// The order of the checks is the order of the messages a broken file gets: the course's fields,
// the sandbox, the capture, the view, the notes.
void validate_session(const Session& s, const std::string& where, const SessionVocabulary& names) {
    validate_course_fields(s, where, names);
    validate_sandbox(s.sandbox, where);
    validate_captured(s, where);
    validate_view(s.view, where);
    validate_notes(s, where, names);
}

std::string session_to_json(const Session& session, const SessionVocabulary& names) {
    validate_session(session, "session", names);
    return to_json_unchecked(session);
}

Session session_from_json(const std::string& text, const std::string& where_raw, const SessionVocabulary& names) {
    const std::string where = printable_path(where_raw);
    const json doc = parse_json_text(text, where_raw);
    try {
        return from_json_document(doc, where, names);
    } catch (const json::exception&) {
        // Every access above is type-checked first; this is a safety net, never a crash. No
        // nlohmann text: it can quote the file.
        throw InputError(where + ": unexpected JSON content");
    }
}

void save_session(const Session& session, const std::string& path, const SessionVocabulary& names) {
    validate_session(session, printable_path(path) + ": cannot save", names);
    write_file_atomically(path, to_json_unchecked(session));
}

Session load_session(const std::string& path, const SessionVocabulary& names) {
    return session_from_json(read_text_file(path, kMaxSessionFileBytes), path, names);
}

bool operator==(const ViewSession& v, const ViewSession& w) {
    return v.language == w.language && v.presentation == w.presentation && v.text_zoom == w.text_zoom &&
           v.camera_yaw == w.camera_yaw && v.camera_pitch == w.camera_pitch && v.camera_distance == w.camera_distance;
}

bool operator==(const Session& a, const Session& b) { return same_document(a, b) && a.view == b.view; }

bool same_document(const Session& a, const Session& b) {
    if (a.mode != b.mode || a.selected_task != b.selected_task || a.tolerance != b.tolerance) return false;
    if (a.answers.size() != b.answers.size()) return false;
    for (auto ia = a.answers.begin(), ib = b.answers.begin(); ia != a.answers.end(); ++ia, ++ib)
        if (ia->first != ib->first || ia->second.is_vector != ib->second.is_vector ||
            !same_matrix(ia->second.data, ib->second.data))
            return false;
    const SandboxSession& x = a.sandbox;
    const SandboxSession& y = b.sandbox;
    if (x.source != y.source || x.torch_seed != y.torch_seed || x.key_count != y.key_count ||
        x.key_dim != y.key_dim || x.value_dim != y.value_dim || x.scale_mode != y.scale_mode ||
        x.temperature != y.temperature || x.causal != y.causal || x.goal != y.goal)
        return false;
    if (!same_matrix(x.data.keys, y.data.keys) || !same_matrix(x.data.values, y.data.values) ||
        !same_matrix(x.queries, y.queries))
        return false;
    return a.notes == b.notes && a.captured == b.captured && a.pack == b.pack;
}

}  // namespace attn
