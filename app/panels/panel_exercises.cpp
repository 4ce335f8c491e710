// The left panel: the current course's tasks with live status, Solve / Solve all / Reset, the
// explanation of the last solve, and the Sandbox tab.
#include "app/i18n.h"
#include "app/packs.h"
#include "app/panels/panels.h"
#include "app/probe.h"
#include "app/ui_common.h"
#include "core/course/hints.h"
#include "core/course/report.h"

#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace attn::app {

namespace {

// Scrolls the task pane to the block just drawn when the last action produced it (reveal.h).
void reveal_in_task_pane(AppState& state, const std::string& item) {
    reveal_block(state.panels.reveal_result, state.layout_audit, kExercisesId, item);
}

constexpr float kFullListEm = 30.0f;  // below this panel height the task list folds to a picker
constexpr float kMinTaskTextEm = 1.5f; // the task's text box never shrinks below this (a line and a half: it scrolls)

const TaskCheck* check_of(const AppState& state, const std::string& id) {
    for (const TaskCheck& check : state.checks)
        if (check.id == id) return &check;
    return nullptr;
}

void status_mark(const AppState& state, const TaskCheck* check) {
    const Palette colors = palette();
    if (!check || !check->answered) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors.text_dim), "–");
        tooltip(tr(state, "Not answered yet"));
    } else if (!check->graded) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors.fail), "!");
        tooltip(tr(state, "Cannot be graded: the file computes it in a way attnlab does not evaluate"));
    } else if (check->pass) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors.pass), "✓");
        tooltip(tr(state, "Passes the course's check"));
    } else {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors.fail), "✗");
        tooltip(tr(state, "Does not pass yet"));
    }
}

// Tasks as "✓ 1.3.2" (the status mark and the id), for the picker.
std::string short_task_label(const AppState& state, const Task& task) {
    const TaskCheck* check = check_of(state, task.id);
    const char* mark = task.discussion                  ? "?"
                       : !check || !check->answered     ? "\xE2\x80\x93"
                       : !check->graded                 ? "!"
                       : check->pass                    ? "\xE2\x9C\x93"
                                                        : "\xE2\x9C\x97";
    return std::string(mark) + " " + task.id;
}

// The folded task list: previous / next and a drop-down of every task.
void draw_task_picker(AppState& state) {
    const Language lang = language(state);
    const Task* current = course(state).find(state.session.selected_task);
    const bool in_exercises = state.session.mode == AppMode::Exercises;
    if (ImGui::ArrowButton("##previous task", ImGuiDir_Left)) select_next_task(state, -1);
    probe_item(state, "previous task");
    tooltip(tr(state, "Previous task (Page Up)"));
    ImGui::SameLine();
    const float arrow_w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemSpacing.x;
    ImGui::SetNextItemWidth(std::max(em(4), ImGui::GetContentRegionAvail().x - arrow_w));
    const std::string preview = current && in_exercises ? short_task_label(state, *current) : std::string();
    if (ImGui::BeginCombo("##task picker", preview.c_str())) {
        for (const Task& task : course(state).tasks) {
            const std::string label = short_task_label(state, task) + "  " + task.title.get(lang);
            if (ImGui::Selectable(label.c_str(), current == &task)) select_task(state, task.id);
        }
        ImGui::EndCombo();
    }
    probe_item(state, "task picker");
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next task", ImGuiDir_Right)) select_next_task(state, +1);
    probe_item(state, "next task");
    tooltip(tr(state, "Next task (Page Down)"));
}

