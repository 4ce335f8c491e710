// Sections: [bytes] sources and streams (pread, memory, zlib inflate) · [numbers] dtypes and
// decoding · [layout] shapes and the capture's assembly · [metadata] tokens/causal/scale ·
// [safetensors] · [npy] header parsing · [npz] zip records · [entry points].
#include "core/formats/tensor_file.h"

#include "core/base/error.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/base/text.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tensor_file.cpp reads little-endian data in place: port the decoding before building big-endian"
#endif

namespace attn {

namespace {

using u64 = std::uint64_t;

std::string single_quoted(std::string_view name) { return "'" + printable(name, 40) + "'"; }
std::string num(u64 x) { return std::to_string(x); }

// ---- [bytes] -------------------------------------------------------------------------------------

class Source {
public:
    virtual ~Source() = default;
    virtual u64 size() const = 0;
    // Reads exactly n bytes at offset; the caller has checked offset + n <= size().
    virtual void read(u64 offset, std::size_t n, void* dest) const = 0;
};

class MemorySource final : public Source {
public:
    explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
    u64 size() const override { return bytes_.size(); }
    void read(u64 offset, std::size_t n, void* dest) const override {
        assert(offset <= bytes_.size() && n <= bytes_.size() - offset);
        if (n > 0) std::memcpy(dest, bytes_.data() + offset, n);
    }

private:
    std::string_view bytes_;
};

class FileSource final : public Source {
public:
    FileSource(int fd, u64 size, std::string where) : fd_(fd), size_(size), where_(std::move(where)) {}
    ~FileSource() override { ::close(fd_); }
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;
    u64 size() const override { return size_; }
    void read(u64 offset, std::size_t n, void* dest) const override {
        char* out = static_cast<char*>(dest);
        while (n > 0) {
            const ssize_t got = ::pread(fd_, out, std::min<std::size_t>(n, std::size_t{1} << 30),
                                        static_cast<off_t>(offset));
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) throw InputError(where_ + ": cannot read (" + std::strerror(errno) + ")");
            if (got == 0) throw InputError(where_ + ": the file became shorter while it was read");
            out += got;
            offset += static_cast<u64>(got);
            n -= static_cast<std::size_t>(got);
        }
    }

private:
    int fd_;
    u64 size_;
    std::string where_;
};

// The bytes of one tensor (or npy entry), in order. Every stream counts what it hands out and
// keeps a CRC-32 of it (the zip entries check theirs).
class Stream {
public:
    virtual ~Stream() = default;
    void read(void* dest, std::size_t n) {
        produce(dest, n);
        crc_ = crc32_z(crc_, static_cast<const Bytef*>(dest), n);
        done_ += n;
    }
    u64 done() const { return done_; }
    unsigned long crc() const { return crc_; }
    // Called once every byte the caller wanted is read: the stream must hold nothing more.
    virtual void finish() = 0;

protected:
    virtual void produce(void* dest, std::size_t n) = 0;

private:
    u64 done_ = 0;
    unsigned long crc_ = crc32_z(0L, Z_NULL, 0);
};

class RangeStream final : public Stream {
public:
    RangeStream(const Source& source, u64 offset, u64 length, std::string what)
        : source_(source), offset_(offset), length_(length), what_(std::move(what)) {}
    void finish() override {
        if (done() != length_)
            throw InputError(what_ + " holds " + num(length_) + " bytes but its header and shape need " + num(done()));
    }

protected:
    void produce(void* dest, std::size_t n) override {
        if (n > length_ - pos_)
            throw InputError(what_ + " ends after " + num(length_) + " bytes, before its data does (truncated)");
        source_.read(offset_ + pos_, n, dest);
        pos_ += n;
    }

private:
    const Source& source_;
    u64 offset_, length_, pos_ = 0;
    std::string what_;
};

// A raw deflate stream (zip method 8) that may produce at most `declared` bytes.
class InflateStream final : public Stream {
public:
    InflateStream(const Source& source, u64 offset, u64 compressed, u64 declared, std::string what)
        : source_(source), offset_(offset), compressed_(compressed), declared_(declared), what_(std::move(what)) {
        std::memset(&z_, 0, sizeof z_);
        if (inflateInit2(&z_, -MAX_WBITS) != Z_OK) throw InputError(what_ + ": cannot start zlib");
        input_.resize(std::size_t{1} << 18);
    }
    ~InflateStream() override { inflateEnd(&z_); }
    InflateStream(const InflateStream&) = delete;
    InflateStream& operator=(const InflateStream&) = delete;

