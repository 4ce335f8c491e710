// attnlab app: the geometry panel. Keys, values, queries, the output and the target as arrows
// from the origin in a 3-D view with the unit sphere; for d ≠ 3 the keys' principal axes
// (core/projection.h), labelled as a projection.
//
// [SECTION] Camera: world → screen and back
// [SECTION] Scene: what to draw, in display coordinates
// [SECTION] Drawing helpers
// [SECTION] The panel
//
// The camera lives in state.settings.view (the viewer's, autosaved, not an undo step). The only
// per-panel memory is the running query drag, kept in the window's ImGuiStorage.
#include "app/panels.h"
#include "app/ui_common.h"
#include "core/projection.h"
#include "core/text.h"

#include <algorithm>
#include <functional>
#include <cmath>
#include <string>
#include <vector>

namespace attn::app {

namespace {

// Defaults match ViewSession's; the clamps keep the view usable and the session file valid.
constexpr float kDefaultYaw = 0.6f;
constexpr float kDefaultPitch = 0.35f;
constexpr float kDefaultDistance = 3.2f;
constexpr float kMaxPitch = 1.5f;
constexpr float kMinDistance = 1.2f;
constexpr float kMaxDistance = 20.0f;
// Queries longer than this (in world units) are drawn shortened, direction kept.
constexpr double kQueryFit = 1.5;
// How many query rows get their own arrow; more would hide the keys.
constexpr int kMaxQueryArrows = 8;
// Labels only up to this many keys/values; beyond it the tooltips carry the names.
constexpr int kMaxLabelled = 24;

using Vec3 = Eigen::Vector3d;

ImVec2 operator+(ImVec2 a, ImVec2 b) { return ImVec2(a.x + b.x, a.y + b.y); }
ImVec2 operator-(ImVec2 a, ImVec2 b) { return ImVec2(a.x - b.x, a.y - b.y); }
ImVec2 operator*(ImVec2 a, float s) { return ImVec2(a.x * s, a.y * s); }
float length(ImVec2 a) { return std::sqrt(a.x * a.x + a.y * a.y); }

// Multiplies the colour's alpha (factors above 1 strengthen a faint colour, up to opaque).
ImU32 with_alpha(ImU32 color, float factor) {
    const float scaled = static_cast<float>((color >> IM_COL32_A_SHIFT) & 0xFF) * std::max(0.0f, factor);
    const int a = static_cast<int>(std::min(255.0f, scaled));
    return (color & ~IM_COL32_A_MASK) | (static_cast<ImU32>(a) << IM_COL32_A_SHIFT);
}

// =============================================================================================
// [SECTION] Camera: world → screen and back
// =============================================================================================

// Orbit camera around the origin, z up. Perspective is mild and independent of the zoom: the
// eye sits at least kEye away, so zooming in never puts a long key behind the camera.
struct Camera {
    static constexpr double kEye = 6.0;
    ImVec2 centre;
    double zoom = 1;  // px per world unit at the origin's depth
    double eye = kEye;
    Vec3 right, up, back;  // back points from the origin towards the viewer

