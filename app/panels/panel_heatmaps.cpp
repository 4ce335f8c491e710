// attnlab app: the heatmap panel. Logits (scale·QKᵀ) and weights (row softmax) as two n×N
// grids, rows = queries, columns = keys.
//
// [SECTION] Names, numbers, colours
// [SECTION] Layout: side by side or stacked, cell size
// [SECTION] Tooltips: how a cell's number arose
// [SECTION] Drawing one heatmap (rectangles with numbers, or one texture)
// [SECTION] The panel
//
// Every number drawn comes from state.workspace.result; the tooltips recompute only the
// intermediate terms (q_c·k_c products, exp shares) to show how core's number arose.
#include "app/panels/heatmap_cache.h"
#include "app/i18n.h"
#include "app/panels/panels.h"
#include "app/layout/heatmap_controls.h"
#include "app/probe.h"
#include "app/ui_common.h"

#include <imgui_internal.h>  // the window's clip rectangle, for rotated labels

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace attn::app {
namespace {

//-----------------------------------------------------------------------------
// [SECTION] Names, numbers, colours
//-----------------------------------------------------------------------------

constexpr int kMaxRectCells = 400;     // above this, one texture instead of a rectangle per cell
constexpr float kMaxCellEm = 3.5f;     // so a 1×4 matrix does not fill the screen
constexpr float kMinTextCellEm = 1.3f; // narrower cells get no printed number
constexpr int kMaxTooltipTerms = 4;
constexpr int kSmallHeatmap = 16;      // up to 16×16 every cell shows its number    // d (or N) up to this: list the terms in the tooltip

std::string query_name(int i, int n) { return n == 1 ? std::string("q") : "q" + std::to_string(i); }
std::string key_name(int j) { return "k" + std::to_string(j); }

// A capture's axes are its tokens, cut to these widths (the full token is in the cell tooltips).
constexpr float kTokenRowEm = 6.0f, kTokenColumnEm = 4.0f;
bool has_tokens(const Workspace& ws) {
    return !ws.token_labels.empty() && static_cast<Eigen::Index>(ws.token_labels.size()) == ws.keys.rows();
}
// max_w: the room for a row label (at most kTokenRowEm, less in a narrow panel).
std::string row_axis_label(const Workspace& ws, int i, int n, float max_w) {
    return has_tokens(ws) ? ellipsize(visible_token(ws.token_labels[i]), max_w) : query_name(i, n);
}
std::string column_axis_label(const Workspace& ws, int j) {
    return has_tokens(ws) ? ellipsize(visible_token(ws.token_labels[j]), em(kTokenColumnEm)) : key_name(j);
}
// The widest row label, for the room left of the grid.
float row_label_width(const Workspace& ws, int n, float max_w) {
    if (!has_tokens(ws)) return ImGui::CalcTextSize(query_name(n - 1, n).c_str()).x;
    float w = 0;
    for (int i = 0; i < n; ++i) w = std::max(w, ImGui::CalcTextSize(row_axis_label(ws, i, n, max_w).c_str()).x);
    return w;
}
// The widest column label as drawn (tokens cut to kTokenColumnEm).
float column_label_width(const Workspace& ws, int N) {
    if (!has_tokens(ws)) return ImGui::CalcTextSize(key_name(N - 1).c_str()).x;
    float w = 0;
    for (int j = 0; j < N; ++j) w = std::max(w, ImGui::CalcTextSize(column_axis_label(ws, j).c_str()).x);
    return w;
}
// "q3 “cat”" in a tooltip.
std::string named(const Workspace& ws, const std::string& name, int index) {
    return has_tokens(ws) ? name + " “" + visible_token(ws.token_labels[index]) + "”" : name;
}

// Short form for intermediate terms; never prints nan (callers pass finite numbers, and a
// stray non-finite one prints as a dash).
std::string num(double x, const char* format = "%.4g") {
    if (std::isnan(x))
        return "-";
    if (std::isinf(x))
        return x < 0 ? "\xE2\x88\x92\xE2\x88\x9E" : "\xE2\x88\x9E";  // −∞ / ∞
    if (x == 0)
        x = 0;  // no "-0"
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, format, x);
    return buffer;
}

// A factor inside a product: negative numbers get parentheses, "0.5×(-0.3)".
std::string factor(double x) { return x < 0 ? "(" + num(x) + ")" : num(x); }

// Two decimals while they fit in a cell, the compact form beyond (a logit of 1e13 must not print
// fourteen digits over its neighbours).
// The colour scale's end, a round number (nice_ceiling): "6", "1.2", "0.025", "1.5k".
std::string legend_number(double x) { return std::fabs(x) < 1000 ? num(x, "%.3g") : compact_number(x); }

bool is_masked(const Workspace& ws, int i, int j) { return !std::isfinite(ws.result.logits(i, j)); }

bool row_fully_masked(const Workspace& ws, int i) {
    const auto& rows = ws.result.fully_masked_rows;
    return std::find(rows.begin(), rows.end(), i) != rows.end();
}

//-----------------------------------------------------------------------------
// [SECTION] Layout: side by side or stacked, cell size
//-----------------------------------------------------------------------------

struct Layout {
    bool side_by_side = true;
    float cw = 1, ch = 1;  // cell size in pixels
    float row_label_w = 0;
    float title_h = 0, col_label_h = 0, legend_h = 0;
    float legend_w = 0;    // the gradient bar
    float block_w = 0, block_h = 0;
    float gap = 0;
    bool text = false;     // a rectangle per cell with its number; otherwise one texture
    bool rotated = false;  // column labels read bottom-up, one line wide, so every key keeps its label
    bool legend_beside = false;  // the colour scale right of the grid (a short stacked map), not under it
    float minimap_w = 0;   // room kept at the right of the legend strip for the zoom minimap
    bool number_free = false;  // a small map whose numbers do not fit across: coloured cells, numbers in tooltips
};

// Cells as large as fit (at most kMaxCellEm) and square-ish: neither side more than 1.6× the
// other, except that a matrix with few rows (or columns) keeps them at least 0.8 em thick so a
// 1×256 strip can still be seen and hovered. Never smaller than min_cell (a small heatmap's
// cells hold their numbers). False when the cells had to be made larger than the room there is.
bool fit_cells(float grid_w, float grid_h, int n, int N, ImVec2 min_cell, float* cw, float* ch) {
    constexpr int kFewCells = 16;
    const float max_cell = em(kMaxCellEm);
    float w = std::min(grid_w / static_cast<float>(N), max_cell);
    float h = std::min(grid_h / static_cast<float>(n), max_cell);
    const bool room = w >= min_cell.x && h >= min_cell.y;
    w = std::min(w, std::max(h * 1.6f, N <= kFewCells ? em(0.8f) : 0.0f));
    h = std::min(h, std::max(w * 1.6f, n <= kFewCells ? em(1.5f) : 0.0f));
    *cw = std::max(w, min_cell.x);
    *ch = std::max(h, min_cell.y);
    return room;
}

// The smallest cell that holds a number of a small heatmap ("-3e-5", "-.25") at the smallest
// number font (fit_number); a pixel for large heatmaps, whose numbers live in the tooltips.
// Number-free (a small map too wide for its numbers, e.g. a captured 14-token head in large
// text): an em across (where rotated labels need a little more, every other key is labelled),
// a row label's height.
ImVec2 min_cell_size(int n, int N, bool numbers) {
    // A large map (a capture, a large sandbox) fits the panel at a fraction of a pixel per cell
    // rather than push the weights out of view; the wheel zooms in to see the cells.
    if (n > kSmallHeatmap || N > kSmallHeatmap) return ImVec2(0.25f, 0.25f);
    const float line = std::ceil(ImGui::GetTextLineHeight() + em(kMinLabelGapEm));
    if (!numbers) return ImVec2(std::ceil(em(1.0f)), line);  // columns a little thinner than a rotated label, rather than scroll
    return ImVec2(std::ceil(ImGui::CalcTextSize("-3e-5").x * kMinNumberFontScale + em(0.25f)),
                  std::ceil(ImGui::GetTextLineHeight() + em(kMinLabelGapEm)));  // every row keeps its label
}

// The title, column labels and legend of one map, and the gap between the two maps.
void set_chrome(Layout& l) {
    l.gap = em(1.2f);
    l.title_h = ImGui::GetTextLineHeightWithSpacing();
    l.col_label_h = ImGui::GetTextLineHeight() + em(0.2f);
    l.legend_h = em(0.5f) + em(0.6f) + em(0.15f) + ImGui::GetTextLineHeight();
}

// The widest column label and the width of the legend's bar when it stands beside the grid.
struct AxisNeeds {
    float col_label_w = 0;
};
constexpr float kBesideBarEm = 6.0f;

// Beside the grid the "masked" swatch (legend_extra_w wide, with its leading gap) goes under the
// bar's numbers, so the legend is no wider than its bar or that swatch.
Layout fit_layout(int n, int N, ImVec2 avail, float title_w, float legend_extra_w, float row_label_w, bool rotated,
                  bool beside, bool numbers, const AxisNeeds& needs) {
    Layout l;
    set_chrome(l);
    l.rotated = rotated;
    l.legend_beside = beside;
    l.number_free = !numbers;
    if (rotated) l.col_label_h = needs.col_label_w + em(0.3f);
    l.row_label_w = row_label_w + em(0.4f);
    if (beside && legend_extra_w > 0) l.legend_h += ImGui::GetTextLineHeight() + em(0.3f);
    const float legend_room = beside ? em(1) + std::max(em(kBesideBarEm), legend_extra_w - em(0.8f)) : 0.0f;
    const float chrome_h = l.title_h + l.col_label_h + (beside ? 0.0f : l.legend_h);

    // The gradient bar is as wide as the grid (5 to 16 em), narrower when the "masked" swatch
    // beside it would otherwise run past the panel's edge (eight masked keys in large text).
    const auto bar_width = [&](float grid_w) {
        return std::max(em(3), std::min(std::clamp(grid_w, em(5), em(16)), avail.x - l.row_label_w - legend_extra_w));
    };
    const auto block_width = [&](float cw) {
        const float grid_w = cw * static_cast<float>(N);
        const float legend_w = bar_width(grid_w) + legend_extra_w;
        return std::max(title_w, l.row_label_w + std::max(grid_w, legend_w));
    };

    ImVec2 min_cell = min_cell_size(n, N, numbers);
    if (!numbers)  // wide enough for a rotated label where the panel has room for that, else an em
        min_cell.x = std::clamp(std::floor((avail.x - legend_room - l.row_label_w) / static_cast<float>(N)), min_cell.x,
                                std::ceil(ImGui::GetTextLineHeight() + em(kMinLabelGapEm)));
    float sbs_cw, sbs_ch, stk_cw, stk_ch;
    bool sbs_fits = fit_cells((avail.x - l.gap) / 2 - l.row_label_w - legend_room, avail.y - chrome_h, n, N, min_cell, &sbs_cw, &sbs_ch);
    const bool stk_fits = fit_cells(avail.x - legend_room - l.row_label_w, (avail.y - l.gap) / 2 - chrome_h, n, N, min_cell, &stk_cw, &stk_ch);
    // Side by side only when its titles and legends fit too: a panel that scrolls sideways hides
    // the weights, the map a class is looking at.
    sbs_fits = sbs_fits && 2 * block_width(sbs_cw) + l.gap <= avail.x && std::min(sbs_cw, sbs_ch) >= std::min(stk_cw, stk_ch);
    // The layout that fits without scrolling; of two that fit, the one with larger cells, side by
    // side on a tie (the usual wide panel). When neither fits, stacked: panels scroll vertically.
    if (sbs_fits && stk_fits)
        l.side_by_side = sbs_cw * sbs_ch >= stk_cw * stk_ch;
    else
        l.side_by_side = sbs_fits;
    l.cw = l.side_by_side ? sbs_cw : stk_cw;
    l.ch = l.side_by_side ? sbs_ch : stk_ch;

    const bool small = n <= kSmallHeatmap && N <= kSmallHeatmap;
    l.text = numbers && n * N <= kMaxRectCells && (small || (l.cw >= em(kMinTextCellEm) && l.ch >= ImGui::GetTextLineHeight()));
    if (l.text) {  // whole pixels, so rows and columns line up exactly with the outlines
        l.cw = std::floor(l.cw);
        l.ch = std::floor(l.ch);
    }
    const float grid_w = l.cw * static_cast<float>(N);
    l.legend_w = beside ? em(kBesideBarEm) : bar_width(grid_w);
    if (!l.text && !l.number_free && !beside) {  // the minimap's place: right of the legend, under the grid, over nothing
        l.minimap_w = em(6);
        l.legend_w = std::max(em(3), std::min(l.legend_w, grid_w - l.minimap_w - em(1) - legend_extra_w));
    }
    l.block_w = beside ? l.row_label_w + grid_w + legend_room : block_width(l.cw);
    // Beside, the legend starts level with the column labels (no gap above it), so a one-row map
    // with a "masked" swatch under its bar is hardly taller than the map.
    const float beside_below = l.legend_h - em(0.5f) - l.col_label_h;
    l.block_h = chrome_h + (beside ? std::max(l.ch * static_cast<float>(n), beside_below) : l.ch * static_cast<float>(n));
    return l;
}

// The layout that shows most: the one that fits the panel, then the larger cells. Column labels
// rotate when flat ones would not fit but a line's height does (every key keeps its label); a
// short stacked map moves its legend beside the grid rather than below the panel's edge.
Layout make_layout(int n, int N, ImVec2 avail, float title_w, float legend_extra_w, float row_label_w, const AxisNeeds& needs) {
    const float gap = em(kMinLabelGapEm), line_h = ImGui::GetTextLineHeight();
    const auto width = [&](const Layout& l) { return l.side_by_side ? 2 * l.block_w + l.gap : l.block_w; };
    const auto fits_w = [&](const Layout& l) { return width(l) <= avail.x + 0.5f; };
    const auto fits = [&](const Layout& l) { return (l.side_by_side ? l.block_h : 2 * l.block_h + l.gap) <= avail.y + 0.5f; };
    // A map wholly in view but its legend under the panel's edge: a scale a class misses.
    const auto legend_cut = [&](const Layout& l) {
        if (l.legend_beside) return false;
        const auto cut = [&](float bottom) { return bottom - l.legend_h <= avail.y && bottom > avail.y; };
        return cut(l.block_h) || (!l.side_by_side && cut(2 * l.block_h + l.gap));
    };
    // Every column labelled: flat ones fit, or rotated ones do.
    const auto complete = [&](const Layout& l) { return needs.col_label_w + gap <= l.cw || (l.rotated && line_h + gap <= l.cw); };
    const auto better = [&](const Layout& a, const Layout& b) {  // a shows more than b
        if (fits_w(a) != fits_w(b)) return fits_w(a);  // never sideways: the weights would hide
        if (!fits_w(a) && width(a) != width(b)) return width(a) < width(b);  // else as little sideways as can be
        if (a.number_free != b.number_free) return !a.number_free;  // numbers when they fit across
        if (complete(a) != complete(b)) return complete(a);
        if (legend_cut(a) != legend_cut(b)) return !legend_cut(a);
        if (fits(a) != fits(b)) return fits(a);
        return a.cw * a.ch > b.cw * b.ch * 1.05f;
    };
    Layout best;
    bool have = false;
    const bool small = n <= kSmallHeatmap && N <= kSmallHeatmap;
    for (const bool numbers : {true, false})
        for (const bool beside : {false, true})
            for (const bool rotated : {false, true}) {
                if (!numbers && !small) continue;  // a large map has no numbers in its cells anyway
                Layout l = fit_layout(n, N, avail, title_w, legend_extra_w, row_label_w, rotated, beside, numbers, needs);
                if (beside && (l.side_by_side || (!l.text && !l.number_free))) continue;  // only a short stacked small map
                if (rotated && (needs.col_label_w + gap <= l.cw || line_h + gap > l.cw)) continue;
                if (!have || better(l, best)) best = l, have = true;
            }
    if (heatmap_controls().no_rotation) best.rotated = false;  // the control: room for rotated labels, drawn flat
    return best;
}

// Every `stride`-th label, stride from 1, 2, 5, 10, 20, 50, ... so labels never overlap.
int label_stride(float cell, float label) {
    int stride = 1;
    for (int k = 0; static_cast<float>(stride) * cell < label; ++k)
        stride = (k % 3 == 0 ? 2 : k % 3 == 1 ? 5 : 10) * static_cast<int>(std::pow(10, k / 3));
    return stride;
}

//-----------------------------------------------------------------------------
// [SECTION] Tooltips: how a cell's number arose
//-----------------------------------------------------------------------------

void masked_reason(const AppState& state, int i, int j) {
    const Workspace& ws = state.workspace;
    const std::string q = query_name(i, static_cast<int>(ws.result.logits.rows()));
    const std::string k = key_name(j);
    if (ws.options.causal && j > i)
        ImGui::Text(tr(state, "Masked (causal): %s comes after %s, so %s may not look at it."),
                    k.c_str(), q.c_str(), q.c_str());
    else
        ImGui::Text(tr(state, "Masked by the custom mask: %s may not look at %s."),
                    q.c_str(), k.c_str());
}

void logit_tooltip(const AppState& state, int i, int j) {
    const Workspace& ws = state.workspace;
    const int n = static_cast<int>(ws.result.logits.rows());
    const std::string q = query_name(i, n);
    const std::string k = key_name(j);
    if (has_tokens(ws)) ImGui::TextUnformatted((named(ws, q, i) + "  ·  " + named(ws, k, j)).c_str());
    ImGui::Text(tr(state, "logit(%s, %s) = scale \xC2\xB7 %s\xC2\xB7%s"), q.c_str(), k.c_str(),
                q.c_str(), k.c_str());
    if (is_masked(ws, i, j)) {
        masked_reason(state, i, j);
        ImGui::Text(tr(state, "Its logit is %s: it is left out of the softmax."),
                    num(-INFINITY).c_str());
        return;
    }
    const double scale = ws.result.scale;
    const double logit = ws.result.logits(i, j);
    const bool shapes_agree = ws.queries.cols() == ws.keys.cols() && i < ws.queries.rows() && j < ws.keys.rows();
    if (shapes_agree) {
        const int d = static_cast<int>(ws.queries.cols());
        double dot = 0;
        std::string terms;
        for (int c = 0; c < d; ++c) {
            const double a = ws.queries(i, c), b = ws.keys(j, c);
            dot += a * b;
            if (c > 0)
                terms += " + ";
            terms += factor(a) + "\xC3\x97" + factor(b);  // ×
        }
        if (d <= kMaxTooltipTerms) {
            ImGui::Text(d == 1 ? "= %s \xC3\x97 %s" : "= %s \xC3\x97 (%s)", num(scale).c_str(), terms.c_str());
            ImGui::Text("= %s \xC3\x97 %s", num(scale).c_str(), num(dot).c_str());
        } else {
            ImGui::Text("= %s \xC3\x97 %s", num(scale).c_str(), num(dot).c_str());
            ImGui::TextDisabled(tr(state, "(q\xC2\xB7k summed over d = %d components)"), d);
        }
    }
    ImGui::Text("= %s", num(logit, "%.6g").c_str());
}

void weight_tooltip(const AppState& state, int i, int j) {
    const Workspace& ws = state.workspace;
    const Eigen::MatrixXd& logits = ws.result.logits;
    const int n = static_cast<int>(logits.rows());
    const int N = static_cast<int>(logits.cols());
    const std::string q = query_name(i, n);
    const std::string k = key_name(j);
    if (has_tokens(ws)) ImGui::TextUnformatted((named(ws, q, i) + "  ·  " + named(ws, k, j)).c_str());
    ImGui::Text(tr(state, "weight(%s, %s) = exp(logit - max) / \xCE\xA3 exp(logit_j - max)"),
                q.c_str(), k.c_str());  // Σ
    if (row_fully_masked(ws, i)) {
        masked_reason(state, i, j);
        ImGui::Text(tr(state, "Every key is masked for %s: its weights are zero."),
                    q.c_str());
        return;
    }
    if (is_masked(ws, i, j)) {
        masked_reason(state, i, j);
        ImGui::TextUnformatted(tr(state, "Left out of the softmax: weight = 0."));
        return;
    }
    // Display only: the exp shares of the row, from core's logits (max subtracted, as core does).
    double max = -INFINITY;
    for (int c = 0; c < N; ++c)
        if (std::isfinite(logits(i, c)))
            max = std::max(max, logits(i, c));
    double sum = 0;
    std::string terms;
    int visible = 0;
    for (int c = 0; c < N; ++c) {
        if (!std::isfinite(logits(i, c)))
            continue;
        const double e = std::exp(logits(i, c) - max);
        sum += e;
        terms += (visible++ > 0 ? " + " : "") + num(e);
    }
    const double share = std::exp(logits(i, j) - max);
    ImGui::Text("= exp(%s - %s) / %s", num(logits(i, j)).c_str(), num(max).c_str(), num(sum).c_str());
    if (visible > 1 && visible <= kMaxTooltipTerms)
        ImGui::TextDisabled("  \xCE\xA3 = %s", terms.c_str());
    ImGui::Text("= %s / %s = %s", num(share).c_str(), num(sum).c_str(), num(ws.result.weights(i, j), "%.6g").c_str());
    if (visible < N)
        ImGui::TextDisabled(tr(state, "(%d masked key(s) left out of the sum)"), N - visible);
}

//-----------------------------------------------------------------------------
// [SECTION] Drawing one heatmap (rectangles with numbers, or one texture)
//-----------------------------------------------------------------------------

struct Hover {
    int row = -1, col = -1;
    Map map = Map::Logits;
    bool valid() const { return row >= 0; }
};

void draw_gradient(ImDrawList* dl, ImVec2 p0, ImVec2 p1, Map map) {
    constexpr int kSteps = 32;
    const float w = (p1.x - p0.x) / kSteps;
    for (int s = 0; s < kSteps; ++s) {
        const auto at = [&](int k) {
            const float t = static_cast<float>(k) / kSteps;
            return map == Map::Logits ? logit_color(2 * t - 1) : weight_color(t);
        };
        const ImU32 a = at(s), b = at(s + 1);
        dl->AddRectFilledMultiColor(ImVec2(p0.x + w * static_cast<float>(s), p0.y),
                                    ImVec2(p0.x + w * static_cast<float>(s + 1), p1.y), a, b, b, a);
    }
}

// The cell's number, as precise as fits (fit_number: fewer digits, then a smaller font); a cell
// too small for any form stays blank, its number in the tooltip, and the layout audit hears of it.
bool draw_cell_number(const AppState& state, Map map, int i, int j, ImVec2 p0, ImVec2 cell, ImU32 color) {
    const Workspace& ws = state.workspace;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float inner_w = cell.x - em(0.2f);
    if (is_masked(ws, i, j)) {
        // "masked" when it fits, else the weight it stands for (exactly 0) or −∞ for the logit.
        std::string text = map == Map::Weights ? tr(state, "masked") : num(-INFINITY);
        if (ImGui::CalcTextSize(text.c_str()).x > inner_w) text = map == Map::Weights ? "0" : num(-INFINITY);
        const ImVec2 size = ImGui::CalcTextSize(text.c_str());
        dl->AddText(ImVec2(p0.x + (cell.x - size.x) / 2, p0.y + (cell.y - size.y) / 2), color, text.c_str());
        return true;
    }
    const double value = map == Map::Weights ? ws.result.weights(i, j) : ws.result.logits(i, j);
    const std::optional<FittedNumber> fitted = fit_number(value, map == Map::Weights ? 3 : 2, inner_w, cell.y);
    const int n = static_cast<int>(ws.result.logits.rows()), N = static_cast<int>(ws.result.logits.cols());
    if (!fitted) {
        // Small heatmaps always have room for their numbers (the layout sees to it); a blank cell
        // there is a layout failure. Large ones keep the numbers in the tooltips.
        if (n <= kSmallHeatmap && N <= kSmallHeatmap) state.layout_audit.report(kHeatmapsId, kBlankCell,
                                  std::string(map == Map::Weights ? "weights " : "logits ") + query_name(i, static_cast<int>(ws.result.logits.rows())) +
                                      "," + key_name(j) + " in a " + std::to_string(static_cast<int>(cell.x)) + " px cell");
        return false;
    }
    dl->AddText(ImGui::GetFont(), fitted->font_size,
                ImVec2(p0.x + (cell.x - fitted->size.x) / 2, p0.y + (cell.y - fitted->size.y) / 2), color, fitted->text.c_str());
    return true;
}

// A row's winning number when its cell is too small to hold it: a small label over the cell, kept
// inside the grid, so the number that matters most never vanishes.
void draw_winner_badge(const AppState& state, Map map, int i, int j, ImVec2 cell_min, ImVec2 cell, ImVec2 grid_min,
                       ImVec2 grid_max) {
    const Workspace& ws = state.workspace;
    if (cell.y < ImGui::GetTextLineHeight() * 0.6f) return;  // rows too thin to tell apart: tooltips only
    const double value = map == Map::Weights ? ws.result.weights(i, j) : ws.result.logits(i, j);
    const std::optional<FittedNumber> fitted = fit_number(value, map == Map::Weights ? 3 : 2, em(6), std::max(cell.y, em(1.0f)));
    if (!fitted) {
        state.layout_audit.report(kHeatmapsId, kBlankCell, "winning cell " + query_name(i, static_cast<int>(ws.result.logits.rows())) + "," + key_name(j));
        return;
    }
    const ImVec2 pad = em2(0.15f, 0.0f);
    const float w = fitted->size.x + 2 * pad.x, h = fitted->size.y;
    const float x = std::clamp(cell_min.x + cell.x / 2 - w / 2, grid_min.x, std::max(grid_min.x, grid_max.x - w));
    const float y = std::clamp(cell_min.y + cell.y / 2 - h / 2, grid_min.y, std::max(grid_min.y, grid_max.y - h));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 background = ImGui::GetColorU32(ImGuiCol_WindowBg, 0.9f);
    dl->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + h), background, em(0.2f));
    dl->AddRect(ImVec2(x, y), ImVec2(x + w, y + h), ImGui::GetColorU32(ImGuiCol_Text), em(0.2f));
    dl->AddText(ImGui::GetFont(), fitted->font_size, ImVec2(x + pad.x, y), ImGui::GetColorU32(ImGuiCol_Text), fitted->text.c_str());
}

