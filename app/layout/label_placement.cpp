// attnlab app: label placement (see label_placement.h for the rules).
#include "app/layout/label_placement.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attn::app {

namespace {

constexpr int kDirections = 16;  // spots per ring
constexpr float kPi = 3.14159265f;

bool finite(ImVec2 p) { return std::isfinite(p.x) && std::isfinite(p.y); }

float overlap_area(const LabelRect& a, const LabelRect& b) {
    const float w = std::min(a.x1, b.x1) - std::max(a.x0, b.x0), h = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
    return w > 0 && h > 0 ? w * h : 0.0f;
}

// The ring's directions, those nearest `outward` first (screen y grows downwards).
std::vector<ImVec2> directions(ImVec2 outward) {
    float len = std::sqrt(outward.x * outward.x + outward.y * outward.y);
    if (!(len > 1e-6f) || !std::isfinite(len)) {
        outward = ImVec2(0.7071f, -0.7071f);
        len = 1;
    }
    const float base = std::atan2(outward.y / len, outward.x / len);
    std::vector<ImVec2> dirs;
    dirs.reserve(kDirections);
    dirs.push_back(ImVec2(std::cos(base), std::sin(base)));
    // Alternate sides: +1, -1, +2, -2, ... steps; the last one is straight behind.
    for (int k = 1; k <= kDirections / 2; ++k)
        for (const int sign : {1, -1}) {
            if (k == kDirections / 2 && sign < 0) break;
            const float a = base + static_cast<float>(sign * k) * 2.0f * kPi / kDirections;
            dirs.push_back(ImVec2(std::cos(a), std::sin(a)));
        }
    return dirs;
}

// The box of `size` on the side `dir` of `anchor`, its near edge `r` away: anchored by the side
// (or corner) that faces the marker, so the box never covers its own marker.
LabelRect spot(ImVec2 anchor, ImVec2 size, ImVec2 dir, float r) {
    const float m = std::max(std::fabs(dir.x), std::fabs(dir.y));
    const ImVec2 square(dir.x / m, dir.y / m);  // on the unit square: sides at ±1
    const float cx = anchor.x + dir.x * r + square.x * size.x * 0.5f;
    const float cy = anchor.y + dir.y * r + square.y * size.y * 0.5f;
    return {cx - size.x * 0.5f, cy - size.y * 0.5f, cx + size.x * 0.5f, cy + size.y * 0.5f};
}

LabelRect clamp_into(LabelRect r, const LabelRect& bounds) {
    const float dx = std::max(0.0f, bounds.x0 - r.x0) - std::max(0.0f, r.x1 - bounds.x1);
    const float dy = std::max(0.0f, bounds.y0 - r.y0) - std::max(0.0f, r.y1 - bounds.y1);
    return {r.x0 + dx, r.y0 + dy, r.x1 + dx, r.y1 + dy};
}

struct Placer {
    const std::vector<ImVec2>& markers;
    const std::vector<LabelRect>& obstacles;
    const PlacementOptions& o;
    std::vector<LabelRect> taken;  // labels placed so far

    bool free(const LabelRect& r) const {
        if (!rect_inside(r, o.bounds)) return false;
        for (const LabelRect& t : taken)
            if (rects_overlap(r, t)) return false;
        for (const LabelRect& t : obstacles)
            if (rects_overlap(r, t)) return false;
        return true;
    }
    int markers_covered(const LabelRect& r, ImVec2 own) const {
        int n = 0;
        for (const ImVec2& m : markers) {
            const float dx = m.x - own.x, dy = m.y - own.y;
            if (dx * dx + dy * dy < 0.25f) continue;  // its own marker
            if (rect_distance(r, m) < o.marker_radius) ++n;
        }
        return n;
    }
    // Area of labels and obstacles a box covers, for the fallback of a required label.
    float covered_area(const LabelRect& r) const {
        float a = 0;
        for (const LabelRect& t : taken) a += overlap_area(r, t);
        for (const LabelRect& t : obstacles) a += overlap_area(r, t);
        return a;
    }

    LabelPlacement place(const LabelRequest& req) const;
    LabelPlacement fallback(const LabelRequest& req, const std::vector<ImVec2>& dirs) const;
};

LabelPlacement Placer::place(const LabelRequest& req) const {
    LabelPlacement best;
    if (!finite(req.anchor) || !finite(req.size) || !std::isfinite(req.extra_gap) || !(req.size.x >= 0) || !(req.size.y >= 0)) return best;
    const std::vector<ImVec2> dirs = directions(req.outward);
    float best_cost = std::numeric_limits<float>::infinity();
    const int rings = std::max(0, o.rings);
    for (int ring = 0; ring <= rings && static_cast<float>(ring) < best_cost; ++ring) {
        const float r = o.gap + req.extra_gap + static_cast<float>(ring) * o.step;
        for (const ImVec2& dir : dirs) {
            const LabelRect box = spot(req.anchor, req.size, dir, r);
            if (!free(box)) continue;
            const float cost = static_cast<float>(ring) + kMarkerCost * static_cast<float>(markers_covered(box, req.anchor));
            if (cost < best_cost) {
                best_cost = cost;
                best = {true, box, ring > 0};
            }
            if (cost == static_cast<float>(ring)) break;  // nothing better on this ring
        }
    }
    if (!best.placed && req.required) return fallback(req, dirs);
    return best;
}

// No free spot: the first-ring spot (kept inside bounds) that covers the least.
LabelPlacement Placer::fallback(const LabelRequest& req, const std::vector<ImVec2>& dirs) const {
    LabelPlacement best;
    float least = std::numeric_limits<float>::infinity();
    for (int ring = 0; ring <= std::max(0, o.rings); ++ring)
        for (const ImVec2& dir : dirs) {
            const LabelRect box = clamp_into(spot(req.anchor, req.size, dir, o.gap + req.extra_gap + static_cast<float>(ring) * o.step), o.bounds);
            const float area = covered_area(box) + static_cast<float>(ring);  // nearer wins a tie
            if (area < least) {
                least = area;
                best = {true, box, ring > 0 || rect_distance(box, req.anchor) > o.gap + req.extra_gap + 1.0f};
            }
        }
    return best;
}

}  // namespace

bool rects_overlap(const LabelRect& a, const LabelRect& b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

bool rect_inside(const LabelRect& inner, const LabelRect& outer) {
    return inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 && inner.y1 <= outer.y1;
}

ImVec2 nearest_point(const LabelRect& r, ImVec2 p) {
    return ImVec2(std::clamp(p.x, r.x0, std::max(r.x0, r.x1)), std::clamp(p.y, r.y0, std::max(r.y0, r.y1)));
}

float rect_distance(const LabelRect& r, ImVec2 p) {
    const ImVec2 q = nearest_point(r, p);
    return std::sqrt((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y));
}

std::vector<LabelPlacement> place_labels(const std::vector<LabelRequest>& labels, const std::vector<ImVec2>& markers,
                                         const std::vector<LabelRect>& obstacles, const PlacementOptions& options) {
    Placer placer{markers, obstacles, options, {}};
    std::vector<LabelPlacement> out;
    out.reserve(labels.size());
    for (const LabelRequest& req : labels) {
        out.push_back(placer.place(req));
        if (out.back().placed) placer.taken.push_back(out.back().rect);
    }
    return out;
}

}  // namespace attn::app