    Vec3 view(const Vec3& p) const { return Vec3(p.dot(right), p.dot(up), p.dot(back)); }
    double scale_at(double toward_viewer) const {
        return zoom * eye / (eye - std::min(toward_viewer, 0.8 * eye));
    }
    ImVec2 screen(const Vec3& p) const {
        const Vec3 v = view(p);
        const double s = scale_at(v.z());
        return ImVec2(centre.x + static_cast<float>(s * v.x()), centre.y - static_cast<float>(s * v.y()));
    }
    double depth(const Vec3& p) const { return -p.dot(back); }  // larger = farther away
    // A mouse move (px) as a move in the plane parallel to the screen through `at`.
    Vec3 unproject_delta(ImVec2 delta, const Vec3& at) const {
        const double s = scale_at(at.dot(back));
        return right * (delta.x / s) - up * (delta.y / s);
    }
};

Camera make_camera(const ViewSession& view, ImVec2 pos, ImVec2 size) {
    Camera c;
    c.centre = ImVec2(pos.x + size.x * 0.5f, pos.y + size.y * 0.5f);
    const double distance = std::clamp(static_cast<double>(view.camera_distance), 0.1, 1000.0);
    // At the default distance the unit sphere fills about half the canvas, leaving room for
    // arrows up to kQueryFit long and their labels.
    c.zoom = 0.5 * std::max(1.0f, std::min(size.x, size.y)) * 1.5 / distance;
    c.eye = std::max(Camera::kEye, distance);
    const double yaw = view.camera_yaw, pitch = view.camera_pitch;
    c.back = Vec3(std::cos(pitch) * std::cos(yaw), std::cos(pitch) * std::sin(yaw), std::sin(pitch));
    c.right = Vec3(-std::sin(yaw), std::cos(yaw), 0);
    c.up = c.back.cross(c.right);
    return c;
}

void clamp_camera(ViewSession& view) {
    if (!std::isfinite(view.camera_yaw)) view.camera_yaw = kDefaultYaw;
    if (!std::isfinite(view.camera_pitch)) view.camera_pitch = kDefaultPitch;
    if (!std::isfinite(view.camera_distance)) view.camera_distance = kDefaultDistance;
    // Keep yaw small so the saved number stays readable after many turns.
    view.camera_yaw = std::remainder(view.camera_yaw, 2.0f * static_cast<float>(M_PI));
    view.camera_pitch = std::clamp(view.camera_pitch, -kMaxPitch, kMaxPitch);
    view.camera_distance = std::clamp(view.camera_distance, kMinDistance, kMaxDistance);
}

// =============================================================================================
// [SECTION] Scene: what to draw, in display coordinates
// =============================================================================================

enum class Kind { Key, Value, Query, Output, Target };

struct Item {
    Kind kind;
    int row = 0;
    Vec3 tip;           // display coordinates (projected, queries possibly shortened)
    ImU32 color;
    std::string label;  // may be empty (many keys)
    std::string info;   // the tooltip
    bool shortened = false;
    double query_scale = 1;  // query: true vector = display vector × this (in the projection)
};

struct Scene {
    int d = 0, dv = 0;
    Projection projection;
    bool values_drawn = false;
    std::vector<Item> items;
    std::vector<std::string> captions;
    double radius = 1;  // longest display vector, for "Reset view"
};

Vec3 to3(const Eigen::VectorXd& v) {
    Vec3 out = Vec3::Zero();
    for (int i = 0; i < std::min<int>(3, static_cast<int>(v.size())); ++i) out(i) = v(i);
    return out;
}

std::string vec_text(const Eigen::VectorXd& v) { return format_vector(v.data(), static_cast<int>(v.size()), 2); }

std::string query_label(int row, int n) { return n == 1 ? std::string("q") : format("q%d", row); }


// The largest |entry| of a matrix's rows that are drawn; 0 for none. Entries are finite (the
// workspace's tensors are validated), but may be as large as a double allows.
double largest_entry(const Eigen::MatrixXd& m) { return m.size() == 0 ? 0.0 : m.cwiseAbs().maxCoeff(); }

// Vectors are drawn at their true size while every entry is at most kTrueSizeUpTo; beyond that
// the whole picture is shrunk by one factor (shown in a caption), so a value of 1e6 or 3e38 is
// drawn as a long arrow instead of coordinates no renderer can take.
constexpr double kTrueSizeUpTo = 3.0;

// x / scale without overflow or underflow, for any finite x and scale > 0.
Eigen::VectorXd scaled_down(const Eigen::VectorXd& x, double scale) { return scale > 0 ? Eigen::VectorXd(x / scale) : x; }

struct SceneContext {
    const AppState& state;
    const Workspace& w;
    std::function<Vec3(const Eigen::VectorXd&)> project3;  // projects a vector already scaled down
    double largest = 1;   // the divisor that brings every drawn entry to at most 1
    double world = 1;     // display length = true length × world (≤ 1)
    const char* weight_of = "";
    bool have_weights = false;
    // The true vector x drawn in display coordinates: x / largest projected, × largest·world.
    Vec3 display(const Eigen::VectorXd& x) const { return project3(scaled_down(x, largest)) * (largest * world); }
    // Values, output and target (dv = 3) use their own axes: the same scaling, no projection.
    Vec3 unprojected(const Eigen::VectorXd& x) const { return to3(scaled_down(x, largest)) * (largest * world); }
};

void add_keys_and_values(const SceneContext& c, Scene& s, double& radius) {
    const Eigen::MatrixXd& keys = c.w.keys;
    const int N = static_cast<int>(keys.rows());
    for (int j = 0; j < N; ++j) {
        Item it{Kind::Key, j, c.display(keys.row(j).transpose()), key_color(j, N), {}, {}};
        it.label = N <= kMaxLabelled ? format("k%d", j) : std::string();
        it.info = format("k%d = %s", j, vec_text(keys.row(j).transpose()).c_str());
        if (c.have_weights)
            it.info += format(", %s %.3f (%s %s)", c.weight_of, c.w.result.weights(0, j), tr(c.state, "logit", "logit"),
                              compact_number(c.w.result.logits(0, j)).c_str());
        radius = std::max(radius, it.tip.norm());
        s.items.push_back(std::move(it));
    }
    if (!s.values_drawn) return;
    for (int j = 0; j < N; ++j) {
        const Eigen::VectorXd v = c.w.values.row(j).transpose();
        Item it{Kind::Value, j, c.unprojected(v), value_color(j, N), {}, {}};
        it.label = N <= kMaxLabelled ? format("v%d", j) : std::string();
        it.info = format("v%d = %s", j, vec_text(v).c_str());
        if (c.have_weights) it.info += format(", %s %.3f", c.weight_of, c.w.result.weights(0, j));
        radius = std::max(radius, it.tip.norm());
        s.items.push_back(std::move(it));
    }
}

void add_output_and_target(const SceneContext& c, Scene& s, double& radius) {
    const Workspace& w = c.w;
    const Palette pal = palette();
    const int n = static_cast<int>(w.queries.rows());
    const bool have_output = s.values_drawn && w.result.output.rows() >= 1 && w.result.output.cols() == 3 &&
                             w.result.output.row(0).allFinite();
    const bool have_target = s.values_drawn && w.target.rows() >= 1 && w.target.cols() == 3 && w.target.row(0).allFinite();
    if (have_output) {
        Item it{Kind::Output, 0, c.unprojected(w.result.output.row(0).transpose()), pal.output, tr(c.state, "out", "输出"), {}};
        it.info = format("out%s = %s", n == 1 ? "" : "0", vec_text(w.result.output.row(0).transpose()).c_str()) +
                  tr(c.state, "\nthe weighted average of the values", "\n值向量的加权平均");
        radius = std::max(radius, it.tip.norm());
        s.items.push_back(std::move(it));
    }
    if (have_target) {
        Item it{Kind::Target, 0, c.unprojected(w.target.row(0).transpose()), pal.target, tr(c.state, "target", "目标"), {}};
        it.info = format("%s = %s", tr(c.state, "target", "目标"), vec_text(w.target.row(0).transpose()).c_str());
        if (have_output)
            it.info += format(tr(c.state, "\nlargest |target - out| = %.3g", "\n|目标 - out| 的最大分量 = %.3g"),
                              (w.target.row(0) - w.result.output.row(0)).cwiseAbs().maxCoeff());
        radius = std::max(radius, it.tip.norm());
        s.items.push_back(std::move(it));
    }
}

// Long queries (a Solve gives |q| of 30-100) keep their direction and are drawn at a length that
// fits next to the keys; the label says so. Returns whether any was shortened.
bool add_queries(const SceneContext& c, Scene& s, double fit, int dragged_row, double dragged_scale) {
    const Workspace& w = c.w;
    const int n = static_cast<int>(w.queries.rows());
    const int shown = std::min(n, kMaxQueryArrows);
    bool any_shortened = false;
    for (int i = 0; i < shown; ++i) {
        const Eigen::VectorXd q = w.queries.row(i).transpose();
        if (!q.allFinite()) continue;
        const double big = largest_entry(q.transpose());
        const Eigen::VectorXd unit_scaled = scaled_down(q, big);  // entries ≤ 1: norms cannot overflow
        const double norm = big * unit_scaled.norm();              // |q|, +inf only beyond 1e308
        Item it{Kind::Query, i, {}, palette().query, query_label(i, n), {}};
        // true vector = display vector × query_scale (in the projection)
        it.query_scale = i == dragged_row ? dragged_scale : norm * c.world > fit ? norm / fit : 1.0 / c.world;
        it.tip = c.project3(unit_scaled) * (big / it.query_scale);
        it.shortened = norm * c.world > fit;
        // One query gets its length in the label; several would bury the picture in text.
        if (it.shortened && n == 1)
            it.label += format(tr(c.state, "\n|q| = %s (scaled to fit)", "\n|q| = %s（缩短显示）"), compact_number(norm).c_str());
        any_shortened = any_shortened || it.shortened;
        it.info = format("%s = %s, |%s| = %s", query_label(i, n).c_str(), vec_text(q).c_str(), query_label(i, n).c_str(),
                         compact_number(norm).c_str());
        if (it.shortened)
            it.info += format(tr(c.state, "\ndrawn %s times shorter to fit", "\n为适应视图缩短为 1/%s"),
                              compact_number(it.query_scale).c_str());
        if (w.queries_editable) it.info += tr(c.state, "\ndrag the tip to move it", "\n拖动箭头尖端可移动它");
        s.items.push_back(std::move(it));
    }
    if (n > shown)
        s.captions.push_back(format(tr(c.state, "Showing the first %d of %d queries.", "只显示 %d 个查询（共 %d 个）。"), shown, n));
    return any_shortened;
}

void add_captions(const AppState& state, Scene& s, double world, bool any_shortened, int n, double fit) {
    if (s.d > 3)
        s.captions.push_back(format(tr(state,
                                       "d = %d: a projection onto the keys' top 3 principal axes (PCA about the origin, "
                                       "%.0f%% of their squared length). Angles and lengths are not the true %d-D ones.",
                                       "d = %d：投影到键向量的前 3 个主方向（以原点为中心的 PCA，保留其平方长度的 "
                                       "%.0f%%）。角度和长度并非真实的 %d 维数值。"),
                                    s.d, 100.0 * s.projection.explained, s.d));
    else if (s.d == 2)
        s.captions.push_back(tr(state, "d = 2: shown in the z = 0 plane.", "d = 2：画在 z = 0 平面内。"));
    else if (s.d == 1)
        s.captions.push_back(tr(state, "d = 1: shown on the x axis.", "d = 1：画在 x 方向的直线上。"));
    if (!s.values_drawn)
        s.captions.push_back(format(tr(state, "Values, output and target live in %d-D (dv = %d), not drawn here.",
                                       "值、输出和目标位于 %d 维空间（dv = %d），此处不画。"),
                                    s.dv, s.dv));
    else if (s.d != 3)
        s.captions.push_back(tr(state, "Values, output and target (dv = 3) use their own x, y, z axes, unprojected.",
                                "值、输出和目标（dv = 3）使用自己的 x、y、z 坐标，未投影。"));
    if (world < 1)
        s.captions.push_back(format(tr(state, "Large numbers: everything is drawn %s times smaller than its true length.",
                                       "数值很大：所有向量都按真实长度的 1/%s 绘制。"),
                                    compact_number(1.0 / world).c_str()));
    if (any_shortened && n > 1)
        s.captions.push_back(format(tr(state, "Queries longer than %.1f are drawn shortened; a dashed tail marks them.",
                                       "长度超过 %.1f 的查询缩短显示，并带虚线尾巴。"),
                                    fit));
}

Scene build_scene(const AppState& state, int dragged_row, double dragged_scale) {
    const Workspace& w = state.workspace;
    Scene s;
    s.d = static_cast<int>(w.keys.cols());
    s.dv = static_cast<int>(w.values.cols());
    const int N = static_cast<int>(w.keys.rows());
    const int n = static_cast<int>(w.queries.rows());
    s.values_drawn = s.dv == 3 && w.values.rows() == N;

    SceneContext c{state, w, {}};
    c.largest = largest_entry(w.keys);
    if (s.values_drawn) {
        c.largest = std::max({c.largest, largest_entry(w.values), largest_entry(w.target)});
        if (w.result.output.allFinite()) c.largest = std::max(c.largest, largest_entry(w.result.output));
    }
    // The projection of the keys scaled to entries ≤ 1 is the same projection (PCA does not
    // depend on the scale) computed without squaring 3e38.
    s.projection = principal_axes(c.largest > 0 ? Eigen::MatrixXd(w.keys / c.largest) : w.keys, 3, Centre::Origin);
    c.project3 = [&s](const Eigen::VectorXd& x) { return to3(project(s.projection, x)); };
    if (!(c.largest > 0)) c.largest = 1;
    c.world = c.largest > kTrueSizeUpTo ? kTrueSizeUpTo / c.largest : 1.0;
    c.have_weights = n >= 1 && w.result.weights.rows() == n && w.result.weights.cols() == N;
    c.weight_of = n == 1 ? tr(state, "weight", "权重") : tr(state, "weight from q0", "q0 给它的权重");

    double radius = 0;
    add_keys_and_values(c, s, radius);
    add_output_and_target(c, s, radius);
    const double fit = std::max(kQueryFit, radius);
    const bool any_shortened = add_queries(c, s, fit, dragged_row, dragged_scale);
    s.radius = std::max({radius, fit, 1.0});

    // Whatever slipped through, nothing non-finite reaches the screen.
    s.items.erase(std::remove_if(s.items.begin(), s.items.end(), [](const Item& it) { return !it.tip.allFinite(); }),
                  s.items.end());
    add_captions(state, s, c.world, any_shortened, n, fit);
    return s;
}

// =============================================================================================
// [SECTION] Drawing helpers
// =============================================================================================

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

void arrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 color, float thickness) {
    const float len = length(to - from);
    if (!(len > em(0.3f))) {  // pointing at the viewer: a dot says where the tip is
        dl->AddCircleFilled(to, thickness * 1.8f, color);
        return;
    }
    const ImVec2 dir = (to - from) * (1.0f / len);
    const ImVec2 normal(-dir.y, dir.x);
    const float head = std::min(em(0.65f), 0.45f * len);
    const ImVec2 base = to - dir * head;
    dl->AddLine(from, base + dir * 1.0f, color, thickness);
    dl->AddTriangleFilled(to, base + normal * (head * 0.38f), base - normal * (head * 0.38f), color);
}

void target_marker(ImDrawList* dl, ImVec2 at, ImU32 color) {
    const float r = em(0.45f);
    dl->AddCircle(at, r, color, 24, em(0.1f));
    dl->AddLine(at - ImVec2(r * 0.55f, 0), at + ImVec2(r * 0.55f, 0), color, em(0.07f));
    dl->AddLine(at - ImVec2(0, r * 0.55f), at + ImVec2(0, r * 0.55f), color, em(0.07f));
}

float overlap(const ImVec4& a, const ImVec4& b) {
    const float w = std::min(a.z, b.z) - std::max(a.x, b.x), h = std::min(a.w, b.w) - std::max(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
}

// Labels sit next to their tip on a backdrop; each tries a few spots and takes the one that
// covers the fewest labels already placed, so close tips do not pile text on text.
class Labeller {
public:
    Labeller(ImDrawList* dl, ImVec4 bounds) : dl_(dl), bounds_(bounds) {}

    // gap: from the tip to the box, in font units (more for markers wider than a tip).
    void place(const std::string& text, ImVec2 tip, ImVec2 outward, ImU32 color, float gap_em) {
        if (text.empty()) return;
        const ImVec2 size = ImGui::CalcTextSize(text.c_str());
        const float pad = em(0.15f), gap = em(gap_em);
        const ImVec2 normal(-outward.y, outward.x);
        const ImVec2 spots[] = {outward, normal, normal * -1.0f, outward * 2.2f, (outward + normal) * 1.6f,
                                (outward - normal) * 1.6f, outward * -1.0f};
        ImVec4 best;
        float best_cost = -1;
        for (const ImVec2& spot : spots) {
            // Anchor the box by its side that faces the tip, so text never covers its own tip.
            const ImVec2 c = tip + spot * gap + ImVec2(spot.x * size.x * 0.5f, spot.y * size.y * 0.5f);
            ImVec4 box(c.x - size.x * 0.5f - pad, c.y - size.y * 0.5f - pad, c.x + size.x * 0.5f + pad,
                       c.y + size.y * 0.5f + pad);
            // Keep it inside the canvas.
            const float dx = std::max(0.0f, bounds_.x - box.x) - std::max(0.0f, box.z - bounds_.z);
            const float dy = std::max(0.0f, bounds_.y - box.y) - std::max(0.0f, box.w - bounds_.w);
            box = ImVec4(box.x + dx, box.y + dy, box.z + dx, box.w + dy);
            float cost = 0;
            for (const ImVec4& other : placed_) cost += overlap(box, other);
            if (best_cost < 0 || cost < best_cost) {
                best_cost = cost;
                best = box;
            }
            if (cost == 0) break;
        }
        placed_.push_back(best);
        dl_->AddRectFilled(ImVec2(best.x, best.y), ImVec2(best.z, best.w), ImGui::GetColorU32(ImGuiCol_WindowBg, 0.8f),
                           em(0.2f));
        dl_->AddText(ImVec2(best.x + pad, best.y + pad), color, text.c_str());
    }

    // Text that sits at a fixed place (axis names): later labels avoid it.
    void reserve(ImVec2 min, ImVec2 max) { placed_.push_back(ImVec4(min.x, min.y, max.x, max.y)); }

private:
    ImDrawList* dl_;
    ImVec4 bounds_;
    std::vector<ImVec4> placed_;
};

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
        const bool facing = mid.dot(cam.back) * cam.eye > mid.squaredNorm();
        dl->AddLine(cam.screen(prev), cam.screen(p), facing ? front : back_color, facing ? em(0.07f) : em(0.05f));
        prev = p;
    }
}

