// attnlab app: what the geometry panel's three files share. panel_geometry.cpp is the panel (the
// header's controls and captions, the canvas, the mouse); geometry_scene.cpp holds the camera
// (world → screen and back) and the scene (every vector in display coordinates: projected, scaled
// down, queries shortened, keys labelled or faded, and the captions that say so);
// geometry_draw.cpp draws the sphere, the axes, the arrows and the markers, and places the labels
// (app/layout/label_placement.h) and audits them.
//
// Calling rules
// - Included only by those three files; the panel's entry point is draw_geometry_panel (panels.h).
// - Everything here needs a current ImGui context and font (sizes are in em units, labels are
//   measured): call between ImGui::NewFrame() and ImGui::Render(); the draw_* functions inside the
//   panel's window, on its draw list.
// - build_scene() reads the workspace only and needs one with data: at least one key, every key
//   finite, queries as wide as the keys, no error. It drops any item whose tip is not finite, so
//   Camera::screen() only sees finite points (and clamps its result to ±1e6 px).
// - One frame draws in this order: build_scene, make_camera, draw_reference, draw_arrows in
//   back_to_front() order, draw_labels last (on top); draw_labels records the labels that overlap
//   or leave the canvas in state.layout_audit.
// - key_or_value_info() writes one key's or value's tooltip: call it for the item under the mouse
//   only (with 1024 keys, every tooltip every frame is too slow).
#pragma once

#include "app/app_state.h"
#include "app/layout/label_placement.h"
#include "core/math/projection.h"

#include <imgui.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace attn::app::geometry {

// Defaults match ViewSession's; the clamps keep the view usable and the session file valid.
constexpr float kDefaultYaw = 0.6f;
constexpr float kDefaultPitch = 0.35f;
constexpr float kDefaultDistance = 3.2f;
constexpr float kMaxPitch = 1.5f;
constexpr float kMinDistance = 1.2f;
constexpr float kMaxDistance = 20.0f;
// Queries longer than this (in world units) are drawn shortened, direction kept.
constexpr double kQueryFit = 1.3;
// How many query rows get their own arrow; more would hide the keys.
constexpr int kMaxQueryArrows = 8;
// From this many keys on, only the top-k by weight are labelled and the rest fade.
constexpr int kManyKeys = 32;
constexpr int kDefaultTopK = 5;
constexpr int kMaxTopK = 20;
// The axes reach 1.25 (their names are placed by them like any label); the view fits at
// least kMinFit.
constexpr double kAxisEnd = 1.25;
constexpr double kMinFit = 1.3;

using Vec3 = Eigen::Vector3d;

inline ImVec2 operator+(ImVec2 a, ImVec2 b) { return ImVec2(a.x + b.x, a.y + b.y); }
inline ImVec2 operator-(ImVec2 a, ImVec2 b) { return ImVec2(a.x - b.x, a.y - b.y); }
inline ImVec2 operator*(ImVec2 a, float s) { return ImVec2(a.x * s, a.y * s); }
inline float length(ImVec2 a) { return std::sqrt(a.x * a.x + a.y * a.y); }

// ---- Camera: world → screen and back (geometry_scene.cpp) ------------------------------------------

// Orbit camera around the origin, z up, or (flat) looking straight down on the x-y plane.
// Perspective is mild: the eye sits at least kEye and three scene radii away.
struct Camera {
    static constexpr double kEye = 6.0;
    ImVec2 centre;
    double zoom = 1;  // px per world unit at the origin's depth
    double eye = kEye;
    bool flat = false;
    Vec3 right, up, back;  // back points from the origin towards the viewer

    Vec3 view(const Vec3& p) const { return Vec3(p.dot(right), p.dot(up), p.dot(back)); }
    double scale_at(double toward_viewer) const {
        return flat ? zoom : zoom * eye / (eye - std::min(toward_viewer, 0.8 * eye));
    }
    ImVec2 screen(const Vec3& p) const {
        const Vec3 v = view(p);
        const double s = scale_at(v.z());
        // Clamped far beyond any canvas: ImGui never gets a huge coordinate.
        const auto px = [](double x) { return static_cast<float>(std::clamp(x, -1e6, 1e6)); };
        return ImVec2(centre.x + px(s * v.x()), centre.y - px(s * v.y()));
    }
    double depth(const Vec3& p) const { return -p.dot(back); }  // larger = farther away
    // A mouse move (px) as a move in the plane parallel to the screen through `at`.
    Vec3 unproject_delta(ImVec2 delta, const Vec3& at) const {
        const double s = scale_at(at.dot(back));
        return right * (delta.x / s) - up * (delta.y / s);
    }
};

