// attnlab core: course packs. A pack is one JSON file that holds a whole course: its texts in any
// number of languages, its data, scale and mask, and its tasks. The notebook's course is one pack
// (assets/exercises/notebook.json); assets/packs/ holds the others and pack.schema.json. The
// format is described in the README ("Course packs").
//
//   {"attnlab_pack": 1, "id": "my-pack", "languages": ["en", "zh"], "title": {"en": .., "zh": ..},
//    "data": {"torch": {"seed": 447, "shape": [4, 3, 3], "normalize": true, "decimals": 2}}
//            or {"inline": {"keys": [[..]], "values": [[..]]}},
//    "scale": "one" | "inv_sqrt_d" | {"temperature": T},   "mask": "none" | "causal",
//    "tolerance": 0.05, "tolerance_note": {..}, "sections": [{"id", "title"}],
//    "tasks": [{"id", "section", "title", "prompt", "answer", "edit", "goal", "tolerance"?,
//               "scale"?, "mask"?} or {"id", "section", "title", "prompt", "discussion": true}],
//    "variant": {"student", "seed", "attempt", "base_seed"}  (written by make_variant only)}
//
// Calling rules
// - read_pack() never throws for a bad pack: it reports every problem it finds, each with the
//   JSON path it belongs to ("$.tasks[3].goal") and a message, and also whether every task can be
//   solved and passes its own check in float32 (an impossible goal gets the solver's reason).
//   ok is true only when there are no problems; course is filled as far as it could be read.
// - load_pack() throws InputError listing the problems (one per line) when there are any.
// - Variant seeds are documented and stable: variant_seed(pack id, student, attempt) is the low
//   32 bits of FNV-1a 64 over the bytes "attnlab-variant-1" 0x00 id 0x00 student 0x00 attempt
//   (attempt in decimal, from 0). make_variant() tries attempts 0, 1, 2, ... and keeps the first
//   whose data make every task solvable (at most variant_attempts(): kMaxVariantAttempts, fewer
//   for a pack whose solving is expensive; InputError past that).
//   Only packs with torch data have variants.
// - Pack answers: {"pack": id, "student": ID?, "answers": {name: number | [..] | [[..]]}}, or the
//   answers object alone. read_pack_answers() checks names against the course.
#pragma once

#include "core/course/answer_file.h"
#include "core/course/exercises.h"
#include "core/base/text.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

inline constexpr int kPackFormat = 1;
inline constexpr int kMaxVariantAttempts = 64;

struct PackProblem {
    std::string path;     // "$.tasks[3].goal"
    std::string message;  // what is wrong there
};

struct PackReading {
    bool ok = false;
    Course course;
    std::vector<PackProblem> problems;
};

PackReading read_pack(std::string_view text, const std::string& where, Language language = {});
Course load_pack(std::string_view text, const std::string& where);
Course load_pack_file(const std::string& path);
// "<where>: <path>: <message>" per problem, one per line.
std::string pack_problems_text(const std::string& where, const std::vector<PackProblem>& problems);

// The packs compiled into attnlab: the notebook's first.
struct BuiltinPack {
    std::string id;
    const char* json;  // the file's text
};
const std::vector<BuiltinPack>& builtin_packs();
// The built-in pack with this id, or null.
const BuiltinPack* find_builtin_pack(const std::string& id);
// The JSON text of a pack named as the command line and the window name packs: a built-in pack's
// id ("temperature-masks") or a file (read with read_text_file, at most kMaxCourseFileBytes). An
// id wins over a file of the same name in the working folder, as in the window.
std::string read_pack_source(const std::string& id_or_path);

// The solver's work a course needs, estimated from its shape alone: rows × N × d per task
// (identity: N rows, every other task 1), summed. read_pack() refuses a pack above kMaxPackWork
// (core/base/limits.h) with a problem at "$.tasks" before solving anything, and one with more than
// kMaxPackTasks tasks before reading them.
long long pack_work(const Course& course);
// The seeds make_variant() tries for this course: kMaxVariantWork / pack_work, from 1 to
// kMaxVariantAttempts.
int variant_attempts(const Course& course);

// Problems of a course read without structural errors: tasks the solver cannot do, or whose
// answer fails its own check in float32. Paths are "$.tasks[i].goal".
std::vector<PackProblem> unsolvable_tasks(const Course& course, Language language = {});

std::uint32_t variant_seed(const std::string& pack_id, const std::string& student, int attempt);

struct PackVariant {
    nlohmann::json doc;                // the student's pack, ready to write
    Course course;                     // the same, read
    int attempt = 0;                   // attempts skipped because a task was impossible
    std::vector<std::string> skipped;  // one line per skipped seed, saying why
};
PackVariant make_variant(std::string_view pack_text, const std::string& where, const std::string& student);

struct PackAnswers {
    std::string pack;     // the pack id the file names ("" when it does not)
    std::string student;  // the student the file names ("" when it does not)
    AnswerSet answers;
};
PackAnswers read_pack_answers(std::string_view text, const std::string& where, const Course& course);
nlohmann::json pack_answers_json(const Course& course, const AnswerSet& answers);

// ---- hand-ins for a pack (issue 22) --------------------------------------------------------------
// A pack's answers in a .py or .ipynb hand-in are the names its JSON answers use: each task's
// "answer" (query212, temperature211, m_key233), assigned as in the notebook's hand-ins; a
// temperature may be a Python number; the KeyRow tasks' answers may come from `m_key` at the 1st,
// 2nd, ... check_query(..., key=m_key) call, in task order.
CourseAnswerNames course_answer_names(const Course& course);

struct PackHandIn {
    HandIn hand_in;
    std::string student;  // the student a JSON answers file names ("" otherwise)
};
// Reads a student's hand-in for `course` (a pack or a student's variant): JSON answers
// (read_pack_answers: a file naming another pack is refused) when the file is not .ipynb and its
// first non-space character is '{', else a .py or .ipynb file read over the course's data as
// `key` and `value` (the course's data are authoritative: assigning key or value before any
// answer is the notebook's setup and is skipped; changing them later cannot be graded).
// Throws InputError naming the file.
PackHandIn read_pack_hand_in(const std::string& path, const Course& course);

// is_identifier() (a Python name or a pack id) is in core/base/text.h.

}  // namespace attn
