// attnlab core: PyTorch's CPU random numbers, bit for bit, so the app can make the same data as
// the course notebook (torch.manual_seed(s); key = torch.randn(N, d); value = torch.randn(N, dv))
// without torch.
//
// What is reproduced (PyTorch 1.13 on x86-64, default CPU generator, float32; checked against
// tests/fixtures/torch_random.json, which real torch wrote):
// - torch.manual_seed(seed): MT19937 seeded with the seed's low 32 bits; a fresh generator has no
//   cached normal sample.
// - torch.randn(rows, cols): fewer than 16 elements use at::normal_distribution<double> per
//   element (Box-Muller on two 53-bit uniforms, the second result cached for the next call, even
//   across randn calls). 16 or more use normal_fill_AVX2, the kernel torch picks on any x86-64
//   CPU with AVX2: 24-bit uniforms, then Box-Muller 16 at a time with the Cephes-style log/sincos
//   of avx_mathfun.h, GCC's FMA contractions included; when 16 does not divide the count, the
//   last 16 are redrawn and transformed again. Torch built without AVX2 (other CPUs) gives
//   different numbers for 16+ elements; we always follow the AVX2 kernel, which is what the
//   notebook ran on.
// - key /= torch.norm(key, dim=1, keepdim=True): the AVX2 norm kernel's summation order.
// - key.round_(decimals=k): nearbyint(x * 10^k) / 10^k in float.
//
// Calling rules
// - TorchGenerator::randn(rows, cols) needs 1 <= rows <= 4096 and 1 <= cols <= 4096; otherwise it
//   throws InputError and the generator state is unchanged. Element (r, c) is the (r*cols + c)-th
//   number torch draws (torch fills row-major).
// - make_torch_dataset(spec) needs 1 <= n <= 4096, 1 <= d <= 4096, 1 <= dv <= 4096 and
//   -1 <= decimals <= 8 (-1 = no rounding); any seed is allowed (only its low 32 bits matter, as
//   in torch). Otherwise it throws InputError naming the field.
// - Values are float32 widened to double (Dataset's convention). The sign of zero follows torch:
//   randn never returns -0, rounding can (round(-0.001) is -0).
// - Bit-exactness also relies on this file being compiled without FMA contraction (the .cpp
//   turns it off itself for GCC and Clang) and on the platform's libm log/sin/cos in double
//   (glibc here, as torch used) for the < 16 path.
// - A TorchGenerator is a plain value: copy it to fork the stream. Not safe to share one across
//   threads without a lock.
#pragma once

#include "core/math/dataset.h"

#include <Eigen/Dense>
#include <cstdint>
#include <random>

namespace attn {

class TorchGenerator {
public:
    static constexpr int kMaxDim = 4096;

    // The generator state torch has right after torch.manual_seed(seed).
    explicit TorchGenerator(uint64_t seed);

    // == torch.randn(rows, cols) on this generator (float32). Advances the state as torch does.
    Eigen::MatrixXf randn(int rows, int cols);

    // The raw draws torch's distributions are built on; exposed for tests.
    uint32_t random();    // one MT19937 output
    uint64_t random64();  // two outputs, the first in the high half
    // One at::normal_distribution<double> draw with torch's one-sample cache, unrounded: what
    // torch.randn((), dtype=torch.float64) returns. randn() below 16 elements casts these to float.
    double normal_double();

private:
    float uniform_float();   // [0, 1) from 24 bits of random()
    double uniform_double(); // [0, 1) from 53 bits of random64()
    void normal_fill(float* data, int count);

    std::mt19937 engine_;  // std::mt19937's seeding and tempering are exactly torch's at::mt19937
    bool has_cached_normal_ = false;
    double cached_normal_ = 0.0;
};

struct TorchDatasetSpec {
    uint64_t seed = 447;
    int n = 4, d = 3, dv = 3;
    bool normalize = true;  // divide each row by its 2-norm, as the notebook does
    int decimals = 2;       // round_(decimals); -1 means no rounding
};

// torch.norm(x) of a float32 vector of `size` entries (size >= 1), with the AVX2 kernel's summation
// order (fused squares), bit for bit. The notebook's `k / k.norm()` needs exactly this value.
float torch_vector_norm(const float* x, int size);

// keys = randn(n, d) then values = randn(n, dv) from one generator seeded with spec.seed, then
// (optionally) each row normalized and rounded as the notebook does. The default spec gives the
// notebook's data, equal to notebook_dataset().
Dataset make_torch_dataset(const TorchDatasetSpec& spec);

}  // namespace attn