// Where one heatmap's cells are on screen.
// Zoomed in, the rectangle shows rows r0..r1-1 and columns c0..c1-1 (the edge ones in part);
// `top` and `left` are the first visible row and column, fractional.
struct Grid {
    ImVec2 min, max;  // the cells' rectangle on screen
    float cw = 1, ch = 1;
    float top = 0, left = 0;
    int r0 = 0, r1 = 0, c0 = 0, c1 = 0;
    ImVec2 cell_min(int i, int j) const {
        return ImVec2(min.x + cw * (static_cast<float>(j) - left), min.y + ch * (static_cast<float>(i) - top));
    }
    ImVec2 cell_size() const { return ImVec2(cw, ch); }
    bool row_visible(int i) const { return i >= r0 && i < r1; }
    bool col_visible(int j) const { return j >= c0 && j < c1; }
};

// The zoom of large heatmaps, kept in PanelMemory: 1 (all of it) up to cells of kMaxZoomCellEm.
constexpr float kMaxZoomCellEm = 2.5f;
float max_zoom(const Layout& l) { return std::max(1.0f, em(kMaxZoomCellEm) / std::max(0.01f, std::min(l.cw, l.ch))); }

// Keeps the view inside the matrix (and forgets it when the matrix changed shape).
void clamp_view(PanelMemory& m, const Layout& l, int n, int N) {
    if (m.heatmap_rows != n || m.heatmap_cols != N || l.text || l.number_free) {  // a small map never zooms
        m.heatmap_zoom = 1;
        m.heatmap_top = m.heatmap_left = 0;
        m.heatmap_rows = n;
        m.heatmap_cols = N;
    }
    m.heatmap_zoom = std::clamp(m.heatmap_zoom, 1.0f, max_zoom(l));
    m.heatmap_top = std::clamp(m.heatmap_top, 0.0f, static_cast<float>(n) * (1 - 1 / m.heatmap_zoom));
    m.heatmap_left = std::clamp(m.heatmap_left, 0.0f, static_cast<float>(N) * (1 - 1 / m.heatmap_zoom));
}

