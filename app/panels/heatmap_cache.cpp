#include "app/panels/heatmap_cache.h"

#include "app/ui_common.h"

#include <algorithm>
#include <cmath>

namespace attn::app {

namespace {

// A few rows per frame are cheap one by one; more (a solve, a paste) are as cheap all at once.
constexpr std::size_t kFewRows = 4;

bool is_masked(const Workspace& ws, int i, int j) { return !std::isfinite(ws.result.logits(i, j)); }

std::uint32_t cell_color(const Workspace& ws, Map map, int i, int j, double range, bool light) {
    if (is_masked(ws, i, j)) return masked_cell_color(light);
    if (map == Map::Logits) {
        const double t = range > 0 ? ws.result.logits(i, j) / range : 0.0;
        return logit_color(static_cast<float>(std::clamp(t, -1.0, 1.0)));
    }
    const double w = ws.result.weights(i, j);
    return weight_color(std::isfinite(w) ? static_cast<float>(std::clamp(w, 0.0, 1.0)) : 0.0f);
}

bool result_is_drawable(const Workspace& ws) {
    const auto& r = ws.result;
    return ws.error.empty() && r.logits.rows() > 0 && r.logits.cols() > 0 && r.weights.rows() == r.logits.rows() &&
           r.weights.cols() == r.logits.cols();
}

}  // namespace

std::uint32_t masked_cell_color(bool light) { return light ? IM_COL32(200, 200, 204, 255) : IM_COL32(52, 52, 58, 255); }

double nice_ceiling(double x) {
    if (!(x > 0) || !std::isfinite(x)) return x > 0 ? x : 0.0;
    static constexpr double kSteps[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    const double decade = std::pow(10.0, std::floor(std::log10(x)));
    for (const double step : kSteps) {
        const double candidate = step * decade;
        // A hair of tolerance: 2.0000000000000004 is 2, not 2.5.
        if (!std::isfinite(candidate)) return x;
        if (candidate >= x * (1 - 1e-12)) return std::max(candidate, x);
    }
    return x;
}

int winning_column(const Workspace& ws, int i) {
    int best = -1;
    double best_weight = 0;
    bool tie = false;
    for (int j = 0; j < ws.result.weights.cols(); ++j) {
        const double w = ws.result.weights(i, j);
        if (!(w > 0)) continue;
        if (best >= 0 && std::fabs(w - best_weight) <= 1e-12) tie = true;
        else if (w > best_weight) best = j, best_weight = w, tie = false;
    }
    return tie ? -1 : best;
}

void HeatmapCache::update(const Workspace& ws, bool light_theme) {
    if (!result_is_drawable(ws)) {
        rows_ = cols_ = 0;
        serial_ = -1;  // whatever comes next is drawn in full
        return;
    }
    const int n = static_cast<int>(ws.result.logits.rows()), N = static_cast<int>(ws.result.logits.cols());
    if (ws.result_serial == serial_ && light_theme == light_ && n == rows_ && N == cols_) return;
    const AttentionCache::Change& change = ws.result_change;
    const bool just_rows = ws.result_serial == serial_ + 1 && light_theme == light_ && n == rows_ && N == cols_ &&
                           !change.all_rows && change.rows.size() <= kFewRows;
    serial_ = ws.result_serial;
    light_ = light_theme;
    if (!just_rows) {
        rows_ = n, cols_ = N;
        recompute_all(ws);
        return;
    }
    const double old_range = colour_range_;
    for (const Eigen::Index row : change.rows) {
        const int i = static_cast<int>(row);
        if (i < 0 || i >= n) continue;
        recompute_row_summary(ws, i);
        colour_rows(ws, Map::Weights, i, i);
        mark_dirty(Map::Weights, i, i);
        ++row_updates_;
    }
    set_ranges();
    if (colour_range_ != old_range) {  // every logit's colour is relative to the range
        colour_rows(ws, Map::Logits, 0, n - 1);
        mark_dirty(Map::Logits, 0, n - 1);
        return;
    }
    for (const Eigen::Index row : change.rows) {
        const int i = static_cast<int>(row);
        if (i < 0 || i >= n) continue;
        colour_rows(ws, Map::Logits, i, i);
        mark_dirty(Map::Logits, i, i);
    }
}

void HeatmapCache::recompute_all(const Workspace& ws) {
    const auto count = static_cast<std::size_t>(rows_);
    row_abs_logit_max_.assign(count, 0.0);
    row_masked_.assign(count, 0);
    row_max_.assign(count, 0.0);
    winner_.assign(count, -1);
    masked_cells_ = 0;
    for (int i = 0; i < rows_; ++i) recompute_row_summary(ws, i);
    set_ranges();
    const std::size_t bytes = count * static_cast<std::size_t>(cols_) * 4;
    logit_rgba_.resize(bytes);
    weight_rgba_.resize(bytes);
    colour_rows(ws, Map::Logits, 0, rows_ - 1);
    colour_rows(ws, Map::Weights, 0, rows_ - 1);
    dirty_[0] = dirty_[1] = DirtyRows{true, 0, rows_ - 1};
    ++full_updates_;
}

void HeatmapCache::set_ranges() {
    logit_range_ = *std::max_element(row_abs_logit_max_.begin(), row_abs_logit_max_.end());
    colour_range_ = nice_ceiling(logit_range_);
}

double HeatmapCache::row_abs_logit_max(const Workspace& ws, int i) const {
    double m = 0;
    for (int j = 0; j < cols_; ++j) {
        const double v = ws.result.logits(i, j);
        if (std::isfinite(v)) m = std::max(m, std::fabs(v));
    }
    return m;
}

void HeatmapCache::recompute_row_summary(const Workspace& ws, int i) {
    const auto r = static_cast<std::size_t>(i);
    row_abs_logit_max_[r] = row_abs_logit_max(ws, i);
    int masked = 0;
    double best = 0;
    for (int j = 0; j < cols_; ++j) {
        if (is_masked(ws, i, j)) ++masked;
        const double w = ws.result.weights(i, j);
        if (std::isfinite(w)) best = std::max(best, w);
    }
    masked_cells_ += masked - row_masked_[r];
    row_masked_[r] = masked;
    row_max_[r] = best;
    winner_[r] = winning_column(ws, i);
}

void HeatmapCache::colour_rows(const Workspace& ws, Map map, int first, int last) {
    std::vector<std::uint8_t>& out = pixels(map);
    for (int i = first; i <= last; ++i) {
        std::size_t k = static_cast<std::size_t>(i) * static_cast<std::size_t>(cols_) * 4;
        for (int j = 0; j < cols_; ++j) {
            const std::uint32_t c = cell_color(ws, map, i, j, colour_range_, light_);
            out[k++] = static_cast<std::uint8_t>((c >> IM_COL32_R_SHIFT) & 0xFF);
            out[k++] = static_cast<std::uint8_t>((c >> IM_COL32_G_SHIFT) & 0xFF);
            out[k++] = static_cast<std::uint8_t>((c >> IM_COL32_B_SHIFT) & 0xFF);
            out[k++] = static_cast<std::uint8_t>((c >> IM_COL32_A_SHIFT) & 0xFF);
        }
    }
}

std::uint32_t HeatmapCache::color(Map map, int i, int j) const {
    const std::size_t k = (static_cast<std::size_t>(i) * static_cast<std::size_t>(cols_) + static_cast<std::size_t>(j)) * 4;
    const std::vector<std::uint8_t>& p = pixels(map);
    return IM_COL32(p[k], p[k + 1], p[k + 2], p[k + 3]);
}

void HeatmapCache::mark_dirty(Map map, int first, int last) {
    DirtyRows& d = dirty_[map == Map::Logits ? 0 : 1];
    if (d.all) return;
    if (!d.any()) {
        d.first = first, d.last = last;
        return;
    }
    d.first = std::min(d.first, first);
    d.last = std::max(d.last, last);
}

const std::vector<std::uint8_t>& HeatmapCache::pooled_weights(const Workspace& ws, int fx, int fy) {
    fx = std::max(1, fx), fy = std::max(1, fy);
    if (pooled_serial_ == serial_ && pooled_light_ == light_ && pooled_fx_ == fx && pooled_fy_ == fy) return pooled_rgba_;
    pooled_serial_ = serial_, pooled_light_ = light_, pooled_fx_ = fx, pooled_fy_ = fy;
    ++pooled_updates_;
    const int w = (cols_ + fx - 1) / fx, h = (rows_ + fy - 1) / fy;
    pooled_rgba_.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4, 0);
    std::size_t k = 0;
    for (int ty = 0; ty < h; ++ty)
        for (int tx = 0; tx < w; ++tx) {
            double best = -1;  // the largest finite weight covered; -1 while every cell is masked
            for (int i = ty * fy; i < std::min(rows_, (ty + 1) * fy); ++i)
                for (int j = tx * fx; j < std::min(cols_, (tx + 1) * fx); ++j)
                    if (!is_masked(ws, i, j) && std::isfinite(ws.result.weights(i, j))) best = std::max(best, ws.result.weights(i, j));
            const std::uint32_t c = best < 0 ? masked_cell_color(light_) : weight_color(static_cast<float>(std::clamp(best, 0.0, 1.0)));
            pooled_rgba_[k++] = static_cast<std::uint8_t>((c >> IM_COL32_R_SHIFT) & 0xFF);
            pooled_rgba_[k++] = static_cast<std::uint8_t>((c >> IM_COL32_G_SHIFT) & 0xFF);
            pooled_rgba_[k++] = static_cast<std::uint8_t>((c >> IM_COL32_B_SHIFT) & 0xFF);
            pooled_rgba_[k++] = static_cast<std::uint8_t>((c >> IM_COL32_A_SHIFT) & 0xFF);
        }
    return pooled_rgba_;
}

HeatmapCache::DirtyRows HeatmapCache::take_dirty_rows(Map map) {
    DirtyRows& d = dirty_[map == Map::Logits ? 0 : 1];
    const DirtyRows out = d;
    d = DirtyRows{};
    return out;
}

}  // namespace attn::app
