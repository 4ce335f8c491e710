// attnlab app: a window into the running app for GUI tests. When the environment variable
// ATTNLAB_PROBE names a file, the app writes there (atomically, whenever it changes) the screen
// rectangles of the widgets tests click and the numbers the panels show, so a test can drive
// the real window with xdotool and check what happened. Without the variable nothing is
// recorded or written.
//
// Calling rules: probe_item() right after the widget it names, inside a frame;
// write_probe() after the frame.
#pragma once

#include "app/app_state.h"

#include <imgui.h>

#include <string>

namespace attn::app {

void probe_item(AppState& state, const std::string& name);
void probe_rect(const AppState& state, const std::string& name, ImVec2 min, ImVec2 max);
void write_probe(AppState& state);

}  // namespace attn::app
