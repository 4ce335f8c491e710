// The expression evaluator (core/course/pyexpr.h) against PyTorch: fixtures written by
// tests/tools/make_expr_fixtures.py with Debian's python3-torch (the tests never need torch),
// then the subset's edges, its refusals and hostile input.
#include "core/course/answer_file.h"
#include "core/math/dataset.h"
#include "core/base/error.h"
#include "core/course/pyexpr.h"

#include "tests/support/cpu_time.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using attn::pyexpr::Tensor;

nlohmann::json load_fixture(const std::string& name) { return attn::test::load_json_fixture("expr/" + name); }
const auto from_bits = attn::test::float_from_bits;

using attn::test::ulps;

Tensor tensor_of(const Eigen::MatrixXd& m) {
    Tensor t;
    t.shape = {static_cast<int>(m.rows()), static_cast<int>(m.cols())};
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) t.data.push_back(static_cast<float>(m(r, c)));
    return t;
}

std::map<std::string, Tensor> notebook_names() {
    const attn::Dataset data = attn::notebook_dataset();
    return {{"key", tensor_of(data.keys)}, {"value", tensor_of(data.values)}};
}

std::vector<float> values_of(const nlohmann::json& bits) {
    std::vector<float> out;
    for (const auto& b : bits) out.push_back(from_bits(b.get<std::string>()));
    return out;
}

// Worst ulp distance; -1 when the shapes differ.
int64_t worst_ulps(const Tensor& got, const std::vector<int>& shape, const std::vector<float>& want) {
    if (got.shape != shape || got.data.size() != want.size()) return -1;
    int64_t worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, ulps(got.data[i], want[i]));
    return worst;
}

// linalg.inv/lstsq: LAPACK's float32 against our double then rounded, so a tolerance relative
// to the largest magnitude of the result.
bool close_linalg(const Tensor& got, const std::vector<float>& want) {
    double scale = 1e-6;
    for (float w : want) scale = std::max(scale, std::fabs(static_cast<double>(w)));
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (std::isnan(want[i]) != std::isnan(got.data[i])) return false;
        if (!std::isnan(want[i]) && std::fabs(static_cast<double>(got.data[i]) - want[i]) > 1e-4 * scale) return false;
    }
    return true;
}

