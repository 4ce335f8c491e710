// The vector controls: a slider per component of every query row, key and (in the sandbox)
// value, a logarithmic length control for each query row, normalize and reset per vector.
// Ctrl+click on a slider types an exact number (also beyond the slider's range).
#include "app/i18n.h"
#include "app/panels/panels.h"
#include "app/probe.h"
#include "app/ui_common.h"

#include <imgui_internal.h>  // ImGuiItemFlags_NoTabStop
#include <imgui_stdlib.h>

#include <algorithm>
#include <optional>
#include <cmath>
#include <string>

namespace attn::app {

namespace {

// A slider range that holds the current numbers with room to spare: a power of two from 1 to
// kMaxSliderRange. It is recomputed only between edits (see slider_range), so the scale never
// changes under a dragging mouse; larger numbers can still be typed with Ctrl+click.
constexpr float kMaxSliderRange = 1024.0f;
constexpr int kLongList = 8;  // more rows than this scroll in a box of their own
constexpr float kTokenLabelEm = 5.5f;  // a capture's row names: "12 token…"

void dim_text(const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    text_wrapped(text);
    ImGui::PopStyleColor();
}

float nice_range(double largest) {
    const double wanted = std::max(1.0, std::fabs(largest) * 1.25);
    double step = 1;
    while (step < wanted && step < kMaxSliderRange) step *= 2;
    return static_cast<float>(step);
}

float slider_range(const AppState& state, float* frozen, double largest) {
    if (!state.edit_running || *frozen <= 0) *frozen = nice_range(largest);
    return *frozen;
}

void track_edit(AppState& state) {
    if (ImGui::IsItemActivated()) begin_edit(state);
    if (ImGui::IsItemDeactivated()) end_edit(state);
}

// A component slider's position: a bar in the vector's colour from 0 to the value.
void value_track(float value, float range, ImU32 color) {
    if (!(range > 0)) return slider_track(0.5f, 0.5f, color);
    slider_track(slider_position(0, -range, range), slider_position(value, -range, range), color);
}

// A slider's tooltip, never while it is dragged, and placed above it and to the left: below or
// to the right it covered the heatmap row the slider changes. Its size is known before it is
// drawn, so it is moved inside the window (at a projector's text size the first slider's tooltip
// ran off the left edge), and below the slider when there is no room above.
void slider_tooltip(AppState& state, const char* text) {
    if (!ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled) || ImGui::IsItemActive()) return;
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    const ImVec2 display = ImGui::GetIO().DisplaySize, padding = ImGui::GetStyle().WindowPadding;
    const float wrap = std::min(em(20), std::max(em(4), display.x - 2 * padding.x));
    const ImVec2 text_size = ImGui::CalcTextSize(text, nullptr, false, wrap);
    const ImVec2 size(text_size.x + 2 * padding.x, text_size.y + 2 * padding.y);
    const float x = std::clamp(max.x - size.x, 0.0f, std::max(0.0f, display.x - size.x));
    const bool above = min.y - em(0.3f) - size.y >= 0;
    ImGui::SetNextWindowPos(ImVec2(x, above ? min.y - em(0.3f) : max.y + em(0.3f)), ImGuiCond_Always,
                            ImVec2(0.0f, above ? 1.0f : 0.0f));
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    const ImVec2 at = ImGui::GetWindowPos();
    probe_rect(state, "slider tooltip", at, ImVec2(at.x + ImGui::GetWindowWidth(), at.y + ImGui::GetWindowHeight()));
    ImGui::EndTooltip();
}

// One row of component sliders; returns true when `row` changed. Wraps to several lines when
// the row has many components so that each slider keeps a usable width.
// *touched is set when a slider was let go after the user clicked or typed in it, also when the
// value did not change (typing the 0 already shown).
bool component_sliders(AppState& state, const char* id, Eigen::RowVectorXd& row, float range, bool enabled, ImU32 color,
                       bool* touched = nullptr) {
    bool changed = false;
    const int d = static_cast<int>(row.size());
    const int per_line = std::max(1, std::min(d, static_cast<int>(ImGui::GetContentRegionAvail().x / em(4.5f))));
    const float width = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x * (per_line - 1)) / per_line;
    ImGui::PushID(id);
    ImGui::BeginDisabled(!enabled);
    for (int c = 0; c < d; ++c) {
        if (c % per_line != 0) ImGui::SameLine();
        ImGui::PushID(c);
        ImGui::SetNextItemWidth(width);
        float value = static_cast<float>(row(c));
        if (ImGui::SliderFloat("##c", &value, -range, range, "%.3f")) {
            row(c) = value;
            changed = true;
        }
        value_track(value, range, enabled ? color : palette().text_dim);
        audit_grab_hidden(state.layout_audit, kVectorsId, std::string(id) + " component slider");
        audit_text_fits(state.layout_audit, kVectorsId, format("%.3f", value), width - 2 * ImGui::GetStyle().FramePadding.x);
        track_edit(state);
        if (touched && ImGui::IsItemDeactivated()) *touched = true;
        probe_item(state, std::string(id) + "[" + std::to_string(c) + "]");
        slider_tooltip(state, tr(state, "Drag to change; Ctrl+click to type an exact value."));
        ImGui::PopID();
    }
    ImGui::EndDisabled();
    ImGui::PopID();
    return changed;
}

