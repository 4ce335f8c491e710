// attnlab app: the geometry panel. Keys, values, queries, the output and the target as arrows
// from the origin in a 3-D view with the unit sphere; for d ≠ 3 the keys' principal axes
// (core/math/projection.h), labelled as a projection; d ≤ 2 drawn flat, seen from above.
//
// The camera and the scene: geometry_scene.cpp; the drawing and the labels: geometry_draw.cpp;
// what they share: geometry_view.h.
//
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
#include "app/panels/geometry_view.h"
#include "app/panels/panels.h"
#include "app/probe.h"
#include "app/ui_common.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace attn::app {

namespace {

using namespace geometry;

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
// [SECTION] Header: controls and captions
// =============================================================================================

// Continues the line when `width` more fits in the panel, else starts a new one (so nothing
// is squeezed into a column one word wide).
void same_line_if_fits(float width) {
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
}

// Space left on the current line of the header, in pixels.
float room_on_line() {
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    return right - ImGui::GetItemRectMax().x - ImGui::GetStyle().ItemSpacing.x;
}

// Whether the header is short of room: the canvas left below it would be shorter than wide
// (a 1280x720 projector's corner panel). Then the header takes one line, its captions folded
// into (?).
bool header_short_of_room() {
    const float width = ImGui::GetWindowContentRegionMax().x - ImGui::GetWindowContentRegionMin().x;  // the whole line's
    return ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing() < width;
}

// ◀ row 3/4: q2 ▶ : which query row's weights, output and target are drawn. True on a change.
bool draw_row_picker(const AppState& state, const Scene& scene, GeometryMemory& mem) {
    std::string text = format(tr(state, "row %d/%d: q%d"), scene.row + 1, scene.n, scene.row);
    const float h = ImGui::GetFrameHeight(), spacing = ImGui::GetStyle().ItemInnerSpacing.x;
    const auto width = [&] { return 2 * h + 2 * spacing + ImGui::CalcTextSize(text.c_str()).x; };
    // A narrow panel, or one short of room where the long form would need a line of its own.
    if (width() > ImGui::GetContentRegionAvail().x || (width() > room_on_line() && header_short_of_room()))
        text = format("q%d", scene.row);
    same_line_if_fits(width());
    int row = scene.row;
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(spacing, ImGui::GetStyle().ItemSpacing.y));
    // As small as Reset view beside them, so the header stays one small line above the view.
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, 0));
    if (ImGui::ArrowButton("##previous row", ImGuiDir_Left)) row = (row + scene.n - 1) % scene.n;
    ImGui::SameLine();
    ImGui::TextUnformatted(text.c_str());
    tooltip(tr(state, "The weights, the output and the target drawn are this query row's. The arrows pick another row."));
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next row", ImGuiDir_Right)) row = (row + 1) % scene.n;
    ImGui::PopStyleVar(2);
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
    slider_track(0, slider_position(static_cast<float>(k), 1, static_cast<float>(kMaxTopK)), palette().key);
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

// The help text followed by each caption and the sentence behind it.
std::string help_with_captions(const AppState& state, const Scene& scene) {
    std::string text = help_text(state);
    for (const Caption& c : scene.captions) text += "\n\n" + c.text + ": " + c.detail;
    return text;
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
    // Short of room (a projector's corner panel), the captions go into (?) with the help: two
    // caption lines took a fifth of the view (issue 21).
    const bool fold = header_short_of_room();
    help_marker(fold ? help_with_captions(state, scene).c_str() : help_text(state));
    bool changed = false;
    if (scene.n > 1) changed = draw_row_picker(state, scene, mem) || changed;
    if (scene.N >= kManyKeys) changed = draw_top_k(state, mem) || changed;
    if (!fold) draw_captions(scene);
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

// The view takes every pixel below the header: it starts right under the header's line (no
// item spacing) and reaches down into the half of the window's bottom padding that ImGui still
// draws, about 14 px at a projector's text size (issue 21: the view is a third of its column).
Canvas canvas_button() {
    Canvas c;
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y);
    c.pos = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    c.size = ImVec2(std::max(avail.x, em(6)), std::max(avail.y + ImGui::GetStyle().WindowPadding.y * 0.5f, em(6)));
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
    probe_item(state, "geometry canvas");
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
