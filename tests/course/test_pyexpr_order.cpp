// The evaluator (core/course/pyexpr.h) where its kernels claim PyTorch's order of operations
// (pyexpr_tensors.h: "so that a grade matches torch bit for bit"), and the Python semantics of
// statements that hand-ins rely on. Fixtures by tests/tools/make_expr_order_fixtures.py (torch
// 1.13); the tests never need torch.
//   order.json      sums and means at the SumKernel's block boundaries (1, 7-9, 15-17, 31-33
//                   outputs), over transposed and sliced views and elementwise results of them,
//                   softmax over dim 0 and the last dim: bit for bit (softmax: torch's exp).
//   semantics.json  whole scripts (augmented assignment, views, lstsq kept in a name, shapes,
//                   def helpers) with torch's values and the statements torch raises on.
#include "core/base/error.h"
#include "core/course/pyexpr.h"
#include "core/math/dataset.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

namespace {

using attn::pyexpr::Tensor;

nlohmann::json load_fixture(const std::string& name) { return attn::test::load_json_fixture("expr/" + name); }
const auto from_bits = attn::test::float_from_bits;

// "3f800000bf800000..." (order.json) or ["3f800000", ...] (semantics.json) → the floats.
std::vector<float> floats_of(const nlohmann::json& bits) {
    std::vector<float> out;
    if (bits.is_string()) {
        const std::string s = bits.get<std::string>();
        for (std::size_t i = 0; i + 8 <= s.size(); i += 8) out.push_back(from_bits(s.substr(i, 8)));
    } else {
        for (const auto& b : bits) out.push_back(from_bits(b.get<std::string>()));
    }
    return out;
}

using attn::test::ulps;

// The input of order.json, as make_expr_order_fixtures.py's input_tensor makes it: integers
// exact in float32, then one IEEE division, so both sides hold the same bits.
Tensor input_tensor(const std::vector<int>& shape, int seed) {
    Tensor t;
    t.shape = shape;
    std::size_t n = 1;
    for (int d : shape) n *= static_cast<std::size_t>(d);
    for (std::size_t i = 0; i < n; ++i) {
        const int64_t k = static_cast<int64_t>((static_cast<uint64_t>(i) * 2654435761ull + static_cast<uint64_t>(seed) * 40503ull) % 4001) - 2000;
        t.data.push_back(static_cast<float>(k) / 997.0f);
    }
    return t;
}

std::map<std::string, Tensor> notebook_names() {
    const attn::Dataset data = attn::notebook_dataset();
    auto tensor_of = [](const Eigen::MatrixXd& m) {
        Tensor t;
        t.shape = {static_cast<int>(m.rows()), static_cast<int>(m.cols())};
        for (Eigen::Index r = 0; r < m.rows(); ++r)
            for (Eigen::Index c = 0; c < m.cols(); ++c) t.data.push_back(static_cast<float>(m(r, c)));
        return t;
    };
    return {{"key", tensor_of(data.keys)}, {"value", tensor_of(data.values)}};
}

// Worst ulp distance of got against want; -1 when the shapes differ.
int64_t worst_ulps(const Tensor& got, const std::vector<int>& shape, const std::vector<float>& want) {
    if (got.shape != shape || got.data.size() != want.size()) return -1;
    int64_t worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, ulps(got.data[i], want[i]));
    return worst;
}

}  // namespace

// The input formula agrees with torch's (a sum of a whole tensor in order.json would show it
// too, but this names the cause).
TEST(PyExprOrder, TheInputFormulaIsExactInFloat32) {
    const Tensor x = input_tensor({3}, 0);
    EXPECT_EQ(x.data[0], -2000.0f / 997.0f);
    EXPECT_EQ(x.data[1], static_cast<float>((2654435761ll % 4001) - 2000) / 997.0f);
}

// Family: the order torch adds in. Every case of order.json bit for bit (softmax within torch's
// exp), over every output count around the kernel's blocks.
TEST(PyExprOrder, ReductionsAtBlockBoundariesAndOverViewsMatchPyTorchBitForBit) {
    const nlohmann::json fx = load_fixture("order.json");
    int exact = 0;
    int dim0_exact = 0, dim0_values = 0;  // softmax over dim 0: values bit for bit, values
    std::set<int> output_counts;
    for (const auto& c : fx.at("cases")) {
        const std::string expr = c.at("expr");
        const std::vector<int> x_shape = c.at("x").get<std::vector<int>>();
        const std::string label = expr + " with x of shape " + attn::pyexpr::shape_text(x_shape) + ", seed " +
                                  std::to_string(c.at("seed").get<int>());
        Tensor got;
        try {
            got = attn::pyexpr::evaluate(expr, {{"x", input_tensor(x_shape, c.at("seed"))}});
        } catch (const attn::InputError& e) {
            ADD_FAILURE() << label << ": refused: " << e.what();
            continue;
        }
        const std::vector<float> want = floats_of(c.at("bits"));
        const int64_t worst = worst_ulps(got, c.at("shape").get<std::vector<int>>(), want);
        ASSERT_GE(worst, 0) << label << ": shape " << attn::pyexpr::shape_text(got.shape);
        if (c.value("exp", false)) {
            // torch's vectorised exp (Sleef, within 1 ulp) against the C library's expf; over the
            // last dim torch also sums in vector lanes, over dim 0 in order, as we do.
            const bool last_dim = expr.find("(-1)") != std::string::npos;
            EXPECT_LE(worst, last_dim ? 4 : 2) << label;
            if (last_dim) continue;
            for (std::size_t i = 0; i < want.size(); ++i) dim0_exact += got.data[i] == want[i];
            dim0_values += static_cast<int>(want.size());
            continue;
        }
        EXPECT_EQ(worst, 0) << label << ": " << worst << " ulps from torch";
        exact += worst == 0;
        output_counts.insert(static_cast<int>(got.data.size()));
    }
    for (int n : {1, 7, 8, 9, 15, 16, 17, 31, 32, 33}) EXPECT_EQ(output_counts.count(n), 1u) << n << " outputs";
    EXPECT_GE(exact, 150);
    // Over dim 0 nearly every value agrees bit for bit: where exp agrees, the order and the
    // division agree too.
    EXPECT_GE(dim0_exact * 100, dim0_values * 90) << dim0_exact << " of " << dim0_values;
}

