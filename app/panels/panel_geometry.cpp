// attnlab app: the geometry panel. Keys, values, queries, the output and the target as arrows
// from the origin in a 3-D view with the unit sphere; for d ≠ 3 the keys' principal axes
// (core/math/projection.h), labelled as a projection; d ≤ 2 drawn flat, seen from above.
//
// [SECTION] Camera: world → screen and back
// [SECTION] Scene: what to draw, in display coordinates
// [SECTION] Drawing helpers
// [SECTION] Labels: placement, drawing and the layout audit
// [SECTION] Header: controls and captions
// [SECTION] The panel
//
// The camera lives in state.settings.view (the viewer's, autosaved, not an undo step); the view
// is fitted to the canvas, camera_distance only zooms relative to that fit. The per-panel memory
// (the running query drag, the query row drawn, how many keys are labelled) is kept in the
// window's ImGuiStorage: it belongs to the panel, not to the document.
//
// What the picture promises: the scene fills the canvas; arrows, heads and labels scale with the
// text; no two labels overlap and each sits by its marker (app/layout/label_placement.h), and any that
// still do are recorded in state.layout_audit (the layout test's evidence); the goal's keys are
// ringed; with many keys only the top-k by weight are labelled and the rest fade.
#include "app/i18n.h"
#include "app/layout/label_placement.h"
#include "app/panels/panels.h"
#include "app/ui_common.h"
#include "core/base/error.h"
#include "core/math/projection.h"
#include "core/base/text.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
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

// The panel's own memory in the window's ImGuiStorage: the running query drag (which row, the
// shortening factor and the fitted radius it started with, kept fixed so the tip stays under
// the mouse), the query row drawn and how many keys are labelled.
struct GeometryMemory {
    ImGuiStorage* storage;
    ImGuiID row_id, scale_id, radius_id, drawn_id, top_k_id;
    static GeometryMemory of_window() {
        return {ImGui::GetStateStorage(),      ImGui::GetID("query drag row"), ImGui::GetID("query drag scale"),
                ImGui::GetID("query drag radius"), ImGui::GetID("drawn query row"), ImGui::GetID("labelled keys")};
    }
    int drag_row() const { return storage->GetInt(row_id, -1); }
    double drag_scale() const { return storage->GetFloat(scale_id, 1.0f); }
    double drag_radius() const { return storage->GetFloat(radius_id, 0.0f); }
    void start_drag(int r, double s, double radius) {
        storage->SetInt(row_id, r);
        storage->SetFloat(scale_id, static_cast<float>(s));
        storage->SetFloat(radius_id, static_cast<float>(radius));
    }
    void stop_drag() { storage->SetInt(row_id, -1); }
    int drawn_row(int n) const { return std::clamp(storage->GetInt(drawn_id, 0), 0, std::max(0, n - 1)); }
    void set_drawn_row(int r) { storage->SetInt(drawn_id, r); }
    int top_k() const { return std::clamp(storage->GetInt(top_k_id, kDefaultTopK), 1, kMaxTopK); }
    void set_top_k(int k) { storage->SetInt(top_k_id, std::clamp(k, 1, kMaxTopK)); }
};

