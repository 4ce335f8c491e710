#include "app/layout/reveal.h"

#include <imgui_internal.h>  // the window's visible rectangle (InnerClipRect)

#include <algorithm>

namespace attn::app {

namespace {

ImRect display_rect() { return ImRect(ImVec2(0, 0), ImGui::GetIO().DisplaySize); }

// The part of the current window that shows its scrolling content.
ImRect window_area() {
    const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
    ImRect area = window ? window->InnerClipRect : display_rect();
    area.ClipWith(display_rect());
    return area;
}

}  // namespace

bool rect_visible(ImVec2 min, ImVec2 max) {
    // What is being drawn is clipped to the draw list's current rectangle: the window's inner
    // area, its menu bar, a table cell, a child window (already cut by its parent's).
    const ImDrawList* draw_list = ImGui::GetWindowDrawList();
    ImRect area(draw_list->GetClipRectMin(), draw_list->GetClipRectMax());
    area.ClipWith(display_rect());
    const float tolerance = 1.0f;  // rounding of scroll positions
    const float shown_bottom = std::min(max.y, min.y + area.GetHeight());
    return min.y >= area.Min.y - tolerance && shown_bottom <= area.Max.y + tolerance && min.x >= area.Min.x - tolerance &&
           min.x < area.Max.x;
}

void reveal_block(const RevealRequest& request, LayoutAudit& audit, const std::string& panel, const std::string& item) {
    if (request.item != item || request.frames <= 0) return;
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    if (rect_visible(min, max)) return;
    if (request.frames == 1) {
        audit.report(panel, kResultOutOfView,
                     item + ": spans y " + std::to_string(static_cast<int>(min.y)) + ".." + std::to_string(static_cast<int>(max.y)) +
                         " after the action that produced it");
        return;
    }
    if (request.disabled) return;
    const ImRect area = window_area();
    float delta = max.y > area.Max.y ? max.y - area.Max.y : 0.0f;  // bring its bottom up...
    if (min.y - delta < area.Min.y) delta = min.y - area.Min.y;    // ...but never past its top
    ImGui::SetScrollY(std::max(0.0f, ImGui::GetScrollY() + delta));
}

}  // namespace attn::app
