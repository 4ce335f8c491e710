// The Class window (File → Grade a folder…): a class graded by core/class_report, with the same
// numbers as `attnlab check DIR` and its HTML report: per-task pass-rate bars and error
// histograms (in a section that folds away to give the table the height), the most common reasons,
// a legend of the states' colours and marks (the HTML report's), and a sortable table of students.
// Clicking a student shows their answers in the main window, in the course and variant they were
// graded against, as a labelled view: the teacher's own work is set aside (and stays autosaved)
// until "Back to my work". A floating window, not part of the tiled layout.
#include "app/i18n.h"
#include "app/packs.h"
#include "app/panels/panels.h"
#include "app/probe.h"
#include "app/ui.h"
#include "app/ui_common.h"
#include "core/base/error.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/answer_file.h"
#include "core/course/pack.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

namespace attn::app {

namespace {

constexpr int kReasonsShown = 5;
constexpr float kStudentRowsKept = 12;  // the summary starts folded when the table would show fewer rows

// The states' colours and marks, as the HTML report draws them: pass green ✓, fail red ✗, cannot
// be graded amber "n/a", missing grey "–", unreadable dark slate "!" (never missing's grey).
ImU32 not_graded_color() { return light_theme() ? IM_COL32(176, 110, 0, 255) : IM_COL32(232, 170, 60, 255); }
ImU32 unreadable_color() { return light_theme() ? IM_COL32(51, 65, 85, 255) : IM_COL32(120, 140, 175, 255); }

ImU32 state_color(TaskState s) {
    const Palette colors = palette();
    switch (s) {
        case TaskState::Pass: return colors.pass;
        case TaskState::Fail: return colors.fail;
        case TaskState::NotGraded: return not_graded_color();
        case TaskState::Missing: break;
    }
    return colors.text_dim;
}

const char* state_word(const AppState& state, TaskState s) {
    switch (s) {
        case TaskState::Pass: return tr(state, "passed");
        case TaskState::Fail: return tr(state, "failed");
        case TaskState::NotGraded: return tr(state, "cannot be graded");
        case TaskState::Missing: break;
    }
    return tr(state, "not answered");
}

// "dir/hand-ins/" → "dir/hand-ins-report.html": next to the folder, named after it.
std::string default_report_path(std::string folder) {
    while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
    return (folder.empty() ? std::string("class") : folder) + "-report.html";
}

// The pack open in the window, as `check --pack` names it (a built-in id or a file); empty for
// the notebook. With a student's variant open, the class is still graded against the pack's
// variants, each student's own.
std::string grading_pack(const AppState& state) {
    const SessionPack& pack = state.session.pack;
    return !pack.builtin.empty() ? pack.builtin : pack.file;
}

// The same grading and work budget as `attnlab check DIR [--pack P]` (core/course/class_report.h):
// against `pack` (each student's variant, their ID the folder or file name) or the notebook.
ClassReport grade(const std::string& folder, const std::string& pack, double tolerance, Language language,
                  const std::atomic<bool>* cancel = nullptr, const BackgroundJob<ClassReport>::Progress& progress = {}) {
    ClassGradingOptions options;
    options.where = folder;
    options.language = std::move(language);  // the reasons in the window's language
    options.cancel = cancel;
    options.progress = progress;
    std::vector<HandInSource> hand_ins = find_hand_ins({folder});
    ClassCourse against;
    if (!pack.empty()) {
        against = class_pack_course(pack);
        if (against.variants) assign_student_ids(hand_ins, nullptr);
        options.course = &against;
    }
    // The count shows at once ("0 of 28"), while the files are read and the first one is graded:
    // under a sanitizer that took seconds with no total on screen.
    if (progress) progress(0, static_cast<int>(hand_ins.size()));
    return grade_class(hand_ins, tolerance, options);
}

void take_report(AppState& state, ClassReport report) {
    ClassView& view = state.class_view;
    const int students = static_cast<int>(report.students.size());
    view.report = std::make_shared<const ClassReport>(std::move(report));
    view.error.clear();
    view.order.clear();
    toast(state, format(tr(state, "Graded %d hand-ins in %s"), students,
                        printable_path(view.folder).c_str()));
}

void take_error(AppState& state, const std::string& error) {
    state.class_view.report.reset();
    state.class_view.error = error;
    toast(state, std::string(tr(state, "Could not grade: ")) + error, true);
}

// A bar of the task's states over the students, left to right: passed, failed, cannot be
// graded, missing, unreadable.
void pass_rate_bar(const AppState& state, const TaskSummary& t, int students, float width) {
    const ImVec2 size(std::max(width, em(3)), em(0.9f));
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::Dummy(size);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y), palette().grid);
    const int counts[] = {t.passed, t.failed, t.not_graded, t.missing, t.unreadable};
    const ImU32 colors[] = {palette().pass, palette().fail, not_graded_color(), palette().text_dim, unreadable_color()};
    float x = at.x;
    for (int i = 0; i < 5 && students > 0; ++i) {
        const float w = size.x * static_cast<float>(counts[i]) / static_cast<float>(students);
        if (w > 0) draw->AddRectFilled(ImVec2(x, at.y), ImVec2(x + w, at.y + size.y), colors[i]);
        x += w;
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(tr(state, "passed %d, failed %d, cannot be graded %d, missing %d, unreadable %d"),
                          t.passed, t.failed, t.not_graded, t.missing, t.unreadable);
}

// The bins of max abs diff, as the HTML report draws them (decades split at the tolerance,
// core/course/class_report.h): the bins left of the tolerance edge green (passes only), those
// right of it red (fails only), and a line at the edge.
void error_histogram(const AppState& state, const TaskSummary& t, double tolerance, float width) {
    const ImVec2 size(width, em(1.3f));
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::Dummy(size);
    const bool hovered = ImGui::IsItemHovered();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const int largest = std::max(1, *std::max_element(t.histogram.begin(), t.histogram.end()));
    const float bin_w = size.x / static_cast<float>(kErrorBins);
    const int failing_from = first_failing_bin(tolerance);
    int hovered_bin = -1;
    for (int b = 0; b < kErrorBins; ++b) {
        const float x0 = at.x + bin_w * static_cast<float>(b), h = size.y * static_cast<float>(t.histogram[b]) / largest;
        const ImU32 color = b < failing_from ? palette().pass : palette().fail;
        draw->AddRectFilled(ImVec2(x0 + 1, at.y + size.y - h), ImVec2(x0 + bin_w - 1, at.y + size.y), color);
        if (hovered && ImGui::GetIO().MousePos.x >= x0 && ImGui::GetIO().MousePos.x < x0 + bin_w) hovered_bin = b;
    }
    draw->AddLine(ImVec2(at.x, at.y + size.y), ImVec2(at.x + size.x, at.y + size.y), palette().text_dim);
    const float tolerance_x = at.x + bin_w * static_cast<float>(failing_from);
    draw->AddLine(ImVec2(tolerance_x, at.y), ImVec2(tolerance_x, at.y + size.y),
                  ImGui::GetColorU32(ImGuiCol_Text), 1.5f);
    if (hovered_bin >= 0)
        ImGui::SetTooltip(tr(state, "max abs diff %s: %d answers (bins 1e-6 … ≥10; the line is the tolerance, %g)"),
                          error_bin_label(hovered_bin, tolerance).c_str(), t.histogram[hovered_bin], tolerance);
}

void draw_task_charts(AppState& state, const ClassReport& r) {
    const int students = static_cast<int>(r.students.size());
    const float histogram_w = em(10);
    if (!ImGui::BeginTable("class tasks", 4, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) return;
    ImGui::TableSetupColumn(tr(state, "Task"), ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn(tr(state, "Passed"), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("##count", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn(tr(state, "max abs diff"),
                            ImGuiTableColumnFlags_WidthFixed, histogram_w);
    ImGui::TableHeadersRow();
    for (const TaskSummary& t : r.tasks) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(t.id.c_str());
        ImGui::TableNextColumn();
        pass_rate_bar(state, t, students, ImGui::GetContentRegionAvail().x);
        probe_item(state, "class pass rate " + t.id);
        ImGui::TableNextColumn();
        ImGui::Text("%d/%d", t.passed, students);
        ImGui::TableNextColumn();
        error_histogram(state, t, r.tolerance, histogram_w);
    }
    ImGui::EndTable();
}

// One line (wrapping when narrow) saying what the bars' colours and the cells' marks mean.
void draw_legend(AppState& state) {
    struct Entry {
        ImU32 color;
        const char* mark;
        const char* word;
    };
    const Entry entries[] = {{palette().pass, "✓", tr(state, "passed")},
                             {palette().fail, "✗", tr(state, "failed")},
                             {not_graded_color(), tr(state, "n/a"), tr(state, "cannot be graded")},
                             {palette().text_dim, "–", tr(state, "missing")},
                             {unreadable_color(), "!", tr(state, "could not be read")}};
    bool first = true;
    for (const Entry& e : entries) {
        // In Chinese the n/a mark is already the words ("无法评分"): shown once.
        const bool mark_says_it = std::string(e.mark) == e.word;
        const std::string label = mark_says_it ? std::string(e.mark) : std::string(e.mark) + " " + e.word;
        const float swatch = em(0.8f), gap = em(0.3f);
        const float width = swatch + gap + ImGui::CalcTextSize(label.c_str()).x;
        if (!first) same_line_if_fits(width);
        first = false;
        ImGui::BeginGroup();
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float y = at.y + (ImGui::GetTextLineHeight() - swatch) / 2;
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x, y), ImVec2(at.x + swatch, y + swatch), e.color);
        ImGui::Dummy(ImVec2(swatch, ImGui::GetTextLineHeight()));
        ImGui::SameLine(0, gap);
        ImGui::PushStyleColor(ImGuiCol_Text, e.color);
        ImGui::TextUnformatted(e.mark);
        ImGui::PopStyleColor();
        if (!mark_says_it) {
            ImGui::SameLine(0, em(0.25f));
            ImGui::TextUnformatted(e.word);
        }
        ImGui::EndGroup();
        probe_item(state, "class legend " + label);
    }
}

void draw_reasons(AppState& state, const ClassReport& r) {
    if (r.reasons.empty()) return;
    ImGui::TextDisabled("%s", tr(state, "Most common reasons"));
    const int shown = std::min(kReasonsShown, static_cast<int>(r.reasons.size()));
    for (int i = 0; i < shown; ++i) {
        const ReasonCount& reason = r.reasons[static_cast<std::size_t>(i)];
        text_wrapped(format("×%d  %s  %s", reason.count, reason.task.c_str(), printable(reason.reason, 240).c_str()));
        probe_item(state, "class reason " + std::to_string(i) + ": " + reason.reason);  // tests read its language
        if (ImGui::IsItemHovered()) {
            std::string names;
            for (const std::string& s : reason.students) names += (names.empty() ? "" : ", ") + printable(s, 40);
            ImGui::SetNextWindowSize(ImVec2(em(28), 0));
            ImGui::BeginTooltip();
            text_wrapped(names);
            ImGui::EndTooltip();
        }
    }
}

// Rows sorted by the table's sort specs: name, or passed count (ties by name).
void sort_students(AppState& state, const ClassReport& r) {
    std::vector<std::size_t>& order = state.class_view.order;
    ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
    const bool dirty = specs && specs->SpecsDirty;
    if (!dirty && order.size() == r.students.size()) return;
    order.resize(r.students.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const bool by_passed = specs && specs->SpecsCount > 0 && specs->Specs[0].ColumnIndex == 1;
    const bool descending = specs && specs->SpecsCount > 0 && specs->Specs[0].SortDirection == ImGuiSortDirection_Descending;
    const auto passed = [&](std::size_t i) { return r.students[i].error.empty() ? r.students[i].passed() : -1; };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (by_passed && passed(a) != passed(b)) return descending ? passed(a) > passed(b) : passed(a) < passed(b);
        if (by_passed) return a < b;  // the report's order is by name
        return descending ? a > b : a < b;
    });
    if (specs) specs->SpecsDirty = false;
}

// The most precise true form of x (number_forms) that fits `width` after the mark.
std::string cell_text(const char* mark, double x, float width) {
    std::string text = mark;
    for (const std::string& form : number_forms(x, 4)) {
        text = std::string(mark) + " " + form;
        if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
    }
    return mark;  // the tooltip still has the reason; the mark alone says pass or fail
}

// The cell's tooltip: the task, its state, max abs diff and the reason; then the click's hint.
std::string cell_tooltip(const AppState& state, const StudentResult& s, const StudentTask& task, double tolerance) {
    std::string text = task.id + " — " + state_word(state, task.state);
    // What the check measured: a temperature task's is a weight, its max abs diff only the shortfall.
    if (!task.measured.empty()) text += "\n" + printable(task.measured, 200);
    else if (std::isfinite(task.max_abs_diff) && (task.state == TaskState::Pass || task.state == TaskState::Fail))
        text += "\n" + format(tr(state, "max abs diff %s (tolerance %g)"), number_forms(task.max_abs_diff, 4).front().c_str(),
                              tolerance);
    if (!task.reason.empty()) text += "\n" + printable(task.reason, 400);
    return text + "\n\n" + format(tr(state, "Click to view %s's answers in the main window"), printable(s.student, 60).c_str());
}

void show_tooltip(AppState& state, const std::string& text) {
    state.class_view.tooltip = text;
    ImGui::SetNextWindowSize(ImVec2(em(28), 0));
    ImGui::BeginTooltip();
    text_wrapped(text);
    ImGui::EndTooltip();
}

// Whether the mouse is over the current column of a row whose span is hovered.
bool cell_hovered(bool row_hovered) {
    return row_hovered && (ImGui::TableGetColumnFlags() & ImGuiTableColumnFlags_IsHovered) != 0;
}

void task_cell(AppState& state, const StudentResult& s, const StudentTask& task, double tolerance, bool row_hovered) {
    const float width = ImGui::GetContentRegionAvail().x;
    std::string text;
    switch (task.state) {
        case TaskState::Pass: text = cell_text("✓", task.max_abs_diff, width); break;
        case TaskState::Fail: text = std::isfinite(task.max_abs_diff) ? cell_text("✗", task.max_abs_diff, width) : "✗"; break;
        case TaskState::NotGraded: text = tr(state, "n/a"); break;
        case TaskState::Missing: text = "–"; break;
    }
    ImGui::PushStyleColor(ImGuiCol_Text, state_color(task.state));
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopStyleColor();
    if (task.state == TaskState::NotGraded) probe_item(state, "class not graded: " + text);  // its language
    probe_item(state, "class cell " + s.student + " " + task.id);
    audit_text_fits(state.layout_audit, kClassId, text, width + 0.5f);
    if (cell_hovered(row_hovered)) show_tooltip(state, cell_tooltip(state, s, task, tolerance));
}

// A long name is cut to the column with "…" (the tooltip has it whole); cut at a UTF-8 boundary.
std::string fitted_name(std::string name, float width) {
    if (ImGui::CalcTextSize(name.c_str()).x <= width) return name;
    while (!name.empty()) {
        do name.pop_back();
        while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80);
        if (!name.empty() && static_cast<unsigned char>(name.back()) >= 0xC0) name.pop_back();  // a lead byte left alone
        if (ImGui::CalcTextSize((name + "…").c_str()).x <= width) break;
    }
    return name + "…";
}

