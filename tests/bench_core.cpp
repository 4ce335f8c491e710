// Benchmarks of the core (not a test): prints how long the work behind one frame and one Solve
// takes. Run through `make bench`.
#include "core/attention.h"
#include "core/exercises.h"
#include "core/solver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

namespace {

template <typename F>
double median_ms(int repeats, F&& work) {
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

attn::Dataset make_random_data(int n, int d, int dv, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    attn::Dataset data;
    data.keys.resize(n, d);
    data.values.resize(n, dv);
    for (Eigen::Index i = 0; i < data.keys.size(); ++i) data.keys(i) = normal(rng);
    for (Eigen::Index i = 0; i < data.values.size(); ++i) data.values(i) = normal(rng);
    return data;
}

}  // namespace

int main() {
    const attn::Dataset notebook = attn::notebook_dataset();
    const auto& course = attn::notebook_course();
    volatile double sink = 0;
    std::printf("core benchmarks (median of repeats, this machine)\n");
    std::printf("  notebook attention 1x4x3, double+float32:  %8.4f ms\n", median_ms(2001, [&] {
                    sink = sink + attn::attention(Eigen::MatrixXd::Ones(1, 3), notebook.keys, notebook.values).output(0) +
                           attn::attention_f32(Eigen::MatrixXd::Ones(1, 3), notebook.keys, notebook.values).output(0);
                }));
    std::printf("  live checks of all six tasks (per edit):    %8.4f ms\n", median_ms(501, [&] {
                    static const attn::AnswerSet answers = attn::solve_all(course, notebook, 0.05, {});
                    sink = sink + attn::check_all(course, notebook, answers, 0.05).size();
                }));
    std::printf("  Solve all six notebook tasks:               %8.4f ms\n", median_ms(51, [&] {
                    sink = sink + attn::solve_all(course, notebook, 0.05, {}).size();
                }));
    const attn::Dataset big = make_random_data(256, 16, 16, 7);
    const Eigen::MatrixXd queries = make_random_data(256, 16, 1, 8).keys;
    std::printf("  sandbox attention 256x256, d=16, dv=16:     %8.4f ms\n",
                median_ms(21, [&] { sink = sink + attn::attention(queries, big.keys, big.values).output(0); }));
    std::printf("  solve select:0 on 256 keys, d=16:           %8.4f ms\n", median_ms(21, [&] {
                    sink = sink + attn::solve_query_goal(big, attn::parse_goal("select:0", 256), {}).magnitude;
                }));
    std::printf("  solve identity on 256 keys, d=16:           %8.4f ms\n", median_ms(3, [&] {
                    sink = sink + attn::solve_query_goal(big, attn::parse_goal("identity", 256), {}).magnitude;
                }));
    return sink == 12345.678 ? 1 : 0;
}