void draw_task_list(AppState& state) {
    const Language lang = language(state);
    const Course& c = course(state);
    if (!ImGui::BeginTable("tasks", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) return;
    ImGui::TableSetupColumn("status", ImGuiTableColumnFlags_WidthFixed, em(1.2f));
    ImGui::TableSetupColumn("task", ImGuiTableColumnFlags_WidthStretch);
    std::string section;
    for (const Task& task : c.tasks) {
        if (task.section != section) {
            section = task.section;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TableNextColumn();
            for (const Section& s : c.sections)
                if (s.id == section) {
                    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
                    text_wrapped(s.id + "  " + s.title.get(lang));
                    ImGui::PopStyleColor();
                }
        }
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const TaskCheck* check = check_of(state, task.id);
        if (task.discussion) ImGui::TextDisabled("?");
        else status_mark(state, check);
        ImGui::TableNextColumn();
        // Long titles wrap inside their row rather than run under the panel's edge.
        const std::string label = wrap_text(task.id + "  " + task.title.get(lang), ImGui::GetContentRegionAvail().x) + "##" + task.id;
        const bool selected = state.session.mode == AppMode::Exercises && state.session.selected_task == task.id;
        // The tooltip text is taken before the click: selecting refreshes state.checks.
        const std::string status = task.discussion ? tr(state, "A discussion question: no checker")
                                   : check && check->answered
                                       ? measured_text(*check, language(state)) + (check->problem.empty() ? "" : "\n" + check->problem)
                                       : std::string();
        if (ImGui::Selectable(label.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns)) select_task(state, task.id);
        probe_item(state, "task " + task.id);
        if (!status.empty()) tooltip(status.c_str());
    }
    ImGui::EndTable();
}

// Below the buttons, in one scroll box: the live diagnosis of the answer as it is now, then
// Solve's derivation while the answer is still the one Solve gave (else it would quote numbers
// of an answer that is gone).
void draw_explanations(AppState& state, const Task& task) {
    const Language lang = language(state);
    // Looked up here, not passed in: the buttons above may have refreshed state.checks.
    const TaskCheck* check = check_of(state, task.id);
    const Diagnosis& diagnosis = state.diagnosis;
    const Explanation* solved = current_explanation(state, task.id);
    if (diagnosis.summary.en.empty() && !solved) return;
    // In the panel's own scrolling, not a box of its own: a nested box left one line visible.
    ImGui::Separator();
    if (!diagnosis.summary.en.empty()) {
        ImGui::BeginGroup();
        ImGui::TextDisabled("%s", tr(state, "Your answer now:"));
        text_wrapped(diagnosis.summary.get(lang));
        ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
        text_wrapped(diagnosis.details.get(lang));
        ImGui::PopStyleColor();
        ImGui::EndGroup();
        probe_item(state, "diagnosis");
        reveal_in_task_pane(state, "diagnosis");
    }
    if (solved) {
        const bool passes = check && check->pass;
        ImGui::Separator();
        ImGui::BeginGroup();
        ImGui::TextDisabled("%s", !solved->feasible ? tr(state, "Why Solve cannot do it:")
                                  : passes          ? tr(state, "Why this works:")
                                                    : tr(state, "How Solve derived it:"));
        text_wrapped(solved->text.get(lang));
        ImGui::EndGroup();
        probe_item(state, "explanation");
        reveal_in_task_pane(state, "explanation");
    }
}

// Typing in the notes is one undo step per visit to the field, not one per key.
void track_note_edit(AppState& state) {
    if (ImGui::IsItemActivated()) begin_edit(state);
    if (ImGui::IsItemDeactivated()) end_edit(state);
}

// A discussion question: what the demonstration shows, and the student's notes (saved with the
// session, exported with the answers).
void draw_discussion(AppState& state, const Task& task) {
    const Palette colors = palette();
    ImGui::PushStyleColor(ImGuiCol_Text, colors.text_dim);
    text_wrapped(format(tr(state, "Discussion question: no checker. The panels show %s, read-only: change it in that task and "
                                  "come back to see the effect."),
                        state.workspace.note.c_str()));
    ImGui::PopStyleColor();
    text_wrapped(tr(state, "Your notes (saved with the session and exported with the answers):"));
    const auto found = state.session.notes.find(task.id);
    std::string text = found == state.session.notes.end() ? std::string() : found->second;
    if (ImGui::InputTextMultiline("##notes", &text, ImVec2(-1, std::max(em(5), ImGui::GetContentRegionAvail().y))))
        set_note(state, task.id, text);
    track_note_edit(state);
    probe_item(state, "notes");
}

// A temperature task: the student's one number T, typed here (the query is fixed).
void draw_temperature_answer(AppState& state, const Task& task) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    text_wrapped(format(tr(state, "You edit: %s, the temperature T (logits q·k/T, with q = key[%d])"), task.answer.c_str(),
                        task.edit.query_key));
    ImGui::PopStyleColor();
    const auto answer = state.session.answers.find(task.answer);
    double temperature = answer != state.session.answers.end() && answer->second.data.size() == 1 ? answer->second.data(0, 0) : 1.0;
    ImGui::SetNextItemWidth(em(7));
    if (ImGui::InputDouble("T##temperature", &temperature, 0, 0, "%.4g", ImGuiInputTextFlags_EnterReturnsTrue) &&
        std::isfinite(temperature) && temperature > 0) {
        const Session before = state.session;
        set_temperature_answer(state, temperature);
        commit_edit(state, before);
    }
    probe_item(state, "temperature answer");
    tooltip(format(tr(state, "Type T and press Enter (%g to %g). Smaller T sharpens the softmax."), kMinTemperature,
                   kMaxTemperature).c_str());
}

