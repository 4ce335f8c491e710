// Answer files for `attnlab check`: the Python and JSON forms students hand in, and every kind
// of bad input, which must come out as one InputError line naming the file and line.
#include "core/course/answer_file.h"
#include "core/base/error.h"

#include "tests/support/cpu_time.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using attn::AnswerSet;
using attn::InputError;

namespace {

std::string python_error(const std::string& text) {
    try {
        attn::parse_python_answers(text, "a.py");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string json_error(const std::string& text) {
    try {
        attn::parse_json_answers(text, "a.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

// Anything but InputError (or success) fails the test: other exception types, crashes, hangs.
void expect_only_input_error(const std::string& text, bool json) {
    try {
        if (json) attn::parse_json_answers(text, "f.json");
        else attn::parse_python_answers(text, "f.py");
    } catch (const InputError& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_EQ(message.rfind(json ? "f.json" : "f.py", 0), 0u) << message;
    }
}

Eigen::MatrixXd mat(std::initializer_list<std::initializer_list<double>> rows) {
    Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.begin()->size()));
    Eigen::Index r = 0;
    for (const auto& row : rows) {
        Eigen::Index c = 0;
        for (double x : row) m(r, c++) = x;
        ++r;
    }
    return m;
}

const char* const kValidPython =
    "# answers for the attention notebook\n"
    "import torch\n"
    "from torch import nn\n"
    "\n"
    "query121 = torch.tensor([ 1.5, -2.0, 3e1 ])\n"
    "query122 = 100 * torch.tensor([[1., 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])\n"
    "query131 = torch.tensor([.5, 5., +1.e1]) * -2\n"
    "query132 = torch.tensor([[0.5, 1.25, -3.0]])          # shape (1,3) also counts as a vector\n"
    "m_key141 = torch.tensor([[0.47, 0.65, 0.60], [0.64, 0.50, -0.59], [1.0, 2.0, 3.0], [0.43, -0.83, 0.35]], "
    "dtype=torch.float32)\n"
    "m_key142 = torch.tensor([\n"
    "    [1, 2, 3],   # row 1\n"
    "    [4, 5, 6],\n"
    "\n"
    "    [7, 8, 9],\n"
    "    [1E-3, 2.5e+2, -0],\n"
    "], requires_grad=False, dtype=torch.float,)\n";

const char* const kValidJson =
    "{\"query121\": [1, 2.5, -3e1], \"query122\": [[1,0,0],[0,1,0],[0,0,1],[1,1,1]],\n"
    " \"query132\": [[0.5, 1.25, -3.0]], \"m_key141\": [[0.47,0.65,0.60],[0.64,0.50,-0.59],[1,2,3],[0.43,-0.83,0.35]]}\n";

}  // namespace

TEST(AnswerNames, SixInNotebookOrder) {
    EXPECT_EQ(attn::answer_names(),
              (std::vector<std::string>{"query121", "query122", "query131", "query132", "m_key141", "m_key142"}));
}

// ---- valid Python ----------------------------------------------------------------------------

TEST(PythonAnswers, ReadsEveryFormFromTheNotebook) {
    const AnswerSet a = attn::parse_python_answers(kValidPython, "a.py");
    ASSERT_EQ(a.size(), 6u);

    EXPECT_TRUE(a.at("query121").is_vector);
    EXPECT_EQ(a.at("query121").line, 5);
    EXPECT_EQ(a.at("query121").data, mat({{1.5, -2.0, 30.0}}));

    EXPECT_FALSE(a.at("query122").is_vector);
    EXPECT_EQ(a.at("query122").line, 6);
    EXPECT_EQ(a.at("query122").data, mat({{100, 0, 0}, {0, 100, 0}, {0, 0, 100}, {100, 100, 100}}));

    EXPECT_TRUE(a.at("query131").is_vector);
    EXPECT_EQ(a.at("query131").data, mat({{-1.0, -10.0, -20.0}}));

    EXPECT_FALSE(a.at("query132").is_vector);  // (1, 3), not (3,)
    EXPECT_EQ(a.at("query132").data, mat({{0.5, 1.25, -3.0}}));

    EXPECT_EQ(a.at("m_key141").data.rows(), 4);
    EXPECT_EQ(a.at("m_key141").data(1, 2), -0.59);

    EXPECT_EQ(a.at("m_key142").line, 10);
    EXPECT_EQ(a.at("m_key142").data, mat({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {0.001, 250, 0}}));
}

TEST(PythonAnswers, MultiplierOnEitherSide) {
    const AnswerSet a = attn::parse_python_answers("query121 = 2 * torch.tensor([1, 2, 3])\n"
                                                   "query131 = torch.tensor([1, 2, 3]) * 0.5\n"
                                                   "query132 = -1e1*torch.tensor([1,2,3])\n",
                                                   "a.py");
    EXPECT_EQ(a.at("query121").data, mat({{2, 4, 6}}));
    EXPECT_EQ(a.at("query131").data, mat({{0.5, 1, 1.5}}));
    EXPECT_EQ(a.at("query132").data, mat({{-10, -20, -30}}));
}

TEST(PythonAnswers, VectorAndOneRowMatrixAreDistinguished) {
    const AnswerSet a = attn::parse_python_answers("query131 = torch.tensor([1, 2, 3])\n"
                                                   "query132 = torch.tensor([[1, 2, 3]])\n",
                                                   "a.py");
    EXPECT_TRUE(a.at("query131").is_vector);
    EXPECT_FALSE(a.at("query132").is_vector);
    EXPECT_EQ(a.at("query131").data, a.at("query132").data);
    EXPECT_EQ(a.at("query132").data.rows(), 1);
}

TEST(PythonAnswers, CommentsImportsBlankLinesAndLineEndings) {
    const AnswerSet a = attn::parse_python_answers("\xEF\xBB\xBF# -*- coding: utf-8 -*-\r\n"
                                                   "# 注释：只用常数\r\n"
                                                   "import torch, numpy as np\r\n"
                                                   "import torch.nn.functional as F  # comment\r\n"
                                                   "from math import (sqrt,\r\n"
                                                   "    exp)\r\n"
                                                   "from torch import tensor, \\\r\n"
                                                   "    zeros\r\n"
                                                   "   \t\r\n"
                                                   "query121 = torch.tensor([1,  # first\r\n"
                                                   "                         2, 3])  # done\r\n"
                                                   "query131 = torch.tensor(\\\r\n"
                                                   "    [4, 5, 6])\r\n"
                                                   "query132 = \\\n"
                                                   "  torch.tensor([7, 8, 9], requires_grad=True)",
                                                   "a.py");
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a.at("query121").line, 10);
    EXPECT_EQ(a.at("query131").line, 12);
    EXPECT_EQ(a.at("query132").line, 14);
    EXPECT_EQ(a.at("query132").data, mat({{7, 8, 9}}));
}

TEST(PythonAnswers, DtypeKeywordsAreIgnored) {
    for (const char* dtype : {"torch.float32", "torch.float", "torch.float64", "torch.double"}) {
        const AnswerSet a = attn::parse_python_answers(
            std::string("query121 = torch.tensor([1, 2, 3], dtype=") + dtype + ")\n", "a.py");
        EXPECT_EQ(a.at("query121").data, mat({{1, 2, 3}})) << dtype;
    }
}

TEST(PythonAnswers, EmptyFileAndSubsetsAreFine) {
    EXPECT_TRUE(attn::parse_python_answers("", "a.py").empty());
    EXPECT_TRUE(attn::parse_python_answers("# nothing yet\nimport torch\n", "a.py").empty());
    EXPECT_EQ(attn::parse_python_answers("m_key142 = torch.tensor([[1]])", "a.py").size(), 1u);
}

TEST(PythonAnswers, TinyNumbersUnderflowToZeroLikePython) {
    const AnswerSet a = attn::parse_python_answers("query121 = torch.tensor([1e-400, -0.5e-330, 2])\n", "a.py");
    EXPECT_EQ(a.at("query121").data, mat({{0, 0, 2}}));
}

// ---- bad Python --------------------------------------------------------------------------------

TEST(PythonAnswerErrors, SyntaxNamesTheLine) {
    EXPECT_EQ(python_error("import torch\n\nquery121 = torch.tensor([1 2])\n"),
              "a.py:3: expected ']' or ',' after number, found a number");
    EXPECT_EQ(python_error("query122 = torch.tensor([\n  [1, 2, 3],\n  [4, 5, 6]\n  [7, 8, 9]])\n"),
              "a.py:4: expected ']' or ',' after row, found '['");
    EXPECT_EQ(python_error("query121 = torch.tensor([1, 2, 3]);\n"), "a.py:1: unexpected character ';'");
    EXPECT_EQ(python_error("query121 = torch.tensor([1, 2, 3]) query131 = torch.tensor([1])\n"),
              "a.py:1: expected end of line after the tensor, found 'query131'");
    EXPECT_EQ(python_error("query121 = torch.tensor([1, 2, 3]\n\nquery122 = 1"),
              "a.py:3: expected ')' or ',' after the list, found 'query122'");
    EXPECT_EQ(python_error("\nquery121 = 2 torch.tensor([1])\n"), "a.py:2: expected '*' after the number, found 'torch'");
    EXPECT_EQ(python_error("query121 = 2 * torch.tensor([1]) * 3\n"),
              "a.py:1: expected end of line after the tensor, found '*'");
    EXPECT_EQ(python_error("query121 = torch.tensor(3.0)\n"),
              "a.py:1: expected '[' (a list of numbers) inside torch.tensor(...), found a number");
    EXPECT_EQ(python_error("query121 = torch.Tensor([1])\n"), "a.py:1: expected torch.tensor(...), found torch.'Tensor'");
    EXPECT_EQ(python_error("query121 = torch.tensor([1], [2])\n"),
              "a.py:1: expected a keyword argument (dtype=... or requires_grad=...), found '['");
    EXPECT_EQ(python_error("query121 = torch.tensor([1], device='cpu')\n"),
              "a.py:1: unsupported keyword argument 'device' (only dtype and requires_grad)");
    EXPECT_EQ(python_error("query121 = torch.tensor([1],\n dtype=torch.int64)\n"),
              "a.py:2: unsupported dtype torch.int64 (use torch.float32)");
    EXPECT_EQ(python_error("query121 = torch.tensor([1], dtype=torch.float, dtype=torch.float)\n"),
              "a.py:1: keyword argument 'dtype' repeated");
    EXPECT_EQ(python_error("query121 = torch.tensor([1], requires_grad=1)\n"), "a.py:1: expected True or False, found a number");
    EXPECT_EQ(python_error("query121 == torch.tensor([1])\n"),
              "a.py:1: expected torch.tensor(...), found '=' (answers must be constants)");
    EXPECT_EQ(python_error("query121 torch.tensor([1])\n"), "a.py:1: expected '=' after 'query121', found 'torch'");
    EXPECT_EQ(python_error("query121 = torch.tensor([1, 2\\ 3])\n"), "a.py:1: unexpected character '\\'");
    EXPECT_EQ(python_error("query121 = torch.tensor([- -1])\n"), "a.py:1: expected a number after the sign, found '-'");
}

TEST(PythonAnswerErrors, OnlyConstantsAreAllowed) {
    EXPECT_EQ(python_error("query121 = torch.tensor([1.0, float('inf'), 2])\n"),
              "a.py:1: expected a number, found 'float'");
    EXPECT_EQ(python_error("query121 = torch.tensor([1.0, math.nan])\n"), "a.py:1: expected a number, found 'math'");
    EXPECT_EQ(python_error("import torch\nquery121 = q\n"),
              "a.py:2: expected torch.tensor(...), found 'q' (answers must be constants)");
    EXPECT_EQ(python_error("query121 = torch.tensor([1, 2 + 3])\n"),
              "a.py:1: expected ']' or ',' after number, found '+'");
    EXPECT_EQ(python_error("query121 = torch.tensor(['1'])\n"), "a.py:1: unexpected quote (strings are not allowed here)");
    EXPECT_EQ(python_error("query121 = torch.tensor([True])\n"), "a.py:1: expected a number, found 'True'");
    EXPECT_EQ(python_error("query121 = np.array([1])\n"),
              "a.py:1: expected torch.tensor(...), found 'np' (answers must be constants)");
}

TEST(PythonAnswerErrors, MalformedNumbers) {
    const std::string malformed = "malformed number (only plain decimal numbers like 1, -2.5 or 3e-1 are allowed)";
    EXPECT_EQ(python_error("query121 = torch.tensor([1.2.3])\n"), "a.py:1: " + malformed);
    EXPECT_EQ(python_error("\n\nquery121 = torch.tensor([0x10])\n"), "a.py:3: " + malformed);
    EXPECT_EQ(python_error("query121 = torch.tensor([1_000])\n"), "a.py:1: " + malformed);
    EXPECT_EQ(python_error("query121 = torch.tensor([1j])\n"), "a.py:1: " + malformed);
    EXPECT_EQ(python_error("query121 = torch.tensor([1e])\n"), "a.py:1: malformed number (exponent has no digits)");
}

TEST(PythonAnswerErrors, UnknownNamesAndOtherStatements) {
    const std::string names = "(expected one of query121, query122, query131, query132, m_key141, m_key142)";
    EXPECT_EQ(python_error("import torch\n\n# c\n\nfoo = torch.tensor([1])\n"), "a.py:5: unknown name 'foo' " + names);
    EXPECT_EQ(python_error("Query121 = torch.tensor([1])\n"), "a.py:1: unknown name 'Query121' " + names);
    const std::string only = " (only 'name = torch.tensor([...])' lines, imports and comments are allowed)";
    EXPECT_EQ(python_error("query121 = torch.tensor([1])\nprint(query121)\n"),
              "a.py:2: unsupported statement starting with 'print'" + only);
    EXPECT_EQ(python_error("\n  (1)\n"), "a.py:2: unsupported statement starting with '('" + only);
    EXPECT_EQ(python_error("x: int = 3\n"), "a.py:1: unexpected character ':'");
    EXPECT_EQ(python_error("\"\"\"docstring\"\"\"\n"), "a.py:1: unexpected quote (strings are not allowed here)");
    EXPECT_EQ(python_error("query121 = torch.tensor([1])\nquery121 += 1\n"),
              "a.py:2: expected '=' after 'query121', found '+'");
    EXPECT_EQ(python_error("query121 = torch.tensor([1])  # ok\nπ = 3\n"), "a.py:2: unexpected non-ASCII character");
}

TEST(PythonAnswerErrors, DuplicateNames) {
    EXPECT_EQ(python_error("query121 = torch.tensor([1])\n\n\nquery121 = torch.tensor([2])\n"),
              "a.py: duplicate name 'query121' (lines 1 and 4)");
}

TEST(PythonAnswerErrors, NotFinite) {
    EXPECT_EQ(python_error("import torch\nquery121 = torch.tensor([1e400])\n"), "a.py:2: value is not finite");
    EXPECT_EQ(python_error("query121 = torch.tensor([\n1,\n-" + std::string(400, '9') + "])\n"), "a.py:3: value is not finite");
    EXPECT_EQ(python_error("query121 = 1e999 * torch.tensor([1])\n"), "a.py:1: value is not finite");
    EXPECT_EQ(python_error("query121 = 1e300 * torch.tensor([\n1e300])\n"),
              "a.py:1: value is not finite (overflow after multiplying)");
}

TEST(PythonAnswerErrors, ShapeProblemsNameTheRowLine) {
    EXPECT_EQ(python_error("query121 = torch.tensor([])\n"), "a.py:1: query121 is an empty list");
    EXPECT_EQ(python_error("query121 = torch.tensor([,])\n"), "a.py:1: expected a number, found ','");
    EXPECT_EQ(python_error("query122 = torch.tensor([[]])\n"), "a.py:1: query122 row 1 is empty");
    EXPECT_EQ(python_error("query122 = torch.tensor([\n  [1, 2, 3],\n  [4, 5]])\n"),
              "a.py:3: query122 row 2 has 2 numbers, expected 3 like row 1");
    EXPECT_EQ(python_error("query122 = torch.tensor([[1, 2, 3], [4, 5, 6], []])\n"),
              "a.py:1: query122 row 3 has 0 numbers, expected 3 like row 1");
    EXPECT_EQ(python_error("query122 = torch.tensor([1,\n [2]])\n"),
              "a.py:2: query122 item 2 is a list but item 1 is a number (mixing numbers and lists)");
    EXPECT_EQ(python_error("query122 = torch.tensor([[1], 2])\n"),
              "a.py:1: query122 row 2 is a number but row 1 is a list (mixing numbers and lists)");
    EXPECT_EQ(python_error("query122 = torch.tensor([[\n[1]]])\n"),
              "a.py:2: lists nested deeper than 2 levels (only vectors and matrices are allowed)");
}

TEST(PythonAnswerErrors, UnterminatedBrackets) {
    EXPECT_EQ(python_error("import torch\nquery121 = torch.tensor([1, 2,\n\n"), "a.py:2: '[' is never closed (end of file reached)");
    EXPECT_EQ(python_error("query122 = torch.tensor([[1, 2],\n [3, 4"), "a.py:2: '[' is never closed (end of file reached)");
    EXPECT_EQ(python_error("query121 = torch.tensor([1, 2]"), "a.py:1: '(' is never closed (end of file reached)");
    EXPECT_EQ(python_error("query121 = torch.tensor(\n[1, 2],"), "a.py:1: '(' is never closed (end of file reached)");
    EXPECT_EQ(python_error("query121 = torch.tensor(\n[1, 2"), "a.py:2: '[' is never closed (end of file reached)");
    EXPECT_EQ(python_error("\nfrom torch import (tensor,\n"), "a.py:2: '(' in this import is never closed (end of file reached)");
}

TEST(PythonAnswerErrors, NotUtf8Text) {
    EXPECT_EQ(python_error("# ok\n# \xff\xfe\n"), "a.py: not UTF-8 text (first invalid byte on line 2)");
    EXPECT_EQ(python_error("# \xC0\xAF overlong\n"), "a.py: not UTF-8 text (first invalid byte on line 1)");
    EXPECT_EQ(python_error("# \xED\xA0\x80 surrogate\n"), "a.py: not UTF-8 text (first invalid byte on line 1)");
    EXPECT_EQ(python_error("# cut \xE4\xB8"), "a.py: not UTF-8 text (first invalid byte on line 1)");
    EXPECT_EQ(python_error(std::string("query121 = torch.tensor([1])\n\n\0", 31)),
              "a.py: contains a NUL byte on line 3 (not a text file)");
}

TEST(PythonAnswerErrors, LongNamesAreShortenedInMessages) {
    const std::string message = python_error(std::string(5000, 'x') + " = torch.tensor([1])\n");
    EXPECT_LT(message.size(), 200u);
    EXPECT_EQ(message.rfind("a.py:1: unknown name 'xxxx", 0), 0u) << message;
}

// ---- JSON --------------------------------------------------------------------------------------

TEST(JsonAnswers, ReadsVectorsMatricesAndSubsets) {
    const AnswerSet a = attn::parse_json_answers(kValidJson, "a.json");
    ASSERT_EQ(a.size(), 4u);
    EXPECT_TRUE(a.at("query121").is_vector);
    EXPECT_EQ(a.at("query121").line, 0);
    EXPECT_EQ(a.at("query121").data, mat({{1, 2.5, -30}}));
    EXPECT_FALSE(a.at("query122").is_vector);
    EXPECT_EQ(a.at("query122").data.rows(), 4);
    EXPECT_FALSE(a.at("query132").is_vector);
    EXPECT_EQ(a.at("query132").data, mat({{0.5, 1.25, -3.0}}));
    EXPECT_EQ(a.at("m_key141").data(3, 1), -0.83);
    EXPECT_TRUE(attn::parse_json_answers("\xEF\xBB\xBF {}", "a.json").empty());
    EXPECT_EQ(attn::parse_json_answers("{\"query121\": [1e-400, 1000000, -1e6]}", "a.json").at("query121").data,
              mat({{0, 1e6, -1e6}}));
}

TEST(JsonAnswerErrors, Messages) {
    const std::string names = "(expected one of query121, query122, query131, query132, m_key141, m_key142)";
    EXPECT_EQ(json_error("{\"query122\": [[1, 2, 3], [4, 5]]}"), "a.json: \"query122\" row 2 has 2 numbers, expected 3 like row 1");
    EXPECT_EQ(json_error("{\"foo\": [1]}"), "a.json: unknown name 'foo' " + names);
    EXPECT_EQ(json_error("{\"query121\": [1], \"query121\": [2]}"), "a.json: duplicate name 'query121'");
    EXPECT_EQ(json_error("{\"query121\": []}"), "a.json: \"query121\" is an empty list");
    EXPECT_EQ(json_error("{\"query122\": [[], []]}"), "a.json: \"query122\" row 1 is empty");
    EXPECT_EQ(json_error("{\"query122\": [[[1]]]}"),
              "a.json: \"query122\" has lists nested deeper than 2 levels (only vectors and matrices are allowed)");
    EXPECT_EQ(json_error("{\"query121\": [1, \"2\"]}"), "a.json: \"query121\" item 2 is not a number or a list");
    EXPECT_EQ(json_error("{\"query122\": [[1, 2], [3, null]]}"), "a.json: \"query122\" row 2 item 2 is not a number");
    EXPECT_EQ(json_error("{\"query122\": [[1, 2], {\"a\": 1}]}"), "a.json: \"query122\" item 2 is not a number or a list");
    EXPECT_EQ(json_error("{\"query121\": 5}"), "a.json: \"query121\" must be a list of numbers or a list of rows");
    EXPECT_EQ(json_error("{\"query121\": null}"), "a.json: \"query121\" must be a list of numbers or a list of rows");
    EXPECT_EQ(json_error("{\"query121\": {}}"), "a.json: \"query121\" must be a list of numbers or a list of rows");
    EXPECT_EQ(json_error("{\"query121\": [1, [2]]}"),
              "a.json: \"query121\" item 2 is a list but item 1 is a number (mixing numbers and lists)");
    EXPECT_EQ(json_error("{\"query121\": [1e400]}"), "a.json: value is not finite (number too large)");
    EXPECT_EQ(json_error("[[1, 2, 3]]"), "a.json: expected a JSON object like {\"query121\": [1, 2, 3]}");
    EXPECT_EQ(json_error("3"), "a.json: expected a JSON object like {\"query121\": [1, 2, 3]}");
    EXPECT_EQ(json_error("{\"query121\": [NaN]}").rfind("a.json: invalid JSON (parse error at line 1, column 15: ", 0), 0u);
    EXPECT_EQ(json_error("{\"query121\": [1, 2]"), "a.json: invalid JSON (parse error at line 1, column 20: syntax error while "
                                                   "parsing object - unexpected end of input; expected '}')");
    EXPECT_EQ(json_error("{\"query121\": [1]} x").rfind("a.json: invalid JSON (parse error", 0), 0u);
    EXPECT_EQ(json_error(""), "a.json: invalid JSON (parse error at line 1, column 1: syntax error while parsing value - "
                              "unexpected end of input; expected '[', '{', or a literal)");
    EXPECT_EQ(json_error("{\"query121\": [1, 2, 3], \"\xff\": 1}"), "a.json: not UTF-8 text (first invalid byte on line 1)");
}

TEST(JsonAnswerErrors, MessagesDoNotEchoRawText) {
    const std::string message = json_error("{\"query121\": [1, 2, secret_token_value]}");
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
}

// ---- files -------------------------------------------------------------------------------------

class AnswerFileTest : public ::testing::Test {
protected:
    std::string write(const std::string& name, const std::string& contents) {
        const std::string path = dir_ + "/" + name;
        std::ofstream(path, std::ios::binary) << contents;
        created_.push_back(path);
        return path;
    }
    void TearDown() override {
        for (const auto& path : created_) std::remove(path.c_str());
    }
    std::string dir_ = ::testing::TempDir().empty() ? "/tmp" : ::testing::TempDir();
    std::vector<std::string> created_;
};

TEST_F(AnswerFileTest, PicksTheFormatByTheFirstCharacter) {
    const std::string json = write("attn_answers_1.txt", std::string("\n  \t") + kValidJson);
    EXPECT_EQ(attn::load_answer_file(json).size(), 4u);
    const std::string python = write("attn_answers_2.json", kValidPython);
    EXPECT_EQ(attn::load_answer_file(python).size(), 6u);
    const std::string bad = write("attn_answers_3.py", "\n\nquery121 = torch.tensor([1 2])\n");
    try {
        attn::load_answer_file(bad);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()), bad + ":3: expected ']' or ',' after number, found a number");
    }
}

