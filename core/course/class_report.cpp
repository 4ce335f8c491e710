// [SECTION] finding the hand-ins
// [SECTION] grading and the summary
// [SECTION] text, JSON, CSV
#include "core/course/class_report.h"

#include "core/math/dataset.h"
#include "core/course/diagnosis.h"
#include "core/base/error.h"
#include "core/base/i18n.h"
#include "core/base/limits.h"
#include "core/base/text.h"
#include "core/base/json_io.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <dirent.h>
#include <map>
#include <new>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <system_error>
#include <thread>

namespace attn {

namespace {

// ---- [SECTION] finding the hand-ins -----------------------------------------------------------

bool ends_with(const std::string& s, const char* suffix) {
    const std::size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

bool is_hand_in_name(const std::string& name) {
    return ends_with(name, ".py") || ends_with(name, ".ipynb") || ends_with(name, ".json");
}

bool skipped_name(const std::string& name) { return name.empty() || name[0] == '.' || name == "__pycache__"; }

std::string base_name(const std::string& path) {
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    const auto slash = p.find_last_of('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string stem(const std::string& name) {
    const auto dot = name.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string join_path(const std::string& folder, const std::string& name) {
    return !folder.empty() && folder.back() == '/' ? folder + name : folder + "/" + name;
}

// The names in a folder (no "." and ".."), sorted; refuses a folder with too many entries.
// Returns false with `error` set when it cannot be opened.
bool list_folder(const std::string& path, std::vector<std::string>& names, std::string& error) {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) {
        error = std::string("cannot open the folder (") + std::strerror(errno) + ")";
        return false;
    }
    names.clear();
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        if (names.size() >= static_cast<std::size_t>(kMaxClassFolderEntries)) {
            ::closedir(dir);
            throw InputError(printable_path(path) + ": more than " + std::to_string(kMaxClassFolderEntries) +
                             " entries in the folder (the limit)");
        }
        names.push_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return true;
}

struct Found {
    HandInSource source;
    std::string long_name;  // the name used when the short one clashes
};

// One student folder: the single hand-in file in it.
Found student_folder(const std::string& path, const std::string& name) {
    Found f;
    f.source.student = name;
    f.source.entry = name;
    f.long_name = name + "/";
    std::vector<std::string> names;
    std::string error;
    if (!list_folder(path, names, error)) {
        f.source.error = printable_path(path) + ": " + error;
        return f;
    }
    std::vector<std::string> files;
    for (const std::string& entry : names)
        if (!skipped_name(entry) && is_hand_in_name(entry)) files.push_back(entry);
    if (files.size() == 1) {
        f.source.path = join_path(path, files.front());
    } else if (files.empty()) {
        f.source.error = printable_path(path) + ": no .py, .ipynb or .json file in the folder";
    } else {
        std::string list;
        for (std::size_t i = 0; i < files.size() && i < 3; ++i) list += (i ? ", " : "") + printable(files[i], 30);
        if (files.size() > 3) list += ", ...";
        f.source.error = printable_path(path) + ": " + std::to_string(files.size()) + " hand-in files in the folder (" +
                         list + "): keep one";
    }
    return f;
}

Found student_file(const std::string& path) {
    Found f;
    const std::string name = base_name(path);
    f.source.student = stem(name);
    f.source.entry = name;
    f.source.path = path;
    f.long_name = name;
    return f;
}

void add_class_folder(const std::string& folder, std::vector<Found>& out) {
    std::vector<std::string> names;
    std::string error;
    if (!list_folder(folder, names, error)) throw InputError(printable_path(folder) + ": " + error);
    const std::size_t before = out.size();
    for (const std::string& name : names) {
        if (skipped_name(name)) continue;
        const std::string path = join_path(folder, name);
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0) {  // a dangling link or a loop (ELOOP)
            if (!is_hand_in_name(name)) {
                struct stat link {};
                if (::lstat(path.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) continue;
            }
            Found f;
            f.source.student = is_hand_in_name(name) ? stem(name) : name;
            f.source.entry = name;
            f.long_name = name;
            f.source.error = printable_path(path) + ": cannot open (" + std::strerror(errno) + ")";
            out.push_back(f);
        } else if (S_ISDIR(info.st_mode)) {
            out.push_back(student_folder(path, name));
        } else if (is_hand_in_name(name)) {
            out.push_back(student_file(path));  // FIFOs and devices are refused by the reader
        }
        if (out.size() > static_cast<std::size_t>(kMaxClassHandIns))
            throw InputError(printable_path(folder) + ": more than " + std::to_string(kMaxClassHandIns) +
                             " hand-ins (the limit)");
    }
    if (out.size() == before)
        throw InputError(printable_path(folder) +
                         ": nothing to grade: no .py, .ipynb or .json file and no student folder in it");
}

}  // namespace

std::vector<HandInSource> find_hand_ins(const std::vector<std::string>& arguments) {
    if (arguments.empty()) throw InputError("check: no hand-ins given (files or folders)");
    std::vector<Found> found;
    for (const std::string& argument : arguments) {
        struct stat info {};
        if (::stat(argument.c_str(), &info) != 0)
            throw InputError(printable_path(argument) + ": cannot open (" + std::strerror(errno) + ")");
        if (S_ISDIR(info.st_mode)) add_class_folder(argument, found);
        else found.push_back(student_file(argument));
        if (found.size() > static_cast<std::size_t>(kMaxClassHandIns))
            throw InputError("check: more than " + std::to_string(kMaxClassHandIns) + " hand-ins (the limit)");
    }
    // Clashing names: the file name (or "folder/"), then the path.
    for (int pass = 0; pass < 2; ++pass) {
        std::map<std::string, int> seen;
        for (const Found& f : found) ++seen[f.source.student];
        for (Found& f : found)
            if (seen[f.source.student] > 1)
                f.source.student = pass == 0 ? f.long_name : (f.source.path.empty() ? f.long_name : f.source.path);
    }
    std::vector<HandInSource> out;
    out.reserve(found.size());
    for (Found& f : found) out.push_back(std::move(f.source));
    std::stable_sort(out.begin(), out.end(),
                     [](const HandInSource& a, const HandInSource& b) { return a.student < b.student; });
    return out;
}

// ---- [SECTION] variants: the course, the roster, the student IDs ------------------------------

ClassCourse class_pack_course(const std::string& id_or_path) {
    ClassCourse out;
    out.pack_text = read_pack_source(id_or_path);
    out.course = load_pack(out.pack_text, id_or_path);
    out.pack_source = id_or_path;
    out.variants = out.course.torch_data && out.course.variant_student.empty();
    return out;
}

namespace {

// The fields of one CSV line (RFC 4180: "a ""quoted"" field", commas inside quotes); throws
// InputError at `at` for an unclosed quote or text after a closing one.
std::vector<std::string> csv_fields(std::string_view line, const std::string& at) {
    std::vector<std::string> fields(1);
    std::size_t i = 0;
    while (i <= line.size()) {
        std::string& field = fields.back();
        if (i < line.size() && line[i] == '"') {
            for (++i;; ++i) {
                if (i >= line.size()) throw InputError(at + ": a quoted field is not closed");
                if (line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') field += line[i++];
                else if (line[i] == '"') break;
                else field += line[i];
            }
            ++i;
            if (i < line.size() && line[i] != ',') throw InputError(at + ": text after a quoted field");
        } else {
            while (i < line.size() && line[i] != ',') field += line[i++];
        }
        if (i >= line.size()) break;
        ++i;  // the comma
        fields.emplace_back();
    }
    return fields;
}

}  // namespace

Roster parse_roster(std::string_view text, const std::string& where) {
    Roster roster;
    roster.where = where;
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);
    std::map<std::string, int> first_line;  // hand-in name → its line
    int line_number = 0;
    bool header = false;
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const std::string at = printable_path(where) + ":" + std::to_string(line_number);
        if (line.find('\0') != std::string_view::npos) throw InputError(at + ": a NUL byte (not a text file)");
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        const std::vector<std::string> fields = csv_fields(line, at);
        if (!header) {
            if (fields != std::vector<std::string>{"hand_in", "student_id"})
                throw InputError(at + ": the header must be hand_in,student_id, not " + in_quotes(std::string(line), 60));
            header = true;
            continue;
        }
        if (fields.size() != 2)
            throw InputError(at + ": expected 2 fields (hand_in,student_id), found " + std::to_string(fields.size()));
        RosterEntry entry{fields[0], fields[1], line_number};
        while (entry.hand_in.size() > 1 && entry.hand_in.back() == '/') entry.hand_in.pop_back();
        if (entry.hand_in.empty()) throw InputError(at + ": the hand_in field is empty");
        if (entry.student_id.empty() || entry.student_id.size() > 200)
            throw InputError(at + ": the student_id must be 1 to 200 bytes, not " + std::to_string(entry.student_id.size()));
        const auto [it, added] = first_line.emplace(entry.hand_in, line_number);
        if (!added)
            throw InputError(at + ": " + in_quotes(entry.hand_in) + " is listed twice (first at line " +
                             std::to_string(it->second) + ")");
        roster.entries.push_back(std::move(entry));
    }
    if (!header) throw InputError(printable_path(where) + ": empty roster: expected the header hand_in,student_id");
    return roster;
}

Roster load_roster(const std::string& path) { return parse_roster(read_text_file(path, kMaxAnswerFileBytes), path); }

void assign_student_ids(std::vector<HandInSource>& hand_ins, const Roster* roster) {
    for (HandInSource& source : hand_ins) {
        if (!roster) {
            source.student_id = is_hand_in_name(source.entry) ? stem(source.entry) : source.entry;
            continue;
        }
        const auto found = std::find_if(roster->entries.begin(), roster->entries.end(),
                                        [&](const RosterEntry& e) { return e.hand_in == source.entry; });
        if (found != roster->entries.end()) {
            source.student_id = found->student_id;
        } else if (source.error.empty()) {
            source.error = printable_path(source.entry) + ": not in the roster " + printable_path(roster->where) +
                           " (add a line " + printable(source.entry) + ",<student_id>)";
            source.path.clear();
        }
    }
}

// ---- [SECTION] grading and the summary --------------------------------------------------------

const char* task_state_name(TaskState state) {
    switch (state) {
    case TaskState::Pass: return "pass";
    case TaskState::Fail: return "fail";
    case TaskState::NotGraded: return "n/a";
    case TaskState::Missing: return "missing";
    }
    return "?";
}

int StudentResult::passed() const {
    return static_cast<int>(std::count_if(tasks.begin(), tasks.end(), [](const StudentTask& t) { return t.state == TaskState::Pass; }));
}

std::array<double, kErrorBins - 1> error_bin_edges(double tolerance) {
    const double decades[] = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10};
    // A tolerance on a decade edge (0.1) would add no edge: split the decade above it instead.
    double extra = tolerance;
    for (double d : decades)
        if (std::fabs(tolerance - d) <= 1e-12 * d) extra = 5 * tolerance;
    std::array<double, kErrorBins - 1> edges{};
    std::copy(std::begin(decades), std::end(decades), edges.begin());
    edges.back() = extra;
    std::sort(edges.begin(), edges.end());
    return edges;
}

int first_failing_bin(double tolerance) {
    const auto edges = error_bin_edges(tolerance);
    return static_cast<int>(std::upper_bound(edges.begin(), edges.end(), tolerance) - edges.begin());
}

int error_bin(double max_abs_diff, double tolerance) {
    // Edges below the tolerance count when reached; the tolerance's own edge only when passed
    // (a diff equal to the tolerance passes). NaN reaches no edge: bin 0 (only graded answers come).
    int bin = 0;
    for (double edge : error_bin_edges(tolerance))
        bin += edge == tolerance ? max_abs_diff > edge : max_abs_diff >= edge;
    return bin;
}

namespace {
std::string edge_text(double edge) {  // 1e-06 → 1e-6
    std::string s = format("%g", edge);
    const std::size_t e = s.find("e-0");
    return e == std::string::npos ? s : s.erase(e + 2, 1);
}
}  // namespace

std::string error_bin_label(int bin, double tolerance) {
    if (bin < 0 || bin >= kErrorBins) return "?";
    const auto edges = error_bin_edges(tolerance);
    if (bin == 0) return (edges[0] == tolerance ? "≤" : "<") + edge_text(edges[0]);
    const double lower = edges[static_cast<std::size_t>(bin - 1)];
    if (lower == tolerance) return ">" + edge_text(lower);
    return (bin == kErrorBins - 1 ? "≥" : "") + edge_text(lower);
}

std::string normalize_reason(const std::string& reason) {
    std::string out;
    const std::size_t n = reason.size();
    auto digit = [&](std::size_t i) { return i < n && reason[i] >= '0' && reason[i] <= '9'; };
    auto word = [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
    };
    std::size_t i = 0;
    while (i < n) {
        const bool starts = digit(i) || (reason[i] == '.' && digit(i + 1) && (i == 0 || !word(reason[i - 1])));
        if (!starts || (i > 0 && word(reason[i - 1]))) {
            // part of a name (k2, query132): copy the whole word
            if (word(reason[i])) {
                while (i < n && word(reason[i])) out += reason[i++];
            } else {
                out += reason[i++];
            }
            continue;
        }
        std::size_t j = i;
        int dots = 0;
        bool id = true;  // digits separated by single dots, as in 1.3.2
        while (j < n && (digit(j) || (reason[j] == '.' && digit(j + 1)))) {
            if (reason[j] == '.') ++dots;
            ++j;
        }
        if (reason[i] == '.') id = false;
        if (j < n && (reason[j] == 'e' || reason[j] == 'E') &&
            (digit(j + 1) || ((reason[j + 1] == '-' || reason[j + 1] == '+') && digit(j + 2)))) {
            id = false;
            j += 2;
            while (digit(j)) ++j;
        }
        if (id && dots == 2) out.append(reason, i, j - i);
        else out += '#';
        i = j;
    }
    return out;
}

namespace {

// The diagnosis's reason without its verdict ("Fails: max error 0.42 > 0.05. ").
std::string failure_reason(const Course& course, const Task& task, const Dataset& data, const AnswerSet& answers,
                           const TaskCheck& check, double tolerance, Language language) {
    if (!check.problem.empty()) return check.problem;
    LocalText summary;
    try {
        summary = diagnose_task(course, task, data, answers, tolerance).summary;
    } catch (const std::exception&) {
        summary = LocalText{};
    }
    std::string text = summary.get(language);
    if (summary.en.rfind("Fails:", 0) == 0) {
        // Drop the first sentence ("Fails: max error … > tol."): the cell already says so.
        const auto latin = text.find(". "), cjk = text.find("\xE3\x80\x82");  // ". " or "。"
        const auto end = std::min(latin, cjk);
        text = end == std::string::npos ? "" : text.substr(end + (end == latin ? 2 : 3));
    }
    return text.empty() ? std::string(tr(language, "max abs diff above the tolerance")) : text;
}

// The student's course: the class's, or their own variant of it (make_variant; InputError).
Course student_course(const ClassCourse& against, const HandInSource& source) {
    if (!against.variants) return against.course;
    return make_variant(against.pack_text, against.pack_source, source.student_id).course;
}

// The hand-in read for its course: the notebook's reader, or a pack's (a JSON file naming
// another student than the one graded is refused).
HandIn read_for_course(const ClassCourse& against, const HandInSource& source, const Course& course) {
    if (against.pack_text.empty()) return read_hand_in(source.path, course.data);
    PackHandIn read = read_pack_hand_in(source.path, course);
    if (against.variants && !read.student.empty() && read.student != source.student_id)
        throw InputError(printable_path(source.path) + ": the answers name student " + in_quotes(read.student) +
                         ", not " + in_quotes(source.student_id));
    return std::move(read.hand_in);
}

// `work` gets what reading the hand-in cost beyond its file bytes (Python source and evaluation).
StudentResult grade_one(const HandInSource& source, const ClassCourse& against, double tolerance, double& work,
                        Language language) {
    StudentResult r;
    r.student = source.student;
    r.path = source.path;
    if (source.path.empty()) {
        r.error = source.error;
        return r;
    }
    if (against.variants) r.variant_student = source.student_id;
    HandIn hand_in;
    Course course;
    try {
        course = student_course(against, source);
        hand_in = read_for_course(against, source, course);
    } catch (const InputError& e) {
        r.error = e.what();
        return r;
    } catch (const std::bad_alloc&) {
        r.error = printable_path(source.path) + ": input too large (out of memory)";
        return r;
    }
    work = static_cast<double>(hand_in.code_bytes) * kClassWorkPerCodeByte + hand_in.work;
    const Dataset& data = course.data;
    for (const TaskCheck& check : check_hand_in(course, data, hand_in, tolerance, language)) {
        StudentTask t;
        t.id = check.id;
        t.max_abs_diff = std::numeric_limits<float>::quiet_NaN();
        if (!check.answered) {
            t.state = TaskState::Missing;
            t.reason = check.problem;
        } else if (!check.graded) {
            t.state = TaskState::NotGraded;
            t.reason = check.problem;
        } else {
            t.max_abs_diff = check.max_abs_diff;
            t.state = check.pass ? TaskState::Pass : TaskState::Fail;
            t.measured = measured_text(check, language);
            const Task* task = course.find(check.id);
            if (!check.pass && task) t.reason = failure_reason(course, *task, data, hand_in.answers, check, tolerance, language);
        }
        r.tasks.push_back(std::move(t));
    }
    return r;
}

// The hand-ins graded on a few threads. Each result goes to its hand-in's place, so the report
// does not depend on which thread graded what; the budget check and the progress calls share one
// lock, so progress counts up by one per call and the work is never counted twice.
class GradingPool {
public:
    GradingPool(const std::vector<HandInSource>& hand_ins, double tolerance, const ClassGradingOptions& options,
                const ClassCourse& against, double known_work)
        : hand_ins_(hand_ins), tolerance_(tolerance), options_(options), spent_(known_work), against_(against),
          results_(hand_ins.size()) {}