Grid make_grid(const Layout& l, const PanelMemory& m, ImVec2 min, int n, int N) {
    Grid g;
    g.min = min;
    g.max = ImVec2(min.x + l.cw * static_cast<float>(N), min.y + l.ch * static_cast<float>(n));
    g.cw = l.cw * m.heatmap_zoom;
    g.ch = l.ch * m.heatmap_zoom;
    g.top = m.heatmap_top;
    g.left = m.heatmap_left;
    g.r0 = static_cast<int>(std::floor(g.top));
    g.c0 = static_cast<int>(std::floor(g.left));
    g.r1 = std::min(n, static_cast<int>(std::ceil(g.top + static_cast<float>(n) / m.heatmap_zoom)));
    g.c1 = std::min(N, static_cast<int>(std::ceil(g.left + static_cast<float>(N) / m.heatmap_zoom)));
    return g;
}

// Text reading bottom-up with its start at `bottom_left` (ImGui 1.86 has no rotated text: the
// glyphs are laid out flat inside the window, so none is culled, then their vertices turned).
void add_text_rotated(ImDrawList* dl, ImVec2 bottom_left, ImU32 color, const std::string& text) {
    const ImVec2 flat = ImGui::GetCurrentWindowRead()->ClipRect.Min;
    const int first = dl->VtxBuffer.Size;
    dl->AddText(flat, color, text.c_str());
    for (int k = first; k < dl->VtxBuffer.Size; ++k) {
        ImVec2& p = dl->VtxBuffer[k].pos;
        const float dx = p.x - flat.x, dy = p.y - flat.y;
        p = ImVec2(bottom_left.x + dy, bottom_left.y - dx);
    }
}

