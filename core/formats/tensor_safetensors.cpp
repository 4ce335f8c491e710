// The safetensors container (Hugging Face): u64 header length, the JSON header, the byte buffer.
// Every entry is validated; q, k and v are decoded. Shared checks: tensor_file_internal.h.
#include "core/base/error.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/formats/tensor_file_internal.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace attn::tensor_io {

namespace {

struct StEntry {
    std::string name;
    DType type = DType::F32;
    bool float_type = false;
    std::string dtype;
    std::vector<u64> shape;
    u64 begin = 0, end = 0;
};

int safetensors_dtype_size(const std::string& dtype) {
    static const std::map<std::string, int> sizes{
        {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2},  {"U16", 2}, {"F16", 2},
        {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4},     {"F64", 8},     {"I64", 8},  {"U64", 8}};
    const auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

u64 json_u64(const nlohmann::json& value, const std::string& what) {
    if (!value.is_number_unsigned()) throw InputError(what + " is not a whole number ≥ 0");
    return value.get<u64>();
}

StEntry parse_st_entry(const std::string& name, const nlohmann::json& info, const std::string& where) {
    const std::string what = where + ": tensor " + single_quoted(name);
    if (!info.is_object()) throw InputError(what + " is not an object");
    for (const char* field : {"dtype", "shape", "data_offsets"})
        if (!info.contains(field)) throw InputError(what + " has no \"" + field + "\"");
    StEntry e;
    e.name = name;
    if (!info["dtype"].is_string()) throw InputError(what + " dtype is not a string");
    e.dtype = info["dtype"].get<std::string>();
    const int size = safetensors_dtype_size(e.dtype);
    if (size == 0) throw InputError(what + " has unknown dtype " + in_quotes(e.dtype));
    if (e.dtype == "F32" || e.dtype == "F16" || e.dtype == "BF16" || e.dtype == "F64") {
        e.float_type = true;
        e.type = e.dtype == "F32" ? DType::F32 : e.dtype == "F16" ? DType::F16 : e.dtype == "BF16" ? DType::BF16 : DType::F64;
    }
    const nlohmann::json& shape = info["shape"];
    if (!shape.is_array() || shape.size() > 8) throw InputError(what + " shape is not a list of at most 8 sizes");
    u64 bytes = static_cast<u64>(size);
    bool overflow = false;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        e.shape.push_back(json_u64(shape[i], what + " shape[" + std::to_string(i) + "]"));
        overflow = overflow || __builtin_mul_overflow(bytes, e.shape.back(), &bytes);
    }
    if (overflow) throw InputError(what + " has shape " + shape_text(e.shape) + ", too many numbers (the size overflows)");
    const nlohmann::json& offsets = info["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2) throw InputError(what + " data_offsets is not a list [begin, end]");
    e.begin = json_u64(offsets[0], what + " data_offsets[0]");
    e.end = json_u64(offsets[1], what + " data_offsets[1]");
    const std::string span = " data_offsets [" + num(e.begin) + ", " + num(e.end) + "]";
    if (e.end < e.begin) throw InputError(what + span + " end before they begin");
    if (e.end - e.begin != bytes)
        throw InputError(what + span + " hold " + num(e.end - e.begin) + " bytes but dtype " + e.dtype + " and shape " +
                         shape_text(e.shape) + " need " + num(bytes));
    return e;
}

Metadata parse_st_metadata(const nlohmann::json& meta, const std::string& where) {
    Metadata out;
    if (!meta.is_object()) throw InputError(where + ": __metadata__ is not an object of strings");
    for (const auto& [key, value] : meta.items())
        if (!value.is_string())
            throw InputError(where + ": metadata " + single_quoted(key) + " is not a string (safetensors metadata values are strings)");
    if (meta.contains("tokens")) {
        const std::string& text = meta["tokens"].get_ref<const std::string&>();
        if (text.size() > kMaxCaptureHeaderBytes) throw InputError(where + ": metadata 'tokens' is too long");
        const nlohmann::json list = parse_json_text(text, where + ": metadata 'tokens'", 2);
        if (!list.is_array()) throw InputError(where + ": metadata 'tokens' is not a JSON list of strings");
        if (list.size() > static_cast<std::size_t>(kMaxCaptureTokens))
            throw InputError(where + ": metadata 'tokens' lists " + std::to_string(list.size()) +
                             " tokens, more than the limit of " + std::to_string(kMaxCaptureTokens));
        std::vector<std::string> tokens;
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_string()) throw InputError(where + ": metadata 'tokens' item " + std::to_string(i) + " is not a string");
            tokens.push_back(list[i].get<std::string>());
            check_token(tokens.back(), i, where);
        }
        out.tokens = std::move(tokens);
    }
    if (meta.contains("causal")) set_causal(out, meta["causal"].get_ref<const std::string&>(), where);
    if (meta.contains("scale")) set_scale(out, meta["scale"].get_ref<const std::string&>(), where);
    return out;
}

}  // namespace

