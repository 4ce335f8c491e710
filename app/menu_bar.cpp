// The main menu bar: File, Edit, View, Help. Every item also has a shortcut (ui.cpp) and a tooltip.
#include "app/panels.h"
#include "app/ui.h"
#include "app/ui_common.h"

#include <imgui.h>

#include <algorithm>

namespace attn::app {

void draw_menu_bar(AppState& state) {
    if (!ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu(tr(state, "File", "文件"))) {
        if (ImGui::MenuItem(tr(state, "Open session…", "打开会话…"), "Ctrl+O")) state.dialogs.open_session.open_requested = true;
        tooltip(tr(state, "Open a saved session (.json): data, answers and selected task. Your view (language, presentation, zoom) stays as it is.",
                   "打开保存的会话（.json）：数据、答案和所选题目。你的视图（语言、演示模式、缩放）保持不变。"));
        if (ImGui::BeginMenu(tr(state, "Open recent", "最近打开"), !state.settings.recent_files.empty())) {
            for (const std::string& path : state.settings.recent_files)
                if (ImGui::MenuItem(path.c_str())) open_session_file(state, path);
            ImGui::EndMenu();
        }
        if (ImGui::MenuItem(tr(state, "Save session", "保存会话"), "Ctrl+S")) save_session_command(state, false);
        if (ImGui::MenuItem(tr(state, "Save session as…", "会话另存为…"), "Ctrl+Shift+S")) save_session_command(state, true);
        ImGui::Separator();
        if (ImGui::MenuItem(tr(state, "Export answers…", "导出答案…"), "Ctrl+E")) open_export_dialog(state);
        tooltip(tr(state, "Write your answers as PyTorch constants (.py) or JSON, as `attnlab solve` does.",
                   "把答案写成 PyTorch 常量（.py）或 JSON，与 `attnlab solve` 相同。"));
        ImGui::Separator();
        if (ImGui::MenuItem(tr(state, "Save screenshot", "保存截图"), "F12")) state.requests.screenshot_window = true;
        for (int scale = 2; scale <= 3; ++scale) {
            const std::string label = std::string(tr(state, "Save screenshot for slides ×", "保存幻灯片用截图 ×")) + std::to_string(scale);
            if (ImGui::MenuItem(label.c_str())) {
                state.requests.screenshot_window = true;
                state.requests.screenshot_scale = scale;
            }
            tooltip(tr(state, "Rendered again off-screen at this size with fonts built for it: crisp text, not scaled pixels.",
                       "在屏幕外按此尺寸重新渲染，字体按该尺寸生成：文字清晰，而非放大像素。"));
        }
        if (ImGui::MenuItem(tr(state, "Screenshot folder…", "截图文件夹…"))) {
            state.dialogs.screenshot_dir.path = state.settings.screenshot_dir;
            state.dialogs.screenshot_dir.open_requested = true;
        }
        tooltip(state.settings.screenshot_dir.c_str());
        ImGui::Separator();
        if (ImGui::MenuItem(tr(state, "Quit", "退出"), "Ctrl+Q")) state.requests.quit = true;
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr(state, "Edit", "编辑"))) {
        if (ImGui::MenuItem(tr(state, "Undo", "撤销"), "Ctrl+Z", false, state.history.can_undo())) undo(state);
        if (ImGui::MenuItem(tr(state, "Redo", "重做"), "Ctrl+Shift+Z", false, state.history.can_redo())) redo(state);
        ImGui::Separator();
        if (ImGui::MenuItem(tr(state, "Solve selected task", "求解当前题目"), "Ctrl+Enter")) solve_selected(state);
        if (ImGui::MenuItem(tr(state, "Solve all tasks", "求解全部题目"), "Ctrl+Shift+Enter")) solve_all_tasks(state);
        if (ImGui::MenuItem(tr(state, "Reset selected task", "重置当前题目"), "Ctrl+R")) reset_selected(state);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr(state, "View", "视图"))) {
        if (ImGui::MenuItem(tr(state, "Presentation mode", "演示模式"), "F5", state.settings.view.presentation))
            toggle_presentation(state);
        tooltip(tr(state, "Large text and a light, high-contrast theme for projectors.", "大字号和适合投影的高对比度浅色主题。"));
        if (ImGui::MenuItem(tr(state, "Full screen", "全屏"), "F11")) state.requests.toggle_fullscreen = true;
        ImGui::Separator();
        if (ImGui::MenuItem(tr(state, "Larger text", "放大文字"), "Ctrl+="))
            set_text_zoom(state, state.settings.view.text_zoom * kZoomStep);
        if (ImGui::MenuItem(tr(state, "Smaller text", "缩小文字"), "Ctrl+-"))
            set_text_zoom(state, state.settings.view.text_zoom / kZoomStep);
        if (ImGui::MenuItem(tr(state, "Default text size", "默认文字大小"), "Ctrl+0")) set_text_zoom(state, 1.0f);
        ImGui::Separator();
        if (ImGui::MenuItem("English", nullptr, state.settings.view.language == "en")) set_language(state, "en");
        if (ImGui::MenuItem("中文（简体）", "Ctrl+L", state.settings.view.language == "zh")) set_language(state, "zh");
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr(state, "Help", "帮助"))) {
        if (ImGui::MenuItem(tr(state, "Keyboard shortcuts", "键盘快捷键"))) state.dialogs.show_shortcuts = true;
        if (ImGui::MenuItem(tr(state, "About attnlab", "关于 attnlab"))) state.dialogs.show_about = true;
        ImGui::EndMenu();
    }
    if (!state.font_warning.empty()) {
        ImGui::TextColored(ImVec4(1.0f, 0.55f, 0.2f, 1.0f), "  %s", state.font_warning.c_str());
    }
    // A visible screenshot button at the right end, for people who never open menus.
    const char* shot_label = tr(state, "Screenshot", "截图");
    const float shot_w = ImGui::CalcTextSize(shot_label).x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowWidth() - shot_w - em(0.6f)));
    if (ImGui::SmallButton(shot_label)) state.requests.screenshot_window = true;
    tooltip(tr(state, "Save the whole window as a PNG in the screenshot folder (F12). Right-click the heatmaps or the geometry for one panel.",
               "把整个窗口保存为 PNG 到截图文件夹（F12）。在热力图或几何视图上右键可只保存该面板。"));
    ImGui::EndMainMenuBar();
}

}  // namespace attn::app