TEST_F(AnswerFileTest, RefusesMissingDirectoriesAndLargeFiles) {
    EXPECT_THROW(attn::load_answer_file(dir_ + "/attn_no_such_file.py"), InputError);
    try {
        attn::load_answer_file(dir_);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()), dir_ + ": not a regular file");
    }
    const std::string big = write("attn_answers_big.py", std::string((1u << 20) + 1, '#'));
    try {
        attn::load_answer_file(big);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()), big + ": file is larger than the limit of 1048576 bytes");
    }
    const std::string limit = write("attn_answers_limit.py", std::string(1u << 20, '#'));
    EXPECT_TRUE(attn::load_answer_file(limit).empty());
}

TEST_F(AnswerFileTest, RefusesAFifoWithoutBlocking) {
    const std::string path = dir_ + "/attn_answers_fifo";
    std::remove(path.c_str());
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    created_.push_back(path);
    EXPECT_THROW(attn::load_answer_file(path), InputError);
}

// ---- robustness ----------------------------------------------------------------------------------

TEST(AnswerRobustness, EveryTruncationGivesInputErrorOrSuccess) {
    const std::string python = kValidPython;
    for (std::size_t n = 0; n <= python.size(); ++n) expect_only_input_error(python.substr(0, n), false);
    const std::string json = kValidJson;
    for (std::size_t n = 0; n <= json.size(); ++n) expect_only_input_error(json.substr(0, n), true);
}

