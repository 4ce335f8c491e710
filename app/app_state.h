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

#include "core/exercises.h"
#include "core/session.h"
#include "core/undo.h"

#include <map>
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

struct AppState {
    Session session;
    UndoHistory history;
    Session edit_before;           // the session when the running edit began
    bool edit_running = false;

    Workspace workspace;
    std::vector<TaskCheck> checks;                    // one per exercise task, notebook order
    std::map<std::string, LocalText> explanations;    // task id → explanation of the last Solve
    LocalText sandbox_solution;                       // explanation / reason of the last goal solve

    // Platform-side settings, not part of the document.
    std::string screenshot_dir;
    std::string session_path;                         // the file Save writes to; empty = ask
    std::vector<std::string> recent_files;
    float base_font_px = 17.0f;
    bool fonts_have_cjk = false;
    std::string font_warning;                         // shown when a font file is missing

    PanelLayout layout;
    bool layout_reset = false;
    float query_slider_range = 0, key_slider_range = 0, value_slider_range = 0;  // held during a drag

    bool show_shortcuts = false;
    bool show_about = false;
    bool open_session_dialog = false;
    bool save_session_dialog = false;
    bool export_dialog = false;
    bool screenshot_dir_dialog = false;
    std::string dialog_path;                          // the text in the open/save/export dialogs
    bool mode_tab_sync = true;                        // set when session.mode changed outside the tabs
    std::vector<Toast> toasts;
    std::vector<KeyPress> key_presses;                // since the last frame, filled by the platform
    std::string probe_path;                           // ATTNLAB_PROBE: where GUI tests read the state (probe.h)
    mutable std::map<std::string, ImRect4> probes;    // item rectangles for GUI tests (instrumentation only)
    std::string probe_written;                        // the probe file's last contents
    Requests requests;
    double now = 0;                                   // seconds, set by the platform each frame
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
// Entries are clamped to ±kMaxComponent: far beyond any useful answer, and safe for float32.
inline constexpr double kMaxComponent = 1e6;

void set_query(AppState& state, const Eigen::MatrixXd& queries);
void set_key_row(AppState& state, int row, const Eigen::RowVectorXd& key);
void set_value_row(AppState& state, int row, const Eigen::RowVectorXd& value);

void select_task(AppState& state, const std::string& id);
void select_next_task(AppState& state, int step);  // +1 / -1, stops at the ends, skips nothing
void solve_selected(AppState& state);              // "Solve": the analytic answer + explanation
void solve_all_tasks(AppState& state);
void reset_selected(AppState& state);              // the selected task's answer (or the sandbox query)

void toast(AppState& state, const std::string& text, bool is_error = false);

// A short translation helper for UI strings.
inline const char* tr(const AppState& state, const char* en, const char* zh) {
    return state.session.view.language == "zh" ? zh : en;
}

}  // namespace attn::app
