// attnlab core: PyTorch 1.13's CPU randn, row norm and round_, bit for bit (see torch_random.h).
//
// Every float operation below is one IEEE float32 (or double) operation in the order torch's
// compiled kernels do it. Where GCC fused a multiply and an add into an FMA when it built torch
// (-mavx2 -mfma, -ffp-contract=fast), we call std::fma; everywhere else the multiply and the add
// must stay separate, so contraction is switched off for this file.

#include "core/math/torch_random.h"

#include "core/base/error.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

// After the includes, so only this file's own functions are affected.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace attn {

namespace {

uint32_t bits_of(float x) {
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

float float_of(uint32_t u) {
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

void check_range(const char* what, long long value, long long lo, long long hi) {
    if (value < lo || value > hi)
        throw InputError(std::string(what) + " is " + std::to_string(value) + ", must be between " +
                         std::to_string(lo) + " and " + std::to_string(hi));
}

// log256_ps from ATen/native/cpu/avx_mathfun.h, one lane. x is in (0, 1] here (1 - a 24-bit
// uniform), so its invalid-input and denormal branches never fire and are left out.
float cephes_logf(float x) {
    uint32_t xi = bits_of(x);
    const int32_t exponent = static_cast<int32_t>(xi >> 23) - 0x7f;
    x = float_of((xi & ~0x7f800000u) | bits_of(0.5f));  // mantissa scaled into [0.5, 1)
    float e = static_cast<float>(exponent);
    e = e + 1.0f;
    const bool below = x < 0.707106781186547524f;
    const float tmp = below ? x : 0.0f;
    x = x - 1.0f;
    e = e - (below ? 1.0f : 0.0f);
    x = x + tmp;

    const float z = x * x;
    // Each `y = y * x; y = y + p` pair became one FMA in torch's build.
    float y = 7.0376836292E-2f;
    y = std::fma(y, x, -1.1514610310E-1f);
    y = std::fma(y, x, 1.1676998740E-1f);
    y = std::fma(y, x, -1.2420140846E-1f);
    y = std::fma(y, x, +1.4249322787E-1f);
    y = std::fma(y, x, -1.6668057665E-1f);
    y = std::fma(y, x, +2.0000714765E-1f);
    y = std::fma(y, x, -2.4999993993E-1f);
    y = std::fma(y, x, +3.3333331174E-1f);
    y = y * x;
    // y = y*z + e*q1: GCC fused the first product (y*z), the second stays rounded.
    y = std::fma(y, z, e * -2.12194440e-4f);
    y = std::fma(-z, 0.5f, y);  // y - z*0.5
    x = x + y;
    x = std::fma(e, 0.693359375f, x);  // x + e*q2
    return x;
}

// sincos256_ps from avx_mathfun.h, one lane, with torch's FMA contractions. Only theta in
// [0, 2*pi) reaches it.
void cephes_sincosf(float x, float* sin_out, float* cos_out) {
    uint32_t sign_sin = bits_of(x) & 0x80000000u;
    x = float_of(bits_of(x) & 0x7fffffffu);

    float y = x * 1.27323954473516f;  // 4/pi
    int32_t j = static_cast<int32_t>(y);  // cvttps: truncate
    j = (j + 1) & ~1;
    y = static_cast<float>(j);
    const uint32_t swap_sign_sin = static_cast<uint32_t>(j & 4) << 29;
    const bool poly_mask = (j & 2) == 0;  // which polynomial gives the sine

    // Cody-Waite reduction x - y*(pi/4) in three parts; each step fused.
    x = std::fma(y, -0.78515625f, x);
    x = std::fma(y, -2.4187564849853515625e-4f, x);
    x = std::fma(y, -3.77489497744594108e-8f, x);

    const uint32_t sign_cos = static_cast<uint32_t>(~(j - 2) & 4) << 29;
    sign_sin ^= swap_sign_sin;

    const float z = x * x;
    float yc = 2.443315711809948E-005f;
    yc = std::fma(yc, z, -1.388731625493765E-003f);
    yc = std::fma(yc, z, 4.166664568298827E-002f);
    yc = yc * z;
    yc = std::fma(yc, z, -(z * 0.5f));  // yc*z - z*0.5, the second product rounded
    yc = yc + 1.0f;

    float ys = -1.9515295891E-4f;
    ys = std::fma(ys, z, 8.3321608736E-3f);
    ys = std::fma(ys, z, -1.6666654611E-1f);
    ys = ys * z;
    ys = std::fma(ys, x, x);

    // The vector code selects with masks and sub/add; with one lane that is a swap (the
    // subtractions only ever produce +0 or the value itself, so the sums are exact).
    const float ysin2 = poly_mask ? ys : 0.0f;
    const float ysin1 = poly_mask ? 0.0f : yc;
    ys = ys - ysin2;
    yc = yc - ysin1;
    const float s = ysin1 + ysin2;
    const float c = yc + ys;
    *sin_out = float_of(bits_of(s) ^ sign_sin);
    *cos_out = float_of(bits_of(c) ^ sign_cos);
}

// normal_fill_16_AVX2 with mean 0, std 1: pairs data[j] and data[j + 8].
void normal_fill_16(float* data) {
    const float two_pi = static_cast<float>(2.0f * 3.14159265358979323846);  // 2.0f * c10::pi<double>
    for (int j = 0; j < 8; ++j) {
        const float u1 = 1.0f - data[j];  // (0, 1], safe for log
        const float u2 = data[j + 8];
        const float radius = std::sqrt(-2.0f * cephes_logf(u1));
        const float theta = two_pi * u2;
        float s, c;
        cephes_sincosf(theta, &s, &c);
        // fmadd(n, std=1, mean=0): exact, except that it turns -0 into +0.
        data[j] = radius * c + 0.0f;
        data[j + 8] = radius * s + 0.0f;
    }
}

// torch.norm(row) for float32 on the AVX2 kernel (binary_kernel_reduce_lastdim): eight lane sums
// of fused squares over whole blocks of 8, added lane 0..7 in order, then the remaining < 8
// elements. GCC vectorized that remainder loop 4 wide when 4+ are left: those 4 squares are
// rounded before being added in order; the rest are fused.
float torch_row_norm(const float* x, int size) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    const int whole = size - size % 8;
    for (; i < whole; i += 8)
        for (int lane = 0; lane < 8; ++lane) lanes[lane] = std::fma(x[i + lane], x[i + lane], lanes[lane]);
    float sum = lanes[0];
    for (int lane = 1; lane < 8; ++lane) sum = sum + lanes[lane];
    if (size - i >= 4) {
        for (int k = 0; k < 4; ++k, ++i) {
            const float square = x[i] * x[i];
            sum = sum + square;
        }
    }
    for (; i < size; ++i) sum = std::fma(x[i], x[i], sum);
    return std::sqrt(sum);
}

// x /= torch.norm(x, dim=1, keepdim=True); a zero row becomes NaN, as in torch (randn never
// gives one in practice).
void normalize_rows(Eigen::MatrixXf& m) {
    std::vector<float> row(static_cast<size_t>(m.cols()));
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        for (Eigen::Index c = 0; c < m.cols(); ++c) row[static_cast<size_t>(c)] = m(r, c);
        const float norm = torch_row_norm(row.data(), static_cast<int>(m.cols()));
        for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = m(r, c) / norm;
    }
}

// round_(decimals): nearbyint(x * 10^k) / 10^k with 10^k as float (exact for k <= 10).
void round_decimals(Eigen::MatrixXf& m, int decimals) {
    const float scale = static_cast<float>(std::pow(10.0, decimals));
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) m(r, c) = std::nearbyint(m(r, c) * scale) / scale;
}

}  // namespace