// Keys across the top in their colours: flat when they fit, rotated when only a line's height
// fits, every stride-th only when not even that does (and then the audit hears if rotation would
// have fit). Each label stays inside the grid's width; neighbours keep kMinLabelGapEm apart.
void draw_column_labels(const AppState& state, const Layout& l, const Grid& grid, int N, float top) {
    const Workspace& ws = state.workspace;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float line_h = ImGui::GetTextLineHeight(), gap = em(kMinLabelGapEm);
    const float widest = has_tokens(ws) ? em(kTokenColumnEm) : ImGui::CalcTextSize(key_name(N - 1).c_str()).x;
    const HeatmapControls& controls = heatmap_controls();
    const bool flat = controls.every_label || !l.rotated || widest + gap <= grid.cw;
    const int stride = controls.every_label ? 1 : label_stride(grid.cw, (flat ? widest : line_h) + gap);
    if (stride > 1 && line_h + gap <= l.cw)
        state.layout_audit.report(kHeatmapsId, kSkippedLabels,
                                  "every " + std::to_string(stride) + "th of " + std::to_string(N) + " key labels in " +
                                      std::to_string(static_cast<int>(grid.cw)) + " px columns");
    float previous_end = -1e30f;
    for (int j = (grid.c0 + stride - 1) / stride * stride; j < grid.c1; j += stride) {
        if (grid.cell_min(0, j).x < grid.min.x - 0.5f) continue;  // a cell cut at the left edge
        const std::string label = column_axis_label(ws, j);
        const float w = flat ? ImGui::CalcTextSize(label.c_str()).x : line_h;
        float x = grid.cell_min(0, j).x + (grid.cw - w) / 2;
        x = std::max(grid.min.x, std::min(x, grid.max.x - w));  // "k250" stays inside the grid's width
        if (previous_end > -1e29f && !controls.every_label && x - previous_end < gap - 0.5f) continue;
        if (previous_end > -1e29f) audit_label_gap(state.layout_audit, kHeatmapsId, previous_end, x, "key labels " + label);
        previous_end = x + w;
        if (flat)
            dl->AddText(ImVec2(x, top + l.col_label_h - em(0.2f) - line_h), key_color(j, N), label.c_str());
        else
            add_text_rotated(dl, ImVec2(x, top + l.col_label_h - em(0.2f)), key_color(j, N), label);
    }
}

