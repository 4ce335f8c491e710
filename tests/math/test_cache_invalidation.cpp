// The attention cache is invalidated by every input that changes the result (issue 26, family 1):
// a temperature change alone, a scale-mode change alone, a mask change alone (same shape), the
// causal flag alone, and each of q, k, v edits. A property test drives random sequences of every
// kind of edit, in random order, and compares the cache with attention() from scratch after each.
#include "core/math/attention.h"
#include "core/math/attention_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

Eigen::MatrixXd random_matrix(std::mt19937& rng, int rows, int cols) {
    std::normal_distribution<double> normal(0.0, 1.5);
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = normal(rng);
    return m;
}

// Bit for bit (hidden logits are -inf on both sides); the cache promises equality, not closeness.
::testing::AssertionResult same_result(const attn::AttentionResult& got, const attn::AttentionResult& want) {
    const std::pair<const Eigen::MatrixXd*, const Eigen::MatrixXd*> parts[] = {
        {&got.logits, &want.logits}, {&got.weights, &want.weights}, {&got.output, &want.output}};
    const char* names[] = {"logits", "weights", "output"};
    for (int p = 0; p < 3; ++p) {
        const Eigen::MatrixXd& a = *parts[p].first;
        const Eigen::MatrixXd& b = *parts[p].second;
        if (a.rows() != b.rows() || a.cols() != b.cols()) return ::testing::AssertionFailure() << names[p] << " shape differs";
        for (Eigen::Index i = 0; i < a.size(); ++i)
            if (!(a(i) == b(i))) return ::testing::AssertionFailure() << names[p] << " entry " << i << ": " << a(i) << " vs " << b(i);
    }
    if (got.scale != want.scale) return ::testing::AssertionFailure() << "scale " << got.scale << " vs " << want.scale;
    if (got.fully_masked_rows != want.fully_masked_rows) return ::testing::AssertionFailure() << "fully masked rows differ";
    return ::testing::AssertionSuccess();
}

struct Inputs {
    Eigen::MatrixXd q, k, v;
    attn::AttentionOptions options;
};

Inputs small_inputs(std::mt19937& rng) {
    Inputs in{random_matrix(rng, 5, 4), random_matrix(rng, 6, 4), random_matrix(rng, 6, 3), {}};
    in.options.scale_mode = attn::ScaleMode::Temperature;
    in.options.temperature = 0.8;
    return in;
}

// One option changed, nothing else: the cache must notice (the result differs) and agree with a
// fresh computation.
TEST(CacheInvalidation, EachOptionAloneChangesTheResult) {
    std::mt19937 rng(26);
    const Inputs base = small_inputs(rng);
    auto check = [&](const char* what, const std::function<void(attn::AttentionOptions&)>& change) {
        attn::AttentionCache cache;
        cache.update(base.q, base.k, base.v, base.options);
        attn::AttentionOptions changed = base.options;
        change(changed);
        const attn::AttentionResult fresh = attn::attention(base.q, base.k, base.v, changed);
        ASSERT_FALSE(same_result(fresh, attn::attention(base.q, base.k, base.v, base.options))) << what << " must matter";
        EXPECT_TRUE(same_result(cache.update(base.q, base.k, base.v, changed), fresh)) << what;
        EXPECT_TRUE(cache.last_change().all_rows) << what << ": every row may differ";
        // And back again: the old options are not "unchanged" either.
        EXPECT_TRUE(same_result(cache.update(base.q, base.k, base.v, base.options),
                                attn::attention(base.q, base.k, base.v, base.options)))
            << what << " undone";
    };
    check("temperature alone", [](attn::AttentionOptions& o) { o.temperature = 2.5; });
    check("scale mode alone (temperature → 1/√d)", [](attn::AttentionOptions& o) { o.scale_mode = attn::ScaleMode::InvSqrtD; });
    check("scale mode alone (temperature → one)", [](attn::AttentionOptions& o) { o.scale_mode = attn::ScaleMode::One; });
    check("causal alone", [](attn::AttentionOptions& o) { o.causal = true; });
    check("a mask where there was none", [](attn::AttentionOptions& o) {
        o.mask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(5, 6, true);
        o.mask(2, 4) = false;
    });
}

TEST(CacheInvalidation, AMaskChangeOfTheSameShapeIsSeen) {
    std::mt19937 rng(27);
    Inputs in = small_inputs(rng);
    in.options.mask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(5, 6, true);
    attn::AttentionCache cache;
    cache.update(in.q, in.k, in.v, in.options);
    for (const auto& [i, j] : {std::pair{0, 0}, std::pair{4, 5}, std::pair{2, 3}}) {  // first, last, middle cell
        in.options.mask(i, j) = false;
        EXPECT_TRUE(same_result(cache.update(in.q, in.k, in.v, in.options), attn::attention(in.q, in.k, in.v, in.options)))
            << "cell " << i << "," << j << " hidden";
        EXPECT_TRUE(std::isinf(cache.result().logits(i, j)));
    }
    in.options.mask.row(1).setConstant(false);  // a fully masked row appears
    EXPECT_TRUE(same_result(cache.update(in.q, in.k, in.v, in.options), attn::attention(in.q, in.k, in.v, in.options)));
    EXPECT_EQ(cache.result().fully_masked_rows, std::vector<int>{1});
}

