// The heatmap panel's cache (app/panels/heatmap_cache.h): what it keeps equals what a fresh full pass
// computes after any sequence of edits, it redoes only the rows an edit changed, and it names
// exactly those rows to the texture upload. Pure CPU: no window, no GL.
#include "app/panels/heatmap_cache.h"
#include "app/ui_common.h"
#include "core/math/attention_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

using attn::app::HeatmapCache;
using attn::app::Map;
using attn::app::Workspace;

Eigen::MatrixXd random_matrix(std::mt19937& rng, int rows, int cols) {
    std::normal_distribution<double> normal;
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = normal(rng);
    return m;
}

// A workspace as refresh() makes it: the result from an AttentionCache, with its serial and change.
struct Refresher {
    attn::AttentionCache attention;
    Workspace ws;
    void refresh(const Eigen::MatrixXd& q, const Eigen::MatrixXd& k, const Eigen::MatrixXd& v,
                 const attn::AttentionOptions& options = {}) {
        ws.result = attention.update(q, k, v, options);
        ws.result_change = attention.last_change();
        ++ws.result_serial;
    }
};

std::vector<std::uint8_t> pixels(const HeatmapCache& cache, Map map) {
    const std::uint8_t* p = cache.rgba(map);
    return std::vector<std::uint8_t>(p, p + static_cast<std::size_t>(cache.rows()) * cache.cols() * 4);
}

void expect_same_as_fresh(const HeatmapCache& kept, const Workspace& ws) {
    HeatmapCache fresh;
    fresh.update(ws, false);
    ASSERT_EQ(kept.rows(), fresh.rows());
    ASSERT_EQ(kept.cols(), fresh.cols());
    EXPECT_EQ(kept.logit_range(), fresh.logit_range());
    EXPECT_EQ(kept.colour_range(), fresh.colour_range());
    EXPECT_EQ(kept.any_masked(), fresh.any_masked());
    for (int i = 0; i < kept.rows(); ++i) {
        EXPECT_EQ(kept.row_max(i), fresh.row_max(i)) << "row " << i;
        EXPECT_EQ(kept.winner(i), fresh.winner(i)) << "row " << i;
    }
    EXPECT_EQ(pixels(kept, Map::Logits), pixels(fresh, Map::Logits));
    EXPECT_EQ(pixels(kept, Map::Weights), pixels(fresh, Map::Weights));
}

TEST(HeatmapCache, ColoursAndSummariesMatchTheResult) {
    std::mt19937 rng(3);
    Refresher r;
    attn::AttentionOptions causal;
    causal.causal = true;
    r.refresh(random_matrix(rng, 5, 3), random_matrix(rng, 6, 3), random_matrix(rng, 6, 2), causal);
    HeatmapCache cache;
    cache.update(r.ws, false);
    const auto& res = r.ws.result;
    double largest = 0;
    for (Eigen::Index k = 0; k < res.logits.size(); ++k)
        if (std::isfinite(res.logits(k))) largest = std::max(largest, std::fabs(res.logits(k)));
    EXPECT_EQ(cache.logit_range(), largest);
    EXPECT_GE(cache.colour_range(), largest);
    EXPECT_TRUE(cache.any_masked()) << "causal with more keys than queries";
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(cache.row_max(i), res.weights.row(i).maxCoeff());
        for (int j = 0; j < 6; ++j) {
            const bool masked = !std::isfinite(res.logits(i, j));
            EXPECT_EQ(masked, j > i);
            const ImU32 logit = masked ? attn::app::masked_cell_color(false)
                                       : attn::app::logit_color(static_cast<float>(res.logits(i, j) / cache.colour_range()));
            EXPECT_EQ(cache.color(Map::Logits, i, j), logit) << i << "," << j;
            const ImU32 weight = masked ? attn::app::masked_cell_color(false)
                                        : attn::app::weight_color(static_cast<float>(res.weights(i, j)));
            EXPECT_EQ(cache.color(Map::Weights, i, j), weight) << i << "," << j;
        }
    }
    EXPECT_EQ(cache.winner(0), 0) << "row 0 sees only key 0";
    cache.update(r.ws, true);  // the projector theme: masked cells change colour, so all is redone
    EXPECT_EQ(cache.color(Map::Logits, 0, 5), attn::app::masked_cell_color(true));
    EXPECT_EQ(cache.full_updates(), 2);
}