void student_row(AppState& state, const StudentResult& s, std::size_t index, double tolerance) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const std::string full_name = printable(s.student, 60);
    const std::string name = fitted_name(full_name, ImGui::GetContentRegionAvail().x);
    const bool opened = state.class_view.opened_student == s.student;
    audit_text_fits(state.layout_audit, kClassId, name, ImGui::GetContentRegionAvail().x + 0.5f);
    if (ImGui::Selectable((name + "##student" + std::to_string(index)).c_str(), opened,
                          ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap))
        open_class_student(state, index);
    // The selectable spans the row: a task cell's own tooltip shows over its column instead.
    const bool row_hovered = ImGui::IsItemHovered();
    probe_item(state, "class student " + s.student);
    if (cell_hovered(row_hovered))
        show_tooltip(state, full_name + "\n" + (s.error.empty() ? format(tr(state, "Click to view %s's answers in the main window"), full_name.c_str())
                                                                : printable(s.error, 400)));
    ImGui::TableNextColumn();
    if (!s.error.empty()) {  // "!" in every cell (a sentence would widen its column); the tooltip says why
        for (std::size_t column = 0; column <= state.class_view.report->tasks.size(); ++column) {
            if (column > 0) ImGui::TableNextColumn();
            ImGui::PushStyleColor(ImGuiCol_Text, unreadable_color());
            ImGui::TextUnformatted("!");
            ImGui::PopStyleColor();
            if (column == 0) probe_item(state, "class unreadable " + s.student);
            if (cell_hovered(row_hovered))
                show_tooltip(state, full_name + " — " + tr(state, "could not be read") + "\n" + printable(s.error, 400));
        }
        return;
    }
    ImGui::Text("%d", s.passed());
    for (const StudentTask& task : s.tasks) {
        ImGui::TableNextColumn();
        task_cell(state, s, task, tolerance, row_hovered);
    }
}

