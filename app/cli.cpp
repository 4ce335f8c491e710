#include "app/cli.h"

#include "app/i18n.h"

#include "core/course/answer_file.h"
#include "core/formats/captured.h"
#include "core/course/class_report.h"
#include "core/course/feedback.h"
#include "core/base/error.h"
#include "core/course/exercises.h"
#include "core/base/i18n.h"
#include "core/course/hints.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/pack.h"
#include "core/course/report.h"
#include "core/formats/tensor_file.h"
#include "core/math/torch_random.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>
#include <sys/stat.h>
#include <unistd.h>

namespace attn::app {

struct CommandLine {
    CLI::App* solve = nullptr;
    CLI::App* check = nullptr;
    CLI::App* dataset = nullptr;
    CLI::App* tensors = nullptr;
    CLI::App* tensors_info = nullptr;
    CLI::App* pack = nullptr;
    CLI::App* pack_check = nullptr;
    CLI::App* pack_variant = nullptr;
    CLI::App* pack_hints = nullptr;

    std::string pack_file;     // solve/check --pack, pack check/variant/hints FILE
    std::string student;       // --student ID
    std::string output_file;   // pack variant -o

    std::string format = "text";
    std::string tolerance_text = "0.05";  // options are strings, parsed strictly (parse_options)
    double tolerance = 0.05;
    std::string language = "en";
    std::string data_file;
    std::string goal;

    std::vector<std::string> answers_files;  // check: files and folders
    std::string report_file;                 // check --report
    std::string roster_file;                 // check DIR --pack P --roster CSV
    std::string feedback_dir;                // check --feedback

    std::string seed_text = "447";
    uint64_t seed = 447;
    std::string shape = "4,3";
    std::string decimals_text = "2";
    int decimals = 2;
    bool no_normalize = false;

