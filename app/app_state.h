// attnlab app: the one state object. Everything the window shows is derived from `session`
// (the document: saved, reopened, undone) by refresh(); panels read AppState and change the
// session only through the edit functions below, so undo, autosave and the checks stay right.
//
// Calling rules
// - After any change to state.session, call refresh(state) before drawing (the edit functions
//   do it). Derived data (workspace, checks) is never edited directly.
// - Edits that span frames (a slider drag) call begin_edit() when they start and end_edit()
//   when they finish; end_edit() records one undo step. One-shot edits (Solve, Reset, a typed
//   value) call commit_edit(state, before) with the session as it was.
// - Every number shown comes from core: workspace.result (double, for display) and checks
//   (float32, as the notebook grades).
#pragma once

#include "app/layout/layout_audit.h"
#include "app/layout/reveal.h"
#include "core/course/class_report.h"
#include "core/math/attention_cache.h"
#include "core/base/background_job.h"
#include "core/course/diagnosis.h"
#include "core/formats/tensor_file.h"
#include "core/base/limits.h"
#include "core/math/projection.h"
#include "core/course/exercises.h"
#include "core/course/report.h"
#include "core/formats/session.h"
#include "core/formats/undo.h"

#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace attn::app {

// What the vector controls, heatmaps, output and geometry panels work on right now.
struct Workspace {
    enum class Kind { QueryTask, KeyTask, Discussion, Sandbox, Captured, TemperatureTask };
    Kind kind = Kind::Sandbox;
    const Task* task = nullptr;       // the selected exercise (null in the sandbox)
    Eigen::MatrixXd queries;          // n×d
    Eigen::MatrixXd keys;             // N×d
    Eigen::MatrixXd values;           // N×dv
    Eigen::MatrixXd target;           // n×dv or empty when there is no goal
    bool queries_editable = true;
    int editable_key_row = -1;        // -1: every key (sandbox) or none (exercises), see keys_editable
    bool keys_editable = false;
    bool values_editable = false;
    bool key_unit_norm = false;
    bool query_answered = true;       // false when the task's query is not in the answers yet
    std::string note;                 // e.g. "uses your 1.3.2 query"
    AttentionOptions options;
    AttentionResult result;           // what the panels draw
    std::string error;                // set when attention could not be computed
    // Which refresh() made `result`, and the rows of its logits and weights that may differ from
    // the previous refresh's: a view that drew serial s - 1 redraws only those rows.
    long long result_serial = 0;
    AttentionCache::Change result_change;
    // The keys' top 3 principal axes about the origin (the geometry view's projection), kept
    // while the keys do not change; empty basis when the keys cannot be projected.
    Projection key_axes;
    // Captured mode: one label per token (rows of queries and keys); empty = "q0", "k0", ...
    std::vector<std::string> token_labels;
};

// x, y, width, height in window pixels.
struct ImRect4 {
    float x = 0, y = 0, w = 0, h = 0;
};

// A key press as GLFW reported it. Dear ImGui 1.86 only sees keys held at frame start, so a
// press and release within one event poll (fast typing, xdotool) would be lost; shortcuts read
// this queue instead.
struct KeyPress {
    int key = 0;
    bool ctrl = false, shift = false, alt = false;
};

struct Toast {
    std::string text;
    bool is_error = false;
    double expires_at = 0;  // glfwGetTime() seconds
    std::string folder;     // non-empty: the toast offers "Open folder" on it (where a file went)
};

// Things a panel asks the platform layer to do at the end of the frame.
struct Requests {
    bool screenshot_window = false;
    std::string screenshot_panel;      // a panel's window name, or empty
    int screenshot_scale = 1;          // ×1, ×2, ×3 for slides
    bool rebuild_fonts = false;
    bool toggle_fullscreen = false;
    bool quit = false;
    bool more_frames = false;          // an animation or a scroll in progress: draw another frame
    std::string open_folder;           // show this folder in the file manager (a toast's button)
};