    void finish() override {
        if (done() != declared_)
            throw InputError(what_ + " declares " + num(declared_) + " bytes but its header and shape need " + num(done()));
        unsigned char probe = 0;
        if (pump(&probe, 1) != 0)
            throw InputError(what_ + " inflates to more than its declared " + num(declared_) + " bytes (a zip bomb?)");
    }

protected:
    void produce(void* dest, std::size_t n) override {
        if (n > declared_ - done())
            throw InputError(what_ + " declares " + num(declared_) + " bytes, fewer than its header and shape need");
        if (pump(static_cast<unsigned char*>(dest), n) != n)
            throw InputError(what_ + " inflates to fewer bytes than it declares (" + num(declared_) + "): truncated or corrupt");
    }

private:
    // Inflates up to n bytes into dest; returns how many came out (fewer only at the stream's end).
    std::size_t pump(unsigned char* dest, std::size_t n) {
        std::size_t out = 0;
        while (out < n && !ended_) {
            if (z_.avail_in == 0 && consumed_ < compressed_) {
                const std::size_t chunk = static_cast<std::size_t>(std::min<u64>(input_.size(), compressed_ - consumed_));
                source_.read(offset_ + consumed_, chunk, input_.data());
                consumed_ += chunk;
                z_.next_in = input_.data();
                z_.avail_in = static_cast<uInt>(chunk);
            }
            const std::size_t want = std::min<std::size_t>(n - out, std::size_t{1} << 30);
            z_.next_out = dest + out;
            z_.avail_out = static_cast<uInt>(want);
            const int rc = inflate(&z_, Z_NO_FLUSH);
            out += want - z_.avail_out;
            if (rc == Z_STREAM_END) {
                ended_ = true;
            } else if (rc == Z_BUF_ERROR && z_.avail_in == 0 && consumed_ == compressed_) {
                throw InputError(what_ + ": the compressed data ends early (truncated)");
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                throw InputError(what_ + ": corrupt compressed data (zlib: " + printable(z_.msg ? z_.msg : "error") + ")");
            }
        }
        return out;
    }

    const Source& source_;
    u64 offset_, compressed_, declared_, consumed_ = 0;
    std::string what_;
    z_stream z_;
    std::vector<unsigned char> input_;
    bool ended_ = false;
};

u64 read_le(const unsigned char* p, int bytes) {
    u64 x = 0;
    for (int i = bytes - 1; i >= 0; --i) x = (x << 8) | p[i];
    return x;
}

// ---- [numbers] -----------------------------------------------------------------------------------

enum class DType { F32, F16, BF16, F64 };

int dtype_size(DType t) { return t == DType::F32 ? 4 : t == DType::F64 ? 8 : 2; }
const char* dtype_name(DType t) {
    switch (t) {
    case DType::F32: return "float32";
    case DType::F16: return "float16";
    case DType::BF16: return "bfloat16";
    case DType::F64: return "float64";
    }
    return "?";
}

struct Layout {
    u64 layers = 1, heads = 1, tokens = 0, dim = 0;
    u64 count() const { return layers * heads * tokens * dim; }
    std::string position(u64 index) const {
        const u64 c = index % dim, t = index / dim % tokens, h = index / dim / tokens % heads,
                  l = index / dim / tokens / heads;
        return "layer " + num(l) + ", head " + num(h) + ", token " + num(t) + ", component " + num(c);
    }
};

// Reads layout.count() numbers of `type` from the stream into dest, checking each one.
void decode(Stream& in, DType type, const Layout& layout, float* dest, const std::string& what) {
    const u64 count = layout.count();
    constexpr std::size_t kChunk = std::size_t{1} << 16;  // numbers per step
    std::vector<unsigned char> buffer(type == DType::F32 ? 0 : kChunk * static_cast<std::size_t>(dtype_size(type)));
    for (u64 start = 0; start < count; start += kChunk) {
        const std::size_t n = static_cast<std::size_t>(std::min<u64>(kChunk, count - start));
        float* out = dest + start;
        if (type == DType::F32) {
            in.read(out, n * 4);
        } else {
            in.read(buffer.data(), n * static_cast<std::size_t>(dtype_size(type)));
            const unsigned char* p = buffer.data();
            for (std::size_t i = 0; i < n; ++i) {
                if (type == DType::F64) {
                    double x;
                    std::memcpy(&x, p + 8 * i, 8);
                    // Past the limit (or float32's range): a finite stand-in still past it, so the check
                    // below names the right problem.
                    out[i] = std::fabs(x) <= kMaxMagnitude ? static_cast<float>(x)
                             : std::isfinite(x)             ? static_cast<float>(2 * kMaxMagnitude)
                                                            : static_cast<float>(x);
                } else {
                    const auto bits = static_cast<std::uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
                    out[i] = type == DType::F16 ? float16_to_float(bits) : bfloat16_to_float(bits);
                }
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (!(std::fabs(out[i]) <= static_cast<float>(kMaxMagnitude))) {
                throw InputError(what + " at " + layout.position(start + i) +
                                 (std::isfinite(out[i]) ? " is outside ±1e6 (the limit)" : " is not finite"));
            }
        }
    }
}

// ---- [layout] ------------------------------------------------------------------------------------

std::string shape_text(const std::vector<u64>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + num(shape[i]);
    return s + "]";
}

// q, k or v's shape as [layers, heads, tokens, dim] within the limits.
Layout layout_of(const std::vector<u64>& shape, const std::string& what) {
    if (shape.size() != 4 && shape.size() != 2)
        throw InputError(what + " has shape " + shape_text(shape) +
                         ": expected [layers, heads, tokens, d] or [tokens, d]");
    Layout l;
    if (shape.size() == 4) {
        l.layers = shape[0];
        l.heads = shape[1];
    }
    l.tokens = shape[shape.size() - 2];
    l.dim = shape[shape.size() - 1];
    const auto check = [&](u64 value, long long limit, const char* name) {
        if (value == 0) throw InputError(what + " has shape " + shape_text(shape) + ": " + name + " is 0");
        if (value > static_cast<u64>(limit))
            throw InputError(what + " has " + num(value) + " " + name + ", more than the limit of " +
                             std::to_string(limit));
    };
    check(l.layers, kMaxCaptureLayers, "layers");
    check(l.heads, kMaxCaptureHeads, "heads");
    check(l.tokens, kMaxCaptureTokens, "tokens");
    check(l.dim, kMaxCaptureDim, "components (d)");
    if (l.layers * l.heads > static_cast<u64>(kMaxCaptureLayerHeads))
        throw InputError(what + " has " + num(l.layers) + " layers × " + num(l.heads) + " heads, more than the limit of " +
                         std::to_string(kMaxCaptureLayerHeads) + " heads in all");
    return l;
}

struct Layouts {
    Layout q, k, v;
};

Layouts check_layouts(const std::vector<u64>& q, const std::vector<u64>& k, const std::vector<u64>& v,
                      const std::string& where) {
    Layouts out{layout_of(q, where + ": tensor 'q'"), layout_of(k, where + ": tensor 'k'"),
                layout_of(v, where + ": tensor 'v'")};
    if (k != q)
        throw InputError(where + ": tensor 'k' has shape " + shape_text(k) + " but 'q' has " + shape_text(q) +
                         " (they must match)");
    if (v.size() != q.size() || out.v.layers != out.q.layers || out.v.heads != out.q.heads || out.v.tokens != out.q.tokens)
        throw InputError(where + ": tensor 'v' has shape " + shape_text(v) + " but 'q' has " + shape_text(q) +
                         " (all but the last dimension must match)");
    const u64 numbers = 2 * out.q.count() + out.v.count();
    if (numbers > static_cast<u64>(kMaxCaptureNumbers))
        throw InputError(where + ": q, k and v hold " + num(numbers) + " numbers, more than the limit of " +
                         std::to_string(kMaxCaptureNumbers));
    return out;
}

// ---- [metadata] ----------------------------------------------------------------------------------

struct Metadata {
    std::optional<std::vector<std::string>> tokens;
    bool causal = false;
    ScaleMode scale_mode = ScaleMode::InvSqrtD;
    double scale = 0;  // for ScaleMode::Temperature
};

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) len = 1;
        else if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned char d = static_cast<unsigned char>(s[i + k]);
            if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) return false;
        }
        i += len;
    }
    return true;
}

