#include "app/probe.h"

#include "core/error.h"
#include "core/json_io.h"

#include <imgui.h>

#include <cmath>

namespace attn::app {

void probe_item(AppState& state, const std::string& name) {
    if (state.probe_path.empty()) return;
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    state.probes[name] = {min.x, min.y, max.x - min.x, max.y - min.y};
}

void write_probe(AppState& state) {
    if (state.probe_path.empty()) return;
    nlohmann::json items = nlohmann::json::object();
    for (const auto& [name, r] : state.probes) items[name] = {r.x, r.y, r.w, r.h};
    nlohmann::json checks = nlohmann::json::array();
    for (const TaskCheck& check : state.checks)
        checks.push_back({{"id", check.id}, {"answered", check.answered}, {"pass", check.pass},
                          {"max_abs_diff", std::isfinite(check.max_abs_diff) ? nlohmann::json(check.max_abs_diff) : nlohmann::json()}});
    const Workspace& w = state.workspace;
    const nlohmann::json doc = {{"mode", state.session.mode == AppMode::Exercises ? "exercises" : "sandbox"},
                                {"selected_task", state.session.selected_task},
                                {"language", state.session.view.language},
                                {"presentation", state.session.view.presentation},
                                {"can_undo", state.history.can_undo()},
                                {"queries", matrix_to_json(w.queries)},
                                {"keys", matrix_to_json(w.keys)},
                                {"weights", w.error.empty() ? matrix_to_json(w.result.weights) : nlohmann::json()},
                                {"checks", checks},
                                {"toasts", [&] {
                                     nlohmann::json t = nlohmann::json::array();
                                     for (const Toast& toast : state.toasts) t.push_back(toast.text);
                                     return t;
                                 }()},
                                {"items", items}};
    const std::string text = doc.dump(1);
    if (text == state.probe_written) return;
    try {
        write_file_atomically(state.probe_path, text);
        state.probe_written = text;
    } catch (const InputError&) {
        // A test harness problem; the app itself carries on.
    }
}

}  // namespace attn::app
