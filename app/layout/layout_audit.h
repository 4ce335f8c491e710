// attnlab app: the layout audit. Every frame, the panels record here what they could not show
// in full: text cut by its box, content wider than its panel, a heatmap cell drawn without its
// number, geometry labels that overlap or left the panel. The probe (probe.h) publishes the
// list, and the layout test (tests/gui/layout_matrix.py) renders every screen size, text size
// and language and fails on any entry it does not name as an allowed exception.
//
// Calling rules
// - Record inside a frame, between ImGui::NewFrame() and ImGui::Render(); draw_ui() clears the
//   list when a frame starts, so the list always describes the last frame drawn.
// - `panel` is the panel's stable id (panel_ids.h: "exercises", "heatmaps", ...), `kind` one of the
//   constants below, `what` the text concerned (or a short description), so a failure says what
//   and where.
// - Recording costs nothing when nothing is wrong; at most kMaxLayoutProblems are kept a frame.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace attn::app {

inline constexpr const char* kClipped = "clipped";            // text cut by the box it is drawn in
inline constexpr const char* kOverflow = "overflow";          // content wider than its panel (hidden scroll)
inline constexpr const char* kBlankCell = "blank cell";       // a heatmap cell drawn without its number
inline constexpr const char* kLabelOverlap = "label overlap"; // two geometry labels cover each other
inline constexpr const char* kLabelOutside = "label outside"; // a geometry label left its panel
inline constexpr const char* kOutOfView = "out of view";      // a control a teacher needs is (partly) below the panel's edge
inline constexpr const char* kClippedLegend = "clipped legend"; // a colour scale's labels cut by the panel's edge
inline constexpr const char* kSkippedLabels = "skipped labels"; // an axis left labels out although rotated or abbreviated ones would fit
inline constexpr const char* kLabelGap = "label gap";           // two axis labels closer than kMinLabelGapEm
inline constexpr const char* kCoveredText = "covered text";     // a grab or overlay drawn over text or a map's cells
inline constexpr float kMinLabelGapEm = 0.2f;                    // the least room between two neighbouring axis labels
inline constexpr int kMaxLayoutProblems = 64;

struct LayoutProblem {
    std::string panel, kind, what;
};

struct LayoutAudit {
    std::vector<LayoutProblem> problems;
    int dropped = 0;  // problems beyond kMaxLayoutProblems this frame

    void clear() {
        problems.clear();
        dropped = 0;
    }
    void report(const std::string& panel, const char* kind, const std::string& what);
};

// Records kClipped when `text` at the current font is wider than `width` pixels; returns true when it fits.
bool audit_text_fits(LayoutAudit& audit, const std::string& panel, const std::string& text, float width);

// Records kOverflow when the current window's content is wider than the window can show
// (ImGui would clip it or add a horizontal scroll bar). Call before ImGui::End()/EndChild().
void audit_window_width(LayoutAudit& audit, const std::string& panel);

// Records kOutOfView when the last item is not wholly inside the current window's visible area,
// as drawn (scrolled to the top unless the user scrolled): for the controls a teacher must reach
// without scrolling (Solve, Reset, Solve goal, Cancel). Call right after the item; `what` names it.
void audit_item_in_view(LayoutAudit& audit, const std::string& panel, const std::string& what);

// Records kClippedLegend when the rectangle [min, max] (a legend's bar and labels) is cut by the
// current window's visible area: sideways always, at the bottom when the map it belongs to
// ([grid_min, grid_max]) is wholly in view (a class sees the map but not its scale). A legend
// of a map below the fold is for the vertical scroll bar. Returns true when nothing is cut.
bool audit_legend_in_view(LayoutAudit& audit, const std::string& panel, ImVec2 min, ImVec2 max, ImVec2 grid_min,
                          ImVec2 grid_max, const std::string& what);

// Records kCoveredText when the overlay [o0, o1] intersects the rectangle [c0, c1] (text, or a
// map a class reads) by more than a pixel each way; returns true when it covers nothing.
bool audit_not_covered(LayoutAudit& audit, const std::string& panel, ImVec2 o0, ImVec2 o1, ImVec2 c0, ImVec2 c1,
                       const std::string& what);

// Records kCoveredText when the slider just drawn has a visible grab: ImGui draws it across the
// slider's centred number. Call right after the slider; `what` names it.
void audit_grab_hidden(LayoutAudit& audit, const std::string& panel, const std::string& what);

// Records kLabelGap when the intervals [a0, a1] and [b0, b1] (neighbouring labels along an axis)
// are less than kMinLabelGapEm apart at the current font; returns true when the gap is enough.
bool audit_label_gap(LayoutAudit& audit, const std::string& panel, float a1, float b0, const std::string& what);

}  // namespace attn::app
