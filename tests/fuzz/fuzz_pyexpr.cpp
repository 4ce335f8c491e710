// libFuzzer target: the safe Python-expression evaluator (core/course/pyexpr.h). The bytes are read as
// a script over the notebook's data (key, value) and as one expression over the same names.
// Whatever the script says, run_script() refuses only whole-source limits by InputError, every
// computed name has a consistent tensor (rank 0 to 2, data size = product of the shape, within
// the tensor limits), and every problem recorded on a name obeys the message rule.
#include "core/math/dataset.h"
#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/course/pyexpr.h"
#include "tests/fuzz/fuzz_common.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace {

using attn::pyexpr::Tensor;

Tensor tensor_of(const Eigen::MatrixXd& m) {
    Tensor t;
    t.shape = {static_cast<int>(m.rows()), static_cast<int>(m.cols())};
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) t.data.push_back(static_cast<float>(m(r, c)));
    return t;
}

const std::map<std::string, Tensor>& given() {
    static const std::map<std::string, Tensor> names = [] {
        const attn::Dataset data = attn::notebook_dataset();
        return std::map<std::string, Tensor>{{"key", tensor_of(data.keys)}, {"value", tensor_of(data.values)}};
    }();
    return names;
}

void check_tensor(const Tensor& t, const std::string& name) {
    using attn::fuzz::fuzz_assert;
    fuzz_assert(t.shape.size() <= 2, "tensor rank above 2", name + " " + attn::pyexpr::shape_text(t.shape));
    std::size_t count = 1;
    for (int n : t.shape) {
        fuzz_assert(n >= 0, "negative dimension", name + " " + attn::pyexpr::shape_text(t.shape));
        count *= static_cast<std::size_t>(n);
    }
    fuzz_assert(count == t.data.size(), "tensor data does not match its shape", name + " " + attn::pyexpr::shape_text(t.shape));
    fuzz_assert(count <= static_cast<std::size_t>(attn::kMaxTensorElements), "tensor over the element limit", name);
    fuzz_assert(t.shape.size() < 2 || t.shape[0] <= attn::kMaxTensorRows, "tensor over the row limit", name);
}

void check_binding(const std::string& name, const attn::pyexpr::Binding& b) {
    if (b.ok) {
        check_tensor(b.value, name);
    } else {
        attn::fuzz::fuzz_assert(!b.problem.empty(), "ungradable name without a problem", name);
        attn::fuzz::fuzz_assert(attn::message_is_clean(b.problem), "binding problem breaks the message rule", b.problem);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    attn::fuzz::run_guarded([&] {
        const attn::pyexpr::ScriptResult result = attn::pyexpr::run_script(text, given());
        for (const auto& [name, binding] : result.names) check_binding(name, binding);
        for (const attn::pyexpr::Binding& binding : result.key_checks) check_binding("check_query key", binding);
    });
    // One expression: only the first line, as the tests and the fuzzer use evaluate().
    const std::string_view first_line = text.substr(0, text.find('\n'));
    attn::fuzz::run_guarded([&] { check_tensor(attn::pyexpr::evaluate(first_line, given()), "expression"); });
    return 0;
}
