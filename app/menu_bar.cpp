// The main menu bar: File, Edit, View, Help. Every item also has a shortcut (ui.cpp) and a tooltip.
#include "app/i18n.h"
#include "app/packs.h"
#include "app/panels/panels.h"
#include "app/probe.h"
#include "app/ui.h"
#include "app/ui_common.h"

#include "core/course/pack.h"

#include <imgui.h>

#include <algorithm>

namespace attn::app {

namespace {

// File → Open course pack… and the built-in and recent packs, one click each.
void draw_pack_menu_items(AppState& state) {
    ImGui::Separator();
    if (ImGui::MenuItem(tr(state, "Open course pack…"))) {
        state.dialogs.open_pack.path.clear();
        state.dialogs.open_pack.open_requested = true;
    }
    probe_item(state, "menu open pack");
    tooltip(tr(state, "Open a course pack (.json): its tasks replace the current ones, with their own hints and checks. A bad pack is reported and the current one stays."));
    if (ImGui::BeginMenu(tr(state, "Course packs"))) {
        for (const BuiltinPack& pack : builtin_packs())
            if (ImGui::MenuItem(pack.id.c_str(), nullptr, course(state).id == pack.id && course(state).variant_student.empty()))
                open_builtin_pack(state, pack.id);
        if (!state.settings.recent_packs.empty()) ImGui::Separator();
        for (const std::string& path : state.settings.recent_packs)
            if (ImGui::MenuItem(path.c_str())) open_pack_file(state, path);
        ImGui::EndMenu();
    }
    ImGui::Separator();
}

// File → Open session…, tensors and recent sessions.
void draw_file_open_items(AppState& state) {
    if (ImGui::MenuItem(tr(state, "Open session…"), "Ctrl+O")) state.dialogs.open_session.open_requested = true;
    tooltip(tr(state, "Open a saved session (.json): data, answers and selected task. Your view (language, presentation, zoom) stays as it is."));
    if (ImGui::MenuItem(tr(state, "Open tensors…"))) state.dialogs.open_tensors.open_requested = true;
    probe_item(state, "menu open tensors");
    tooltip(tr(state, "Open Q, K and V captured from a real model (.safetensors or .npz): browse its layers and heads and edit them."));
    if (ImGui::BeginMenu(tr(state, "Open recent"), !state.settings.recent_files.empty())) {
        for (const std::string& path : state.settings.recent_files)
            if (ImGui::MenuItem(path.c_str())) open_session_file(state, path);
        ImGui::EndMenu();
    }
}

// File → Save, export, hand-ins and the class.
void draw_file_save_items(AppState& state) {
    if (ImGui::MenuItem(tr(state, "Save session"), "Ctrl+S")) save_session_command(state, false);
    if (ImGui::MenuItem(tr(state, "Save session as…"), "Ctrl+Shift+S")) save_session_command(state, true);
    ImGui::Separator();
    if (ImGui::MenuItem(tr(state, "Export answers…"), "Ctrl+E")) open_export_dialog(state);
    tooltip(tr(state, "Write your answers as PyTorch constants (.py) or JSON, as `attnlab solve` does."));
    if (ImGui::MenuItem(tr(state, "Open answers…"))) state.dialogs.open_answers.open_requested = true;
    probe_item(state, "menu open answers");
    tooltip(tr(state, "Load a student's hand-in (.py, .ipynb or .json) as the current answers, with live checks: see why an answer fails. Undo with Ctrl+Z."));
    if (ImGui::MenuItem(tr(state, "Grade a folder…"))) state.dialogs.grade_folder.open_requested = true;
    probe_item(state, "menu grade folder");
    tooltip(tr(state, "Grade every hand-in in a folder, as `attnlab check DIR` does, and show the class in a window."));
    if (state.class_view.report && !state.class_view.open && ImGui::MenuItem(tr(state, "Show the class")))
        state.class_view.open = true;
    ImGui::Separator();
}

// File → Screenshots, their folder, Quit.
void draw_file_screenshot_items(AppState& state) {
    if (ImGui::MenuItem(tr(state, "Save screenshot"), "F12")) state.platform.requests.screenshot_window = true;
    for (int scale = 2; scale <= 3; ++scale) {
        const std::string label = std::string(tr(state, "Save screenshot for slides ×")) + std::to_string(scale);
        if (ImGui::MenuItem(label.c_str())) {
            state.platform.requests.screenshot_window = true;
            state.platform.requests.screenshot_scale = scale;
        }
        tooltip(tr(state, "Rendered again off-screen at this size with fonts built for it: crisp text, not scaled pixels."));
    }
    if (ImGui::MenuItem(tr(state, "Screenshot folder…"))) {
        state.dialogs.screenshot_dir.path = state.settings.screenshot_dir;
        state.dialogs.screenshot_dir.open_requested = true;
    }
    tooltip(state.settings.screenshot_dir.c_str());
    ImGui::Separator();
    if (ImGui::MenuItem(tr(state, "Quit"), "Ctrl+Q")) state.platform.requests.quit = true;
}

void draw_edit_menu_items(AppState& state) {
    if (ImGui::MenuItem(tr(state, "Undo"), "Ctrl+Z", false, state.history.can_undo())) undo(state);
    if (ImGui::MenuItem(tr(state, "Redo"), "Ctrl+Shift+Z", false, state.history.can_redo())) redo(state);
    ImGui::Separator();
    if (ImGui::MenuItem(tr(state, "Solve selected task"), "Ctrl+Enter")) start_solve(state);
    if (ImGui::MenuItem(tr(state, "Solve all tasks"), "Ctrl+Shift+Enter")) solve_all_tasks(state);
    if (ImGui::MenuItem(tr(state, "Reset selected task"), "Ctrl+R")) reset_selected(state);
}

void draw_view_menu_items(AppState& state) {
    if (ImGui::MenuItem(tr(state, "Presentation mode"), "F5", state.settings.view.presentation))
        toggle_presentation(state);
    tooltip(tr(state, "Large text and a light, high-contrast theme for projectors."));
    if (ImGui::MenuItem(tr(state, "Full screen"), "F11")) state.platform.requests.toggle_fullscreen = true;
    ImGui::Separator();
    if (ImGui::MenuItem(tr(state, "Larger text"), "Ctrl+="))
        set_text_zoom(state, state.settings.view.text_zoom * kZoomStep);
    if (ImGui::MenuItem(tr(state, "Smaller text"), "Ctrl+-"))
        set_text_zoom(state, state.settings.view.text_zoom / kZoomStep);
    if (ImGui::MenuItem(tr(state, "Default text size"), "Ctrl+0")) set_text_zoom(state, 1.0f);
    ImGui::Separator();
    // Each language by its own name, from its catalog; Ctrl+L steps through them in this order.
    for (const LanguageInfo& language : available_languages()) {
        const bool current = state.settings.view.language == language.code;
        const std::string label = language.name + "###language-" + language.code;
        const bool next = language.code == next_language(state.settings.view.language);
        if (ImGui::MenuItem(label.c_str(), next && !current ? "Ctrl+L" : nullptr, current)) set_language(state, language.code);
    }
}

}  // namespace

void draw_menu_bar(AppState& state) {
    if (!ImGui::BeginMainMenuBar()) return;
    const bool file_menu = ImGui::BeginMenu(tr(state, "File"));
    probe_item(state, "menu file");
    if (file_menu) {
        draw_file_open_items(state);
        draw_pack_menu_items(state);
        draw_file_save_items(state);
        draw_file_screenshot_items(state);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr(state, "Edit"))) {
        draw_edit_menu_items(state);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr(state, "View"))) {
        draw_view_menu_items(state);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr(state, "Help"))) {
        if (ImGui::MenuItem(tr(state, "Keyboard shortcuts"))) state.dialogs.show_shortcuts = true;
        if (ImGui::MenuItem(tr(state, "About attnlab"))) state.dialogs.show_about = true;
        ImGui::EndMenu();
    }
    draw_student_view_banner(state);
    if (!state.platform.font_warning.empty()) {
        ImGui::TextColored(ImVec4(1.0f, 0.55f, 0.2f, 1.0f), "  %s", state.platform.font_warning.c_str());
    }
    // A visible screenshot button at the right end, for people who never open menus.
    const char* shot_label = tr(state, "Screenshot");
    const float shot_w = ImGui::CalcTextSize(shot_label).x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowWidth() - shot_w - em(0.6f)));
    if (ImGui::SmallButton(shot_label)) state.platform.requests.screenshot_window = true;
    tooltip(tr(state, "Save the whole window as a PNG in the screenshot folder (F12). Right-click the heatmaps or the geometry for one panel."));
    ImGui::EndMainMenuBar();
}

}  // namespace attn::app