void draw_student_table(AppState& state, const ClassReport& r) {
    const int columns = 2 + static_cast<int>(r.tasks.size());
    const float height = std::max(em(8), ImGui::GetContentRegionAvail().y);
    // Fixed columns and a horizontal scroll bar: a narrow window scrolls the table instead of
    // squeezing the names to nothing.
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("class students", columns, flags, ImVec2(0, height))) return;
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn(tr(state, "Student"), ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_WidthFixed, em(10));
    ImGui::TableSetupColumn(tr(state, "Passed"), ImGuiTableColumnFlags_PreferSortDescending);
    for (const TaskSummary& t : r.tasks) ImGui::TableSetupColumn(t.id.c_str(), ImGuiTableColumnFlags_NoSort, em(4.2f));
    ImGui::TableHeadersRow();
    sort_students(state, r);
    ImGuiListClipper clipper;  // a class of 2000 draws only the rows on screen
    clipper.Begin(static_cast<int>(state.class_view.order.size()));
    while (clipper.Step())
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const std::size_t index = state.class_view.order[static_cast<std::size_t>(row)];
            student_row(state, r.students[index], index, r.tolerance);
        }
    ImGui::EndTable();
}

void draw_report(AppState& state, const ClassReport& r) {
    const int students = static_cast<int>(r.students.size());
    const std::string counts = format(tr(state, "%d hand-ins, %d unreadable, %d passed every task (tolerance %g)"), students,
                                      r.unreadable, r.all_passed, r.tolerance);
    // The counts and the buttons share a line when they fit: a short window keeps the height for the table.
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float buttons = button_width(tr(state, "Export report…")) + spacing + button_width(tr(state, "Grade again"));
    if (ImGui::CalcTextSize(counts.c_str()).x + spacing + buttons <= ImGui::GetContentRegionAvail().x) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(counts.c_str());
        ImGui::SameLine();
    } else {
        text_wrapped(counts);
    }
    if (ImGui::Button(tr(state, "Export report…"))) {
        PathDialog& dialog = state.dialogs.export_class;
        if (dialog.path.empty()) dialog.path = default_report_path(state.class_view.folder);
        dialog.open_requested = true;
    }
    probe_item(state, "class export");
    tooltip(tr(state, "One HTML page with this table and the charts, as `attnlab check DIR --report` writes it."));
    same_line_if_fits(button_width(tr(state, "Grade again")));
    if (ImGui::Button(tr(state, "Grade again"))) start_grading(state, state.class_view.folder);
    tooltip(tr(state, "Read the folder again (after students handed in new files)."));
    // The per-task charts and reasons fold away, so a short window (1280×720 presentation) gives
    // the table the height; open at first only when the table keeps room for a class.
    const float row = ImGui::GetFrameHeightWithSpacing(), summary_rows = static_cast<float>(r.tasks.size() + kReasonsShown + 3);
    ImGui::SetNextItemOpen(ImGui::GetContentRegionAvail().y >= row * (summary_rows + kStudentRowsKept), ImGuiCond_Once);
    const bool summary_open = ImGui::CollapsingHeader(tr(state, "Per task: pass rates, errors and common reasons"));
    probe_item(state, "class summary");
    if (summary_open) {
        draw_task_charts(state, r);
        draw_reasons(state, r);
    }
    draw_legend(state);
    ImGui::Separator();
    draw_student_table(state, r);
}