// Where the panel borders are, as fractions of the window; 0 = the automatic split (ui.cpp).
// Dragging a border sets it; double-clicking a border goes back to automatic.
struct PanelLayout {
    float left = 0;       // exercises column width / window width
    float middle = 0;     // vectors column width / window width
    float vectors = 0;    // vectors height / column height
    float heatmaps = 0;   // heatmaps height / column height
};

// The view belongs to the person at the screen, not to the document: opening a student's file
// keeps the teacher's presentation mode, language and zoom. The autosave remembers it (the
// person's own session); files opened later never change it.
struct Settings {
    ViewSession view;
    std::string screenshot_dir;
    std::vector<std::string> recent_files;
    float base_font_px = 17.0f;
    std::vector<std::string> recent_packs;  // pack files opened, newest first (at most 8)
};

// A file dialog. Each dialog keeps its own path, so one dialog's text never pre-fills another
// (an export must not offer to write over the session file).
struct PathDialog {
    bool open_requested = false;
    std::string path;
};

struct Dialogs {
    PathDialog open_session, save_session, export_answers, screenshot_dir, open_answers, grade_folder, export_class;
    PathDialog open_tensors;  // File → Open tensors… (.safetensors / .npz)
    // A confirmed path that already exists waits here for "Replace?" before anything is written.
    enum class Pending { None, SaveSession, ExportAnswers, ExportClassReport };
    Pending overwrite = Pending::None;
    std::string overwrite_path;
    bool show_shortcuts = false;
    bool show_about = false;
    // File → Open course pack…: built-in packs, recent packs, a path and an optional student ID.
    PathDialog open_pack;
    std::string pack_student;
    // The built-in packs' titles as listed, read from their JSON when the dialog opens (not
    // every frame it stays open), with the language they were read in.
    std::vector<std::string> builtin_pack_titles;
    std::string builtin_pack_titles_language;
};

// What Solve said, kept with the answer it explains: shown only while that answer (and, for the
// 1.4 tasks, the 1.3.2 query it was derived from) is still the current one.
struct Explanation {
    LocalText text;
    bool feasible = false;
    Eigen::MatrixXd answer;      // the task's answer right after Solve (empty when there was none)
    Eigen::MatrixXd depends_on;  // the query it was solved for (1.4 tasks), else empty
};

// The sandbox's goal solve, kept with the sandbox it was computed for.
struct SandboxExplanation {
    LocalText text;
    SandboxSession sandbox;
};

// Where the current answers came from when File → Open answers… (or a click in the Class window)
// loaded a student's hand-in: the file, and the answers the file assigns but that cannot be
// graded ("uses `os` at line 3"). The reasons are not part of the document; they are shown (the
// checks grade as check_hand_in does) while they still describe it: while every answer the file
// gave is still there (edited or not) and the ungradable ones are still absent. Undoing the load,
// Reset of a loaded answer or opening a session ends that.
struct LoadedHandIn {
    std::string path;   // empty: the answers did not come from a hand-in
    std::string student;
    std::set<std::string> answer_names;                // what the file gave
    std::map<std::string, std::string> cannot_grade;   // answer name → reason
};

// The Class window (File → Grade a folder…): a class graded by core/class_report, in the
// background so a large folder never freezes the window.
// A folder being graded on a worker thread (BackgroundJob: progress per hand-in, Cancel).
struct ClassGrading {
    std::shared_ptr<BackgroundJob<ClassReport>> job;
    bool valid() const { return job != nullptr; }
};

// While the teacher views a student's answers from the Class window, their own work waits here
// whole (document, file, undo, course): "Back to my work" puts it back, and the autosave keeps
// writing it, never the student's answers (session_for_autosave).
struct OwnWork {
    Session session;
    std::string session_path;
    Session session_on_disk;
    UndoHistory history;
    LoadedHandIn hand_in;
    std::map<std::string, Explanation> explanations;
    std::map<std::string, int> hints_shown;
    Course course;
    std::string course_where;
};

