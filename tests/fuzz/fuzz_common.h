// attnlab fuzzing: what every libFuzzer target in tests/fuzz/ asserts.
//
// Calling rules
// - A target calls one loader on the fuzzer's bytes inside run_guarded(); an attn::InputError is
//   the expected way to refuse input and its message must obey attn::message_is_clean() (one
//   line, at most 300 bytes, valid UTF-8, no control characters). Any other exception escapes
//   to libFuzzer and is reported as a crash, as are sanitizer findings and fuzz_assert failures.
#pragma once

#include "core/base/error.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace attn::fuzz {

[[noreturn]] inline void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz assertion failed: %s: %s\n", what, detail.substr(0, 2000).c_str());
    std::abort();
}

inline void fuzz_assert(bool condition, const char* what, const std::string& detail = "") {
    if (!condition) fail(what, detail);
}

template <typename F>
void run_guarded(F&& body) {
    try {
        body();
    } catch (const InputError& e) {
        fuzz_assert(message_is_clean(e.what()), "InputError message breaks the message rule", e.what());
    }
}

}  // namespace attn::fuzz