// =============================================================================================
// [SECTION] Camera: world → screen and back
// =============================================================================================

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
Camera make_camera(const ViewSession& view, ImVec2 pos, ImVec2 size, double radius, bool flat, float margin) {
    Camera c;
    c.flat = flat;
    c.centre = ImVec2(pos.x + size.x * 0.5f, pos.y + size.y * 0.5f);
    radius = std::clamp(radius, kMinFit, 1e6);
    c.eye = std::max(Camera::kEye, 3.0 * radius);
    // The ball's silhouette is a little wider than its radius under perspective.
    const double silhouette = flat ? radius : radius / std::sqrt(1.0 - (radius / c.eye) * (radius / c.eye));
    const double half = std::max(static_cast<double>(em(2)), 0.5 * std::min(size.x, size.y) - margin);
    const double distance = std::clamp(static_cast<double>(view.camera_distance), 0.1, 1000.0);
    c.zoom = half / silhouette * kDefaultDistance / distance;
    if (flat) {
        c.back = Vec3(0, 0, 1);
        c.right = Vec3(1, 0, 0);
    } else {
        const double yaw = view.camera_yaw, pitch = view.camera_pitch;
        c.back = Vec3(std::cos(pitch) * std::cos(yaw), std::cos(pitch) * std::sin(yaw), std::sin(pitch));
        c.right = Vec3(-std::sin(yaw), std::cos(yaw), 0);
    }
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

// The goal of the picture: the task's (a discussion shows its section's demonstration, as
// app_state.cpp builds it), or the sandbox's goal text; nothing when there is none.
std::optional<Goal> current_goal(const AppState& state, int key_count) {
    const Workspace& w = state.workspace;
    if (w.kind == Workspace::Kind::Sandbox) {
        try {
            return parse_goal(state.session.sandbox.goal, key_count);
        } catch (const InputError&) {
            return std::nullopt;  // an unfinished goal text highlights nothing
        }
    }
    if (!w.task) return std::nullopt;
    if (!w.task->discussion) return w.task->target;
    const Task* demo = nullptr;
    for (const Task& other : course(state).tasks) {
        if (other.section != w.task->section || other.discussion) continue;
        if (other.edit.tensor == TaskEdit::Tensor::KeyRow) return other.target;
        if (other.edit.rows == 1 && !demo) demo = &other;
    }
    return demo ? std::optional<Goal>(demo->target) : std::nullopt;
}

// The keys the goal selects or averages for query row `row` (identity: key `row`).
std::vector<int> goal_keys(const AppState& state, int key_count, int row) {
    const std::optional<Goal> goal = current_goal(state, key_count);
    std::vector<int> keys;
    if (!goal) return keys;
    if (goal->kind == Goal::Kind::Identity) {
        if (row < key_count) keys.push_back(row);
        return keys;
    }
    for (const int k : goal->keys)
        if (k >= 0 && k < key_count) keys.push_back(k);
    return keys;
}

struct SceneContext {
    const AppState& state;
    const Workspace& w;
    std::function<Vec3(const Eigen::VectorXd&)> project3;  // projects a vector already scaled down
    double largest = 1;   // the divisor that brings every drawn entry to at most 1
    double world = 1;     // display length = true length × world (≤ 1)
    std::vector<bool> labelled;  // per key: named in the picture
    // The true vector x drawn in display coordinates: x / largest projected, × largest·world.
    Vec3 display(const Eigen::VectorXd& x) const { return project3(scaled_down(x, largest)) * (largest * world); }
    // Values, output and target use their own axes: the same scaling, no projection.
    Vec3 unprojected(const Eigen::VectorXd& x) const { return to3(scaled_down(x, largest)) * (largest * world); }
};

// Few keys: all labelled. Many: the top-k by the drawn row's weight, and the goal's keys when
// they are few; the rest fade.
std::vector<bool> labelled_keys(const SceneContext& c, const Scene& s, int top_k) {
    std::vector<bool> out(s.N, s.N < kManyKeys);
    if (s.N < kManyKeys) return out;
    std::vector<int> order(s.N);
    std::iota(order.begin(), order.end(), 0);
    const int shown = std::clamp(top_k, 0, s.N);
    // Only the first k matter: a partial sort, ties to the lower index (as a stable sort would).
    if (s.have_weights)
        std::partial_sort(order.begin(), order.begin() + shown, order.end(), [&](int a, int b) {
            const double wa = c.w.result.weights(s.row, a), wb = c.w.result.weights(s.row, b);
            return wa > wb || (wa == wb && a < b);
        });
    for (int i = 0; i < shown; ++i) out[order[i]] = true;
    if (static_cast<int>(s.goal_keys.size()) <= 8)
        for (const int k : s.goal_keys) out[k] = true;
    return out;
}

Item key_or_value(const SceneContext& c, const Scene& s, Kind kind, int j, const Vec3& tip, ImU32 color) {
    Item it{kind, j, tip, color, {}, {}};
    it.goal = std::find(s.goal_keys.begin(), s.goal_keys.end(), j) != s.goal_keys.end();
    it.faded = !c.labelled[j] && !it.goal;
    // With many keys a value is named only when the goal picks it: the top-k keys' values stay
    // strong but unnamed, or the names would bury the picture.
    const bool named = c.labelled[j] && (kind == Kind::Key || s.N < kManyKeys || it.goal);
    // A capture's keys are named by their tokens (cut short; the tooltip has the whole token).
    const bool tokens = static_cast<int>(c.w.token_labels.size()) > j;
    if (named) it.label = tokens ? ellipsize(visible_token(c.w.token_labels[j]), em(5)) : format("%s%d", kind == Kind::Key ? "k" : "v", j);
    if (s.have_weights) it.weight = c.w.result.weights(s.row, j);
    return it;
}

// A key's or value's tooltip, written only for the one under the mouse: with 1024 keys of 64
// numbers, writing every tooltip every frame cost more than the rest of the frame.
std::string key_or_value_info(const AppState& state, const Scene& s, const Item& it) {
    const Workspace& w = state.workspace;
    const char* letter = it.kind == Kind::Key ? "k" : "v";
    const int j = it.row;
    const Eigen::VectorXd x = it.kind == Kind::Key ? w.keys.row(j).transpose() : w.values.row(j).transpose();
    std::string info = static_cast<int>(w.token_labels.size()) > j
                           ? format("%s%d “%s” = %s", letter, j, visible_token(w.token_labels[j]).c_str(), vec_text(x).c_str())
                           : format("%s%d = %s", letter, j, vec_text(x).c_str());
    if (s.have_weights) {
        info += format(", %s %.3f", s.weight_of.c_str(), it.weight);
        if (it.kind == Kind::Key)
            info += format(" (%s %s)", tr(state, "logit"), compact_number(w.result.logits(s.row, j)).c_str());
    }
    if (it.goal) info += tr(state, "\none of the goal's keys");
    return info;
}

// Every row of m drawn as display() / unprojected() draw one row, in one product: with 1024 keys,
// projecting them one at a time was the largest part of the geometry panel's frame.
Eigen::MatrixXd display_rows(const SceneContext& c, const Scene& s, const Eigen::MatrixXd& m, bool projected) {
    const Eigen::MatrixXd scaled = c.largest > 0 ? Eigen::MatrixXd(m / c.largest) : m;
    Eigen::MatrixXd tips = Eigen::MatrixXd::Zero(m.rows(), 3);
    if (projected) {
        const Eigen::Index axes = std::min<Eigen::Index>(3, s.projection.basis.cols());
        tips.leftCols(axes) = scaled * s.projection.basis.leftCols(axes);
    } else {
        const Eigen::Index axes = std::min<Eigen::Index>(3, m.cols());
        tips.leftCols(axes) = scaled.leftCols(axes);
    }
    return tips * (c.largest * c.world);
}

void add_keys_and_values(const SceneContext& c, Scene& s, double& radius) {
    s.items.reserve(static_cast<std::size_t>(s.values_drawn ? 2 * s.N : s.N) + kMaxQueryArrows + 3);
    const Eigen::MatrixXd key_tips = display_rows(c, s, c.w.keys, true);
    for (int j = 0; j < s.N; ++j) {
        const Vec3 tip = key_tips.row(j).transpose();
        s.items.push_back(key_or_value(c, s, Kind::Key, j, tip, key_color(j, s.N)));
        radius = std::max(radius, tip.norm());
    }
    if (!s.values_drawn) return;
    const Eigen::MatrixXd value_tips = display_rows(c, s, c.w.values, false);
    for (int j = 0; j < s.N; ++j) {
        const Vec3 tip = value_tips.row(j).transpose();
        s.items.push_back(key_or_value(c, s, Kind::Value, j, tip, value_color(j, s.N)));
        radius = std::max(radius, tip.norm());
    }
}

// Row `row` of m when it has one, row 0 when m has a single row (a goal shared by every query).
bool drawn_row_of(const Eigen::MatrixXd& m, int row, int dv, Eigen::VectorXd& out) {
    const int r = m.rows() > row ? row : 0;
    if (m.rows() < 1 || m.cols() != dv || !m.row(r).allFinite()) return false;
    out = m.row(r).transpose();
    return true;
}

void add_output_and_target(const SceneContext& c, Scene& s, double& radius) {
    const Palette pal = palette();
    Eigen::VectorXd out, target;
    const bool have_output = s.values_drawn && drawn_row_of(c.w.result.output, s.row, s.dv, out);
    const bool have_target = s.values_drawn && drawn_row_of(c.w.target, s.row, s.dv, target);
    const std::string out_name = s.n == 1 ? tr(c.state, "out") : format(tr(c.state, "out%d"), s.row);
    if (have_output) {
        Item it{Kind::Output, s.row, c.unprojected(out), pal.output, out_name, {}};
        it.info = format("%s = %s", out_name.c_str(), vec_text(out).c_str()) +
                  tr(c.state, "\nthe weighted average of the values");
        radius = std::max(radius, it.tip.norm());
        s.items.push_back(std::move(it));
    }
    if (have_target) {
        Item it{Kind::Target, s.row, c.unprojected(target), pal.target, tr(c.state, "target"), {}};
        it.info = format("%s = %s", tr(c.state, "target"), vec_text(target).c_str());
        if (have_output)
            it.info += format(tr(c.state, "\nlargest |target - out| = %.3g"),
                              (target - out).cwiseAbs().maxCoeff());
        radius = std::max(radius, it.tip.norm());
        s.items.push_back(std::move(it));
    }
}

Item query_item(const SceneContext& c, const Scene& s, int i, double fit, int dragged_row, double dragged_scale) {
    const Eigen::VectorXd q = c.w.queries.row(i).transpose();
    const double big = largest_entry(q.transpose());
    const Eigen::VectorXd unit_scaled = scaled_down(q, big);  // entries ≤ 1: norms cannot overflow
    const double norm = big * unit_scaled.norm();              // |q|, +inf only beyond 1e308
    const std::string name = query_label(i, s.n);
    Item it{Kind::Query, i, {}, palette().query, name, {}};
    it.query_scale = i == dragged_row ? dragged_scale : norm * c.world > fit ? norm / fit : 1.0 / c.world;
    it.tip = c.project3(unit_scaled) * (big / it.query_scale);
    it.shortened = norm * c.world > fit;
    it.faded = i != s.row;
    // The drawn query gets its length in the label; several would bury the picture in text.
    if (it.shortened && i == s.row) it.short_label = it.label;
    if (it.shortened && i == s.row)
        it.label += format(tr(c.state, " |q| = %s, shortened"), compact_number(norm).c_str());
    it.info = format("%s = %s, |%s| = %s", name.c_str(), vec_text(q).c_str(), name.c_str(), compact_number(norm).c_str());
    if (it.shortened)
        it.info += format(tr(c.state, "\ndrawn %s times shorter to fit"),
                          compact_number(it.query_scale).c_str());
    if (c.w.queries_editable) it.info += tr(c.state, "\ndrag the tip to move it");
    return it;
}

// Long queries (a Solve gives |q| of 30-100) keep their direction and are drawn at a length that
// fits next to the keys. The drawn row always gets its arrow. Returns whether any was shortened.
bool add_queries(const SceneContext& c, Scene& s, double fit, int dragged_row, double dragged_scale) {
    const int shown = std::min(s.n, kMaxQueryArrows);
    bool any_shortened = false;
    for (int i = 0; i < s.n; ++i) {
        if ((i >= shown && i != s.row) || !c.w.queries.row(i).allFinite()) continue;
        s.items.push_back(query_item(c, s, i, fit, dragged_row, dragged_scale));
        any_shortened = any_shortened || s.items.back().shortened;
    }
    if (s.n > shown)
        s.captions.push_back({format(tr(c.state, "Arrows for %d of %d queries."), shown, s.n),
                              tr(c.state, "More query arrows would hide the keys. The drawn row always has its arrow.")});
    return any_shortened;
}

// Short captions under the header; the full sentence is the caption's tooltip.
void add_captions(const AppState& state, Scene& s, double world, bool any_shortened, double fit) {
    if (s.d > 3)
        s.captions.push_back(
            {format(tr(state, "d = %d: projected (PCA, %.0f%%)"), s.d, 100.0 * s.projection.explained),
             format(tr(state,
                       "A projection onto the keys' top 3 principal axes (PCA about the origin, %.0f%% of their squared "
                       "length). Angles and lengths are not the true %d-D ones."),
                    100.0 * s.projection.explained, s.d)});
    else if (s.d == 2)
        s.captions.push_back({tr(state, "d = 2: the x-y plane"),
                              s.flat ? tr(state, "Seen from above; the circle has radius 1.")
                                     : tr(state, "Keys and queries lie in the z = 0 plane.")});
    else if (s.d == 1)
        s.captions.push_back({tr(state, "d = 1: the x axis"),
                              tr(state, "Keys and queries lie on the x axis; the marks are at ±1.")});
    if (!s.values_drawn)
        s.captions.push_back({format(tr(state, "values: %d-D, not drawn"), s.dv),
                              format(tr(state, "Values, output and target live in %d-D (dv = %d), not drawn here."),
                                     s.dv, s.dv)});
    else if (s.d != 3 && !s.flat)
        s.captions.push_back({tr(state, "values: own axes"),
                              tr(state, "Values, output and target (dv = 3) use their own x, y, z axes, unprojected.")});
    if (world < 1)
        s.captions.push_back({format(tr(state, "drawn %s× smaller"), compact_number(1.0 / world).c_str()),
                              format(tr(state, "Large numbers: everything is drawn %s times smaller than its true length."),
                                     compact_number(1.0 / world).c_str())});
    if (any_shortened && s.n > 1)
        s.captions.push_back({format(tr(state, "queries > %.1f shortened"), fit),
                              format(tr(state, "Queries longer than %.1f are drawn shortened; a dashed tail marks them."),
                                     fit)});
}

// The scaling every vector shares and the projection of the keys.
SceneContext scene_context(const AppState& state, Scene& s) {
    const Workspace& w = state.workspace;
    SceneContext c{state, w, {}, 1, 1, {}};
    c.largest = largest_entry(w.keys);
    if (s.values_drawn) {
        c.largest = std::max({c.largest, largest_entry(w.values), largest_entry(w.target)});
        if (w.result.output.allFinite()) c.largest = std::max(c.largest, largest_entry(w.result.output));
    }
    // refresh() keeps the keys' axes while the keys do not change (principal_axes scales
    // internally, so keys of 3e38 are not squared).
    s.projection = w.key_axes.basis.rows() == s.d ? w.key_axes : principal_axes(w.keys, 3, Centre::Origin);
    c.project3 = [&s](const Eigen::VectorXd& x) { return to3(project(s.projection, x)); };
    if (!(c.largest > 0)) c.largest = 1;
    c.world = c.largest > kTrueSizeUpTo ? kTrueSizeUpTo / c.largest : 1.0;
    s.have_weights = s.n >= 1 && w.result.weights.rows() == s.n && w.result.weights.cols() == s.N;
    s.weight_of = s.n == 1 ? tr(state, "weight") : format(tr(state, "weight from q%d"), s.row);
    return c;
}

Scene build_scene(const AppState& state, int row, int top_k, int dragged_row, double dragged_scale) {
    const Workspace& w = state.workspace;
    Scene s;
    s.d = static_cast<int>(w.keys.cols());
    s.dv = static_cast<int>(w.values.cols());
    s.N = static_cast<int>(w.keys.rows());
    s.n = static_cast<int>(w.queries.rows());
    s.row = std::clamp(row, 0, std::max(0, s.n - 1));
    // Flat when nothing needs a third axis: keys in ≤ 2-D and values not in 3-D.
    s.flat = s.d <= 2 && s.dv != 3;
    s.values_drawn = w.values.rows() == s.N && (s.flat ? s.dv == 2 : s.dv == 3);
    s.goal_keys = goal_keys(state, s.N, s.row);

    SceneContext c = scene_context(state, s);
    c.labelled = labelled_keys(c, s, top_k);
    double radius = 0;
    add_keys_and_values(c, s, radius);
    add_output_and_target(c, s, radius);
    const double fit = std::max(kQueryFit, radius);
    const bool any_shortened = add_queries(c, s, fit, dragged_row, dragged_scale);
    s.radius = std::max({radius, fit, 1.0});

    // Whatever slipped through, nothing non-finite reaches the screen.
    s.items.erase(std::remove_if(s.items.begin(), s.items.end(), [](const Item& it) { return !it.tip.allFinite(); }),
                  s.items.end());
    add_captions(state, s, c.world, any_shortened, fit);
    return s;
}

// The radius the view fits: every tip (a drag holds the radius it started with, so the view
// stays still under the mouse).
double fit_radius(const Scene& scene) {
    double r = kMinFit;
    for (const Item& it : scene.items) r = std::max(r, it.tip.norm());
    return r;
}

// =============================================================================================
// [SECTION] Drawing helpers
// =============================================================================================

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

struct AxisName {
    std::string name;
    ImVec2 tip, outward;
};

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

// =============================================================================================
// [SECTION] Header: controls and captions
// =============================================================================================

// Continues the line when `width` more fits in the panel, else starts a new one (so nothing
// is squeezed into a column one word wide).
void same_line_if_fits(float width) {
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
}

// ◀ row 3/4: q2 ▶ : which query row's weights, output and target are drawn. True on a change.
bool draw_row_picker(const AppState& state, const Scene& scene, GeometryMemory& mem) {
    std::string text = format(tr(state, "row %d/%d: q%d"), scene.row + 1, scene.n, scene.row);
    const float h = ImGui::GetFrameHeight(), spacing = ImGui::GetStyle().ItemInnerSpacing.x;
    const auto width = [&] { return 2 * h + 2 * spacing + ImGui::CalcTextSize(text.c_str()).x; };
    if (width() > ImGui::GetContentRegionAvail().x) text = format("q%d", scene.row);  // a narrow panel
    same_line_if_fits(width());
    int row = scene.row;
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(spacing, ImGui::GetStyle().ItemSpacing.y));
    if (ImGui::ArrowButton("##previous row", ImGuiDir_Left)) row = (row + scene.n - 1) % scene.n;
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(text.c_str());
    tooltip(tr(state, "The weights, the output and the target drawn are this query row's. The arrows pick another row."));
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next row", ImGuiDir_Right)) row = (row + 1) % scene.n;
    ImGui::PopStyleVar();
    if (row == scene.row) return false;
    mem.set_drawn_row(row);
    return true;
}

