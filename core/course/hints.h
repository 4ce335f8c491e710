// attnlab core: hints between nothing and Solve, for every task of every pack.
//
//   hint 1 (must_hold)  what must hold: which logits must be equal, which must dominate, which
//                       weight must be reached; with the numbers of the pack's data
//   hint 2 (direction)  the direction to move in or the key to change, without the answer
//   Solve               the answer (core/course/exercises.h solve_task)
//
// Calling rules
// - Generated from the task's goal and the data (never written in the pack), in `language`
//   through the catalogs (core/base/i18n.h), so a pack has hints in every language attnlab speaks.
// - A task that builds on another task's query uses the current answers for it; without one the
//   direction hint says to answer that task first. An impossible goal's hints give the solver's
//   reason. Discussion tasks get empty hints. Never throws for a task of a read course.
#pragma once

#include "core/course/answer_file.h"
#include "core/course/exercises.h"
#include "core/base/text.h"

#include <string>

namespace attn {

struct TaskHints {
    std::string must_hold;  // hint 1
    std::string direction;  // hint 2
};

TaskHints task_hints(const Course& course, const Task& task, const Dataset& data, const AnswerSet& current,
                     Language language = {});

}  // namespace attn