    // Runs the pool; false when cancelled or over the budget (over_budget() says which).
    bool run() {
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        const int wanted = options_.threads > 0 ? options_.threads : static_cast<int>(cores);
        const int threads = std::clamp(std::min(wanted, static_cast<int>(hand_ins_.size())), 1, kMaxGradingThreads);
        std::vector<std::thread> helpers;
        for (int t = 1; t < threads; ++t) {
            try {
                helpers.emplace_back([this] { grade_loop(); });
            } catch (const std::system_error&) {
                break;  // no more threads: the ones started (and this one) grade the rest
            }
        }
        grade_loop();
        for (std::thread& helper : helpers) helper.join();
        if (error_) std::rethrow_exception(error_);
        return !stop_;
    }
    bool over_budget() const { return over_budget_; }
    std::vector<StudentResult>& results() { return results_; }

private:
    void grade_loop() {
        for (;;) {
            if (stop_ || (options_.cancel && *options_.cancel)) {
                stop_ = true;
                return;
            }
            const std::size_t i = next_++;
            if (i >= hand_ins_.size()) return;
            double work = 0;
            try {
                results_[i] = grade_one(hand_ins_[i], against_, tolerance_, work, options_.language);
            } catch (...) {  // only what `check FILE` would fail on too (bad_alloc outside the reader)
                const std::lock_guard<std::mutex> lock(mutex_);
                if (!error_) error_ = std::current_exception();
                stop_ = true;
                return;
            }
            const std::lock_guard<std::mutex> lock(mutex_);
            if (options_.cancel && *options_.cancel) {  // set while this one was graded: no more progress
                stop_ = true;
                return;
            }
            spent_ += work;
            if (spent_ > options_.work_budget) {
                over_budget_ = true;
                stop_ = true;
                return;
            }
            ++done_;
            if (options_.progress) options_.progress(done_, static_cast<int>(hand_ins_.size()));
        }
    }