// How many keys are labelled when there are many. True on a change.
bool draw_top_k(const AppState& state, GeometryMemory& mem) {
    const char* fmt = tr(state, "label top %d");
    const float width = ImGui::CalcTextSize(fmt).x + em(1.5f);
    same_line_if_fits(width);
    int k = mem.top_k();
    ImGui::SetNextItemWidth(width);
    const bool changed = ImGui::SliderInt("##top k", &k, 1, kMaxTopK, fmt, ImGuiSliderFlags_AlwaysClamp);
    tooltip(tr(state, "With many keys only the most heavily weighted are named; the others are drawn faint."));
    if (changed) mem.set_top_k(k);
    return changed;
}

const char* help_text(const AppState& state) {
    return state.workspace.queries_editable
               ? tr(state,
                    "Drag: rotate · wheel: zoom · drag a query's tip: move it.\nArrows start at the origin; the faint sphere "
                    "has radius 1. Orange: query, blue: keys, green: values, purple: output, cross-hair: target. A ring "
                    "marks the goal's keys. A query is dragged in the plane facing you; rotate first to move it in depth.")
               : tr(state,
                    "Drag: rotate · wheel: zoom.\nArrows start at the origin; the faint sphere has radius 1. Orange: query, "
                    "blue: keys, green: values, purple: output, cross-hair: target. A ring marks the goal's keys.");
}