std::string problem_of(const std::string& expr) {
    try {
        attn::pyexpr::evaluate(expr, notebook_names());
    } catch (const attn::InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(PyExprFixtures, TheNotebookDataAreTheFixturesData) {
    const nlohmann::json fx = load_fixture("random.json");
    const auto names = notebook_names();
    EXPECT_EQ(worst_ulps(names.at("key"), {4, 3}, values_of(fx.at("key"))), 0);
    EXPECT_EQ(worst_ulps(names.at("value"), {4, 3}, values_of(fx.at("value"))), 0);
}

namespace {

// The cases of random.json or constructs.json against our evaluator: counts of each kind.
struct CaseCounts {
    int exact = 0, one_ulp = 0, linalg = 0, refused = 0, exp_cases = 0;
    int total() const { return exact + one_ulp + linalg + refused; }
};

CaseCounts check_cases(const nlohmann::json& fx) {
    const auto names = notebook_names();
    CaseCounts n;
    for (const auto& c : fx.at("cases")) {
        const std::string expr = c.at("expr");
        if (c.contains("error")) {
            EXPECT_THROW(attn::pyexpr::evaluate(expr, names), attn::InputError) << expr;
            ++n.refused;
            continue;
        }
        Tensor got;
        try {
            got = attn::pyexpr::evaluate(expr, names);
        } catch (const attn::InputError& e) {
            ADD_FAILURE() << expr << "\n  refused: " << e.what();
            continue;
        }
        const std::vector<int> shape = c.at("shape").get<std::vector<int>>();
        const std::vector<float> want = values_of(c.at("bits"));
        if (c.value("linalg", false)) {
            EXPECT_TRUE(got.shape == shape && close_linalg(got, want)) << expr;
            ++n.linalg;
            continue;
        }
        const int64_t worst = worst_ulps(got, shape, want);
        EXPECT_GE(worst, 0) << expr << "\n  shape " << attn::pyexpr::shape_text(got.shape) << ", torch "
                            << attn::pyexpr::shape_text(shape);
        // softmax: torch's vectorised exp (Sleef, within 1 ulp) against the C library's expf.
        const int64_t allowed = c.value("exp", false) ? 4 : 1;
        EXPECT_LE(worst, allowed) << expr << "\n  " << worst << " ulps";
        if (worst > 1) ++n.exp_cases;
        if (worst == 0) ++n.exact;
        if (worst == 1) ++n.one_ulp;
    }
    return n;
}

}  // namespace

TEST(PyExprFixtures, RandomExpressionsMatchPyTorch) {
    const CaseCounts n = check_cases(load_fixture("random.json"));
    std::printf("random fixtures: %d bit-exact, %d within 1 ulp, %d softmax within 4 ulps, %d linalg within 1e-4 "
                "relative, %d refused as torch does\n",
                n.exact, n.one_ulp, n.exp_cases, n.linalg, n.refused);
    EXPECT_GE(n.total(), 500);
}

// Issue 22: torch.mean(x, dim=0) and the other function forms, dim=/keepdim= in both forms,
// x.shape, x.size(), len(x), and the errors PyTorch raises for them (constructs.json).
TEST(PyExprFixtures, FunctionFormsAndShapesMatchPyTorch) {
    const nlohmann::json fx = load_fixture("constructs.json");
    const CaseCounts n = check_cases(fx);
    EXPECT_EQ(n.total(), static_cast<int>(fx.at("cases").size()));
    EXPECT_GE(n.refused, 15);
    EXPECT_GE(n.exact + n.one_ulp, 60);
}

// Every form of a fixture file read as a hand-in: all answers graded and equal to PyTorch's.
int check_forms(const nlohmann::json& fx) {
    const attn::Dataset data = attn::notebook_dataset();
    int answers = 0;
    for (const auto& form : fx.at("forms")) {
        const std::string source = form.at("source");
        const attn::HandIn hand_in = attn::parse_python_hand_in(source, form.at("name").get<std::string>(), data);
        EXPECT_TRUE(hand_in.cannot_grade.empty()) << form.at("name") << ": " << hand_in.cannot_grade.begin()->first << ": "
                                                  << hand_in.cannot_grade.begin()->second;
        for (const auto& [name, want] : form.at("answers").items()) {
            const auto it = hand_in.answers.find(name);
            EXPECT_NE(it, hand_in.answers.end()) << form.at("name") << " " << name;
            if (it == hand_in.answers.end()) continue;
            const std::vector<int> shape = want.at("shape").get<std::vector<int>>();
            Tensor got;
            got.shape = it->second.is_vector ? std::vector<int>{static_cast<int>(it->second.data.cols())}
                                             : std::vector<int>{static_cast<int>(it->second.data.rows()),
                                                                static_cast<int>(it->second.data.cols())};
            for (Eigen::Index r = 0; r < it->second.data.rows(); ++r)
                for (Eigen::Index c = 0; c < it->second.data.cols(); ++c)
                    got.data.push_back(static_cast<float>(it->second.data(r, c)));
            const std::vector<float> values = values_of(want.at("bits"));
            const bool linalg = source.find("linalg") != std::string::npos;
            if (linalg) EXPECT_TRUE(got.shape == shape && close_linalg(got, values)) << form.at("name") << " " << name;
            else EXPECT_LE(static_cast<uint64_t>(worst_ulps(got, shape, values)), 1u) << form.at("name") << " " << name;
            ++answers;
        }
    }
    return answers;
}

TEST(PyExprFixtures, EveryFormOfTheIssueMatchesPyTorch) {
    EXPECT_GE(check_forms(load_fixture("forms.json")), 15);
}

// Issue 22's "the random-expression generator covers them too": random hand-ins with function
// forms and keyword arguments, shapes and sizes, an lstsq result kept in a name, a def helper
// (scripts.json; each has lstsq, so answers are compared with the linalg tolerance).
TEST(PyExprFixtures, RandomHandInsWithTheIssue22ConstructsMatchPyTorch) {
    const nlohmann::json fx = load_fixture("scripts.json");
    EXPECT_GE(fx.at("forms").size(), 30u);
    EXPECT_GE(check_forms(fx), 150);
}

// Issue 22: helper functions (def ... return) and item 5 (names bound again, in-place edits of
// slices and elements, a @ b @ c), run whole by PyTorch.
TEST(PyExprDefs, HandInsWithHelpersMatchPyTorch) {
    const nlohmann::json fx = load_fixture("defs.json");
    EXPECT_GE(fx.at("forms").size(), 8u);
    EXPECT_EQ(check_forms(fx), 17);
}

TEST(PyExprErrors, UnsupportedConstructsNameTheConstructAndLine) {
    EXPECT_EQ(problem_of("key.numpy()"), "uses `.numpy()` at line 1");
    EXPECT_EQ(problem_of("torch.randn(3)"), "uses `torch.randn` at line 1");
    EXPECT_EQ(problem_of("__import__('os')"), "uses `__import__` at line 1");
    EXPECT_EQ(problem_of("exec('1')"), "uses `exec` at line 1");
    EXPECT_EQ(problem_of("key[0] if True else key[1]"), "uses `if` at line 1");
    EXPECT_EQ(problem_of("key // 2"), "uses `//` at line 1");
    EXPECT_EQ(problem_of("value[(0, 1),]"), "uses `indexing with a tuple` at line 1");
    EXPECT_EQ(problem_of("torch.tensor([1, 2, 3])").rfind("uses `torch.tensor of whole numbers", 0), 0u);
    EXPECT_EQ(problem_of("[x for x in key]"), "uses `for` at line 1");
    EXPECT_EQ(problem_of("key @ [1.0, 2.0, 3.0]"), "uses `a list (use torch.tensor([...]))` at line 1");
}

TEST(PyExprErrors, ErrorsPyTorchRaisesToo) {
    EXPECT_EQ(problem_of("key @ key"), "line 1: @ of shapes (4, 3) and (4, 3) (inner sizes differ) (PyTorch raises an error here too)");
    EXPECT_EQ(problem_of("key[4]"), "line 1: index 4 is out of range for size 4 (PyTorch raises an error here too)");
    EXPECT_EQ(problem_of("key + torch.ones(4)"), "line 1: shapes (4, 3) and (4,) do not broadcast (PyTorch raises an error here too)");
    EXPECT_EQ(problem_of("torch.linalg.inv(torch.zeros(3, 3))"), "line 1: linalg.inv of a singular matrix (PyTorch raises an error here too)");
    EXPECT_EQ(problem_of("1 / 0 * key"), "line 1: division by zero between Python numbers (ZeroDivisionError) (PyTorch raises an error here too)");
}

TEST(PyExprErrors, DivisionByZeroInTensorsFollowsTorch) {
    const Tensor t = attn::pyexpr::evaluate("key[0] / 0", notebook_names());
    ASSERT_EQ(t.data.size(), 3u);
    for (float x : t.data) EXPECT_TRUE(std::isinf(x));
    const Tensor z = attn::pyexpr::evaluate("torch.zeros(3) / 0", notebook_names());
    for (float x : z.data) EXPECT_TRUE(std::isnan(x));
}

TEST(PyExprHostile, HugeExponentsDeepNestingAndLongInputAreRefusedQuickly) {
    const double start = attn::test::cpu_seconds();
    EXPECT_EQ(problem_of("10 ** 10 ** 10 * key"), "uses `an integer larger than 2**53` at line 1");
    EXPECT_EQ(problem_of("10.0 ** 400 * key").find("OverflowError") != std::string::npos, true);
    EXPECT_EQ(problem_of(std::string(5000, '(') + "key" + std::string(5000, ')')),
              "line 1: nested deeper than 100 levels (the limit)");
    EXPECT_EQ(problem_of(std::string(5000, '-') + "key"), "line 1: nested deeper than 100 levels (the limit)");
    std::string sum = "key";
    for (int i = 0; i < 200000; ++i) sum += "+key";  // 1.2 MB: over the source limit
    EXPECT_THROW(attn::pyexpr::evaluate(sum, notebook_names()), attn::InputError);
    std::string chain = "key";
    for (int i = 0; i < 150; ++i) chain += "+key";
    EXPECT_EQ(problem_of(chain), "line 1: nested deeper than 100 levels (the limit)");
    EXPECT_EQ(problem_of("torch.zeros(100000, 100000)"),
              "line 1: a tensor of shape (100000, 100000) is over the limit of 256 rows and 65536 numbers");
    std::string work = "torch.ones(256, 256)";
    for (int i = 0; i < 30; ++i) work = "(" + work + " @ torch.ones(256, 256))";
    EXPECT_EQ(problem_of(work).find("too much computation") != std::string::npos, true) << problem_of(work);
    EXPECT_LT(attn::test::cpu_seconds() - start, 10.0);  // refused by the limits, not by running out
}

TEST(PyExprScript, AliasingAndSetupAndHelpers) {
    const std::map<std::string, Tensor> names = notebook_names();
    const auto r = attn::pyexpr::run_script(
        "key = torch.randn(4, 3)\nkey.round_(decimals=2)\ndef helper(x):\n    return x\n"
        "a = key[0] * 2\nm = key\nm[2] = a\nq = helper(a)\nfor i in range(3):\n    b = a\n",
        names);
    EXPECT_TRUE(r.names.at("a").ok);
    EXPECT_EQ(r.names.at("m").problem, "uses `an in-place change of m, which shares memory with key` at line 7");
    EXPECT_TRUE(r.names.at("q").ok) << r.names.at("q").problem;
    EXPECT_EQ(r.names.at("b").problem, "uses `for` at line 9");
}

TEST(NotebookHandIn, CodeCellsAreGradedWithCellAndLineInMessages) {
    const nlohmann::json nb = {
        {"nbformat", 4},
        {"cells",
         {{{"cell_type", "markdown"}, {"source", "# 1. Understanding attention"}},
          {{"cell_type", "code"}, {"source", {"import torch\n", "%matplotlib inline\n"}}},
          {{"cell_type", "code"}, {"source", "query121 = key[0] * 100\nquery122 = key.numpy()\n"}}}}};
    const attn::HandIn h = attn::parse_notebook_hand_in(nb.dump(), "a.ipynb", attn::notebook_dataset());
    ASSERT_EQ(h.answers.count("query121"), 1u);
    EXPECT_EQ(h.cannot_grade.at("query122"), "uses `.numpy()` at cell 3 line 2");
    EXPECT_THROW(attn::parse_notebook_hand_in("{\"cells\": 3}", "a.ipynb", attn::notebook_dataset()), attn::InputError);
    EXPECT_THROW(attn::parse_notebook_hand_in("[1,", "a.ipynb", attn::notebook_dataset()), attn::InputError);
}

// A cell whose "cell_type" has another JSON type escaped as nlohmann's type_error (a crash in
// fuzz_answer_file, tests/regress/handin_cell_type_number_type_error.ipynb) instead of an
// InputError naming the cell.
TEST(NotebookHandIn, CellTypeOfAnotherJsonTypeIsRefusedByCell) {
    const attn::Dataset data = attn::notebook_dataset();
    for (const char* cells : {R"([{"cell_type": 3, "source": "query121 = key[0]\n"}])",
                              R"([{"cell_type": ["code"], "source": "query121 = key[0]\n"}])",
                              R"([{"cell_type": null, "source": "query121 = key[0]\n"}])"}) {
        const std::string nb = std::string("{\"cells\": ") + cells + "}";
        try {
            attn::parse_notebook_hand_in(nb, "a.ipynb", data);
            ADD_FAILURE() << nb << ": accepted";
        } catch (const attn::InputError& e) {
            EXPECT_EQ(std::string(e.what()), "a.ipynb: cell 1: \"cell_type\" is not a string (not a Jupyter notebook)");
        }
    }
    // A code cell's source of another type is an empty cell; the other cells still count.
    const attn::HandIn h = attn::parse_notebook_hand_in(
        R"({"cells": [{"cell_type": "code", "source": 7}, {"cell_type": "code", "source": "query121 = key[0] * 100\n"}]})",
        "a.ipynb", data);
    EXPECT_EQ(h.answers.count("query121"), 1u);
}

// Found by fuzz_pyexpr (tests/regress/pyexpr_slice_bound_3.9e24_ub.py): a whole number past the
// range of long long as a slice bound, an index or a dimension was cast to long long, which is undefined
// behaviour (UBSan: "outside the range of representable values"). Slices clamp any bound, as in
// Python; an index that large is out of range, as PyTorch says too.
TEST(PyExprHostile, WholeNumbersPastLongLongInSlicesAndIndices) {
    const std::map<std::string, Tensor> names = notebook_names();
    const Tensor all = attn::pyexpr::evaluate("key[:3888888888888888888888888]", names);
    EXPECT_EQ(all.shape, (std::vector<int>{4, 3}));
    EXPECT_EQ(attn::pyexpr::evaluate("torch.eye(4)[:, :3888888888888888888888888]", names).shape, (std::vector<int>{4, 4}));
    EXPECT_EQ(attn::pyexpr::evaluate("key[-3888888888888888888888888:, 0]", names).shape, (std::vector<int>{4}));
    EXPECT_EQ(attn::pyexpr::evaluate("key[::3888888888888888888888888]", names).shape, (std::vector<int>{1, 3}));
    EXPECT_EQ(problem_of("key[3888888888888888888888888]"),
              "line 1: index 3.88889e+24 is out of range for size 4 (PyTorch raises an error here too)");
    EXPECT_EQ(problem_of("key[-3888888888888888888888888]"),
              "line 1: index -3.88889e+24 is out of range for size 4 (PyTorch raises an error here too)");
    // The same number as a dimension (tests/regress/pyexpr_dim_5.6e25_ub.py).
    EXPECT_EQ(problem_of("torch.cat([key, value], 55555555555555555555555555)"),
              "line 1: dimension 5.55556e+25 is out of range for a tensor of 2 dimensions (PyTorch raises an error here too)");
    EXPECT_EQ(problem_of("key.sum(-55555555555555555555555555)"),
              "line 1: dimension -5.55556e+25 is out of range for a tensor of 2 dimensions (PyTorch raises an error here too)");
}

namespace {

// Both expressions give the same tensor, bit for bit.
void expect_same(const std::string& a, const std::string& b) {
    const auto names = notebook_names();
    const Tensor x = attn::pyexpr::evaluate(a, names), y = attn::pyexpr::evaluate(b, names);
    EXPECT_EQ(x.shape, y.shape) << a << " vs " << b;
    EXPECT_EQ(x.data, y.data) << a << " vs " << b;
}

const char* const kTorchToo = " (PyTorch raises an error here too)";

}  // namespace

// Issue 22: torch.mean(x, dim=0) is x.mean(0) (the same handler), with dim= and keepdim=.
TEST(PyExprFunctionForms, AreTheMethodsWithTheTensorFirst) {
    expect_same("torch.mean(key, dim=0)", "key.mean(0)");
    expect_same("torch.mean(key.T, 1, keepdim=True)", "key.T.mean(dim=1, keepdim=True)");
    expect_same("torch.sum(key.T, dim=0)", "key.T.sum(0)");  // a transposed view sums in memory order
    expect_same("torch.sum(key)", "key.sum()");
    expect_same("torch.matmul(key, value.T)", "key @ value.T");
    expect_same("key.matmul(value[0])", "key @ value[0]");
    // torch's own keyword names, found by the random hand-ins of scripts.json.
    expect_same("torch.matmul(input=key[0], other=value.T)", "key[0] @ value.T");
    expect_same("key.matmul(other=value.T)", "key @ value.T");
    expect_same("torch.mean(input=key, dim=0)", "key.mean(0)");
    EXPECT_EQ(problem_of("torch.matmul(key[0], value.T, other=value.T)"),
              "line 1: torch.matmul() got multiple values for argument 'other' (TypeError) (PyTorch raises an error here too)");
    expect_same("torch.transpose(key, 0, 1)", "key.T");
    expect_same("key.transpose(dim0=1, dim1=0)", "key.T");
    expect_same("torch.norm(key, dim=1, keepdim=True)", "key.norm(dim=1, keepdim=True)");
    expect_same("torch.clone(key)", "key.clone()");
    expect_same("torch.squeeze(key[:1], 0)", "key[:1].squeeze(0)");
    expect_same("torch.unsqueeze(key[0], dim=1)", "key[0].unsqueeze(1)");
    expect_same("torch.t(key)", "key.t()");
    expect_same("torch.reshape(key, (3, 4))", "key.reshape(3, 4)");
    EXPECT_EQ(attn::pyexpr::evaluate("torch.mean(key, dim=0, keepdim=True)", notebook_names()).shape, (std::vector<int>{1, 3}));
}

TEST(PyExprFunctionForms, ErrorsNameTheFunctionAndLine) {
    EXPECT_EQ(problem_of("torch.mean(key, dim=5)"),
              std::string("line 1: dimension 5 is out of range for a tensor of 2 dimensions") + kTorchToo);
    EXPECT_EQ(problem_of("key.sum(dim=-3, keepdim=True)"),
              std::string("line 1: dimension -3 is out of range for a tensor of 2 dimensions") + kTorchToo);
    EXPECT_EQ(problem_of("torch.mean(2.0)"), std::string("line 1: torch.mean() needs a tensor as its first argument (TypeError)") + kTorchToo);
    EXPECT_EQ(problem_of("torch.mean()"), "uses `torch.mean with 0 arguments` at line 1");
    EXPECT_EQ(problem_of("torch.mean(key, 0, 1)"), "uses `torch.mean with 3 arguments` at line 1");
    EXPECT_EQ(problem_of("torch.transpose(key, 0)"), "uses `torch.transpose with 2 arguments` at line 1");
    EXPECT_EQ(problem_of("torch.mean(key, dim=0, dtype=torch.float64)"), "uses `torch.mean(dtype=...)` at line 1");
    EXPECT_EQ(problem_of("key.mean(0, out=key)"), "uses `.mean(out=...)` at line 1");
    EXPECT_EQ(problem_of("torch.sum(key, (0, 1))"), "uses `a tuple of dims` at line 1");
    EXPECT_EQ(problem_of("torch.matmul(key, key)"),
              std::string("line 1: @ of shapes (4, 3) and (4, 3) (inner sizes differ)") + kTorchToo);
    EXPECT_EQ(problem_of("torch.max(key, 0)"), "uses `torch.max (with a dim it returns values and indices) with 2 arguments` at line 1");
    EXPECT_EQ(problem_of("torch.mean(key, keepdim=1)"), "uses `keepdim=...` at line 1");
    EXPECT_EQ(problem_of("torch.std(key, dim=0)"), "uses `torch.std` at line 1");
}

// Issue 22: x.shape, x.size(), len(x): Python ints and a torch.Size usable as sizes.
TEST(PyExprShapes, ShapesSizesAndLenAreIntsAndSizes) {
    const auto names = notebook_names();
    auto number = [&](const std::string& e) {
        const Tensor t = attn::pyexpr::evaluate(e, names);
        EXPECT_TRUE(t.shape.empty()) << e;
        return t.data.at(0);
    };
    EXPECT_EQ(number("key.shape[0]"), 4.0f);
    EXPECT_EQ(number("key.shape[-1]"), 3.0f);
    EXPECT_EQ(number("key.size(0)"), 4.0f);
    EXPECT_EQ(number("key.size(dim=-1)"), 3.0f);
    EXPECT_EQ(number("len(key)"), 4.0f);
    EXPECT_EQ(number("len(key.shape)"), 2.0f);
    EXPECT_EQ(number("len(key.size())"), 2.0f);
    EXPECT_EQ(number("key.ndim"), 2.0f);
    EXPECT_EQ(attn::pyexpr::evaluate("torch.zeros(key.shape)", names).shape, (std::vector<int>{4, 3}));
    EXPECT_EQ(attn::pyexpr::evaluate("torch.ones(key.size())", names).shape, (std::vector<int>{4, 3}));
    EXPECT_EQ(attn::pyexpr::evaluate("torch.zeros(1, key.shape[0])", names).shape, (std::vector<int>{1, 4}));
    EXPECT_EQ(attn::pyexpr::evaluate("torch.zeros(key.shape[1:])", names).shape, (std::vector<int>{3}));
    EXPECT_EQ(attn::pyexpr::evaluate("value.reshape(key.T.shape)", names).shape, (std::vector<int>{3, 4}));
    EXPECT_EQ(attn::pyexpr::evaluate("torch.zeros(key[0, 0].shape)", names).shape, std::vector<int>{});
}

TEST(PyExprShapes, ErrorsNameTheConstructAndLine) {
    EXPECT_EQ(problem_of("key.shape[2]"),
              std::string("line 1: index 2 is out of range for a shape of 2 dimensions (IndexError)") + kTorchToo);
    EXPECT_EQ(problem_of("key.size(2)"),
              std::string("line 1: dimension 2 is out of range for a tensor of 2 dimensions") + kTorchToo);
    EXPECT_EQ(problem_of("key[0, 0].size(0)"), std::string("line 1: size(0) of a 0-dim tensor (IndexError)") + kTorchToo);
    EXPECT_EQ(problem_of("len(key[0, 0])"), std::string("line 1: len() of a 0-d tensor (TypeError)") + kTorchToo);
    EXPECT_EQ(problem_of("key.shape[0, 1]"), std::string("line 1: a torch.Size indexed with 2 indices (TypeError)") + kTorchToo);
    EXPECT_EQ(problem_of("key.shape + 1"), "uses `a shape (torch.Size) as a number or tensor` at line 1");
    EXPECT_EQ(problem_of("key * key.shape"), "uses `a shape (torch.Size) as a number or tensor` at line 1");
    EXPECT_EQ(problem_of("key.shape.numel()"), "uses `torch.Size.numel()` at line 1");
    EXPECT_EQ(problem_of("torch.zeros(key.shape[::-1])"), "uses `a shape sliced with a negative step` at line 1");
    EXPECT_EQ(problem_of("torch.tensor(key.shape)"), "uses `torch.tensor of a shape (an int64 tensor)` at line 1");
    EXPECT_EQ(problem_of("torch.tensor([key.shape, 1.0])"), "uses `torch.tensor of a shape (an int64 tensor)` at line 1");
    EXPECT_EQ(problem_of("float(key.shape)"), "uses `a shape (torch.Size) as a number or tensor` at line 1");
    EXPECT_EQ(problem_of("torch.eye(key.shape)"), std::string("line 1: a size must be a whole number") + kTorchToo);
    EXPECT_EQ(problem_of("torch.zeros(key.shape, 2)"), std::string("line 1: a size must be a whole number") + kTorchToo);
}

// s = key.shape keeps a torch.Size in a name: later lines read it; s itself is not an answer.
TEST(PyExprShapes, AShapeKeptInAName) {
    const auto r = attn::pyexpr::run_script("s = key.shape\nn, d = key.shape\nquery122 = torch.zeros(s) + s[0]\nquery121 = s\ns += 1\n",
                                            notebook_names());
    EXPECT_EQ(r.names.at("s").problem, "holds a shape (torch.Size), not a tensor (line 1)");
    EXPECT_EQ(r.names.at("n").problem, "uses `, in an assignment target` at line 2");
    ASSERT_TRUE(r.names.at("query122").ok) << r.names.at("query122").problem;
    EXPECT_EQ(r.names.at("query122").value.shape, (std::vector<int>{4, 3}));
    EXPECT_EQ(r.names.at("query122").value.data[0], 4.0f);
    EXPECT_EQ(r.names.at("query121").problem, "holds a shape (torch.Size), not a tensor (line 4)");
}

// Issue 22: q = torch.linalg.lstsq(...) kept in a name, then q[0] or q.solution.
TEST(PyExprLstsq, TheTupleKeptInAName) {
    const auto r = attn::pyexpr::run_script(
        "out = value.T * 3\nq = torch.linalg.lstsq(key, out.T)\nquery122 = q[0].T\nquery131 = q.solution[0]\n"
        "r = q.residuals\nt = q[1]\nquery121 = q\nq2 = q + 1\nsol, res, rank, sv = torch.linalg.lstsq(key, value)\n"
        "q3 = q.solution.T @ torch.linalg.lstsq(key, value)[0]\nq[0] += 1\n",
        notebook_names());
    const Tensor direct = attn::pyexpr::evaluate("torch.linalg.lstsq(key, value * 3).solution.T", notebook_names());
    ASSERT_TRUE(r.names.at("query122").ok) << r.names.at("query122").problem;
    EXPECT_EQ(r.names.at("query122").value.data, direct.data);
    EXPECT_EQ(r.names.at("query131").value.shape, (std::vector<int>{3}));
    EXPECT_TRUE(r.names.at("q3").ok) << r.names.at("q3").problem;
    EXPECT_EQ(r.names.at("r").problem, "uses `lstsq(...).residuals` at line 5");
    EXPECT_EQ(r.names.at("t").problem, "uses `lstsq(...)[...] other than [0]` at line 6");
    EXPECT_EQ(r.names.at("query121").problem,
              "holds the whole result of torch.linalg.lstsq, not a tensor (use .solution or [0]) (line 7)");
    EXPECT_EQ(r.names.at("q2").problem, "uses `a lstsq result without .solution` at line 8");
    EXPECT_EQ(r.names.at("sol").problem, "uses `, in an assignment target` at line 9");
    EXPECT_EQ(r.names.at("q").problem,
              "holds the whole result of torch.linalg.lstsq, not a tensor (use .solution or [0]) (line 2)");
}

// The hand-in as the grader reads it: the answer names holding a shape or a lstsq result say so.
TEST(PyExprLstsq, HandInAnswersHoldingATupleOrShapeCannotBeGraded) {
    const attn::HandIn h = attn::parse_python_hand_in(
        "q = torch.linalg.lstsq(key, value)\nquery122 = q\nquery121 = key.shape\nquery131 = q.solution[1]\n", "a.py",
        attn::notebook_dataset());
    EXPECT_EQ(h.cannot_grade.at("query122"),
              "holds the whole result of torch.linalg.lstsq, not a tensor (use .solution or [0]) (line 2)");
    EXPECT_EQ(h.cannot_grade.at("query121"), "holds a shape (torch.Size), not a tensor (line 3)");
    EXPECT_EQ(h.answers.count("query131"), 1u);
}

namespace {

attn::pyexpr::ScriptResult run(const std::string& source) { return attn::pyexpr::run_script(source, notebook_names()); }

std::string problem_in(const attn::pyexpr::ScriptResult& r, const std::string& name) {
    const auto it = r.names.find(name);
    if (it == r.names.end()) return "(not assigned)";
    return it->second.ok ? "" : it->second.problem;
}

}  // namespace

TEST(PyExprDefs, LocalsShadowGlobalsAndNeverLeak) {
    const auto r = run(
        "def get_query121():\n"
        "    key = torch.ones(3)\n"
        "    t = key * 2\n"
        "    t[0] += 1\n"
        "    return t\n"
        "x = get_query121()\n"
        "y = key[0] * 1\n");
    ASSERT_TRUE(r.names.at("x").ok) << r.names.at("x").problem;
    EXPECT_EQ(r.names.at("x").value.data, (std::vector<float>{3, 2, 2}));
    const std::vector<float> key = notebook_names().at("key").data;
    EXPECT_EQ(r.names.at("y").value.data, (std::vector<float>{key[0], key[1], key[2]}));
    EXPECT_EQ(r.names.count("t"), 0u);
    // A name the body assigns is local for the whole call, as in Python.
    const auto u = run("def f():\n    q = key[0]\n    key = torch.ones(3)\n    return q\nx = f()\n");
    EXPECT_EQ(problem_in(u, "x"), "local variable 'key' is read before def f (line 1) assigns it (UnboundLocalError; "
                                  "PyTorch raises an error here too)");
    EXPECT_EQ(problem_in(r, "get_query121"), "is a function (def get_query121 at line 1), not a tensor");
}

TEST(PyExprDefs, TwoParametersAndAHelperCallingAHelper) {
    const auto r = run(
        "def scaled(v, s):\n    return v * s\n"
        "def twice(v):\n    w = scaled(v, 2)\n    return scaled(w, 1) + 0\n"
        "a = scaled(key[1], 20)\nb = twice(torch.ones(2))\nc = scaled(3, 4)\n");
    ASSERT_TRUE(r.names.at("a").ok) << r.names.at("a").problem;
    EXPECT_FLOAT_EQ(r.names.at("a").value.data[0], notebook_names().at("key").data[3] * 20);
    ASSERT_TRUE(r.names.at("b").ok) << r.names.at("b").problem;
    EXPECT_EQ(r.names.at("b").value.data, (std::vector<float>{2, 2}));
    EXPECT_TRUE(r.names.at("c").is_number);
    EXPECT_EQ(r.names.at("c").number, 12);
    const auto k = run("def scaled(v, s):\n    return v * s\na = scaled(2, s=5)\nb = scaled(s=3, v=2)\n"
                       "c = scaled(2)\nd = scaled(2, v=1)\ne = scaled(2, t=1)\n");
    EXPECT_EQ(k.names.at("a").number, 10);
    EXPECT_EQ(k.names.at("b").number, 6);
    EXPECT_EQ(problem_in(k, "c"), "line 5: scaled() is missing the argument 's' (TypeError) (PyTorch raises an error here too)");
    EXPECT_EQ(problem_in(k, "d"), "line 6: scaled() got multiple values for argument 'v' (TypeError) (PyTorch raises an error here too)");
    EXPECT_EQ(problem_in(k, "e"), "line 7: scaled() got an unexpected keyword argument 't' (TypeError) (PyTorch raises an error here too)");
    const auto m = run("def scaled(v, s):\n    return v * s\nd = scaled(2, 3, v=1)\ne = scaled(2, 3, t=1)\n");
    EXPECT_EQ(problem_in(m, "d"), "line 3: scaled() got multiple values for argument 'v' (TypeError) (PyTorch raises an error here too)");
    EXPECT_EQ(problem_in(m, "e"), "line 4: scaled() got an unexpected keyword argument 't' (TypeError) (PyTorch raises an error here too)");
}

TEST(PyExprDefs, RecursionAndDeepCallsAreRefusedWithTheirLine) {
    auto r = run("def f(x):\n    return f(x)\nq = f(key)\nz = key * 1\n");
    EXPECT_EQ(problem_in(r, "q"), "recursive call to 'f' at line 2");
    EXPECT_EQ(problem_in(r, "z"), "");
    r = run("def a(x):\n    return b(x)\ndef b(x):\n    y = a(x)\n    return y\nq = a(key)\n");
    EXPECT_EQ(problem_in(r, "q"), "recursive call to 'a' at line 4");
    std::string chain = "def f0(x):\n    return x\n";
    for (int i = 1; i <= 25; ++i)
        chain += "def f" + std::to_string(i) + "(x):\n    return f" + std::to_string(i - 1) + "(x)\n";
    r = run(chain + "q = f25(key)\np = f10(key)\n");
    // Each helper calls the one before it twice: 2**19 calls over a large tensor end at the limit.
    const double start = attn::test::cpu_seconds();
    std::string fan = "big = torch.ones(256, 256)\ndef g0(x):\n    return x\n";
    for (int i = 1; i < 20; ++i)
        fan += "def g" + std::to_string(i) + "(x):\n    y = g" + std::to_string(i - 1) + "(x)\n    return g" +
               std::to_string(i - 1) + "(y)\n";
    const auto h = run(fan + "q = g19(key)\n");
    EXPECT_NE(problem_in(h, "q").find("too much computation"), std::string::npos) << problem_in(h, "q");
    EXPECT_LT(attn::test::cpu_seconds() - start, 10.0);
    EXPECT_EQ(problem_in(r, "q"), "line 14: calls nested deeper than 20 levels (the limit)");
    EXPECT_EQ(problem_in(r, "p"), "");
}

TEST(PyExprDefs, ABodyThatCannotBeEvaluatedFailsOnlyItsUsers) {
    const auto r = run(
        "def looped(x):\n"                     // 1
        "    for i in range(3):\n"             // 2
        "        x = x * 2\n"                  // 3
        "    return x\n"                       // 4
        "def broken(x):\n"                     // 5
        "    y = x.numpy()\n"                  // 6
        "    return x\n"                       // 7
        "def fine(x):\n"                       // 8
        "    return x * 2\n"                   // 9
        "def inplace(m):\n"                    // 10
        "    m[0] = 1\n"                       // 11
        "    return m\n"                       // 12
        "q1 = looped(key)\nq2 = broken(key)\nq3 = fine(key)\nq4 = inplace(key)\nq5 = fine(key, 2)\n");
    EXPECT_EQ(problem_in(r, "q1"), "uses `for inside def looped` at line 2");
    EXPECT_EQ(problem_in(r, "q2"), "uses `.numpy()` at line 6");
    EXPECT_EQ(problem_in(r, "q3"), "");
    EXPECT_EQ(problem_in(r, "q4"), "uses `an in-place change of m (memory from outside inplace)` at line 11");
    EXPECT_EQ(problem_in(r, "q5"),
              "line 17: fine() takes 1 positional arguments but 2 were given (TypeError) (PyTorch raises an error here too)");
}

TEST(PyExprDefs, RefusedFormsOfDefNameTheConstruct) {
    const auto r = run(
        "def d(x, s=2):\n    return x * s\n"
        "def v(*xs):\n    return xs\n"
        "@decorate\ndef w(x):\n    return x\n"
        "def n(x):\n    def inner(y):\n        return y\n    return inner(x)\n"
        "def l(x):\n    f = lambda y: y\n    return x\n"
        "def nothing(x):\n    y = x\n"
        "def one(x): return x\n"
        "a = d(key)\nb = v(key)\nc = w(key)\ne = n(key)\nf = l(key)\ng = nothing(key)\nh = one(key)\ni = d\n");
    EXPECT_EQ(problem_in(r, "a"), "uses `a default parameter value in def d` at line 1");
    EXPECT_EQ(problem_in(r, "b"), "uses `*args or **kwargs in def v` at line 3");
    EXPECT_EQ(problem_in(r, "c"), "uses `a decorator on def w` at line 5");
    EXPECT_EQ(problem_in(r, "e"), "uses `a nested def inside def n` at line 9");
    EXPECT_EQ(problem_in(r, "f"), "uses `lambda inside def l` at line 13");
    EXPECT_EQ(problem_in(r, "g"), "uses `def nothing without a return` at line 15");
    EXPECT_EQ(problem_in(r, "h"), "uses `a body on the line of def one` at line 17");
    EXPECT_EQ(problem_in(r, "i"), "is a function (def d at line 1), not a tensor");
}

TEST(HandInDefs, OnlyTheAnswersUsingABrokenHelperAreUngradable) {
    const std::string source =
        "import torch\n"
        "def get_query121():\n"
        "    key = torch.tensor([[1.0, 2.0, 3.0]])\n"
        "    q = key[0] * 10\n"
        "    return q\n"
        "query121 = get_query121()\n"
        "\n"
        "def scaled(v, s):\n"
        "    return v * s\n"
        "query122 = scaled(key, 20)\n"
        "def bad():\n"
        "    while True:\n"
        "        pass\n"
        "    return key[0]\n"
        "query131 = bad()\n"
        "query132 = scaled(key[1], 2)\n";
    const attn::HandIn h = attn::parse_python_hand_in(source, "a.py", attn::notebook_dataset());
    ASSERT_EQ(h.answers.count("query121"), 1u);
    EXPECT_EQ(h.answers.at("query121").data(0, 2), 30.0);
    EXPECT_EQ(h.answers.count("query122"), 1u);
    EXPECT_EQ(h.answers.count("query132"), 1u);
    ASSERT_EQ(h.cannot_grade.count("query131"), 1u);
    EXPECT_EQ(h.cannot_grade.at("query131"), "uses `while inside def bad` at line 12");
    EXPECT_EQ(h.cannot_grade.size(), 1u);
}

TEST(NotebookHandIn, AHelperDefinedInOneCellIsCalledInAnother) {
    const nlohmann::json nb = {
        {"nbformat", 4},
        {"cells",
         {{{"cell_type", "code"}, {"source", "import torch\ndef scaled(v, s):\n    return v * s\n"}},
          {{"cell_type", "code"}, {"source", "def broken(v):\n    w = v.numpy()\n    return w\n"}},
          {{"cell_type", "code"}, {"source", "query121 = scaled(key[0], 100)\nquery122 = broken(key)\n"}}}}};
    const attn::HandIn h = attn::parse_notebook_hand_in(nb.dump(), "a.ipynb", attn::notebook_dataset());
    ASSERT_EQ(h.answers.count("query121"), 1u);
    EXPECT_FLOAT_EQ(static_cast<float>(h.answers.at("query121").data(0, 0)), notebook_names().at("key").data[0] * 100);
    EXPECT_EQ(h.cannot_grade.at("query122"), "uses `.numpy()` at cell 2 line 2");
}
