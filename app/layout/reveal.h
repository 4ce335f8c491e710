// attnlab app: bringing into view what the last action produced. On a 1280×720 projector the
// task pane shows a few lines; a Hint, a Solve or an edit whose result lands below the fold looks,
// to a class, as if nothing happened. An action names the block it produces (RevealRequest::ask);
// the panel that draws that block scrolls it into view (reveal_block) for a few frames, until the
// scroll has landed; and the layout audit reports kResultOutOfView when, on the request's last
// frame, it still is not in view.
//
// Calling rules
// - ask() may be called anywhere (a button, a shortcut, Solve in app_state); it replaces an
//   earlier request. Names are probe item names ("hint 1", "explanation", "diagnosis", ...).
// - reveal_block() is called inside a frame, in the window that draws the block, right after the
//   block was drawn as one item (wrap several widgets in ImGui::BeginGroup()/EndGroup()).
// - count_down() once a frame, after the panels are drawn; it says whether to draw another frame.
// - rect_visible() tells whether a rectangle just drawn is in view in its window and on screen;
//   the probe publishes it for every item.
#pragma once

#include "app/layout/layout_audit.h"

#include <imgui.h>

#include <string>

namespace attn::app {

inline constexpr const char* kResultOutOfView = "result out of view";  // what the last action produced is not in view
inline constexpr int kRevealFrames = 4;  // a scroll lands the frame after it is set; text may wrap anew once more

// What the last action produced and should be scrolled into view.
struct RevealRequest {
    std::string item;       // a probe item name; empty: nothing asked
    int frames = 0;         // frames left to keep it in view
    bool disabled = false;  // the layout audit's control case: never scroll

    void ask(const std::string& what) {
        item = what;
        frames = kRevealFrames;
    }
    // Ends a frame: true while the request still needs frames drawn.
    bool count_down() {
        if (frames > 0 && --frames == 0) item.clear();
        return frames > 0;
    }
};

// Scrolls the current window so that the last item (the block named `item`) is in view, when
// `request` asks for it: its bottom edge first, never past its top. Records kResultOutOfView on
// `panel` if it is asked for and still out of view on the request's last frame.
void reveal_block(const RevealRequest& request, LayoutAudit& audit, const std::string& panel, const std::string& item);

// Whether the rectangle [min, max) is in view: inside the clip rectangle being drawn to and the
// display (a block taller than the view counts when its top is in view and it fills the rest).
bool rect_visible(ImVec2 min, ImVec2 max);

}  // namespace attn::app
