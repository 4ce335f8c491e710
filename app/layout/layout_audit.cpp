#include "app/layout/layout_audit.h"

#include <imgui_internal.h>  // the window's content extent (CursorMaxPos) and work rectangle

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

}  // namespace attn::app