// A text field for a whole row: type or paste "0.694, 0.719, 0.006" (commas or spaces) and press
// Enter. Returns true with *row replaced when the text holds exactly row->size() finite numbers;
// otherwise the field turns red and says why, and nothing changes.
bool row_text_field(AppState& state, const std::string& probe_name, Eigen::RowVectorXd* row) {
    ImGuiStorage* storage = ImGui::GetStateStorage();
    const ImGuiID error_id = ImGui::GetID("row text error");
    std::string text;
    ImGui::SetNextItemWidth(-1);
    const bool bad = storage->GetBool(error_id, false);
    if (bad) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImGui::ColorConvertU32ToFloat4(palette().fail & 0x66FFFFFF));
    // Not a Tab stop: Tab goes from the last component of a row to the first of the next.
    ImGui::PushItemFlag(ImGuiItemFlags_NoTabStop, true);
    // The hint says what to do when it fits, else shows an example row (never a cut-off sentence).
    const char* hint = tr(state, "type or paste a row: 0.69, 0.72, 0.01");
    const float room = ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().FramePadding.x;
    if (ImGui::CalcTextSize(hint).x > room) hint = "0.69, 0.72, 0.01";
    audit_text_fits(state.layout_audit, kVectorsId, hint, room);
    const bool entered = ImGui::InputTextWithHint("##row", hint, &text, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::PopItemFlag();
    if (bad) ImGui::PopStyleColor();
    probe_item(state, probe_name);
    tooltip(tr(state, "All components at once, separated by commas or spaces; Enter applies them."));
    if (!entered) return false;
    const std::optional<Eigen::RowVectorXd> parsed = parse_row(text, static_cast<int>(row->size()));
    storage->SetBool(error_id, !parsed);
    if (!parsed) {
        toast(state, format(tr(state, "Not a row of %d numbers: %s"), static_cast<int>(row->size()),
                            text.substr(0, 60).c_str()),
              true);
        return false;
    }
    *row = *parsed;
    return true;
}

// 1.4.2 keeps the typed row; what the check grades is that row divided by its length.
void show_normalized(const AppState& state, const Eigen::RowVectorXd& row) {
    const double norm = row.norm();
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    if (norm > 0 && std::isfinite(norm)) {
        const Eigen::RowVectorXd unit = row / norm;
        text_wrapped(format(tr(state, "graded as k/|k| = %s"),
                            format_vector(unit.data(), static_cast<int>(unit.size()), 3).c_str()));
    } else {
        text_wrapped(tr(state, "a zero key cannot be normalized"));
    }
    ImGui::PopStyleColor();
}

// Where a row's controls start: after "k12", or after "12 token" with a capture's labels.
float label_column(const Workspace& w) { return w.token_labels.empty() ? em(2.2f) : em(kTokenLabelEm + 0.4f); }

