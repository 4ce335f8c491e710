// attnlab app: the geometry panel's camera and scene (geometry_view.h): world → screen and back,
// and what to draw, every vector of the workspace in display coordinates.
//
// [SECTION] Camera: world → screen and back
// [SECTION] Scene: what to draw, in display coordinates
#include "app/panels/geometry_view.h"

#include "app/i18n.h"
#include "app/ui_common.h"
#include "core/base/error.h"
#include "core/base/text.h"
#include "core/math/projection.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace attn::app::geometry {

// =============================================================================================
// [SECTION] Camera: world → screen and back
// =============================================================================================

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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace attn::app::geometry