void draw_reference(ImDrawList* dl, const Camera& cam, int d, Labeller& labels) {
    const Palette pal = palette();
    const ImU32 front = pal.grid, back_color = with_alpha(pal.grid, 0.45f);
    const Vec3 ex(1, 0, 0), ey(0, 1, 0), ez(0, 0, 1);
    if (d >= 3) {
        // Silhouette, then latitudes every 30° and longitudes every 45°.
        const double r = cam.zoom / std::sqrt(1.0 - 1.0 / (cam.eye * cam.eye));
        dl->AddCircle(cam.centre, static_cast<float>(r), with_alpha(pal.grid, 1.6f), 96, em(0.07f));
        for (int lat = -2; lat <= 2; ++lat) {
            const double phi = lat * M_PI / 6;
            sphere_circle(dl, cam, ez * std::sin(phi), ex * std::cos(phi), ey * std::cos(phi), front, back_color);
        }
        for (int lon = 0; lon < 4; ++lon) {
            const double th = lon * M_PI / 4;
            sphere_circle(dl, cam, Vec3::Zero(), ex * std::cos(th) + ey * std::sin(th), ez, front, back_color);
        }
    } else if (d == 2) {
        sphere_circle(dl, cam, Vec3::Zero(), ex, ey, front, front);
    }

    const char* names3[] = {"x", "y", "z"};
    const char* pcs[] = {"PC1", "PC2", "PC3"};
    const Vec3 axes[] = {ex, ey, ez};
    const int count = std::min(d, 3);
    for (int a = 0; a < count; ++a) {
        const ImU32 axis_color = with_alpha(pal.text_dim, 0.8f);
        dl->AddLine(cam.screen(-axes[a] * 1.25), cam.screen(Vec3::Zero()), with_alpha(pal.text_dim, 0.35f), em(0.06f));
        arrow(dl, cam.screen(Vec3::Zero()), cam.screen(axes[a] * 1.25), axis_color, em(0.06f));
        if (d == 1) {  // unit marks: on a line the sphere is just ±1
            for (const double t : {-1.0, 1.0}) {
                const ImVec2 p = cam.screen(axes[a] * t);
                dl->AddLine(p - ImVec2(0, em(0.3f)), p + ImVec2(0, em(0.3f)), pal.text_dim, em(0.07f));
            }
        }
        const char* name = d > 3 ? pcs[a] : names3[a];
        const ImVec2 at = cam.screen(axes[a] * 1.4);
        const ImVec2 size = ImGui::CalcTextSize(name);
        dl->AddText(at - size * 0.5f, pal.text_dim, name);
        labels.reserve(at - size * 0.5f, at + size * 0.5f);
    }
}