TEST(AnswerRobustness, RandomMutationsGiveInputErrorOrSuccess) {
    std::mt19937 rng(20240521);
    const std::string alphabet = "[](),.=*+-#eE0123456789 \n\\'\"{}:torchtensqu\xff\xe4\x80";
    for (int round = 0; round < 3000; ++round) {
        const bool json = round % 2 == 1;
        std::string text = json ? kValidJson : kValidPython;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % text.size();
            switch (rng() % 3) {
            case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
            case 1: text.erase(at, 1 + rng() % 8); break;
            default: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            }
            if (text.empty()) text = "[";
        }
        expect_only_input_error(text, json);
    }
}

TEST(AnswerRobustness, DeepNestingAndHugeInputsAreRefusedQuickly) {
    const std::string deep(1u << 20, '[');
    EXPECT_EQ(python_error("query121 = torch.tensor(" + deep),
              "a.py:1: lists nested deeper than 2 levels (only vectors and matrices are allowed)");
    EXPECT_EQ(json_error("{\"query121\": " + deep),
              "a.json: \"query121\" has lists nested deeper than 2 levels (only vectors and matrices are allowed)");
    EXPECT_EQ(python_error(deep), "a.py:1: unsupported statement starting with '[' (only 'name = torch.tensor([...])' lines, "
                                  "imports and comments are allowed)");
    EXPECT_EQ(python_error(std::string(1u << 20, '\n') + "x"), "a.py:1048577: unsupported statement starting with 'x' (only "
                                                                "'name = torch.tensor([...])' lines, imports and comments are allowed)");
    // Long lists are read up to the tensor limit (core/base/limits.h) and refused past it.
    std::string many = "query121 = torch.tensor([";
    for (int i = 0; i < 65535; ++i) many += "1.5, ";
    const AnswerSet a = attn::parse_python_answers(many + "2])\n", "a.py");
    EXPECT_EQ(a.at("query121").data.cols(), 65536);
    EXPECT_EQ(python_error(many + "1.5, 2])\n"), "a.py:1: query121 has 65537 items, more than the limit of 65536");
}