// Queries down the left; every stride-th when rows are thinner than a line.
void draw_row_labels(const AppState& state, const Grid& grid, int n, float row_label_max) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float line_h = ImGui::GetTextLineHeight();
    const int row_stride = label_stride(grid.ch, line_h + em(kMinLabelGapEm));
    for (int i = (grid.r0 + row_stride - 1) / row_stride * row_stride; i < grid.r1; i += row_stride) {
        if (grid.cell_min(i, 0).y < grid.min.y - 0.5f) continue;  // a cell cut at the top edge
        const std::string label = row_axis_label(state.workspace, i, n, row_label_max);
        const float w = ImGui::CalcTextSize(label.c_str()).x;
        const float y = grid.cell_min(i, 0).y + (grid.ch - line_h) / 2;
        dl->AddText(ImVec2(grid.min.x - em(0.3f) - w, y), palette().query, label.c_str());
    }
}

// A rectangle per cell with its number. Returns the winning cells whose number did not fit.
std::vector<std::pair<int, int>> draw_number_cells(const AppState& state, const HeatmapCache& cache, Map map,
                                                   const Grid& grid) {
    const Workspace& ws = state.workspace;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    std::vector<std::pair<int, int>> unlabelled_winners;
    for (int i = 0; i < cache.rows(); ++i) {
        const int winner = cache.winner(i);
        for (int j = 0; j < cache.cols(); ++j) {
            const ImVec2 p0 = grid.cell_min(i, j);
            const ImVec2 p1(p0.x + grid.cw, p0.y + grid.ch);
            const ImU32 bg = cache.color(map, i, j);
            dl->AddRectFilled(p0, p1, bg);
            const ImU32 fg = contrasting_text(bg);
            if (is_masked(ws, i, j))  // a faint hatch: masked is not the same as a small value
                dl->AddLine(p0, p1, (fg & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 50), 1.0f);
            if (!draw_cell_number(state, map, i, j, p0, grid.cell_size(), fg) && j == winner) unlabelled_winners.push_back({i, j});
        }
    }
    return unlabelled_winners;
}

// Cells per texel so that a texel is at least a pixel on screen (1 when cells are).
int pool_factor(float cell) { return cell >= 1 ? 1 : static_cast<int>(std::min(4096.0f, std::ceil(1 / std::max(cell, 1e-4f)))); }

