// attnlab core: grading a whole class (`attnlab check DIR_OR_FILES...`, issue 14).
//
// [SECTION] finding the hand-ins   find_hand_ins()
// [SECTION] grading                grade_class()
// [SECTION] writing                class_report_text / _json / _csv / _html, class_exit_status
//
// What a hand-in is
// - A file argument is one student, named by its file stem ("alice.py" → alice).
// - A folder argument is a class:
//     * each .py, .ipynb or .json file directly inside is one student, named by its stem;
//     * each sub-folder is one student, named by the folder; their hand-in is the single .py,
//       .ipynb or .json file in it. A folder with none or with several is listed as a student
//       whose hand-in could not be read, and the error says which ("no .py, .ipynb or .json file
//       in the folder", "2 hand-in files in the folder (a.py, b.py): keep one").
//     * names starting with '.' (.ipynb_checkpoints, .DS_Store) and __pycache__ are skipped, and
//       so is any other file (README.txt); deeper folders are never entered.
//   When two students get the same name (alice.py and alice.ipynb), both are named by their
//   file name instead. Students are sorted by name (bytewise), so every output is deterministic.
// - Symbolic links are followed one step, as the file or folder they point to; a dangling link
//   or a loop is a student with an error, never a hang: nothing is entered deeper than one level.
//   FIFOs and devices are refused by the reader (core/course/answer_file.h), without blocking.
//
// Grading is read_hand_in() + check_hand_in() per student, exactly as `attnlab check FILE`; a
// student file is parsed, never executed. Against a pack (ClassGradingOptions::course, issue 22)
// it is read_pack_hand_in() over the student's course: their own variant of the pack, made for
// their student_id (a roster's ID, else the folder name or file stem: assign_student_ids()). The hand-ins are graded on a few threads at once, and
// the whole class's work is bounded (kMaxClassWork in core/base/limits.h: file bytes, Python
// source bytes and the evaluator's work), so a class of hostile hand-ins ends in seconds. A task is in one of four states:
//   pass         graded and within the tolerance
//   fail         graded and outside it, or its answer has the wrong shape (reason: the checker's
//                problem, else the live diagnosis's reason: "k0 leads, but q is too short ...")
//   n/a          cannot be graded ("cannot be graded: uses `os` at line 3")
//   missing      not answered
// A student whose file cannot be read has no task states, only `error`.
//
// The class summary
// - per task: counts of the four states over the students whose file was read, and pass_rate =
//   passed / all students (an unreadable hand-in passes nothing);
// - per task: a histogram of max abs diff over the graded answers in decades with the tolerance
//   as one more edge, so no bin mixes passes and fails: for 0.05, bins [0, 1e-6), [1e-6, 1e-5),
//   ..., [0.01, 0.05], (0.05, 0.1), [0.1, 1), [1, 10), [10, inf) (error_bin below);
// - the most common reasons a task failed or could not be graded (not-answered tasks are only
//   counted), grouped after numbers are replaced by '#'
//   (task ids such as 1.3.2 and names such as k2 or query132 are kept), most frequent first.
//
// Calling rules
// - find_hand_ins() throws InputError for problems with the command itself: an argument that
//   does not exist, no arguments, a folder that holds nothing to grade, more than
//   kMaxClassHandIns students or a folder with more than kMaxClassFolderEntries entries.
//   Problems with one student's hand-in never throw: they become that student's error.
// - grade_class() never throws InputError for a student's file; tolerance > 0 and finite.
// - Every string from the students (file names, reasons quoting their code) goes through
//   printable() for text, RFC 4180 quoting (and a leading ' against spreadsheet formulas) for
//   CSV, and HTML escaping for the report. The HTML has no scripts and no external URLs.
#pragma once

#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/course/exercises.h"
#include "core/course/pack.h"

#include <array>
#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

// ---- [SECTION] finding the hand-ins -----------------------------------------------------------
struct HandInSource {
    std::string student;  // display name (raw bytes of the file or folder name)
    std::string path;     // the file to grade; empty when there is none (error says why)
    std::string error;    // why this student has no gradable file (empty when path is set)
    // The student ID a variant is derived from (a roster's ID, else the display name); empty when
    // the class is graded against one course for all (the notebook or a pack without variants).
    std::string student_id;
    // The file or folder name the hand-in was found under ("alice.py", "bob"): what a roster names.
    std::string entry;
};

std::vector<HandInSource> find_hand_ins(const std::vector<std::string>& arguments);

// ---- [SECTION] variants: the course, the roster, the student IDs (issue 22) --------------------
// What a class is graded against: the notebook (the default); or a pack, each student against
// their own variant (make_variant for their student_id) when the pack has torch data and is not
// itself a student's variant, else everyone against the pack itself.
struct ClassCourse {
    Course course = notebook_course();  // the notebook, the pack, or the pack whose variants are graded
    std::string pack_text;              // the pack's JSON (variants are made from it); empty: the notebook
    std::string pack_source;            // the file path or built-in pack id it was named by
    bool variants = false;              // each student is graded against their own variant
};
// The pack named as on the command line: a file or a built-in pack's id (read_pack_source).
// Throws InputError listing the pack's problems.
ClassCourse class_pack_course(const std::string& id_or_path);