// Under a causal mask: which token the query sits at and which keys it sees.
void draw_mask_note(AppState& state, const Task& task) {
    const AttentionOptions& options = state.workspace.options;
    if (options.mask.size() == 0) return;
    ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
    const int keys = static_cast<int>(options.mask.cols());
    if (options.mask.rows() == 1) {
        const int token = task.edit.position >= 0 ? task.edit.position : keys - 1;
        text_wrapped(format(tr(state, "Causal mask: the query sits at token %d and sees keys 0..%d; the heatmaps grey out the rest."),
                            token, token));
    } else {
        text_wrapped(tr(state, "Causal mask: row i sits at token i and sees keys 0..i; the heatmaps grey out the rest."));
    }
    ImGui::PopStyleColor();
}

// Hints between nothing and Solve: each press of Hint shows one more (what must hold, then the
// direction or the key to change), made by core from the goal and the data in this language.
// The texts scroll with the task; the Hint button sits in the pinned button row.
void draw_hint_texts(AppState& state, const Task& task) {
    const int shown = state.panels.hints_shown[task.id];
    if (shown <= 0) return;
    const TaskHints hints = task_hints(course(state), task, course_data(state), state.session.answers, language(state));
    const auto block = [&](const char* heading, const std::string& text, const char* item) {
        ImGui::BeginGroup();
        ImGui::TextDisabled("%s", heading);
        text_wrapped(text);
        ImGui::EndGroup();
        probe_item(state, item);
        reveal_in_task_pane(state, item);
    };
    block(tr(state, "Hint 1:"), hints.must_hold, "hint 1");
    if (shown > 1) block(tr(state, "Hint 2:"), hints.direction, "hint 2");
}

// Hint's label changes ("Hint", "Next hint") but its width does not: it is always as wide as the
// wider label, so Solve beside it never moves when the label changes.
const char* widest_hint_label(AppState& state) {
    const char* first = tr(state, "Hint");
    const char* next = tr(state, "Next hint");
    return button_width(first) >= button_width(next) ? first : next;
}

// The button row's labels, in order (Hint at its widest). Hint stays when spent (disabled), so that
// no button moves.
std::vector<std::string> task_button_labels(AppState& state) {
    std::vector<std::string> labels;
    labels.push_back(widest_hint_label(state));
    for (const char* label : {tr(state, "Solve"), tr(state, "Reset"), tr(state, "Copy PyTorch")}) labels.push_back(label);
    return labels;
}

// A control the teacher must reach without scrolling: the layout audit reports it when it is not.
void must_be_in_view(AppState& state, const char* what) { audit_item_in_view(state.layout_audit, kExercisesId, what); }