// Issue 23: a string that never closes is named as such, not as the name it is assigned to.
TEST(HandInSyntax, UnterminatedStringsAreNamed) {
    const attn::Dataset data = attn::notebook_dataset();
    // Nothing else assigned: the whole file fails with Python's reason (it was "unknown name 'x'").
    try {
        attn::parse_python_hand_in("x = \"\"\"abc\nstill the string\n", "a.py", data);
        FAIL() << "an unterminated triple-quoted string was accepted";
    } catch (const attn::InputError& e) {
        EXPECT_STREQ(e.what(), "a.py: unterminated string starting at line 1");
    }
    // A one-line string that never closes ends at its line: the next lines are still graded.
    const attn::HandIn hand_in = attn::parse_python_hand_in("x = 'abc\nquery121 = key[0]\n", "a.py", data);
    EXPECT_EQ(hand_in.answers.count("query121"), 1u);
    EXPECT_EQ(hand_in.syntax_error, "unterminated string literal at line 1");
    const attn::HandIn named = attn::parse_python_hand_in("query121 = torch.tensor('abc)\n", "a.py", data);
    ASSERT_EQ(named.cannot_grade.count("query121"), 1u);
    EXPECT_EQ(named.cannot_grade.at("query121"), "unterminated string literal at line 1");
}

