// libFuzzer target: the answer-file parser, Python and JSON forms, and the hand-ins of issue 14
// (a .py file of expressions, a .ipynb notebook), then the checker on what they accept (every
// answered task with the right shape has a finite max abs diff). A hand-in's reasons for not
// grading a name obey the message rule and name only answer names.
#include "core/course/answer_file.h"
#include "core/math/dataset.h"
#include "core/course/exercises.h"
#include "tests/fuzz/fuzz_common.h"

#include <algorithm>
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

void check_hand_in(const attn::HandIn& hand_in) {
    check_answers(hand_in.answers);
    const auto& names = attn::answer_names();
    for (const auto& [name, reason] : hand_in.cannot_grade) {
        attn::fuzz::fuzz_assert(std::find(names.begin(), names.end(), name) != names.end(), "cannot_grade names a non-answer", name);
        attn::fuzz::fuzz_assert(hand_in.answers.count(name) == 0, "a name both graded and not gradable", name);
        attn::fuzz::fuzz_assert(attn::message_is_clean(reason), "cannot-grade reason breaks the message rule", reason);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    attn::fuzz::run_guarded([&] { check_answers(attn::parse_python_answers(text, "a.py")); });
    attn::fuzz::run_guarded([&] { check_answers(attn::parse_json_answers(text, "a.json")); });
    static const attn::Dataset notebook = attn::notebook_dataset();
    attn::fuzz::run_guarded([&] { check_hand_in(attn::parse_python_hand_in(text, "a.py", notebook)); });
    attn::fuzz::run_guarded([&] { check_hand_in(attn::parse_notebook_hand_in(text, "a.ipynb", notebook)); });
    return 0;
}
