// attnlab app: what the heatmap panel draws that depends only on the attention result — every
// cell's colour in both maps, each row's largest weight and winning column, the logit colour
// range, whether any cell is masked — kept from frame to frame.
//
// At N = 1024 these are 2·N² cells: recomputing them every frame cost ~70 ms. update() instead
// does, per frame:
//   the result's serial unchanged              → nothing;
//   the next serial, a few query rows changed  → those rows (and every logit colour only when
//                                                 the colour range moved to another nice number);
//   anything else (a key edit, a new shape, another theme, a skipped serial) → everything.
//
// Calling rules
// - Call update() once per frame before reading, with the workspace the panel draws and
//   whether the light (projector) theme is on. Pure CPU: no ImGui context or GL is needed.
// - The colour arrays hold n×N RGBA8 pixels, row-major, row 0 first (GlTexture::upload's layout).
// - take_dirty_rows() hands the uploader the rows changed since its last call (or "all"), then
//   forgets them; a texture that missed them uploads everything.
#pragma once

#include "app/app_state.h"
#include "app/platform/gl_texture.h"

#include <cstdint>
#include <vector>

namespace attn::app {

enum class Map { Logits, Weights };

class HeatmapCache {
public:
    struct DirtyRows {
        bool all = false;
        int first = 0, last = -1;  // an inclusive range; empty when last < first
        bool any() const { return all || last >= first; }
    };

    void update(const Workspace& ws, bool light_theme);

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    double logit_range() const { return logit_range_; }    // max |finite logit|
    double colour_range() const { return colour_range_; }  // the colour scale's half-width: nice_ceiling(logit_range())
    bool any_masked() const { return masked_cells_ > 0; }
    double row_max(int i) const { return row_max_[static_cast<std::size_t>(i)]; }  // largest finite weight, 0 if none
    int winner(int i) const { return winner_[static_cast<std::size_t>(i)]; }       // see winning_column()
    std::uint32_t color(Map map, int i, int j) const;                               // ImU32 (IM_COL32 layout)
    const std::uint8_t* rgba(Map map) const { return pixels(map).data(); }
    DirtyRows take_dirty_rows(Map map);

    // The weights map shrunk by whole factors (fx columns × fy rows per texel, the last texel of a
    // row or column covering what is left), each texel the colour of the LARGEST weight it covers:
    // below a pixel per cell a row's maximum must not be averaged (or sampled) away. Width
    // ceil(N/fx), height ceil(n/fy), same layout as rgba(). Recomputed only when the result, the
    // theme or the factors changed. Needs the workspace update() last saw.
    const std::vector<std::uint8_t>& pooled_weights(const Workspace& ws, int fx, int fy);
    long long pooled_updates() const { return pooled_updates_; }

    long long full_updates() const { return full_updates_; }  // for tests and the benchmark
    long long row_updates() const { return row_updates_; }

private:
    void recompute_all(const Workspace& ws);
    void recompute_row_summary(const Workspace& ws, int i);
    void colour_rows(const Workspace& ws, Map map, int first, int last);
    void mark_dirty(Map map, int first, int last);
    double row_abs_logit_max(const Workspace& ws, int i) const;
    void set_ranges();
    std::vector<std::uint8_t>& pixels(Map map) { return map == Map::Logits ? logit_rgba_ : weight_rgba_; }
    const std::vector<std::uint8_t>& pixels(Map map) const { return map == Map::Logits ? logit_rgba_ : weight_rgba_; }

    long long serial_ = -1;
    bool light_ = false;
    int rows_ = 0, cols_ = 0;
    double logit_range_ = 0, colour_range_ = 0;
    long long masked_cells_ = 0;
    std::vector<double> row_abs_logit_max_;  // per row, so one changed row need not rescan all
    std::vector<int> row_masked_;
    std::vector<double> row_max_;
    std::vector<int> winner_;
    std::vector<std::uint8_t> logit_rgba_, weight_rgba_;
    DirtyRows dirty_[2];
    std::vector<std::uint8_t> pooled_rgba_;
    long long pooled_serial_ = -1;
    bool pooled_light_ = false;
    int pooled_fx_ = 0, pooled_fy_ = 0;
    long long pooled_updates_ = 0;
    long long full_updates_ = 0, row_updates_ = 0;
};

// What the heatmap panel keeps between frames: the cache and the two images. Owned by the
// platform layer (the textures live in its GL context) and handed to draw_heatmap_panel().
// (A class, to match the forward declarations in panels.h and ui.h.)
class HeatmapResources {
public:
    HeatmapCache cache;
    GlTexture logits;
    GlTexture weights;
    long long weights_pooled_upload = -1;  // cache.pooled_updates() when the weights texture got the pooled map
};


// The logit colour scale's half-width for a largest |logit| of x: the next of 1, 1.2, 1.5, 2,
// 2.5, 3, 4, 5, 6, 8 times a power of ten (x itself when that is not finite, 0 for x ≤ 0). A
// drag rarely crosses one, so the other rows keep their colours (and the GPU its texture), and
// the legend reads as a round number.
double nice_ceiling(double x);

// The colour of a masked cell (left out of the softmax) in the light or the dark theme.
std::uint32_t masked_cell_color(bool light_theme);

// The one cell of row i with the largest weight, or -1 when the row has none or a tie (a uniform
// row has no winner to point at).
int winning_column(const Workspace& ws, int i);

}  // namespace attn::app
