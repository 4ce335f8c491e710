// Layout geometry defects the layout audit and the planners must see (issue 26, family 3):
// - plan_layout: panels never overlap and tile the window, three columns or two, wide or tall,
//   any text size, any dragged borders;
// - audit_window_width: content hidden under a vertical scroll bar or past the window padding is
//   reported, content that fits is not (measured against what the window shows, not its rect);
// - place_labels: a label pushed away from its marker always gets a leader line, one by its
//   marker never does.
// Pure CPU: the audit runs in a headless ImGui context (no window, no GL).
#include "app/layout/label_placement.h"
#include "app/layout/layout.h"
#include "app/layout/layout_audit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>

namespace attn::app {
namespace {

std::string describe(const Region& r) {
    return (r.panels.empty() ? std::string("?") : r.panels.front()) + " at " + std::to_string(r.x) + "," + std::to_string(r.y) +
           " " + std::to_string(r.w) + "x" + std::to_string(r.h);
}

// Every pair of regions is disjoint (up to half a pixel), each is inside the window below the
// menu bar, and together they cover it.
void expect_tiles_the_window(const LayoutPlan& plan, float W, float H, float top, const std::string& where) {
    double area = 0;
    for (std::size_t a = 0; a < plan.regions.size(); ++a) {
        const Region& r = plan.regions[a];
        EXPECT_GE(r.x, -0.5f) << where << ": " << describe(r);
        EXPECT_GE(r.y, top - 0.5f) << where << ": " << describe(r);
        EXPECT_LE(r.x + r.w, W + 0.5f) << where << ": " << describe(r);
        EXPECT_LE(r.y + r.h, H + 0.5f) << where << ": " << describe(r);
        area += static_cast<double>(r.w) * r.h;
        for (std::size_t b = a + 1; b < plan.regions.size(); ++b) {
            const Region& s = plan.regions[b];
            const float w = std::min(r.x + r.w, s.x + s.w) - std::max(r.x, s.x);
            const float h = std::min(r.y + r.h, s.y + s.h) - std::max(r.y, s.y);
            EXPECT_FALSE(w > 0.5f && h > 0.5f) << where << ": " << describe(r) << " overlaps " << describe(s);
        }
    }
    EXPECT_NEAR(area, static_cast<double>(W) * (H - top), 0.002 * W * H) << where << ": gaps or overlaps";
}

TEST(LayoutGeometry, PanelsNeverOverlapWideOrTall) {
    std::mt19937 rng(26);
    std::uniform_real_distribution<float> width(640, 2600), height(480, 2600), font(12, 34), fraction(0.05f, 0.95f);
    int two_columns = 0, tall_two_columns = 0;
    for (int i = 0; i < 400; ++i) {
        const float W = width(rng), H = height(rng), em = font(rng), top = std::round(em * 1.2f);
        PanelLayout dragged;
        if (i % 3 == 1) dragged = {fraction(rng), fraction(rng) * 0.5f, fraction(rng), fraction(rng)};
        const float wish = i % 4 == 0 ? 0.0f : height(rng);
        const LayoutPlan plan = plan_layout(W, H, top, em, dragged, [&](float) { return wish; });
        const std::string where = std::to_string(static_cast<int>(W)) + "x" + std::to_string(static_cast<int>(H)) + " font " +
                                  std::to_string(em) + (plan.three_columns ? " (three columns)" : " (two columns)");
        expect_tiles_the_window(plan, W, H, top, where);
        if (!plan.three_columns) ++two_columns, tall_two_columns += H > 1.3f * W ? 1 : 0;
    }
    EXPECT_GT(two_columns, 40);
    EXPECT_GT(tall_two_columns, 10) << "tall two-column windows are the case to cover";
}

// The tall two-column case by name: a portrait monitor with large text.
TEST(LayoutGeometry, TallTwoColumnWindowHasNoOverlap) {
    for (const float H : {1200.0f, 1600.0f, 1920.0f, 2560.0f}) {
        const LayoutPlan plan = plan_layout(1080, H, 30, 26, PanelLayout{}, [](float) { return 900.0f; });
        ASSERT_FALSE(plan.three_columns);
        expect_tiles_the_window(plan, 1080, H, 30, "1080x" + std::to_string(static_cast<int>(H)));
        for (const Region& r : plan.regions)  // the heatmaps' wish takes no room from the geometry's share
            if (r.panels.size() == 1 && r.panels.front() == "geometry") EXPECT_GE(r.h, 0.3f * (H - 30) - 1) << H;
    }
}

// A headless ImGui context: frames without a window or GL.
class HeadlessImGui : public ::testing::Test {
protected:
    void SetUp() override {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(800, 600);
        io.DeltaTime = 1.0f / 60;
        io.Fonts->AddFontDefault();
        unsigned char* pixels = nullptr;
        int width = 0, height = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
    }
    void TearDown() override { ImGui::DestroyContext(); }

