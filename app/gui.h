// attnlab app: the window (GLFW + OpenGL 3.3 + Dear ImGui) and its event loop, and the headless
// screenshot mode that renders exactly what the window would show.
//
// Calling rules
// - run_gui() owns GLFW, the OpenGL context and the Dear ImGui context for its whole duration
//   and tears all three down before it returns. Call it at most once per process, from main().
// - Exit codes: 0 after the window closes (or the screenshot was written); 1 when a screenshot
//   could not be written; 2 when no window can be opened (no display, no OpenGL 3.3) or an
//   option is bad, after one line on stderr saying why.
// - The loop sleeps in glfwWaitEvents while nothing changes and draws a few frames after each
//   input (popups size themselves on their first frame); it runs at full rate only while a
//   mouse button is held, an item is active or a toast is fading.
#pragma once

#include <string>

namespace attn::app {

struct GuiOptions {
    int width = 1280;
    int height = 720;
    std::string screenshot_path;  // non-empty: render headless, write this PNG, exit
    std::string exercise;         // select this task first ("1.3.2")
    bool solve = false;           // press Solve on it (or Solve all when no exercise is named)
    float scale = 1.0f;           // screenshot scale factor (×2, ×3 for slides)
    std::string language;         // a catalog's code ("en", "zh"); empty = the session's
    std::string panel;            // screenshot of one panel only (exercises, vectors, heatmaps, output, geometry)
    std::string session_file;     // open this session instead of the autosave
    int captured_layer = -1;      // --head: when session_file is a capture, open it on this layer
    int captured_head = -1;       // and head (-1: layer 0, head 0)
    std::string answers_file;     // then open this hand-in as the answers (File → Open answers…)
    std::string grade_folder;     // grade this folder and show the Class window (File → Grade a folder…)
    bool presentation = false;    // start in presentation mode
    bool no_autosave = false;     // neither restore nor write the autosave (tests, demos)
    int zoom_steps = 0;           // Ctrl+= steps (negative: Ctrl+-); applied when zoom_given
    bool zoom_given = false;
    std::string layout_report;    // non-empty: render the layout matrix headless, write this JSON, exit
    std::string pack;             // open this course pack (a built-in id or a file) after the session
    std::string student;          // with pack: that student's variant
    // Frame benchmark (issue 12): render this many frames headless, each after one query
    // component changed through the slider's edit function, and print per-frame timings.
    int bench_frames = 0;
    int bench_sandbox_keys = 0, bench_sandbox_dim = 0;  // --sandbox N,d[,dv]: seeded random data
    int bench_sandbox_value_dim = 0;
    std::string bench_open;                              // --open: a session .json or a capture
};

int run_gui(const GuiOptions& options);

// True when an X11 or Wayland display is named in the environment. Checked before glfwInit so
// that "no display" is one clear line instead of GLFW's error chatter.
bool display_available();

}  // namespace attn::app