// Fits a ball of `radius` (every tip, the sphere and the axis names) into the canvas less
// `margin` for labels; camera_distance zooms relative to that fit (the default shows it all).
Camera make_camera(const ViewSession& view, ImVec2 pos, ImVec2 size, double radius, bool flat, float margin);
// Non-finite numbers back to the defaults, pitch and distance within their limits, yaw kept small.
void clamp_camera(ViewSession& view);

// ---- Scene: what to draw, in display coordinates (geometry_scene.cpp) ------------------------------

enum class Kind { Key, Value, Query, Output, Target };

struct Item {
    Kind kind;
    int row = 0;
    Vec3 tip;           // display coordinates (projected, queries possibly shortened)
    ImU32 color;
    std::string label;  // empty: not labelled (the tooltip still names it)
    std::string info;   // the tooltip; keys and values: empty, see key_or_value_info
    std::string short_label = {};  // used when `label` is too wide for the canvas; empty: label only
    bool shortened = false;
    bool faded = false;      // one of many keys (or values) outside the top-k: drawn faint
    bool goal = false;       // a key (or its value) the goal selects or averages: ringed
    double weight = -1;      // the drawn row's weight for a key or value; -1 when unknown
    double query_scale = 1;  // query: true vector = display vector × this (in the projection)
};

struct Caption {
    std::string text, detail;  // shown; in the tooltip
};

struct Scene {
    int d = 0, dv = 0, n = 0, N = 0;
    int row = 0;        // the query row whose weights, output and target are drawn
    bool flat = false;  // d ≤ 2 without 3-D values: seen from above
    Projection projection;
    bool values_drawn = false;
    std::vector<Item> items;
    std::vector<Caption> captions;
    std::vector<int> goal_keys;
    double radius = 1;  // longest display vector, for the fit
    bool have_weights = false;  // the drawn row's weights are known
    std::string weight_of;      // "weight from q3"
};

// The scene for query row `row` (clamped to the queries) with `top_k` keys labelled when there
// are many; a query being dragged (`dragged_row`, or -1) keeps the shortening it started with.
Scene build_scene(const AppState& state, int row, int top_k, int dragged_row, double dragged_scale);
// The radius the view fits: every tip (a drag holds the radius it started with, so the view
// stays still under the mouse).
double fit_radius(const Scene& scene);
// A key's or value's tooltip, written only for the one under the mouse: with 1024 keys of 64
// numbers, writing every tooltip every frame cost more than the rest of the frame.
std::string key_or_value_info(const AppState& state, const Scene& s, const Item& it);

// ---- Drawing: reference, arrows and labels (geometry_draw.cpp) -------------------------------------

struct AxisName {
    std::string name;
    ImVec2 tip, outward;
};

// The sphere (circle in 2-D) and the axes. Returns the axes' ends and names: they are placed
// with the other labels, so they never sit under one or leave the canvas.
std::vector<AxisName> draw_reference(ImDrawList* dl, const Camera& cam, int d);
// Item indices back to front, so nearer arrows cover farther ones; faded ones first of all.
std::vector<int> back_to_front(const Scene& scene, const Camera& cam);
// Every item in `order`; the item `hovered` and the query row `dragging` highlighted (-1: none);
// the gap between the output and the target dashed.
void draw_arrows(ImDrawList* dl, const Scene& scene, const Camera& cam, const std::vector<int>& order, int hovered,
                 int dragging);
// Labels last, on top of every arrow: the axis names first (short, at the sphere's edge), then
// the scene's by rank; none overlaps another, each by its tip (a thin leader line when it had
// to move off). What finds no spot stays unlabelled; the tooltip still names it.
void draw_labels(AppState& state, ImDrawList* dl, const Scene& scene, const Camera& cam, const LabelRect& bounds,
                 const std::vector<AxisName>& axes);

}  // namespace attn::app::geometry
