// attnlab app: one frame of the interface: the menu bar, the panel layout, dialogs, toasts and
// keyboard shortcuts. Owns no data; everything lives in AppState.
//
// Calling rules
// - draw_ui() runs between ImGui::NewFrame() and ImGui::Render(), once per frame.
// - It leaves platform work (screenshots, font rebuilds, full screen, quit) in state.platform.requests
//   for the platform layer to carry out after the frame.
#pragma once

#include "app/app_state.h"

namespace attn::app {

class HeatmapResources;

void draw_ui(AppState& state, HeatmapResources& textures);

// The shortcut table shown in Help → Keyboard shortcuts (and the README).
struct Shortcut {
    const char* keys;
    const char* what;
};
const Shortcut* shortcuts(int* count);

// View commands, shared by the menu and the shortcuts. Fonts are rebuilt after the frame.
// One Ctrl+= step; --zoom N applies N of them.
inline constexpr float kZoomStep = 1.15f;
void set_text_zoom(AppState& state, float zoom);  // clamped to 0.5..3
void toggle_presentation(AppState& state);
void set_language(AppState& state, const std::string& code);  // "en" or "zh"

// Save: to the current file, or (save_as, or no file yet) through the path dialog.
void save_session_command(AppState& state, bool save_as);
// File → Export answers: the export dialog, offering answers.py (never the session's path).
void open_export_dialog(AppState& state);

// Session file commands, shared by the menu, the shortcuts and the command line.
bool open_session_file(AppState& state, const std::string& path);   // toasts the outcome
// Opening keeps the viewer's settings (language, presentation, zoom): they are not the file's.
bool save_session_file(AppState& state, const std::string& path);   // writes the session + the view
void export_answers_file(AppState& state, const std::string& path);  // .py → python, else json
// File → Open answers…: a student's hand-in (.py, .ipynb, .json; core/course/answer_file.h read_hand_in)
// becomes the current answers as one undoable edit (load_hand_in); toasts what was loaded, or the
// error (nothing changes then). `student` names them (default: the file name).
// The answers are read for the current course: the notebook's files as before; for a pack, a pack
// hand-in ({"pack", "student", "answers"}) or a .py/.ipynb over the pack's data.
bool open_answers_file(AppState& state, const std::string& path, const std::string& student = "");

// File → Grade a folder… (panel_class.cpp): grades `folder` with core/class_report on a worker
// thread and opens the Class window; poll_grading() (once a frame, from draw_ui) takes the result
// in. grade_folder_now() does the same on this thread (headless --grade).
void start_grading(AppState& state, const std::string& folder);
void poll_grading(AppState& state);
// The Class window's Cancel: the grading stops before its next hand-in; poll_grading() then drops
// it with a toast and leaves the class graded before (if any) on screen.
void cancel_grading(AppState& state);
void grade_folder_now(AppState& state, const std::string& folder);
// A student of the Class window's report opens in the main window as a view: the teacher's work
// is set aside (set_own_work_aside, still autosaved), the course and variant the class was graded
// against opens (open_pack) and the student's answers load into it (open_answers_file); the Class
// window steps aside (the banner shows it again). False,
// with an error toast and the teacher's work back as it was, when that cannot be done.
bool open_class_student(AppState& state, std::size_t index);
// In the menu bar while a student is viewed: "Viewing alice's answers" and "Back to my work".
void draw_student_view_banner(AppState& state);
// The class report as HTML (core class_report_html), written atomically; toasts the outcome.
void export_class_report(AppState& state, const std::string& path);

// The dialogs ask before either of these writes over an existing file.

}  // namespace attn::app