// A temperature that is not read (scale mode One) changes nothing: no recompute is needed.
TEST(CacheInvalidation, AnUnreadTemperatureChangesNothing) {
    std::mt19937 rng(28);
    Inputs in = small_inputs(rng);
    in.options.scale_mode = attn::ScaleMode::One;
    attn::AttentionCache cache;
    cache.update(in.q, in.k, in.v, in.options);
    in.options.temperature = 3;
    EXPECT_TRUE(same_result(cache.update(in.q, in.k, in.v, in.options), attn::attention(in.q, in.k, in.v, in.options)));
    EXPECT_EQ(cache.stats().full, 1);
    EXPECT_EQ(cache.stats().unchanged, 1);
}

// The kinds of edit a session makes between two frames.
enum class Edit { QueryCell, KeyCell, ValueCell, QueryRows, KeyRows, ValueRows, Temperature, ScaleMode, Causal, MaskCell, MaskOnOff };
constexpr int kEditKinds = 11;

void apply_edit(Edit kind, Inputs& in, std::mt19937& rng) {
    const int n = static_cast<int>(in.q.rows()), N = static_cast<int>(in.k.rows());
    std::uniform_int_distribution<int> qrow(0, n - 1), krow(0, N - 1), many(2, 6);
    std::uniform_int_distribution<int> qcol(0, static_cast<int>(in.q.cols()) - 1), vcol(0, static_cast<int>(in.v.cols()) - 1);
    std::normal_distribution<double> normal(0.0, 2.0);
    std::uniform_real_distribution<double> temperature(0.2, 4.0);
    attn::AttentionOptions& o = in.options;
    switch (kind) {
    case Edit::QueryCell: in.q(qrow(rng), qcol(rng)) = normal(rng); break;
    case Edit::KeyCell: in.k(krow(rng), qcol(rng)) = normal(rng); break;
    case Edit::ValueCell: in.v(krow(rng), vcol(rng)) = normal(rng); break;
    case Edit::QueryRows: for (int r = many(rng); r > 0; --r) in.q.row(qrow(rng)) = random_matrix(rng, 1, static_cast<int>(in.q.cols())); break;
    case Edit::KeyRows: for (int r = many(rng); r > 0; --r) in.k.row(krow(rng)) = random_matrix(rng, 1, static_cast<int>(in.k.cols())); break;
    case Edit::ValueRows: for (int r = many(rng); r > 0; --r) in.v.row(krow(rng)) = random_matrix(rng, 1, static_cast<int>(in.v.cols())); break;
    case Edit::Temperature: o.temperature = temperature(rng); break;
    case Edit::ScaleMode: o.scale_mode = static_cast<attn::ScaleMode>((static_cast<int>(o.scale_mode) + 1 + qrow(rng) % 2) % 3); break;
    case Edit::Causal: o.causal = !o.causal; break;
    case Edit::MaskCell:
        if (o.mask.size() == 0) o.mask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(n, N, true);
        o.mask(qrow(rng), krow(rng)) ^= true;
        break;
    case Edit::MaskOnOff:
        if (o.mask.size() != 0) o.mask.resize(0, 0);
        else o.mask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>::Constant(n, N, true), o.mask(qrow(rng), krow(rng)) = false;
        break;
    }
}

// Random edit sequences, one to three edits of random kinds between updates, each update checked
// against a full recompute from scratch (and the unchanged rows against the change it names).
TEST(CacheInvalidation, RandomEditSequencesOfEveryKindMatchAFreshComputation) {
    for (unsigned seed = 1; seed <= 12; ++seed) {
        std::mt19937 rng(seed);
        std::uniform_int_distribution<int> size(1, 7), kind(0, kEditKinds - 1), edits(1, 3);
        const int n = size(rng), N = size(rng), d = size(rng), dv = size(rng);
        Inputs in{random_matrix(rng, n, d), random_matrix(rng, N, d), random_matrix(rng, N, dv), {}};
        in.options.scale_mode = static_cast<attn::ScaleMode>(seed % 3);
        attn::AttentionCache cache;
        cache.update(in.q, in.k, in.v, in.options);
        for (int step = 0; step < 150; ++step) {
            std::string applied;
            for (int e = edits(rng); e > 0; --e) {
                const int k = kind(rng);
                apply_edit(static_cast<Edit>(k), in, rng);
                applied += std::to_string(k) + " ";
            }
            const attn::AttentionResult before = cache.result();
            const attn::AttentionResult& got = cache.update(in.q, in.k, in.v, in.options);
            ASSERT_TRUE(same_result(got, attn::attention(in.q, in.k, in.v, in.options)))
                << "seed " << seed << " step " << step << " after edits " << applied << "(n " << n << ", N " << N << ")";
            const attn::AttentionCache::Change& change = cache.last_change();
            if (change.all_rows) continue;
            for (Eigen::Index i = 0; i < got.logits.rows(); ++i) {
                if (std::find(change.rows.begin(), change.rows.end(), i) != change.rows.end()) continue;
                for (Eigen::Index j = 0; j < got.logits.cols(); ++j)
                    ASSERT_TRUE(got.weights(i, j) == before.weights(i, j) && got.logits(i, j) == before.logits(i, j))
                        << "seed " << seed << " step " << step << ": row " << i << " changed but was not named";
            }
        }
    }
}

}  // namespace