// One texture for a large heatmap: only the rows the cache recoloured go to the GPU. Below a
// pixel per cell the weights map is max-pooled (HeatmapCache::pooled_weights): each row's largest
// weight stays visible instead of being sampled away. Returns the texture's size in cells.
ImVec2 upload_texture(const AppState& state, HeatmapCache& cache, Map map, const Grid& grid, GlTexture& texture,
                      long long& pooled_seen) {
    const int n = cache.rows(), N = cache.cols();
    const HeatmapCache::DirtyRows dirty = cache.take_dirty_rows(map);
    const int fx = pool_factor(grid.cw), fy = pool_factor(grid.ch);
    if (map == Map::Weights && (fx > 1 || fy > 1)) {
        const std::vector<std::uint8_t>& pooled = cache.pooled_weights(state.workspace, fx, fy);
        const int w = (N + fx - 1) / fx, h = (n + fy - 1) / fy;
        if (!texture.has_size(w, h) || pooled_seen != cache.pooled_updates() || dirty.all) texture.upload(w, h, pooled.data());
        pooled_seen = cache.pooled_updates();
        return ImVec2(static_cast<float>(w * fx), static_cast<float>(h * fy));
    }
    pooled_seen = -1;
    if (dirty.all || !texture.has_size(N, n))
        texture.upload(N, n, cache.rgba(map));
    else if (dirty.any())
        texture.upload_rows(N, n, cache.rgba(map), dirty.first, dirty.last);
    return ImVec2(static_cast<float>(N), static_cast<float>(n));
}

void draw_texture_cells(const AppState& state, HeatmapCache& cache, Map map, const Grid& grid, GlTexture& texture,
                        long long& pooled_seen) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 cells = upload_texture(state, cache, map, grid, texture, pooled_seen);
    if (texture.id() != nullptr) {
        // Zoomed in: the visible part of the texture, never a rectangle far outside the window.
        const float rows = cells.y, cols = cells.x;
        const float span_x = (grid.max.x - grid.min.x) / grid.cw, span_y = (grid.max.y - grid.min.y) / grid.ch;
        dl->AddImage(texture.id(), grid.min, grid.max, ImVec2(grid.left / cols, grid.top / rows),
                     ImVec2((grid.left + span_x) / cols, (grid.top + span_y) / rows));
        return;
    }
    dl->AddRect(grid.min, grid.max, palette().text_dim);
    dl->PushClipRect(grid.min, grid.max, true);
    dl->AddText(ImVec2(grid.min.x + em(0.3f), grid.min.y + em(0.2f)), palette().text_dim,
                tr(state, "(no OpenGL texture)"));
    dl->PopClipRect();
}

// Thin outline on each row's largest weight (every tied cell: a uniform row shows that it is
// uniform). Skipped when cells are too small for an outline to leave any colour visible, except
// in the hovered row.
void draw_row_maxima(const Workspace& ws, const HeatmapCache& cache, Map map, const Grid& grid, const Hover& hover) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const bool outline_all = grid.cw >= em(0.5f) && grid.ch >= em(0.5f);
    dl->PushClipRect(grid.min, grid.max, true);
    for (int i = grid.r0; i < grid.r1; ++i) {
        if (!(cache.row_max(i) > 0) || !(outline_all || (hover.valid() && hover.row == i))) continue;
        for (int j = grid.c0; j < grid.c1; ++j)
            if (ws.result.weights(i, j) >= cache.row_max(i) - 1e-12) {
                const ImVec2 p0 = grid.cell_min(i, j);
                const ImU32 c = contrasting_text(cache.color(map, i, j));
                dl->AddRect(ImVec2(p0.x + 1, p0.y + 1), ImVec2(p0.x + grid.cw - 1, p0.y + grid.ch - 1), c, 0, 0, std::max(1.0f, em(0.06f)));
            }
    }
    dl->PopClipRect();
}

// The hovered row and column, in both heatmaps, so the two read together.
void draw_hover(const Grid& grid, const Hover& hover) {
    if (!hover.valid()) return;
    const float thick = std::max(1.0f, em(0.12f));
    const ImU32 color = ImGui::GetColorU32(ImGuiCol_Text);
    const float y = grid.cell_min(hover.row, 0).y, x = grid.cell_min(0, hover.col).x;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(ImVec2(grid.min.x - thick, grid.min.y - thick), ImVec2(grid.max.x + thick, grid.max.y + thick), true);
    dl->AddRect(ImVec2(grid.min.x, y), ImVec2(grid.max.x, y + grid.ch), color, 0, 0, thick);
    dl->AddRect(ImVec2(x, grid.min.y), ImVec2(x + grid.cw, grid.max.y), color, 0, 0, thick);
    dl->PopClipRect();
}

// The gradient with its end values under the grid; logits are symmetric around 0.
// Under the grid, or right of it (Layout::legend_beside). Returns the rectangle of its labels for
// the audit; the layout audit hears when the panel's edge cuts them.
ImRect draw_legend(const AppState& state, const Layout& l, Map map, const Grid& grid, double range, bool any_masked) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const Palette pal = palette();
    const float legend_w = l.legend_w;
    ImVec2 b0 = l.legend_beside ? ImVec2(grid.max.x + em(1), grid.min.y - l.col_label_h) : ImVec2(grid.min.x, grid.max.y + em(0.5f));
    if (heatmap_controls().legend_off_edge) b0.x = ImGui::GetCurrentWindowRead()->InnerClipRect.Max.x - legend_w / 2;
    const ImVec2 b1(b0.x + legend_w, b0.y + em(0.6f));
    draw_gradient(dl, b0, b1, map);
    dl->AddRect(b0, b1, pal.grid);
    std::string lo, mid, hi;
    if (map == Map::Weights) {
        lo = "0", mid = "0.5", hi = "1";
    } else if (!(range > 0)) {
        lo = mid = hi = "0";
    } else {
        lo = "-" + legend_number(range), mid = "0", hi = "+" + legend_number(range);
    }
    const float label_y = b1.y + em(0.15f);
    // Ends always; the middle only when it cannot touch them, and a lone "0" when all is zero.
    const float lo_w = ImGui::CalcTextSize(lo.c_str()).x, mid_w = ImGui::CalcTextSize(mid.c_str()).x,
                hi_w = ImGui::CalcTextSize(hi.c_str()).x;
    if (lo == hi) {
        dl->AddText(ImVec2((b0.x + b1.x - mid_w) / 2, label_y), pal.text_dim, mid.c_str());
    } else {
        dl->AddText(ImVec2(b0.x, label_y), pal.text_dim, lo.c_str());
        dl->AddText(ImVec2(std::max(b1.x - hi_w, b0.x + lo_w + em(0.5f)), label_y), pal.text_dim, hi.c_str());
        if (lo_w + mid_w + hi_w + em(1.0f) < b1.x - b0.x) dl->AddText(ImVec2((b0.x + b1.x - mid_w) / 2, label_y), pal.text_dim, mid.c_str());
    }
    const float line_h = ImGui::GetTextLineHeight();
    ImRect extent(b0, ImVec2(std::max(b1.x, b0.x + lo_w + em(0.5f) + hi_w), label_y + line_h));
    if (any_masked) {  // right of the bar, or under its numbers when the legend stands beside the grid
        const ImVec2 s0 = l.legend_beside ? ImVec2(b0.x, label_y + line_h + em(0.3f)) : ImVec2(b1.x + em(0.8f), b0.y);
        const ImVec2 s1(s0.x + em(0.6f), s0.y + em(0.6f));
        dl->AddRectFilled(s0, s1, masked_cell_color(light_theme()));
        dl->AddRect(s0, s1, pal.grid);
        const char* masked = tr(state, "masked");
        dl->AddText(ImVec2(s1.x + em(0.3f), s0.y + (em(0.6f) - line_h) / 2), pal.text_dim, masked);
        extent.Max.x = std::max(extent.Max.x, s1.x + em(0.3f) + ImGui::CalcTextSize(masked).x);
        extent.Max.y = std::max(extent.Max.y, s0.y + (em(0.6f) + line_h) / 2);
    }
    audit_legend_in_view(state.layout_audit, kHeatmapsId, extent.Min, extent.Max, grid.min, grid.max,
                         std::string(map == Map::Weights ? "weights" : "logits") + " legend " + lo + " " + mid + " " + hi);
    return extent;
}

