// Sections: [bytes] sources (pread, memory) · [numbers] dtypes and decoding · [layout] shapes ·
// [metadata] tokens/causal/scale and the capture's assembly · [entry points]. The containers:
// tensor_safetensors.cpp and tensor_npz.cpp; what they share: tensor_file_internal.h.
#include "core/formats/tensor_file.h"

#include "core/formats/file_kind.h"

#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/base/text.h"
#include "core/formats/tensor_file_internal.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attn {

namespace tensor_io {

std::string single_quoted(std::string_view name) { return "'" + printable(name, 40) + "'"; }

// ---- [bytes] -------------------------------------------------------------------------------------

namespace {

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

}  // namespace

// ---- [numbers] -----------------------------------------------------------------------------------

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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace tensor_io

// ---- [entry points] ------------------------------------------------------------------------------

namespace {

using tensor_io::num;
using tensor_io::u64;

AttentionCapture read_any(const tensor_io::Source& source, const std::string& where) {
    const u64 size = source.size();
    char head[kFileKindHeadBytes] = {0};
    const std::size_t got = static_cast<std::size_t>(std::min<u64>(size, kFileKindHeadBytes));
    source.read(0, got, head);
    // The kind is decided where every entry point decides it (file_kind.h).
    const FileKind kind = file_kind_of(std::string_view(head, got), size);
    if (kind == FileKind::Npz) return tensor_io::read_npz(source, where);
    if (kind == FileKind::Npy)
        throw InputError(where + ": a .npy file holds one array, but attention needs q, k and v: save them together "
                                 "with numpy.savez (a .npz) or as safetensors");
    // A '{' at byte 8 with an impossible header length: the safetensors reader says what is wrong.
    if (kind == FileKind::Safetensors || (size >= 9 && head[8] == '{')) return tensor_io::read_safetensors(source, where);
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
    return read_any(tensor_io::MemorySource(bytes), printable_path(where));
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
    const tensor_io::FileSource source(fd, size, where);
    return read_any(source, where);
}

}  // namespace attn