// =============================================================================================
// [SECTION] The panel
// =============================================================================================

// The running query drag, in the window's ImGuiStorage: which row, and the shortening factor
// it started with (kept fixed so the tip stays under the mouse for the whole drag).
struct DragMemory {
    ImGuiStorage* storage;
    ImGuiID row_id, scale_id;
    int row() const { return storage->GetInt(row_id, -1); }
    double scale() const { return storage->GetFloat(scale_id, 1.0f); }
    void start(int r, double s) {
        storage->SetInt(row_id, r);
        storage->SetFloat(scale_id, static_cast<float>(s));
    }
    void stop() { storage->SetInt(row_id, -1); }
};

void draw_message(ImDrawList* dl, ImVec2 pos, ImVec2 size, const char* text) {
    const ImVec2 t = ImGui::CalcTextSize(text, nullptr, false, size.x - em(1));
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), pos + (size - t) * 0.5f, palette().text_dim, text, nullptr,
                size.x - em(1));
}

// Above the canvas: Reset view, the gestures, then what the picture is (projections say so).
void draw_header(AppState& state, const Scene& scene) {
    ViewSession& view = state.settings.view;
    if (ImGui::SmallButton(tr(state, "Reset view", "重置视角"))) {
        view.camera_yaw = kDefaultYaw;
        view.camera_pitch = kDefaultPitch;
        view.camera_distance = std::clamp(static_cast<float>(kDefaultDistance * scene.radius / kQueryFit),
                                          kDefaultDistance, kMaxDistance);
    }
    tooltip(tr(state, "Back to the starting angle, zoomed so every arrow fits.", "回到初始角度，并缩放到所有箭头都可见。"));
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    ImGui::PushTextWrapPos(0.0f);  // the panel is narrow in the default layout
    ImGui::TextUnformatted(state.workspace.queries_editable
                               ? tr(state, "drag: rotate · wheel: zoom · drag q's tip: move the query",
                                    "拖动：旋转 · 滚轮：缩放 · 拖动 q 的尖端：移动查询")
                               : tr(state, "drag: rotate · wheel: zoom", "拖动：旋转 · 滚轮：缩放"));
    ImGui::PopTextWrapPos();
    tooltip(tr(state,
               "Arrows start at the origin; the faint sphere has radius 1. A query is dragged in the plane "
               "facing you through its tip; rotate first to move it in depth.",
               "箭头都从原点出发；浅色球面半径为 1。拖动查询时，其尖端在正对屏幕、过尖端的平面内移动；"
               "要改变深度方向，请先旋转视角。"));
    for (const std::string& caption : scene.captions) ImGui::TextWrapped("%s", caption.c_str());
    ImGui::PopStyleColor();
}