// The row's name ("k12"), or with a capture "12 cat" cut to the label column, the full token in a tooltip.
void row_label(const Workspace& w, const std::string& name, int row, ImU32 color) {
    const ImVec4 c = ImGui::ColorConvertU32ToFloat4(color);
    if (w.token_labels.empty() || row >= static_cast<int>(w.token_labels.size())) {
        ImGui::TextColored(c, "%s", name.c_str());
        return;
    }
    const std::string token = visible_token(w.token_labels[row]);
    const std::string shown = ellipsize(name + " " + token, em(kTokenLabelEm));
    ImGui::TextColored(c, "%s", shown.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s  \"%s\"", name.c_str(), token.c_str());
}

// The lines one query or key row takes: its title line and its component sliders.
int component_lines(const Workspace& w) {
    const int per_line = std::max(1, static_cast<int>(ImGui::GetContentRegionAvail().x / em(4.5f)));
    return 1 + (static_cast<int>(w.keys.cols()) - 1) / per_line;
}

void query_row(AppState& state, int i, float range);

void query_rows(AppState& state) {
    const Workspace& w = state.workspace;
    const int n = static_cast<int>(w.queries.rows());
    const float range = slider_range(state, &state.panels.query_slider_range, w.queries.cwiseAbs().maxCoeff());
    if (n <= kLongList) {
        for (int i = 0; i < n; ++i) query_row(state, i, range);
        return;
    }
    // Long lists (sandbox, captures up to 1024 tokens) have no row text field: every row is one
    // title line plus its sliders, so the clipper draws only the visible ones.
    ImGuiListClipper clipper;
    clipper.Begin(n, ImGui::GetFrameHeightWithSpacing() * (component_lines(w) + 1));
    while (clipper.Step())
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) query_row(state, i, range);
}

void query_row(AppState& state, int i, float range) {
    const Workspace& w = state.workspace;
    const int n = static_cast<int>(w.queries.rows());
    {
        ImGui::PushID(i);
        const std::string name = n == 1 ? "q" : "q" + std::to_string(i);
        Eigen::RowVectorXd row = w.queries.row(i);
        const double length = row.norm();
        row_label(w, name, i, palette().query);
        ImGui::SameLine(label_column(w));
        // Length on a log scale: answers need |q| in the tens or hundreds, exploring needs 0.1.
        float magnitude = static_cast<float>(length);
        ImGui::BeginDisabled(!w.queries_editable || length == 0);
        const char* reset_label = tr(state, "Reset");
        ImGui::SetNextItemWidth(std::max(em(6), ImGui::GetContentRegionAvail().x - button_width(reset_label) - em(0.6f)));
        // Not a Tab stop: Tab walks the components only, so the order never depends on the data
        // (a disabled length control for a zero query would otherwise change it).
        ImGui::PushItemFlag(ImGuiItemFlags_NoTabStop, true);
        if (ImGui::SliderFloat("##length", &magnitude, 0.01f, 1000.0f, "|q| = %.3g", ImGuiSliderFlags_Logarithmic) &&
            length > 0 && std::isfinite(magnitude) && magnitude > 0) {
            Eigen::MatrixXd queries = w.queries;
            queries.row(i) = row * (static_cast<double>(magnitude) / length);  // set_query caps the length, direction kept
            set_query(state, queries);
        }
        ImGui::PopItemFlag();
        slider_track(0, slider_position(magnitude, 0.01f, 1000.0f, true), palette().query);
        audit_grab_hidden(state.layout_audit, kVectorsId, name + " length");
        track_edit(state);
        probe_item(state, name + " length");
        ImGui::EndDisabled();
        tooltip(length == 0 ? tr(state, "The query is zero: there is no direction to scale. Move a component first.")
                            : tr(state, "Scale the query without changing its direction (logarithmic, 0.01 to 1000)."));
        same_line_if_fits(button_width(reset_label));
        ImGui::BeginDisabled(!w.queries_editable);
        if (ImGui::Button(reset_label)) {
            const Session before = state.session;
            Eigen::MatrixXd queries = w.queries;
            queries.row(i).setZero();
            set_query(state, queries);
            commit_edit(state, before);
        }
        tooltip(tr(state, "Set this query to zero."));
        // Any value set, even the zero already shown, answers the task.
        bool touched = false;
        if (component_sliders(state, name.c_str(), row, range, true, palette().query, &touched) ||
            (touched && !w.query_answered)) {
            Eigen::MatrixXd queries = w.queries;
            queries.row(i) = row;
            set_query(state, queries);
        }
        if (w.kind != Workspace::Kind::Sandbox && w.kind != Workspace::Kind::Captured && w.queries_editable &&
            row_text_field(state, name + " row", &row)) {
            const Session before = state.session;
            Eigen::MatrixXd queries = w.queries;
            queries.row(i) = row;
            set_query(state, queries);
            commit_edit(state, before);
        }
        ImGui::EndDisabled();
        ImGui::PopID();
    }
}

