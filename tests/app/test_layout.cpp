// The window's regions (app/layout/layout.h): the heatmaps get the height their grids ask for while the
// geometry keeps its share, and a border the user dragged wins over the wish.
#include "app/layout/layout.h"
#include "app/panels/panels.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace {

using attn::app::LayoutPlan;
using attn::app::PanelLayout;
using attn::app::plan_layout;
using attn::app::Region;

const Region& region_of(const LayoutPlan& plan, const char* id) {
    for (const Region& r : plan.regions)
        if (r.panels.size() == 1 && r.panels.front() == id) return r;
    static const Region none;
    ADD_FAILURE() << "no region of its own for " << id;
    return none;
}

constexpr float kTop = 20, kFont = 17;

TEST(Layout, HeatmapsGetTheHeightTheyAskFor) {
    const float H = 1080 - kTop;
    const LayoutPlan usual = plan_layout(1920, 1080, kTop, kFont, PanelLayout{});
    ASSERT_TRUE(usual.three_columns);
    EXPECT_NEAR(region_of(usual, attn::app::kHeatmapsId).h, 0.44f * H, 1);
    float asked_width = 0;
    const LayoutPlan grown = plan_layout(1920, 1080, kTop, kFont, PanelLayout{}, [&](float w) {
        asked_width = w;
        return 600.0f;
    });
    EXPECT_NEAR(region_of(grown, attn::app::kHeatmapsId).h, 600, 1);
    EXPECT_NEAR(asked_width, region_of(grown, attn::app::kHeatmapsId).w, 1) << "asked for the width it gets";
    EXPECT_NEAR(region_of(grown, attn::app::kGeometryId).h, H - 600, 1);
    const LayoutPlan small_wish = plan_layout(1920, 1080, kTop, kFont, PanelLayout{}, [](float) { return 100.0f; });
    EXPECT_NEAR(region_of(small_wish, attn::app::kHeatmapsId).h, 0.44f * H, 1) << "never less than the usual share";
}

TEST(Layout, TheGeometryKeepsItsShare) {
    const float H = 720 - kTop;
    const LayoutPlan plan = plan_layout(1280, 720, kTop, kFont, PanelLayout{}, [](float) { return 5000.0f; });
    EXPECT_NEAR(region_of(plan, attn::app::kGeometryId).h, 0.3f * H, 1);
    // Two columns (large text): the output and geometry below keep theirs too.
    const LayoutPlan two = plan_layout(1280, 720, kTop, 26, PanelLayout{}, [](float) { return 5000.0f; });
    ASSERT_FALSE(two.three_columns);
    float below = 0;
    for (const Region& r : two.regions)
        if (r.x > 0 && r.panels.front() != attn::app::kHeatmapsId) below = std::max(below, r.h);
    EXPECT_GE(below, 0.3f * H - 1);
}

TEST(Layout, ADraggedBorderWinsOverTheWish) {
    PanelLayout dragged;
    dragged.heatmaps = 0.25f;
    const LayoutPlan plan = plan_layout(1920, 1080, kTop, kFont, dragged, [](float) { return 800.0f; });
    EXPECT_NEAR(region_of(plan, attn::app::kHeatmapsId).h, 0.25f * (1080 - kTop), 1);
}

}  // namespace
