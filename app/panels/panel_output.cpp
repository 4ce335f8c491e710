// Output against target: per component bars side by side, the exact numbers, and the max abs
// difference coloured pass/fail at the tolerance.
#include "app/i18n.h"
#include "app/panels/panels.h"
#include "app/probe.h"
#include "app/ui_common.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace attn::app {

namespace {

const TaskCheck* selected_check(const AppState& state) {
    const Workspace& w = state.workspace;
    if (!w.task) return nullptr;
    for (const TaskCheck& check : state.checks)
        if (check.id == w.task->id) return &check;
    return nullptr;
}

// The decimals a column of numbers can show: four when the columns have room, fewer as they
// narrow, the same for every entry so the column reads as one.
int table_decimals(const Eigen::RowVectorXd& output, const Eigen::RowVectorXd* target, float column_w) {
    for (int decimals = 4; decimals >= 1; --decimals) {
        bool fits = true;
        const auto check = [&](double x) {
            fits = fits && std::fabs(x) < 1e4 && ImGui::CalcTextSize(format("%+.*f", decimals, x).c_str()).x <= column_w;
        };
        for (Eigen::Index c = 0; c < output.size(); ++c) {
            check(output(c));
            if (target) check((*target)(c));
        }
        if (fits) return decimals;
    }
    return -1;  // not even one decimal: each entry takes its own compact form
}

// One entry: the column's fixed decimals, or the most precise form that fits (fit_number, which
// may step the font down). Never cut by the column: what does not fit at all is recorded.
void table_entry(const AppState& state, double x, int decimals, float column_w) {
    if (decimals >= 0) {
        ImGui::TextUnformatted(format("%+.*f", decimals, x).c_str());
        return;
    }
    const std::optional<FittedNumber> fitted = fit_number(x, 2, column_w, ImGui::GetTextLineHeight());
    if (!fitted) {
        state.layout_audit.report(kOutputId, kClipped, compact_number(x));
        ImGui::TextUnformatted("\xE2\x80\xA6");  // "…": the tooltip and the heatmaps have it
        return;
    }
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddText(ImGui::GetFont(), fitted->font_size, at, ImGui::GetColorU32(ImGuiCol_Text),
                                        fitted->text.c_str());
    ImGui::Dummy(ImVec2(fitted->size.x, ImGui::GetTextLineHeight()));
}

// The numbers under the bars: "out" and "target" rows, a column per component.
void number_table(const AppState& state, const Eigen::RowVectorXd& output, const Eigen::RowVectorXd* target) {
    const Palette colors = palette();
    const int columns = static_cast<int>(output.size()) + 1;
    ImGui::BeginGroup();  // one item, for the probe
    if (!ImGui::BeginTable("numbers", columns, ImGuiTableFlags_SizingStretchSame)) return ImGui::EndGroup();
    const float column_w = ImGui::GetContentRegionAvail().x / static_cast<float>(columns) - ImGui::GetStyle().CellPadding.x * 2;
    const int decimals = table_decimals(output, target, column_w);
    const auto row = [&](ImU32 color, const char* name, const Eigen::RowVectorXd& numbers) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color), "%s", name);
        for (Eigen::Index c = 0; c < numbers.size(); ++c) {
            ImGui::TableNextColumn();
            table_entry(state, numbers(c), decimals, column_w);
        }
    };
    row(colors.output, tr(state, "out"), output);
    if (target) row(colors.target, tr(state, "target"), *target);
    ImGui::EndTable();
    ImGui::EndGroup();
}

// Bars for one output row against its target row, drawn with ImDrawList: each component gets
// an output bar and a target outline on a shared zero line.
void component_bars(const Eigen::RowVectorXd& output, const Eigen::RowVectorXd* target, float height, int first) {
    const Palette colors = palette();
    const int dv = static_cast<int>(output.size());
    double largest = std::max(1e-9, output.cwiseAbs().maxCoeff());
    if (target) largest = std::max(largest, target->cwiseAbs().maxCoeff());
    if (!std::isfinite(largest)) return;  // nothing sensible to draw; the numbers below still say it
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    ImGui::InvisibleButton("bars", ImVec2(width, height));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float label_h = ImGui::GetTextLineHeight();
    const float mid = origin.y + (height - label_h) * 0.5f;
    const float half = (height - label_h) * 0.5f - em(0.2f);
    draw->AddLine(ImVec2(origin.x, mid), ImVec2(origin.x + width, mid), colors.grid);
    const float slot = width / static_cast<float>(dv);
    const float bar = std::min(slot * 0.3f, em(1.6f));
    for (int c = 0; c < dv; ++c) {
        const float cx = origin.x + slot * (static_cast<float>(c) + 0.5f);
        const float out_y = mid - static_cast<float>(output(c) / largest) * half;
        draw->AddRectFilled(ImVec2(cx - bar - 1, std::min(mid, out_y)), ImVec2(cx - 1, std::max(mid, out_y)), colors.output);
        if (target) {
            const float target_y = mid - static_cast<float>((*target)(c) / largest) * half;
            draw->AddRect(ImVec2(cx + 1, std::min(mid, target_y)), ImVec2(cx + bar + 1, std::max(mid, target_y)), colors.target, 0, 0,
                          2.0f);
        }
        char label[16];
        std::snprintf(label, sizeof label, "[%d]", first + c);
        const ImVec2 size = ImGui::CalcTextSize(label);
        draw->AddText(ImVec2(cx - size.x * 0.5f, origin.y + height - label_h), colors.text_dim, label);
    }
}