struct ClassView {
    bool open = false;
    std::string folder;
    std::shared_ptr<const ClassReport> report;  // the last class graded (null: none yet)
    ClassGrading grading;                       // valid while a folder is being graded
    double grading_since = 0;                   // state.now when it started
    std::string error;                          // why the last folder could not be graded
    std::string opened_student;                 // the row last opened in the main window
    // Set while the main window shows opened_student's answers instead of the teacher's own work.
    std::shared_ptr<OwnWork> own_work;
    std::string tooltip;                        // the cell tooltip shown this frame (for the probe)
    std::vector<std::size_t> order;             // the student table's rows, as sorted
    float font_size = 0;                        // the window is sized again when the text size changes
};

// Panel memory that is neither document nor settings: borders, slider ranges.
// A sandbox goal solve running on a worker thread (Solve goal; identity on many keys takes a
// while). Its result is applied by poll_solve() if the sandbox is still the one it started from.
struct SandboxSolveResult {
    bool cancelled = false;
    SandboxSession solved;  // the sandbox with the answer filled in
    LocalText text;         // the explanation (or why not), in every language
};
struct SolveInBackground {
    std::shared_ptr<BackgroundJob<SandboxSolveResult>> job;
    SandboxSession started_from;
};

struct PanelMemory {
    PanelLayout layout;
    bool layout_reset = false;
    float query_slider_range = 0, key_slider_range = 0, value_slider_range = 0;  // held during a drag
    std::map<std::string, std::string> tab_of_region;  // narrow layouts: the panel each tab strip shows
    std::string reveal;                                 // a panel to bring forward this frame (screenshots)
    // Large heatmaps (drawn as a texture): wheel zoom ≥ 1 and the first visible row and column
    // (in cells, fractional); both maps share them. Reset when the matrix changes shape.
    float heatmap_zoom = 1, heatmap_top = 0, heatmap_left = 0;
    int heatmap_rows = 0, heatmap_cols = 0;
    int scroll_to_key = -1;  // the Vectors panel's "go to key" field: scroll the key list there next frame
    std::map<std::string, int> hints_shown;             // task id → hints revealed (0, 1, 2)
    RevealRequest reveal_result;                        // what the last action produced, to scroll into view
    std::string task_pane_task, vectors_task;           // the task each was last scrolled for (a new one starts at the top)
};

// Between the app and the platform layer (gui.cpp): what the platform hands in each frame and
// what a panel asks it to do after the frame.
struct PlatformLink {
    std::string font_warning;           // shown when a font file is missing
    std::vector<KeyPress> key_presses;  // since the last frame, filled by the platform
    Requests requests;
    double now = 0;                     // seconds, set by the platform each frame
};

// Instrumentation for GUI tests (probe.h): the widgets drawn this frame, written to `path` as
// JSON when it changes. Empty path: off.
struct ProbeState {
    std::string path;
    mutable std::map<std::string, ImRect4> items;
    mutable std::map<std::string, bool> visible;  // item → wholly in view in its panel and on screen (reveal.h)
    std::string written;   // the last JSON written
    long long frames = 0;  // frames probed so far: a test sees the window still answers
};

// The capture session.captured names, read from its file (core/formats/captured.h). Not part of the
// document: undo and Save keep only the path and the edited rows; refresh() re-reads the file
// when the path changes.
struct CapturedFile {
    std::shared_ptr<const AttentionCapture> capture;  // null until read, or when it cannot be
    std::string path;                                  // the path `capture` (or `problem`) is for
    std::string problem;                               // e.g. the file is gone
    std::string warning;                               // e.g. the file changed since the session was saved
};

