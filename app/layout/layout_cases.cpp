#include "app/layout/layout_cases.h"

#include "app/i18n.h"
#include "app/layout/heatmap_controls.h"
#include "app/packs.h"
#include "core/course/pack.h"
#include "app/ui.h"
#include "core/formats/captured.h"
#include "core/math/torch_random.h"

#include <algorithm>
#include <cmath>

namespace attn::app {

std::string LayoutCase::name() const {
    std::string s = std::to_string(width) + "x" + std::to_string(height) + (presentation ? " presentation" : " normal") +
                    " zoom+" + std::to_string(zoom_steps) + " " + language + " ";
    if (!control.empty()) s = "control " + control + ": " + s;
    if (captured) return s + "captured N=" + std::to_string(captured_tokens);
    if (task.empty())
        return s + "sandbox N=" + std::to_string(sandbox_keys) + (sandbox_queries > 0 ? " n=" + std::to_string(sandbox_queries) : "") +
               (heatmap_zoom > 1 ? " zoomed" : "");
    return s + task + (solved ? " solved" : "");
}

namespace {

// A built-in pack's course, read once per call of layout_matrix (it solves every task).
Course builtin_course(const std::string& id) {
    for (const BuiltinPack& pack : builtin_packs())
        if (pack.id == id) return load_pack(pack.json, id);
    return notebook_course();
}

}  // namespace

std::vector<LayoutCase> control_cases() {
    std::vector<LayoutCase> cases;
    LayoutCase c;
    c.presentation = true;
    c.captured = true;
    c.captured_tokens = 14;
    c.control = "no-rotation";  // skipped labels: 14 tokens that fit rotated
    cases.push_back(c);
    c.control = "every-label";  // label gap: every token flat, however crowded
    cases.push_back(c);
    c = LayoutCase{};
    c.presentation = true;
    c.sandbox_keys = 1024;
    c.heatmap_zoom = 2;
    c.control = "minimap-on-grid";  // covered text: the minimap over the weights
    cases.push_back(c);
    c = LayoutCase{};
    c.presentation = true;
    c.pack = "temperature-masks";
    c.task = "2.3.1";
    c.control = "legend-off-edge";  // clipped legend
    cases.push_back(c);
    return cases;
}

std::vector<LayoutCase> layout_matrix() {
    const int sizes[][2] = {{1280, 720}, {1366, 768}, {1600, 900}, {1920, 1080}};
    std::vector<std::pair<std::string, std::string>> pack_tasks;  // ("" = the notebook, task id)
    for (const BuiltinPack& pack : builtin_packs())
        for (const Task& task : builtin_course(pack.id).tasks)
            pack_tasks.emplace_back(pack.id == "notebook" ? "" : pack.id, task.id);
    std::vector<LayoutCase> cases;
    for (const LanguageInfo& info : available_languages())
        for (bool presentation : {false, true})
            for (int zoom = 0; zoom <= 2; ++zoom)
                for (const auto& size : sizes) {
                    LayoutCase c;
                    c.width = size[0];
                    c.height = size[1];
                    c.presentation = presentation;
                    c.zoom_steps = zoom;
                    c.language = info.code;
                    for (const auto& [pack, task_id] : pack_tasks)
                        for (bool solved : {false, true}) {
                            c.pack = pack;
                            c.task = task_id;
                            c.solved = solved;
                            cases.push_back(c);
                        }
                    c.pack.clear();
                    c.task.clear();
                    c.solved = false;
                    for (int keys : {8, 32, 256}) {
                        c.sandbox_keys = keys;
                        cases.push_back(c);
                    }
                    c.sandbox_queries = 1;  // one query over 256 keys: a strip, labels to its end
                    cases.push_back(c);
                    c.sandbox_queries = 0;
                    c.sandbox_keys = 1024;  // sub-pixel cells, zoomed so the minimap shows
                    c.heatmap_zoom = 2;
                    cases.push_back(c);
                    c.heatmap_zoom = 1;
                    c.sandbox_keys = 0;
                    c.captured = true;
                    for (int tokens : {8, 14}) {
                        c.captured_tokens = tokens;
                        cases.push_back(c);
                    }
                }
    for (LayoutCase c : control_cases()) cases.push_back(c);
    return cases;
}

namespace {

// A seeded sandbox of N keys: d and the query count grow with N, as a student's would.
void sandbox_case(AppState& state, int keys, int query_rows) {
    SandboxSession& s = state.session.sandbox;
    s = SandboxSession{};
    s.source = DataSource::TorchSeed;
    s.key_count = keys;
    s.key_dim = keys <= 8 ? 3 : keys <= 32 ? 8 : 16;
    s.value_dim = 3;
    TorchDatasetSpec spec;
    spec.n = s.key_count;
    spec.d = s.key_dim;
    spec.dv = s.value_dim;
    s.data = make_torch_dataset(spec);
    const int queries = query_rows > 0 ? query_rows : keys <= 8 ? 2 : keys <= 32 ? 4 : 8;
    s.queries = Eigen::MatrixXd::Zero(queries, s.key_dim);
    for (int i = 0; i < queries; ++i) s.queries.row(i) = s.data.keys.row(i % keys) * (3.0 + i);
    state.session.mode = AppMode::Sandbox;
}

// An opened capture like tests/fixtures/tensors/encoder.safetensors (2 layers × 2 heads, 8 tokens,
// d = dv = 8), built in memory so the report needs no file; one token is longer than any label.
void captured_case(AppState& state, int tokens) {
    auto capture = std::make_shared<AttentionCapture>();
    capture->layers = 2;
    capture->heads = 2;
    capture->tokens = tokens;
    capture->d = capture->dv = 8;
    capture->token_labels = {"The", " cat", " sat", " on", " the", " extraordinarily", " warm", " mat"};
    if (tokens == 14)  // like tiny-lm's heads
        capture->token_labels = {"the", " licensee", " may", " not", " use", " the", " program", ",", " and",
                                 " the", " program", " may", " be", " copied"};
    capture->scale = 1.0 / std::sqrt(8.0);
    capture->container = "safetensors";
    capture->dtype = "float32";
    const std::size_t count = 2 * 2 * static_cast<std::size_t>(tokens) * 8;
    for (std::vector<float>* t : {&capture->q, &capture->k, &capture->v}) {
        t->resize(count);
        for (std::size_t i = 0; i < count; ++i) (*t)[i] = static_cast<float>(std::sin(0.7 * i + t->size() * 0.0 + (t == &capture->k)));
    }
    const std::string path = "/layout-case/encoder.safetensors";
    state.session.captured = captured_session_for(*capture, path);
    state.session.mode = AppMode::Captured;
    state.captured_file = {capture, path, "", ""};
}

}  // namespace

void apply_layout_case(AppState& state, const LayoutCase& c) {
    ViewSession& view = state.settings.view;
    view.language = c.language;
    view.presentation = c.presentation;
    view.text_zoom = std::clamp(std::pow(kZoomStep, static_cast<float>(c.zoom_steps)), 0.5f, 3.0f);
    const std::string pack = c.task.empty() || c.pack.empty() ? "notebook" : c.pack;
    if (state.current_course.course.id != pack) open_builtin_pack(state, pack);
    const SessionPack pack_ref = state.session.pack;
    state.session = Session{};
    state.session.pack = pack_ref;
    state.explanations.clear();
    state.panels = PanelMemory{};
    state.toasts.clear();
    HeatmapControls& controls = heatmap_controls();
    controls = HeatmapControls{};
    controls.no_rotation = c.control == "no-rotation";
    controls.every_label = c.control == "every-label";
    controls.minimap_on_grid = c.control == "minimap-on-grid";
    controls.legend_off_edge = c.control == "legend-off-edge";
    if (c.captured) {
        captured_case(state, c.captured_tokens);
        refresh(state);
        return;
    }
    if (c.task.empty()) {
        sandbox_case(state, c.sandbox_keys, c.sandbox_queries);
        refresh(state);
        if (c.heatmap_zoom > 1) {  // as after a wheel notch or two over the weights
            state.panels.heatmap_rows = static_cast<int>(state.workspace.result.logits.rows());
            state.panels.heatmap_cols = static_cast<int>(state.workspace.result.logits.cols());
            state.panels.heatmap_zoom = c.heatmap_zoom;
        }
        return;
    }
    refresh(state);
    if (c.solved) solve_all_tasks(state);
    select_task(state, c.task);
    // Solve pressed on the task itself, as a teacher would: its explanation must come into view.
    if (c.solved) solve_selected(state);
    state.toasts.clear();
}

}  // namespace attn::app
