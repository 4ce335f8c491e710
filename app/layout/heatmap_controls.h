// Switches that turn one of the heatmap panel's layout fixes off again, for the layout matrix's
// control cases (layout_cases.h): each must make the audit report its kind. All off in the app.
// Here in app/layout rather than with the panel so the cases may set them (tests/tools/check_layers.py).
#pragma once

namespace attn::app {

struct HeatmapControls {
    bool no_rotation = false;      // column labels never rotated: a crowded axis skips labels
    bool every_label = false;      // every column label drawn flat, however crowded
    bool minimap_on_grid = false;  // the zoom minimap in the weights map's corner, over its cells
    bool legend_off_edge = false;  // the colour scale drawn past the panel's right edge
};

inline HeatmapControls& heatmap_controls() {
    static HeatmapControls controls;
    return controls;
}

}  // namespace attn::app
