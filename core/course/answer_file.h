// attnlab core: reading a student's answer file for `attnlab check FILE`.
//
// The notebook asks for six tensors (answer_names()). A student hands them in either as JSON
//   {"query121": [1, 2, 3], "query122": [[...], [...], [...], [...]]}
// or as the Python lines the course rule "please only use constants" produces:
//   query121 = torch.tensor([1.5, -2.0, 3e1])
//   query122 = 100 * torch.tensor([[1., 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], dtype=torch.float32)
//
// Accepted Python (one statement per logical line; brackets continue a line, as in Python):
//   statement := NAME '=' value | 'import' ... | 'from' ... (import lines are skipped)
//   value     := [number '*'] call | call ['*' number]        (at most one multiplier)
//   call      := 'torch' '.' 'tensor' '(' list {',' kwarg} [','] ')'
//   kwarg     := 'dtype' '=' torch.float32|torch.float|torch.float64|torch.double
//              | 'requires_grad' '=' True|False                (both ignored, each at most once)
//   list      := '[' number {',' number} [','] ']'           → vector, shape (n,)
//              | '[' row {',' row} [','] ']'                  → matrix; '[[1, 2, 3]]' is (1, 3)
//   row       := '[' number {',' number} [','] ']'
//   number    := ['+'|'-'] decimal literal (123, 1.5, .5, 5., 3e1, 1.5E-3); no inf/nan/float()
//   Blank lines, '#' comments (anywhere), '\' + newline, CRLF and a UTF-8 BOM are fine.
//
// Calling rules
// - Every problem throws attn::InputError with one line: "<where>:<line>: <problem>" when it
//   belongs to a line of a Python file, "<where>: <problem>" for JSON and whole-file problems
//   (encoding, size, duplicate names). Nothing else escapes, whatever the bytes.
// - Only the six names are allowed, each at most once; any subset (even none) is returned.
// - Values are checked to be finite, non-empty, rectangular and 1-D or 2-D; shapes are NOT
//   checked against the exercise (the checker does that and can say which exercise is wrong).
// - Vectors (shape (n,)) come back as 1×n with is_vector = true; a (1, n) matrix comes back as
//   1×n with is_vector = false, so the checker can decide whether that difference matters.
// - The functions are pure (no global mutable state) and safe to call from any thread.
#pragma once

#include "core/formats/answers.h"
#include "core/math/dataset.h"

#include <Eigen/Dense>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

// query121, query122, query131, query132, m_key141, m_key142 (notebook order).
const std::vector<std::string>& answer_names();

// `where` is the prefix of every error message (usually the file name).
AnswerSet parse_python_answers(std::string_view text, const std::string& where);
AnswerSet parse_json_answers(std::string_view text, const std::string& where);

// Reads the file (regular file, at most 1 MiB, else error), picks JSON when the first non-space
// char is '{', else Python. Errors are prefixed with the path.
AnswerSet load_answer_file(const std::string& path);

// ---- hand-ins as students really write them (issue 14) -----------------------------------------
// A hand-in graded task by task: the answers that could be computed, and for every other answer
// name that the file assigns, why it cannot be graded ("uses `os` at line 3").
struct HandIn {
    AnswerSet answers;
    std::map<std::string, std::string> cannot_grade;  // answer name → reason
    // What reading it cost, for a class's work budget (kMaxClassWork): the bytes of Python source
    // read as statements (a .py file, a notebook's code cells; 0 for constants and JSON answers)
    // and the evaluator's work on them (core/course/pyexpr.h).
    std::size_t code_bytes = 0;
    double work = 0;
    // The first syntax error of the Python source as Python words it ("'(' opened at line 2 is
    // never closed"), or empty. The answer whose statement it breaks has it as its reason; the
    // answers after it are still read (see core/course/pyexpr.h).
    std::string syntax_error;
};

// Python hand-ins. A file of constants (the grammar above) reads exactly as parse_python_answers
// does. Otherwise the file is read as the statements of core/course/pyexpr.h (never executed) over
// `data` (key, value): each answer is computed in float32 or gets its reason. The A2S1.py form
// works as the notebook: the value of `m_key` at the 1st and 2nd check_query(..., key=m_key)
// calls becomes m_key141 and m_key142 (unless the file assigns those names itself).
// Throws InputError (prefixed with `where`) for whole-file problems (encoding, NUL bytes, size,
// too many statements) and, when the file assigns none of the six answers, with its first syntax
// error ("<where>: line 1: unterminated string starting at line 1"), else with the error of
// the constant grammar (so a typo such as `query999 = ...` is still reported).
// `labels` names lines in messages (see pyexpr::LineLabels); empty means "line N".
HandIn parse_python_hand_in(std::string_view text, const std::string& where, const Dataset& data,
                            const std::vector<std::string>& labels = {});

// Jupyter notebooks (.ipynb, nbformat 4 JSON): the code cells' sources (a string or a list of
// strings) joined in order and read as parse_python_hand_in does; messages name "cell C line L"
// (C counts every cell from 1, as Jupyter lists them). Markdown and raw cells are ignored. Each
// cell is tokenized on its own, as Jupyter compiles it: a bracket left open ends with its cell.
HandIn parse_notebook_hand_in(std::string_view text, const std::string& where, const Dataset& data);

// Reads a hand-in file (regular file, at most kMaxAnswerFileBytes): .ipynb by its name, JSON
// when the first non-space character is '{', else Python.
HandIn read_hand_in(const std::string& path, const Dataset& data);

// ---- hand-ins for a pack's course (issue 22) ----------------------------------------------------
// The answer names of a course other than the notebook's six (core/course/pack.h builds them from
// a pack's tasks): `names` are looked for, `numbers` may also be a Python number or a one-element
// tensor (a temperature), and the value of `m_key` at the k-th check_query(..., key=m_key) call
// becomes key_checked[k] unless the file assigns that name itself (the A2S1.py form).
struct CourseAnswerNames {
    std::vector<std::string> names;
    std::vector<std::string> numbers;
    std::vector<std::string> key_checked;
};

// A .py hand-in's text, or an .ipynb notebook's (`notebook`: its code cells, as
// parse_notebook_hand_in reads them), read as the statements of core/course/pyexpr.h over `data`
// (key, value) with these names; the constant grammar is not tried (it knows only the notebook's
// names, and pyexpr reads constants too). Throws InputError (prefixed with `where`) for
// whole-file problems and when the file assigns none of the names.
HandIn parse_code_hand_in(std::string_view text, const std::string& where, bool notebook, const Dataset& data,
                          const CourseAnswerNames& names);

}  // namespace attn
