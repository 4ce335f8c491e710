#include "app/layout/layout.h"

#include "app/layout/panel_ids.h"

#include <algorithm>

namespace attn::app {

namespace {

// Heights below which a column's panels become tabs (in em): the vectors or the task need about
// ten lines to be worth showing, the heatmaps two small grids with their legends.
constexpr float kStackLeftEm = 23.0f;
constexpr float kStackRightAllEm = 40.0f;
constexpr float kStackRightTwoEm = 22.0f;
constexpr float kMinOutputEm = 15.5f;    // the legend, bars and a table of three signed numbers
constexpr float kMinGeometryEm = 11.0f;  // a sphere with its labels

// The geometry keeps at least this share of a column the heatmaps grow into.
constexpr float kMinGeometryShare = 0.3f;

// The heatmaps' height: the usual share of the column, more when their grids ask for it, as long
// as `rest` (the panels below) keeps at least `rest_min` pixels.
float heatmaps_height(float usual, float width, float column_h, float rest_min, const HeightForWidth& wish) {
    const float wanted = wish ? wish(width) : 0.0f;
    if (!(wanted > usual)) return usual;
    return std::max(usual, std::min(wanted, column_h - rest_min));
}

Region region(float x, float y, float w, float h, std::vector<std::string> panels) {
    return Region{x, y, std::max(w, 1.0f), std::max(h, 1.0f), std::move(panels)};
}

LayoutPlan three_columns(float W, float H, float top, float em, const PanelLayout& f, const HeightForWidth& wish) {
    LayoutPlan plan;
    plan.three_columns = true;
    // Automatic columns get a share of the window but at least 18 / 17 em (titles, three
    // sliders), so large text takes width from the wide right column, not readability.
    const float auto_left = std::max(W * 0.27f, std::min(18 * em, W * 0.4f));
    const float auto_middle = std::max(W * 0.26f, std::min(17 * em, W * 0.35f));
    const float min_w = std::min(8 * em, W * 0.15f), min_h = std::min(5 * em, H * 0.2f);
    const float left = std::clamp(f.left > 0 ? f.left * W : auto_left, min_w, W - 2 * min_w);
    const float middle = std::clamp(f.middle > 0 ? f.middle * W : auto_middle, min_w, W - left - min_w);
    const float right = W - left - middle;
    const float vectors = std::clamp((f.vectors > 0 ? f.vectors : 0.58f) * H, min_h, H - min_h);
    const float geometry_min = std::max(kMinGeometryEm * em, kMinGeometryShare * H);
    const float automatic = heatmaps_height(0.44f * H, right, H, geometry_min, wish);
    const float heatmaps = std::clamp(f.heatmaps > 0 ? f.heatmaps * H : automatic, min_h, H - min_h);
    plan.regions = {region(0, top, left, H, {kExercisesId}),
                    region(left, top, middle, vectors, {kVectorsId}),
                    region(left, top + vectors, middle, H - vectors, {kOutputId}),
                    region(left + middle, top, right, heatmaps, {kHeatmapsId}),
                    region(left + middle, top + heatmaps, right, H - heatmaps, {kGeometryId})};
    plan.left_border = left;
    plan.middle_border = left + middle;
    plan.vectors_border = top + vectors;
    plan.heatmaps_border = top + heatmaps;
    return plan;
}

LayoutPlan two_columns(float W, float H, float top, float em, const PanelLayout& f, const HeightForWidth& wish) {
    LayoutPlan plan;
    plan.three_columns = false;
    const float auto_left = std::clamp(W * 0.42f, std::min(17 * em, W * 0.5f), std::max(W - 20 * em, W * 0.4f));
    const float left = std::clamp(f.left > 0 ? f.left * W : auto_left, W * 0.25f, W * 0.7f);
    const float right = W - left;
    plan.left_border = left;
    if (H / em >= kStackLeftEm) {
        const float task_h = std::round(H * 0.5f);
        plan.regions.push_back(region(0, top, left, task_h, {kExercisesId}));
        plan.regions.push_back(region(0, top + task_h, left, H - task_h, {kVectorsId}));
    } else {
        plan.regions.push_back(region(0, top, left, H, {kExercisesId, kVectorsId}));
    }
    if (H / em >= kStackRightAllEm) {
        const float out_h = std::round(H * 0.24f);
        const float geometry_min = std::max(kMinGeometryEm * em, kMinGeometryShare * H);
        const float heat_h = std::round(heatmaps_height(H * 0.42f, right, H - out_h, geometry_min, wish));
        plan.regions.push_back(region(left, top, right, heat_h, {kHeatmapsId}));
        plan.regions.push_back(region(left, top + heat_h, right, out_h, {kOutputId}));
        plan.regions.push_back(region(left, top + heat_h + out_h, right, H - heat_h - out_h, {kGeometryId}));
    } else if (H / em >= kStackRightTwoEm) {
        // Heatmaps over output and geometry: side by side when both get a usable width (the
        // geometry is what a class looks at), else as tabs.
        const float below_min = std::max(kMinOutputEm * em, kMinGeometryShare * H);
        const float heat_h = std::round(heatmaps_height(H * 0.52f, right, H, below_min, wish));
        plan.regions.push_back(region(left, top, right, heat_h, {kHeatmapsId}));
        const float output_w = std::round(right * 0.55f);
        if (output_w >= kMinOutputEm * em && right - output_w >= kMinGeometryEm * em) {
            plan.regions.push_back(region(left, top + heat_h, output_w, H - heat_h, {kOutputId}));
            plan.regions.push_back(region(left + output_w, top + heat_h, right - output_w, H - heat_h, {kGeometryId}));
        } else {
            plan.regions.push_back(region(left, top + heat_h, right, H - heat_h, {kOutputId, kGeometryId}));
        }
    } else {
        plan.regions.push_back(region(left, top, right, H, {kHeatmapsId, kOutputId, kGeometryId}));
    }
    return plan;
}

}  // namespace

std::string Region::key() const {
    std::string k;
    for (const std::string& p : panels) k += p + "|";
    return k;
}

LayoutPlan plan_layout(float display_w, float display_h, float top, float font_px, const PanelLayout& fractions,
                       const HeightForWidth& heatmaps_wish) {
    const float em = std::max(font_px, 1.0f);
    const float W = std::max(display_w, 1.0f);
    const float H = std::max(display_h - top, 1.0f);
    return W / em >= kThreeColumnsEm ? three_columns(W, H, top, em, fractions, heatmaps_wish)
                                     : two_columns(W, H, top, em, fractions, heatmaps_wish);
}

}  // namespace attn::app
