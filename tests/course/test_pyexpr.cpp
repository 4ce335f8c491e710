// The expression evaluator (core/course/pyexpr.h) against PyTorch: fixtures written by
// tests/tools/make_expr_fixtures.py with Debian's python3-torch (the tests never need torch),
// then the subset's edges, its refusals and hostile input.
#include "core/course/answer_file.h"
#include "core/math/dataset.h"
#include "core/base/error.h"
#include "core/course/pyexpr.h"

#include <gtest/gtest.h>
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

nlohmann::json load_fixture(const std::string& name) {
    std::ifstream in(std::string(ATTN_TEST_FIXTURES_DIR) + "/expr/" + name);
    EXPECT_TRUE(in.good()) << name;
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str());
}

float from_bits(const std::string& hex) {
    const uint32_t u = static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// Distance in float32 steps (ulps) between two floats; NaN matches NaN, inf matches only itself.
int64_t ulps(float a, float b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INT64_MAX;
    if (a == b) return 0;
    if (std::isinf(a) || std::isinf(b)) return INT64_MAX;
    auto ordered = [](float x) {
        int32_t i;
        std::memcpy(&i, &x, sizeof i);
        return i < 0 ? int64_t{INT32_MIN} - i : int64_t{i};
    };
    const int64_t d = ordered(a) - ordered(b);
    return d < 0 ? -d : d;
}

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

TEST(PyExprFixtures, RandomExpressionsMatchPyTorch) {
    const nlohmann::json fx = load_fixture("random.json");
    const auto names = notebook_names();
    int exact = 0, one_ulp = 0, linalg = 0, refused = 0, exp_cases = 0;
    for (const auto& c : fx.at("cases")) {
        const std::string expr = c.at("expr");
        if (c.contains("error")) {
            EXPECT_THROW(attn::pyexpr::evaluate(expr, names), attn::InputError) << expr;
            ++refused;
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
            ++linalg;
            continue;
        }
        const int64_t worst = worst_ulps(got, shape, want);
        EXPECT_GE(worst, 0) << expr << "\n  shape " << attn::pyexpr::shape_text(got.shape) << ", torch "
                            << attn::pyexpr::shape_text(shape);
        // softmax: torch's vectorised exp (Sleef, within 1 ulp) against the C library's expf.
        const int64_t allowed = c.value("exp", false) ? 4 : 1;
        EXPECT_LE(worst, allowed) << expr << "\n  " << worst << " ulps";
        if (worst > 1) ++exp_cases;
        if (worst == 0) ++exact;
        if (worst == 1) ++one_ulp;
    }
    std::printf("random fixtures: %d bit-exact, %d within 1 ulp, %d softmax within 4 ulps, %d linalg within 1e-4 "
                "relative, %d refused as torch does\n",
                exact, one_ulp, exp_cases, linalg, refused);
    EXPECT_GE(exact + one_ulp + linalg + refused, 500);
}

TEST(PyExprFixtures, EveryFormOfTheIssueMatchesPyTorch) {
    const nlohmann::json fx = load_fixture("forms.json");
    const attn::Dataset data = attn::notebook_dataset();
    int answers = 0;
    for (const auto& form : fx.at("forms")) {
        const std::string source = form.at("source");
        const attn::HandIn hand_in = attn::parse_python_hand_in(source, form.at("name").get<std::string>(), data);
        EXPECT_TRUE(hand_in.cannot_grade.empty()) << form.at("name") << ": " << hand_in.cannot_grade.begin()->second;
        for (const auto& [name, want] : form.at("answers").items()) {
            const auto it = hand_in.answers.find(name);
            ASSERT_NE(it, hand_in.answers.end()) << form.at("name") << " " << name;
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
    EXPECT_GE(answers, 15);
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
    const auto start = std::chrono::steady_clock::now();
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
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 10.0);
}

TEST(PyExprScript, AliasingAndSetupAndHelpers) {
    const std::map<std::string, Tensor> names = notebook_names();
    const auto r = attn::pyexpr::run_script(
        "key = torch.randn(4, 3)\nkey.round_(decimals=2)\ndef helper(x):\n    return x\n"
        "a = key[0] * 2\nm = key\nm[2] = a\nq = helper(a)\nfor i in range(3):\n    b = a\n",
        names);
    EXPECT_TRUE(r.names.at("a").ok);
    EXPECT_EQ(r.names.at("m").problem, "uses `an in-place change of m, which shares memory with key` at line 7");
    EXPECT_EQ(r.names.at("q").problem, "uses `def helper` at line 3");
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