void check_token(const std::string& token, std::size_t index, const std::string& where) {
    const std::string what = where + ": token " + std::to_string(index);
    if (token.size() > kMaxTokenBytes)
        throw InputError(what + " is " + std::to_string(token.size()) + " bytes, more than the limit of " +
                         std::to_string(kMaxTokenBytes));
    if (!valid_utf8(token)) throw InputError(what + " is not valid UTF-8");
    if (token.find('\0') != std::string::npos) throw InputError(what + " contains a NUL character");
}

void set_causal(Metadata& meta, std::string_view text, const std::string& where) {
    if (text == "true" || text == "True" || text == "1") meta.causal = true;
    else if (text == "false" || text == "False" || text == "0") meta.causal = false;
    else throw InputError(where + ": metadata 'causal' is " + in_quotes(text) + ", expected true or false");
}

void set_scale_number(Metadata& meta, double x, const std::string& where) {
    if (!(x >= 1.0 / kMaxTemperature && x <= 1.0 / kMinTemperature))
        throw InputError(where + ": metadata 'scale' " + format("%g", x) + " is outside " + format("%g", 1.0 / kMaxTemperature) +
                         " to " + format("%g", 1.0 / kMinTemperature));
    if (x == 1.0) {
        meta.scale_mode = ScaleMode::One;
    } else {
        meta.scale_mode = ScaleMode::Temperature;
        meta.scale = x;
    }
}

void set_scale(Metadata& meta, std::string_view text, const std::string& where) {
    if (text == "inv_sqrt_d") {
        meta.scale_mode = ScaleMode::InvSqrtD;
        return;
    }
    if (text == "1") {
        meta.scale_mode = ScaleMode::One;
        return;
    }
    double x = 0;
    try {
        x = parse_decimal(std::string(text), "scale", 0, 1e300);
    } catch (const InputError&) {
        throw InputError(where + ": metadata 'scale' is " + in_quotes(text) + ", expected 1, inv_sqrt_d or a positive number");
    }
    set_scale_number(meta, x, where);
}

AttentionCapture assemble(const Layouts& layouts, Metadata meta, const std::string& where) {
    AttentionCapture c;
    c.layers = static_cast<int>(layouts.q.layers);
    c.heads = static_cast<int>(layouts.q.heads);
    c.tokens = static_cast<int>(layouts.q.tokens);
    c.d = static_cast<int>(layouts.q.dim);
    c.dv = static_cast<int>(layouts.v.dim);
    if (meta.tokens) {
        if (meta.tokens->size() != layouts.q.tokens)
            throw InputError(where + ": metadata 'tokens' lists " + std::to_string(meta.tokens->size()) +
                             " tokens but the tensors have " + num(layouts.q.tokens));
        c.token_labels = std::move(*meta.tokens);
    } else {
        for (int t = 0; t < c.tokens; ++t) c.token_labels.push_back("#" + std::to_string(t));
    }
    c.causal = meta.causal;
    c.scale_mode = meta.scale_mode;
    c.scale = meta.scale_mode == ScaleMode::One ? 1.0
              : meta.scale_mode == ScaleMode::InvSqrtD ? 1.0 / std::sqrt(static_cast<double>(c.d))
                                                      : meta.scale;
    return c;
}

