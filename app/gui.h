// attnlab app: the interactive window.
//
// Calling rules
// - run_gui() owns GLFW, the OpenGL context and the Dear ImGui context for its whole duration
//   and tears all three down before it returns. Call it at most once per process, from main().
// - It returns the process exit code: 0 after the user closes the window, 2 when no window can
//   be opened (no display, no OpenGL 3.3), after printing one line to stderr saying why.
#pragma once

namespace attn::app {

struct GuiOptions {
    int width = 1280;
    int height = 720;
};

int run_gui(const GuiOptions& options);

// True when an X11 or Wayland display is named in the environment. Checked before glfwInit so
// that "no display" is one clear line instead of GLFW's error chatter.
bool display_available();

}  // namespace attn::app
