// attnlab core: the course notebook's exercises, the live checker and the task-level solver.
//
// The exercises are data (assets/exercises/notebook.json, compiled into the binary so the
// command line and the tests need no files). Each task names the tensor the student edits, the
// output it must produce and its constraints.
//
// Calling rules
// - check_task() grades exactly as the notebook's check_query does: attention in float32,
//   max |target - output|, pass when ≤ tolerance. It never throws for a bad answer; a wrong
//   shape, a changed key row or a zero unit-norm key is a failed check with `problem` set.
//   A unit-norm key row is divided by its float32 norm first, as the notebook's cell does
//   (`m_key[2] /= m_key[2].norm()`): the student's row is graded as typed.
// - Tasks that build on another task's query (1.4.x on 1.3.2, `edit.query_from`) read that
//   query from the same AnswerSet: the student's current one, not a fixed one.
// - solve_task() uses the current answers for those dependencies; solving a query task that
//   others build on gives it the length those need too. solve_all() solves in notebook order.
// - Discussion tasks have no answer, no check and no solution.
#pragma once

#include "core/course/answer_file.h"
#include "core/math/attention.h"
#include "core/math/dataset.h"
#include "core/math/solver.h"
#include "core/base/text.h"
#include "core/math/torch_random.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace attn {

struct TaskEdit {
    // Temperature: the student gives one number T > 0 (logits q·k/T) for a fixed query.
    enum class Tensor { Query, KeyRow, Temperature };
    Tensor tensor = Tensor::Query;
    int rows = 1;             // query rows (1 for a vector)
    bool vector = true;       // the notebook writes a vector of shape (d,)
    int key_row = -1;         // KeyRow: the only row that may change
    bool unit_norm = false;   // KeyRow: the row is normalized to length 1
    std::string query_from;   // KeyRow: the task whose query is used
    std::vector<int> join_group;  // KeyRow without unit_norm: the keys whose logit key_row joins
    int position = -1;        // Query, causal mask: the token a single query sits at (-1: the last);
                              // an N-row query has row i at token i
    int query_key = -1;       // Temperature: the fixed query is key[query_key]
};

struct Task {
    std::string id;       // "1.2.1"
    std::string section;  // "1.2"
    std::string answer;   // the notebook's variable name, "query121"; empty for discussions
    LocalText title;
    LocalText prompt;
    bool discussion = false;
    TaskEdit edit;
    std::string target_text;  // goal syntax: "select:0", "average:0,1", "identity", "weight:0>=0.9"
    Goal target;              // weight goals: Select of the key whose weight counts
    double min_weight = 0;    // weight goals (Temperature edits): key target.keys[0] needs this weight
    double tolerance = 0;     // this task's own tolerance; 0 = the one the caller passes
    bool has_attention = false;    // true: `attention` below replaces the course's
    AttentionOptions attention;    // scale and causal mask for this task (mask rows built per check)
};

struct Section {
    std::string id;
    LocalText title;
};

// A course (a "pack", core/course/pack.h): its texts, data, scale and mask, and tasks. Courses of the
// old format 1 (no data) use the notebook's data.
struct Course {
    std::string id = "notebook";          // the pack's id ("notebook", "temperature-masks")
    std::vector<std::string> languages = {"en", "zh"};  // every text is in each of these
    Dataset data;                          // the pack's keys and values
    bool torch_data = false;               // data made by torch's generator (variants possible)
    TorchDatasetSpec torch;                // when torch_data
    AttentionOptions attention;            // scale and mask for every task without its own
    std::string variant_student;           // non-empty in a student's variant (core/course/pack.h)
    std::uint64_t variant_seed = 0;
    int variant_attempt = 0;
    LocalText title;
    LocalText tolerance_note;
    double tolerance = 0.05;
    std::vector<Section> sections;
    std::vector<Task> tasks;
    const Task* find(const std::string& id) const;            // nullptr when absent
    const Task* find_by_answer(const std::string& name) const;
};

// Parses a course file; key_count bounds the goal indices. Throws InputError naming `where`.
Course parse_course(const std::string& json_text, const std::string& where, int key_count);

// The notebook's course (parsed once from the embedded JSON; immutable).
const Course& notebook_course();

// What a check measures: the output's max abs difference from the target (the notebook's
// check_query), or, for a temperature task, the weight of one key (max_abs_diff is then the
// shortfall below the weight it needs, so sorting and class reports keep one number per task).
enum class CheckMeasure { OutputDiff, KeyWeight };

struct TaskCheck {
    std::string id;
    bool answered = false;
    bool pass = false;
    float max_abs_diff = std::numeric_limits<float>::quiet_NaN();
    CheckMeasure measure = CheckMeasure::OutputDiff;
    double tolerance = 0;     // the tolerance this check used: the task's own, else the course's
    int weight_key = -1;      // KeyWeight: the key whose weight counts
    double weight = std::numeric_limits<double>::quiet_NaN();  // KeyWeight: its weight, float32 as checked
    double min_weight = 0;    // KeyWeight: the weight it needs (within `tolerance`)
    std::string problem;          // why it failed beyond the number, or why it could not be checked
    bool graded = true;           // false: the answer "cannot be graded" (problem says why)
    Eigen::MatrixXd query;        // the query that was used (1×d or n×d)
    Eigen::MatrixXd keys;         // the keys that were used
    AttentionResultF attention;   // float32, as the notebook computes it
    Eigen::MatrixXf target;
};

TaskCheck check_task(const Course& course, const Task& task, const Dataset& data, const AnswerSet& answers,
                     double tolerance, Language language = {});

// What the check measured, with its threshold, in words a class understands: "max abs diff
// 0.00123 ≤ 0.05", "weight of k0 = 0.698, needs ≥ 0.9 (within 0.001)". Empty when the check
// measured nothing (not answered, cannot be graded, or refused before computing).
std::string measured_text(const TaskCheck& check, Language language = {});
std::vector<TaskCheck> check_all(const Course& course, const Dataset& data, const AnswerSet& answers, double tolerance,
                                 Language language = {});

// check_all() on a hand-in: tasks whose answer cannot be graded (or that need a query that
// cannot) are answered, not passed, graded = false, with problem "cannot be graded: <reason>".
std::vector<TaskCheck> check_hand_in(const Course& course, const Dataset& data, const HandIn& hand_in, double tolerance,
                                     Language language = {});

struct TaskSolution {
    Solution solution;
    AnswerTensor answer;     // ready to store under task.answer
    TaskCheck check;         // the answer graded like a student's (with the answers it depends on)
};

TaskSolution solve_task(const Course& course, const Task& task, const Dataset& data, const AnswerSet& current,
                        double tolerance, const SolveOptions& options);

// Solves every task in order; later tasks see earlier answers. Returns the answers; the
// per-task solutions go to `solutions` when given.
AnswerSet solve_all(const Course& course, const Dataset& data, double tolerance, const SolveOptions& options,
                    std::vector<TaskSolution>* solutions = nullptr);

// The float32 output the task wants (the notebook's `target`).
Eigen::MatrixXf task_target(const Task& task, const Dataset& data);

// The scale and mask the task is checked with; the mask has one row per query row (rows) and a
// column per key, and hides key j from a query at token p when j > p (causal courses).
AttentionOptions task_attention(const Course& course, const Task& task, int query_rows, int key_count);
// The tolerance the task is graded at: its own, else `tolerance`.
double task_tolerance(const Task& task, double tolerance);

}  // namespace attn
