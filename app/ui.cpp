#include "app/ui.h"

#include "app/i18n.h"
#include "app/packs.h"
#include "app/layout/layout.h"
#include "app/panels/panels.h"
#include "app/platform/paths.h"
#include "app/probe.h"
#include "app/ui_common.h"
#include "core/base/error.h"
#include "core/course/course_session.h"
#include "core/course/answer_file.h"
#include "core/base/json_io.h"
#include "core/course/pack.h"
#include "core/course/report.h"
#include "core/base/text.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>  // key codes only: ImGui 1.86 indexes io.KeysDown by the backend's codes
#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>

namespace attn::app {

namespace {

const Shortcut kShortcuts[] = {
    {"Ctrl+Z", N_("Undo")},
    {"Ctrl+Shift+Z / Ctrl+Y", N_("Redo")},
    {"Ctrl+O", N_("Open a session")},
    {"Ctrl+S", N_("Save the session")},
    {"Ctrl+Shift+S", N_("Save the session as…")},
    {"Ctrl+E", N_("Export answers (Python or JSON)")},
    {"Page Down / Ctrl+→", N_("Next task")},
    {"Page Up / Ctrl+←", N_("Previous task")},
    {"Ctrl+Enter", N_("Solve the selected task")},
    {"Ctrl+Shift+Enter", N_("Solve all tasks")},
    {"Ctrl+R", N_("Reset the selected task")},
    {"F12", N_("Save a screenshot of the window")},
    {"F5", N_("Presentation mode (large text, projector theme)")},
    {"F11", N_("Full screen")},
    {"Ctrl+= / Ctrl+-", N_("Larger / smaller text")},
    {"Ctrl+0", N_("Default text size")},
    {"Ctrl+L", N_("Next language (View menu)")},
    {"Ctrl+Q", N_("Quit")},
    {"Tab / Shift+Tab", N_("Next / previous field")},
    {"Ctrl+click a slider", N_("Type an exact value (Enter to confirm)")},
    {"Paste into a row field", N_("Type or paste a whole row: 0.694, 0.719, 0.006")},
    {"Drag in the geometry view", N_("Rotate the view; drag q's tip to move the query")},
    {"Mouse wheel on the geometry", N_("Zoom")},
    {"Right-click a panel", N_("Save that panel as a PNG")},
    {"Drag a panel border", N_("Resize the panels")},
    {"Double-click a border", N_("Back to the automatic layout")},
};

void handle_shortcuts(AppState& state) {
    std::vector<KeyPress> presses;
    presses.swap(state.platform.key_presses);
    const bool typing = ImGui::GetIO().WantTextInput;
    for (const KeyPress& press : presses) {
        const int key = press.key;
        // Typing into a field owns the keyboard, except the function keys.
        if (typing && !(key >= GLFW_KEY_F1 && key <= GLFW_KEY_F25)) continue;
        const bool ctrl = press.ctrl, shift = press.shift;
        if (ctrl && key == GLFW_KEY_Z) shift ? redo(state) : undo(state);
        else if (ctrl && key == GLFW_KEY_Y) redo(state);
        else if (ctrl && key == GLFW_KEY_O) state.dialogs.open_session.open_requested = true;
        else if (ctrl && key == GLFW_KEY_S) save_session_command(state, shift);
        else if (ctrl && key == GLFW_KEY_E) open_export_dialog(state);
        else if (key == GLFW_KEY_PAGE_DOWN || (ctrl && key == GLFW_KEY_RIGHT)) select_next_task(state, +1);
        else if (key == GLFW_KEY_PAGE_UP || (ctrl && key == GLFW_KEY_LEFT)) select_next_task(state, -1);
        else if (ctrl && (key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER)) shift ? solve_all_tasks(state) : start_solve(state);
        else if (ctrl && key == GLFW_KEY_R) reset_selected(state);
        else if (key == GLFW_KEY_F12) state.platform.requests.screenshot_window = true;
        else if (key == GLFW_KEY_F5) toggle_presentation(state);
        else if (key == GLFW_KEY_F11) state.platform.requests.toggle_fullscreen = true;
        else if (ctrl && (key == GLFW_KEY_EQUAL || key == GLFW_KEY_KP_ADD)) set_text_zoom(state, state.settings.view.text_zoom * kZoomStep);
        else if (ctrl && (key == GLFW_KEY_MINUS || key == GLFW_KEY_KP_SUBTRACT)) set_text_zoom(state, state.settings.view.text_zoom / kZoomStep);
        else if (ctrl && (key == GLFW_KEY_0 || key == GLFW_KEY_KP_0)) set_text_zoom(state, 1.0f);
        else if (ctrl && key == GLFW_KEY_L) set_language(state, next_language(state.settings.view.language));
        else if (ctrl && key == GLFW_KEY_Q) state.platform.requests.quit = true;
    }
}

void remember_recent(AppState& state, const std::string& path) {
    auto& recent = state.settings.recent_files;
    recent.erase(std::remove(recent.begin(), recent.end(), path), recent.end());
    recent.insert(recent.begin(), path);
    if (recent.size() > 8) recent.resize(8);
}

// A small path dialog: no native file chooser in the Debian stack, so a text field plus the
// recent files. Returns true on the frame the user confirms, with the path in dialog.path.
bool path_dialog(AppState& state, const char* title, PathDialog& dialog, const char* confirm, const char* hint,
                 bool offer_recent) {
    if (dialog.open_requested) {
        ImGui::OpenPopup(title);
        dialog.open_requested = false;
    }
    bool confirmed = false;
    ImGui::SetNextWindowSize(em2(34, 0), ImGuiCond_Appearing);
    if (ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::TextUnformatted(hint);
        if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
        ImGui::SetNextItemWidth(em(30));
        const bool entered =
            ImGui::InputText("##path", &dialog.path, ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll);
        probe_item(state, "dialog path");
        if (offer_recent && !state.settings.recent_files.empty()) {
            ImGui::TextDisabled("%s", tr(state, "Recent:"));
            for (const std::string& recent : state.settings.recent_files)
                if (ImGui::Selectable(recent.c_str())) dialog.path = recent;
        }
        if (ImGui::Button(confirm, em2(8, 0)) || entered) {
            confirmed = !dialog.path.empty();
            if (confirmed) ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (ImGui::Button(tr(state, "Cancel"), em2(8, 0)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
    return confirmed;
}

void run_pending_write(AppState& state, Dialogs::Pending action, const std::string& path) {
    if (action == Dialogs::Pending::SaveSession) save_session_file(state, path);
    else if (action == Dialogs::Pending::ExportAnswers) export_answers_file(state, path);
    else if (action == Dialogs::Pending::ExportClassReport) export_class_report(state, path);
}

// "dir/alice.py" → "alice.py"
std::string file_name_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool file_exists(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    std::fclose(f);
    return true;
}

// Writes now, or first asks "Replace?" when the file exists (and is not the open session itself,
// which Save is meant to overwrite).
void write_or_ask(AppState& state, Dialogs::Pending action, const std::string& path) {
    const bool own_session = action == Dialogs::Pending::SaveSession && path == state.session_path;
    if (!own_session && file_exists(path)) {
        state.dialogs.overwrite = action;
        state.dialogs.overwrite_path = path;
        return;
    }
    run_pending_write(state, action, path);
}

void draw_overwrite_question(AppState& state) {
    Dialogs& d = state.dialogs;
    const char* title = tr(state, "Replace the file?###overwrite");
    if (d.overwrite != Dialogs::Pending::None && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
    if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    ImGui::PushTextWrapPos(em(30));
    ImGui::TextUnformatted(format(tr(state, "%s already exists. Replace it? Its contents will be lost."),
                                  d.overwrite_path.c_str())
                               .c_str());
    ImGui::PopTextWrapPos();
    const bool replace = ImGui::Button(tr(state, "Replace"), em2(8, 0));
    probe_item(state, "overwrite replace");
    ImGui::SameLine();
    const bool cancel = ImGui::Button(tr(state, "Cancel"), em2(8, 0)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE);
    probe_item(state, "overwrite cancel");
    if (replace) run_pending_write(state, d.overwrite, d.overwrite_path);
    if (replace || cancel) {
        if (cancel) toast(state, tr(state, "Nothing was written."));
        d.overwrite = Dialogs::Pending::None;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

void draw_help_windows(AppState& state) {
    Dialogs& d = state.dialogs;
    if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) d.show_shortcuts = d.show_about = false;
    if (d.show_shortcuts) {
        ImGui::SetNextWindowSize(em2(30, 0), ImGuiCond_Appearing);
        if (ImGui::Begin(tr(state, "Keyboard shortcuts###shortcuts"), &d.show_shortcuts,
                         ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
            if (ImGui::BeginTable("shortcuts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
                for (const Shortcut& s : kShortcuts) {
                    ImGui::TableNextRow();
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(s.keys);
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(tr(state, s.what));
                }
                ImGui::EndTable();
            }
        }
        ImGui::End();
    }
    if (d.show_about) {
        if (ImGui::Begin(tr(state, "About attnlab###about"), &d.show_about,
                         ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
            ImGui::Text("attnlab %s", ATTN_VERSION);
            ImGui::TextUnformatted(tr(state, "Scaled-dot-product attention you can touch."));
            ImGui::TextUnformatted(course_title(state).c_str());
            if (!state.platform.font_warning.empty()) ImGui::TextColored(ImVec4(1, 0.5f, 0.2f, 1), "%s", state.platform.font_warning.c_str());
        }
        ImGui::End();
    }
}

void draw_dialogs(AppState& state) {
    Dialogs& d = state.dialogs;
    if (path_dialog(state, tr(state, "Open session###open"), d.open_session, tr(state, "Open"),
                    tr(state, "Session file (.json):"), true))
        open_session_file(state, d.open_session.path);
    if (path_dialog(state, tr(state, "Open tensors###opentensors"), d.open_tensors, tr(state, "Open"),
                    tr(state, "Captured attention (.safetensors or .npz, see assets/capture/):"),
                    true))
        open_tensors_file(state, d.open_tensors.path);
    if (path_dialog(state, tr(state, "Save session###save"), d.save_session, tr(state, "Save"),
                    tr(state, "Save the session to (.json):"), true))
        write_or_ask(state, Dialogs::Pending::SaveSession, d.save_session.path);
    if (path_dialog(state, tr(state, "Export answers###export"), d.export_answers,
                    tr(state, "Export"),
                    tr(state, "File: .py gives PyTorch constants, anything else JSON (as `attnlab solve` writes them):"),
                    false))
        write_or_ask(state, Dialogs::Pending::ExportAnswers, d.export_answers.path);
    if (path_dialog(state, tr(state, "Open answers###openanswers"), d.open_answers,
                    tr(state, "Open"),
                    tr(state, "A student's hand-in (.py, .ipynb or .json):"), false))
        open_answers_file(state, d.open_answers.path);
    if (path_dialog(state, tr(state, "Grade a folder###gradefolder"), d.grade_folder,
                    tr(state, "Grade"),
                    tr(state, "A folder of hand-ins (one file or sub-folder per student):"),
                    false))
        start_grading(state, d.grade_folder.path);
    if (path_dialog(state, tr(state, "Export the class report###exportclass"), d.export_class,
                    tr(state, "Export"),
                    tr(state, "One HTML page with the table and charts (opens offline):"),
                    false))
        write_or_ask(state, Dialogs::Pending::ExportClassReport, d.export_class.path);
    if (path_dialog(state, tr(state, "Screenshot folder###shotdir"), d.screenshot_dir,
                    tr(state, "Use"), tr(state, "Save screenshots into:"), false))
        state.settings.screenshot_dir = d.screenshot_dir.path;
    draw_pack_dialog(state);
    draw_overwrite_question(state);
    draw_help_windows(state);
}

// The width toasts may take: that of the panel in the bottom-right corner (the geometry view
// in the usual layout), so that a long message wraps over that picture instead of covering the
// output and target numbers beside it (issue 21). Never under 8 em, never over 36.
float toast_width(const LayoutPlan& plan, const ImVec2& display, float margin) {
    float width = display.x - 2 * margin;
    for (const Region& region : plan.regions)
        if (region.x + region.w >= display.x - 1 && region.y + region.h >= display.y - 1) width = region.w - 2 * margin;
    return std::max(em(8), std::min(em(36), width));
}

// Toasts stack up from the bottom-right corner, newest lowest. Each is sized from its wrapped
// text before it is drawn (an auto-resizing window only knows its height a frame later, so
// toasts that appeared together overlapped), and wraps to fit inside the corner's panel.
void draw_toasts(AppState& state, const LayoutPlan& plan) {
    state.toasts.erase(std::remove_if(state.toasts.begin(), state.toasts.end(),
                                      [&](const Toast& t) { return t.expires_at < state.platform.now; }),
                       state.toasts.end());
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const ImVec2 padding = ImGui::GetStyle().WindowPadding;
    const float margin = em(0.8f);
    const float wrap = toast_width(plan, display, margin) - 2 * padding.x;
    float bottom = display.y - margin;
    for (int i = static_cast<int>(state.toasts.size()) - 1; i >= 0 && bottom > margin; --i) {
        const Toast& t = state.toasts[static_cast<std::size_t>(i)];
        const ImVec2 text = ImGui::CalcTextSize(t.text.c_str(), nullptr, false, wrap);
        const char* open_label = tr(state, "Open folder");
        const bool offers_folder = !t.folder.empty();
        const float button_w = button_width(open_label);
        const ImVec2 size(std::max(text.x, offers_folder ? button_w : 0.0f) + 2 * padding.x,
                          text.y + 2 * padding.y + (offers_folder ? ImGui::GetFrameHeightWithSpacing() : 0.0f));
        ImGui::SetNextWindowPos(ImVec2(display.x - margin - size.x, bottom - size.y), ImGuiCond_Always);
        ImGui::SetNextWindowSize(size, ImGuiCond_Always);
        ImGui::SetNextWindowBgAlpha(0.92f);
        const std::string id = "##toast" + std::to_string(i);
        // Only a toast with a button takes the mouse; the others never stand in the way of a click.
        ImGui::Begin(id.c_str(), nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav |
                         ImGuiWindowFlags_NoSavedSettings | (offers_folder ? 0 : ImGuiWindowFlags_NoInputs));
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
        ImGui::PushStyleColor(ImGuiCol_Text, t.is_error ? palette().fail : ImGui::GetColorU32(ImGuiCol_Text));
        ImGui::TextUnformatted(t.text.c_str());
        probe_item(state, "toast " + std::to_string(i));
        ImGui::PopStyleColor();
        ImGui::PopTextWrapPos();
        if (offers_folder && ImGui::SmallButton(open_label)) state.platform.requests.open_folder = t.folder;
        if (offers_folder) probe_item(state, "toast open folder");
        ImGui::End();
        bottom -= size.y + em(0.4f);
    }
}

// A draggable border between panels: a thin borderless window over the seam. Returns true while
// it is dragged, with *position moved by the mouse; a double-click asks for the automatic layout.
bool splitter(AppState& state, const char* id, ImVec2 pos, ImVec2 size, bool vertical, float* position) {
    ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
    ImGui::SetNextWindowSize(size, ImGuiCond_Always);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowMinSize, ImVec2(1, 1));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
    const std::string name = std::string("##splitter_") + id;
    ImGui::Begin(name.c_str(), nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::InvisibleButton("##drag", size);
    const bool active = ImGui::IsItemActive();
    if (ImGui::IsItemHovered() || active) {
        ImGui::SetMouseCursor(vertical ? ImGuiMouseCursor_ResizeEW : ImGuiMouseCursor_ResizeNS);
        ImGui::GetForegroundDrawList()->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y),
                                                      ImGui::GetColorU32(ImGuiCol_SeparatorActive, active ? 1.0f : 0.6f));
    }
    if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) state.panels.layout_reset = true;
    // No tooltip: the resize cursor says it, and a tooltip on every seam crossing would nag.
    probe_item(state, std::string("splitter ") + id);
    ImGui::End();
    ImGui::PopStyleVar(3);
    if (active && (ImGui::GetIO().MouseDelta.x != 0 || ImGui::GetIO().MouseDelta.y != 0)) {
        *position += vertical ? ImGui::GetIO().MouseDelta.x : ImGui::GetIO().MouseDelta.y;
        return true;
    }
    return false;
}

}  // namespace

void set_text_zoom(AppState& state, float zoom) {
    state.settings.view.text_zoom = std::clamp(zoom, 0.5f, 3.0f);
    state.platform.requests.rebuild_fonts = true;
}

void toggle_presentation(AppState& state) {
    state.settings.view.presentation = !state.settings.view.presentation;
    state.platform.requests.rebuild_fonts = true;
}

void set_language(AppState& state, const std::string& code) {
    state.settings.view.language = code;
    state.platform.requests.rebuild_fonts = true;
    refresh(state);  // checks and explanations carry text in the language
}

void save_session_command(AppState& state, bool save_as) {
    if (!save_as && !state.session_path.empty()) {
        save_session_file(state, state.session_path);
        return;
    }
    PathDialog& dialog = state.dialogs.save_session;
    dialog.path = state.session_path.empty() ? "attnlab-session.json" : state.session_path;
    dialog.open_requested = true;
}

void open_export_dialog(AppState& state) {
    PathDialog& dialog = state.dialogs.export_answers;
    if (dialog.path.empty()) dialog.path = "answers.py";  // the notebook's hand-in is a .py file
    dialog.open_requested = true;
}

const Shortcut* shortcuts(int* count) {
    *count = static_cast<int>(sizeof kShortcuts / sizeof kShortcuts[0]);
    return kShortcuts;
}

bool open_session_file(AppState& state, const std::string& path) {
    if (is_tensor_file(path)) return open_tensors_file(state, path);  // recent files hold both kinds
    try {
        Session loaded = load_session(path);
        const Session before = state.session;
        // The file's view (language, presentation, zoom, camera) is the author's; the person at
        // this screen keeps theirs.
        loaded.view = state.session.view;
        const bool other_course = !(loaded.pack == state.session.pack);
        state.session = std::move(loaded);
        state.session_path = path;
        state.session_on_disk = state.session;
        state.hand_in = LoadedHandIn{};  // a session's answers are its own, not a hand-in's
        const bool was_viewing = viewing_student(state);
        end_student_view(state);  // the session opened is the teacher's work now
        commit_edit(state, before);
        if (other_course || was_viewing) state.history.clear();  // undo must not cross into another course
        reopen_session_pack(state);
        remember_recent(state, path);
        toast(state, std::string(tr(state, "Opened ")) + path);
        return true;
    } catch (const InputError& e) {
        toast(state, std::string(tr(state, "Could not open: ")) + e.what(), true);
        return false;
    } catch (const std::exception& e) {  // bad_alloc and the like: the current work stays
        toast(state, std::string(tr(state, "Could not open: ")) + path + ": " + e.what(), true);
        return false;
    }
}

namespace {

bool is_notebook(const Course& c) { return c.id == "notebook" && c.variant_student.empty(); }

HandIn read_answers_for_course(const Course& c, const std::string& path) {
    if (is_notebook(c)) return read_hand_in(path, notebook_dataset());
    // A pack's hand-in as `attnlab check FILE --pack` reads it: JSON answers, or a .py / .ipynb
    // over the course's data with the pack's answer names (a notebook is JSON too: not answers).
    return read_pack_hand_in(path, c).hand_in;
}

}  // namespace

bool open_answers_file(AppState& state, const std::string& path, const std::string& student) {
    try {
        const HandIn hand_in = read_answers_for_course(course(state), path);
        const std::string name = file_name_of(path);
        load_hand_in(state, hand_in, path, student.empty() ? name : student);
        toast(state, format(tr(state, "Opened answers from %s: %d answers, %d cannot be graded"),
                            printable(name).c_str(), static_cast<int>(hand_in.answers.size()),
                            static_cast<int>(hand_in.cannot_grade.size())));
        return true;
    } catch (const InputError& e) {
        toast(state, std::string(tr(state, "Could not open: ")) + e.what(), true);
    } catch (const std::exception& e) {  // bad_alloc and the like: the current answers stay
        toast(state, std::string(tr(state, "Could not open: ")) + printable_path(path) + ": " + e.what(), true);
    }
    return false;
}

bool save_session_file(AppState& state, const std::string& path) {
    try {
        save_session(session_for_saving(state), path);
        state.session_path = path;
        state.session_on_disk = state.session;
        remember_recent(state, path);
        toast(state, std::string(tr(state, "Saved ")) + path);
        return true;
    } catch (const InputError& e) {
        toast(state, std::string(tr(state, "Could not save: ")) + e.what(), true);
        return false;
    }
}

namespace {

// The notebook's answers as before; a pack's as its hand-in ({"pack", "student", "answers"}),
// which `attnlab check ANSWERS --pack FILE` grades.
nlohmann::json export_json(const AppState& state) {
    const Course& c = course(state);
    return c.id == "notebook" && c.variant_student.empty() ? answers_as_json(c, state.session.answers)
                                                           : pack_answers_json(c, state.session.answers);
}

}  // namespace

void export_answers_file(AppState& state, const std::string& path) {
    try {
        const bool python = path.size() >= 3 && path.compare(path.size() - 3, 3, ".py") == 0;
        const AnswerExtras extras = answer_extras(state);
        const std::string text = python ? answers_as_python(course(state), state.session.answers, extras)
                                        : export_json(state).dump(2) + "\n";
        write_file_atomically(path, text);
        // The full path: a relative one names a folder the teacher cannot see (issue 21).
        std::error_code error;
        const std::filesystem::path written = std::filesystem::absolute(path, error);
        toast_written(state, std::string(tr(state, "Exported answers to ")) + (error ? path : written.lexically_normal().string()), path);
    } catch (const InputError& e) {
        toast(state, std::string(tr(state, "Could not export: ")) + e.what(), true);
    }
}

namespace {

void draw_panel(AppState& state, const std::string& id, const PanelRect& rect, HeatmapResources& textures) {
    if (id == kExercisesId) draw_exercise_panel(state, rect);
    else if (id == kVectorsId) draw_vector_panel(state, rect);
    else if (id == kOutputId) draw_output_panel(state, rect);
    else if (id == kHeatmapsId) draw_heatmap_panel(state, rect, textures);
    else if (id == kGeometryId) draw_geometry_panel(state, rect);
}

const char* panel_title(const AppState& state, const std::string& id) {
    if (id == kExercisesId) return tr(state, "Task");
    if (id == kVectorsId) return tr(state, "Vectors");
    if (id == kOutputId) return tr(state, "Output");
    if (id == kHeatmapsId) return tr(state, "Heatmaps");
    return tr(state, "Geometry");
}

// A region holding several panels shows them as tabs: a strip of tabs over the chosen panel.
// The choice is remembered per region; a panel asked for by a screenshot is brought forward.
std::string draw_region_tabs(AppState& state, const Region& region) {
    std::string& chosen = state.panels.tab_of_region[region.key()];
    const auto holds = [&](const std::string& id) { return std::find(region.panels.begin(), region.panels.end(), id) != region.panels.end(); };
    if (holds(state.panels.reveal)) chosen = state.panels.reveal;
    if (!holds(chosen)) chosen = region.panels.front();
    const float strip_h = ImGui::GetFrameHeight() + em(0.5f);
    ImGui::SetNextWindowPos(ImVec2(region.x, region.y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(region.w, strip_h), ImGuiCond_Always);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, em2(0.4f, 0.25f));
    const std::string name = "##tabs_" + region.key();
    ImGui::Begin(name.c_str(), nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     ImGuiWindowFlags_NoScrollWithMouse);
    std::string clicked;
    float tabs_w = 0;  // the tabs must all show: a scrolling tab bar hides panels
    for (const std::string& id : region.panels)
        tabs_w += ImGui::CalcTextSize(panel_title(state, id)).x + 2 * ImGui::GetStyle().FramePadding.x + ImGui::GetStyle().ItemInnerSpacing.x;
    if (tabs_w > region.w - em(0.8f)) state.layout_audit.report(region.panels.front(), kClipped, "tabs " + region.key());
    if (ImGui::BeginTabBar("panels", ImGuiTabBarFlags_FittingPolicyScroll)) {
        for (const std::string& id : region.panels) {
            const std::string label = std::string(panel_title(state, id)) + "###" + id;
            // The remembered choice is selected every frame and only a click changes it (as the
            // Exercises / Sandbox tabs do): the tab bar's own selection lags a frame behind.
            const bool open = ImGui::BeginTabItem(label.c_str(), nullptr, id == chosen ? ImGuiTabItemFlags_SetSelected : 0);
            probe_item(state, "panel tab " + id);
            if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) clicked = id;
            if (open) ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    // Tabs hide the Task panel's title bar, and with it a variant's student ID: shown here instead.
    if (holds(kExercisesId)) draw_variant_tag(state, region.w - em(1.3f) - tabs_w);
    ImGui::End();
    ImGui::PopStyleVar();
    if (!clicked.empty()) chosen = clicked;
    return chosen;
}

void draw_splitters(AppState& state, const LayoutPlan& plan, ImVec2 display, float top) {
    PanelLayout& layout = state.panels.layout;
    const float height = std::max(display.y - top, 1.0f);
    const float grip = std::max(4.0f, em(0.35f));
    const float min_w = std::min(em(8), display.x * 0.15f), min_h = std::min(em(5), height * 0.2f);
    float x = plan.left_border;
    if (splitter(state, "left", ImVec2(x - grip / 2, top), ImVec2(grip, height), true, &x))
        layout.left = std::clamp(x, min_w, display.x - 2 * min_w) / display.x;
    if (!plan.three_columns) return;
    x = plan.middle_border;
    if (splitter(state, "middle", ImVec2(x - grip / 2, top), ImVec2(grip, height), true, &x))
        layout.middle = std::clamp(x - plan.left_border, min_w, display.x - plan.left_border - min_w) / display.x;
    const float middle_w = plan.middle_border - plan.left_border;
    float y = plan.vectors_border;
    if (splitter(state, "vectors", ImVec2(plan.left_border, y - grip / 2), ImVec2(middle_w, grip), false, &y))
        layout.vectors = std::clamp(y - top, min_h, height - min_h) / height;
    y = plan.heatmaps_border;
    if (splitter(state, "heatmaps", ImVec2(plan.middle_border, y - grip / 2), ImVec2(display.x - plan.middle_border, grip), false, &y))
        layout.heatmaps = std::clamp(y - top, min_h, height - min_h) / height;
}

}  // namespace

void draw_ui(AppState& state, HeatmapResources& textures) {
    state.probe.items.clear();  // only what this frame draws (the probe lists the visible widgets)
    state.probe.visible.clear();
    state.layout_audit.clear();
    handle_shortcuts(state);
    draw_menu_bar(state);

    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float top = ImGui::GetFrameHeight();
    const auto heatmaps_wish = [&state](float width) { return heatmap_panel_wanted_height(state, width); };
    const LayoutPlan plan = plan_layout(display.x, display.y, top, ImGui::GetFontSize(), state.panels.layout, heatmaps_wish);
    for (const Region& region : plan.regions) {
        PanelRect rect{ImVec2(region.x, region.y), ImVec2(region.w, region.h)};
        std::string shown = region.panels.front();
        if (region.panels.size() > 1) {
            shown = draw_region_tabs(state, region);
            const float strip_h = ImGui::GetFrameHeight() + em(0.5f);
            rect = PanelRect{ImVec2(region.x, region.y + strip_h), ImVec2(region.w, std::max(region.h - strip_h, 1.0f)), true};
        }
        draw_panel(state, shown, rect, textures);
    }
    state.panels.reveal.clear();
    draw_splitters(state, plan, display, top);
    if (state.panels.layout_reset) {
        state.panels.layout = PanelLayout{};
        state.panels.layout_reset = false;
    }

    poll_grading(state);
    draw_class_window(state);
    draw_dialogs(state);
    draw_toasts(state, plan);
    if (state.panels.reveal_result.count_down()) state.platform.requests.more_frames = true;
}

}  // namespace attn::app
