// attnlab core: what the readers of attention captures share (core/formats/tensor_file.h is the
// public face). tensor_file.cpp holds the entry points, the byte sources, dtype decoding and the
// checks every container goes through (shapes, limits, metadata, tokens); tensor_safetensors.cpp
// reads the safetensors container, tensor_npz.cpp the .npz one (zip records, zlib inflate, .npy
// headers).
//
// Calling rules
// - Included only by core/formats/tensor_*.cpp; nothing here is part of the public interface.
// - Every function throws attn::InputError with one line "<where>: <problem>" and nothing else
//   (std::bad_alloc aside); `where` is already printable (printable_path).
// - A Source reads exactly the bytes asked for: the caller checks offset + n <= size() first.
//   A Stream hands out a tensor's bytes in order, counting them and keeping their CRC-32; call
//   finish() once every byte wanted is read.
// - decode() checks every number (finite, |x| <= kMaxMagnitude); check_layouts() checks q, k and
//   v's shapes against each other and core/base/limits.h; assemble() checks the metadata against
//   the shapes. A container reader calls them in that order: layouts, assemble, decode.
// - Data is read little-endian in place: building for a big-endian machine stops with an error.
#pragma once

#include "core/base/error.h"
#include "core/formats/tensor_file.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "core/formats/tensor_*.cpp read little-endian data in place: port the decoding before building big-endian"
#endif

namespace attn::tensor_io {

using u64 = std::uint64_t;

std::string single_quoted(std::string_view name);
inline std::string num(u64 x) { return std::to_string(x); }

// ---- [bytes] -------------------------------------------------------------------------------------

class Source {
public:
    virtual ~Source() = default;
    virtual u64 size() const = 0;
    // Reads exactly n bytes at offset; the caller has checked offset + n <= size().
    virtual void read(u64 offset, std::size_t n, void* dest) const = 0;
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

inline u64 read_le(const unsigned char* p, int bytes) {
    u64 x = 0;
    for (int i = bytes - 1; i >= 0; --i) x = (x << 8) | p[i];
    return x;
}

// ---- [numbers] -----------------------------------------------------------------------------------

enum class DType { F32, F16, BF16, F64 };

int dtype_size(DType t);
const char* dtype_name(DType t);

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
void decode(Stream& in, DType type, const Layout& layout, float* dest, const std::string& what);

// ---- [layout] ------------------------------------------------------------------------------------

// "[2, 2, 8, 8]"
std::string shape_text(const std::vector<u64>& shape);

struct Layouts {
    Layout q, k, v;
};

// q, k and v's shapes as layouts: each [layers, heads, tokens, d] or [tokens, d] within the
// limits, k's equal to q's, v's equal to q's but for the last dimension.
Layouts check_layouts(const std::vector<u64>& q, const std::vector<u64>& k, const std::vector<u64>& v,
                      const std::string& where);

// ---- [metadata] ----------------------------------------------------------------------------------

struct Metadata {
    std::optional<std::vector<std::string>> tokens;
    bool causal = false;
    ScaleMode scale_mode = ScaleMode::InvSqrtD;
    double scale = 0;  // for ScaleMode::Temperature
};

// A token: at most kMaxTokenBytes of valid UTF-8 without NUL.
void check_token(const std::string& token, std::size_t index, const std::string& where);
// "true"/"True"/"1" or "false"/"False"/"0".
void set_causal(Metadata& meta, std::string_view text, const std::string& where);
// "1", "inv_sqrt_d" or a number within 1/kMaxTemperature to 1/kMinTemperature.
void set_scale(Metadata& meta, std::string_view text, const std::string& where);
// The capture's shape, token labels, causal flag and scale, q, k and v still empty; the number of
// tokens in the metadata must match the tokens dimension.
AttentionCapture assemble(const Layouts& layouts, Metadata meta, const std::string& where);

// ---- [containers] --------------------------------------------------------------------------------

// The whole capture from a source that starts with a safetensors header length and '{'.
AttentionCapture read_safetensors(const Source& source, const std::string& where);  // tensor_safetensors.cpp
// The whole capture from a source that starts with a zip header.
AttentionCapture read_npz(const Source& source, const std::string& where);  // tensor_npz.cpp

}  // namespace attn::tensor_io