// The canvas below the header and the state of its invisible button this frame.
struct Canvas {
    ImVec2 pos, size;
    bool hovered = false, activated = false, active = false, deactivated = false;
};

Canvas canvas_button() {
    Canvas c;
    c.pos = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    c.size = ImVec2(std::max(avail.x, em(6)), std::max(avail.y, em(6)));
    ImGui::InvisibleButton("canvas", c.size);
    c.hovered = ImGui::IsItemHovered();
    c.activated = ImGui::IsItemActivated();
    c.active = ImGui::IsItemActive();
    c.deactivated = ImGui::IsItemDeactivated();
    return c;
}

// The item nearest the mouse (within 0.6 em), or -1; queries win close calls: they are the
// thing to grab.
int item_under_mouse(const Scene& scene, const Camera& cam, bool queries_editable) {
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    int nearest = -1;
    float best = em(0.6f);
    for (int i = 0; i < static_cast<int>(scene.items.size()); ++i) {
        const Item& it = scene.items[i];
        const float bias = it.kind == Kind::Query && queries_editable ? em(0.2f) : 0.0f;
        const float dist = length(cam.screen(it.tip) - mouse) - bias;
        if (dist < best) {
            best = dist;
            nearest = i;
        }
    }
    return nearest;
}

// Moves the dragged query's tip with the mouse, in the plane facing the viewer.
void drag_query(AppState& state, Scene& scene, const Camera& cam, const DragMemory& drag, int row) {
    const auto found = std::find_if(scene.items.begin(), scene.items.end(),
                                    [&](const Item& it) { return it.kind == Kind::Query && it.row == row; });
    if (found == scene.items.end()) return;
    const Vec3 move = cam.unproject_delta(ImGui::GetIO().MouseDelta, found->tip) * drag.scale();
    Eigen::MatrixXd queries = state.workspace.queries;
    // The projection's columns are orthonormal, so the tip follows the mouse exactly.
    queries.row(row) += (scene.projection.basis * move).transpose();
    set_query(state, queries);
    scene = build_scene(state, row, drag.scale());
}