// Hint, Solve, Reset, Copy PyTorch: wrapped to the panel's width (task_button_labels, same order).
void draw_task_buttons(AppState& state, const Task& task) {
    int& shown = state.panels.hints_shown[task.id];
    // Always drawn, disabled once both hints show: a spent Hint that vanished let Solve slide under
    // the pointer, and the third click at one spot solved the task in front of the class.
    const std::string label = shown == 0 ? tr(state, "Hint") : tr(state, "Next hint");
    ImGui::BeginDisabled(shown >= 2);
    if (ImGui::Button((label + "###hint").c_str(), ImVec2(button_width(widest_hint_label(state)), 0))) {
        ++shown;
        state.panels.reveal_result.ask("hint " + std::to_string(shown));
    }
    ImGui::EndDisabled();
    probe_item(state, "hint");
    must_be_in_view(state, "Hint");
    tooltip(tr(state, "Hint 1 says what must hold; hint 2 the direction or the key to change; Solve gives the answer."));
    same_line_if_fits(button_width(tr(state, "Solve")));
    if (ImGui::Button(tr(state, "Solve"))) solve_selected(state);
    probe_item(state, "solve");
    must_be_in_view(state, "Solve");
    tooltip(tr(state, "Fill in the analytic answer for this task and explain it (Ctrl+Enter)."));
    same_line_if_fits(button_width(tr(state, "Reset")));
    if (ImGui::Button(tr(state, "Reset"))) reset_selected(state);
    probe_item(state, "reset");
    must_be_in_view(state, "Reset");
    tooltip(tr(state, "Clear your answer to this task (Ctrl+R). Undo with Ctrl+Z."));
    same_line_if_fits(button_width(tr(state, "Copy PyTorch")));
    const auto answer = state.session.answers.find(task.answer);
    ImGui::BeginDisabled(answer == state.session.answers.end());
    if (ImGui::Button(tr(state, "Copy PyTorch"))) {
        ImGui::SetClipboardText(answer_as_python(task, answer->second, answer_origin(state, task)).c_str());
        toast(state, tr(state, "Copied the answer as a PyTorch line"));
    }
    ImGui::EndDisabled();
    probe_item(state, "copy pytorch");
    must_be_in_view(state, "Copy PyTorch");
    tooltip(tr(state, "Copy `name = torch.tensor([...])` for the notebook to the clipboard."));
}