// While a folder is graded: how far it is, and Cancel (stops before the next hand-in).
void draw_grading_progress(AppState& state) {
    const ClassView& view = state.class_view;
    const auto [done, total] = view.grading.job->progress();
    text_wrapped(format(tr(state, "Grading %s… %.0f s"), printable_path(view.folder).c_str(),
                        std::max(0.0, state.platform.now - view.grading_since)));
    const std::string overlay = total > 0 ? format(tr(state, "%d of %d hand-ins"), done, total) : std::string();
    ImGui::ProgressBar(total > 0 ? static_cast<float>(done) / static_cast<float>(total) : 0.0f, ImVec2(-FLT_MIN, 0),
                       overlay.c_str());
    probe_item(state, "class progress");
    const bool stopping = view.grading.job->cancelled();
    ImGui::BeginDisabled(stopping);
    if (ImGui::Button(tr(state, "Cancel"))) cancel_grading(state);
    ImGui::EndDisabled();
    probe_item(state, "class cancel");
    audit_item_in_view(state.layout_audit, kClassId, "Cancel (grading)");
    tooltip(tr(state, "Stop grading; the hand-ins graded so far are dropped."));
}

}  // namespace

void start_grading(AppState& state, const std::string& folder) {
    ClassView& view = state.class_view;
    if (view.grading.valid()) return;  // one at a time; the running one finishes (or is cancelled) first
    view.open = true;
    view.folder = folder;
    view.error.clear();
    view.grading_since = state.platform.now;
    const double tolerance = state.session.tolerance;
    const Language lang = language(state);
    const std::string pack = grading_pack(state);
    // Core's grading is pure and thread-safe (class_report.h) and uses every core; the window keeps
    // drawing meanwhile, with a progress bar per hand-in and a Cancel button that stops before the
    // next hand-in. A class past the work budget ends in the error toast, as on the command line.
    view.grading.job = std::make_shared<BackgroundJob<ClassReport>>(
        [folder, pack, tolerance, lang](const std::atomic<bool>& cancel, const BackgroundJob<ClassReport>::Progress& progress) {
            return grade(folder, pack, tolerance, lang, &cancel, progress);
        });
}

