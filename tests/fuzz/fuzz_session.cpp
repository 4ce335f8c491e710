// libFuzzer target: the session loader, as a round trip. What loads must save, load again and
// compare equal, and saving twice gives the same text.
#include "core/course/course_session.h"
#include "tests/fuzz/fuzz_common.h"

#include <cstdint>
#include <string>

namespace {

void round_trip(const std::string& text) {
    const attn::Session first = attn::session_from_json(text, "s.json");
    const std::string saved = attn::session_to_json(first);
    attn::Session second;
    try {
        second = attn::session_from_json(saved, "saved.json");
    } catch (const attn::InputError& e) {
        attn::fuzz::fail("a saved session does not load", e.what());
    }
    attn::fuzz::fuzz_assert(second == first, "round trip changed the session", saved);
    attn::fuzz::fuzz_assert(attn::session_to_json(second) == saved, "saving twice differs", saved);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    attn::fuzz::run_guarded([&] { round_trip(text); });
    return 0;
}