void key_rows(AppState& state) {
    const Workspace& w = state.workspace;
    const int count = static_cast<int>(w.keys.rows());
    const float range = slider_range(state, &state.panels.key_slider_range, w.keys.cwiseAbs().maxCoeff());
    // Rows of one or more lines of sliders; the clipper keeps 256 keys cheap.
    const float row_height = ImGui::GetFrameHeightWithSpacing() * static_cast<float>(component_lines(w) + 1);
    if (state.panels.scroll_to_key >= 0) {  // "go to key": rows of d = 128 are ~40 lines each
        ImGui::SetScrollY(row_height * static_cast<float>(std::min(state.panels.scroll_to_key, count - 1)));
        state.panels.scroll_to_key = -1;
    }
    ImGuiListClipper clipper;
    clipper.Begin(count, row_height);
    while (clipper.Step()) {
        for (int j = clipper.DisplayStart; j < clipper.DisplayEnd; ++j) {
            ImGui::PushID(j);
            const bool editable = w.kind == Workspace::Kind::Sandbox || (w.kind == Workspace::Kind::Captured && w.keys_editable) ||
                                  (w.kind == Workspace::Kind::KeyTask && j == w.editable_key_row);
            const std::string name = "k" + std::to_string(j);
            Eigen::RowVectorXd row = w.keys.row(j);
            row_label(w, name, j, key_color(j, count));
            ImGui::SameLine(label_column(w));
            ImGui::TextDisabled("|k| = %.3f", row.norm());
            if (editable) {
                same_line_if_fits(button_width(tr(state, "Normalize")));
                if (ImGui::SmallButton(tr(state, "Normalize")) && row.norm() > 0) {
                    const Session before = state.session;
                    set_key_row(state, j, row / row.norm());
                    commit_edit(state, before);
                }
                tooltip(tr(state, "Scale this key to length 1."));
                same_line_if_fits(button_width(tr(state, "Reset")));
                if (ImGui::SmallButton(tr(state, "Reset"))) {
                    const Session before = state.session;
                    if (w.kind == Workspace::Kind::KeyTask) {
                        state.session.answers.erase(w.task->answer);
                        refresh(state);
                    } else {
                        set_key_row(state, j, Eigen::RowVectorXd::Zero(row.size()));
                    }
                    commit_edit(state, before);
                }
                tooltip(w.kind == Workspace::Kind::KeyTask ? tr(state, "Back to the notebook's key.")
                                                           : tr(state, "Set this key to zero."));
            }
            if (component_sliders(state, name.c_str(), row, range, editable, key_color(j, count))) set_key_row(state, j, row);
            if (editable && w.kind == Workspace::Kind::KeyTask) {
                if (row_text_field(state, name + " row", &row)) {
                    const Session before = state.session;
                    set_key_row(state, j, row);
                    commit_edit(state, before);
                }
                if (w.key_unit_norm) show_normalized(state, w.keys.row(j));
            }
            if (!editable && w.kind != Workspace::Kind::Sandbox && w.kind != Workspace::Kind::Captured && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
                tooltip(tr(state, "Fixed by this exercise. Keys are free in the Sandbox."));
            ImGui::PopID();
        }
    }
}

void value_rows(AppState& state) {
    const Workspace& w = state.workspace;
    const int count = static_cast<int>(w.values.rows());
    const float range = slider_range(state, &state.panels.value_slider_range, w.values.cwiseAbs().maxCoeff());
    ImGuiListClipper clipper;
    clipper.Begin(count);
    while (clipper.Step()) {
        for (int j = clipper.DisplayStart; j < clipper.DisplayEnd; ++j) {
            ImGui::PushID(j + 100000);
            const std::string name = "v" + std::to_string(j);
            Eigen::RowVectorXd row = w.values.row(j);
            row_label(w, name, j, value_color(j, count));
            ImGui::SameLine(label_column(w));
            if (component_sliders(state, name.c_str(), row, range, w.values_editable, value_color(j, count)))
                set_value_row(state, j, row);
            ImGui::PopID();
        }
    }
}

}  // namespace