TEST(HeatmapCache, QueryEditsRedoOnlyTheirRowsAndStayEqualToAFreshPass) {
    std::mt19937 rng(4);
    const int n = 64, N = 96, d = 8;
    Eigen::MatrixXd q = random_matrix(rng, n, d), k = random_matrix(rng, N, d), v = random_matrix(rng, N, 4);
    Refresher r;
    r.refresh(q, k, v);
    HeatmapCache cache;
    cache.update(r.ws, false);
    ASSERT_TRUE(cache.take_dirty_rows(Map::Weights).all);
    ASSERT_TRUE(cache.take_dirty_rows(Map::Logits).all);
    std::uniform_int_distribution<int> row(0, n - 1), col(0, d - 1);
    std::normal_distribution<double> small(0.0, 0.3);
    long long expected_row_updates = 0;
    for (int step = 0; step < 200; ++step) {
        const int i = row(rng);
        q(i, col(rng)) += small(rng);
        r.refresh(q, k, v);
        const double range_before = cache.colour_range();
        cache.update(r.ws, false);
        ++expected_row_updates;
        const HeatmapCache::DirtyRows weights = cache.take_dirty_rows(Map::Weights);
        EXPECT_FALSE(weights.all);
        EXPECT_EQ(weights.first, i);
        EXPECT_EQ(weights.last, i);
        const HeatmapCache::DirtyRows logits = cache.take_dirty_rows(Map::Logits);
        if (cache.colour_range() == range_before) {
            EXPECT_EQ(logits.first, i);
            EXPECT_EQ(logits.last, i);
        } else {
            EXPECT_EQ(logits.first, 0) << "a new colour range recolours every logit";
            EXPECT_EQ(logits.last, n - 1);
        }
        expect_same_as_fresh(cache, r.ws);
    }
    EXPECT_EQ(cache.full_updates(), 1);
    EXPECT_EQ(cache.row_updates(), expected_row_updates);
    cache.update(r.ws, false);  // same serial: nothing to do
    EXPECT_FALSE(cache.take_dirty_rows(Map::Weights).any());
}

TEST(HeatmapCache, KeyEditsShapesAndSkippedSerialsRedoEverything) {
    std::mt19937 rng(5);
    Eigen::MatrixXd q = random_matrix(rng, 8, 4), k = random_matrix(rng, 8, 4), v = random_matrix(rng, 8, 2);
    Refresher r;
    r.refresh(q, k, v);
    HeatmapCache cache;
    cache.update(r.ws, false);
    k(3, 1) += 1;  // every softmax row sees key 3
    r.refresh(q, k, v);
    cache.update(r.ws, false);
    EXPECT_EQ(cache.full_updates(), 2);
    expect_same_as_fresh(cache, r.ws);
    q(2, 0) += 1;
    r.refresh(q, k, v);
    q(5, 0) += 1;
    r.refresh(q, k, v);  // the cache did not see the serial in between
    cache.update(r.ws, false);
    EXPECT_EQ(cache.full_updates(), 3);
    expect_same_as_fresh(cache, r.ws);
    r.refresh(q.topRows(3), k, v);
    cache.update(r.ws, false);
    EXPECT_EQ(cache.rows(), 3);
    expect_same_as_fresh(cache, r.ws);
    Workspace broken = r.ws;
    broken.error = "attention failed";
    cache.update(broken, false);
    EXPECT_EQ(cache.rows(), 0) << "nothing to draw";
}

TEST(HeatmapCache, NiceCeilingIsRoundAndNeverBelowItsArgument) {
    using attn::app::nice_ceiling;
    EXPECT_EQ(nice_ceiling(5.0223), 6);
    EXPECT_EQ(nice_ceiling(1), 1);
    EXPECT_DOUBLE_EQ(nice_ceiling(0.3), 0.3);
    EXPECT_DOUBLE_EQ(nice_ceiling(0.031), 0.04);
    EXPECT_EQ(nice_ceiling(1234), 1500);
    EXPECT_EQ(nice_ceiling(0), 0);
    EXPECT_EQ(nice_ceiling(-2), 0);
    const double huge = std::numeric_limits<double>::max();
    EXPECT_EQ(nice_ceiling(huge), huge) << "no step above it is finite";
    EXPECT_EQ(nice_ceiling(std::numeric_limits<double>::denorm_min()), std::numeric_limits<double>::denorm_min() * 1)
        << "tiny but positive stays positive";
    std::mt19937 rng(6);
    std::uniform_real_distribution<double> exponent(-300, 300);
    for (int i = 0; i < 2000; ++i) {
        const double x = std::pow(10.0, exponent(rng));
        const double c = nice_ceiling(x);
        ASSERT_GE(c, x);
        ASSERT_LE(c, x * (4.0 / 3.0) * (1 + 1e-12)) << x;  // the widest step is 3 → 4
    }
}