// Why `name` cannot be graded, or that it is graded / absent.
std::string reason(const attn::HandIn& h, const std::string& name) {
    const auto it = h.cannot_grade.find(name);
    if (it != h.cannot_grade.end()) return it->second;
    return h.answers.count(name) != 0 ? "(graded)" : "(absent)";
}

// Issue 22: a syntax error gets Python's reason, on the answer whose statement it breaks, and the
// answers after it are still graded.
const char* const kOpenParenthesis =  // the reported hand-in: ')' forgotten on line 2
    "import torch\n"
    "query121 = torch.tensor([4.7, 6.5, 6.0]\n"
    "query122 = torch.tensor([[1., 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])\n"
    "\n"
    "# 1.3\n"
    "query131 = key[1] * 10\n"
    "query132 = torch.tensor([0.5, 1.25, -3.0])\n";

TEST(HandInSyntax, AnUnclosedBracketBlamesItsOwnAnswerOnly) {
    const attn::Dataset data = attn::notebook_dataset();
    const attn::HandIn h = attn::parse_python_hand_in(kOpenParenthesis, "a.py", data);
    ASSERT_EQ(h.cannot_grade.count("query121"), 1u);
    EXPECT_EQ(h.cannot_grade.at("query121"), "'(' opened at line 2 is never closed");
    EXPECT_EQ(h.cannot_grade.size(), 1u);
    for (const char* name : {"query122", "query131", "query132"}) EXPECT_EQ(h.answers.count(name), 1u) << name;
    ASSERT_EQ(h.answers.count("query131"), 1u);
    EXPECT_NEAR(h.answers.at("query131").data(0, 0), 10 * data.keys(1, 0), 1e-5);
    EXPECT_EQ(h.syntax_error, "'(' opened at line 2 is never closed");
    // A closing bracket that does not match; '[' and '{' never closed; one with nothing open.
    const attn::HandIn square = attn::parse_python_hand_in("query121 = torch.tensor([4.7, 6.5, 6.0)\nquery131 = key[1]\n", "a.py", data);
    EXPECT_EQ(reason(square, "query121"), "')' does not match '[' opened at line 1");
    EXPECT_EQ(square.answers.count("query131"), 1u);
    const attn::HandIn list = attn::parse_python_hand_in("query121 = torch.tensor([4.7,\n\nquery131 = key[1]\n", "a.py", data);
    EXPECT_EQ(reason(list, "query121"), "'[' opened at line 1 is never closed");
    EXPECT_EQ(list.answers.count("query131"), 1u);
    const attn::HandIn curly = attn::parse_python_hand_in("query121 = {1: 2\nquery131 = key[1]\n", "a.py", data);
    EXPECT_EQ(reason(curly, "query121"), "'{' opened at line 1 is never closed");
    const attn::HandIn stray = attn::parse_python_hand_in("query121 = key[0])\nquery131 = key[1]\n", "a.py", data);
    EXPECT_EQ(reason(stray, "query121"), "unmatched ')' at line 1");
    EXPECT_EQ(stray.answers.count("query131"), 1u);
}

