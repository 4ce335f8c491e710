// libFuzzer target: course packs (core/course/pack.h) and the hints generated for them (core/course/hints.h).
// read_pack() must never throw, whatever the bytes, and every problem it reports obeys the
// message rule; a pack it accepts gets hints for every task (never throwing) in English and
// Chinese, load_pack() accepts it too, and its answers file (the same bytes read as answers to
// it) is refused only by InputError. A pack with torch data also gets a student's variant.
#include "core/base/error.h"
#include "core/course/hints.h"
#include "core/course/pack.h"
#include "tests/fuzz/fuzz_common.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using attn::fuzz::fuzz_assert;

void check_hints(const attn::Course& course, const attn::AnswerSet& answers) {
    for (const attn::Task& task : course.tasks)
        for (const char* code : {"en", "zh"}) {
            const attn::TaskHints hints = attn::task_hints(course, task, course.data, answers, attn::Language{code});
            fuzz_assert(!task.discussion || (hints.must_hold.empty() && hints.direction.empty()),
                        "a discussion task has hints", task.id);
        }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // Not guarded: read_pack reports every problem and throws nothing.
    const attn::PackReading reading = attn::read_pack(text, "p.json");
    fuzz_assert(reading.ok == reading.problems.empty(), "ok disagrees with the problems");
    for (const attn::PackProblem& problem : reading.problems) {
        fuzz_assert(!problem.path.empty() && problem.path[0] == '$', "problem path does not start at $", problem.path);
        fuzz_assert(attn::message_is_clean(problem.path + ": " + problem.message), "pack problem breaks the message rule",
                    problem.path + ": " + problem.message);
    }
    attn::fuzz::run_guarded([&] {
        const attn::Course loaded = attn::load_pack(text, "p.json");
        fuzz_assert(reading.ok, "load_pack accepts what read_pack refuses");
        (void)loaded;
    });
    const attn::Course& course = reading.ok ? reading.course : attn::notebook_course();
    if (reading.ok) check_hints(course, {});
    attn::fuzz::run_guarded([&] {
        const attn::PackAnswers answers = attn::read_pack_answers(text, "a.json", course);
        if (reading.ok) check_hints(course, answers.answers);
    });
    if (reading.ok && reading.course.torch_data)
        attn::fuzz::run_guarded([&] {
            const attn::PackVariant variant = attn::make_variant(text, "p.json", "student-1");
            fuzz_assert(!variant.course.tasks.empty() || reading.course.tasks.empty(), "variant lost its tasks");
        });
    return 0;
}
