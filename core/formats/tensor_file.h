// attnlab core: opening real attention, Q, K and V captured from a model (issue 12).
//
// The interchange layout, so that any tool can write it:
//   tensors  q, k   shape [layers, heads, tokens, d]   (or [tokens, d] for one layer and one head)
//            v      shape [layers, heads, tokens, dv]  (or [tokens, dv]); dv may differ from d
//            dtype  float32, float16 or bfloat16 (float64 is accepted and rounded to float32)
//   metadata tokens  the token strings, one per token (labels)     default "#0", "#1", ...
//            causal  true / false: query i sees keys 0..i only    default false
//            scale   1, inv_sqrt_d (1/√d), or a positive number   default inv_sqrt_d
//
// Two containers carry it:
// - safetensors (Hugging Face): u64 little-endian header length N, N bytes of JSON
//     {"q": {"dtype": "F32", "shape": [2, 2, 8, 8], "data_offsets": [0, 1024]}, ...,
//      "__metadata__": {"tokens": "[\"The\", \"cat\"]", "causal": "false", "scale": "inv_sqrt_d"}}
//   then the byte buffer, little-endian, C order. dtypes F32, F16, BF16, F64. __metadata__ values
//   are strings (tokens is a JSON array written as a string). Other tensors may be present; they
//   are validated (dtype, shape, offsets) but not read.
// - .npz (numpy.savez / savez_compressed): entries q.npy, k.npy, v.npy ('<f4', '<f2', '<f8', or
//   '<u2' holding bfloat16 bit patterns, since NumPy has no bfloat16; C order), tokens.npy (a 1-D
//   '<U' or '|S' UTF-8 string array), causal.npy (a bool, integer or string scalar) and
//   scale.npy (a number, or the string "1" / "inv_sqrt_d"). Entries are stored or deflated.
// - A lone .npy holds one array, not three, and is refused with a message saying what to write.
// assets/capture/capture_attention.py writes both forms from a PyTorch model.
//
// Calling rules
// - load_attention_file(path) reads a regular file of at most kMaxCaptureFileBytes, picks the
//   container by its first bytes (not by its name), and returns the whole capture or throws
//   attn::InputError with one line "<path>: <what is wrong, where>", e.g.
//   "model.safetensors: tensor 'k' data_offsets [0, 999999] run past the end of the data (4096 bytes)".
//   Nothing else escapes, whatever the bytes (std::bad_alloc aside).
// - parse_attention_bytes(bytes, where) is the same on bytes in memory (tests, fuzzing); `where`
//   prefixes every message.
// - Everything is checked before it is trusted: header length against the file size, JSON size
//   and depth (kMaxJsonDepth), duplicate keys, dtype names, shape products (no overflow), data
//   offsets inside the buffer with neither holes nor overlaps (the safetensors rule), zip records
//   (end record, central directory, local headers, names, sizes, CRC-32) and an inflated entry
//   that would grow past its declared size (zip bombs), q/k/v present with consistent shapes
//   within core/base/limits.h (kMaxCapture*), every number finite and |x| ≤ kMaxMagnitude, the token
//   count equal to the tokens dimension, every token valid UTF-8 of at most kMaxTokenBytes with no
//   NUL, metadata values of the right type.
// - Numbers are stored as float32; float16 and bfloat16 convert exactly (every value of them is a
//   float32). Memory: 4 bytes per number of q, k and v plus the token strings; the file is read
//   with pread into place (never held whole), so opening 12×12×1024×64 costs ~113 MB.
// - Functions are pure and thread-safe; an AttentionCapture is a plain value.
#pragma once

#include "core/math/attention.h"

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

struct AttentionCapture {
    using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using HeadView = Eigen::Map<const RowMatrixF>;

    int layers = 0, heads = 0, tokens = 0, d = 0, dv = 0;
    std::vector<std::string> token_labels;  // `tokens` strings, valid UTF-8 (may hold spaces, "\n")
    bool causal = false;
    ScaleMode scale_mode = ScaleMode::InvSqrtD;  // One, InvSqrtD, or Temperature (1/scale)
    double scale = 0;                            // the factor on q·k, always set (1, 1/√d, or the number)
    std::string container;                       // "safetensors" or "npz"
    std::string dtype;                           // of q as stored: "float32", "float16", "bfloat16", "float64"
    // Row-major [layer][head][token][component]: q and k hold layers·heads·tokens·d numbers, v
    // holds layers·heads·tokens·dv.
    std::vector<float> q, k, v;

    // One head's tokens×d (tokens×dv for value) matrix, a view into q/k/v (valid while the
    // capture lives and is not resized). 0 ≤ layer < layers, 0 ≤ head < heads (asserted).
    HeadView query(int layer, int head) const;
    HeadView key(int layer, int head) const;
    HeadView value(int layer, int head) const;
};

AttentionCapture load_attention_file(const std::string& path);
AttentionCapture parse_attention_bytes(std::string_view bytes, const std::string& where);

// 16 lowercase hex digits identifying the capture's numbers and shape (FNV-1a over the shape and the
// bytes of q, k and v): a session remembers it to say when the file changed since it was saved.
std::string capture_fingerprint(const AttentionCapture& capture);

// The options core/math/attention.h needs to compute this capture's weights (scale and causal mask).
AttentionOptions capture_attention_options(const AttentionCapture& capture);

// Exact conversions of one IEEE half (binary16) and one bfloat16 bit pattern; NaN stays NaN
// (quiet), ±inf stays ±inf, subnormals keep their value.
float float16_to_float(std::uint16_t bits);
float bfloat16_to_float(std::uint16_t bits);

}  // namespace attn