// What the task says and how the answer stands: the prompt, what is edited, the check, hints and
// the explanations. Scrolls above the pinned button row when it is long.
void draw_task_text(AppState& state, const Task* task) {
    const Language lang = language(state);
    const Palette colors = palette();
    ImGui::BeginGroup();
    text_wrapped(task->id + "  " + task->title.get(lang));
    text_wrapped(task->prompt.get(lang));
    ImGui::EndGroup();
    probe_item(state, "task prompt");
    const auto dim = [&](const std::string& text) {
        ImGui::PushStyleColor(ImGuiCol_Text, colors.text_dim);
        text_wrapped(text);
        ImGui::PopStyleColor();
    };
    const Workspace& w = state.workspace;
    if (task->edit.tensor == TaskEdit::Tensor::KeyRow) {
        const Task* source = course(state).find(task->edit.query_from);
        ImGui::PushStyleColor(ImGuiCol_Text, colors.query);
        text_wrapped(w.query_answered
                         ? format(tr(state, "Uses your current %s query (%s): change it there and this status follows."),
                                  source->id.c_str(), source->answer.c_str())
                         : format(tr(state, "Uses your %s query, which is not answered yet: answer or solve %s first."),
                                  source->id.c_str(), source->id.c_str()));
        ImGui::PopStyleColor();
        dim(format(tr(state, "You edit: key[%d] only%s"), task->edit.key_row,
                   task->edit.unit_norm ? tr(state, "; the check divides it by its length, as the notebook does") : ""));
    } else if (task->edit.tensor == TaskEdit::Tensor::Temperature) {
        draw_temperature_answer(state, *task);
    } else {
        const Dataset& data = course_data(state);
        const std::string shape = task->edit.rows == 1
                                      ? format(tr(state, "a vector of %d"), static_cast<int>(data.keys.cols()))
                                      : format(tr(state, "a %d×%d matrix"), task->edit.rows, static_cast<int>(data.keys.cols()));
        dim(format(tr(state, "You edit: %s (%s)"), task->answer.c_str(), shape.c_str()));
    }
    draw_mask_note(state, *task);

    const TaskCheck* check = check_of(state, task->id);
    if (check && check->answered && std::isfinite(check->max_abs_diff)) {
        const bool pass = check->pass;
        ImGui::PushStyleColor(ImGuiCol_Text, pass ? colors.pass : colors.fail);
        text_wrapped(std::string(pass ? "✓  " : "✗  ") + measured_text(*check, lang));
        ImGui::PopStyleColor();
        probe_item(state, "task status");
        reveal_in_task_pane(state, "task status");
        tooltip(check->measure == CheckMeasure::KeyWeight
                    ? tr(state, "The key's softmax weight at this temperature, in float32; the output below is not graded.")
                    : tr(state, "Computed in float32 exactly as the notebook's check_query prints it: (target − output).abs().max()."));
    }
    if (check && !check->problem.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, check->answered ? colors.fail : colors.text_dim);
        text_wrapped(check->problem);
        probe_item(state, "task problem");
        reveal_in_task_pane(state, "task problem");
        ImGui::PopStyleColor();
    }

    draw_hint_texts(state, *task);
    draw_explanations(state, *task);
}

// When the task's text goes on below the box, its last line fades out over about a line's
// height: a line cut in half at the box's edge read as broken ("You edit: query223 (a 8×3
// mat"), a fading one as "more below", with the scroll bar beside it.
void fade_cut_line(AppState& state) {
    if (ImGui::GetScrollY() + 0.5f >= ImGui::GetScrollMaxY()) return;
    const ImVec2 min = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    const float right = min.x + ImGui::GetWindowContentRegionMax().x;
    const ImVec2 fade_min(min.x, min.y + size.y - em(1.2f)), fade_max(right, min.y + size.y);
    const ImU32 clear = ImGui::GetColorU32(ImGuiCol_ChildBg, 0.0f) & 0x00FFFFFF;
    const ImU32 background = ImGui::GetColorU32(ImGuiCol_WindowBg);
    ImGui::GetWindowDrawList()->AddRectFilledMultiColor(fade_min, fade_max, clear, clear, background, background);
    probe_rect(state, "task text fade", fade_min, fade_max);
}

// The task's text scrolls in a box above the buttons, which sit at the panel's bottom edge: on a
// projector with large text the explanation scrolls and Solve / Reset stay in view.
void draw_selected_task(AppState& state) {
    const Task* task = course(state).find(state.session.selected_task);
    if (!task) return;
    ImGui::Separator();
    if (task->discussion) {
        const Language lang = language(state);
        text_wrapped(task->id + "  " + task->title.get(lang));
        text_wrapped(task->prompt.get(lang));
        draw_discussion(state, *task);
        return;
    }
    const ImGuiStyle& style = ImGui::GetStyle();
    const float buttons_h = wrapped_buttons_height(task_button_labels(state), ImGui::GetContentRegionAvail().x);
    const float room = ImGui::GetContentRegionAvail().y - buttons_h - style.ItemSpacing.y;
    // The box takes all the room above the buttons, computed in this frame: a height taken from
    // the last frame moved the buttons after the window had gone idle, and a click there missed.
    if (ImGui::BeginChild("task text", ImVec2(0, std::max(em(kMinTaskTextEm), room)))) {
        // A new task starts at its prompt, not at the scroll position of the task before it.
        if (state.panels.task_pane_task != task->id) ImGui::SetScrollY(0);
        state.panels.task_pane_task = task->id;
        draw_task_text(state, task);
        audit_window_width(state.layout_audit, kExercisesId);
        fade_cut_line(state);
    }
    ImGui::EndChild();
    draw_task_buttons(state, *task);
}