// Zoomed in: the whole map, small, in the grid's corner, with the visible window outlined.
// It sits in the legend's strip under the grid, right of the legend (Layout::minimap_w), so it
// covers neither the map nor the legend's numbers; the audit hears if it ever does.
void draw_minimap(const AppState& state, const Layout& l, const Grid& grid, int n, int N, const GlTexture& texture,
                  const ImRect& legend) {
    const float aspect = static_cast<float>(N) / static_cast<float>(n);
    const float max_w = std::max(em(1), l.minimap_w), max_h = std::max(em(1), l.legend_h - em(0.6f));
    ImVec2 size = aspect >= max_w / max_h ? ImVec2(max_w, max_w / aspect) : ImVec2(max_h * aspect, max_h);
    size = ImVec2(std::max(size.x, 3.0f), std::max(size.y, 3.0f));
    ImVec2 p1(grid.max.x, grid.max.y + em(0.5f) + size.y);
    if (heatmap_controls().minimap_on_grid) p1 = ImVec2(grid.max.x - em(0.3f), grid.max.y - em(0.3f));
    const ImVec2 p0(p1.x - size.x, p1.y - size.y);
    audit_not_covered(state.layout_audit, kHeatmapsId, ImVec2(p0.x - 2, p0.y - 2), ImVec2(p1.x + 2, p1.y + 2), grid.min, grid.max,
                      "zoom minimap over the weights map");
    audit_not_covered(state.layout_audit, kHeatmapsId, ImVec2(p0.x - 2, p0.y - 2), ImVec2(p1.x + 2, p1.y + 2), legend.Min, legend.Max,
                      "zoom minimap over the weights legend");
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(p0.x - 2, p0.y - 2), ImVec2(p1.x + 2, p1.y + 2), ImGui::GetColorU32(ImGuiCol_WindowBg));
    if (texture.id() != nullptr) dl->AddImage(texture.id(), p0, p1);
    const float zoom = state.panels.heatmap_zoom;
    const ImVec2 v0(p0.x + size.x * grid.left / static_cast<float>(N), p0.y + size.y * grid.top / static_cast<float>(n));
    const ImVec2 v1(v0.x + size.x / zoom, v0.y + size.y / zoom);
    dl->AddRect(v0, v1, ImGui::GetColorU32(ImGuiCol_Text), 0, 0, std::max(1.0f, em(0.1f)));
    dl->AddRect(p0, p1, palette().grid);
    probe_rect(state, "heatmap minimap", p0, p1);
}

void draw_heatmap(const AppState& state, HeatmapCache& cache, const Layout& l, Map map, ImVec2 block,
                  const std::string& title, const Hover& hover, GlTexture& texture, long long& pooled_seen) {
    const Workspace& ws = state.workspace;
    const int n = static_cast<int>(ws.result.logits.rows());
    const int N = static_cast<int>(ws.result.logits.cols());
    ImGui::GetWindowDrawList()->AddText(block, ImGui::GetColorU32(ImGuiCol_Text), title.c_str());
    const Grid grid = make_grid(l, state.panels, ImVec2(block.x + l.row_label_w, block.y + l.title_h + l.col_label_h), n, N);
    draw_column_labels(state, l, grid, N, block.y + l.title_h);
    draw_row_labels(state, grid, n, l.row_label_w - em(0.4f));

    // Where tests look for cell colours in screenshots (probe.h; only when probing).
    for (int i = 0; i < std::min(n, 4); ++i)
        for (int j = 0; j < std::min(N, 8); ++j)
            probe_rect(state, std::string(map == Map::Logits ? "logits " : "weights ") + std::to_string(i) + "," + std::to_string(j),
                       grid.cell_min(i, j), ImVec2(grid.cell_min(i, j).x + l.cw, grid.cell_min(i, j).y + l.ch));

    // Winning cells whose number did not fit get a badge last, over the outlines.
    std::vector<std::pair<int, int>> badges;
    if (l.text) {
        badges = draw_number_cells(state, cache, map, grid);
    } else {
        draw_texture_cells(state, cache, map, grid, texture, pooled_seen);
        for (int i = grid.r0; i < grid.r1; ++i)
            if (const int j = cache.winner(i); j >= 0 && grid.col_visible(j)) badges.push_back({i, j});
    }
    ImGui::GetWindowDrawList()->AddRect(ImVec2(grid.min.x - 1, grid.min.y - 1), ImVec2(grid.max.x + 1, grid.max.y + 1), palette().grid);
    draw_row_maxima(ws, cache, map, grid, hover);
    draw_hover(grid, hover);
    for (const auto& [i, j] : badges) draw_winner_badge(state, map, i, j, grid.cell_min(i, j), grid.cell_size(), grid.min, grid.max);
    const ImRect legend = draw_legend(state, l, map, grid, cache.colour_range(), cache.any_masked());
    if (map == Map::Weights && state.panels.heatmap_zoom > 1) draw_minimap(state, l, grid, n, N, texture, legend);
}

