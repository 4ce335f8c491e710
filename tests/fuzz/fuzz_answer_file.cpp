// libFuzzer target: the answer-file parser, Python and JSON forms, then the checker on what it
// accepts (every answered task with the right shape has a finite max abs diff).
#include "core/answer_file.h"
#include "core/dataset.h"
#include "core/exercises.h"
#include "tests/fuzz/fuzz_common.h"

#include <cmath>
#include <cstdint>
#include <string_view>

namespace {

void check_answers(const attn::AnswerSet& answers) {
    const auto checks = attn::check_all(attn::notebook_course(), attn::notebook_dataset(), answers, 0.05);
    for (const attn::TaskCheck& check : checks)
        if (check.answered && check.problem.empty())
            attn::fuzz::fuzz_assert(std::isfinite(check.max_abs_diff), "max abs diff not finite", check.id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    attn::fuzz::run_guarded([&] { check_answers(attn::parse_python_answers(text, "a.py")); });
    attn::fuzz::run_guarded([&] { check_answers(attn::parse_json_answers(text, "a.json")); });
    return 0;
}