// ---- [safetensors] -------------------------------------------------------------------------------

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

// ---- [npy] ---------------------------------------------------------------------------------------

struct NpyHeader {
    std::string descr;  // '<f4', '|b1', '<U12', ...
    bool fortran = false;
    std::vector<u64> shape;
    u64 header_bytes = 0;  // magic + lengths + dict
    u64 count = 1;         // product of shape
};

// A strict reader of the one Python dict literal np.save writes:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class DictReader {
public:
    DictReader(std::string_view text, std::string what) : text_(text), what_(std::move(what)) {}

    NpyHeader parse() {
        NpyHeader h;
        bool seen[3] = {false, false, false};
        expect('{');
        while (!peek('}')) {
            const std::string key = string_literal();
            expect(':');
            if (key == "descr") {
                if (peek('[')) throw InputError(what_ + " has a structured dtype (expected a plain number array)");
                h.descr = string_literal();
                seen[0] = true;
            } else if (key == "fortran_order") {
                h.fortran = boolean();
                seen[1] = true;
            } else if (key == "shape") {
                h.shape = tuple();
                seen[2] = true;
            } else {
                throw InputError(what_ + " header has an unknown key " + in_quotes(key));
            }
            if (!peek('}')) expect(',');
        }
        expect('}');
        skip_space();
        if (pos_ != text_.size()) fail("text after the header dictionary");
        if (!seen[0] || !seen[1] || !seen[2]) fail("the header lacks descr, fortran_order or shape");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& problem) const {
        throw InputError(what_ + ": bad .npy header (" + problem + " at byte " + std::to_string(pos_) + ")");
    }
    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
    }
    bool peek(char c) {
        skip_space();
        return pos_ < text_.size() && text_[pos_] == c;
    }
    void expect(char c) {
        if (!peek(c)) fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    std::string string_literal() {
        skip_space();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("expected a string");
        const char quote = text_[pos_++];
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != quote) {
            if (text_[pos_] == '\\' || pos_ - start > 64) fail("an unexpected string");
            ++pos_;
        }
        if (pos_ >= text_.size()) fail("an unterminated string");
        return std::string(text_.substr(start, pos_++ - start));
    }
    bool boolean() {
        skip_space();
        if (text_.substr(pos_, 4) == "True") { pos_ += 4; return true; }
        if (text_.substr(pos_, 5) == "False") { pos_ += 5; return false; }
        fail("expected True or False");
    }
    std::vector<u64> tuple() {
        std::vector<u64> out;
        expect('(');
        while (!peek(')')) {
            skip_space();
            u64 x = 0;
            std::size_t digits = 0;
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
                if (++digits > 18) fail("a size too large");
                x = x * 10 + static_cast<u64>(text_[pos_++] - '0');
            }
            if (digits == 0) fail("expected a size");
            out.push_back(x);
            if (out.size() > 8) fail("more than 8 dimensions");
            if (!peek(')')) expect(',');
        }
        expect(')');
        return out;
    }

    std::string_view text_;
    std::string what_;
    std::size_t pos_ = 0;
};

NpyHeader read_npy_header(Stream& in, const std::string& what) {
    unsigned char start[10];
    in.read(start, 10);
    if (std::memcmp(start, "\x93NUMPY", 6) != 0) throw InputError(what + " is not a .npy array (no \\x93NUMPY magic)");
    const int major = start[6];
    if (major < 1 || major > 3) throw InputError(what + " has .npy format version " + std::to_string(major) + ", expected 1 to 3");
    u64 length = read_le(start + 8, 2);
    u64 prefix = 10;
    if (major > 1) {
        unsigned char more[2];
        in.read(more, 2);
        length = read_le(start + 8, 2) | (read_le(more, 2) << 16);
        prefix = 12;
    }
    if (length > 65536) throw InputError(what + " has a .npy header of " + num(length) + " bytes, more than the limit of 65536");
    std::string text(static_cast<std::size_t>(length), '\0');
    in.read(text.data(), text.size());
    NpyHeader h = DictReader(text, what).parse();
    h.header_bytes = prefix + length;
    bool overflow = false;
    for (u64 dim : h.shape) overflow = overflow || __builtin_mul_overflow(h.count, dim, &h.count);
    if (overflow) throw InputError(what + " has shape " + shape_text(h.shape) + ", too many numbers (the size overflows)");
    if (h.fortran && h.shape.size() > 1)
        throw InputError(what + " is in Fortran order (save it in C order: numpy.ascontiguousarray)");
    return h;
}

// The float dtype of q/k/v from a descr.
DType npy_float_type(const std::string& descr, const std::string& what) {
    if (descr == "<f4") return DType::F32;
    if (descr == "<f2") return DType::F16;
    if (descr == "<f8") return DType::F64;
    if (descr == "<u2") return DType::BF16;  // bfloat16 bit patterns (NumPy has no bfloat16)
    if (!descr.empty() && descr[0] == '>')
        throw InputError(what + " is big-endian (" + in_quotes(descr) + "); the layout is little-endian");
    throw InputError(what + " has dtype " + in_quotes(descr) + ", expected '<f4', '<f2', '<f8' or '<u2' (bfloat16 bits)");
}

// ---- [npz] ---------------------------------------------------------------------------------------

