// The platform layer: window, event loop, fonts, off-screen capture and autosave.
//
// [SECTION] Start-up state      initial_state(): autosave / --session, then the command line
// [SECTION] Fonts and theme     apply_text_size(): rebuild the atlas at the pixel size in use
// [SECTION] Frames              render_frame(), capture(): one code path for screen and PNG
// [SECTION] Event loop          run_gui(): idle waiting, requests, shutdown and autosave
#include "app/gui.h"

#include "app/cli.h"

#include "app/app_state.h"
#include "app/platform/fonts.h"
#include "app/panels/heatmap_cache.h"
#include "app/i18n.h"
#include "app/layout/layout_cases.h"
#include "app/packs.h"
#include "app/panels/panels.h"
#include "app/platform/autosave_slots.h"
#include "app/platform/open_folder.h"
#include "app/platform/paths.h"
#include "app/probe.h"
#include "app/platform/screenshot.h"
#include "app/theme.h"
#include "app/ui.h"
#include "core/base/error.h"
#include "core/course/course_session.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/formats/tensor_file.h"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <stb_image.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>
#include <ctime>
#include <random>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <memory>
#include <vector>

namespace attn::app {

bool display_available() {
    const char* x11 = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    return (x11 && *x11) || (wayland && *wayland);
}

namespace {

void on_glfw_error(int code, const char* description) { print_error("GLFW error " + std::to_string(code) + ": " + (description ? description : "")); }

// Everything the platform keeps between frames, next to (not inside) the app's document.
constexpr double kFrameInterval = 1.0 / 60;  // the fastest the loop draws, as a 60 Hz display would

struct Platform {
    GLFWwindow* window = nullptr;
    AppState state;
    std::unique_ptr<HeatmapResources> textures;
    std::unique_ptr<OffscreenTarget> offscreen;
    ImVector<ImWchar> glyph_ranges;
    float content_scale = 1.0f;
    float font_px = 17.0f;            // the atlas's current pixel size
    bool atlas_cjk = false;
    int active_frames = 3;            // frames still to draw after the last input
    double last_frame_at = -1;        // glfwGetTime() when the last frame began
    std::string ini_path;
    bool fullscreen = false;
    AutosaveSlot slot;                    // this window's own autosave (app/platform/autosave_slots.h)
    Session autosaved;                    // the session as last written to the autosave file
    double autosaved_at = 0;
    std::vector<int> pressed_this_poll;   // keys pressed since the last frame (see hold_quick_taps)
    std::vector<int> release_after_frame; // keys held down artificially for one frame
    int windowed_pos[2] = {0, 0}, windowed_size[2] = {1280, 720};
    std::string title = "attnlab";        // what the window's title bar shows now
};

// ---------------------------------------------------------------------------------------------
// [SECTION] Start-up state

bool file_is_present(const std::string& path) {
    struct stat info {};
    return !path.empty() && ::stat(path.c_str(), &info) == 0;
}

std::string recent_path() {
    const std::string dir = state_dir();
    return dir.empty() ? "" : dir + "/recent.json";
}

void load_recent(AppState& state) {
    const std::string path = recent_path();
    try {
        if (path.empty()) return;
        const auto doc = read_json_file(path, 1 << 16);
        if (doc.is_array())
            for (const auto& item : doc)
                if (item.is_string() && state.settings.recent_files.size() < 8) state.settings.recent_files.push_back(item.get<std::string>());
    } catch (const InputError&) {
        // No recent list yet, or an unreadable one: start with none.
    }
}

void save_recent(const AppState& state) {
    const std::string path = recent_path();
    if (path.empty()) return;
    try {
        write_file_atomically(path, nlohmann::json(state.settings.recent_files).dump(1));
    } catch (const InputError&) {
    }
}

// Each window autosaves into its own slot, whose running marker is locked while it runs (see
// app/platform/autosave_slots.h). A marker left unlocked means that window died, perhaps because
// of what it had open, so its session is put aside instead of being reopened into the same crash.
void tell_crash(AppState& state, const std::string& aside) {
    if (aside.empty()) toast(state, tr(state, "attnlab did not close normally last time."), true);
    else toast(state, tr(state, "attnlab did not close normally last time. The session it had open was kept aside as ") + aside, true);
}

// The autosave, restored at start (document and the viewer's settings), unless the last window
// with this slot died: then it is kept aside under a new name and the app starts clean.
void restore_autosave(AppState& state, const AutosaveSlot& slot) {
    const std::string& path = slot.path;
    if (slot.previous_owner_died) {
        const std::string aside = file_is_present(path) ? set_aside_crashed(state_dir(), path) : "";
        tell_crash(state, aside);
        if (!aside.empty() || !file_is_present(path)) return;
    }
    try {
        const Session restored = load_session(path);
        state.session = restored;
        state.settings.view = restored.view;
    } catch (const InputError& e) {
        // A missing autosave is normal; a broken one is reported and left for inspection.
        if (file_is_present(path)) toast(state, std::string(tr(state, "The last session could not be restored: ")) + e.what(), true);
    }
}

// What the other slots hold: a crash of any window is told, and a session another window closed
// cleanly is named and offered in File ▸ Open recent (a second window started now restores it).
void tell_about_other_windows(AppState& state, const AutosaveSlot& slot) {
    if (slot.number >= 2)
        toast(state, tr(state, "Another attnlab window is open: this one keeps its own autosave, ") + slot.path, false);
    for (const LeftSession& left : collect_left_sessions(state_dir(), slot.number)) {
        if (left.crashed) {
            tell_crash(state, left.path);
            continue;
        }
        toast(state, tr(state, "Another window's session was kept (a second window reopens it, or open it from Open recent): ") + left.path, false);
        auto& recent = state.settings.recent_files;
        if (std::find(recent.begin(), recent.end(), left.path) != recent.end()) continue;
        recent.insert(recent.begin(), left.path);
        if (recent.size() > 8) recent.resize(8);
    }
}

// A window's own autosave: the state folder's stale temp files (a save killed half-way) removed,
// a slot claimed and restored, the other windows' sessions told.
void start_autosave(Platform& p) {
    const std::string dir = state_dir();
    if (dir.empty()) return;
    remove_stale_temp_files(dir, is_state_file_name);
    p.slot = claim_autosave_slot(dir);
    if (p.slot.number == 0) {
        toast(p.state, tr(p.state, "Too many attnlab windows are open: this one does not autosave."), true);
        return;
    }
    restore_autosave(p.state, p.slot);
    tell_about_other_windows(p.state, p.slot);
}

// "expected 1.2.1, 1.2.2, …" for a message about an unknown task.
std::string task_id_list(const Course& c) {
    std::string list;
    for (const Task& task : c.tasks) list += (list.empty() ? "expected " : ", ") + task.id;
    return list;
}

// The session's pack (or the notebook), then --pack when given. Returns "" or, headless, the
// error for the command line (with a window it is a toast and the session's course stays).
std::string open_initial_pack(AppState& state, const GuiOptions& options, bool headless) {
    reopen_session_pack(state);
    if (options.pack.empty()) {
        if (!options.student.empty()) return "--student needs --pack";
        return "";
    }
    if (open_pack(state, options.pack, options.student)) {
        state.toasts.clear();  // "Opened …" is noise on a start-up screenshot
        return "";
    }
    return headless && !state.toasts.empty() ? state.toasts.back().text : "";
}

// Returns "" or the error for the command line.
std::string initial_state(Platform& p, const GuiOptions& options) {
    AppState& state = p.state;
    state.session = default_session();
    state.settings.screenshot_dir = default_screenshot_dir();
    if (const char* probe = std::getenv("ATTNLAB_PROBE")) state.probe.path = probe;
    // Test hook (tests/gui/layout_matrix.py): never scroll to what an action produced, so the
    // layout audit's control shows it reports a result left out of view.
    if (std::getenv("ATTNLAB_NO_REVEAL")) state.panels.reveal_result.disabled = true;
    load_recent(state);
    const bool headless = !options.screenshot_path.empty() || !options.layout_report.empty() || options.bench_frames > 0;
    load_recent_packs(state);
    if (!headless && !options.no_autosave) start_autosave(p);
    if (!options.session_file.empty() && is_tensor_file(options.session_file)) {
        // `attnlab FILE.safetensors`: the capture opens in the Real attention tab.
        if (!open_tensors_file(state, options.session_file) && headless)
            return state.toasts.empty() ? options.session_file : state.toasts.back().text;
        // --head was checked against the file by main(); select_captured_head clamps anyway.
        if (options.captured_layer >= 0) select_captured_head(state, options.captured_layer, options.captured_head);
    } else if (!options.session_file.empty()) {
        try {
            Session opened = load_session(options.session_file);
            // A headless render shows the file as its author saw it; on screen the viewer's own
            // settings (restored above) stay.
            if (headless) state.settings.view = opened.view;
            state.session = std::move(opened);
            state.session_path = options.session_file;
            state.session_on_disk = state.session;
        } catch (const InputError& e) {
            if (headless) return e.what();
            toast(state, std::string(tr(state, "Could not open: ")) + e.what(), true);
        }
    }
    if (!options.answers_file.empty()) {
        try {
            const HandIn hand_in = read_hand_in(options.answers_file, notebook_dataset());
            load_hand_in(state, hand_in, options.answers_file, "");
        } catch (const InputError& e) {
            if (headless) return e.what();
            toast(state, std::string(tr(state, "Could not open: ")) + e.what(), true);
        }
    }
    // The language first: the Class window grades in it (its reasons are in the window's language).
    if (!options.language.empty()) state.settings.view.language = options.language;
    // The pack before --grade: the Class window grades against the open pack's variants.
    if (const std::string problem = open_initial_pack(state, options, headless); !problem.empty()) return problem;
    if (!options.grade_folder.empty()) {
        if (!headless) {
            start_grading(state, options.grade_folder);
        } else {
            try {
                grade_folder_now(state, options.grade_folder);
            } catch (const InputError& e) {
                return e.what();
            }
        }
    }
    if (options.presentation) state.settings.view.presentation = true;
    if (options.zoom_given) state.settings.view.text_zoom = std::clamp(std::pow(kZoomStep, static_cast<float>(options.zoom_steps)), 0.5f, 3.0f);
    refresh(state);
    if (!options.exercise.empty()) {
        if (!course(state).find(options.exercise)) return "unknown exercise '" + options.exercise + "' (" + task_id_list(course(state)) + ")";
        select_task(state, options.exercise);
    }
    if (options.solve) {
        if (options.exercise.empty()) solve_all_tasks(state);
        else {
            // 1.4 tasks build on 1.3.2: solve what they depend on first, as a student would.
            const Task* task = course(state).find(options.exercise);
            const Task* source = task && task->edit.tensor == TaskEdit::Tensor::KeyRow ? course(state).find(task->edit.query_from) : nullptr;
            if (source && !state.session.answers.count(source->answer)) {
                select_task(state, task->edit.query_from);
                solve_selected(state);
                select_task(state, options.exercise);
            }
            solve_selected(state);
        }
    }
    state.history.clear();
    return "";
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Fonts and theme

float wanted_font_px(const Platform& p) {
    const ViewSession& view = p.state.settings.view;
    const float presentation = view.presentation ? 1.5f : 1.0f;
    return std::round(p.state.settings.base_font_px * p.content_scale * view.text_zoom * presentation);
}

// Rebuilds the atlas at `px` (and the renderer's texture) and the style scaled to match.
void apply_text_size(Platform& p, float px, float export_scale) {
    ImGuiIO& io = ImGui::GetIO();
    const bool want_cjk = language_info(p.state.settings.view.language).script == "cjk";
    const FontResult fonts = build_fonts(io, px * export_scale, want_cjk, p.glyph_ranges);
    io.FontGlobalScale = fonts.scale;  // > 1 only for text too large for the atlas budget
    p.state.platform.font_warning = fonts.warning;
    if (want_cjk && !fonts.cjk) {
        p.state.settings.view.language = "en";  // English rather than rows of '?'
        refresh(p.state);
    }
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
    apply_theme(p.state.settings.view.presentation, px * export_scale / p.state.settings.base_font_px);
    p.font_px = px;
    p.atlas_cjk = want_cjk;
}

void sync_fonts(Platform& p) {
    const float px = wanted_font_px(p);
    const bool want_cjk = language_info(p.state.settings.view.language).script == "cjk";
    if (p.state.platform.requests.rebuild_fonts || px != p.font_px || want_cjk != p.atlas_cjk) apply_text_size(p, px, 1.0f);
    p.state.platform.requests.rebuild_fonts = false;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Frames

// Builds one ImGui frame. `display` overrides the window's size (off-screen capture); the mouse
// is hidden from capture frames so no hover highlight or tooltip lands in a screenshot.
void build_frame(Platform& p, const ImVec2* display) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    if (display) {
        io.DisplaySize = *display;
        io.DisplayFramebufferScale = ImVec2(1, 1);
        io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
        for (bool& down : io.MouseDown) down = false;
    }
    p.state.platform.now = glfwGetTime();
    ImGui::NewFrame();
    draw_ui(p.state, *p.textures);
    ImGui::Render();
}

void clear_background(const Platform& p) {
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
}

// Tables, tab bars and wrapped text settle over a few frames; after Hint or Solve, drawing goes on
// until the scroll to what it produced has landed (reveal.h), as it does in the window. A pending
// request starts over, since the size drawn at may differ, so the last frame drawn is the one the
// audit checks it on.
void settle_frames(Platform& p, const ImVec2& display) {
    RevealRequest& reveal = p.state.panels.reveal_result;
    if (!reveal.item.empty()) reveal.ask(reveal.item);
    for (int frame = 0; frame < 3 || (reveal.frames > 0 && frame < 3 + kRevealFrames); ++frame)
        build_frame(p, &display);
}

// Renders the UI off-screen at the window's logical size × scale, with fonts and style built
// for that size, and returns the pixels (cropped to one panel when `panel` is named).
// Throws InputError when the size is not possible.
Image capture(Platform& p, int scale, const std::string& panel) {
    int width = 0, height = 0;
    glfwGetWindowSize(p.window, &width, &height);
    // The same pixel limit as --size: a ×3 export of a 4K window would need gigabytes.
    const long long pixels = static_cast<long long>(width) * height * scale * scale;
    if (pixels > kMaxImagePixels)
        throw InputError(format("a %d×%d window at ×%d is %lld pixels, over the limit of %lld: use a smaller scale", width, height,
                                scale, pixels, kMaxImagePixels));
    const ImVec2 display(static_cast<float>(width * scale), static_cast<float>(height * scale));
    const float px = p.font_px;
    if (!panel.empty()) p.state.panels.reveal = panel;  // a tabbed panel comes forward for its shot
    if (scale != 1) apply_text_size(p, px, static_cast<float>(scale));
    // A picture for slides has no toasts: they speak to the person at the window, and one covered
    // the Class window's table in the README's screenshot.
    std::vector<Toast> toasts;
    toasts.swap(p.state.toasts);
    settle_frames(p, display);
    const std::string problem = p.offscreen->bind(width * scale, height * scale);
    Image image;
    if (problem.empty()) {
        clear_background(p);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        image = p.offscreen->read_rgba();
        p.offscreen->unbind();
    }
    toasts.insert(toasts.end(), p.state.toasts.begin(), p.state.toasts.end());
    p.state.toasts.swap(toasts);
    PanelRect rect;
    const bool crop = !panel.empty() && panel_rect(panel.c_str(), &rect);
    if (scale != 1) apply_text_size(p, px, 1.0f);
    if (!problem.empty()) throw InputError(problem);
    if (!panel.empty() && !crop) throw InputError("no panel named '" + panel + "' (exercises, vectors, heatmaps, output, geometry)");
    if (crop)
        image = image.crop(static_cast<int>(rect.pos.x), static_cast<int>(rect.pos.y), static_cast<int>(rect.size.x),
                           static_cast<int>(rect.size.y));
    return image;
}

void save_screenshot(Platform& p, int scale, const std::string& panel) {
    AppState& state = p.state;
    const std::string dir = state.settings.screenshot_dir.empty() ? "." : state.settings.screenshot_dir;
    const std::string name = "attnlab_" + timestamp_for_filename() + (panel.empty() ? "" : "_" + panel) +
                             (scale > 1 ? "_x" + std::to_string(scale) : "") + ".png";
    const std::string path = dir + "/" + name;
    try {
        if (!make_directories(dir)) throw InputError(dir + ": cannot create the screenshot folder");
        const Image image = capture(p, scale, panel);
        write_png(path, image);
        toast_written(state, std::string(tr(state, "Screenshot saved: ")) + path, path);
    } catch (const InputError& e) {
        toast(state, std::string(tr(state, "Screenshot failed: ")) + e.what(), true);
    }
}

// Renders every case of the layout matrix (layout_cases.h) off-screen and writes what the layout
// audit recorded for each to `path` as JSON. Returns the number of cases with problems.
int write_layout_report(Platform& p, const std::string& path) {
    nlohmann::json cases = nlohmann::json::array();
    int with_problems = 0;
    for (const LayoutCase& c : layout_matrix()) {
        apply_layout_case(p.state, c);
        sync_fonts(p);
        const ImVec2 display(static_cast<float>(c.width), static_cast<float>(c.height));
        settle_frames(p, display);
        nlohmann::json problems = nlohmann::json::array();
        for (const LayoutProblem& lp : p.state.layout_audit.problems)
            problems.push_back({{"panel", lp.panel}, {"kind", lp.kind}, {"what", lp.what}});
        if (!problems.empty()) ++with_problems;
        cases.push_back({{"case", c.name()}, {"font_px", p.font_px}, {"problems", problems},
                         {"dropped", p.state.layout_audit.dropped}});
    }
    write_file_atomically(path, nlohmann::json{{"cases", cases}}.dump(1) + "\n");
    std::printf("%s: %zu cases, %d with layout problems\n", path.c_str(), cases.size(), with_problems);
    return with_problems;
}

void toggle_fullscreen(Platform& p) {
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    if (!p.fullscreen && monitor) {
        glfwGetWindowPos(p.window, &p.windowed_pos[0], &p.windowed_pos[1]);
        glfwGetWindowSize(p.window, &p.windowed_size[0], &p.windowed_size[1]);
        const GLFWvidmode* mode = glfwGetVideoMode(monitor);
        glfwSetWindowMonitor(p.window, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
        p.fullscreen = true;
    } else if (p.fullscreen) {
        glfwSetWindowMonitor(p.window, nullptr, p.windowed_pos[0], p.windowed_pos[1], p.windowed_size[0], p.windowed_size[1], 0);
        p.fullscreen = false;
    }
}

// Input callbacks: they only ask the loop for frames; ImGui's backend (installed after, chaining
// to these) does the real work. Mouse motion and the wheel need one frame (the hover state);
// buttons, keys and window changes three (a popup sizes itself on its first frame, a released
// key settles on the next). Every event of a batch asks again, so a batch costs that many
// frames, not that many per event.
void request_frames(GLFWwindow* window, int frames) {
    if (auto* p = static_cast<Platform*>(glfwGetWindowUserPointer(window))) p->active_frames = std::max(p->active_frames, frames);
}
void on_input(GLFWwindow* window) { request_frames(window, 3); }
void on_key(GLFWwindow* w, int key, int, int action, int mods) {
    on_input(w);
    if (action != GLFW_PRESS && action != GLFW_REPEAT) return;
    if (auto* p = static_cast<Platform*>(glfwGetWindowUserPointer(w))) {
        p->state.platform.key_presses.push_back({key, (mods & GLFW_MOD_CONTROL) != 0, (mods & GLFW_MOD_SHIFT) != 0, (mods & GLFW_MOD_ALT) != 0});
        if (key >= 0 && key < 512) p->pressed_this_poll.push_back(key);
    }
}

void update_modifiers(ImGuiIO& io) {
    io.KeyCtrl = io.KeysDown[GLFW_KEY_LEFT_CONTROL] || io.KeysDown[GLFW_KEY_RIGHT_CONTROL];
    io.KeyShift = io.KeysDown[GLFW_KEY_LEFT_SHIFT] || io.KeysDown[GLFW_KEY_RIGHT_SHIFT];
    io.KeyAlt = io.KeysDown[GLFW_KEY_LEFT_ALT] || io.KeysDown[GLFW_KEY_RIGHT_ALT];
    io.KeySuper = io.KeysDown[GLFW_KEY_LEFT_SUPER] || io.KeysDown[GLFW_KEY_RIGHT_SUPER];
}

// Dear ImGui 1.86 reads keys as "down at frame start": a key pressed and released within one
// event poll (a quick tap on a busy machine, xdotool, a remote desktop) would never be seen,
// e.g. Enter confirming a typed value. Such keys are held down for one frame, then released.
void hold_quick_taps(Platform& p) {
    ImGuiIO& io = ImGui::GetIO();
    for (int key : p.pressed_this_poll)
        if (!io.KeysDown[key]) {
            io.KeysDown[key] = true;
            p.release_after_frame.push_back(key);
        }
    p.pressed_this_poll.clear();
    update_modifiers(io);
}

void release_held_keys(Platform& p) {
    if (p.release_after_frame.empty()) return;
    ImGuiIO& io = ImGui::GetIO();
    for (int key : p.release_after_frame) io.KeysDown[key] = false;
    p.release_after_frame.clear();
    update_modifiers(io);
    p.active_frames = std::max(p.active_frames, 1);  // a frame to see the release
}
void on_char(GLFWwindow* w, unsigned int) { on_input(w); }
void on_mouse_button(GLFWwindow* w, int, int, int) { on_input(w); }
void on_cursor(GLFWwindow* w, double, double) { request_frames(w, 1); }
void on_scroll(GLFWwindow* w, double, double) { request_frames(w, 1); }
void on_window_change(GLFWwindow* w, int, int) { on_input(w); }
void on_focus(GLFWwindow* w, int) { on_input(w); }
void on_refresh(GLFWwindow* w) { on_input(w); }

// The icon from the assets folder; a missing file just means no icon.
void set_window_icon(GLFWwindow* window) {
    const std::string assets = assets_dir();
    if (assets.empty()) return;
    int width = 0, height = 0, channels = 0;
    unsigned char* pixels = stbi_load((assets + "/icons/attnlab.png").c_str(), &width, &height, &channels, 4);
    if (!pixels) return;
    GLFWimage icon{width, height, pixels};
    glfwSetWindowIcon(window, 1, &icon);
    stbi_image_free(pixels);
}

void autosave(Platform& p, const GuiOptions& options) {
    if (!options.screenshot_path.empty() || options.no_autosave || p.slot.number == 0) return;
    try {
        save_session(session_for_autosave(p.state), p.slot.path);
    } catch (const InputError& e) {
        print_error(std::string("could not autosave the session: ") + e.what());
    }
    p.autosaved = session_for_autosave(p.state);  // also after a failure: retried at the next change, not every second
    p.autosaved_at = glfwGetTime();
    save_recent(p.state);
}

// Also autosave a second after each finished edit, so a crash or a killed process loses at most
// that second: exit is not the only time work is kept.
void autosave_if_changed(Platform& p, const GuiOptions& options) {
    if (p.state.edit_running || glfwGetTime() - p.autosaved_at < 1.0) return;
    // Compared in place: copying a 1024-token document every pass cost more than the frame.
    if (same_document(own_document(p.state), p.autosaved) && p.state.settings.view == p.autosaved.view) return;
    autosave(p, options);
}


// ---------------------------------------------------------------------------------------------
// [SECTION] Frame benchmark (--bench-frames N)

double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double wall_ms() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Seeded sandbox data: N keys and values, N queries (the heatmaps are N×N).
void use_random_sandbox(AppState& state, int count, int d, int dv) {
    std::mt19937 rng(12);
    std::normal_distribution<double> normal;
    const auto random = [&](int rows, int cols) {
        Eigen::MatrixXd m(rows, cols);
        for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = normal(rng);
        return m;
    };
    SandboxSession& sandbox = state.session.sandbox;
    sandbox.source = DataSource::Typed;
    sandbox.key_count = count;
    sandbox.key_dim = d;
    sandbox.value_dim = dv;
    sandbox.data.keys = random(count, d);
    sandbox.data.values = random(count, dv);
    sandbox.queries = random(count, d);
    sandbox.scale_mode = ScaleMode::InvSqrtD;
    state.session.mode = AppMode::Sandbox;
}

// --open: a session file, or a captured-attention file whose first head goes into the sandbox
// (until the window opens captures itself: then this should go through that path).
void open_for_bench(AppState& state, const std::string& path) {
    const bool capture = path.size() > 5 && (path.rfind(".npz") == path.size() - 4 || path.rfind(".safetensors") != std::string::npos);
    if (!capture) {
        state.session = load_session(path);
        return;
    }
    const AttentionCapture c = load_attention_file(path);
    SandboxSession& sandbox = state.session.sandbox;
    sandbox.source = DataSource::Typed;
    sandbox.key_count = c.tokens;
    sandbox.key_dim = c.d;
    // The output panel draws a table column per value component (Dear ImGui: at most 64 columns).
    sandbox.value_dim = std::min(c.dv, kMaxValueDim);
    sandbox.data.keys = c.key(0, 0).cast<double>();
    sandbox.data.values = c.value(0, 0).leftCols(sandbox.value_dim).cast<double>();
    sandbox.queries = c.query(0, 0).cast<double>();
    sandbox.causal = c.causal;
    sandbox.scale_mode = ScaleMode::InvSqrtD;
    state.session.mode = AppMode::Sandbox;
}

struct FrameFigures {
    std::vector<double> core_ms, ui_ms, cpu_ms, gl_ms, total_ms;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))];
}

// One frame of a slider drag: a query component moves (set_query, as the Vectors slider does),
// the UI is built, and the draw data is rendered off-screen and finished.
void bench_one_frame(Platform& p, const ImVec2& display, int frame, FrameFigures& f, bool edit = true) {
    const double wall0 = wall_ms(), cpu0 = thread_cpu_ms();
    Eigen::MatrixXd queries = p.state.workspace.queries;
    if (edit && queries.size() > 0 && p.state.workspace.queries_editable) {
        const Eigen::Index row = queries.rows() / 2, col = frame % queries.cols();
        queries(row, col) = std::sin(0.05 * frame) * 2.0;  // a smooth sweep, as a hand would drag
        set_query(p.state, queries);
    }
    const double cpu1 = thread_cpu_ms();
    build_frame(p, &display);
    const double cpu2 = thread_cpu_ms(), wall2 = wall_ms();
    const std::string problem = p.offscreen->bind(static_cast<int>(display.x), static_cast<int>(display.y));
    if (!problem.empty()) throw InputError(problem);
    clear_background(p);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glFinish();
    p.offscreen->unbind();
    const double wall3 = wall_ms();
    f.core_ms.push_back(cpu1 - cpu0);
    f.ui_ms.push_back(cpu2 - cpu1);
    f.cpu_ms.push_back(cpu2 - cpu0);
    f.gl_ms.push_back(wall3 - wall2);
    f.total_ms.push_back(wall3 - wall0);
}

void print_frame_figures(const std::string& view, const ImVec2& display, int frames, const FrameFigures& f, long long refreshes,
                         const FrameFigures& idle, long long idle_refreshes) {
    struct Column {
        const char* name;
        const std::vector<double>* values;
    };
    const Column columns[] = {{"core (edit + refresh), CPU", &f.core_ms}, {"UI build, CPU", &f.ui_ms},
                              {"app CPU (core + UI)", &f.cpu_ms},          {"GL submit + glFinish, wall", &f.gl_ms},
                              {"total, wall", &f.total_ms}};
    std::printf("frame benchmark: %s, %dx%d, %d frames (one query component changes per frame)\n", view.c_str(),
                static_cast<int>(display.x), static_cast<int>(display.y), frames);
    std::printf("  %-28s %10s %10s\n", "per frame", "median ms", "p95 ms");
    nlohmann::json json = {{"view", view}, {"width", display.x}, {"height", display.y}, {"frames", frames}, {"refreshes", refreshes}};
    for (const Column& c : columns) {
        const double median = percentile(*c.values, 0.5), p95 = percentile(*c.values, 0.95);
        std::printf("  %-28s %10.3f %10.3f\n", c.name, median, p95);
        json[c.name] = {{"median_ms", median}, {"p95_ms", p95}};
    }
    const double idle_cpu = percentile(idle.cpu_ms, 0.5);
    std::printf("  then %zu frames with no edit: app CPU median %.3f ms, refreshes %lld (nothing recomputed)\n", idle.cpu_ms.size(),
                idle_cpu, idle_refreshes);
    json["idle"] = {{"frames", idle.cpu_ms.size()}, {"app_cpu_median_ms", idle_cpu}, {"refreshes", idle_refreshes}};
    std::printf("%s\n", json.dump().c_str());
}

int run_frame_bench(Platform& p, const GuiOptions& options) {
    AppState& state = p.state;
    std::string view = options.exercise.empty() ? "exercise " + state.session.selected_task : "exercise " + options.exercise;
    if (options.bench_sandbox_keys > 0) {
        use_random_sandbox(state, options.bench_sandbox_keys, options.bench_sandbox_dim, options.bench_sandbox_value_dim);
        view = "sandbox N=" + std::to_string(options.bench_sandbox_keys) + " d=" + std::to_string(options.bench_sandbox_dim) +
               " dv=" + std::to_string(options.bench_sandbox_value_dim);
    } else if (!options.bench_open.empty()) {
        open_for_bench(state, options.bench_open);
        view = options.bench_open;
    }
    refresh(state);
    if (!state.workspace.error.empty()) throw InputError(state.workspace.error);
    const ImVec2 display(static_cast<float>(options.width), static_cast<float>(options.height));
    FrameFigures warmup, figures;
    for (int frame = 0; frame < 3; ++frame) bench_one_frame(p, display, frame, warmup);  // first-frame layout, textures
    begin_edit(state);
    const long long refreshes_before = state.refresh_count;
    for (int frame = 0; frame < options.bench_frames; ++frame) bench_one_frame(p, display, frame, figures);
    end_edit(state);
    const long long refreshes = state.refresh_count - refreshes_before;
    FrameFigures idle;
    const long long idle_before = state.refresh_count;
    for (int frame = 0; frame < 20; ++frame) bench_one_frame(p, display, frame, idle, false);
    print_frame_figures(view, display, options.bench_frames, figures, refreshes, idle, state.refresh_count - idle_before);
    return 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] Event loop

namespace {

// The checks that need no window: a display to open one on, and a size within the limits.
// Returns 0 when the window may be opened, else the exit code after printing why not.
int check_display_and_size(const GuiOptions& options) {
    if (!display_available()) {
        std::fprintf(stderr,
                     "attnlab: no display (DISPLAY is not set). Run it on a desktop, or under a virtual display: "
                     "xvfb-run -a attnlab%s\n",
                     options.screenshot_path.empty() ? "" : " --screenshot …");
        return 2;
    }
    rlimit space{};
    if (::getrlimit(RLIMIT_AS, &space) == 0 && space.rlim_cur != RLIM_INFINITY &&
        space.rlim_cur < static_cast<rlim_t>(kMinDrawingAddressSpace)) {
        print_error("input too large: drawing needs " + std::to_string(kMinDrawingAddressSpace >> 20) +
                    " MiB of address space, and the limit (ulimit -v) is " + std::to_string(space.rlim_cur >> 20) + " MiB");
        return 2;
    }
    if (options.width < kMinImageWidth || options.height < kMinImageHeight || options.width > kMaxImageSide ||
        options.height > kMaxImageSide) {
        std::fprintf(stderr, "attnlab: --size %dx%d is outside %dx%d … %dx%d\n", options.width, options.height, kMinImageWidth,
                     kMinImageHeight, kMaxImageSide, kMaxImageSide);
        return 2;
    }
    return 0;
}

void install_callbacks(GLFWwindow* window) {
    glfwSetKeyCallback(window, on_key);
    glfwSetCharCallback(window, on_char);
    glfwSetMouseButtonCallback(window, on_mouse_button);
    glfwSetCursorPosCallback(window, on_cursor);
    glfwSetScrollCallback(window, on_scroll);
    glfwSetFramebufferSizeCallback(window, on_window_change);
    glfwSetWindowFocusCallback(window, on_focus);
    glfwSetWindowRefreshCallback(window, on_refresh);
}

// GLFW, an OpenGL 3.3 core window (hidden when headless) and its loader. Returns false after
// printing why, with GLFW shut down again.
bool open_window(Platform& p, const GuiOptions& options, bool headless) {
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        std::fprintf(stderr, "attnlab: cannot initialise GLFW (is the display reachable?)\n");
        return false;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    if (headless) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    p.window = glfwCreateWindow(options.width, options.height, "attnlab", nullptr, nullptr);
    if (!p.window) {
        std::fprintf(stderr, "attnlab: cannot open a window with OpenGL 3.3\n");
        glfwTerminate();
        return false;
    }
    glfwMakeContextCurrent(p.window);
    if (!gladLoadGL(glfwGetProcAddress)) {
        std::fprintf(stderr, "attnlab: cannot load OpenGL functions\n");
        glfwDestroyWindow(p.window);
        glfwTerminate();
        return false;
    }
    glfwSwapInterval(1);
    set_window_icon(p.window);
    glfwSetWindowUserPointer(p.window, &p);
    install_callbacks(p.window);
    return true;
}

// ImGui's allocations, checked: ImGui uses what it allocates without looking (the font atlas's
// pixels, for one), so a failed allocation becomes std::bad_alloc, which main() reports as
// "input too large" (exit 2), instead of a segmentation fault.
void* checked_alloc(size_t size, void*) {
    if (void* memory = std::malloc(size)) return memory;
    throw std::bad_alloc();
}
void checked_free(void* memory, void*) { std::free(memory); }

// ImGui on the window, the GL resources the frames need, and the content scale.
void start_imgui(Platform& p, bool headless) {
    IMGUI_CHECKVERSION();
    ImGui::SetAllocatorFunctions(checked_alloc, checked_free, nullptr);
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    const std::string config = config_dir();
    p.ini_path = config.empty() || headless ? "" : config + "/imgui.ini";
    io.IniFilename = p.ini_path.empty() ? nullptr : p.ini_path.c_str();
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ImGui_ImplGlfw_InitForOpenGL(p.window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    p.textures = std::make_unique<HeatmapResources>();
    p.offscreen = std::make_unique<OffscreenTarget>();

    // HiDPI: GLFW's content scale, or ATTNLAB_SCALE where X11 reports 1.0 on a HiDPI screen.
    float scale_x = 1, scale_y = 1;
    glfwGetWindowContentScale(p.window, &scale_x, &scale_y);
    p.content_scale = std::max(1.0f, scale_x);
    if (const char* forced = std::getenv("ATTNLAB_SCALE")) {
        const float value = std::strtof(forced, nullptr);
        if (value >= 0.5f && value <= 4.0f) p.content_scale = value;
    }
}

void stop_imgui_and_window(Platform& p) {
    p.textures.reset();
    p.offscreen.reset();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(p.window);
    glfwTerminate();
}

// --screenshot: a couple of normal frames first, so first-frame layout (auto-sized windows,
// tables) is settled exactly as on screen, then the capture at the asked scale.
void write_screenshot_and_probe(Platform& p, const GuiOptions& options) {
    const int scale = static_cast<int>(std::lround(options.scale));
    if (scale < 1 || scale > 4 || std::fabs(options.scale - static_cast<float>(scale)) > 1e-6f)
        throw InputError("--scale must be 1, 2, 3 or 4");
    for (int frame = 0; frame < 2; ++frame) build_frame(p, nullptr);
    const Image image = capture(p, scale, options.panel);
    write_png(options.screenshot_path, image);
    write_probe(p.state);  // rectangles at the captured scale, for the screenshot tests
    std::printf("%s (%d×%d)\n", options.screenshot_path.c_str(), image.width, image.height);
}

// Runs `work`, turning an InputError (bad input: an unwritable or odd target, an unknown panel)
// into its message on stderr and `error_code`.
template <typename Work>
int exit_code_of(Work&& work, int error_code) {
    try {
        return work();
    } catch (const InputError& e) {
        print_error(e.what());
        return error_code;
    }
}

// Waits for what the next pass of the loop needs: nothing while busy (a drag, frames owed), a
// short timeout while something shows progress or expires, else the next event. Returns whether
// a frame is to be drawn (false: the pass only autosaves, or the window is minimised).
bool wait_for_work(Platform& p, const GuiOptions& options) {
    const bool busy = p.active_frames > 0 || ImGui::IsAnyItemActive() || ImGui::IsAnyMouseDown();
    const bool solving_now = solving(p.state);  // a worker thread solves: show its progress
    const bool unsaved = !options.no_autosave && session_for_autosave(p.state) != p.autosaved;
    const bool grading = p.state.class_view.grading.valid();
    // Busy: at most one frame per display refresh. Software GL under Xvfb has no vsync to wait
    // on, and drew as fast as it could. Events that arrive meanwhile are taken in, so the next
    // frame shows all of them.
    const double since_frame = glfwGetTime() - p.last_frame_at;
    if (busy && since_frame < kFrameInterval) glfwWaitEventsTimeout(kFrameInterval - since_frame);
    if (busy) glfwPollEvents();
    else if (grading || solving_now) glfwWaitEventsTimeout(0.1);  // progress (Class window, solve bar)
    else if (!p.state.toasts.empty() || unsaved) glfwWaitEventsTimeout(0.25);  // toasts expire, autosave runs
    else glfwWaitEvents();
    if (glfwGetWindowAttrib(p.window, GLFW_ICONIFIED)) return false;
    if (solving_now) {
        poll_solve(p.state);  // a finished solve becomes one undo step
        if (!solving(p.state)) p.active_frames = std::max(p.active_frames, 3);
    }
    if (!busy && !grading && !solving_now && p.active_frames == 0 && p.state.toasts.empty()) {
        autosave_if_changed(p, options);
        return false;
    }
    if (p.active_frames > 0) --p.active_frames;
    return true;
}

// One frame on screen: build it, keep the title current, draw and swap, publish the probe.
void draw_and_present(Platform& p) {
    sync_fonts(p);
    hold_quick_taps(p);
    p.last_frame_at = glfwGetTime();
    build_frame(p, nullptr);
    release_held_keys(p);
    if (const std::string title = window_title(p.state); title != p.title) {
        glfwSetWindowTitle(p.window, title.c_str());
        p.title = title;
    }
    int fb_width = 0, fb_height = 0;
    glfwGetFramebufferSize(p.window, &fb_width, &fb_height);
    glViewport(0, 0, fb_width, fb_height);
    clear_background(p);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glfwSwapBuffers(p.window);
    write_probe(p.state);
}

// What the frame asked of the platform: a screenshot, full screen, new fonts.
void serve_requests(Platform& p) {
    Requests& requests = p.state.platform.requests;
    if (requests.screenshot_window || !requests.screenshot_panel.empty()) {
        const int scale = std::max(1, requests.screenshot_scale);
        const std::string panel = requests.screenshot_panel;
        requests.screenshot_window = false;
        requests.screenshot_panel.clear();
        requests.screenshot_scale = 1;
        save_screenshot(p, scale, panel);
        p.active_frames = 3;
    }
    if (requests.toggle_fullscreen) {
        requests.toggle_fullscreen = false;
        toggle_fullscreen(p);
    }
    if (!requests.open_folder.empty()) {
        if (const std::string problem = open_folder(requests.open_folder); !problem.empty())
            toast(p.state, std::string(tr(p.state, "Could not open the folder: ")) + problem, true);
        requests.open_folder.clear();
    }
    if (p.state.platform.requests.rebuild_fonts) p.active_frames = 3;
    if (requests.more_frames) p.active_frames = std::max(p.active_frames, 1);
    requests.more_frames = false;
}

// The interactive window until it is closed or Quit is chosen; then the last autosave.
int run_event_loop(Platform& p, const GuiOptions& options) {
    p.autosaved = session_for_autosave(p.state);
    glfwShowWindow(p.window);
    while (!glfwWindowShouldClose(p.window) && !p.state.platform.requests.quit) {
        if (!wait_for_work(p, options)) continue;
        draw_and_present(p);
        autosave_if_changed(p, options);
        serve_requests(p);
    }
    cancel_solve(p.state);  // the worker stops within one row; the job's destructor joins it
    p.state.solving.job.reset();
    autosave(p, options);
    // A second window's slot holding nothing but a fresh session is not kept to be offered later.
    if (p.slot.number >= 2 && same_document(p.state.session, default_session())) std::remove(p.slot.path.c_str());
    release_autosave_slot(p.slot);
    return 0;
}

// After start-up: the one thing this run is for (a benchmark, a layout report, a screenshot, or
// the interactive window).
int run_session(Platform& p, const GuiOptions& options, bool headless) {
    apply_text_size(p, wanted_font_px(p), 1.0f);
    if (options.bench_frames > 0) return exit_code_of([&] { return run_frame_bench(p, options); }, 2);
    if (!options.layout_report.empty())
        return exit_code_of([&] {
            write_layout_report(p, options.layout_report);  // what did not fit is in the report, not the exit code
            return 0;
        }, 2);
    if (headless) return exit_code_of([&] {
        write_screenshot_and_probe(p, options);
        return 0;
    }, 2);
    return run_event_loop(p, options);
}

}  // namespace

int run_gui(const GuiOptions& options) {
    if (const int refused = check_display_and_size(options)) return refused;
    const bool headless = !options.screenshot_path.empty() || !options.layout_report.empty() || options.bench_frames > 0;
    auto platform = std::make_unique<Platform>();
    Platform& p = *platform;
    if (!open_window(p, options, headless)) return 2;
    start_imgui(p, headless);
    int exit_code = 0;
    if (const std::string problem = initial_state(p, options); !problem.empty()) {
        print_error(problem);
        exit_code = 2;
    } else {
        exit_code = run_session(p, options, headless);
    }
    release_autosave_slot(p.slot);  // a start refused (--exercise nope) is no crash either
    stop_imgui_and_window(p);
    return exit_code;
}

}  // namespace attn::app