// A large map under the mouse: the wheel zooms about the mouse, a drag pans, a double-click shows
// all of it again.
void zoom_and_pan(PanelMemory& m, const Layout& l, ImVec2 grid_min, int n, int N) {
    const ImGuiIO& io = ImGui::GetIO();
    const ImVec2 mouse = io.MousePos;
    if (ImGui::IsItemHovered() && io.MouseWheel != 0) {
        const float zoom = m.heatmap_zoom;
        const float next = std::clamp(zoom * (io.MouseWheel > 0 ? 1.25f : 0.8f), 1.0f, max_zoom(l));
        // The cell under the mouse stays under it.
        const float row = m.heatmap_top + (mouse.y - grid_min.y) / (l.ch * zoom);
        const float col = m.heatmap_left + (mouse.x - grid_min.x) / (l.cw * zoom);
        m.heatmap_zoom = next;
        m.heatmap_top = row - (mouse.y - grid_min.y) / (l.ch * next);
        m.heatmap_left = col - (mouse.x - grid_min.x) / (l.cw * next);
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
        m.heatmap_top -= io.MouseDelta.y / (l.ch * m.heatmap_zoom);
        m.heatmap_left -= io.MouseDelta.x / (l.cw * m.heatmap_zoom);
    }
    if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) m.heatmap_zoom = 1;
    clamp_view(m, l, n, N);
}

// Invisible buttons over the two grids; the cell under the mouse, if any. Large maps zoom and pan.
Hover find_hover(AppState& state, const Layout& l, const ImVec2 blocks[2], int n, int N) {
    Hover hover;
    PanelMemory& m = state.panels;
    for (int k = 0; k < 2; ++k) {
        const ImVec2 g(blocks[k].x + l.row_label_w, blocks[k].y + l.title_h + l.col_label_h);
        ImGui::SetCursorScreenPos(g);
        ImGui::PushID(k);
        ImGui::InvisibleButton("##grid", ImVec2(l.cw * static_cast<float>(N), l.ch * static_cast<float>(n)));
        ImGui::PopID();
        probe_item(state, k == 0 ? "logits grid" : "weights grid");
        if (!l.text && !l.number_free) zoom_and_pan(m, l, g, n, N);
        if (!ImGui::IsItemHovered()) continue;
        const ImVec2 mouse = ImGui::GetIO().MousePos;
        hover.map = k == 0 ? Map::Logits : Map::Weights;
        const float zoom = m.heatmap_zoom;
        hover.row = std::clamp(static_cast<int>(m.heatmap_top + (mouse.y - g.y) / (l.ch * zoom)), 0, n - 1);
        hover.col = std::clamp(static_cast<int>(m.heatmap_left + (mouse.x - g.x) / (l.cw * zoom)), 0, N - 1);
    }
    return hover;
}

}  // namespace

//-----------------------------------------------------------------------------
// [SECTION] The panel
//-----------------------------------------------------------------------------

float heatmap_panel_wanted_height(const AppState& state, float width) {
    const Workspace& ws = state.workspace;
    const int n = static_cast<int>(ws.result.logits.rows()), N = static_cast<int>(ws.result.logits.cols());
    if (!ws.error.empty() || n == 0 || N == 0 || n * N > kMaxRectCells) return 0;
    const ImGuiStyle& style = ImGui::GetStyle();
    const float inner_w = width - 2 * style.WindowPadding.x - style.ScrollbarSize;
    Layout l;
    set_chrome(l);
    l.row_label_w = row_label_width(ws, n, std::min(em(kTokenRowEm), inner_w / 6)) + em(0.4f);
    const ImVec2 min_cell = min_cell_size(n, N, true);
    // Rows a full line high: every row keeps its name and its number at full size.
    const float row_h = std::max(min_cell.y, ImGui::GetTextLineHeight() + em(0.15f));
    const float map_h = l.title_h + l.col_label_h + l.legend_h + row_h * static_cast<float>(n);
    const bool side_by_side = 2 * (l.row_label_w + min_cell.x * static_cast<float>(N)) + l.gap <= inner_w;
    const float maps_h = side_by_side ? map_h : 2 * map_h + l.gap;
    return maps_h + ImGui::GetFrameHeight() + 2 * style.WindowPadding.y + em(0.5f);
}

void draw_heatmap_panel(AppState& state, const PanelRect& rect, HeatmapResources& textures) {
    if (begin_panel(tr(state, "Heatmaps"), kHeatmapsId, rect, ImGuiWindowFlags_HorizontalScrollbar)) {
        const Workspace& ws = state.workspace;
        const int n = static_cast<int>(ws.result.logits.rows());
        const int N = static_cast<int>(ws.result.logits.cols());
        if (!ws.error.empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, palette().fail);
            ImGui::TextWrapped("%s", ws.error.c_str());
            ImGui::PopStyleColor();
        } else if (n == 0 || N == 0 || ws.result.weights.rows() != n || ws.result.weights.cols() != N) {
            ImGui::TextDisabled("%s", tr(state, "Nothing to show yet."));
        } else {
            HeatmapCache& cache = textures.cache;
            cache.update(ws, light_theme());
            const bool any_masked = cache.any_masked();

            // Short titles so the two maps fit side by side even with presentation-size text;
            // the formulas are in the cells' tooltips.
            const std::string titles[2] = {
                format(tr(state, "Logits (scale %s)"), num(ws.result.scale).c_str()),
                tr(state, "Weights (softmax)")};
            const float title_w = std::max(ImGui::CalcTextSize(titles[0].c_str()).x, ImGui::CalcTextSize(titles[1].c_str()).x);
            const float legend_extra_w =
                any_masked ? em(0.8f + 0.6f + 0.3f) + ImGui::CalcTextSize(tr(state, "masked")).x : 0.0f;

            const ImVec2 origin = ImGui::GetCursorScreenPos();
            // Token row labels take at most a sixth of a narrow panel.
            const float row_label_max = std::min(em(kTokenRowEm), ImGui::GetContentRegionAvail().x / 6);
            AxisNeeds needs;
            needs.col_label_w = column_label_width(ws, N);
            const Layout l = make_layout(n, N, ImGui::GetContentRegionAvail(), title_w, legend_extra_w,
                                         row_label_width(ws, n, row_label_max), needs);
            const ImVec2 blocks[2] = {origin, l.side_by_side ? ImVec2(origin.x + l.block_w + l.gap, origin.y)
                                                             : ImVec2(origin.x, origin.y + l.block_h + l.gap)};

            // Hover first, so both heatmaps can outline it.
            clamp_view(state.panels, l, n, N);
            const Hover hover = find_hover(state, l, blocks, n, N);

            long long logits_unpooled = -1;
            draw_heatmap(state, cache, l, Map::Logits, blocks[0], titles[0], hover, textures.logits, logits_unpooled);
            draw_heatmap(state, cache, l, Map::Weights, blocks[1], titles[1], hover, textures.weights, textures.weights_pooled_upload);

            if (hover.valid()) {
                ImGui::BeginTooltip();
                if (hover.map == Map::Logits)
                    logit_tooltip(state, hover.row, hover.col);
                else
                    weight_tooltip(state, hover.row, hover.col);
                ImGui::EndTooltip();
            }

            // Reserve the whole drawing so the window scrolls rather than clips when it is tiny.
            ImGui::SetCursorScreenPos(origin);
            ImGui::Dummy(l.side_by_side ? ImVec2(2 * l.block_w + l.gap, l.block_h)
                                        : ImVec2(l.block_w, 2 * l.block_h + l.gap));
        }
        panel_screenshot_context_menu(state, kHeatmapsId);
    }
    end_panel(state, kHeatmapsId);
}

}  // namespace attn::app
