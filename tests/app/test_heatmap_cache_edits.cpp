// The heatmap cache under edits (issue 26, family 1): the dirty rows it hands the texture upload
// cover every changed row whichever order the edits arrive in (row 3 then row 1, row 1 then row 3),
// a row's winner follows a tie broken by a larger weight, and random edit sequences of every kind
// leave a texture built only from the dirty rows equal to a fresh full pass. Pure CPU.
#include "app/panels/heatmap_cache.h"
#include "core/math/attention_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
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

// A workspace as refresh() makes it: the result of an AttentionCache, its serial and its change.
struct Refresher {
    attn::AttentionCache attention;
    Workspace ws;
    Eigen::MatrixXd q, k, v;
    void refresh() {
        ws.result = attention.update(q, k, v, ws.options);
        ws.result_change = attention.last_change();
        ++ws.result_serial;
    }
};

std::vector<std::uint8_t> pixels(const HeatmapCache& cache, Map map) {
    const std::uint8_t* p = cache.rgba(map);
    return std::vector<std::uint8_t>(p, p + static_cast<std::size_t>(cache.rows()) * cache.cols() * 4);
}

// What the GPU holds: rows copied from the cache only when take_dirty_rows() names them.
struct ModelTexture {
    std::vector<std::uint8_t> texels;
    void upload(HeatmapCache& cache, Map map) {
        const HeatmapCache::DirtyRows dirty = cache.take_dirty_rows(map);
        const std::vector<std::uint8_t> now = pixels(cache, map);
        const std::size_t row_bytes = static_cast<std::size_t>(cache.cols()) * 4;
        if (dirty.all || texels.size() != now.size()) {
            ASSERT_TRUE(dirty.all) << "a new shape must be uploaded whole";
            texels = now;
            return;
        }
        for (int i = dirty.first; i <= dirty.last; ++i)
            std::copy(now.begin() + static_cast<std::ptrdiff_t>(i * row_bytes), now.begin() + static_cast<std::ptrdiff_t>((i + 1) * row_bytes),
                      texels.begin() + static_cast<std::ptrdiff_t>(i * row_bytes));
    }
};

Refresher sandbox(std::mt19937& rng, int n, int N, int d) {
    Refresher r;
    r.q = random_matrix(rng, n, d), r.k = random_matrix(rng, N, d), r.v = random_matrix(rng, N, 2);
    r.refresh();
    return r;
}

// Two frames' edits reach one upload: rows 3 and 1 (in either order) are both re-sent.
TEST(HeatmapCacheEdits, DirtyRowsCoverEditsArrivingOutOfOrder) {
    for (const auto& order : {std::vector<int>{3, 1}, std::vector<int>{1, 3}, std::vector<int>{4, 0, 2}}) {
        std::mt19937 rng(31);
        Refresher r = sandbox(rng, 6, 7, 3);
        HeatmapCache cache;
        cache.update(r.ws, false);
        ModelTexture logits, weights;
        logits.upload(cache, Map::Logits);
        weights.upload(cache, Map::Weights);
        for (const int row : order) {  // one edit a frame; the uploader is busy (no take in between)
            r.q(row, 0) += 0.05;
            r.refresh();
            cache.update(r.ws, false);
        }
        const HeatmapCache::DirtyRows dirty = cache.take_dirty_rows(Map::Weights);
        ASSERT_FALSE(dirty.all) << "query rows only: no full pass";
        const auto [lo, hi] = std::minmax_element(order.begin(), order.end());
        EXPECT_LE(dirty.first, *lo) << "order " << order.front() << "...";
        EXPECT_GE(dirty.last, *hi) << "order " << order.front() << "...";
        HeatmapCache fresh;
        fresh.update(r.ws, false);
        for (const int row : order)
            for (int j = 0; j < 7; ++j) EXPECT_EQ(cache.color(Map::Weights, row, j), fresh.color(Map::Weights, row, j));
    }
}

// A workspace whose weights are given directly (logits 0: nothing masked).
Workspace with_weights(const Eigen::MatrixXd& weights) {
    Workspace ws;
    ws.result.weights = weights;
    ws.result.logits = Eigen::MatrixXd::Zero(weights.rows(), weights.cols());
    ws.result_serial = 1;
    return ws;
}

TEST(HeatmapCacheEdits, WinnerFollowsATieBrokenByALargerWeight) {
    Eigen::MatrixXd w(7, 4);
    w << 0.3, 0.3, 0.4, 0.0,   // a tie, then a larger weight: it wins
        0.2, 0.2, 0.3, 0.3,    // a tie, a larger weight, then a tie with it: no winner
        0.4, 0.3, 0.3, 0.0,    // the leader first, a tie below it later: the leader still wins
        0.25, 0.25, 0.25, 0.25, // uniform: no winner
        0.0, 0.0, 0.0, 1.0,    // the last column
        0.0, 0.0, 0.0, 0.0,    // fully masked (all zero): none
        0.1, 0.2, 0.3, 0.4;    // increasing: the last
    const Workspace ws = with_weights(w);
    const int want[] = {2, -1, 0, -1, 3, -1, 3};
    HeatmapCache cache;
    cache.update(ws, false);
    for (int i = 0; i < 7; ++i) {
        EXPECT_EQ(attn::app::winning_column(ws, i), want[i]) << "row " << i;
        EXPECT_EQ(cache.winner(i), want[i]) << "row " << i;
    }
}