struct ZipEntry {
    std::string name;
    int method = 0;
    unsigned long crc = 0;
    u64 compressed = 0, size = 0, local = 0;
    u64 data = 0;  // set by locate()
};

class ZipReader {
public:
    ZipReader(const Source& source, std::string where) : source_(source), where_(std::move(where)) {}

    void read_directory() {
        const u64 size = source_.size();
        const u64 tail_len = std::min<u64>(size, 22 + 65535);
        std::string tail(static_cast<std::size_t>(tail_len), '\0');
        source_.read(size - tail_len, tail.size(), tail.data());
        std::size_t at = std::string::npos;
        for (std::size_t i = tail.size() >= 22 ? tail.size() - 22 + 1 : 0; i-- > 0;)
            if (std::memcmp(tail.data() + i, "PK\x05\x06", 4) == 0) { at = i; break; }
        if (at == std::string::npos) fail("zip end record not found (truncated .npz?)");
        const auto* e = reinterpret_cast<const unsigned char*>(tail.data() + at);
        const u64 eocd = size - tail_len + at;
        u64 count = read_le(e + 10, 2), cd_size = read_le(e + 12, 4), cd_offset = read_le(e + 16, 4);
        if (read_le(e + 4, 2) != 0 || read_le(e + 6, 2) != 0) fail("multi-disk zip archives are not supported");
        u64 cd_end_limit = eocd;
        if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
            if (eocd < 20) fail("zip64 locator missing");
            unsigned char loc[20];
            source_.read(eocd - 20, 20, loc);
            if (std::memcmp(loc, "PK\x06\x07", 4) != 0) fail("zip64 locator missing");
            const u64 z = read_le(loc + 8, 8);
            if (z > eocd - 20 || eocd - 20 - z < 56) fail("zip64 end record offset " + num(z) + " is outside the file");
            unsigned char rec[56];
            source_.read(z, 56, rec);
            if (std::memcmp(rec, "PK\x06\x06", 4) != 0) fail("zip64 end record not found where the locator says");
            count = read_le(rec + 32, 8);
            cd_size = read_le(rec + 40, 8);
            cd_offset = read_le(rec + 48, 8);
            cd_end_limit = z;
        }
        if (count > static_cast<u64>(kMaxCaptureEntries))
            fail("lists " + num(count) + " entries, more than the limit of " + std::to_string(kMaxCaptureEntries));
        if (cd_offset > cd_end_limit || cd_size > cd_end_limit - cd_offset)
            fail("central directory [" + num(cd_offset) + ", +" + num(cd_size) + "] lies outside the file before its end record (" +
                 num(cd_end_limit) + ")");
        if (cd_size > kMaxCaptureHeaderBytes) fail("central directory is " + num(cd_size) + " bytes, more than the limit");
        cd_offset_ = cd_offset;
        std::string cd(static_cast<std::size_t>(cd_size), '\0');
        source_.read(cd_offset, cd.size(), cd.data());
        const auto* p = reinterpret_cast<const unsigned char*>(cd.data());
        std::size_t pos = 0;
        for (u64 i = 0; i < count; ++i) {
            if (cd.size() - pos < 46 || std::memcmp(p + pos, "PK\x01\x02", 4) != 0)
                fail("central directory entry " + num(i) + " is missing or cut short");
            const unsigned char* r = p + pos;
            ZipEntry z;
            const u64 flags = read_le(r + 8, 2);
            z.method = static_cast<int>(read_le(r + 10, 2));
            z.crc = static_cast<unsigned long>(read_le(r + 16, 4));
            z.compressed = read_le(r + 20, 4);
            z.size = read_le(r + 24, 4);
            const std::size_t name_len = read_le(r + 28, 2), extra_len = read_le(r + 30, 2), comment_len = read_le(r + 32, 2);
            z.local = read_le(r + 42, 4);
            if (cd.size() - pos - 46 < name_len + extra_len + comment_len)
                fail("central directory entry " + num(i) + " runs past the directory's end");
            z.name.assign(cd.data() + pos + 46, name_len);
            if (flags & 1) fail("entry " + single_quoted(z.name) + " is encrypted");
            read_zip64_extra(r + 46 + name_len, extra_len, z);
            if (z.local >= cd_offset) fail("entry " + single_quoted(z.name) + " local header offset " + num(z.local) +
                                           " is not before the central directory (" + num(cd_offset) + ")");
            for (const ZipEntry& other : entries_)
                if (other.name == z.name) fail("lists the entry " + single_quoted(z.name) + " twice");
            entries_.push_back(z);
            pos += 46 + name_len + extra_len + comment_len;
        }
    }

    const ZipEntry* find(const std::string& name) const {
        for (const ZipEntry& z : entries_)
            if (z.name == name) return &z;
        return nullptr;
    }

    // Checks the entry's local header and where its data lies; returns a stream of its bytes.
    std::unique_ptr<Stream> open(const ZipEntry& entry) {
        const std::string what = where_ + ": entry " + single_quoted(entry.name);
        unsigned char h[30];
        if (cd_offset_ - entry.local < 30) fail("entry " + single_quoted(entry.name) + " local header runs into the central directory");
        source_.read(entry.local, 30, h);
        if (std::memcmp(h, "PK\x03\x04", 4) != 0)
            fail("entry " + single_quoted(entry.name) + " has no local header at offset " + num(entry.local) + " (a lying central directory?)");
        const u64 name_len = read_le(h + 26, 2), extra_len = read_le(h + 28, 2);
        const u64 data = entry.local + 30 + name_len + extra_len;
        if (data > cd_offset_ || entry.compressed > cd_offset_ - data)
            fail("entry " + single_quoted(entry.name) + " data [" + num(data) + ", +" + num(entry.compressed) +
                 "] runs into the central directory (" + num(cd_offset_) + ")");
        std::string local_name(static_cast<std::size_t>(name_len), '\0');
        source_.read(entry.local + 30, local_name.size(), local_name.data());
        if (local_name != entry.name)
            fail("entry " + single_quoted(entry.name) + " local header names " + single_quoted(local_name) + " (a lying central directory?)");
        for (const auto& [begin, end] : claimed_)
            if (entry.local < end && begin < data + entry.compressed)
                fail("entry " + single_quoted(entry.name) + " overlaps another entry's bytes");
        claimed_.emplace_back(entry.local, data + entry.compressed);
        if (entry.method == 0) {
            if (entry.compressed != entry.size)
                fail("stored entry " + single_quoted(entry.name) + " has compressed size " + num(entry.compressed) + " ≠ size " + num(entry.size));
            return std::make_unique<RangeStream>(source_, data, entry.size, what);
        }
        // Deflate cannot expand more than 1032:1; a larger claim is a bomb, refused before any
        // memory is set aside for it.
        if (entry.method == 8 && entry.size / 1032 > entry.compressed + 64)
            fail("entry " + single_quoted(entry.name) + " declares " + num(entry.size) + " bytes from " + num(entry.compressed) +
                 " compressed, more than deflate can produce (a zip bomb?)");
        if (entry.method == 8) return std::make_unique<InflateStream>(source_, data, entry.compressed, entry.size, what);
        fail("entry " + single_quoted(entry.name) + " uses compression method " + std::to_string(entry.method) +
             " (only stored and deflated are supported)");
    }

    void verify(const ZipEntry& entry, Stream& in) const {
        in.finish();
        if (in.crc() != entry.crc)
            fail("entry " + single_quoted(entry.name) + " fails its CRC-32 check (corrupt data)");
    }

    [[noreturn]] void fail(const std::string& problem) const { throw InputError(where_ + ": " + problem); }