// The course the exercises come from: the notebook, a built-in pack or a pack file, perhaps a
// student's variant. Changed only through app/packs.h, which keeps session.pack in step with it.
struct CurrentCourse {
    Course course = notebook_course();
    std::string where = "notebook";  // the pack file, or the built-in pack's id, for messages
};

struct AppState {
    // The document: saved, reopened and undone.
    Session session;
    std::string session_path;      // the file Save writes to; empty = ask
    Session session_on_disk;       // the document as last opened from or saved to session_path
    UndoHistory history;
    Session edit_before;           // the session when the running edit began
    bool edit_running = false;

    Settings settings;

    // Derived from the session by refresh(); never edited directly.
    Workspace workspace;
    std::vector<TaskCheck> checks;                    // one per exercise task, notebook order
    Diagnosis diagnosis;                              // of the selected task's current answer
    AttentionCache attention_cache;                   // refresh() recomputes only the edited rows
    SolveInBackground solving;                        // the sandbox solve in progress, if any
    long long refresh_count = 0;                      // refresh() calls so far (frame benchmark, tests)

    std::map<std::string, Explanation> explanations;  // task id → the last Solve of that task
    SandboxExplanation sandbox_solution;
    CapturedFile captured_file;

    LoadedHandIn hand_in;          // provenance of the current answers (see LoadedHandIn)
    ClassView class_view;

    PanelMemory panels;
    Dialogs dialogs;
    std::vector<Toast> toasts;

    PlatformLink platform;   // input from the platform layer, and what the frame asks of it
    ProbeState probe;        // instrumentation for GUI tests (probe.h)
    mutable LayoutAudit layout_audit;  // what the last frame could not show in full (layout_audit.h)

    CurrentCourse current_course;      // what course(state) returns
};

// The current course (app/packs.h opens others) and its data.
const Course& course(const AppState& state);
const Dataset& course_data(const AppState& state);
Language language(const AppState& state);

// Rebuilds workspace and checks from the session.
void refresh(AppState& state);

void begin_edit(AppState& state);
void end_edit(AppState& state);
void commit_edit(AppState& state, const Session& before);
void undo(AppState& state);
void redo(AppState& state);

// Edits of the workspace's tensors; they route to the selected task's answer or the sandbox.
// Entries stay within ±kMaxComponent (core/base/limits.h, the bound every loader applies too).
inline constexpr double kMaxComponent = kMaxMagnitude;

// A row longer than that is shortened to fit, direction kept (never clamped per component,
// which would turn a typed |q| of 1e30 into a different direction).
Eigen::RowVectorXd fit_row(const Eigen::RowVectorXd& row);

// Each stores the tensor even when it equals the current one: typing 0 into 1.3.1's query
// answers the task.
void set_query(AppState& state, const Eigen::MatrixXd& queries);
void set_key_row(AppState& state, int row, const Eigen::RowVectorXd& key);  // 1.4.2: kept as typed
void set_value_row(AppState& state, int row, const Eigen::RowVectorXd& value);
void set_note(AppState& state, const std::string& task_id, const std::string& text);
// A temperature task's answer T (kept within kMinTemperature..kMaxTemperature); an edit.
void set_temperature_answer(AppState& state, double temperature);

void select_task(AppState& state, const std::string& id);
// +1 / -1, stops at the ends, skips nothing. From the Sandbox it returns to the current task.
void select_next_task(AppState& state, int step);
void set_mode(AppState& state, AppMode mode);      // the Exercises / Sandbox tabs
void solve_selected(AppState& state);              // "Solve": the analytic answer + explanation
void solve_all_tasks(AppState& state);
// The Sandbox's Solve goal and Ctrl+Enter there: the solve runs on a worker thread and the window
// keeps drawing (solving_progress for a progress bar, cancel_solve for its Cancel button). In the
// exercises this is solve_selected(). Call poll_solve() once per frame: it applies a finished
// solve as one undo step, or drops it with a toast when the sandbox changed meanwhile.
void start_solve(AppState& state);
bool solving(const AppState& state);
float solving_progress(const AppState& state);  // 0..1
void cancel_solve(AppState& state);
void poll_solve(AppState& state);
void reset_selected(AppState& state);              // the selected task's answer (or the sandbox query)

