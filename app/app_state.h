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

#include "app/layout_audit.h"
#include "core/attention_cache.h"
#include "core/background_job.h"
#include "core/diagnosis.h"
#include "core/limits.h"
#include "core/exercises.h"
#include "core/session.h"
#include "core/undo.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace attn::app {

// What the vector controls, heatmaps, output and geometry panels work on right now.
struct Workspace {
    enum class Kind { QueryTask, KeyTask, Discussion, Sandbox };
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
};

// Things a panel asks the platform layer to do at the end of the frame.
struct Requests {
    bool screenshot_window = false;
    std::string screenshot_panel;      // a panel's window name, or empty
    int screenshot_scale = 1;          // ×1, ×2, ×3 for slides
    bool rebuild_fonts = false;
    bool toggle_fullscreen = false;
    bool quit = false;
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
};

// A file dialog. Each dialog keeps its own path, so one dialog's text never pre-fills another
// (an export must not offer to write over the session file).
struct PathDialog {
    bool open_requested = false;
    std::string path;
};

struct Dialogs {
    PathDialog open_session, save_session, export_answers, screenshot_dir;
    // A confirmed path that already exists waits here for "Replace?" before anything is written.
    enum class Pending { None, SaveSession, ExportAnswers };
    Pending overwrite = Pending::None;
    std::string overwrite_path;
    bool show_shortcuts = false;
    bool show_about = false;
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

    PanelMemory panels;
    Dialogs dialogs;
    std::vector<Toast> toasts;

    // Platform: fonts, input, requests for after the frame.
    bool fonts_have_cjk = false;
    std::string font_warning;                         // shown when a font file is missing
    std::vector<KeyPress> key_presses;                // since the last frame, filled by the platform
    Requests requests;
    double now = 0;                                   // seconds, set by the platform each frame

    // Instrumentation for GUI tests (probe.h); empty probe_path = off.
    std::string probe_path;
    mutable std::map<std::string, ImRect4> probes;
    std::string probe_written;
    long long probe_frames = 0;  // frames probed so far: a test sees the window still answers
    mutable LayoutAudit layout_audit;  // what the last frame could not show in full (layout_audit.h)
};

const Course& course();
Language language(const AppState& state);

// Rebuilds workspace and checks from the session.
void refresh(AppState& state);

void begin_edit(AppState& state);
void end_edit(AppState& state);
void commit_edit(AppState& state, const Session& before);
void undo(AppState& state);
void redo(AppState& state);

// Edits of the workspace's tensors; they route to the selected task's answer or the sandbox.
// Entries stay within ±kMaxComponent (core/limits.h, the bound every loader applies too).
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

// The explanation of the selected task's last Solve, or null when the answer has changed since.
const Explanation* current_explanation(const AppState& state, const std::string& task_id);
const LocalText* current_sandbox_explanation(const AppState& state);
// Which answers came from Solve unchanged (by answer name), for the export's comments.
std::set<std::string> solved_answer_names(const AppState& state);

// The session as it is written to disk: the document plus the viewer's settings.
Session session_for_saving(const AppState& state);

// The window title: "attnlab — file.json", with " •" while the document differs from the file
// (or, with no file yet, once anything was edited).
std::string window_title(const AppState& state);

// A short translation helper for UI strings.
inline const char* tr(const AppState& state, const char* en, const char* zh) {
    return state.settings.view.language == "zh" ? zh : en;
}

}  // namespace attn::app
