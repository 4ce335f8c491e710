// attnlab app: the geometry panel's drawing (geometry_view.h): the sphere and the axes, the
// arrows and markers, then the labels, placed so that none overlaps another, and their audit.
//
// [SECTION] Drawing helpers
// [SECTION] Labels: placement, drawing and the layout audit
#include "app/panels/geometry_view.h"

#include "app/panels/panels.h"
#include "app/ui_common.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace attn::app::geometry {

// =============================================================================================
// [SECTION] Drawing helpers
// =============================================================================================

namespace {

// Multiplies the colour's alpha (factors above 1 strengthen a faint colour, up to opaque).
ImU32 with_alpha(ImU32 color, float factor) {
    const float scaled = static_cast<float>((color >> IM_COL32_A_SHIFT) & 0xFF) * std::max(0.0f, factor);
    const int a = static_cast<int>(std::min(255.0f, scaled));
    return (color & ~IM_COL32_A_MASK) | (static_cast<ImU32>(a) << IM_COL32_A_SHIFT);
}

// Line widths and head size in font units, so arrows grow with the text.
struct Stroke {
    float key, strong, faded, head, grid;
    static Stroke current() { return {em(0.12f), em(0.17f), em(0.06f), em(0.8f), em(0.06f)}; }
};

// Counted, not stepped in floats: a float counter stops growing once t + 2·dash rounds to t,
// which turned a long line into an endless loop. Long lines get longer dashes instead.
void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 color, float thickness, float dash) {
    constexpr int kMaxDashes = 256;
    const float len = length(b - a);
    if (!(len > 0.5f) || !std::isfinite(len) || !(dash > 0)) return;
    const int dashes = std::clamp(static_cast<int>(len / (2 * dash)) + 1, 1, kMaxDashes);
    const float period = len / static_cast<float>(dashes);
    const ImVec2 dir = (b - a) * (1.0f / len);
    for (int i = 0; i < dashes; ++i) {
        const float t = period * static_cast<float>(i);
        dl->AddLine(a + dir * t, a + dir * std::min(t + period * 0.5f, len), color, thickness);
    }
}

void arrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 color, float thickness, float head_size) {
    const float len = length(to - from);
    if (!(len > em(0.3f))) {  // pointing at the viewer: a dot says where the tip is
        dl->AddCircleFilled(to, thickness * 1.8f, color);
        return;
    }
    const ImVec2 dir = (to - from) * (1.0f / len);
    const ImVec2 normal(-dir.y, dir.x);
    const float head = std::min(head_size, 0.45f * len);
    const ImVec2 base = to - dir * head;
    dl->AddLine(from, base + dir * 1.0f, color, thickness);
    dl->AddTriangleFilled(to, base + normal * (head * 0.4f), base - normal * (head * 0.4f), color);
}

float target_radius() { return em(0.5f); }

void target_marker(ImDrawList* dl, ImVec2 at, ImU32 color) {
    const float r = target_radius();
    dl->AddCircle(at, r, color, 24, em(0.11f));
    dl->AddLine(at - ImVec2(r * 0.55f, 0), at + ImVec2(r * 0.55f, 0), color, em(0.08f));
    dl->AddLine(at - ImVec2(0, r * 0.55f), at + ImVec2(0, r * 0.55f), color, em(0.08f));
}

// A circle on the unit sphere: centre + cos(t)·a + sin(t)·b. Back-facing parts are fainter.
void sphere_circle(ImDrawList* dl, const Camera& cam, const Vec3& centre, const Vec3& a, const Vec3& b, ImU32 front,
                   ImU32 back_color) {
    constexpr int kSegments = 64;
    Vec3 prev = centre + a;
    for (int i = 1; i <= kSegments; ++i) {
        const double t = 2.0 * M_PI * i / kSegments;
        const Vec3 p = centre + std::cos(t) * a + std::sin(t) * b;
        const Vec3 mid = 0.5 * (p + prev);
        // Seen from the eye, a point of the unit sphere faces us when p·back > 1/eye.
        const bool facing = cam.flat || mid.dot(cam.back) * cam.eye > mid.squaredNorm();
        dl->AddLine(cam.screen(prev), cam.screen(p), facing ? front : back_color, facing ? em(0.07f) : em(0.05f));
        prev = p;
    }
}