private:
    void read_zip64_extra(const unsigned char* extra, std::size_t length, ZipEntry& z) const {
        std::size_t pos = 0;
        while (length - pos >= 4) {
            const u64 id = read_le(extra + pos, 2), size = read_le(extra + pos + 2, 2);
            if (size > length - pos - 4) fail("entry " + single_quoted(z.name) + " has a broken extra field");
            if (id == 1) {
                std::size_t at = pos + 4;
                const auto take = [&](u64& field) {
                    if (field != 0xFFFFFFFF) return;
                    if (at + 8 > pos + 4 + size) fail("entry " + single_quoted(z.name) + " has a short zip64 field");
                    field = read_le(extra + at, 8);
                    at += 8;
                };
                take(z.size);
                take(z.compressed);
                take(z.local);
            }
            pos += 4 + static_cast<std::size_t>(size);
        }
    }

    const Source& source_;
    std::string where_;
    u64 cd_offset_ = 0;
    std::vector<ZipEntry> entries_;
    std::vector<std::pair<u64, u64>> claimed_;
};

// A small npy entry (tokens, causal, scale) read whole.
struct SmallArray {
    NpyHeader header;
    std::string data;
};

SmallArray read_small(ZipReader& zip, const ZipEntry& entry, const std::string& where) {
    const std::string what = where + ": entry " + single_quoted(entry.name);
    if (entry.size > (std::size_t{2} << 20))
        zip.fail("entry " + single_quoted(entry.name) + " is " + num(entry.size) + " bytes, more than the limit of 2 MiB");
    auto in = zip.open(entry);
    SmallArray a;
    a.header = read_npy_header(*in, what);
    const u64 rest = entry.size >= in->done() ? entry.size - in->done() : 0;
    a.data.resize(static_cast<std::size_t>(rest));
    in->read(a.data.data(), a.data.size());
    zip.verify(entry, *in);
    return a;
}

