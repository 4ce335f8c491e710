// The geometry view's label placement (app/layout/label_placement.h): labels never overlap, stay inside
// the canvas and sit by their markers; what cannot be placed is left unlabelled on purpose.
#include "app/layout/label_placement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace attn::app {
namespace {

PlacementOptions options(float w, float h) {
    PlacementOptions o;
    o.bounds = {0, 0, w, h};
    o.gap = 4;
    o.step = 8;
    o.rings = 6;
    o.marker_radius = 4;
    return o;
}

float max_distance(const PlacementOptions& o) { return o.gap + static_cast<float>(o.rings) * o.step + 1.0f; }

// The promises every placement keeps for labels that are not required.
void expect_valid(const std::vector<LabelRequest>& req, const std::vector<LabelPlacement>& out,
                  const std::vector<LabelRect>& obstacles, const PlacementOptions& o) {
    ASSERT_EQ(out.size(), req.size());
    for (size_t i = 0; i < out.size(); ++i) {
        if (!out[i].placed) continue;
        const LabelRect& r = out[i].rect;
        EXPECT_TRUE(rect_inside(r, o.bounds)) << "label " << i << " outside";
        EXPECT_LE(rect_distance(r, req[i].anchor), max_distance(o)) << "label " << i << " far from its marker";
        EXPECT_GT(rect_distance(r, req[i].anchor), 0.0f) << "label " << i << " covers its own marker";
        EXPECT_NEAR(r.x1 - r.x0, req[i].size.x, 1e-3f);
        EXPECT_NEAR(r.y1 - r.y0, req[i].size.y, 1e-3f);
        for (size_t j = i + 1; j < out.size(); ++j)
            if (out[j].placed) {
                EXPECT_FALSE(rects_overlap(r, out[j].rect)) << "labels " << i << " and " << j << " overlap";
            }
        for (const LabelRect& ob : obstacles) EXPECT_FALSE(rects_overlap(r, ob)) << "label " << i << " covers an obstacle";
    }
}

TEST(LabelPlacement, LoneMarkerGetsTheFirstRingOnTheOutwardSide) {
    const PlacementOptions o = options(400, 300);
    const std::vector<LabelRequest> req{{ImVec2(200, 150), ImVec2(30, 16), ImVec2(1, 0), false}};
    const auto out = place_labels(req, {req[0].anchor}, {}, o);
    ASSERT_TRUE(out[0].placed);
    EXPECT_FALSE(out[0].leader);
    EXPECT_NEAR(out[0].rect.x0, 204.0f, 1e-3f);  // to the right, gap away
    EXPECT_NEAR((out[0].rect.y0 + out[0].rect.y1) * 0.5f, 150.0f, 1e-3f);
    expect_valid(req, out, {}, o);
}

TEST(LabelPlacement, MarkerAtTheEdgeStillGetsItsLabelInside) {
    const PlacementOptions o = options(400, 300);
    const std::vector<LabelRequest> req{{ImVec2(398, 2), ImVec2(60, 16), ImVec2(1, -1), false}};
    const auto out = place_labels(req, {}, {}, o);
    ASSERT_TRUE(out[0].placed);
    EXPECT_LE(rect_distance(out[0].rect, req[0].anchor), o.gap + 1.0f);  // first ring, other side
    expect_valid(req, out, {}, o);
}

TEST(LabelPlacement, TwoCloseMarkersLabelsDoNotOverlap) {
    // The case: "target" next to k3, "out" next to v3.
    const PlacementOptions o = options(600, 400);
    const std::vector<LabelRequest> req{{ImVec2(300, 200), ImVec2(50, 18), ImVec2(1, 0), true},
                                        {ImVec2(304, 203), ImVec2(24, 18), ImVec2(1, 0), false},
                                        {ImVec2(310, 190), ImVec2(30, 18), ImVec2(1, 0), true},
                                        {ImVec2(312, 195), ImVec2(24, 18), ImVec2(1, 0), false}};
    std::vector<ImVec2> markers;
    for (const auto& r : req) markers.push_back(r.anchor);
    const auto out = place_labels(req, markers, {}, o);
    for (const auto& p : out) EXPECT_TRUE(p.placed);
    expect_valid(req, out, {}, o);
}

TEST(LabelPlacement, DenseClusterIsPlacedWithoutOverlapOrLeftUnlabelled) {
    // 256 markers in a 120 px box, labels 26×16 px: most cannot be labelled, none may overlap.
    const PlacementOptions o = options(800, 600);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(340, 460);
    std::vector<LabelRequest> req;
    std::vector<ImVec2> markers;
    for (int i = 0; i < 256; ++i) {
        const ImVec2 a(u(rng), u(rng) - 100);
        req.push_back({a, ImVec2(26, 16), ImVec2(a.x - 400, a.y - 300), false});
        markers.push_back(a);
    }
    const std::vector<LabelRect> obstacles{{380, 280, 420, 300}};  // an axis name in the middle
    const auto out = place_labels(req, markers, obstacles, o);
    expect_valid(req, out, obstacles, o);
    int placed = 0;
    for (const auto& p : out) placed += p.placed ? 1 : 0;
    EXPECT_GE(placed, 20);   // the first ones get spots around the cluster
    EXPECT_LT(placed, 256);  // and the rest are deliberately unlabelled
}

TEST(LabelPlacement, ManyRandomScenesKeepThePromises) {
    std::mt19937 rng(11);
    for (int scene = 0; scene < 200; ++scene) {
        const float w = std::uniform_real_distribution<float>(80, 900)(rng);
        const float h = std::uniform_real_distribution<float>(60, 700)(rng);
        const PlacementOptions o = options(w, h);
        std::uniform_real_distribution<float> ux(0, w), uy(0, h), us(6, 80);
        const int n = std::uniform_int_distribution<int>(1, 64)(rng);
        std::vector<LabelRequest> req;
        std::vector<ImVec2> markers;
        for (int i = 0; i < n; ++i) {
            const ImVec2 a(ux(rng), uy(rng));
            req.push_back({a, ImVec2(us(rng), 14), ImVec2(a.x - w / 2, a.y - h / 2), false});
            markers.push_back(a);
        }
        expect_valid(req, place_labels(req, markers, {}, o), {}, o);
    }
}

TEST(LabelPlacement, RequiredLabelIsPlacedEvenWithoutRoom) {
    const PlacementOptions o = options(100, 40);
    const std::vector<LabelRequest> req{{ImVec2(50, 20), ImVec2(90, 30), ImVec2(1, 0), false},
                                        {ImVec2(50, 20), ImVec2(90, 30), ImVec2(1, 0), true},
                                        {ImVec2(50, 20), ImVec2(90, 30), ImVec2(1, 0), false}};
    const auto out = place_labels(req, {}, {}, o);
    EXPECT_TRUE(out[1].placed);   // required: placed, the caller reports any overlap
    EXPECT_FALSE(out[2].placed);  // not required: left unlabelled rather than overlap
}

TEST(LabelPlacement, NonFiniteInputIsNeverPlaced) {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
    const PlacementOptions o = options(400, 300);
    const std::vector<LabelRequest> req{{ImVec2(nan, 10), ImVec2(20, 10), ImVec2(1, 0), true},
                                        {ImVec2(10, 10), ImVec2(inf, 10), ImVec2(1, 0), true},
                                        {ImVec2(100, 100), ImVec2(20, 10), ImVec2(nan, nan), false}};
    const auto out = place_labels(req, {ImVec2(inf, inf)}, {}, o);
    EXPECT_FALSE(out[0].placed);
    EXPECT_FALSE(out[1].placed);
    EXPECT_TRUE(out[2].placed);  // a bad direction falls back to the default one
    EXPECT_TRUE(std::isfinite(out[2].rect.x0) && std::isfinite(out[2].rect.y1));
}

}  // namespace
}  // namespace attn::app