AttentionCapture read_safetensors(const Source& source, const std::string& where) {
    unsigned char head[8];
    source.read(0, 8, head);
    const u64 n = read_le(head, 8);
    if (n > source.size() - 8)
        throw InputError(where + ": safetensors header length " + num(n) + " runs past the end of the file (" +
                         num(source.size()) + " bytes)");
    if (n > kMaxCaptureHeaderBytes)
        throw InputError(where + ": safetensors header is " + num(n) + " bytes, more than the limit of " +
                         num(kMaxCaptureHeaderBytes));
    std::string text(static_cast<std::size_t>(n), '\0');
    source.read(8, text.size(), text.data());
    const nlohmann::json header = parse_json_text(text, where);
    if (!header.is_object()) throw InputError(where + ": safetensors header is not a JSON object");
    if (header.size() > static_cast<std::size_t>(kMaxCaptureEntries))
        throw InputError(where + ": lists " + std::to_string(header.size()) + " tensors, more than the limit of " +
                         std::to_string(kMaxCaptureEntries));
    const u64 buffer = source.size() - 8 - n;
    Metadata meta;
    std::vector<StEntry> entries;
    for (const auto& [name, info] : header.items()) {
        if (name == "__metadata__") {
            meta = parse_st_metadata(info, where);
            continue;
        }
        entries.push_back(parse_st_entry(name, info, where));
        const StEntry& e = entries.back();
        if (e.end > buffer)
            throw InputError(where + ": tensor " + single_quoted(e.name) + " data_offsets [" + num(e.begin) + ", " + num(e.end) +
                             "] run past the end of the data (" + num(buffer) + " bytes)");
    }
    // The safetensors rule: the tensors tile the data exactly, no overlap, no hole, nothing after.
    std::vector<const StEntry*> order;
    for (const StEntry& e : entries) order.push_back(&e);
    std::sort(order.begin(), order.end(),
              [](const StEntry* a, const StEntry* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
    u64 at = 0;
    const StEntry* previous = nullptr;
    for (const StEntry* e : order) {
        if (e->begin < at)
            throw InputError(where + ": tensors " + single_quoted(previous->name) + " and " + single_quoted(e->name) + " overlap (bytes " +
                             num(e->begin) + " to " + num(at) + ")");
        if (e->begin > at)
            throw InputError(where + ": " + num(e->begin - at) + " unused bytes before tensor " + single_quoted(e->name) +
                             " (safetensors data has no holes)");
        at = e->end;
        previous = e;
    }
    if (at != buffer)
        throw InputError(where + ": " + num(buffer - at) + " bytes after the last tensor's data (safetensors data has no holes)");

    const StEntry* qkv[3] = {nullptr, nullptr, nullptr};
    const char* names[3] = {"q", "k", "v"};
    for (int i = 0; i < 3; ++i) {
        for (const StEntry& e : entries)
            if (e.name == names[i]) qkv[i] = &e;
        if (!qkv[i])
            throw InputError(where + ": no tensor '" + names[i] + "' (attention files hold tensors q, k and v)");
        if (!qkv[i]->float_type)
            throw InputError(where + ": tensor '" + names[i] + "' has dtype " + qkv[i]->dtype +
                             ", expected F32, F16, BF16 or F64");
    }
    const Layouts layouts = check_layouts(qkv[0]->shape, qkv[1]->shape, qkv[2]->shape, where);
    AttentionCapture c = assemble(layouts, std::move(meta), where);
    c.container = "safetensors";
    c.dtype = dtype_name(qkv[0]->type);
    std::vector<float>* dest[3] = {&c.q, &c.k, &c.v};
    const Layout* lays[3] = {&layouts.q, &layouts.k, &layouts.v};
    for (int i = 0; i < 3; ++i) {
        const std::string what = where + ": tensor '" + names[i] + "'";
        dest[i]->resize(static_cast<std::size_t>(lays[i]->count()));
        RangeStream in(source, 8 + n + qkv[i]->begin, qkv[i]->end - qkv[i]->begin, what);
        decode(in, qkv[i]->type, *lays[i], dest[i]->data(), what);
        in.finish();
    }
    return c;
}

}  // namespace attn::tensor_io