// The incremental path recomputes a row's winner too: row 0 goes from a tie to a clear winner.
TEST(HeatmapCacheEdits, AnEditedRowGetsItsNewWinner) {
    Eigen::MatrixXd w(3, 3);
    w << 0.4, 0.4, 0.2, 0.1, 0.8, 0.1, 0.5, 0.25, 0.25;
    Workspace ws = with_weights(w);
    HeatmapCache cache;
    cache.update(ws, false);
    EXPECT_EQ(cache.winner(0), -1);
    ws.result.weights.row(0) << 0.35, 0.35, 0.3;  // still a tie
    ws.result_serial = 2;
    ws.result_change = attn::AttentionCache::Change{false, {0}};
    cache.update(ws, false);
    EXPECT_EQ(cache.winner(0), -1);
    ws.result.weights.row(0) << 0.3, 0.3, 0.4;  // the tie is broken by a larger weight after it
    ws.result_serial = 3;
    cache.update(ws, false);
    EXPECT_EQ(cache.full_updates(), 1) << "one row each time";
    EXPECT_EQ(cache.winner(0), 2);
    EXPECT_EQ(cache.row_max(0), 0.4);
}

void expect_same_as_fresh(const HeatmapCache& kept, const Workspace& ws, const std::string& where) {
    HeatmapCache fresh;
    fresh.update(ws, false);
    ASSERT_EQ(kept.rows(), fresh.rows()) << where;
    EXPECT_EQ(kept.colour_range(), fresh.colour_range()) << where;
    EXPECT_EQ(kept.any_masked(), fresh.any_masked()) << where;
    for (int i = 0; i < kept.rows(); ++i) {
        ASSERT_EQ(kept.row_max(i), fresh.row_max(i)) << where << " row " << i;
        ASSERT_EQ(kept.winner(i), fresh.winner(i)) << where << " row " << i;
    }
}

// Random edits of every kind, a random number of frames between uploads, sometimes two refreshes
// in one frame: after each upload the model textures equal a fresh full pass.
TEST(HeatmapCacheEdits, RandomEditOrdersKeepTheUploadedTexturesEqualToAFreshPass) {
    for (unsigned seed = 1; seed <= 6; ++seed) {
        std::mt19937 rng(seed);
        const int n = 9, N = 11, d = 4;
        Refresher r = sandbox(rng, n, N, d);
        HeatmapCache cache;
        cache.update(r.ws, false);
        ModelTexture logits, weights;
        std::uniform_int_distribution<int> kind(0, 9), row(0, n - 1), key(0, N - 1), col(0, d - 1), frames(1, 4);
        std::normal_distribution<double> small(0.0, 0.4), big(0.0, 3.0);
        for (int step = 0; step < 120; ++step) {
            const int k = kind(rng);
            if (k <= 4) r.q(row(rng), col(rng)) += small(rng);       // the common case: a query slider
            else if (k == 5) r.q(row(rng), col(rng)) = big(rng);      // a large jump: the colour range moves
            else if (k == 6) r.k(key(rng), col(rng)) += small(rng);
            else if (k == 7) r.v(key(rng), 0) += small(rng);
            else if (k == 8) r.ws.options.causal = !r.ws.options.causal;
            else r.ws.options.scale_mode = r.ws.options.scale_mode == attn::ScaleMode::One ? attn::ScaleMode::InvSqrtD : attn::ScaleMode::One;
            r.refresh();
            if (step % 7 == 3) {  // two refreshes before the next frame: a skipped serial
                r.q(row(rng), col(rng)) += small(rng);
                r.refresh();
            }
            cache.update(r.ws, false);
            const std::string where = "seed " + std::to_string(seed) + " step " + std::to_string(step) + " kind " + std::to_string(k);
            expect_same_as_fresh(cache, r.ws, where);
            if (step % frames(rng) != 0) continue;  // the uploader skips this frame
            logits.upload(cache, Map::Logits);
            weights.upload(cache, Map::Weights);
            HeatmapCache fresh;
            fresh.update(r.ws, false);
            ASSERT_EQ(logits.texels, pixels(fresh, Map::Logits)) << where;
            ASSERT_EQ(weights.texels, pixels(fresh, Map::Weights)) << where;
        }
        EXPECT_GT(cache.row_updates(), 30) << "the incremental path was exercised";
    }
}

}  // namespace