// A roster: CSV (RFC 4180 fields, CRLF or LF, an optional UTF-8 BOM) with the header line
// `hand_in,student_id`, then one line per student: the name of their file or folder in the class
// folder (as find_hand_ins found it: "alice.py", "bob" or "bob/") and their student ID (1 to 200
// bytes, as make_variant needs). Blank lines are skipped. Every problem throws InputError with
// "<where>:<line>: <what is wrong>": a wrong header, a line without exactly two fields, an empty
// field, an unclosed quote, a name listed twice.
struct RosterEntry {
    std::string hand_in, student_id;
    int line = 0;
};
struct Roster {
    std::string where;
    std::vector<RosterEntry> entries;
};
Roster parse_roster(std::string_view text, const std::string& where);
Roster load_roster(const std::string& path);  // at most kMaxAnswerFileBytes

// Sets every hand-in's student_id for grading against variants: the roster's ID for its entry
// when a roster is given (a hand-in missing from it gets that as its error), else the entry's
// own name (the folder name, or the file's stem).
void assign_student_ids(std::vector<HandInSource>& hand_ins, const Roster* roster);

// ---- [SECTION] grading ------------------------------------------------------------------------
enum class TaskState { Pass, Fail, NotGraded, Missing };
const char* task_state_name(TaskState state);  // "pass", "fail", "n/a", "missing"

struct StudentTask {
    std::string id;
    TaskState state = TaskState::Missing;
    float max_abs_diff = 0;  // NaN unless graded
    std::string reason;      // empty for pass; why it failed, could not be graded or is missing
    // What the check measured, with its threshold (measured_text): "max abs diff 0.0012 ≤ 0.05",
    // or for a temperature task "weight of k0 = 0.59, needs ≥ 0.9", whose max_abs_diff is only
    // the shortfall. Empty unless graded.
    std::string measured;
};

struct StudentResult {
    std::string student;
    std::string path;
    // The variant this student was graded against: the student ID its data is derived from
    // (core/course/pack.h make_variant); empty when graded against the class's course itself.
    std::string variant_student;
    std::string error;  // non-empty: the hand-in could not be read; tasks is empty
    std::vector<StudentTask> tasks;
    int passed() const;
};

// The error histogram's bins: the decade edges 1e-6, 1e-5, ..., 1, 10 plus the tolerance as an
// edge of its own (a tolerance that is itself a decade edge, such as 0.1, adds 5 × tolerance
// instead, so there are always kErrorBins bins). A diff equal to the tolerance passes
// (check.pass is diff <= tolerance), so it lands left of the tolerance edge: every bin left of
// it holds passes only, every bin right of it fails only. tolerance > 0 and finite.
inline constexpr int kErrorBins = 10;
inline constexpr double kDefaultTolerance = 0.05;  // the notebook's
// The kErrorBins - 1 inner edges, ascending; the tolerance is one of them.
std::array<double, kErrorBins - 1> error_bin_edges(double tolerance = kDefaultTolerance);
// The first bin right of the tolerance edge: bins below it pass, bins from it fail.
int first_failing_bin(double tolerance = kDefaultTolerance);
int error_bin(double max_abs_diff, double tolerance = kDefaultTolerance);  // 0 .. kErrorBins-1
// Each bin by its lower edge: "<1e-6", "1e-6", ..., "0.01" (the bin that ends at the
// tolerance starts at 0.01), ">0.05" (the one starting right of it), "0.1", "1", "≥10".
std::string error_bin_label(int bin, double tolerance = kDefaultTolerance);

struct TaskSummary {
    std::string id;
    int passed = 0, failed = 0, not_graded = 0, missing = 0, unreadable = 0;
    double pass_rate = 0;  // passed / students
    std::array<int, kErrorBins> histogram{};
};

struct ReasonCount {
    std::string task;    // "1.4.2"
    std::string reason;  // numbers replaced by '#'
    int count = 0;
    std::vector<std::string> students;  // sorted
};

struct ClassReport {
    double tolerance = 0.05;
    // What the class was graded against: the course's id and title ("notebook", "Understanding
    // attention" for the built-in notebook) and the pack it came from (a file path or a built-in
    // pack id; empty for the notebook), so a report can name it and the Class window can open a
    // student's answers in the same course and variant.
    std::string course_id, course_title, pack_source;
    std::string where;  // the folder or files graded, as the command named them
    std::vector<StudentResult> students;  // in the order of hand_ins (find_hand_ins sorts by name)
    std::vector<TaskSummary> tasks;       // notebook order
    std::vector<ReasonCount> reasons;     // most frequent first, then by task and text
    int unreadable = 0;
    int all_passed = 0;  // students with every task passed
    bool cancelled = false;  // grading stopped at *cancel: the report is empty, not partial
};

