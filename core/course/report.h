// attnlab core: how answers, solutions and grades are written out. The command line and the
// app's File → Export and "Copy as PyTorch" call these same functions, so they always agree.
//
// Calling rules
// - python_number() prints a float32 value so that torch.tensor() reads back the same float32
//   (9 significant digits) and always as a float literal ("0.0", never "0", which torch would
//   make an integer tensor).
// - solutions_as_python(): constant tensors that, pasted after the notebook's setup cells, define
//   every solved answer (query121 ... m_key142), each with a comment giving its formula.
// - checks_as_json(): {"tolerance": T, "tasks": [{"id", "answered", "max_abs_diff", "pass", ...}]}.
#pragma once

#include "core/course/exercises.h"
#include "core/base/json_io.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace attn {

std::string python_number(double value);
std::string python_tensor(const AnswerTensor& tensor);  // torch.tensor([...]) literal
std::string task_formula(const Task& task);             // "q = m·u, u ⟂ (k1 − k0), ..." (ASCII-safe)

std::string solutions_as_python(const Course& course, const std::vector<TaskSolution>& solutions);
nlohmann::json solutions_as_json(const Course& course, const std::vector<TaskSolution>& solutions, double tolerance);
std::string solutions_as_text(const Course& course, const std::vector<TaskSolution>& solutions, double tolerance,
                              Language language);

// Where an answer came from, for the comment above it: typed by the student, or filled in by
// Solve (then the comment gives the formula). A derivation is never attached to a typed answer.
// SolvedForEarlierQuery: a key Solve derived from a query the student has since changed; it is
// still Solve's key, but no longer the answer for the query now in the file.
enum class AnswerOrigin { Typed, Solved, SolvedForEarlierQuery };

// One task's answer as python: a comment line saying where it came from, then
// "query121 = torch.tensor([...])".
std::string answer_as_python(const Task& task, const AnswerTensor& tensor, AnswerOrigin origin);

// What File → Export adds to the answers: where each came from (by answer name; a name not
// listed counts as typed) and the student's notes on discussion tasks (task id → text).
struct AnswerExtras {
    std::map<std::string, AnswerOrigin> origins;
    std::map<std::string, std::string> notes;
};
// The answers the student has now (File → Export answers). Python carries the origins and the
// notes as comments; JSON holds the answers only, in the form `attnlab check` reads.
std::string answers_as_python(const Course& course, const AnswerSet& answers, const AnswerExtras& extras = {});
nlohmann::json answers_as_json(const Course& course, const AnswerSet& answers);

nlohmann::json checks_as_json(const std::vector<TaskCheck>& checks, double tolerance);
std::string checks_as_text(const Course& course, const std::vector<TaskCheck>& checks, double tolerance, Language language);

// {"goal", "feasible", "query" | "reason", "max_abs_diff", "explanation"} for `solve --goal`.
nlohmann::json goal_solution_json(const Goal& goal, const Solution& solution, double max_abs_diff);

}  // namespace attn