void cancel_grading(AppState& state) {
    if (state.class_view.grading.valid()) state.class_view.grading.job->cancel();
}

void poll_grading(AppState& state) {
    ClassView& view = state.class_view;
    if (!view.grading.valid() || !view.grading.job->finished()) return;
    const std::shared_ptr<BackgroundJob<ClassReport>> job = std::move(view.grading.job);
    view.grading = ClassGrading{};
    try {
        ClassReport report = job->take();
        if (report.cancelled) {
            toast(state, tr(state, "Grading cancelled"));
            return;  // the class graded before, if any, stays on screen
        }
        take_report(state, std::move(report));
    } catch (const InputError& e) {
        take_error(state, e.what());
    } catch (const std::exception& e) {  // bad_alloc: the folder is too much, the app carries on
        take_error(state, printable_path(view.folder) + ": " + e.what());
    }
}

void grade_folder_now(AppState& state, const std::string& folder) {
    state.class_view.open = true;
    state.class_view.folder = folder;
    take_report(state, grade(folder, grading_pack(state), state.session.tolerance, language(state)));  // InputError goes to the caller
}

namespace {

// The course the class was graded against, and the student's variant of it, as the pack dialog
// opens it: the notebook when the report names no pack.
bool open_graded_course(AppState& state, const ClassReport& r, const StudentResult& s) {
    return open_pack(state, r.pack_source.empty() ? "notebook" : r.pack_source, s.variant_student);
}

}  // namespace