void draw_sphere(ImDrawList* dl, const Camera& cam, int d) {
    const Palette pal = palette();
    const ImU32 front = pal.grid, back_color = with_alpha(pal.grid, 0.45f);
    const Vec3 ex(1, 0, 0), ey(0, 1, 0), ez(0, 0, 1);
    if (d >= 3 && !cam.flat) {
        // Silhouette, then latitudes every 30° and longitudes every 45°.
        const double r = cam.zoom / std::sqrt(1.0 - 1.0 / (cam.eye * cam.eye));
        dl->AddCircle(cam.centre, static_cast<float>(std::min(r, 1e6)), with_alpha(pal.grid, 1.6f), 96, em(0.07f));
        for (int lat = -2; lat <= 2; ++lat) {
            const double phi = lat * M_PI / 6;
            sphere_circle(dl, cam, ez * std::sin(phi), ex * std::cos(phi), ey * std::cos(phi), front, back_color);
        }
        for (int lon = 0; lon < 4; ++lon) {
            const double th = lon * M_PI / 4;
            sphere_circle(dl, cam, Vec3::Zero(), ex * std::cos(th) + ey * std::sin(th), ez, front, back_color);
        }
    } else if (d >= 2) {
        sphere_circle(dl, cam, Vec3::Zero(), ex, ey, with_alpha(pal.grid, 1.6f), front);
    }
}

}  // namespace

// The sphere (circle in 2-D) and the axes. Returns the axes' ends and names: they are placed
// with the other labels, so they never sit under one or leave the canvas.
std::vector<AxisName> draw_reference(ImDrawList* dl, const Camera& cam, int d) {
    const Palette pal = palette();
    draw_sphere(dl, cam, d);
    const char* names3[] = {"x", "y", "z"};
    const char* pcs[] = {"PC1", "PC2", "PC3"};
    const Vec3 axes[] = {Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)};
    const int count = std::min(d, cam.flat ? 2 : 3);
    const ImVec2 origin = cam.screen(Vec3::Zero());
    std::vector<AxisName> names;
    for (int a = 0; a < count; ++a) {
        const ImVec2 end = cam.screen(axes[a] * kAxisEnd);
        dl->AddLine(cam.screen(-axes[a] * kAxisEnd), origin, with_alpha(pal.text_dim, 0.35f), em(0.06f));
        arrow(dl, origin, end, with_alpha(pal.text_dim, 0.8f), em(0.06f), em(0.6f));
        if (d == 1) {  // unit marks: on a line the sphere is just ±1
            for (const double t : {-1.0, 1.0}) {
                const ImVec2 p = cam.screen(axes[a] * t);
                dl->AddLine(p - ImVec2(0, em(0.3f)), p + ImVec2(0, em(0.3f)), pal.text_dim, em(0.07f));
            }
        }
        names.push_back({d > 3 ? pcs[a] : names3[a], end, end - origin});
    }
    return names;
}

// Item indices back to front, so nearer arrows cover farther ones; faded ones first of all.
std::vector<int> back_to_front(const Scene& scene, const Camera& cam) {
    std::vector<int> order(scene.items.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const Item &x = scene.items[a], &y = scene.items[b];
        if (x.faded != y.faded) return x.faded;
        return cam.depth(x.tip) > cam.depth(y.tip);
    });
    return order;
}

