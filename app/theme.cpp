#include "app/theme.h"

#include <imgui.h>

namespace attn::app {

void apply_theme(bool projector, float scale) {
    ImGuiStyle style;
    if (projector) {
        ImGui::StyleColorsLight(&style);
        // Projectors wash out light greys: darker text, visible borders, stronger accents.
        ImVec4* c = style.Colors;
        c[ImGuiCol_Text] = ImVec4(0.0f, 0.0f, 0.0f, 1.0f);
        c[ImGuiCol_TextDisabled] = ImVec4(0.30f, 0.30f, 0.30f, 1.0f);
        c[ImGuiCol_WindowBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
        c[ImGuiCol_ChildBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
        c[ImGuiCol_PopupBg] = ImVec4(1.0f, 1.0f, 0.97f, 1.0f);
        c[ImGuiCol_Border] = ImVec4(0.0f, 0.0f, 0.0f, 0.45f);
        c[ImGuiCol_FrameBg] = ImVec4(0.90f, 0.90f, 0.92f, 1.0f);
        c[ImGuiCol_TitleBg] = ImVec4(0.82f, 0.86f, 0.94f, 1.0f);
        c[ImGuiCol_TitleBgActive] = ImVec4(0.70f, 0.78f, 0.95f, 1.0f);
        c[ImGuiCol_Button] = ImVec4(0.20f, 0.45f, 0.85f, 0.25f);
        style.FrameBorderSize = 1.0f;
    } else {
        ImGui::StyleColorsDark(&style);
        ImVec4* c = style.Colors;
        c[ImGuiCol_WindowBg] = ImVec4(0.10f, 0.105f, 0.12f, 1.0f);
        c[ImGuiCol_TitleBg] = ImVec4(0.14f, 0.16f, 0.22f, 1.0f);
        c[ImGuiCol_TitleBgActive] = ImVec4(0.18f, 0.24f, 0.38f, 1.0f);
    }
    style.WindowRounding = 0.0f;  // panels tile the window
    style.FrameRounding = 3.0f;
    style.GrabRounding = 2.0f;
    // No grab: ImGui draws it across the slider's centred number ("|q▌= 0.993"); each slider
    // shows its position as a track under the digits instead (slider_track in ui_common.h).
    style.Colors[ImGuiCol_SliderGrab] = ImVec4(0, 0, 0, 0);
    style.Colors[ImGuiCol_SliderGrabActive] = ImVec4(0, 0, 0, 0);
    style.GrabMinSize = 4.0f;
    style.WindowBorderSize = 1.0f;
    style.ItemSpacing = ImVec2(8, 5);
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

}  // namespace attn::app