TEST(HandInSyntax, BracketsThatCloseStillContinueLines) {
    const attn::Dataset data = attn::notebook_dataset();
    // A closed bracket is Python's continuation, even past a column-0 line that looks like `name =`.
    const attn::HandIn h = attn::parse_python_hand_in("query121 = torch.sum(key,\ndim=0)\nquery131 = key[1]\n", "a.py", data);
    EXPECT_EQ(h.cannot_grade.size(), 0u);
    EXPECT_EQ(h.answers.count("query121"), 1u);
    EXPECT_EQ(h.syntax_error, "");
    // The statement line must begin at column 0: indented lines are the bracket's continuation.
    const attn::HandIn indented =
        attn::parse_python_hand_in("query121 = torch.tensor([4.7,\n    query131 = key[1]\nquery132 = key[2]\n", "a.py", data);
    EXPECT_EQ(reason(indented, "query121"), "'[' opened at line 1 is never closed");
    EXPECT_EQ(indented.answers.count("query131"), 0u);
    EXPECT_EQ(indented.cannot_grade.count("query131"), 0u);
    EXPECT_EQ(indented.answers.count("query132"), 1u);
}

TEST(HandInSyntax, AnUnclosedBracketInADefBlamesTheAnswersCallingIt) {
    const char* const source =
        "def scaled(k):\n"
        "    q = torch.tensor([1.0, 2.0, 3.0\n"
        "    return q * k\n"
        "query121 = scaled(key[0])\n"
        "query131 = key[1] * 2\n";
    const attn::HandIn h = attn::parse_python_hand_in(source, "a.py", attn::notebook_dataset());
    EXPECT_EQ(reason(h, "query121"), "'[' opened at line 2 is never closed");
    EXPECT_EQ(h.answers.count("query131"), 1u);
}