    const std::vector<HandInSource>& hand_ins_;
    const double tolerance_;
    const ClassGradingOptions& options_;
    double spent_;  // under mutex_
    const ClassCourse& against_;
    std::vector<StudentResult> results_;
    std::atomic<std::size_t> next_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    int done_ = 0;               // under mutex_
    bool over_budget_ = false;   // under mutex_ (read after the threads are joined)
    std::exception_ptr error_;   // under mutex_
};

std::string over_budget_message(const ClassGradingOptions& options, std::size_t hand_ins, double file_work) {
    const std::string start = printable_path(options.where) + ": " + std::to_string(hand_ins) + " hand-in" +
                              (hand_ins == 1 ? "" : "s") + ": ";
    if (file_work > options.work_budget)
        return start + format("their files alone need %.3g units of grading work, more than the class limit of %.3g; "
                              "grade the class in parts",
                              file_work, options.work_budget);
    return start + format("grading stopped at the class limit of %.3g units of work (files, Python source and "
                          "computation); grade the class in parts",
                          options.work_budget);
}

}  // namespace

double class_file_work(const std::vector<HandInSource>& hand_ins) {
    double work = 0;
    for (const HandInSource& source : hand_ins) {
        struct stat info {};
        if (source.path.empty() || ::stat(source.path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
        // A larger file is refused by the reader after its size alone.
        work += static_cast<double>(std::min<long long>(info.st_size, static_cast<long long>(kMaxAnswerFileBytes))) *
                kClassWorkPerFileByte;
    }
    return work;
}

ClassReport grade_class(const std::vector<HandInSource>& hand_ins, double tolerance, const std::atomic<bool>* cancel,
                        const std::function<void(int done, int total)>& progress) {
    ClassGradingOptions options;
    options.cancel = cancel;
    options.progress = progress;
    return grade_class(hand_ins, tolerance, options);
}

ClassReport grade_class(const std::vector<HandInSource>& hand_ins, double tolerance, const ClassGradingOptions& options) {
    const double file_work = class_file_work(hand_ins);
    if (file_work > options.work_budget) throw InputError(over_budget_message(options, hand_ins.size(), file_work));
    const ClassCourse notebook;
    const ClassCourse& against = options.course ? *options.course : notebook;
    ClassReport report;
    report.tolerance = tolerance;
    report.course_id = against.course.id;
    report.course_title = against.course.title.en;
    report.pack_source = against.pack_source;
    report.where = options.where;
    for (const Task& task : against.course.tasks)
        if (!task.discussion) report.tasks.push_back(TaskSummary{task.id});
    GradingPool pool(hand_ins, tolerance, options, against, file_work);
    if (!pool.run()) {
        if (pool.over_budget()) throw InputError(over_budget_message(options, hand_ins.size(), file_work));
        ClassReport stopped;
        stopped.tolerance = tolerance;
        stopped.cancelled = true;
        return stopped;
    }
    report.students = std::move(pool.results());

    std::map<std::pair<std::string, std::string>, ReasonCount> reasons;
    for (const StudentResult& s : report.students) {
        if (!s.error.empty()) {
            ++report.unreadable;
            for (TaskSummary& t : report.tasks) ++t.unreadable;
            continue;
        }
        if (s.passed() == static_cast<int>(s.tasks.size())) ++report.all_passed;
        for (const StudentTask& t : s.tasks) {
            const auto summary = std::find_if(report.tasks.begin(), report.tasks.end(),
                                              [&](const TaskSummary& x) { return x.id == t.id; });
            if (summary == report.tasks.end()) continue;
            switch (t.state) {
            case TaskState::Pass: ++summary->passed; break;
            case TaskState::Fail: ++summary->failed; break;
            case TaskState::NotGraded: ++summary->not_graded; break;
            case TaskState::Missing: ++summary->missing; break;
            }
            if (std::isfinite(t.max_abs_diff)) ++summary->histogram[static_cast<std::size_t>(error_bin(t.max_abs_diff, tolerance))];
            if (t.state == TaskState::Pass || t.state == TaskState::Missing) continue;  // missing: counted above
            ReasonCount& r = reasons[{t.id, normalize_reason(t.reason)}];
            r.task = t.id;
            r.reason = normalize_reason(t.reason);
            ++r.count;
            r.students.push_back(s.student);
        }
    }
    const double students = static_cast<double>(report.students.size());
    for (TaskSummary& t : report.tasks) t.pass_rate = students > 0 ? t.passed / students : 0.0;
    for (auto& [key, r] : reasons) {
        std::sort(r.students.begin(), r.students.end());
        report.reasons.push_back(std::move(r));
    }
    std::stable_sort(report.reasons.begin(), report.reasons.end(),
                     [](const ReasonCount& a, const ReasonCount& b) { return a.count > b.count; });
    return report;
}

int class_exit_status(const ClassReport& report) {
    if (report.unreadable > 0) return 1;
    for (const TaskSummary& t : report.tasks)
        if (t.failed > 0 || t.not_graded > 0) return 1;
    return 0;
}

// ---- [SECTION] text, JSON, CSV ----------------------------------------------------------------

namespace {

// A student-provided string made safe for any output: kept when it is clean UTF-8 on one line.
std::string shown(const std::string& s, std::size_t max_bytes = 400) {
    if (s.size() <= max_bytes && message_is_clean(s)) return s;
    return printable(s, max_bytes);
}

std::size_t columns(const std::string& s) {  // code points (the names and labels are not CJK-wide here)
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string pad(const std::string& s, std::size_t width) {
    const std::size_t w = columns(s);
    return w >= width ? s : s + std::string(width - w, ' ');
}

std::string short_name(const std::string& student, std::size_t width) {
    std::string s = printable(student, 60);
    if (columns(s) <= width) return s;
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80 && ++n > width - 1) break;
        out += s[i];
    }
    return out + "…";
}

std::string figure(float x) { return std::isfinite(x) ? format("%.2g", static_cast<double>(x)) : "-"; }

std::string cell_text(const StudentTask& t) {
    switch (t.state) {
    case TaskState::Pass: return "pass";
    case TaskState::Fail: return std::isfinite(t.max_abs_diff) ? "fail " + figure(t.max_abs_diff) : "fail";
    case TaskState::NotGraded: return "n/a";
    case TaskState::Missing: return "-";
    }
    return "?";
}

std::string exit_reason(const ClassReport& r) {
    int failed = 0, not_graded = 0;
    for (const TaskSummary& t : r.tasks) failed += t.failed, not_graded += t.not_graded;
    if (class_exit_status(r) == 0) return "every hand-in was read and every answered task passes";
    std::vector<std::string> parts;
    if (r.unreadable) parts.push_back(format("%d hand-in%s could not be read", r.unreadable, r.unreadable == 1 ? "" : "s"));
    if (failed) parts.push_back(format("%d task answer%s failed", failed, failed == 1 ? "" : "s"));
    if (not_graded) parts.push_back(format("%d cannot be graded", not_graded));
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    return out;
}

}  // namespace

std::string class_report_text(const ClassReport& r) {
    const std::size_t name_width = 22, cell_width = 11;
    std::string out = format("Class of %zu hand-ins (%zu read, %d unreadable), tolerance %g: %d passed every task\n\n",
                             r.students.size(), r.students.size() - static_cast<std::size_t>(r.unreadable),
                             r.unreadable, r.tolerance, r.all_passed);
    std::string header = pad("student", name_width);
    for (const TaskSummary& t : r.tasks) header += pad(t.id, cell_width);
    out += header + "passed\n";
    for (const StudentResult& s : r.students) {
        std::string line = pad(short_name(s.student, name_width - 2), name_width);
        if (!s.error.empty()) {
            out += line + "could not be read (below)\n";
            continue;
        }
        for (const StudentTask& t : s.tasks) line += pad(cell_text(t), cell_width);
        out += line + format("%d/%zu\n", s.passed(), s.tasks.size());
    }
    out += "\nPass rate per task (of all hand-ins)\n";
    for (const TaskSummary& t : r.tasks) {
        const int bar = static_cast<int>(std::lround(t.pass_rate * 20));
        std::string bars;
        for (int i = 0; i < 20; ++i) bars += i < bar ? "#" : ".";
        out += format("  %-6s %4.0f%%  %s  %d pass, %d fail, %d n/a, %d missing, %d unreadable\n", t.id.c_str(),
                      t.pass_rate * 100, bars.c_str(), t.passed, t.failed, t.not_graded, t.missing, t.unreadable);
    }
    out += format("\nMax abs diff per task (hand-ins per decade, split at the tolerance: from %s they fail)\n  ",
                  error_bin_label(first_failing_bin(r.tolerance), r.tolerance).c_str()) + pad("task", 7);
    for (int b = 0; b < kErrorBins; ++b) out += pad(error_bin_label(b, r.tolerance), 6);
    out += "\n";
    for (const TaskSummary& t : r.tasks) {
        out += "  " + pad(t.id, 7);
        for (int count : t.histogram) out += pad(count ? std::to_string(count) : ".", 6);
        out += "\n";
    }
    if (!r.reasons.empty()) {
        out += "\nMost common reasons a task failed or could not be graded\n";
        for (std::size_t i = 0; i < r.reasons.size() && i < 10; ++i)
            out += format("  %3d×  %s: %s\n", r.reasons[i].count, r.reasons[i].task.c_str(), shown(r.reasons[i].reason).c_str());
        if (r.reasons.size() > 10) out += format("  (%zu more in --format json)\n", r.reasons.size() - 10);
    }
    bool any = false;
    for (const StudentResult& s : r.students) {
        std::vector<std::string> lines;
        if (!s.error.empty()) lines.push_back("could not be read: " + shown(s.error));
        std::string missing;
        for (const StudentTask& t : s.tasks) {
            if (t.state == TaskState::Missing) missing += (missing.empty() ? "" : ", ") + t.id;
            else if (t.state != TaskState::Pass) lines.push_back(t.id + " " + task_state_name(t.state) + ": " + shown(t.reason));
        }
        if (!missing.empty()) lines.push_back("not answered: " + missing);
        if (lines.empty()) continue;
        if (!any) out += "\nWhat did not pass, per student\n";
        any = true;
        out += "  " + printable(s.student, 60) + "\n";
        for (const std::string& l : lines) out += "    " + l + "\n";
    }
    out += format("\nexit status %d: %s\n", class_exit_status(r), exit_reason(r).c_str());
    return out;
}

nlohmann::json class_report_json(const ClassReport& r) {
    using nlohmann::json;
    json ids = json::array(), students = json::array(), tasks = json::array(), reasons = json::array();
    for (const TaskSummary& t : r.tasks) ids.push_back(t.id);
    for (const StudentResult& s : r.students) {
        json item{{"student", shown(s.student)}, {"file", shown(s.path)}};
        if (!s.error.empty()) item["error"] = shown(s.error);
        if (!s.variant_student.empty()) item["variant"] = shown(s.variant_student);
        json list = json::array();
        for (const StudentTask& t : s.tasks) {
            json task{{"id", t.id}, {"state", task_state_name(t.state)}};
            task["max_abs_diff"] = std::isfinite(t.max_abs_diff) ? json(t.max_abs_diff) : json(nullptr);
            if (!t.measured.empty()) task["measured"] = shown(t.measured);
            if (!t.reason.empty()) task["reason"] = shown(t.reason);
            list.push_back(task);
        }
        item["passed"] = s.passed();
        item["tasks"] = list;
        students.push_back(item);
    }
    json bins = json::array();
    json edges = json::array();
    for (int b = 0; b < kErrorBins; ++b) bins.push_back(error_bin_label(b, r.tolerance));
    for (double e : error_bin_edges(r.tolerance)) edges.push_back(e);
    for (const TaskSummary& t : r.tasks) {
        json counts = json::array();
        for (int c : t.histogram) counts.push_back(c);
        tasks.push_back({{"id", t.id}, {"passed", t.passed}, {"failed", t.failed}, {"not_graded", t.not_graded},
                         {"missing", t.missing}, {"unreadable", t.unreadable}, {"pass_rate", t.pass_rate},
                         {"histogram", {{"bins", bins}, {"edges", edges}, {"first_failing_bin", first_failing_bin(r.tolerance)},
                                        {"counts", counts}}}});
    }
    for (const ReasonCount& c : r.reasons) {
        json names = json::array();
        for (const std::string& s : c.students) names.push_back(shown(s));
        reasons.push_back({{"task", c.task}, {"reason", shown(c.reason)}, {"count", c.count}, {"students", names}});
    }
    json summary{{"hand_ins", r.students.size()}, {"read", r.students.size() - static_cast<std::size_t>(r.unreadable)},
                 {"unreadable", r.unreadable}, {"all_passed", r.all_passed}, {"tasks", tasks}, {"reasons", reasons}};
    return {{"tolerance", r.tolerance}, {"tasks", ids}, {"students", students}, {"summary", summary},
            {"exit_status", class_exit_status(r)}};
}

namespace {

// RFC 4180 field; text that a spreadsheet would run as a formula gets a leading '.
std::string csv_field(const std::string& raw, bool text = true) {
    std::string s = text ? shown(raw) : raw;
    if (text && !s.empty() && std::strchr("=+-@", s[0]) != nullptr) s = "'" + s;
    if (s.find_first_of(",\"\r\n") == std::string::npos && (s.empty() || (s.front() != ' ' && s.back() != ' '))) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

std::string class_report_csv(const ClassReport& r) {
    std::string out = "student,file,error";
    // Task ids come from the pack: quoted and disarmed like any other text.
    for (const TaskSummary& t : r.tasks)
        out += "," + csv_field(t.id) + "," + csv_field(t.id + " max_abs_diff") + "," + csv_field(t.id + " reason");
    out += ",passed\r\n";
    for (const StudentResult& s : r.students) {
        out += csv_field(s.student) + "," + csv_field(s.path) + "," + csv_field(s.error);
        if (!s.error.empty()) {
            for (std::size_t i = 0; i < r.tasks.size(); ++i) out += ",,,";
            out += ",\r\n";
            continue;
        }
        for (const StudentTask& t : s.tasks)
            out += "," + std::string(task_state_name(t.state)) + "," +
                   (std::isfinite(t.max_abs_diff) ? format("%.9g", static_cast<double>(t.max_abs_diff)) : "") + "," +
                   csv_field(t.reason);
        out += "," + std::to_string(s.passed()) + "\r\n";
    }
    return out;
}

// The HTML writer is in class_report_html.cpp.

}  // namespace attn
