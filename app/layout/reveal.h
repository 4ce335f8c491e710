// attnlab app: bringing into view what the last action produced. On a 1280×720 projector the
// task pane shows a few lines; a Hint, a Solve or an edit whose result lands below the fold looks,
// to a class, as if nothing happened. An action names the block it produces (request_reveal); the
// panel that draws that block scrolls it into view (reveal_block) for a few frames, until the
// scroll has landed; and the layout audit reports kResultOutOfView when, at the end, it still is
// not in view.
//
// Calling rules
// - request_reveal() may be called anywhere (a button, a shortcut, app_state's Solve); it replaces
//   an earlier request. Names are probe item names ("hint 1", "explanation", "diagnosis", ...).
// - reveal_block() is called inside a frame, in the window that draws the block, right after the
//   block was drawn as one item (wrap several widgets in ImGui::BeginGroup()/EndGroup()).
// - rect_visible() tells whether a rectangle just drawn is in view in its window and on screen; the
//   probe publishes it for every item.
#pragma once

#include <imgui.h>

#include <string>

namespace attn::app {

struct AppState;

inline constexpr const char* kResultOutOfView = "result out of view";  // what the last action produced is not in view
inline constexpr int kRevealFrames = 4;  // a scroll lands the frame after it is set; text may wrap anew once more

// What the last action produced and should be scrolled into view.
struct RevealRequest {
    std::string item;  // a probe item name; empty: nothing asked
    int frames = 0;    // frames left to keep it in view
};

void request_reveal(AppState& state, const std::string& item);

// Scrolls the current window so that the last item (the block named `item`) is in view, when the
// last action asked for it: its bottom edge first, never past its top. Records kResultOutOfView on
// `panel` if it is asked for and still out of view on the request's last frame.
void reveal_block(AppState& state, const std::string& panel, const std::string& item);

// Whether the rectangle [min, max) is in view: inside the current window's visible area and the
// display (a block taller than the view counts when its top is in view and it fills the rest).
bool rect_visible(ImVec2 min, ImVec2 max);

// Call once a frame, after the panels are drawn: counts the request's frames down.
void end_reveal_frame(AppState& state);

}  // namespace attn::app