TEST(HandInSyntax, AnUnterminatedTripleQuoteInTheMiddle) {
    const attn::Dataset data = attn::notebook_dataset();
    const char* const source =
        "query121 = key[0] * 10\n"
        "\'\'\'Part 1.3: the notes below\n"
        "were never closed\n"
        "query131 = key[1]\n"
        "m_key141 = key.clone()\n";
    const attn::HandIn h = attn::parse_python_hand_in(source, "a.py", data);
    EXPECT_EQ(reason(h, "query121"), "(graded)");
    EXPECT_EQ(reason(h, "query131"), "(graded)");
    EXPECT_EQ(reason(h, "m_key141"), "(graded)");
    EXPECT_EQ(h.syntax_error, "unterminated string starting at line 2");
    // In an answer: that answer gets the reason, the next one is graded.
    const attn::HandIn in_answer = attn::parse_python_hand_in(
        "query121 = key[0]\nquery132 = torch.tensor(\"\"\"notes\nmore notes\nm_key141 = key.clone()\n", "a.py", data);
    EXPECT_EQ(reason(in_answer, "query132"), "unterminated string starting at line 2");
    EXPECT_EQ(reason(in_answer, "m_key141"), "(graded)");
}

TEST(HandInSyntax, AnOpenBracketEndsWithItsNotebookCell) {
    nlohmann::json nb = {{"cells", nlohmann::json::array()}};
    auto code = [&](const std::string& text) { nb["cells"].push_back({{"cell_type", "code"}, {"source", text}}); };
    nb["cells"].push_back({{"cell_type", "markdown"}, {"source", "# 1.2"}});
    code("import torch\nquery121 = torch.tensor([4.7, 6.5, 6.0]\n");
    code("x = 1)\nquery122 = key[0] * 2\n");  // read on, this ')' would close cell 2's '('; Jupyter never does
    code("torch.manual_seed(0)\nquery131 = key[1]\n");
    const attn::HandIn h = attn::parse_notebook_hand_in(nb.dump(), "a.ipynb", attn::notebook_dataset());
    EXPECT_EQ(reason(h, "query121"), "'(' opened at cell 2 line 2 is never closed");
    EXPECT_EQ(h.answers.count("query122"), 1u);
    EXPECT_EQ(h.answers.count("query131"), 1u);
    EXPECT_EQ(h.syntax_error, "'(' opened at cell 2 line 2 is never closed");
}

