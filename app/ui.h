// attnlab app: one frame of the interface: the menu bar, the panel layout, dialogs, toasts and
// keyboard shortcuts. Owns no data; everything lives in AppState.
//
// Calling rules
// - draw_ui() runs between ImGui::NewFrame() and ImGui::Render(), once per frame.
// - It leaves platform work (screenshots, font rebuilds, full screen, quit) in state.requests
//   for the platform layer to carry out after the frame.
#pragma once

#include "app/app_state.h"

namespace attn::app {

class HeatmapTextures;

void draw_ui(AppState& state, HeatmapTextures& textures);

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
// The dialogs ask before either of these writes over an existing file.

}  // namespace attn::app