namespace {

void draw_item(ImDrawList* dl, const Item& it, const Camera& cam, const Stroke& st, bool highlight, float faded_alpha) {
    const ImVec2 origin = cam.screen(Vec3::Zero()), tip = cam.screen(it.tip);
    const bool strong = it.kind == Kind::Query || it.kind == Kind::Output;
    float thickness = it.faded ? st.faded : strong || it.goal ? st.strong : st.key;
    if (highlight) thickness *= 1.5f;
    // Faded: one of many keys, or a query row other than the drawn one (still clearly a query).
    const ImU32 color = it.faded ? with_alpha(it.color, it.kind == Kind::Query ? 0.55f : faded_alpha) : it.color;
    if (it.kind == Kind::Target) target_marker(dl, tip, color);
    // Many keys (N ≥ kManyKeys) are a point cloud: the unlabelled ones are dots, the top-k arrows.
    else if (it.faded && it.kind != Kind::Query) dl->AddCircleFilled(tip, std::max(1.5f, st.faded * 1.4f), with_alpha(it.color, 0.5f), 8);
    else arrow(dl, origin, tip, color, thickness, it.faded ? st.head * 0.6f : st.head);
    if (it.shortened) {  // the arrow goes on: a dashed tail past the drawn tip
        const float len = length(tip - origin);
        if (len > 1) dashed_line(dl, tip, tip + (tip - origin) * (em(2.0f) / len), with_alpha(color, 0.7f), thickness * 0.7f, em(0.3f));
    }
    if (it.goal && it.kind == Kind::Key) dl->AddCircle(tip, em(0.45f), color, 24, em(0.09f));  // the goal's keys
    if (highlight) dl->AddCircle(tip, em(0.7f), with_alpha(it.color, 0.6f), 24, em(0.06f));
}

}  // namespace

void draw_arrows(ImDrawList* dl, const Scene& scene, const Camera& cam, const std::vector<int>& order, int hovered,
                 int dragging) {
    const Stroke st = Stroke::current();
    // The more keys fade, the fainter each: 256 faint arrows must not add up to a solid ball.
    const float faded_alpha = std::clamp(2.0f / std::sqrt(static_cast<float>(std::max(1, scene.N))), 0.12f, 0.3f);
    const Item* output = nullptr;
    const Item* target = nullptr;
    for (const Item& it : scene.items) {
        if (it.kind == Kind::Output) output = &it;
        if (it.kind == Kind::Target) target = &it;
    }
    if (output && target)  // the gap the exercise asks to close
        dashed_line(dl, cam.screen(output->tip), cam.screen(target->tip), with_alpha(palette().target, 0.7f), st.grid,
                    em(0.25f));
    for (const int i : order) {
        const Item& it = scene.items[i];
        draw_item(dl, it, cam, st, i == hovered || (it.kind == Kind::Query && it.row == dragging), faded_alpha);
    }
}

// =============================================================================================
// [SECTION] Labels: placement, drawing and the layout audit
// =============================================================================================

namespace {

// Which labels get the best spots: the drawn query, the output, the target, the goal's keys,
// the other queries, then keys and values by weight.
int label_rank(const Item& it) {
    switch (it.kind) {
    case Kind::Query: return it.faded ? 4 : 0;
    case Kind::Output: return 1;
    case Kind::Target: return 2;
    default: return it.goal ? 3 : 5;
    }
}

struct LabelJobs {
    std::vector<std::string> texts;
    std::vector<ImU32> colors;
    std::vector<LabelRequest> requests;
    std::vector<ImVec2> markers;
    void add(std::string text, ImU32 color, const LabelRequest& req) {
        texts.push_back(std::move(text));
        colors.push_back(color);
        requests.push_back(req);
    }
};

ImVec2 label_size(const std::string& text, float pad) {
    const ImVec2 t = ImGui::CalcTextSize(text.c_str());
    return ImVec2(t.x + 2 * pad, t.y + 2 * pad);
}

// Scene labels by rank, each sized in the current font; items whose tip is off the canvas get none.
void add_item_labels(LabelJobs& jobs, const Scene& scene, const Camera& cam, const LabelRect& bounds, float pad) {
    std::vector<int> order;
    for (int i = 0; i < static_cast<int>(scene.items.size()); ++i) {
        const Item& it = scene.items[i];
        const ImVec2 tip = cam.screen(it.tip);
        const bool visible = rect_distance(bounds, tip) == 0.0f;
        if (visible && !it.faded) jobs.markers.push_back(tip);
        if (visible && !it.label.empty()) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const Item &x = scene.items[a], &y = scene.items[b];
        if (label_rank(x) != label_rank(y)) return label_rank(x) < label_rank(y);
        return x.weight > y.weight;
    });
    const ImVec2 origin = cam.screen(Vec3::Zero());
    for (const int i : order) {
        const Item& it = scene.items[i];
        // A long label (the shortened query's length) gives way to its short form in a narrow canvas.
        std::string label = it.label;
        if (!it.short_label.empty() && label_size(label, pad).x > 0.4f * (bounds.x1 - bounds.x0)) label = it.short_label;
        const ImVec2 tip = cam.screen(it.tip);
        LabelRequest req{tip, label_size(label, pad), tip - origin, label_rank(it) <= 2};
        if (it.kind == Kind::Target) req.extra_gap = target_radius();
        else if (it.goal && it.kind == Kind::Key) req.extra_gap = em(0.3f);  // off the goal's ring
        jobs.add(std::move(label), it.color, req);
    }
}

