// Benchmarks of the core (not a test): prints how long the work behind one frame and one Solve
// takes. Run through `make bench`.
#include "core/math/attention.h"
#include "core/math/attention_cache.h"
#include "core/math/attention_fast.h"
#include "core/course/exercises.h"
#include "core/math/solver.h"
#include "core/formats/tensor_file.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

// ---- captured attention: a 12-layer × 12-head, 1024-token, d = 64 file (the target) ----
constexpr int kL = 12, kH = 12, kT = 1024, kD = 64;
constexpr std::size_t kCount = std::size_t{kL} * kH * kT * kD;

// Random numbers for q, k, v, written in chunks (the bench never holds the whole file).
template <typename Write>
void random_numbers(int bytes_per, Write&& write) {
    std::mt19937 rng(12);
    std::normal_distribution<float> normal;
    std::vector<char> chunk;
    for (std::size_t done = 0; done < kCount; done += 65536) {
        const std::size_t n = std::min<std::size_t>(65536, kCount - done);
        chunk.resize(n * static_cast<std::size_t>(bytes_per));
        for (std::size_t i = 0; i < n; ++i) {
            const float x = normal(rng);
            if (bytes_per == 4) {
                std::memcpy(&chunk[4 * i], &x, 4);
            } else {  // bfloat16: the top half of the float
                std::uint32_t b;
                std::memcpy(&b, &x, 4);
                const auto h = static_cast<std::uint16_t>(b >> 16);
                std::memcpy(&chunk[2 * i], &h, 2);
            }
        }
        write(chunk);
    }
}

std::string big_safetensors(const std::string& dir, const char* dtype, int bytes_per) {
    const std::string path = dir + "/big_" + dtype + ".safetensors";
    const std::size_t n = kCount * static_cast<std::size_t>(bytes_per);
    std::string header = "{\"__metadata__\":{\"causal\":\"true\",\"tokens\":\"[";
    for (int t = 0; t < kT; ++t) header += (t ? ",\\\"w" : "\\\"w") + std::to_string(t) + "\\\"";
    header += "]\"}";
    const char* names[3] = {"q", "k", "v"};
    for (int i = 0; i < 3; ++i)
        header += std::string(",\"") + names[i] + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[12,12,1024,64],\"data_offsets\":[" +
                  std::to_string(i * n) + "," + std::to_string((i + 1) * n) + "]}";
    header += "}";
    std::ofstream out(path, std::ios::binary);
    const std::uint64_t length = header.size();
    out.write(reinterpret_cast<const char*>(&length), 8);
    out << header;
    for (int i = 0; i < 3; ++i) random_numbers(bytes_per, [&](const std::vector<char>& c) { out.write(c.data(), static_cast<std::streamsize>(c.size())); });
    return path;
}

// The same numbers as a stored (uncompressed) .npz with q.npy, k.npy, v.npy.
std::string big_npz(const std::string& dir) {
    const std::string path = dir + "/big.npz";
    std::ofstream out(path, std::ios::binary);
    std::string npy_header = "{'descr': '<f4', 'fortran_order': False, 'shape': (12, 12, 1024, 64), }";
    npy_header += std::string(64 - (npy_header.size() + 11) % 64, ' ') + "\n";
    const std::string npy = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(npy_header.size() & 0xFF) +
                            static_cast<char>(npy_header.size() >> 8) + npy_header;
    const auto le = [](std::uint64_t x, int bytes) {
        std::string s;
        for (int i = 0; i < bytes; ++i) s += static_cast<char>((x >> (8 * i)) & 0xFF);
        return s;
    };
    std::string central;
    std::uint64_t offset = 0;
    for (const char* name : {"q.npy", "k.npy", "v.npy"}) {
        // Data first, to know its CRC: the local header is written after a seek back.
        const std::uint64_t size = npy.size() + kCount * 4;
        const std::string local_fixed = "PK\x03\x04" + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4);
        const std::uint64_t header_at = offset;
        out.seekp(static_cast<std::streamoff>(header_at + 30 + 5));
        unsigned long crc = crc32(0L, Z_NULL, 0);
        out << npy;
        crc = crc32(crc, reinterpret_cast<const Bytef*>(npy.data()), static_cast<uInt>(npy.size()));
        random_numbers(4, [&](const std::vector<char>& c) {
            out.write(c.data(), static_cast<std::streamsize>(c.size()));
            crc = crc32(crc, reinterpret_cast<const Bytef*>(c.data()), static_cast<uInt>(c.size()));
        });
        const std::string sizes = le(crc, 4) + le(size, 4) + le(size, 4) + le(5, 2) + le(0, 2);
        out.seekp(static_cast<std::streamoff>(header_at));
        out << local_fixed << sizes << name;
        central += "PK\x01\x02" + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + sizes + le(0, 2) + le(0, 2) +
                   le(0, 2) + le(0, 4) + le(header_at, 4) + name;
        offset = header_at + 30 + 5 + size;
        out.seekp(static_cast<std::streamoff>(offset));
    }
    out << central << "PK\x05\x06" << le(0, 4) << le(3, 2) << le(3, 2) << le(central.size(), 4) << le(offset, 4) << le(0, 2);
    return path;
}