    // Draws a 300×200 window with `items` for three frames (ImGui settles scroll bars from the
    // frame before) and returns what the audit reported in the last one.
    LayoutAudit audit_frames(const std::function<void()>& items) {
        LayoutAudit audit;
        for (int frame = 0; frame < 3; ++frame) {
            audit.clear();
            ImGui::NewFrame();
            ImGui::SetNextWindowPos(ImVec2(10, 10));
            ImGui::SetNextWindowSize(ImVec2(300, 200));
            ImGui::Begin("panel", nullptr, ImGuiWindowFlags_NoSavedSettings);
            items();
            audit_window_width(audit, "test");
            ImGui::End();
            ImGui::EndFrame();
        }
        return audit;
    }
};

bool reports(const LayoutAudit& audit, const char* kind) {
    return std::any_of(audit.problems.begin(), audit.problems.end(), [&](const LayoutProblem& p) { return p.kind == kind; });
}

TEST_F(HeadlessImGui, ContentThatFitsIsNotReported) {
    const LayoutAudit audit = audit_frames([] { ImGui::Dummy(ImVec2(ImGui::GetContentRegionAvail().x, 20)); });
    EXPECT_TRUE(audit.problems.empty()) << audit.problems.front().what;
    // Tall content: a vertical scroll bar; content as wide as what is left beside it still fits.
    const LayoutAudit tall = audit_frames([] {
        for (int i = 0; i < 20; ++i) ImGui::Dummy(ImVec2(ImGui::GetContentRegionAvail().x, 20));
    });
    EXPECT_TRUE(tall.problems.empty()) << tall.problems.front().what;
}

// With a vertical scroll bar the visible width shrinks by the bar: content as wide as the window's
// inside without the bar is partly under it.
TEST_F(HeadlessImGui, ContentUnderTheScrollBarIsReported) {
    float without_bar = 0;
    audit_frames([&] { without_bar = ImGui::GetContentRegionAvail().x; });
    const LayoutAudit audit = audit_frames([&] {
        ImGui::Dummy(ImVec2(without_bar, 20));
        for (int i = 0; i < 20; ++i) ImGui::Dummy(ImVec2(10, 20));  // tall: the scroll bar appears
    });
    ASSERT_GT(ImGui::GetStyle().ScrollbarSize, 2.0f);
    EXPECT_TRUE(reports(audit, kOverflow)) << "an item " << without_bar << " px wide under a scroll bar";
}

// Content reaching past half the right padding is clipped (ImGui clips there): reported, however far past.
TEST_F(HeadlessImGui, ContentPastThePaddingIsReported) {
    const float padding = ImGui::GetStyle().WindowPadding.x;
    for (const float extra : {padding / 2 + 2, padding, 40.0f}) {
        const LayoutAudit audit = audit_frames([&] { ImGui::Dummy(ImVec2(ImGui::GetContentRegionAvail().x + extra, 20)); });
        EXPECT_TRUE(reports(audit, kOverflow)) << extra << " px past the content region";
    }
}

// Labels: a placed label farther from its marker than the first ring has a leader; one on the
// first ring has none (a line to an adjacent label is clutter).
void expect_leaders_match_distance(const std::vector<LabelRequest>& req, const std::vector<LabelPlacement>& out,
                                   const PlacementOptions& o, const std::string& where) {
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (!out[i].placed) continue;
        const float first_ring = o.gap + req[i].extra_gap;
        const float distance = rect_distance(out[i].rect, req[i].anchor);
        if (distance > first_ring + 1.0f)
            EXPECT_TRUE(out[i].leader) << where << " label " << i << " is " << distance << " px from its marker without a leader";
        if (distance <= first_ring)
            EXPECT_FALSE(out[i].leader) << where << " label " << i << " is by its marker (" << distance << " px) with a leader";
    }
}

PlacementOptions canvas(float w, float h) {
    PlacementOptions o;
    o.bounds = {0, 0, w, h};
    return o;
}

TEST(LabelLeaders, RandomCrowdedScenesDrawALeaderToEveryFarLabel) {
    std::mt19937 rng(26);
    int far = 0;
    for (int scene = 0; scene < 150; ++scene) {
        const float w = std::uniform_real_distribution<float>(80, 600)(rng), h = std::uniform_real_distribution<float>(60, 400)(rng);
        const PlacementOptions o = canvas(w, h);
        std::uniform_real_distribution<float> ux(0, w), uy(0, h), us(10, 70), extra(0, 6);
        std::vector<LabelRequest> req;
        std::vector<ImVec2> markers;
        const int n = std::uniform_int_distribution<int>(2, 40)(rng);
        for (int i = 0; i < n; ++i) {
            const ImVec2 a(ux(rng), uy(rng));
            req.push_back({a, ImVec2(us(rng), 14), ImVec2(a.x - w / 2, a.y - h / 2), i < 3, i == 0 ? extra(rng) : 0.0f});
            markers.push_back(a);
        }
        const std::vector<LabelPlacement> out = place_labels(req, markers, {}, o);
        expect_leaders_match_distance(req, out, o, "scene " + std::to_string(scene));
        for (std::size_t i = 0; i < out.size(); ++i) far += out[i].placed && out[i].leader ? 1 : 0;
    }
    EXPECT_GT(far, 100) << "the scenes must push many labels off the first ring";
}

// A required label whose marker sits outside the canvas (an arrow tip past the edge) is moved into
// bounds, far from the marker: it needs its leader.
TEST(LabelLeaders, ARequiredLabelMovedIntoBoundsGetsALeader) {
    const PlacementOptions o = canvas(100, 40);
    const std::vector<LabelRect> wall{{0, 0, 100, 40}};  // no free spot anywhere: the fallback places it
    const std::vector<LabelRequest> req{{ImVec2(160, 20), ImVec2(40, 14), ImVec2(1, 0), true}};
    const std::vector<LabelPlacement> out = place_labels(req, {ImVec2(160, 20)}, wall, o);
    ASSERT_TRUE(out[0].placed);
    EXPECT_GT(rect_distance(out[0].rect, req[0].anchor), 50.0f);
    EXPECT_TRUE(out[0].leader);
}

}  // namespace
}  // namespace attn::app