void paint_label(ImDrawList* dl, ImU32 color, const std::string& text, const LabelPlacement& p, ImVec2 tip, float pad) {
    const LabelRect& r = p.rect;
    if (p.leader) dl->AddLine(tip, nearest_point(r, tip), with_alpha(color, 0.7f), em(0.05f));
    dl->AddRectFilled(ImVec2(r.x0, r.y0), ImVec2(r.x1, r.y1), ImGui::GetColorU32(ImGuiCol_WindowBg, 0.85f), em(0.2f));
    dl->AddText(ImVec2(r.x0 + pad, r.y0 + pad), color, text.c_str());
}

// The layout test's evidence: every pair of drawn labels (axis names included) that overlaps,
// and every label outside the canvas. With the placement above both stay empty.
void audit_labels(LayoutAudit& audit, const LabelJobs& jobs, const std::vector<LabelPlacement>& placed,
                  const LabelRect& bounds) {
    for (size_t i = 0; i < placed.size(); ++i) {
        if (!placed[i].placed) continue;
        if (!rect_inside(placed[i].rect, bounds)) audit.report(kGeometryId, kLabelOutside, jobs.texts[i]);
        for (size_t j = i + 1; j < placed.size(); ++j)
            if (placed[j].placed && rects_overlap(placed[i].rect, placed[j].rect))
                audit.report(kGeometryId, kLabelOverlap, jobs.texts[i] + " / " + jobs.texts[j]);
    }
}

}  // namespace

// Labels last, on top of every arrow: the axis names first (short, at the sphere's edge), then
// the scene's by rank; none overlaps another, each by its tip (a thin leader line when it had
// to move off). What finds no spot stays unlabelled; the tooltip still names it.
void draw_labels(AppState& state, ImDrawList* dl, const Scene& scene, const Camera& cam, const LabelRect& bounds,
                 const std::vector<AxisName>& axes) {
    const float pad = em(0.12f);
    LabelJobs jobs;
    for (const AxisName& a : axes) jobs.add(a.name, palette().text_dim, {a.tip, label_size(a.name, pad), a.outward, false});
    add_item_labels(jobs, scene, cam, bounds, pad);
    PlacementOptions options;
    options.bounds = bounds;
    options.gap = em(0.25f);
    options.step = em(0.55f);
    options.rings = 5;
    options.marker_radius = em(0.35f);
    const std::vector<LabelPlacement> placed = place_labels(jobs.requests, jobs.markers, {}, options);
    for (size_t k = 0; k < placed.size(); ++k)
        if (placed[k].placed) paint_label(dl, jobs.colors[k], jobs.texts[k], placed[k], jobs.requests[k].anchor, pad);
    audit_labels(state.layout_audit, jobs, placed, bounds);
}

}  // namespace attn::app::geometry
