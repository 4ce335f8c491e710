#include "app/layout/layout_audit.h"

#include <imgui_internal.h>  // the window's content extent (CursorMaxPos) and work rectangle

#include <algorithm>
#include <cmath>

namespace attn::app {

void LayoutAudit::report(const std::string& panel, const char* kind, const std::string& what) {
    if (static_cast<int>(problems.size()) >= kMaxLayoutProblems) {
        ++dropped;
        return;
    }
    problems.push_back({panel, kind, what});
}

bool audit_text_fits(LayoutAudit& audit, const std::string& panel, const std::string& text, float width) {
    const float needed = ImGui::CalcTextSize(text.c_str(), nullptr, true).x;
    if (needed <= width + 0.5f) return true;
    audit.report(panel, kClipped, text);
    return false;
}

void audit_window_width(LayoutAudit& audit, const std::string& panel) {
    const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
    if (!window || window->SkipItems) return;
    // Every item widens CursorMaxPos by its full size, including text ImGui then clips, so this
    // catches a cut-off title, button label or row of numbers without asking each widget.
    const float content_right = window->DC.CursorMaxPos.x;
    const float visible_right = window->InnerClipRect.Max.x;
    if (content_right > visible_right + 1.0f)
        audit.report(panel, kOverflow,
                     std::string(window->Name) + ": content " + std::to_string(static_cast<int>(content_right - window->Pos.x)) +
                         " px wide in " + std::to_string(static_cast<int>(visible_right - window->Pos.x)) + " px");
}

void audit_item_in_view(LayoutAudit& audit, const std::string& panel, const std::string& what) {
    const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
    if (!window || window->SkipItems) return;
    // InnerClipRect is already cut by the parent's clip rectangle, so an item in a child window
    // that itself runs under its panel's edge counts as out of view too.
    const ImRect visible = window->InnerClipRect;
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    if (min.y < visible.Min.y - 1.0f || max.y > visible.Max.y + 1.0f || max.x > visible.Max.x + 1.0f)
        audit.report(panel, kOutOfView,
                     what + ": spans y " + std::to_string(static_cast<int>(min.y)) + ".." + std::to_string(static_cast<int>(max.y)) +
                         ", visible " + std::to_string(static_cast<int>(visible.Min.y)) + ".." +
                         std::to_string(static_cast<int>(visible.Max.y)) + " in " + window->Name);
}

bool audit_legend_in_view(LayoutAudit& audit, const std::string& panel, ImVec2 min, ImVec2 max, ImVec2 grid_min,
                          ImVec2 grid_max, const std::string& what) {
    const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
    if (!window || window->SkipItems) return true;
    const ImRect visible = window->InnerClipRect;
    const bool sideways = min.x < visible.Min.x - 1.0f || max.x > visible.Max.x + 1.0f;
    const bool map_in_view = grid_min.y >= visible.Min.y - 1.0f && grid_max.y <= visible.Max.y + 1.0f;
    const bool bottom = map_in_view && max.y > visible.Max.y + 1.0f;
    if (!sideways && !bottom) return true;
    audit.report(panel, kClippedLegend,
                 what + ": spans " + std::to_string(static_cast<int>(min.x)) + "," + std::to_string(static_cast<int>(min.y)) + ".." +
                     std::to_string(static_cast<int>(max.x)) + "," + std::to_string(static_cast<int>(max.y)) + ", visible " +
                     std::to_string(static_cast<int>(visible.Min.x)) + "," + std::to_string(static_cast<int>(visible.Min.y)) + ".." +
                     std::to_string(static_cast<int>(visible.Max.x)) + "," + std::to_string(static_cast<int>(visible.Max.y)) + " in " +
                     window->Name);
    return false;
}

bool audit_not_covered(LayoutAudit& audit, const std::string& panel, ImVec2 o0, ImVec2 o1, ImVec2 c0, ImVec2 c1,
                       const std::string& what) {
    const float w = std::min(o1.x, c1.x) - std::max(o0.x, c0.x), h = std::min(o1.y, c1.y) - std::max(o0.y, c0.y);
    if (!(w > 1.0f && h > 1.0f)) return true;
    audit.report(panel, kCoveredText, what + ": " + std::to_string(static_cast<int>(w)) + "x" + std::to_string(static_cast<int>(h)) + " px covered");
    return false;
}

void audit_grab_hidden(LayoutAudit& audit, const std::string& panel, const std::string& what) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const bool hovered_or_active = ImGui::IsItemHovered() || ImGui::IsItemActive();
    const ImVec4 grab = style.Colors[hovered_or_active ? ImGuiCol_SliderGrabActive : ImGuiCol_SliderGrab];
    if (grab.w > 0.0f) audit.report(panel, kCoveredText, what + ": the slider's grab is drawn across its number");
}

bool audit_label_gap(LayoutAudit& audit, const std::string& panel, float a1, float b0, const std::string& what) {
    const float gap = b0 - a1, min_gap = ImGui::GetFontSize() * kMinLabelGapEm;
    if (gap >= min_gap - 0.5f) return true;
    audit.report(panel, kLabelGap, what + ": " + std::to_string(static_cast<int>(gap)) + " px apart, needs " +
                                       std::to_string(static_cast<int>(std::ceil(min_gap))) + " px");
    return false;
}

}  // namespace attn::app
