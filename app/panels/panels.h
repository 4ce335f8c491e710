// attnlab app: the panels. One file per panel (panel_*.cpp); each draws one ImGui window at
// the rectangle the layout gives it, from the AppState it is handed, and changes the document
// only through app_state.h's edit functions.
//
// Calling rules
// - Call between ImGui::NewFrame() and ImGui::Render(), once per frame each, from draw_ui().
// - The window names below (after ###) are stable ids: screenshots of one panel
//   (`--panel geometry`) and tests find panels by them.
#pragma once

#include "app/app_state.h"
#include "app/layout/panel_ids.h"

#include <imgui.h>

namespace attn::app {

struct PanelRect {
    ImVec2 pos;
    ImVec2 size;
    bool tabbed = false;  // shown under a tab strip (layout.h): the tab names it, no title bar
};

class HeatmapResources;  // what the heatmap panel keeps between frames (heatmap_cache.h)

// Stable ids (kExercisesId ... kClassId, also the names accepted by --panel): app/layout/panel_ids.h.

void draw_menu_bar(AppState& state);
void draw_exercise_panel(AppState& state, const PanelRect& rect);  // Exercises / Sandbox tabs
void draw_sandbox_controls(AppState& state);                        // inside the Sandbox tab
void draw_captured_controls(AppState& state);                       // inside the Real attention tab
void draw_vector_panel(AppState& state, const PanelRect& rect);
void draw_heatmap_panel(AppState& state, const PanelRect& rect, HeatmapResources& textures);
// The height (pixels) a heatmap panel `width` pixels wide needs to show both maps with a number in
// every cell and every row named; 0 when the maps are textures (large) or there is nothing to
// show. For the layout (layout.h); call inside a frame (it measures text).
float heatmap_panel_wanted_height(const AppState& state, float width);
void draw_output_panel(AppState& state, const PanelRect& rect);
void draw_geometry_panel(AppState& state, const PanelRect& rect);
// The Class window (File → Grade a folder…): floating, drawn while state.class_view.open.
void draw_class_window(AppState& state);

// Begins a panel window with a translated title and a stable id; always pair with end_panel().
bool begin_panel(const char* title, const char* id, const PanelRect& rect, ImGuiWindowFlags extra_flags = 0);
// Ends the panel begun by begin_panel(), recording in state.layout_audit any content wider
// than the panel (layout_audit.h).
void end_panel(AppState& state, const char* id);

// The window rectangle of a panel in the last frame (for screenshots of one panel); false if unknown.
bool panel_rect(const char* id, PanelRect* rect);

// Right-click menu shared by the heatmap and geometry panels: "Save this panel as PNG".
void panel_screenshot_context_menu(AppState& state, const char* id);

}  // namespace attn::app
