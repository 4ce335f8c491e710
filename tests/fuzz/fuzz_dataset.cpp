// libFuzzer target: the data-set loader, then the solver on what it accepts (select, an average
// and, for small N, identity). Feasible answers must give a finite error.
#include "core/math/attention.h"
#include "core/math/dataset.h"
#include "core/math/solver.h"
#include "tests/fuzz/fuzz_common.h"

#include <cmath>
#include <cstdint>
#include <string_view>

namespace {

void solve(const attn::Dataset& data, const attn::Goal& goal) {
    const attn::Solution solution = attn::solve_query_goal(data, goal, {});
    if (!solution.feasible) {
        attn::fuzz::fuzz_assert(!solution.reason.empty(), "infeasible without a reason", attn::goal_to_string(goal));
        return;
    }
    attn::fuzz::fuzz_assert(solution.answer.allFinite(), "answer not finite", attn::goal_to_string(goal));
    const auto result = attn::attention_f32(solution.answer, data.keys, data.values);
    const float error = attn::max_abs_diff(attn::goal_target(goal, data.values).cast<float>().eval(), result.output);
    attn::fuzz::fuzz_assert(std::isfinite(error), "error not finite", attn::goal_to_string(goal));
}

void solve_some(const attn::Dataset& data) {
    const int n = static_cast<int>(data.keys.rows());
    solve(data, attn::Goal{attn::Goal::Kind::Select, {0}});
    solve(data, attn::Goal{attn::Goal::Kind::Select, {n - 1}});
    if (n >= 3) solve(data, attn::Goal{attn::Goal::Kind::Average, {0, n / 2, n - 1}});
    if (n <= 16) solve(data, attn::Goal{attn::Goal::Kind::Identity, {}});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    attn::fuzz::run_guarded([&] { solve_some(attn::parse_dataset_json(text, "d.json")); });
    return 0;
}