// The texel colour at (tx, ty) of a pooled map, as packed by pooled_weights (R, G, B, A bytes).
ImU32 texel(const std::vector<std::uint8_t>& rgba, int w, int tx, int ty) {
    const std::size_t k = (static_cast<std::size_t>(ty) * static_cast<std::size_t>(w) + static_cast<std::size_t>(tx)) * 4;
    return IM_COL32(rgba[k], rgba[k + 1], rgba[k + 2], rgba[k + 3]);
}

// Below a pixel per cell the weights texture is max-pooled: each texel shows the LARGEST weight it
// covers, so a row's maximum stays visible in a 1024-key sandbox. Not the mean (a peaked row would
// fade to dark), not the first cell (the maximum would be sampled away), not the last.
TEST(HeatmapCache, PooledWeightsShowTheLargestWeightOfEachBlock) {
    std::mt19937 rng(7);
    const int n = 7, N = 45, d = 4;  // neither divisible by the factors: the last texels cover what is left
    Eigen::MatrixXd q = 3.0 * random_matrix(rng, n, d);  // peaked rows, so max, mean and first differ
    Refresher r;
    r.refresh(q, random_matrix(rng, N, d), random_matrix(rng, N, 2));
    HeatmapCache cache;
    cache.update(r.ws, false);
    const Eigen::MatrixXd& wts = r.ws.result.weights;
    int max_differs_from_first = 0, max_differs_from_mean = 0;
    for (const auto& [fx, fy] : {std::pair{4, 1}, std::pair{10, 3}, std::pair{1, 2}}) {
        const std::vector<std::uint8_t>& pooled = cache.pooled_weights(r.ws, fx, fy);
        const int w = (N + fx - 1) / fx, h = (n + fy - 1) / fy;
        ASSERT_EQ(pooled.size(), static_cast<std::size_t>(w) * h * 4) << fx << "x" << fy;
        for (int ty = 0; ty < h; ++ty)
            for (int tx = 0; tx < w; ++tx) {
                double best = -1, sum = 0;
                int count = 0;
                for (int i = ty * fy; i < std::min(n, (ty + 1) * fy); ++i)
                    for (int j = tx * fx; j < std::min(N, (tx + 1) * fx); ++j) best = std::max(best, wts(i, j)), sum += wts(i, j), ++count;
                const ImU32 want = attn::app::weight_color(static_cast<float>(best));
                EXPECT_EQ(texel(pooled, w, tx, ty), want) << fx << "x" << fy << " texel " << tx << "," << ty;
                if (attn::app::weight_color(static_cast<float>(wts(ty * fy, tx * fx))) != want) ++max_differs_from_first;
                if (attn::app::weight_color(static_cast<float>(sum / count)) != want) ++max_differs_from_mean;
            }
    }
    EXPECT_GT(max_differs_from_first, 10) << "the data must tell the maximum from the first cell";
    EXPECT_GT(max_differs_from_mean, 10) << "the data must tell the maximum from the mean";
    EXPECT_EQ(cache.pooled_updates(), 3);
    cache.pooled_weights(r.ws, 1, 2);  // same result, theme and factors: kept
    EXPECT_EQ(cache.pooled_updates(), 3);

    // Masked cells do not count; a texel all masked is the masked colour.
    attn::AttentionOptions causal;
    causal.causal = true;
    Refresher m;
    m.refresh(random_matrix(rng, 4, d), random_matrix(rng, 12, d), random_matrix(rng, 12, 2), causal);
    HeatmapCache masked;
    masked.update(m.ws, false);
    const std::vector<std::uint8_t>& pooled = masked.pooled_weights(m.ws, 4, 1);
    EXPECT_EQ(texel(pooled, 3, 0, 0), attn::app::weight_color(1.0f)) << "row 0 sees only key 0";
    EXPECT_EQ(texel(pooled, 3, 2, 0), attn::app::masked_cell_color(false)) << "keys 8..11 are all masked for row 0";
}

}  // namespace
