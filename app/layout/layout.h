// attnlab app: where the panels go. The window is cut into regions by the room there is,
// measured in font heights (em), so the same rules serve a 1280×720 projector with two Ctrl+=
// steps and a 1920×1080 desktop:
// - wide (≥ kThreeColumnsEm): exercises | vectors over output | heatmaps over geometry, with
//   draggable borders;
// - narrower: two columns, exercises over vectors | heatmaps over output and geometry; a column
//   too short to stack its panels shows some of them as tabs, never squeezed below a usable size.
//
// The heatmaps ask for the height their grids need (a 14-token capture's two maps with a number in
// every cell): while the geometry keeps kMinGeometryShare of the column, they get it.
//
// Calling rules: plan_layout() is pure (no ImGui calls); pass sizes in pixels and the font size.
#pragma once

#include "app/app_state.h"

#include <functional>
#include <string>
#include <vector>

namespace attn::app {

inline constexpr float kThreeColumnsEm = 60.0f;  // window width from which three columns fit

struct Region {
    float x = 0, y = 0, w = 0, h = 0;  // pixels
    std::vector<std::string> panels;   // panel ids (panel_ids.h); more than one → tabs
    std::string key() const;           // names the region for its remembered tab
};

struct LayoutPlan {
    bool three_columns = true;
    std::vector<Region> regions;
    // Borders that can be dragged (three columns: left, middle, vectors, heatmaps; two columns: left).
    float left_border = 0, middle_border = 0, vectors_border = 0, heatmaps_border = 0;
};

// The heatmap panel's wish: for a panel width in pixels, the height (pixels) that shows both maps
// whole; 0 for no wish (the usual share).
using HeightForWidth = std::function<float(float)>;

// display: window size; top: the menu bar's height; font_px: the current font size.
LayoutPlan plan_layout(float display_w, float display_h, float top, float font_px, const PanelLayout& fractions,
                       const HeightForWidth& heatmaps_height = {});

}  // namespace attn::app