void toast(AppState& state, const std::string& text, bool is_error = false);
// A toast saying where a file was written, with an "Open folder" button on the file's folder; it
// stays longer (8 s) so there is time to reach the button.
void toast_written(AppState& state, const std::string& text, const std::string& path);

// Replaces the session's answers with a hand-in's as one undoable edit, remembers where they came
// from (LoadedHandIn) and selects the first task that does not pass, so its checks, heatmaps,
// geometry and diagnosis show why. The rest of the session (sandbox, notes, tolerance) stays.
void load_hand_in(AppState& state, const HandIn& hand_in, const std::string& path, const std::string& student);
// The reasons of state.hand_in that still describe the current answers (empty when none do).
std::map<std::string, std::string> active_cannot_grade(const AppState& state);
// ---- captured attention (app/captured_state.cpp) ----
// Opens a .safetensors / .npz capture as the document's captured part, on layer 0, head 0, in
// the Captured mode; one undo step. A file that cannot be read leaves the session as it was and
// shows why (toast). Returns whether it opened.
bool open_tensors_file(AppState& state, const std::string& path);
// Reads session.captured.path when it is not the file held (a reopened session, undo); sets
// captured_file.problem when it cannot. Called by refresh().
void sync_captured_file(AppState& state);
// The captured mode's workspace; an empty one (with error set) while the file is missing.
Workspace captured_workspace(const AppState& state);
// Layer and head pickers: navigation, no undo step (the edits of every head stay).
void select_captured_head(AppState& state, int layer, int head);
// A row of the shown head as edited ('q', 'k' or 'v'); only rows that differ from the file are kept.
void set_captured_row(AppState& state, char tensor, int row, const Eigen::RowVectorXd& values);
// "Reset this head": the file's numbers again, one undo step.
void reset_captured_head(AppState& state);
// True when `path` looks like a capture, not a session (by its first bytes: a session is JSON).
bool is_tensor_file(const std::string& path);

// The explanation of the selected task's last Solve, or null when the answer has changed since.
const Explanation* current_explanation(const AppState& state, const std::string& task_id);
const LocalText* current_sandbox_explanation(const AppState& state);
// Which answers came from Solve unchanged (by answer name), for the export's comments.
AnswerOrigin answer_origin(const AppState& state, const Task& task);
AnswerExtras answer_extras(const AppState& state);  // every answer's origin and the notes, for File → Export

// The session as it is written to disk: the document plus the viewer's settings.
Session session_for_saving(const AppState& state);

// ---- viewing a student's answers (the Class window) ----
// Whether the main window shows a student's answers from the Class window (ClassView::own_work).
bool viewing_student(const AppState& state);
// The teacher's own document: the one set aside while viewing a student, else state.session.
const Session& own_document(const AppState& state);
// What the autosave writes: own_document() plus the viewer's settings, so viewing a student
// never overwrites the teacher's autosaved work.
Session session_for_autosave(const AppState& state);
// Sets the teacher's work aside (once: viewing another student keeps the first one set aside).
void set_own_work_aside(AppState& state);
// "Back to my work": the work set aside comes back as it was; the student's view is dropped.
void back_to_own_work(AppState& state);
// Another document was opened while viewing (a session, a pack): it is now the teacher's own
// work, and the one set aside is let go, as opening it would have replaced it anyway.
void end_student_view(AppState& state);

// The window title: "attnlab — file.json", with " •" while the document differs from the file
// (or, with no file yet, once anything was edited).
std::string window_title(const AppState& state);

// A short translation helper for UI strings.
inline const char* tr(const AppState& state, const char* en, const char* zh) {
    return state.settings.view.language == "zh" ? zh : en;
}

}  // namespace attn::app