TorchGenerator::TorchGenerator(uint64_t seed) : engine_(static_cast<uint32_t>(seed & 0xffffffffu)) {}

uint32_t TorchGenerator::random() { return static_cast<uint32_t>(engine_()); }

uint64_t TorchGenerator::random64() {
    const uint64_t hi = random();
    const uint64_t lo = random();
    return (hi << 32) | lo;
}

float TorchGenerator::uniform_float() {
    // at::uniform_real_distribution<float>(0, 1): 24 bits * 2^-24, exact in float.
    return static_cast<float>(random() & ((1u << 24) - 1)) * (1.0f / 16777216.0f);
}

double TorchGenerator::uniform_double() {
    // at::uniform_real_distribution<double>(0, 1): 53 bits * 2^-53.
    return static_cast<double>(random64() & ((uint64_t{1} << 53) - 1)) * (1.0 / 9007199254740992.0);
}

double TorchGenerator::normal_double() {
    // `* 1.0 + 0.0` is transformation::normal(x, mean=0, std=1); it turns -0 into +0.
    if (has_cached_normal_) {
        has_cached_normal_ = false;
        return cached_normal_ * 1.0 + 0.0;
    }
    const double u1 = uniform_double();
    const double u2 = uniform_double();
    // torch 1.13 takes log(1 - u2), not log1p(-u2) (later versions); 1 - u2 is exact.
    const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
    const double theta = 2.0 * 3.14159265358979323846 * u1;
    cached_normal_ = r * std::sin(theta);
    has_cached_normal_ = true;
    return r * std::cos(theta) * 1.0 + 0.0;
}

void TorchGenerator::normal_fill(float* data, int count) {
    for (int i = 0; i < count; ++i) data[i] = uniform_float();
    for (int i = 0; i + 16 <= count; i += 16) normal_fill_16(data + i);
    if (count % 16 != 0) {
        // torch redraws the last 16 (overlapping the last whole block) and transforms them again.
        float* tail = data + count - 16;
        for (int i = 0; i < 16; ++i) tail[i] = uniform_float();
        normal_fill_16(tail);
    }
}

Eigen::MatrixXf TorchGenerator::randn(int rows, int cols) {
    check_range("randn rows", rows, 1, kMaxDim);
    check_range("randn cols", cols, 1, kMaxDim);
    const int count = rows * cols;
    std::vector<float> data(static_cast<size_t>(count));
    if (count >= 16) {
        normal_fill(data.data(), count);
    } else {
        for (float& x : data) x = static_cast<float>(normal_double());
    }
    Eigen::MatrixXf out(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) out(r, c) = data[static_cast<size_t>(r) * cols + c];
    return out;
}

float torch_vector_norm(const float* x, int size) { return torch_row_norm(x, size); }

Dataset make_torch_dataset(const TorchDatasetSpec& spec) {
    check_range("torch dataset: n", spec.n, 1, TorchGenerator::kMaxDim);
    check_range("torch dataset: d", spec.d, 1, TorchGenerator::kMaxDim);
    check_range("torch dataset: dv", spec.dv, 1, TorchGenerator::kMaxDim);
    check_range("torch dataset: decimals", spec.decimals, -1, 8);

    TorchGenerator gen(spec.seed);
    Eigen::MatrixXf keys = gen.randn(spec.n, spec.d);
    Eigen::MatrixXf values = gen.randn(spec.n, spec.dv);
    if (spec.normalize) {
        normalize_rows(keys);
        normalize_rows(values);
    }
    if (spec.decimals >= 0) {
        round_decimals(keys, spec.decimals);
        round_decimals(values, spec.decimals);
    }
    Dataset data;
    data.keys = keys.cast<double>();
    data.values = values.cast<double>();
    return data;
}

}  // namespace attn