// The height of one line of bars and numbers, measured when one is drawn (the table's height
// depends on the font and style), kept in the window's storage for lines out of view.
ImGuiID line_height_id(float bars_h, bool has_target) {
    return ImGui::GetID(format("output line %.1f %d", bars_h, has_target ? 1 : 0).c_str());
}

float remembered_line_height(float bars_h, bool has_target) {
    const float estimate = bars_h + (has_target ? 2.0f : 1.0f) * ImGui::GetFrameHeightWithSpacing();
    return ImGui::GetStateStorage()->GetFloat(line_height_id(bars_h, has_target), estimate);
}

void remember_line_height(float bars_h, bool has_target, float height) {
    if (height > 0) ImGui::GetStateStorage()->SetFloat(line_height_id(bars_h, has_target), height);
}

}  // namespace

void draw_output_panel(AppState& state, const PanelRect& rect) {
    if (begin_panel(tr(state, "Output vs target"), kOutputId, rect)) {
        const Workspace& w = state.workspace;
        const Palette colors = palette();
        if (!w.error.empty()) {
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors.fail), "%s", w.error.c_str());
        } else {
            const Eigen::MatrixXd& out = w.result.output;
            const bool has_target = w.target.rows() == out.rows() && w.target.cols() == out.cols();
            const int rows_shown = std::min<int>(static_cast<int>(out.rows()), 8);
            // Legend line.
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors.output), "■ %s", tr(state, "output"));
            if (has_target) {
                ImGui::SameLine();
                ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors.target), "□ %s", tr(state, "target"));
            }
            // The status follows the legend on the same line when it fits, else on its own line.
            const auto status = [](ImU32 color, const std::string& text) {
                same_line_if_fits(ImGui::CalcTextSize(text.c_str()).x);
                ImGui::PushStyleColor(ImGuiCol_Text, color);
                text_wrapped(text);  // wraps on a narrow panel rather than running off its edge
                ImGui::PopStyleColor();
            };
            const TaskCheck* check = selected_check(state);
            if (check && check->answered && std::isfinite(check->max_abs_diff)) {
                // What the task measured, never a diff it did not (a temperature task grades a weight).
                status(check->pass ? colors.pass : colors.fail,
                       std::string(check->pass ? "✓ " : "✗ ") + measured_text(*check, language(state)));
                tooltip(check->measure == CheckMeasure::KeyWeight
                            ? tr(state, "The key's softmax weight at this temperature, in float32; the output below is not graded.")
                            : tr(state, "float32, as the notebook's check_query; pass when ≤ the tolerance."));
            } else if (check && !check->answered) {
                status(colors.text_dim, tr(state, "not answered yet: move a slider or press Solve"));
            } else if (has_target) {
                const double diff = (w.target - out).cwiseAbs().maxCoeff();
                status(diff <= state.session.tolerance ? colors.pass : colors.fail,
                       format("%s %.3g", tr(state, "max abs diff"), diff));
            }
            const float bars_h = std::max(em(3.5f), (ImGui::GetContentRegionAvail().y - em(2.2f) * (rows_shown + 1)) / rows_shown * 0.6f);
            for (int i = 0; i < rows_shown; ++i) {
                ImGui::PushID(i);
                if (out.rows() > 1) ImGui::TextDisabled("%s", format(tr(state, "row %d"), i).c_str());
                // Wide values (dv up to 128) wrap: at most one table of 32 components per line, as
                // many as have room (a table holds 64 columns at most).
                const int dv = static_cast<int>(out.cols());
                const int per_line = std::clamp(static_cast<int>(ImGui::GetContentRegionAvail().x / em(3.2f)), 1, 32);
                for (int first = 0; first < dv; first += per_line) {
                    const int count = std::min(per_line, dv - first);
                    // A line scrolled out of view keeps its height but draws nothing: 8 rows of
                    // dv = 64 are a thousand numbers to format, most of them off screen.
                    const float line_h = remembered_line_height(bars_h, has_target);
                    if (!ImGui::IsRectVisible(ImVec2(ImGui::GetContentRegionAvail().x, line_h))) {
                        ImGui::Dummy(ImVec2(1, line_h));
                        continue;
                    }
                    const float line_top = ImGui::GetCursorPosY();
                    ImGui::PushID(first);
                    const Eigen::RowVectorXd out_part = out.row(i).segment(first, count);
                    Eigen::RowVectorXd target_part =
                        has_target ? Eigen::RowVectorXd(w.target.row(i).segment(first, count)) : Eigen::RowVectorXd();
                    for (Eigen::Index c = 0; c < target_part.size(); ++c) target_part(c) = same_digits_as(target_part(c), out_part(c));
                    component_bars(out_part, has_target ? &target_part : nullptr, bars_h, first);
                    if (first == 0) probe_item(state, "bars " + std::to_string(i));
                    number_table(state, out_part, has_target ? &target_part : nullptr);
                    if (first == 0) probe_item(state, "numbers " + std::to_string(i));
                    ImGui::PopID();
                    remember_line_height(bars_h, has_target, ImGui::GetCursorPosY() - line_top - ImGui::GetStyle().ItemSpacing.y);
                }
                ImGui::PopID();
            }
            if (out.rows() > rows_shown) {  // wrapped: a captured head's note is wider than a narrow panel
                ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
                text_wrapped(format(tr(state, "… %d more rows (see the heatmaps)"), static_cast<int>(out.rows()) - rows_shown));
                ImGui::PopStyleColor();
            }
        }
    }
    end_panel(state, kOutputId);
}

}  // namespace attn::app