namespace {

std::string problem_in(const attn::pyexpr::ScriptResult& r, const std::string& name) {
    const auto it = r.names.find(name);
    if (it == r.names.end()) return "(not assigned)";
    return it->second.ok ? "" : it->second.problem;
}

// The script of semantics.json called `form`, run by the evaluator: torch's values for every
// name it assigns, and "PyTorch raises an error here too" where torch raised. Returns the number
// of values compared.
int check_script(const std::string& form) {
    const nlohmann::json fx = load_fixture("semantics.json");
    for (const auto& s : fx.at("scripts")) {
        if (s.at("name") != form) continue;
        const std::string source = s.at("source");
        const auto r = attn::pyexpr::run_script(source, notebook_names());
        const bool linalg = source.find("linalg") != std::string::npos;
        int answers = 0;
        for (const auto& [answer, want] : s.at("answers").items()) {
            const auto it = r.names.find(answer);
            if (it == r.names.end() || !it->second.ok) {
                ADD_FAILURE() << answer << ": " << problem_in(r, answer) << "\n" << source;
                continue;
            }
            const std::vector<float> values = floats_of(want.at("bits"));
            const std::vector<int> shape = want.at("shape").get<std::vector<int>>();
            EXPECT_EQ(it->second.value.shape, shape) << answer;
            if (linalg && it->second.value.shape == shape) {
                for (std::size_t i = 0; i < values.size(); ++i)
                    EXPECT_NEAR(it->second.value.data[i], values[i], 1e-5) << answer << "[" << i << "]";
            } else if (!linalg) {
                EXPECT_LE(static_cast<uint64_t>(worst_ulps(it->second.value, shape, values)), 1u) << answer;
            }
            ++answers;
        }
        for (const auto& [answer, torch_message] : s.at("raises").items())
            EXPECT_NE(problem_in(r, answer).find("(PyTorch raises an error here too)"), std::string::npos)
                << answer << ": " << problem_in(r, answer) << "\n  torch: " << torch_message;
        return answers + static_cast<int>(s.at("raises").size());
    }
    ADD_FAILURE() << form << " is not in semantics.json";
    return 0;
}

// One test per form of hand-in that semantics.json runs whole through torch.
const char* const kForms[] = {
    "augmented_broadcast_into_the_larger_shape", "augmented_cannot_grow_the_target", "augmented_cannot_grow_a_vector",
    "a_number_augmented_by_a_tensor_becomes_a_tensor", "augmented_matmul_rebinds_to_a_new_tensor",
    "names_rebound_not_aliased", "a_view_rebound_no_longer_shares", "views_read_their_base",
    "in_place_on_an_unshared_clone", "stored_lstsq_and_shapes", "function_forms_with_keywords",
    "def_helpers_with_shapes", "index_assignment_broadcast_and_mismatch", "numbers_in_every_python_spelling",
    "reductions_keep_and_drop_dims",
};

class PyExprForm : public ::testing::TestWithParam<const char*> {};

}  // namespace

// Family: Python semantics, each form against torch running the script whole.
TEST_P(PyExprForm, MatchesPyTorchRunningTheScriptWhole) { EXPECT_GE(check_script(GetParam()), 1); }