// Element size of a descr the metadata accepts: |b1, integers, '<Un' (UTF-32), '|Sn', floats.
std::vector<std::string> string_items(const SmallArray& a, const std::string& what) {
    const std::string& d = a.header.descr;
    if (d.size() < 3 || (d.compare(0, 2, "<U") != 0 && d.compare(0, 2, "|S") != 0)) return {};
    const bool wide = d[1] == 'U';
    u64 width = 0;
    for (std::size_t i = 2; i < d.size(); ++i) {
        if (d[i] < '0' || d[i] > '9' || width > 100000) throw InputError(what + " has dtype " + in_quotes(d));
        width = width * 10 + static_cast<u64>(d[i] - '0');
    }
    const u64 item = wide ? 4 * width : width;
    if (width == 0 || a.header.count > a.data.size() / item || a.header.count * item != a.data.size())
        throw InputError(what + " holds " + num(a.data.size()) + " bytes but dtype " + in_quotes(d) + " and shape " +
                         shape_text(a.header.shape) + " need " + num(a.header.count * std::max<u64>(item, 1)));
    std::vector<std::string> out;
    for (u64 i = 0; i < a.header.count; ++i) {
        const char* p = a.data.data() + i * item;
        std::string s;
        if (wide) {
            for (u64 c = 0; c < width; ++c) {
                const auto u = static_cast<std::uint32_t>(read_le(reinterpret_cast<const unsigned char*>(p + 4 * c), 4));
                if (u == 0) break;
                if (u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
                    throw InputError(what + " item " + num(i) + " holds an invalid character");
                if (u < 0x80) s += static_cast<char>(u);
                else if (u < 0x800) { s += static_cast<char>(0xC0 | (u >> 6)); s += static_cast<char>(0x80 | (u & 0x3F)); }
                else if (u < 0x10000) { s += static_cast<char>(0xE0 | (u >> 12)); s += static_cast<char>(0x80 | ((u >> 6) & 0x3F)); s += static_cast<char>(0x80 | (u & 0x3F)); }
                else { s += static_cast<char>(0xF0 | (u >> 18)); s += static_cast<char>(0x80 | ((u >> 12) & 0x3F)); s += static_cast<char>(0x80 | ((u >> 6) & 0x3F)); s += static_cast<char>(0x80 | (u & 0x3F)); }
            }
        } else {
            s.assign(p, static_cast<std::size_t>(width));
            s.erase(std::find(s.begin(), s.end(), '\0'), s.end());
        }
        out.push_back(std::move(s));
    }
    return out;
}

// A scalar (shape () or (1,)) as text: numbers in shortest form, bools as true/false, strings as is.
std::string scalar_text(const SmallArray& a, const std::string& what) {
    if (a.header.count != 1) throw InputError(what + " has shape " + shape_text(a.header.shape) + ", expected one value");
    const std::vector<std::string> strings = string_items(a, what);
    if (!strings.empty()) return strings[0];
    const std::string& d = a.header.descr;
    const auto* p = reinterpret_cast<const unsigned char*>(a.data.data());
    const auto need = [&](std::size_t bytes) {
        if (a.data.size() != bytes) throw InputError(what + " holds " + num(a.data.size()) + " bytes, expected " + num(bytes));
    };
    if (d == "|b1") { need(1); return p[0] ? "true" : "false"; }
    if (d == "|u1" || d == "|i1" || d == "<i2" || d == "<u2" || d == "<i4" || d == "<u4" || d == "<i8" || d == "<u8") {
        const std::size_t bytes = d[2] == '1' ? 1 : static_cast<std::size_t>(d[2] - '0');
        need(bytes);
        u64 x = read_le(p, static_cast<int>(bytes));
        if (d[1] == 'i' && bytes < 8 && (x >> (8 * bytes - 1))) return "-1";  // negative: refused later
        if (d[1] == 'i' && bytes == 8 && (x >> 63)) return "-1";
        return num(x);
    }
    if (d == "<f8" || d == "<f4") {
        double x;
        if (d == "<f8") { need(8); std::memcpy(&x, p, 8); }
        else { need(4); float f; std::memcpy(&f, p, 4); x = f; }
        if (!std::isfinite(x)) return "nan";
        return format("%.17g", x);
    }
    throw InputError(what + " has dtype " + in_quotes(d) + ", expected a number, a bool or a string");
}

AttentionCapture read_npz(const Source& source, const std::string& where) {
    ZipReader zip(source, where);
    zip.read_directory();
    const char* names[3] = {"q", "k", "v"};
    const ZipEntry* entries[3];
    for (int i = 0; i < 3; ++i) {
        entries[i] = zip.find(std::string(names[i]) + ".npy");
        if (!entries[i])
            throw InputError(where + ": no entry '" + names[i] + ".npy' (attention files hold arrays q, k and v)");
    }
    Metadata meta;
    if (const ZipEntry* e = zip.find("tokens.npy")) {
        const std::string what = where + ": tokens";
        const SmallArray a = read_small(zip, *e, where);
        if (a.header.shape.size() != 1) throw InputError(what + " has shape " + shape_text(a.header.shape) + ", expected a list");
        if (a.header.count > static_cast<u64>(kMaxCaptureTokens))
            throw InputError(what + " lists " + num(a.header.count) + " tokens, more than the limit of " + std::to_string(kMaxCaptureTokens));
        std::vector<std::string> tokens = string_items(a, what);
        if (tokens.empty() && a.header.count > 0)
            throw InputError(what + " has dtype " + in_quotes(a.header.descr) + ", expected strings ('<U' or '|S')");
        for (std::size_t i = 0; i < tokens.size(); ++i) check_token(tokens[i], i, where);
        meta.tokens = std::move(tokens);
    }
    if (const ZipEntry* e = zip.find("causal.npy")) {
        const std::string text = scalar_text(read_small(zip, *e, where), where + ": causal");
        set_causal(meta, text, where);
    }
    if (const ZipEntry* e = zip.find("scale.npy")) set_scale(meta, scalar_text(read_small(zip, *e, where), where + ": scale"), where);

    std::unique_ptr<Stream> streams[3];
    NpyHeader headers[3];
    DType types[3];
    for (int i = 0; i < 3; ++i) {
        const std::string what = where + ": tensor '" + names[i] + "'";
        streams[i] = zip.open(*entries[i]);
        headers[i] = read_npy_header(*streams[i], what);
        types[i] = npy_float_type(headers[i].descr, what);
    }
    const Layouts layouts = check_layouts(headers[0].shape, headers[1].shape, headers[2].shape, where);
    AttentionCapture c = assemble(layouts, std::move(meta), where);
    c.container = "npz";
    c.dtype = dtype_name(types[0]);
    std::vector<float>* dest[3] = {&c.q, &c.k, &c.v};
    const Layout* lays[3] = {&layouts.q, &layouts.k, &layouts.v};
    for (int i = 0; i < 3; ++i) {
        const std::string what = where + ": tensor '" + names[i] + "'";
        const u64 need = headers[i].header_bytes + lays[i]->count() * static_cast<u64>(dtype_size(types[i]));
        if (entries[i]->size != need)
            zip.fail("entry " + single_quoted(entries[i]->name) + " declares " + num(entries[i]->size) +
                     " bytes but its header and shape need " + num(need));
        dest[i]->resize(static_cast<std::size_t>(lays[i]->count()));
        decode(*streams[i], types[i], *lays[i], dest[i]->data(), what);
        zip.verify(*entries[i], *streams[i]);
    }
    return c;
}

// ---- [entry points] ------------------------------------------------------------------------------

AttentionCapture read_any(const Source& source, const std::string& where) {
    const u64 size = source.size();
    unsigned char head[10] = {0};
    source.read(0, static_cast<std::size_t>(std::min<u64>(size, 10)), head);
    if (size >= 4 && (std::memcmp(head, "PK\x03\x04", 4) == 0 || std::memcmp(head, "PK\x05\x06", 4) == 0))
        return read_npz(source, where);
    if (size >= 6 && std::memcmp(head, "\x93NUMPY", 6) == 0)
        throw InputError(where + ": a .npy file holds one array, but attention needs q, k and v: save them together "
                                 "with numpy.savez (a .npz) or as safetensors");
    if (size >= 9 && head[8] == '{') return read_safetensors(source, where);
    if (size < 9)
        throw InputError(where + ": " + num(size) + " bytes, too short for a safetensors or .npz file (truncated?)");
    throw InputError(where + ": not a safetensors or .npz file (its first bytes are neither a header length and '{' nor a zip header)");
}

}  // namespace

