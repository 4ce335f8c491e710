// libFuzzer target: a file's kind (core/formats/file_kind.h) on arbitrary bytes. The kind depends
// on the head and the size only; and the capture loader, the one that must agree with it, accepts
// nothing that is not a capture kind (issue 23: the window and `tensors info` disagreed on 1 file
// in 32). Seeded with safetensors headers of every length modulo 256.
#include "core/formats/file_kind.h"
#include "core/formats/tensor_file.h"
#include "tests/fuzz/fuzz_common.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using attn::fuzz::fuzz_assert;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const attn::FileKind kind = attn::file_kind_of(bytes, size);
    fuzz_assert(attn::file_kind_of(bytes.substr(0, attn::kFileKindHeadBytes), size) == kind, "kind beyond the head");
    attn::fuzz::run_guarded([&] {
        attn::parse_attention_bytes(bytes, "capture");
        fuzz_assert(attn::is_capture_kind(kind), "the loader read a file whose kind is not a capture");
    });
    return 0;
}