void draw_vector_panel(AppState& state, const PanelRect& rect) {
    if (begin_panel(tr(state, "Vectors"), kVectorsId, rect)) {
        const Workspace& w = state.workspace;
        // A new task shows its query sliders from the top, not the last task's scroll position.
        const std::string task = state.session.mode == AppMode::Exercises ? state.session.selected_task : std::string();
        if (state.panels.vectors_task != task) ImGui::SetScrollY(0);
        state.panels.vectors_task = task;
        {
            if (w.kind == Workspace::Kind::Discussion) {
                // The demonstration the question is about, read-only.
                ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
                text_wrapped(format(tr(state, "The demonstration for this discussion: %s, read-only."),
                                    w.note.c_str()));
                ImGui::PopStyleColor();
            }
            ImGui::TextUnformatted(w.queries.rows() == 1 ? tr(state, "Query") : tr(state, "Queries"));
            if (!w.queries_editable && w.kind == Workspace::Kind::KeyTask)
                dim_text(format(tr(state, "(your %s answer, fixed here)"), w.note.c_str()));
            // Only a long list of sandbox queries scrolls in its own box, so the keys stay in view.
            const bool many = w.queries.rows() > kLongList;
            if (!many || ImGui::BeginChild("queries", ImVec2(0, std::max(em(10), ImGui::GetContentRegionAvail().y * 0.35f)))) query_rows(state);
            if (many) ImGui::EndChild();
            ImGui::Separator();
            ImGui::TextUnformatted(tr(state, "Keys"));
            if (w.kind == Workspace::Kind::KeyTask)
                dim_text(format(tr(state, "(only k%d may change%s)"), w.editable_key_row,
                                w.key_unit_norm ? tr(state, "; graded as k/|k|") : ""));
            // Long lists (a large sandbox) scroll in boxes of their own; short ones in the panel.
            const bool long_keys = w.keys.rows() > kLongList;
            if (long_keys) {
                const char* go_label = tr(state, "go to key");
                same_line_if_fits(em(5) + ImGui::CalcTextSize(go_label).x);
                int target = 0;
                ImGui::SetNextItemWidth(em(5));
                if (ImGui::InputInt(go_label, &target, 0, 0, ImGuiInputTextFlags_EnterReturnsTrue))
                    state.panels.scroll_to_key = std::clamp(target, 0, static_cast<int>(w.keys.rows()) - 1);
                probe_item(state, "go to key");
                tooltip(tr(state, "Type a key's number and press Enter to scroll the list to it."));
            }
            // At least ten lines each, also when the queries above took the panel's height.
            const float keys_h = std::max(em(10), ImGui::GetContentRegionAvail().y * 0.55f);
            if (!long_keys || ImGui::BeginChild("keys", ImVec2(0, keys_h))) key_rows(state);
            if (long_keys) ImGui::EndChild();
            if (w.kind == Workspace::Kind::Sandbox || w.kind == Workspace::Kind::Captured) {
                ImGui::TextUnformatted(tr(state, "Values"));
                if (!long_keys || ImGui::BeginChild("values", ImVec2(0, std::max(em(8), ImGui::GetContentRegionAvail().y)))) value_rows(state);
                if (long_keys) ImGui::EndChild();
            }
        }
    }
    end_panel(state, kVectorsId);
}

}  // namespace attn::app
