// attnlab app: label placement for the geometry view. A pure function: markers (arrow tips), the
// sizes of their labels and the canvas in, one rectangle per label out, so that no two labels
// overlap and each sits by its marker. It needs no ImGui context (ImVec2 is only a struct here),
// so tests/app/test_label_placement.cpp checks it directly.
//
// How it places
// - Labels are placed one at a time in the order given: put the important ones first (the query,
//   the output, the target, then the most heavily weighted keys); they get the best spots.
// - Each label tries spots on rings around its marker, nearest ring first: the first ring touches
//   the marker at `gap`, each further ring is `step` farther, up to `rings` further rings. On a
//   ring, directions closest to `outward` come first (away from the origin, off the arrow).
// - A spot is free when it lies inside `bounds` and covers no label placed before and no obstacle
//   (fixed text such as the axis names). Among free spots it prefers those that cover no other
//   marker: covering one costs as much as moving `kMarkerCost` rings out.
//
// Calling rules and promises
// - Sizes and distances in pixels; pass them in font units (em()) so the layout scales with text.
// - A label that is not `required` and finds no free spot is left unplaced (placed = false):
//   deliberately unlabelled; the caller keeps its name for the tooltip.
// - A `required` label that finds no free spot still gets the spot that covers the least label
//   area (inside bounds when it fits); it may then overlap, and the caller must report that in
//   the layout audit. Every other placed label is inside bounds and overlaps nothing placed.
// - A placed label's rectangle is at most gap + extra_gap + rings·step from its marker, except a
//   required one placed by the fallback (moved into bounds). `leader` is set when it sits beyond
//   the first ring: draw a thin line from the marker to the box.
// - Anchors or sizes that are not finite give placed = false; nothing non-finite comes out.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace attn::app {

struct LabelRect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // min and max corners
};

struct LabelRequest {
    ImVec2 anchor;           // the marker the label names
    ImVec2 size;             // the label's box, padding included
    ImVec2 outward{0, 0};    // preferred direction (any length; zero: to the upper right)
    bool required = false;   // placed even without a free spot (see above)
    float extra_gap = 0;     // added to options.gap: for markers wider than a point (the target)
};

struct LabelPlacement {
    bool placed = false;
    LabelRect rect;
    bool leader = false;  // moved off the first ring: connect it to its marker
};

struct PlacementOptions {
    LabelRect bounds;             // every label goes inside
    float gap = 4;                // marker to box on the first ring
    float step = 8;               // between rings
    int rings = 6;                // further rings tried beyond the first
    float marker_radius = 4;      // a box closer than this to another marker covers it
};

inline constexpr float kMarkerCost = 2.0f;  // rings a label moves out rather than cover a marker

// One placement per request, in the same order. `markers` are points labels should keep off
// (every drawn tip, labelled or not); `obstacles` are fixed boxes labels must not cover.
std::vector<LabelPlacement> place_labels(const std::vector<LabelRequest>& labels, const std::vector<ImVec2>& markers,
                                         const std::vector<LabelRect>& obstacles, const PlacementOptions& options);

bool rects_overlap(const LabelRect& a, const LabelRect& b);  // the interiors intersect
bool rect_inside(const LabelRect& inner, const LabelRect& outer);
float rect_distance(const LabelRect& r, ImVec2 p);           // 0 when p is inside
ImVec2 nearest_point(const LabelRect& r, ImVec2 p);          // of the rectangle, to p

}  // namespace attn::app