// A long course (the 12 tasks of temperature-masks) folds to the picker too once its list would
// take more than about half the panel: the task's text and its buttons need the rest.
bool task_list_too_tall(const AppState& state) {
    const Course& c = course(state);
    const float rows = static_cast<float>(c.tasks.size() + c.sections.size());
    return rows * ImGui::GetTextLineHeightWithSpacing() * 1.15f > 0.55f * ImGui::GetContentRegionAvail().y;
}

void draw_exercises_tab(AppState& state) {
    const Language lang = language(state);
    if (ImGui::Button(tr(state, "Solve all"))) solve_all_tasks(state);
    probe_item(state, "solve all");
    must_be_in_view(state, "Solve all");
    tooltip(tr(state, "Solve every task in order; a task that builds on another task's query uses that answer (Ctrl+Shift+Enter)."));
    const char* tolerance_label = tr(state, "tolerance");
    same_line_if_fits(em(5) + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(tolerance_label).x);
    ImGui::SetNextItemWidth(em(5));
    double tolerance = state.session.tolerance;
    if (ImGui::InputDouble(tolerance_label, &tolerance, 0, 0, "%.3g") && tolerance > 0 && std::isfinite(tolerance)) {
        const Session before = state.session;
        state.session.tolerance = tolerance;
        commit_edit(state, before);
    }
    tooltip(course(state).tolerance_note.get(lang).c_str());
    // A short panel (a projector with large text) folds the list to a picker, so the selected
    // task's text and its explanation keep the room.
    if (ImGui::GetContentRegionAvail().y < em(kFullListEm) || task_list_too_tall(state)) draw_task_picker(state);
    else draw_task_list(state);
    draw_selected_task(state);
}

// The Exercises / Sandbox tabs show session.mode, always: the mode's tab is selected every frame
// (so undo, Page Down or opening a file move the tab bar too), and a click on the other tab
// changes the mode. The tab bar's own selection is never read back as a request: for a frame or
// two after a change it still shows the old tab, and taking that as a click trapped the student
// in the Sandbox.
void draw_mode_tabs(AppState& state) {
    const auto tab = [&](AppMode tab_mode, const char* label, const char* probe_name) {
        const bool shown = state.session.mode == tab_mode;
        const bool open = ImGui::BeginTabItem(label, nullptr, shown ? ImGuiTabItemFlags_SetSelected : 0);
        probe_item(state, probe_name);
        if (ImGui::IsItemClicked(ImGuiMouseButton_Left) && !shown) set_mode(state, tab_mode);
        if (!open) return;
        if (tab_mode == AppMode::Exercises) draw_exercises_tab(state);
        else if (tab_mode == AppMode::Sandbox) draw_sandbox_controls(state);
        else draw_captured_controls(state);
        ImGui::EndTabItem();
    };
    tab(AppMode::Exercises, tr(state, "Exercises"), "tab exercises");
    tab(AppMode::Sandbox, tr(state, "Sandbox"), "tab sandbox");
    // The third tab appears once a capture was opened (File → Open tensors…).
    if (!state.session.captured.path.empty()) tab(AppMode::Captured, tr(state, "Real attention"), "tab captured");
}

}  // namespace

void draw_exercise_panel(AppState& state, const PanelRect& rect) {
    const std::string title = course_title(state, rect.size.x - 2 * ImGui::GetStyle().FramePadding.x);
    if (begin_panel(title.c_str(), kExercisesId, rect) && ImGui::BeginTabBar("mode")) {
        draw_mode_tabs(state);
        ImGui::EndTabBar();
    }
    end_panel(state, kExercisesId);
}

}  // namespace attn::app