    std::string tensors_file;
    bool tensors_patterns = false;  // tensors info --patterns
};

namespace {

// Text for stdout made from data (titles, hints, file names): terminal_text() keeps the lines and
// escapes every other control character, so a pack cannot clear the screen or retitle the window.
void print_text(const std::string& text) { std::cout << terminal_text(text); }

// Every number option is read as text and parsed here: CLI11 would take 0x10 and "" and clamp
// 2^64 to 2^64-1. Throws InputError naming the option.
void parse_options(CommandLine& c, const std::string& command) {
    c.tolerance = parse_decimal(c.tolerance_text, command + " --tol", 1e-12, kMaxTolerance);
    c.seed = parse_unsigned64(c.seed_text, command + " --torch-seed");
    c.decimals = static_cast<int>(parse_whole_number(c.decimals_text, command + " --decimals", -1, 8));
}

SolveOptions solve_options(const CommandLine& c) {
    SolveOptions options;
    options.language = parse_language(c.language);
    return options;
}

int solve_goal(const CommandLine& c, const Dataset& data, const SolveOptions& options) {
    const Goal goal = parse_goal(c.goal, static_cast<int>(data.keys.rows()));
    const Solution solution = solve_query_goal(data, goal, options);
    double error = 0;
    if (solution.feasible) {
        const auto result = attention_f32(solution.answer, data.keys, data.values);
        error = max_abs_diff(goal_target(goal, data.values).cast<float>().eval(), result.output);
        // Within the limits this cannot happen; never print "null" with exit 0 if it does.
        if (!std::isfinite(error)) throw InputError("the answer's error is not finite (numbers too large)");
    }
    if (c.format == "json") {
        std::cout << goal_solution_json(goal, solution, error).dump(2) << "\n";
    } else if (solution.feasible) {
        const nlohmann::json query =
            goal.kind == Goal::Kind::Identity ? matrix_to_json(solution.answer) : vector_to_json(solution.answer);
        print_text(format(tr(options.language, "goal %s: query = %s\nmax abs diff %g\n"),
                          goal_to_string(goal).c_str(), query.dump().c_str(), error) +
                   solution.explanation + "\n");
    } else {
        print_text(format(tr(options.language, "goal %s: impossible: %s\n"),
                          goal_to_string(goal).c_str(), solution.reason.c_str()));
    }
    return 0;
}

// The course --pack names: the file itself, or the variant of --student (derived from the file).
Course pack_course(const CommandLine& c, const std::string& student) {
    const std::string text = read_pack_source(c.pack_file);
    Course course = load_pack(text, c.pack_file);
    if (student.empty() || course.variant_student == student) return course;
    if (!course.variant_student.empty())
        throw InputError(printable_path(c.pack_file) + ": is the variant of " + in_quotes(course.variant_student) +
                         ", not of " + in_quotes(student));
    const PackVariant variant = make_variant(text, c.pack_file, student);
    for (const std::string& line : variant.skipped) print_error("variant: skipped " + line);
    return variant.course;
}

int run_solve_pack(const CommandLine& c, const SolveOptions& options) {
    const Course course = pack_course(c, c.student);
    std::vector<TaskSolution> solutions;
    const AnswerSet answers = solve_all(course, course.data, c.tolerance, options, &solutions);
    if (c.format == "json") std::cout << pack_answers_json(course, answers).dump(2) << "\n";
    else if (c.format == "python") print_text(solutions_as_python(course, solutions));
    else print_text(solutions_as_text(course, solutions, c.tolerance, options.language));
    return 0;
}

int run_solve(const CommandLine& c) {
    const SolveOptions options = solve_options(c);
    if (!c.goal.empty() || !c.data_file.empty()) {
        if (c.goal.empty()) throw InputError("solve --data needs --goal select:I, average:I,J,... or identity");
        const Dataset data = c.data_file.empty() ? notebook_dataset() : load_dataset_json(c.data_file);
        // Every later message names the data, whatever core function raised it.
        const std::string where = c.data_file.empty() ? std::string("notebook data") : printable_path(c.data_file);
        try {
            return solve_goal(c, data, options);
        } catch (const InputError& e) {
            throw InputError(where + ": " + e.what());
        }
    }
    if (!c.pack_file.empty()) return run_solve_pack(c, options);
    const Course& course = notebook_course();
    std::vector<TaskSolution> solutions;
    solve_all(course, notebook_dataset(), c.tolerance, options, &solutions);
    if (c.format == "python") print_text(solutions_as_python(course, solutions));
    else if (c.format == "json") std::cout << solutions_as_json(course, solutions, c.tolerance).dump(2) << "\n";
    else print_text(solutions_as_text(course, solutions, c.tolerance, options.language));
    return 0;
}

// `check` grades one file as before unless it is asked for a class: several arguments, a folder,
// --format csv or --report.
bool class_mode(const CommandLine& c) {
    if (c.answers_files.size() != 1 || c.format == "csv" || !c.report_file.empty() || !c.feedback_dir.empty()) return true;
    struct stat info {};
    return ::stat(c.answers_files.front().c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// Grades the class on every core. When stderr is a terminal, "graded N of M hand-ins" counts up
// on one line there (erased at the end); otherwise nothing is added to stderr.
ClassReport grade_class_showing_progress(const CommandLine& c, const ClassCourse& against) {
    ClassGradingOptions options;
    options.where = c.answers_files.size() == 1 ? c.answers_files.front() : "check";
    options.language = parse_language(c.language);
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    if (terminal)
        options.progress = [](int done, int total) {
            std::fprintf(stderr, "\rattnlab: graded %d of %d hand-ins", done, total);
            std::fflush(stderr);
        };
    struct EraseLine {  // also when grading throws: the error line starts on a clean line
        bool terminal;
        ~EraseLine() {
            if (terminal) std::fputs("\r\033[K", stderr);
        }
    } erase{terminal};
    std::vector<HandInSource> hand_ins = find_hand_ins(c.answers_files);
    if (c.pack_file.empty()) return grade_class(hand_ins, c.tolerance, options);
    // A class of variants (issue 22): each student's ID from the roster, else their file or folder name.
    if (against.variants) {
        const Roster roster = c.roster_file.empty() ? Roster{} : load_roster(c.roster_file);
        assign_student_ids(hand_ins, c.roster_file.empty() ? nullptr : &roster);
    } else if (!c.roster_file.empty()) {
        print_error("note: " + printable_path(c.pack_file) + " has no variants; --roster is not used");
    }
    options.course = &against;
    return grade_class(hand_ins, c.tolerance, options);
}

int run_class(const CommandLine& c) {
    // What the class is graded against: the notebook, or --pack (its variants, one per student).
    const ClassCourse against = c.pack_file.empty() ? ClassCourse{} : class_pack_course(c.pack_file);
    const ClassReport report = grade_class_showing_progress(c, against);
    // The report first: when it cannot be written, the run is a usage error (exit 2, no stdout).
    if (!c.report_file.empty()) write_file_atomically(c.report_file, class_report_html(report, local_date_today()));
    if (!c.feedback_dir.empty()) write_class_feedback(report, against, c.feedback_dir, parse_language(c.language));
    if (c.format == "json") std::cout << class_report_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else if (c.format == "csv") print_text(class_report_csv(report));
    else print_text(class_report_text(report));
    return class_exit_status(report);
}

// A hand-in that holds none of the course's answers fails (exit 1) with a line saying so: exit 0
// means every task passes, and an empty file or a notebook without code passes nothing.
int no_answers(const std::string& path) {
    print_error(printable_path(path) + ": no answers found (the file assigns none of the course's answer names)");
    return 1;
}

// One hand-in against a pack: JSON answers, or a .py / .ipynb hand-in read over the course's data.
// The course is --student's variant, else the variant of the student a JSON file names, else the
// pack itself.
int run_check_pack(const CommandLine& c) {
    const std::string path = c.answers_files.front();
    Course course = pack_course(c, c.student);
    PackHandIn read = read_pack_hand_in(path, course);
    if (!c.student.empty() && !read.student.empty() && c.student != read.student)
        throw InputError(printable_path(path) + ": the answers name student " + in_quotes(read.student) + ", not " +
                         in_quotes(c.student));
    if (c.student.empty() && !read.student.empty()) course = pack_course(c, read.student);  // JSON: no data read
    const HandIn& hand_in = read.hand_in;
    const Language language = parse_language(c.language);
    const auto checks = check_hand_in(course, course.data, hand_in, c.tolerance, language);
    if (c.format == "json") std::cout << checks_as_json(checks, c.tolerance).dump(2) << "\n";
    else print_text(checks_as_text(course, checks, c.tolerance, language));
    if (hand_in.answers.empty() && hand_in.cannot_grade.empty()) return no_answers(path);
    for (const TaskCheck& check : checks)
        if (check.answered && !check.pass) return 1;
    return 0;
}

int run_check(const CommandLine& c) {
    if (!c.roster_file.empty() && c.pack_file.empty())
        throw InputError("check --roster: the roster names each student's variant; it needs --pack");
    if (class_mode(c)) {
        if (!c.student.empty())
            throw InputError("check --student grades one hand-in; a class's IDs come from --roster or the hand-ins' names");
        return run_class(c);
    }
    if (!c.roster_file.empty()) throw InputError("check --roster is for a class: a folder or several hand-ins");
    if (!c.pack_file.empty()) return run_check_pack(c);
    const Dataset data = notebook_dataset();
    const HandIn hand_in = read_hand_in(c.answers_files.front(), data);
    const Course& course = notebook_course();
    const auto checks = check_hand_in(course, data, hand_in, c.tolerance, parse_language(c.language));
    if (c.format == "json") std::cout << checks_as_json(checks, c.tolerance).dump(2) << "\n";
    else print_text(checks_as_text(course, checks, c.tolerance, parse_language(c.language)));
    if (hand_in.answers.empty() && hand_in.cannot_grade.empty()) return no_answers(c.answers_files.front());
    for (const TaskCheck& check : checks)
        if (check.answered && !check.pass) return 1;
    return 0;
}

std::vector<int> parse_shape(const std::string& text) {
    const std::string what = "--shape " + in_quotes(text, 30);
    const std::vector<int> dims = parse_int_list(text, what, "a positive whole number");
    if (dims.size() < 2 || dims.size() > 3) throw InputError(what + ": expected N,d or N,d,dv");
    const int limits[3] = {kMaxDatasetKeys, kMaxDatasetKeyDim, kMaxDatasetValueDim};
    const char* names[3] = {"N", "d", "dv"};
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (dims[i] < 1) throw InputError(what + ": " + names[i] + " must be at least 1");
        if (dims[i] > limits[i])
            throw InputError(what + ": " + names[i] + " = " + std::to_string(dims[i]) + " is more than the limit of " +
                             std::to_string(limits[i]));
    }
    return dims;
}

int run_dataset(const CommandLine& c) {
    const std::vector<int> dims = parse_shape(c.shape);
    TorchDatasetSpec spec;
    spec.seed = c.seed;
    spec.n = dims[0];
    spec.d = dims[1];
    spec.dv = dims.size() == 3 ? dims[2] : dims[1];
    spec.decimals = c.decimals;
    spec.normalize = !c.no_normalize;
    const Dataset data = make_torch_dataset(spec);
    nlohmann::json out{{"keys", matrix_to_json(data.keys)}, {"values", matrix_to_json(data.values)}};
    // Widened float32 values print with up to 17 digits; 9 are enough to get the same float back.
    std::cout << out.dump(1) << "\n";
    return 0;
}

// `attnlab tensors info FILE`: what a captured-attention file holds, as the app will open it.
int run_tensors_info(const CommandLine& c) {
    const AttentionCapture capture = load_attention_file(c.tensors_file);
    const char* scale = capture.scale_mode == ScaleMode::One ? "1" : capture.scale_mode == ScaleMode::InvSqrtD ? "inv_sqrt_d" : "number";
    std::printf("%s: %s, %s\n", printable_path(c.tensors_file).c_str(), capture.container.c_str(), capture.dtype.c_str());
    std::printf("layers %d, heads %d, tokens %d, d %d, dv %d\n", capture.layers, capture.heads, capture.tokens, capture.d,
                capture.dv);
    std::printf("causal %s, scale %s (%.9g)\n", capture.causal ? "true" : "false", scale, capture.scale);
    std::string line = "tokens:";
    const int shown = std::min(capture.tokens, 16);
    for (int t = 0; t < shown; ++t) line += " " + in_quotes(capture.token_labels[static_cast<std::size_t>(t)], 24);
    if (shown < capture.tokens) line += " ... (" + std::to_string(capture.tokens - shown) + " more)";
    print_text(line + "\n");
    if (!c.tensors_patterns) return 0;
    std::printf("patterns: mean weight over query rows 1..%d on the previous token, on itself, on the first token; "
                "induction: on the token after the previous occurrence of the query's token\n",
                capture.tokens - 1);
    for (int layer = 0; layer < capture.layers; ++layer) {
        for (int head = 0; head < capture.heads; ++head) {
            const HeadPatternScores s = head_pattern_scores(capture, layer, head);
            const std::string induction = s.induction_rows > 0 ? format("%.3f (%d rows)", s.induction, s.induction_rows) : "none";
            std::printf("layer %d head %d: previous %.3f, self %.3f, first %.3f, induction %s\n", layer, head, s.previous_token,
                        s.same_token, s.first_token, induction.c_str());
        }
    }
    return 0;
}

// `attnlab pack check FILE`: every problem with its JSON path, exit 2 when there is one.
int run_pack_check(const CommandLine& c) {
    const std::string text = read_pack_source(c.pack_file);
    const PackReading reading = read_pack(text, c.pack_file, parse_language(c.language));
    if (!reading.ok && reading.problems.size() == 1) {  // one line, as every other refusal (a limit, say)
        print_error(printable_path(c.pack_file) + ": " + reading.problems.front().path + ": " + reading.problems.front().message);
        return 2;
    }
    if (!reading.ok) {
        std::fputs(terminal_text(pack_problems_text(c.pack_file, reading.problems)).c_str(), stderr);
        std::fprintf(stderr, "attnlab: %s: %zu problem%s\n", printable_path(c.pack_file).c_str(), reading.problems.size(),
                     reading.problems.size() == 1 ? "" : "s");
        return 2;
    }
    int graded = 0;
    for (const Task& task : reading.course.tasks) graded += task.discussion ? 0 : 1;
    std::printf("%s: pack \"%s\" is valid: %zu tasks (%d checked), languages", printable_path(c.pack_file).c_str(),
                printable(reading.course.id).c_str(), reading.course.tasks.size(), graded);
    for (const std::string& code : reading.course.languages) std::printf(" %s", printable(code).c_str());
    std::printf("; every task is solvable%s\n",
                reading.course.variant_student.empty()
                    ? ""
                    : (", variant of " + in_quotes(reading.course.variant_student)).c_str());
    return 0;
}

int run_pack_variant(const CommandLine& c) {
    const std::string text = read_pack_source(c.pack_file);
    const PackVariant variant = make_variant(text, c.pack_file, c.student);
    for (const std::string& line : variant.skipped)
        print_error("skipped " + line + "; the next seed is used");
    const std::string out = variant.doc.dump(2, ' ', false) + "\n";
    if (c.output_file.empty()) std::cout << out;  // JSON: nlohmann escapes every control character
    else write_file_atomically(c.output_file, out);
    std::fprintf(stderr, "attnlab: variant of %s for %s: seed %llu (attempt %d)\n", printable_path(c.pack_file).c_str(),
                 in_quotes(c.student).c_str(), static_cast<unsigned long long>(variant.course.torch.seed), variant.attempt);
    return 0;
}

int run_pack_hints(const CommandLine& c) {
    const Course course = pack_course(c, c.student);
    const Language language = parse_language(c.language);
    AnswerSet answers;
    for (const Task& task : course.tasks) {
        if (task.discussion) continue;
        const TaskHints hints = task_hints(course, task, course.data, answers, language);
        print_text(task.id + " " + task.title.get(language) + "\n  1. " + hints.must_hold + "\n  2. " + hints.direction + "\n");
        // Later tasks' hints see the solved earlier answers, as a student who has done them would.
        SolveOptions options;
        options.language = language;
        const TaskSolution solved = solve_task(course, task, course.data, answers, c.tolerance, options);
        if (solved.solution.feasible) answers[task.answer] = solved.answer;
    }
    return 0;
}

}  // namespace

CLI::Validator language_validator() {
    return CLI::Validator(
        [](std::string& code) -> std::string {
            if (is_available_language(code)) return {};
            return "unknown language " + in_quotes(code, 20) + ": expected one of " + available_language_list();
        },
        "LANG", "language");
}

std::shared_ptr<CommandLine> register_commands(CLI::App& cli) {
    auto c = std::make_shared<CommandLine>();
    c->solve = cli.add_subcommand("solve", "Print analytic answers: the notebook's six, or one goal on your own data");
    c->solve->add_option("--format", c->format, "text, json or python (constant tensors for the notebook)")
        ->check(CLI::IsMember({"text", "json", "python"}));
    c->solve->add_option("--tol", c->tolerance_text, "Pass threshold for the reported checks (the course uses 0.05)");
    c->solve->add_option("--lang", c->language, "Language of explanations: " + available_language_list())
        ->check(language_validator());
    c->solve->add_option("--data", c->data_file, "JSON file {\"keys\": [[...]], \"values\": [[...]]}");
    c->solve->add_option("--goal", c->goal, "select:I, average:I,J,... or identity");

    c->check = cli.add_subcommand("check", "Grade a student's answers (JSON, a .py hand-in with tensor expressions, or an "
                                           ".ipynb notebook), or a whole class: several files or a folder");
    c->check->add_option("FILE", c->answers_files,
                         "answers file; several files, or a folder (one file or sub-folder per student), grade a class")
        ->required();
    c->check->add_option("--tol", c->tolerance_text, "Pass threshold (default 0.05, the course's)");
    c->check->add_option("--format", c->format, "text, json or csv (csv: a class, one row per student)")
        ->check(CLI::IsMember({"text", "json", "csv"}));
    c->check->add_option("--report", c->report_file, "Also write the class report as one self-contained HTML file");
    c->check->add_option("--feedback", c->feedback_dir, "Also write one Markdown feedback file per student into DIR");
    c->check->add_option("--lang", c->language, "Language: " + available_language_list())->check(language_validator());

    c->solve->add_option("--pack", c->pack_file, "Solve every task of this course pack, a file or a built-in pack's id (JSON answers with --format json)");
    c->solve->add_option("--student", c->student, "With --pack: the student's variant");
    c->check->add_option("--pack", c->pack_file, "Grade against this course pack, a file or a built-in pack's id (its variant for the student the answers name)");
    c->check->add_option("--student", c->student, "With --pack: grade against this student's variant");
    c->check->add_option("--roster", c->roster_file,
                         "With --pack and a class: CSV 'hand_in,student_id' naming each file or folder's student ID "
                         "(default: the folder name or file stem)");

    c->pack = cli.add_subcommand("pack", "Course packs: check one, make a student's variant, print hints");
    c->pack->require_subcommand(1);
    c->pack_check = c->pack->add_subcommand("check", "Report every problem of a pack with its JSON path (exit 2 if any)");
    c->pack_check->add_option("FILE", c->pack_file, "the pack: a JSON file or a built-in pack's id")->required();
    c->pack_check->add_option("--lang", c->language, "Language: " + available_language_list())->check(language_validator());
    c->pack_variant = c->pack->add_subcommand("variant", "Write a student's personal variant of a pack (stdout or -o)");
    c->pack_variant->add_option("FILE", c->pack_file, "the pack (JSON, torch data) or a built-in pack's id")->required();
    c->pack_variant->add_option("--student", c->student, "the student's ID")->required();
    c->pack_variant->add_option("-o,--output", c->output_file, "write here instead of stdout");
    c->pack_hints = c->pack->add_subcommand("hints", "Print the two hints of every task");
    c->pack_hints->add_option("FILE", c->pack_file, "the pack: a JSON file or a built-in pack's id")->required();
    c->pack_hints->add_option("--student", c->student, "the student's variant");
    c->pack_hints->add_option("--lang", c->language, "Language: " + available_language_list())->check(language_validator());

    c->dataset = cli.add_subcommand("dataset", "Print keys and values generated exactly as PyTorch's randn would");
    c->dataset->add_option("--torch-seed", c->seed_text, "torch.manual_seed value (0 to 2^64-1)");
    c->dataset->add_option("--shape", c->shape, "N,d or N,d,dv (default 4,3)");
    c->dataset->add_option("--decimals", c->decimals_text, "round_(decimals) from -1 to 8; -1 keeps full precision");
    c->dataset->add_flag("--no-normalize", c->no_normalize, "Skip the row normalization");

    c->tensors = cli.add_subcommand("tensors", "Captured attention files (safetensors, .npz)");
    c->tensors->require_subcommand(1);
    c->tensors_info = c->tensors->add_subcommand("info", "Print the layers, heads, tokens and d of a captured-attention file");
    c->tensors_info->add_option("FILE", c->tensors_file, "FILE.safetensors or FILE.npz")->required();
    c->tensors_info->add_flag("--patterns", c->tensors_patterns,
                              "Also print, for every head, its mean attention weight on the previous token, on itself, on the "
                              "first token and on the induction target");
    return c;
}

int run_selected(CommandLine& c) {
    const char* command = c.solve->parsed()     ? "solve"
                          : c.check->parsed()   ? "check"
                          : c.dataset->parsed() ? "dataset"
                          : c.tensors->parsed() ? "tensors info"
                          : c.pack->parsed()    ? "pack"
                                                : "";
    if (*command == '\0') return -1;
    // The file the command reads, to name it when memory runs out.
    const std::string file = c.check->parsed()     ? (c.answers_files.size() == 1 ? c.answers_files.front() : "")
                             : c.solve->parsed()   ? c.data_file
                             : c.tensors->parsed() ? c.tensors_file
                             : c.pack->parsed()    ? c.pack_file
                                                   : "";
    try {
        parse_options(c, command);
        if (c.solve->parsed()) return run_solve(c);
        if (c.check->parsed()) return run_check(c);
        if (c.tensors->parsed()) return run_tensors_info(c);
        if (c.pack_check->parsed()) return run_pack_check(c);
        if (c.pack_variant->parsed()) return run_pack_variant(c);
        if (c.pack_hints->parsed()) return run_pack_hints(c);
        return run_dataset(c);
    } catch (const InputError& e) {
        print_error(e.what());
    } catch (const std::bad_alloc&) {
        print_error((file.empty() ? std::string(command) : printable_path(file)) + ": input too large (out of memory)");
    } catch (const std::exception& e) {
        print_error(std::string(command) + ": " + e.what());
    }
    return 2;
}

void print_error(const std::string& message) {
    std::fprintf(stderr, "%s\n", one_line("attnlab: " + message).c_str());
}

}  // namespace attn::app