// Found while splitting pyexpr: torch.eye(n) allocated n×n before checking the size limit, so
// torch.eye(65536) ended in std::bad_alloc (17 GB) instead of its reason.
TEST(HandInSyntax, HugeEyeIsRefusedBeforeItIsAllocated) {
#ifndef __SANITIZE_ADDRESS__  // sanitizers reserve terabytes of address space
    // 2 GiB of address space: the 17 GB allocation fails at once instead of paging.
    rlimit old{};
    ::getrlimit(RLIMIT_AS, &old);
    rlimit low = old;
    low.rlim_cur = std::min<rlim_t>(old.rlim_cur, rlim_t{2} << 30);
    ::setrlimit(RLIMIT_AS, &low);
#endif
    const attn::HandIn hand_in =
        attn::parse_python_hand_in("z = torch.eye(65536)\nquery121 = z[0, :3]\n", "a.py", attn::notebook_dataset());
    ASSERT_EQ(hand_in.cannot_grade.count("query121"), 1u);
    EXPECT_NE(hand_in.cannot_grade.at("query121").find("line 1"), std::string::npos) << hand_in.cannot_grade.at("query121");
#ifndef __SANITIZE_ADDRESS__
    ::setrlimit(RLIMIT_AS, &old);
#endif
}

// Each recovery from a bracket that is never closed reads the rest of the file again: a budget
// keeps hostile files linear, while a hand-in's few errors all recover.
TEST(HandInSyntax, ManyOpenBracketsRecoverWithoutQuadraticWork) {
    const attn::Dataset data = attn::notebook_dataset();
    std::string several;
    for (const char* name : {"query121", "query122", "query131", "query132", "m_key141"})
        several += "x = torch.tensor([1.0,\n" + std::string(name) + " = key[0]\n";
    const attn::HandIn h = attn::parse_python_hand_in(several, "a.py", data);
    EXPECT_EQ(h.answers.size(), 5u);
    EXPECT_EQ(h.syntax_error, "'[' opened at line 1 is never closed");
    const double start = attn::test::cpu_seconds();
    std::string hostile;
    for (int i = 0; i < 150000; ++i) hostile += "x = (\n";
    try {
        attn::parse_python_hand_in(hostile + "query121 = key[0]\n", "a.py", data);
    } catch (const attn::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("is never closed"), std::string::npos) << e.what();
    }
    EXPECT_LT(attn::test::cpu_seconds() - start, 10.0);
}