// How grade_class() runs. Every field may be left as it is.
struct ClassGradingOptions {
    // Checked before each hand-in: a set flag returns an empty report with `cancelled`.
    const std::atomic<bool>* cancel = nullptr;
    // Called after each hand-in with (graded so far, all), from a grading thread, never two at
    // once and with `done` increasing by one each call.
    std::function<void(int done, int total)> progress;
    // Grading threads: 0 is one per core (std::thread::hardware_concurrency), at most
    // kMaxGradingThreads; 1 grades on the calling thread alone.
    int threads = 0;
    // The class's work budget (core/base/limits.h); tests lower it.
    double work_budget = kMaxClassWork;
    // Names the class in a refusal: the folder, or "check".
    std::string where = "check";
    // The language of the reasons (the checker's problems and the diagnosis): the Class window's.
    Language language = {};
    // What the class is graded against; null: the notebook. With variants, each hand-in's
    // student_id names its variant (assign_student_ids); one that cannot be made is that
    // student's error.
    const ClassCourse* course = nullptr;
};
inline constexpr int kMaxGradingThreads = 4;

// The work known before grading: every hand-in's file size (at most kMaxAnswerFileBytes) times
// kClassWorkPerFileByte. grade_class() refuses a class above the budget with this alone.
double class_file_work(const std::vector<HandInSource>& hand_ins);

// Grades every hand-in, on a small pool of threads over the hand-ins; the report is the same,
// byte for byte, for any number of threads (each result keeps its hand-in's place). Throws
// InputError, naming options.where and the limit, when the class's work passes the budget
// (kMaxClassWork): before grading when the files alone pass it, else as soon as the graded
// hand-ins' work does (the report is then never partial). Safe to run on a worker thread (the
// Class window); the pool's threads end before it returns or throws.
ClassReport grade_class(const std::vector<HandInSource>& hand_ins, double tolerance, const ClassGradingOptions& options);
// The same with a cancel flag and a progress callback (see ClassGradingOptions).
ClassReport grade_class(const std::vector<HandInSource>& hand_ins, double tolerance,
                        const std::atomic<bool>* cancel = nullptr,
                        const std::function<void(int done, int total)>& progress = {});

// The grouping key of a reason: decimal numbers become '#', except inside task ids (1.3.2) and
// names (k2, query132). "|q| = 3.2, needs ≥ 12" → "|q| = #, needs ≥ #".
std::string normalize_reason(const std::string& reason);

// ---- [SECTION] writing ------------------------------------------------------------------------
// 0: every hand-in was read and every answered task passed (a missing answer is shown but, as
// for `check FILE`, does not fail); 1: otherwise.
int class_exit_status(const ClassReport& report);

std::string class_report_text(const ClassReport& report);
// {"tolerance", "tasks": [ids], "students": [{"student", "file", "error"?, "variant"?, "passed",
//  "tasks": [{"id", "state", "max_abs_diff" (null unless graded; a weight task's shortfall),
//             "measured"? (what the check measured: measured_text), "reason"?}]}],
//  "summary": {"hand_ins", "read", "unreadable", "all_passed",
//              "tasks": [{"id", "passed", "failed", "not_graded", "missing", "unreadable",
//                         "pass_rate", "histogram": {"bins": [labels], "edges": [inner edges],
//                                                    "first_failing_bin", "counts": [...]}}],
//              "reasons": [{"task", "reason", "count", "students"}]}, "exit_status"}
nlohmann::json class_report_json(const ClassReport& report);
// Header: student,file,error,<id>,<id> max_abs_diff,... ,passed; one row per student, cells
// pass / fail / n/a / missing (empty for an unreadable hand-in); CRLF line ends (RFC 4180).
std::string class_report_csv(const ClassReport& report);
// One self-contained HTML page (class_report_html.cpp): inline CSS, inline SVG charts, no
// scripts, no URLs; a grade sheet to print or post. Its header names the course (the pack, or
// the built-in notebook), the folder graded, the tolerance and `date` (the caller's today,
// "YYYY-MM-DD", passed in so tests are deterministic; empty leaves the date out) and says in
// words how the class did. Every cell carries a mark as well as a colour (print, colour-blind
// readers): ✓ pass, ✗ fail, n/a cannot be graded, – missing, ! could not be read; colours pass
// green, fail red, n/a amber, missing grey, could not be read dark slate; a legend says so.
std::string class_report_html(const ClassReport& report, const std::string& date);
// The same dated today (local_date_today()): the Class window's Export, so that it writes the
// file `attnlab check --report` writes the same day.
std::string class_report_html(const ClassReport& report);
// Today's local date as "YYYY-MM-DD", for class_report_html's header.
std::string local_date_today();

}  // namespace attn