// Mouse input on the canvas, before drawing so this frame already shows the result: grab and
// drag a query's tip, rotate with any other drag, zoom with the wheel. Returns the dragged row
// (or -1); *hovered gets the item under the mouse.
int handle_mouse(AppState& state, Scene& scene, Camera& cam, const Canvas& canvas, DragMemory& drag, int* hovered) {
    const Workspace& w = state.workspace;
    ViewSession& view = state.settings.view;
    const ImGuiIO& io = ImGui::GetIO();
    const bool moved = io.MouseDelta.x != 0 || io.MouseDelta.y != 0;
    *hovered = canvas.hovered || canvas.active ? item_under_mouse(scene, cam, w.queries_editable) : -1;
    const bool on_query = *hovered >= 0 && scene.items[*hovered].kind == Kind::Query && w.queries_editable;
    if (canvas.activated && on_query) {
        drag.start(scene.items[*hovered].row, scene.items[*hovered].query_scale);
        begin_edit(state);
    }
    int dragging = drag.row();
    if (dragging >= 0 && (!canvas.active || dragging >= w.queries.rows() || !w.queries_editable)) {
        drag.stop();
        end_edit(state);
        dragging = -1;
    }
    if (canvas.active && moved && dragging >= 0) {
        drag_query(state, scene, cam, drag, dragging);
    } else if (canvas.active && moved) {
        const float per_px = static_cast<float>(M_PI) / std::max(em(4), std::min(canvas.size.x, canvas.size.y));
        view.camera_yaw -= io.MouseDelta.x * per_px;
        view.camera_pitch += io.MouseDelta.y * per_px;
    }
    if (canvas.deactivated && drag.row() >= 0) {
        drag.stop();
        end_edit(state);
    }
    if (canvas.hovered && io.MouseWheel != 0) view.camera_distance *= std::pow(0.88f, io.MouseWheel);
    clamp_camera(view);
    cam = make_camera(view, canvas.pos, canvas.size);
    if (dragging >= 0 || (on_query && !canvas.active)) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    else if (canvas.active) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeAll);
    return dragging;
}

