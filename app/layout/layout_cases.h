// attnlab app: the layout matrix, every screen a class uses. `attnlab --layout-report FILE`
// renders each case headless and records what the layout audit (layout_audit.h) saw; the layout
// test (tests/gui/layout_matrix.py) fails on anything it does not name as an allowed exception.
//
// Calling rules: layout_matrix() is pure; apply_layout_case() changes the document and the view
// settings of `state` (call it on a throwaway state, never on a student's session).
#pragma once

#include "app/app_state.h"

#include <string>
#include <vector>

namespace attn::app {

struct LayoutCase {
    int width = 1280, height = 720;
    bool presentation = false;
    int zoom_steps = 0;         // Ctrl+= steps
    std::string language = "en";
    std::string task;           // an exercise id, or empty for the sandbox
    bool solved = false;        // the task after Solve all (explanations shown)
    int sandbox_keys = 0;       // N of the sandbox case
    bool captured = false;      // an opened capture (2 layers × 2 heads), long tokens cut
    int captured_tokens = 8;    // its tokens: 8, or 14 like tiny-lm's heads
    int sandbox_queries = 0;    // the sandbox's query rows (0: 2, 4 or 8 as N grows)
    float heatmap_zoom = 1;     // a large map zoomed in (the minimap shows)
    std::string control;        // a control case: the heatmap fix it turns off (HeatmapControls), "" = none
    std::string pack;           // a built-in pack's id ("" = the notebook)
    std::string name() const;   // "1280x720 presentation zoom+2 zh 1.3.2 solved"
};

// {1280×720, 1366×768, 1600×900, 1920×1080} × {normal, presentation} × {zoom 0, +1, +2} × {en, zh}
// × {each task of each built-in pack, fresh and solved; sandbox N = 8, 32, 256, 256 with one query,
// 1024 zoomed ×2; a captured head of 8 and of 14 tokens}, ordered so the font changes rarely; then
// the control cases (control non-empty), each built to show one kind of problem.
std::vector<LayoutCase> layout_matrix();

// The control cases alone (the end of layout_matrix()).
std::vector<LayoutCase> control_cases();

// Puts `state` into the case's document and view (not the window size: the caller renders at it).
void apply_layout_case(AppState& state, const LayoutCase& c);

}  // namespace attn::app