INSTANTIATE_TEST_SUITE_P(PyExprSemantics, PyExprForm, ::testing::ValuesIn(kForms),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

TEST(PyExprSemantics, EveryScriptOfTheFixtureHasItsTest) {
    const nlohmann::json fx = load_fixture("semantics.json");
    ASSERT_EQ(fx.at("scripts").size(), std::size(kForms));
    for (std::size_t i = 0; i < std::size(kForms); ++i) EXPECT_EQ(fx.at("scripts")[i].at("name"), kForms[i]);
}

// torch: "output with shape [1, 3] doesn't match the broadcast shape [4, 3]"; the other way
// round broadcasts into the target.
TEST(PyExprSemantics, AugmentedAssignmentCannotGrowItsTarget) {
    const auto r = attn::pyexpr::run_script(
        "x = torch.zeros(1, 3)\nx += torch.ones(4, 3)\ny = torch.zeros(4, 3)\ny += torch.ones(1, 3)\n"
        "v = torch.zeros(3)\nv -= key\n",
        notebook_names());
    EXPECT_EQ(problem_in(r, "x"),
              "line 2: the result of += has shape (4, 3), not (1, 3) (PyTorch raises an error here too)");
    EXPECT_EQ(problem_in(r, "y"), "");
    EXPECT_EQ(r.names.at("y").value.shape, (std::vector<int>{4, 3}));
    EXPECT_EQ(r.names.at("y").value.data, std::vector<float>(12, 1.0f));
    EXPECT_EQ(problem_in(r, "v"),
              "line 6: the result of -= has shape (4, 3), not (3,) (PyTorch raises an error here too)");
}

// torch changes the base through a view (v = k[0]; v[1] = 5 changes k). The evaluator refuses
// rather than follow the aliasing: both names, with the name of the other, never a silent value.
TEST(PyExprSemantics, InPlaceChangesThroughASharedViewAreRefusedWithTheReason) {
    struct Case {
        const char* views;  // makes `v` share k's memory
        const char* change;
    };
    const Case cases[] = {
        {"v = k[0]", "v[1] = 5"},         {"v = k[1:3]", "v[0, 0] += 1"}, {"v = k.reshape(12)", "v[3] = 0"},
        {"v = k.view(3, 4)", "v += 1"},   {"v = k[0].unsqueeze(0)", "v *= 2"}, {"v = k.T", "v[0, 1] = 7"},
        {"v = k.detach()", "v /= 2"},     {"v = k[:, 1]", "v -= 1"},       {"v = k", "v[0] = 1"},
    };
    for (const Case& c : cases) {
        const std::string source = std::string("k = key.clone()\n") + c.views + "\n" + c.change + "\nafter = k * 1\n";
        const auto r = attn::pyexpr::run_script(source, notebook_names());
        const std::string why = "uses `an in-place change of v, which shares memory with k` at line 3";
        EXPECT_EQ(problem_in(r, "v"), why) << source;
        EXPECT_EQ(problem_in(r, "k"), why) << source;
        EXPECT_EQ(problem_in(r, "after"), why) << source;
    }
    // Changing the base while a view of it is kept: the view is refused too.
    const auto r = attn::pyexpr::run_script("k = key.clone()\nv = k.T\nk[0, 1] = 7\n", notebook_names());
    EXPECT_EQ(problem_in(r, "v"), "uses `an in-place change of k, which shares memory with v` at line 3");
    EXPECT_EQ(problem_in(r, "k"), problem_in(r, "v"));
}

// An assignment through an expression (k.T[0, 1] = ..., k[0][1] = ...) is outside the subset:
// refused with the construct, k itself untouched.
TEST(PyExprSemantics, AssignmentsThroughAViewExpressionAreRefused) {
    const auto r = attn::pyexpr::run_script("k = key.clone()\nk.T[0, 1] = 5\nm = key.clone()\nm[0][1] = 5\n",
                                            notebook_names());
    EXPECT_EQ(problem_in(r, "k"), "uses `. in an assignment target` at line 2");
    EXPECT_EQ(problem_in(r, "m"), "uses `this assignment target` at line 4");
}

// torch keeps the memory order of a transposed operand in an elementwise result and a clone, so
// .view of them to another shape raises; .reshape copies, in logical order.
TEST(PyExprOrder, ResultsOfTransposedViewsKeepTheirLayoutForView) {
    const std::map<std::string, Tensor> x = {{"x", input_tensor({4, 3}, 5)}};
    for (const char* expr : {"(x.T * 2).view(12)", "(-x.T).view(-1)", "x.T.clone().view(2, 6)", "(x.T + x.T).view(12)"}) {
        try {
            attn::pyexpr::evaluate(expr, x);
            ADD_FAILURE() << expr << " was not refused";
        } catch (const attn::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(".view of a transposed or column-sliced tensor"), std::string::npos)
                << expr << ": " << e.what();
        }
    }
    // Row-major results view as torch does: a broadcast transposed operand has no say.
    const Tensor flat = attn::pyexpr::evaluate("(x * 2 + x.T.T).view(12)", x);
    const Tensor logical = attn::pyexpr::evaluate("(x.T * 2).reshape(12)", x);
    ASSERT_EQ(flat.data.size(), 12u);
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 3; ++c) {
            EXPECT_EQ(logical.data[static_cast<std::size_t>(c * 4 + r)], 2 * x.at("x").data[static_cast<std::size_t>(r * 3 + c)]);
            EXPECT_EQ(flat.data[static_cast<std::size_t>(r * 3 + c)], 3 * x.at("x").data[static_cast<std::size_t>(r * 3 + c)]);
        }
    EXPECT_NO_THROW(attn::pyexpr::evaluate("(torch.ones(3, 1) * x.T[0]).view(12)", x));
}