// One short line per caption, continued on the same line while they fit; the sentence behind
// each is its tooltip.
void draw_captions(const Scene& scene) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    for (const Caption& c : scene.captions) {
        const float w = ImGui::CalcTextSize(c.text.c_str()).x;
        same_line_if_fits(w + em(0.5f));
        if (w > ImGui::GetContentRegionAvail().x) text_wrapped(c.text);
        else ImGui::TextUnformatted(c.text.c_str());
        tooltip(c.detail.c_str());
    }
    ImGui::PopStyleColor();
}

// Above the canvas: Reset view, the help marker, the query row, top-k, then short captions,
// each on the same line while it fits.
// Returns true when the row or top-k changed (the scene must be built again).
bool draw_header(AppState& state, const Scene& scene, GeometryMemory& mem) {
    ViewSession& view = state.settings.view;
    if (ImGui::SmallButton(tr(state, "Reset view"))) {
        view.camera_yaw = kDefaultYaw;
        view.camera_pitch = kDefaultPitch;
        view.camera_distance = kDefaultDistance;
    }
    tooltip(tr(state, "Back to the starting angle, zoomed so every arrow fits."));
    ImGui::SameLine();
    help_marker(help_text(state));
    bool changed = false;
    if (scene.n > 1) changed = draw_row_picker(state, scene, mem) || changed;
    if (scene.N >= kManyKeys) changed = draw_top_k(state, mem) || changed;
    draw_captions(scene);
    return changed;
}

