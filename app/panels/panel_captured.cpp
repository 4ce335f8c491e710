// The "Real attention" tab: the opened capture's file, layer and head pickers, its tokens, the
// mask and scale read from the file's metadata (editable like the sandbox's), and "Reset this head".
#include "app/i18n.h"
#include "app/panels/panels.h"
#include "app/probe.h"
#include "app/ui_common.h"
#include "core/formats/captured.h"
#include "core/base/text.h"

#include <algorithm>

namespace attn::app {

namespace {

std::string file_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "◀ layer 1 / 2 ▶": arrow buttons step through 0..count-1 and stop at the ends.
bool step_picker(AppState& state, const char* id, const char* label, int value, int count, int* out) {
    bool changed = false;
    ImGui::PushID(id);
    ImGui::BeginDisabled(value <= 0);
    if (ImGui::ArrowButton("##previous", ImGuiDir_Left)) {
        *out = value - 1;
        changed = true;
    }
    ImGui::EndDisabled();
    probe_item(state, std::string(id) + " previous");
    ImGui::SameLine();
    ImGui::Text("%s %d / %d", label, value, count);
    probe_item(state, std::string(id) + " value");
    ImGui::SameLine();
    ImGui::BeginDisabled(value + 1 >= count);
    if (ImGui::ArrowButton("##next", ImGuiDir_Right)) {
        *out = value + 1;
        changed = true;
    }
    ImGui::EndDisabled();
    probe_item(state, std::string(id) + " next");
    ImGui::PopID();
    return changed;
}

void draw_capture_options(AppState& state) {
    CapturedSession& c = state.session.captured;
    const Session before = state.session;
    bool changed = false;
    const char* scales[] = {tr(state, "1 (notebook)"), "1/√d", tr(state, "1/temperature")};
    int mode = static_cast<int>(c.scale_mode);
    ImGui::SetNextItemWidth(em(8));
    if (ImGui::Combo(tr(state, "scale"), &mode, scales, 3)) {
        c.scale_mode = static_cast<ScaleMode>(mode);
        changed = true;
    }
    probe_item(state, "captured scale");
    tooltip(tr(state, "Read from the file's metadata; change it to see what the model's scaling does."));
    if (c.scale_mode == ScaleMode::Temperature) {
        float temperature = static_cast<float>(c.temperature);
        ImGui::SetNextItemWidth(em(8));
        if (ImGui::SliderFloat(tr(state, "temperature"), &temperature, 0.01f, 100.0f, "%.3g",
                               ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp) &&
            temperature > 0) {
            c.temperature = temperature;
            changed = true;
        }
        slider_track(0, slider_position(temperature, 0.01f, 100.0f, true), palette().query);
    }
    changed |= ImGui::Checkbox(tr(state, "causal mask"), &c.causal);
    probe_item(state, "captured causal");
    tooltip(tr(state, "Query i only sees keys 0..i, as in a decoder."));
    if (changed) commit_edit(state, before);
}

}  // namespace

void draw_captured_controls(AppState& state) {
    const CapturedSession& c = state.session.captured;
    const CapturedFile& file = state.captured_file;
    ImGui::TextUnformatted(file_name(c.path).c_str());
    probe_item(state, "captured file");
    tooltip(c.path.c_str());
    if (!file.problem.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette().fail);
        text_wrapped(file.problem);
        ImGui::PopStyleColor();
    }
    if (!file.warning.empty()) text_wrapped(file.warning);
    if (ImGui::Button(tr(state, "Open tensors…"))) state.dialogs.open_tensors.open_requested = true;
    probe_item(state, "open tensors");
    if (!file.capture) return;
    const AttentionCapture& capture = *file.capture;
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    text_wrapped(format(tr(state, "%d tokens, d = %d, dv = %d, %s"), capture.tokens, capture.d,
                        capture.dv, capture.dtype.c_str()));
    ImGui::PopStyleColor();
    int layer = c.layer, head = c.head;
    if (step_picker(state, "layer", tr(state, "layer"), c.layer, capture.layers, &layer) |
        step_picker(state, "head", tr(state, "head"), c.head, capture.heads, &head))
        select_captured_head(state, layer, head);
    draw_capture_options(state);
    int edited = 0;
    for (const auto& [key, row] : state.session.captured.edits) edited += key.layer == c.layer && key.head == c.head;
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    text_wrapped(edited == 0 ? std::string(tr(state, "This head is as captured."))
                             : format(tr(state, "%d rows of this head edited."), edited));
    ImGui::PopStyleColor();
    ImGui::BeginDisabled(edited == 0);
    if (ImGui::Button(tr(state, "Reset this head"))) reset_captured_head(state);
    ImGui::EndDisabled();
    probe_item(state, "reset head");
    tooltip(tr(state, "Back to the file's q, k and v for this layer and head."));
}

}  // namespace attn::app
