// libFuzzer target: the exercise (course) loader, then the checker on an empty answer set with
// what it accepts.
#include "core/math/dataset.h"
#include "core/course/exercises.h"
#include "tests/fuzz/fuzz_common.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    attn::fuzz::run_guarded([&] {
        const attn::Course course = attn::parse_course(text, "c.json", 4);
        attn::check_all(course, attn::notebook_dataset(), {}, course.tolerance);
    });
    return 0;
}