bool open_class_student(AppState& state, std::size_t index) {
    const auto report = state.class_view.report;
    if (!report || index >= report->students.size()) return false;
    const StudentResult& s = report->students[index];
    if (!s.error.empty()) {
        toast(state, std::string(tr(state, "Could not open: ")) + s.error, true);
        return false;
    }
    set_own_work_aside(state);
    const std::size_t toasts = state.toasts.size();
    const std::shared_ptr<OwnWork> own = state.class_view.own_work;  // opening a course lets it go
    const bool opened = open_graded_course(state, *report, s) && open_answers_file(state, s.path, s.student);
    state.class_view.own_work = own;
    if (!opened) {
        back_to_own_work(state);  // the failure's toast stays and says why
        return false;
    }
    state.history.clear();  // undo stays within this view: it never reaches the teacher's work
    state.class_view.opened_student = s.student;
    state.class_view.open = false;  // out of the way of the answers; the banner's "Show the class" brings it back
    state.toasts.resize(std::min(toasts, state.toasts.size()));  // "Opened the course pack …, answers from …": one toast says it
    toast(state, format(tr(state, "Viewing %s's answers: your own work is set aside until Back to my work"),
                        printable(s.student, 60).c_str()));
    return true;
}

void draw_student_view_banner(AppState& state) {
    if (!viewing_student(state)) return;
    const std::string label = format(tr(state, "Viewing %s's answers"), printable(state.class_view.opened_student, 40).c_str());
    const char* back = tr(state, "Back to my work");
    ImGui::PushStyleColor(ImGuiCol_Text, not_graded_color());
    ImGui::TextUnformatted(label.c_str());
    ImGui::PopStyleColor();
    probe_item(state, "student view " + state.class_view.opened_student);
    tooltip(tr(state, "A student's answers from the Class window, in the course they were graded against. Your own work is "
                      "set aside, unchanged, and stays autosaved; edits here are not kept."));
    if (ImGui::SmallButton(back)) back_to_own_work(state);
    probe_item(state, "back to my work");
    tooltip(tr(state, "Close the student's answers and return to your own work, as you left it."));
    if (state.class_view.report && !state.class_view.open) {
        if (ImGui::SmallButton(tr(state, "Show the class"))) state.class_view.open = true;
        probe_item(state, "student view show the class");
    }
}