// Item indices back to front, so nearer arrows cover farther ones.
std::vector<int> back_to_front(const Scene& scene, const Camera& cam) {
    std::vector<int> order(scene.items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return cam.depth(scene.items[a].tip) > cam.depth(scene.items[b].tip); });
    return order;
}

void draw_arrows(ImDrawList* dl, const Scene& scene, const Camera& cam, const std::vector<int>& order, int hovered,
                 int dragging) {
    const ImVec2 origin = cam.screen(Vec3::Zero());
    const Item* output = nullptr;
    const Item* target = nullptr;
    for (const Item& it : scene.items) {
        if (it.kind == Kind::Output) output = &it;
        if (it.kind == Kind::Target) target = &it;
    }
    if (output && target)  // the gap the exercise asks to close
        dashed_line(dl, cam.screen(output->tip), cam.screen(target->tip), with_alpha(palette().target, 0.7f), em(0.06f),
                    em(0.25f));
    for (const int i : order) {
        const Item& it = scene.items[i];
        const ImVec2 tip = cam.screen(it.tip);
        const bool highlight = i == hovered || (it.kind == Kind::Query && it.row == dragging);
        const float thickness = em(it.kind == Kind::Query || it.kind == Kind::Output ? 0.14f : 0.1f) * (highlight ? 1.5f : 1.0f);
        if (it.kind == Kind::Target) target_marker(dl, tip, it.color);
        else arrow(dl, origin, tip, it.color, thickness);
        if (it.shortened) {  // the arrow goes on: a dashed tail past the drawn tip
            const float len = length(tip - origin);
            if (len > 1) dashed_line(dl, tip, tip + (tip - origin) * (em(2.5f) / len), with_alpha(it.color, 0.7f), thickness * 0.7f,
                                     em(0.3f));
        }
        if (highlight) dl->AddCircle(tip, em(0.6f), with_alpha(it.color, 0.6f), 24, em(0.06f));
    }
}

