// The Sandbox tab: free data (notebook, a torch seed, random, or typed), sizes, scale, causal
// mask, several queries, and the goal solver with its feasibility message.
#include "app/i18n.h"
#include "app/panels/panels.h"
#include "app/probe.h"
#include "app/ui_common.h"
#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/math/torch_random.h"

#include <imgui_stdlib.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <random>

namespace attn::app {

namespace {

constexpr float kMinSandboxTemperature = 0.01f;
constexpr float kMaxSandboxTemperature = 100.0f;
constexpr float kMinSettingsEm = 3.0f;     // the settings box never shrinks below this
constexpr float kMinExplanationEm = 5.0f;  // nor the solve's explanation below it
static_assert(kMinSandboxTemperature >= kMinTemperature && kMaxSandboxTemperature <= kMaxTemperature,
              "the slider's range lies inside what sessions accept");

void regenerate(AppState& state) {
    SandboxSession& s = state.session.sandbox;
    try {
        switch (s.source) {
            case DataSource::Notebook:
                s.data = notebook_dataset();
                s.key_count = 4;
                s.key_dim = 3;
                s.value_dim = 3;
                break;
            case DataSource::TorchSeed: {
                TorchDatasetSpec spec;
                spec.seed = s.torch_seed;
                spec.n = s.key_count;
                spec.d = s.key_dim;
                spec.dv = s.value_dim;
                s.data = make_torch_dataset(spec);
                break;
            }
            case DataSource::Random: {
                // A fresh draw each time (seeded from the clock): the point is "some other data".
                std::mt19937 rng(std::random_device{}());
                std::normal_distribution<double> normal;
                s.data.keys.resize(s.key_count, s.key_dim);
                s.data.values.resize(s.key_count, s.value_dim);
                for (Eigen::Index i = 0; i < s.data.keys.size(); ++i) s.data.keys(i) = normal(rng);
                for (Eigen::Index i = 0; i < s.data.values.size(); ++i) s.data.values(i) = normal(rng);
                break;
            }
            case DataSource::Typed: {
                // Keep what was typed, padded or cut to the new sizes.
                Eigen::MatrixXd keys = Eigen::MatrixXd::Zero(s.key_count, s.key_dim);
                Eigen::MatrixXd values = Eigen::MatrixXd::Zero(s.key_count, s.value_dim);
                const Eigen::Index r = std::min<Eigen::Index>(s.key_count, s.data.keys.rows());
                keys.topLeftCorner(r, std::min<Eigen::Index>(s.key_dim, s.data.keys.cols())) =
                    s.data.keys.topLeftCorner(r, std::min<Eigen::Index>(s.key_dim, s.data.keys.cols()));
                values.topLeftCorner(r, std::min<Eigen::Index>(s.value_dim, s.data.values.cols())) =
                    s.data.values.topLeftCorner(r, std::min<Eigen::Index>(s.value_dim, s.data.values.cols()));
                s.data.keys = keys;
                s.data.values = values;
                break;
            }
        }
    } catch (const InputError& e) {
        toast(state, e.what(), true);
    }
    if (s.queries.cols() != s.data.keys.cols()) s.queries = Eigen::MatrixXd::Zero(std::max<Eigen::Index>(1, s.queries.rows()), s.data.keys.cols());
}

// What the controls edit: every sandbox setting but the matrices. The widgets change this small
// copy and the document changes once, with its undo step, only when something was edited
// (copying a 1024-token session every frame to have a "before" cost half a millisecond).
struct SandboxSettings {
    DataSource source = DataSource::Notebook;
    uint64_t torch_seed = 0;
    int key_count = 0, key_dim = 0, value_dim = 0;
    int queries = 1;
    ScaleMode scale_mode = ScaleMode::One;
    double temperature = 1;
    bool causal = false;
    std::string goal;
};

SandboxSettings settings_of(const SandboxSession& s) {
    return {s.source, s.torch_seed, s.key_count, s.key_dim, s.value_dim, static_cast<int>(s.queries.rows()),
            s.scale_mode, s.temperature, s.causal, s.goal};
}

// Writes the edited settings into the sandbox; more or fewer queries keep the rows that stay.
void apply_settings(const SandboxSettings& c, SandboxSession& s) {
    s.source = c.source;
    s.torch_seed = c.torch_seed;
    s.key_count = c.key_count;
    s.key_dim = c.key_dim;
    s.value_dim = c.value_dim;
    if (c.queries != s.queries.rows()) {
        Eigen::MatrixXd resized = Eigen::MatrixXd::Zero(c.queries, s.queries.cols());
        const Eigen::Index keep = std::min<Eigen::Index>(c.queries, s.queries.rows());
        resized.topRows(keep) = s.queries.topRows(keep);
        s.queries = resized;
    }
    s.scale_mode = c.scale_mode;
    s.temperature = c.temperature;
    s.causal = c.causal;
    s.goal = c.goal;
}

// Where the data comes from and its sizes; true when the data must be made again.
bool draw_data_controls(AppState& state, SandboxSettings& s) {
    bool data_changed = false;
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    text_wrapped(tr(state, "Free exploration: your own data, sizes and goals."));
    ImGui::PopStyleColor();
    const char* sources[] = {tr(state, "Notebook data"), tr(state, "PyTorch seed"),
                             tr(state, "Random"), tr(state, "Typed (sliders)")};
    int source = static_cast<int>(s.source);
    const std::string data_label = fit_label(tr(state, "data"), em(11));
    if (ImGui::Combo(data_label.c_str(), &source, sources, 4)) {
        s.source = static_cast<DataSource>(source);
        data_changed = true;
    }
    tooltip(tr(state, "Where keys and values come from. The seed reproduces torch.manual_seed(s); torch.randn(N, d) bit for bit."));
    if (s.source == DataSource::TorchSeed) {
        int seed = static_cast<int>(std::min<uint64_t>(s.torch_seed, 2147483647u));
        const std::string seed_label = fit_label(tr(state, "seed"), em(8));
        if (ImGui::InputInt(seed_label.c_str(), &seed) && seed >= 0) {
            s.torch_seed = static_cast<uint64_t>(seed);
            data_changed = true;
        }
    }
    ImGui::BeginDisabled(s.source == DataSource::Notebook);
    const std::string keys_label = fit_label(tr(state, "N keys"), em(8));
    data_changed |= ImGui::SliderInt(keys_label.c_str(), &s.key_count, 1, kMaxKeys, "%d", ImGuiSliderFlags_AlwaysClamp);
    slider_track(0, slider_position(static_cast<float>(s.key_count), 1, static_cast<float>(kMaxKeys)), palette().key);
    tooltip(tr(state, "Number of keys (and values), 1 to 1024."));
    const std::string d_label = fit_label(tr(state, "d (key width)"), em(8));
    data_changed |= ImGui::SliderInt(d_label.c_str(), &s.key_dim, 1, kMaxKeyDim, "%d", ImGuiSliderFlags_AlwaysClamp);
    slider_track(0, slider_position(static_cast<float>(s.key_dim), 1, static_cast<float>(kMaxKeyDim)), palette().key);
    tooltip(tr(state, "Components per query and key, 1 to 128."));
    const std::string dv_label = fit_label(tr(state, "dv (value width)"), em(8));
    data_changed |= ImGui::SliderInt(dv_label.c_str(), &s.value_dim, 1, kMaxValueDim, "%d", ImGuiSliderFlags_AlwaysClamp);
    slider_track(0, slider_position(static_cast<float>(s.value_dim), 1, static_cast<float>(kMaxValueDim)), palette().key);
    tooltip(tr(state, "Components per value, independent of d."));
    ImGui::EndDisabled();
    if (ImGui::Button(tr(state, "Generate"))) data_changed = true;
    tooltip(tr(state, "Make the data again from the chosen source."));

    return data_changed;
}

// How many queries and how they are scored (scale, temperature, causal mask); true on a change.
bool draw_query_controls(AppState& state, SandboxSettings& s) {
    bool changed = false;
    const int queries_before = s.queries;
    const std::string queries_label = fit_label(tr(state, "queries"), em(8));
    if (ImGui::SliderInt(queries_label.c_str(), &s.queries, 1, kMaxQueries, "%d", ImGuiSliderFlags_AlwaysClamp) &&
        s.queries != queries_before)
        changed = true;
    slider_track(0, slider_position(static_cast<float>(s.queries), 1, static_cast<float>(kMaxQueries)), palette().query);
    tooltip(tr(state, "Number of query rows (the heatmaps get one row each)."));

    const char* scales[] = {tr(state, "1 (notebook)"), "1/√d", tr(state, "1/temperature")};
    const char* scale_ids[] = {"scale one", "scale inv_sqrt_d", "scale temperature"};
    const std::string scale_label = fit_label(tr(state, "scale"), em(8));
    if (ImGui::BeginCombo(scale_label.c_str(), scales[static_cast<int>(s.scale_mode)])) {
        for (int mode = 0; mode < 3; ++mode) {
            if (ImGui::Selectable(scales[mode], mode == static_cast<int>(s.scale_mode))) {
                s.scale_mode = static_cast<ScaleMode>(mode);
                changed = true;
            }
            probe_item(state, scale_ids[mode]);
        }
        ImGui::EndCombo();
    }
    probe_item(state, "scale");
    tooltip(tr(state, "Logits = scale · q·k. The notebook uses 1; transformers use 1/√d."));
    if (s.scale_mode == ScaleMode::Temperature) {
        float temperature = static_cast<float>(s.temperature);
        const std::string temperature_label = fit_label(tr(state, "temperature"), em(8));
        // 0.01 to 100 spans "one key takes all" to "uniform" for any data worth exploring; a
        // typed value is clamped there too (1e-30 or 1e30 teach nothing and break the legends).
        if (ImGui::SliderFloat(temperature_label.c_str(), &temperature, kMinSandboxTemperature, kMaxSandboxTemperature,
                               "%.3g", ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp) &&
            std::isfinite(temperature) && temperature > 0) {
            s.temperature = temperature;
            changed = true;
        }
        slider_track(0, slider_position(temperature, kMinSandboxTemperature, kMaxSandboxTemperature, true), palette().query);
        probe_item(state, "temperature");
    }
    // A checkbox cannot wrap its label: the label goes on its own line when the box and it do not fit.
    const std::string causal_label = fit_label(tr(state, "causal mask"), ImGui::GetFrameHeight());
    changed |= ImGui::Checkbox(causal_label.c_str(), &s.causal);
    probe_item(state, "causal");
    tooltip(tr(state, "Query i only sees keys 0..i, as in a decoder."));

    return changed;
}

// The goal, its error, and Solve goal (or the running solve's progress and Cancel); true when
// the goal was edited.
bool draw_goal_solver(AppState& state, SandboxSettings& s, int key_count) {
    bool changed = false;
    ImGui::Separator();
    text_wrapped(tr(state, "Goal solver"));
    const std::string goal_label = fit_label(tr(state, "goal"), em(7));
    changed |= ImGui::InputText(goal_label.c_str(), &s.goal);
    probe_item(state, "goal");
    tooltip(tr(state, "select:I, average:I,J,... or identity (one query per key)."));
    // The button joins the goal's line when there is room: one line less on a short panel.
    if (solving(state)) {  // a long solve (identity on many keys) runs on a worker thread
        same_line_if_fits(button_width(tr(state, "Cancel")));
        if (ImGui::Button(tr(state, "Cancel"))) cancel_solve(state);
        probe_item(state, "cancel solve");
        audit_item_in_view(state.layout_audit, kExercisesId, "Cancel (sandbox solve)");
        ImGui::ProgressBar(solving_progress(state), ImVec2(-FLT_MIN, 0));
        probe_item(state, "solve progress");
    } else {
        same_line_if_fits(button_width(tr(state, "Solve goal")));
        if (ImGui::Button(tr(state, "Solve goal"))) start_solve(state);
        probe_item(state, "solve goal");
        audit_item_in_view(state.layout_audit, kExercisesId, "Solve goal");
        tooltip(tr(state, "Find a query analytically, or explain why no query can do it."));
    }
    try {
        parse_goal(s.goal, key_count);
    } catch (const InputError& e) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette().fail);
        text_wrapped(e.what());
        ImGui::PopStyleColor();
    }
    return changed;
}

}  // namespace