void export_class_report(AppState& state, const std::string& path) {
    if (!state.class_view.report) return;
    try {
        write_file_atomically(path, class_report_html(*state.class_view.report));
        toast(state, std::string(tr(state, "Exported the class report to ")) + path);
    } catch (const InputError& e) {
        toast(state, std::string(tr(state, "Could not export: ")) + e.what(), true);
    }
}

void draw_class_window(AppState& state) {
    ClassView& view = state.class_view;
    view.tooltip.clear();  // set again while a cell's tooltip shows
    if (!view.open) return;
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float top = ImGui::GetFrameHeight();
    const ImVec2 room(std::max(display.x - em(1), em(10)), std::max(display.y - top - em(1), em(8)));
    // Sized in em when it appears and again when the text size changes (presentation, Ctrl+=).
    const ImGuiCond fit = view.font_size != ImGui::GetFontSize() ? ImGuiCond_Always : ImGuiCond_Appearing;
    view.font_size = ImGui::GetFontSize();
    ImGui::SetNextWindowSize(ImVec2(std::min(em(52), room.x), std::min(em(40), room.y)), fit);
    ImGui::SetNextWindowPos(ImVec2(display.x / 2, top + (display.y - top) / 2), fit, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(std::min(em(20), room.x), std::min(em(12), room.y)), room);
    const std::string title = std::string(tr(state, "Class")) + " — " + printable(view.folder, 60) + "###" + kClassId;
    if (ImGui::Begin(title.c_str(), &view.open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
        if (view.grading.valid()) {
            draw_grading_progress(state);
        } else if (!view.error.empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, palette().fail);
            text_wrapped(view.error);
            ImGui::PopStyleColor();
        } else if (view.report) {
            draw_report(state, *view.report);
        } else {
            text_wrapped(tr(state, "Grading was cancelled: nothing graded."));
        }
        audit_window_width(state.layout_audit, kClassId);
    }
    ImGui::End();
}

}  // namespace attn::app
