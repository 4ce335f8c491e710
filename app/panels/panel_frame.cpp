// The frame every panel shares: a fixed window at its layout rectangle, and the right-click
// "save this panel" menu.
#include "app/i18n.h"
#include "app/panels/panels.h"
#include "app/ui_common.h"

#include <imgui_internal.h>  // FindWindowByName: a panel's rectangle for one-panel screenshots

#include <cstring>
#include <string>

namespace attn::app {

bool begin_panel(const char* title, const char* id, const PanelRect& rect, ImGuiWindowFlags extra_flags) {
    ImGui::SetNextWindowPos(rect.pos, ImGuiCond_Always);
    ImGui::SetNextWindowSize(rect.size, ImGuiCond_Always);
    const std::string name = std::string(title) + "###" + id;
    return ImGui::Begin(name.c_str(), nullptr,
                        ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                            ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                            (rect.tabbed ? ImGuiWindowFlags_NoTitleBar : 0) | extra_flags);
}

void end_panel(AppState& state, const char* id) {
    audit_window_width(state.layout_audit, id);
    // The title bar clips a title longer than the panel is wide.
    const ImGuiWindow* window = ImGui::GetCurrentWindowRead();
    if (window && !(window->Flags & ImGuiWindowFlags_NoTitleBar)) {
        const char* name = window->Name;
        const char* end = std::strstr(name, "###");
        const std::string title(name, end ? static_cast<std::size_t>(end - name) : std::strlen(name));
        audit_text_fits(state.layout_audit, id, title, window->Size.x - 2 * ImGui::GetStyle().FramePadding.x);
    }
    ImGui::End();
}

bool panel_rect(const char* id, PanelRect* rect) {
    const std::string name = std::string("###") + id;
    const ImGuiWindow* window = ImGui::FindWindowByName(name.c_str());
    if (!window || !window->WasActive) return false;
    rect->pos = window->Pos;
    rect->size = window->Size;
    return true;
}

void panel_screenshot_context_menu(AppState& state, const char* id) {
    const std::string popup = std::string("panel_menu_") + id;
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && ImGui::IsMouseReleased(ImGuiMouseButton_Right))
        ImGui::OpenPopup(popup.c_str());
    if (ImGui::BeginPopup(popup.c_str())) {
        for (int scale = 1; scale <= 3; ++scale) {
            const std::string label = scale == 1 ? tr(state, "Save this panel as PNG")
                                                 : std::string(tr(state, "Save this panel as PNG ×")) +
                                                       std::to_string(scale);
            if (ImGui::MenuItem(label.c_str())) {
                state.platform.requests.screenshot_panel = id;
                state.platform.requests.screenshot_scale = scale;
            }
        }
        ImGui::EndPopup();
    }
}

}  // namespace attn::app
