#include "app/layout_audit.h"

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

}  // namespace attn::app