// The settings scroll in a box above the goal solver, so Solve goal (and Cancel) stay in view on
// a projector with large text; a solve's explanation shares the room with the settings.
void draw_sandbox_controls(AppState& state) {
    SandboxSettings edited = settings_of(state.session.sandbox);
    const int key_count = static_cast<int>(state.session.sandbox.data.keys.rows());
    const ImGuiStyle& style = ImGui::GetStyle();
    ImGuiStorage* storage = ImGui::GetStateStorage();
    const ImGuiID goal_height_id = ImGui::GetID("goal solver height");
    const LocalText* explanation = current_sandbox_explanation(state);  // only while the sandbox is the one solved
    // The goal section's height from the last frame: it changes only when the goal's error line
    // comes or goes, while the student types (every key press draws frames).
    const float goal_h = storage->GetFloat(goal_height_id, em(4));
    const float room = ImGui::GetContentRegionAvail().y - goal_h - 2 * style.ItemSpacing.y;
    // Computed in this frame, never from the box's own content: a box that follows its content
    // settles a frame late and moved Solve goal after the window had gone idle.
    const float settings_h = explanation ? std::max(em(kMinSettingsEm), room * 0.5f) : std::max(em(kMinSettingsEm), room);
    bool data_changed = false, changed = false;
    if (ImGui::BeginChild("sandbox settings", ImVec2(0, settings_h))) {
        data_changed = draw_data_controls(state, edited);
        changed = draw_query_controls(state, edited);
        audit_window_width(state.layout_audit, kExercisesId);
    }
    ImGui::EndChild();
    const float goal_top = ImGui::GetCursorPosY();
    changed |= draw_goal_solver(state, edited, key_count);
    storage->SetFloat(goal_height_id, ImGui::GetCursorPosY() - goal_top - style.ItemSpacing.y);
    if (explanation) {
        ImGui::BeginChild("goal_explanation", ImVec2(0, std::max(em(kMinExplanationEm), ImGui::GetContentRegionAvail().y)), true);
        text_wrapped(explanation->get(language(state)));
        ImGui::EndChild();
    }

    if (!data_changed && !changed) return;
    const Session before = state.session;
    SandboxSession& s = state.session.sandbox;
    apply_settings(edited, s);
    if (data_changed) regenerate(state);
    if (s.goal.empty()) s.goal = "select:0";
    commit_edit(state, before);
}

}  // namespace attn::app