// =============================================================================================
// [SECTION] The panel
// =============================================================================================

void draw_message(ImDrawList* dl, ImVec2 pos, ImVec2 size, const char* text) {
    const ImVec2 t = ImGui::CalcTextSize(text, nullptr, false, size.x - em(1));
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), pos + (size - t) * 0.5f, palette().text_dim, text, nullptr,
                size.x - em(1));
}

// The canvas below the header and the state of its invisible button this frame.
struct Canvas {
    ImVec2 pos, size;
    bool hovered = false, activated = false, active = false, deactivated = false;
    LabelRect bounds() const { return {pos.x, pos.y, pos.x + size.x, pos.y + size.y}; }
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

// What the camera fits, held fixed during a query drag so the tip stays under the mouse.
struct Fit {
    double radius;
    bool flat;
    float margin;
};

Camera camera_for(const AppState& state, const Canvas& canvas, const Fit& fit) {
    return make_camera(state.settings.view, canvas.pos, canvas.size, fit.radius, fit.flat, fit.margin);
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
void drag_query(AppState& state, Scene& scene, const Camera& cam, const GeometryMemory& mem, int row) {
    const auto found = std::find_if(scene.items.begin(), scene.items.end(),
                                    [&](const Item& it) { return it.kind == Kind::Query && it.row == row; });
    if (found == scene.items.end()) return;
    const Vec3 move = cam.unproject_delta(ImGui::GetIO().MouseDelta, found->tip) * mem.drag_scale();
    Eigen::MatrixXd queries = state.workspace.queries;
    // The projection's columns are orthonormal, so the tip follows the mouse exactly.
    queries.row(row) += (scene.projection.basis * move).transpose();
    set_query(state, queries);
    scene = build_scene(state, scene.row, mem.top_k(), row, mem.drag_scale());
}

// Starts, continues or ends a query drag; returns the dragged row or -1.
int update_drag(AppState& state, Scene& scene, const Camera& cam, const Canvas& canvas, GeometryMemory& mem, int hovered,
                const Fit& fit) {
    const Workspace& w = state.workspace;
    const bool on_query = hovered >= 0 && scene.items[hovered].kind == Kind::Query && w.queries_editable;
    if (canvas.activated && on_query) {
        mem.start_drag(scene.items[hovered].row, scene.items[hovered].query_scale, fit.radius);
        begin_edit(state);
    }
    int dragging = mem.drag_row();
    if (dragging >= 0 && (!canvas.active || dragging >= w.queries.rows() || !w.queries_editable)) {
        mem.stop_drag();
        end_edit(state);
        dragging = -1;
    }
    const ImVec2 delta = ImGui::GetIO().MouseDelta;
    if (canvas.active && (delta.x != 0 || delta.y != 0) && dragging >= 0) drag_query(state, scene, cam, mem, dragging);
    if (canvas.deactivated && mem.drag_row() >= 0) {
        mem.stop_drag();
        end_edit(state);
    }
    return dragging;
}

// Mouse input on the canvas, before drawing so this frame already shows the result: grab and
// drag a query's tip, rotate with any other drag (not in the flat view), zoom with the wheel.
// Returns the dragged row (or -1); *hovered gets the item under the mouse.
int handle_mouse(AppState& state, Scene& scene, Camera& cam, const Canvas& canvas, GeometryMemory& mem, const Fit& fit,
                 int* hovered) {
    ViewSession& view = state.settings.view;
    const ImGuiIO& io = ImGui::GetIO();
    *hovered = canvas.hovered || canvas.active ? item_under_mouse(scene, cam, state.workspace.queries_editable) : -1;
    const bool on_query = *hovered >= 0 && scene.items[*hovered].kind == Kind::Query && state.workspace.queries_editable;
    const int dragging = update_drag(state, scene, cam, canvas, mem, *hovered, fit);
    const bool rotating = canvas.active && dragging < 0 && !scene.flat;
    if (rotating && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
        const float per_px = static_cast<float>(M_PI) / std::max(em(4), std::min(canvas.size.x, canvas.size.y));
        view.camera_yaw -= io.MouseDelta.x * per_px;
        view.camera_pitch += io.MouseDelta.y * per_px;
    }
    if (canvas.hovered && io.MouseWheel != 0) view.camera_distance *= std::pow(0.88f, io.MouseWheel);
    clamp_camera(view);
    cam = camera_for(state, canvas, fit);
    if (dragging >= 0 || (on_query && !canvas.active)) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    else if (rotating) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeAll);
    return dragging;
}

void item_tooltip(const AppState& state, const Scene& scene, const Item& item) {
    const bool key_or_value = item.kind == Kind::Key || item.kind == Kind::Value;
    const std::string info = key_or_value ? key_or_value_info(state, scene, item) : item.info;
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(em(28));
    ImGui::TextUnformatted(info.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

bool has_data(const Workspace& w) {
    return w.keys.rows() >= 1 && w.keys.cols() >= 1 && w.keys.allFinite() && w.queries.cols() == w.keys.cols() &&
           w.error.empty();
}

// The header, then the canvas: mouse input, the reference, the arrows and the labels.
void draw_scene(AppState& state, Scene& scene, GeometryMemory& mem) {
    const Canvas canvas = canvas_button();
    panel_screenshot_context_menu(state, kGeometryId);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(canvas.pos, canvas.pos + canvas.size, true);
    const Fit fit{mem.drag_row() >= 0 && mem.drag_radius() > 0 ? mem.drag_radius() : fit_radius(scene), scene.flat,
                  std::min(em(1.0f), 0.1f * std::min(canvas.size.x, canvas.size.y))};  // small canvases keep their sphere
    Camera cam = camera_for(state, canvas, fit);
    int hovered = -1;
    const int dragging = handle_mouse(state, scene, cam, canvas, mem, fit, &hovered);
    const std::vector<AxisName> axes = draw_reference(dl, cam, scene.d);
    draw_arrows(dl, scene, cam, back_to_front(scene, cam), hovered, dragging);
    draw_labels(state, dl, scene, cam, canvas.bounds(), axes);
    dl->PopClipRect();
    if (hovered >= 0 && hovered < static_cast<int>(scene.items.size()) && dragging < 0 && !canvas.active)
        item_tooltip(state, scene, scene.items[hovered]);
}

}  // namespace

void draw_geometry_panel(AppState& state, const PanelRect& rect) {
    if (!begin_panel(tr(state, "Geometry"), kGeometryId, rect,
                     ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse)) {
        ImGui::End();
        return;
    }
    clamp_camera(state.settings.view);
    const Workspace& w = state.workspace;
    GeometryMemory mem = GeometryMemory::of_window();
    if (!has_data(w)) {
        draw_header(state, Scene{}, mem);
        const Canvas canvas = canvas_button();
        panel_screenshot_context_menu(state, kGeometryId);
        draw_message(ImGui::GetWindowDrawList(), canvas.pos, canvas.size,
                     !w.error.empty() ? w.error.c_str()
                                      : tr(state, "Nothing to draw for this exercise."));
        end_panel(state, kGeometryId);
        return;
    }
    const int n = static_cast<int>(w.queries.rows());
    Scene scene = build_scene(state, mem.drawn_row(n), mem.top_k(), mem.drag_row(), mem.drag_scale());
    if (draw_header(state, scene, mem))
        scene = build_scene(state, mem.drawn_row(n), mem.top_k(), mem.drag_row(), mem.drag_scale());
    draw_scene(state, scene, mem);
    end_panel(state, kGeometryId);
}

}  // namespace attn::app