float float16_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1Fu;
    std::uint32_t mantissa = h & 0x3FFu;
    std::uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13) | (mantissa ? 0x00400000u : 0u);  // inf, quiet NaN
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;  // ±0
    } else {
        // Subnormal half: value = mantissa · 2^-24; normalize it into a float32.
        int shift = 0;
        while (!(mantissa & 0x400u)) {
            mantissa <<= 1;
            ++shift;
        }
        bits = sign | (static_cast<std::uint32_t>(113 - shift) << 23) | ((mantissa & 0x3FFu) << 13);
    }
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

float bfloat16_to_float(std::uint16_t b) {
    std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
    if ((bits & 0x7F800000u) == 0x7F800000u && (bits & 0x007FFFFFu)) bits |= 0x00400000u;  // quiet NaN
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

AttentionCapture::HeadView AttentionCapture::query(int layer, int head) const {
    assert(layer >= 0 && layer < layers && head >= 0 && head < heads);
    const std::size_t at = (static_cast<std::size_t>(layer) * heads + head) * tokens * d;
    return HeadView(q.data() + at, tokens, d);
}

AttentionCapture::HeadView AttentionCapture::key(int layer, int head) const {
    assert(layer >= 0 && layer < layers && head >= 0 && head < heads);
    const std::size_t at = (static_cast<std::size_t>(layer) * heads + head) * tokens * d;
    return HeadView(k.data() + at, tokens, d);
}

AttentionCapture::HeadView AttentionCapture::value(int layer, int head) const {
    assert(layer >= 0 && layer < layers && head >= 0 && head < heads);
    const std::size_t at = (static_cast<std::size_t>(layer) * heads + head) * tokens * dv;
    return HeadView(v.data() + at, tokens, dv);
}

std::string capture_fingerprint(const AttentionCapture& capture) {
    std::uint64_t hash = 1469598103934665603ull;
    const auto mix = [&hash](const void* data, std::size_t bytes) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < bytes; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
    };
    const int shape[] = {capture.layers, capture.heads, capture.tokens, capture.d, capture.dv};
    mix(shape, sizeof shape);
    for (const std::vector<float>* t : {&capture.q, &capture.k, &capture.v}) mix(t->data(), t->size() * sizeof(float));
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

AttentionOptions capture_attention_options(const AttentionCapture& capture) {
    AttentionOptions options;
    options.scale_mode = capture.scale_mode;
    options.causal = capture.causal;
    if (capture.scale_mode == ScaleMode::Temperature) options.temperature = 1.0 / capture.scale;
    return options;
}

AttentionCapture parse_attention_bytes(std::string_view bytes, const std::string& where) {
    return read_any(MemorySource(bytes), printable_path(where));
}

AttentionCapture load_attention_file(const std::string& path) {
    const std::string where = printable_path(path);
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw InputError(where + ": cannot open (" + std::strerror(errno) + ")");
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw InputError(where + ": not a regular file");
    }
    const u64 size = static_cast<u64>(info.st_size);
    if (size > kMaxCaptureFileBytes) {
        ::close(fd);
        throw InputError(where + ": file is " + num(size) + " bytes, more than the limit of " + num(kMaxCaptureFileBytes));
    }
    const FileSource source(fd, size, where);
    return read_any(source, where);
}

}  // namespace attn