// Labels last, on top of every arrow, and off every tip so no label hides another arrow's end;
// the nearest item gets the best spot.
void draw_labels(Labeller& labels, const Scene& scene, const Camera& cam, const std::vector<int>& order) {
    const ImVec2 origin = cam.screen(Vec3::Zero());
    for (const Item& item : scene.items) {
        const ImVec2 tip = cam.screen(item.tip);
        const float r = em(item.kind == Kind::Target ? 0.5f : 0.25f);
        labels.reserve(tip - ImVec2(r, r), tip + ImVec2(r, r));
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const Item& item = scene.items[*it];
        const ImVec2 tip = cam.screen(item.tip);
        ImVec2 outward = tip - origin;
        const float len = length(outward);
        outward = len > 1 ? outward * (1.0f / len) : ImVec2(0.7071f, -0.7071f);
        // A long label goes past the dashed tail, out of the other arrows' way.
        const bool past_tail = item.shortened && item.label.find('\n') != std::string::npos;
        labels.place(item.label, tip + (past_tail ? outward * em(2.5f) : ImVec2(0, 0)), outward, item.color,
                     item.kind == Kind::Target ? 0.75f : 0.45f);
    }
}

void item_tooltip(const Item& item) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(em(28));
    ImGui::TextUnformatted(item.info.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

}  // namespace

void draw_geometry_panel(AppState& state, const PanelRect& rect) {
    if (!begin_panel(tr(state, "Geometry", "几何视图"), kGeometryId, rect,
                     ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
        ImGui::End();
        return;
    }
    clamp_camera(state.settings.view);
    const Workspace& w = state.workspace;
    DragMemory drag{ImGui::GetStateStorage(), ImGui::GetID("query drag row"), ImGui::GetID("query drag scale")};
    const bool has_data = w.keys.rows() >= 1 && w.keys.cols() >= 1 && w.keys.allFinite() &&
                          w.queries.cols() == w.keys.cols() && w.error.empty();
    Scene scene;
    if (has_data) scene = build_scene(state, drag.row(), drag.scale());
    draw_header(state, scene);

    const Canvas canvas = canvas_button();
    panel_screenshot_context_menu(state, kGeometryId);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(canvas.pos, canvas.pos + canvas.size, true);
    Camera cam = make_camera(state.settings.view, canvas.pos, canvas.size);
    int hovered = -1;
    const int dragging = handle_mouse(state, scene, cam, canvas, drag, &hovered);

    if (!has_data) {
        draw_message(dl, canvas.pos, canvas.size,
                     !w.error.empty() ? w.error.c_str()
                                      : tr(state, "Nothing to draw for this exercise.", "这个练习没有可画的向量。"));
    } else {
        Labeller labels(dl, ImVec4(canvas.pos.x, canvas.pos.y, canvas.pos.x + canvas.size.x, canvas.pos.y + canvas.size.y));
        draw_reference(dl, cam, scene.d, labels);
        const std::vector<int> order = back_to_front(scene, cam);
        draw_arrows(dl, scene, cam, order, hovered, dragging);
        draw_labels(labels, scene, cam, order);
    }
    dl->PopClipRect();
    if (has_data && hovered >= 0 && dragging < 0 && !canvas.active) item_tooltip(scene.items[hovered]);
    end_panel(state, kGeometryId);
}

}  // namespace attn::app
