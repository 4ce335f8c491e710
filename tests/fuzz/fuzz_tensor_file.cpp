// libFuzzer target: the captured-attention loader (safetensors, .npz, .npy refusal) on arbitrary
// bytes, then, on what it accepts, the invariants the app relies on: consistent sizes, one label
// per token, every number finite, and finite attention weights for layer 0, head 0.
#include "core/math/attention.h"
#include "core/formats/tensor_file.h"
#include "tests/fuzz/fuzz_common.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

void check_capture(const attn::AttentionCapture& c) {
    using attn::fuzz::fuzz_assert;
    fuzz_assert(c.layers >= 1 && c.heads >= 1 && c.tokens >= 1 && c.d >= 1 && c.dv >= 1, "empty dimension");
    const std::size_t heads = static_cast<std::size_t>(c.layers) * static_cast<std::size_t>(c.heads) *
                              static_cast<std::size_t>(c.tokens);
    fuzz_assert(c.q.size() == heads * static_cast<std::size_t>(c.d), "q size");
    fuzz_assert(c.k.size() == c.q.size(), "k size");
    fuzz_assert(c.v.size() == heads * static_cast<std::size_t>(c.dv), "v size");
    fuzz_assert(c.token_labels.size() == static_cast<std::size_t>(c.tokens), "one label per token");
    for (const std::vector<float>* t : {&c.q, &c.k, &c.v})
        for (float x : *t) fuzz_assert(std::isfinite(x), "number not finite");
    fuzz_assert(std::isfinite(c.scale) && c.scale > 0, "scale");
    if (c.tokens <= 64) {
        const auto result = attn::attention_f32(c.query(0, 0).cast<double>(), c.key(0, 0).cast<double>(),
                                                c.value(0, 0).cast<double>(), attn::capture_attention_options(c));
        for (Eigen::Index i = 0; i < result.weights.size(); ++i)
            fuzz_assert(std::isfinite(result.weights(i)), "weight not finite");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    attn::fuzz::run_guarded([&] { check_capture(attn::parse_attention_bytes(bytes, "capture.safetensors")); });
    return 0;
}