// Opens the file in a child process and reports its open time and its peak RSS (what a user's
// attnlab would hold right after opening it).
void bench_open(const char* label, const std::string& path) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return;
    const pid_t child = fork();
    if (child == 0) {
        double best = 1e9;
        for (int r = 0; r < 3; ++r) {
            const auto start = std::chrono::steady_clock::now();
            const attn::AttentionCapture c = attn::load_attention_file(path);
            best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
            if (c.tokens != kT) std::_Exit(1);
        }
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        const double figures[2] = {best, usage.ru_maxrss / 1024.0};
        if (write(pipe_fds[1], figures, sizeof figures) != sizeof figures) std::_Exit(1);
        std::_Exit(0);
    }
    close(pipe_fds[1]);
    double figures[2] = {0, 0};
    const bool ok = read(pipe_fds[0], figures, sizeof figures) == sizeof figures;
    close(pipe_fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (!ok) {
        std::printf("  open %s: FAILED\n", label);
        return;
    }
    std::printf("  open %-36s %8.1f ms, peak RSS %6.1f MiB (targets <= 1000 ms, <= 400 MB)\n", label, figures[0], figures[1]);
}

void bench_tensor_files() {
    char dir_template[] = "/tmp/attnlab-bench-XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (!dir) return;
    std::printf("captured attention, 12 layers x 12 heads x 1024 tokens x d 64 (best of 3, page cache warm)\n");
    const std::string files[3] = {big_safetensors(dir, "F32", 4), big_safetensors(dir, "BF16", 2), big_npz(dir)};
    bench_open("float32 safetensors (113 MB file):", files[0]);
    bench_open("bfloat16 safetensors (57 MB file):", files[1]);
    bench_open("float32 stored .npz (113 MB file):", files[2]);
    for (const std::string& f : files) std::remove(f.c_str());
    rmdir(dir);
}

// Self-attention n = N tokens, d = dv, scale 1/√d: the same work as
// torch.softmax(q @ k.T * scale, -1) @ v in tests/bench_torch.py. Eigen runs on one thread.
double fast_attention_ms(int count, int d) {
    const Eigen::MatrixXf q = make_random_data(count, d, 1, 21).keys.cast<float>();
    const attn::Dataset kv = make_random_data(count, d, d, 22);
    const Eigen::MatrixXf k = kv.keys.cast<float>(), v = kv.values.cast<float>();
    attn::AttentionOptions options;
    options.scale_mode = attn::ScaleMode::InvSqrtD;
    volatile float sink = 0;
    const int repeats = count <= 256 ? 201 : 31;
    return median_ms(repeats, [&] { sink = sink + attn::attention_f32_fast(q, k, v, options).output(0); });
}

// A slider drag at N tokens: one query component changes per frame; the cache redoes one row.
void bench_incremental(int count, int d) {
    const attn::Dataset data = make_random_data(count, d, d, 23);
    Eigen::MatrixXd queries = make_random_data(count, d, 1, 24).keys;
    attn::AttentionCache cache;
    cache.update(queries, data.keys, data.values);
    volatile double sink = 0;
    int frame = 0;
    const double query_edit = median_ms(201, [&] {
        queries(count / 2, frame++ % d) += 0.01;
        sink = sink + cache.update(queries, data.keys, data.values).output(0);
    });
    Eigen::MatrixXd keys = data.keys;
    const double key_edit = median_ms(51, [&] {
        keys(count / 3, frame++ % d) += 0.01;
        sink = sink + cache.update(queries, keys, data.values).output(0);
    });
    const double unchanged = median_ms(201, [&] { sink = sink + cache.update(queries, keys, data.values).output(0); });
    const double full = median_ms(count <= 256 ? 21 : 5, [&] { sink = sink + attn::attention(queries, keys, data.values).output(0); });
    std::printf("  drag at %4dx%-4d d=%-3d (double): full %8.3f ms, query edit %7.4f ms, key edit %7.3f ms, unchanged %7.4f ms\n",
                count, count, d, full, query_edit, key_edit, unchanged);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "--attention") {
        // For tests/bench_torch.py: "N d milliseconds" per line.
        for (const auto& [count, d] : {std::pair{256, 16}, std::pair{1024, 64}})
            std::printf("%d %d %.4f\n", count, d, fast_attention_ms(count, d));
        return 0;
    }
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
    std::printf("  core float32 attention 256x256, d=16 (fast path, 1 thread):  %8.4f ms\n", fast_attention_ms(256, 16));
    std::printf("  core float32 attention 1024x1024, d=64 (fast path, 1 thread): %7.4f ms\n", fast_attention_ms(1024, 64));
    std::printf("  reference float32 attention 256x256, d=16 (grading path):   %8.4f ms\n", median_ms(11, [&] {
                    sink = sink + attn::attention_f32(queries, big.keys, big.values).output(0);
                }));
    bench_incremental(256, 16);
    bench_incremental(1024, 64);
    bench_tensor_files();
    return sink == 12345.678 ? 1 : 0;
}
