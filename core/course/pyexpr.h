// attnlab core: the tensor expressions students write in their answers, read and computed
// without ever being executed.
//
// A hand-in of the course notebook writes answers as expressions over the notebook's data:
//   query121 = key[0] * 100
//   query122 = 5e5 * (onehot @ key @ torch.linalg.inv(key.T @ key))
//   m_key142 = key.clone(); m_key142[2] = query132; m_key142[2] /= m_key142[2].norm()
// run_script() reads such a file statement by statement (tokenizer → parser → AST → evaluator)
// and computes every name in float32 with PyTorch's semantics: broadcasting, shapes (3,) vs
// (1, 3), Python numbers kept in double until they meet a tensor, then cast to float32.
//
// The subset (anything else makes the statement, and every name assigned by it, "cannot be
// graded: uses `<construct>` at line N"):
//   names        the given data (key, value), every name assigned above, `torch`
//   literals     decimal ints and floats (1, 2.5, .5, 3e1)
//   operators    + - * / @ ** (binary), - + (unary), ( ), indexing a[i], a[i, j], a[:2], a[1:, ::2]
//   torch.       tensor zeros ones eye stack cat zeros_like ones_like softmax norm
//                linalg.lstsq (.solution or [0], also kept in a name: q = ...; q[0]) linalg.inv
//                linalg.norm; the function forms of methods, torch.f(x, ...) as x.f(...): mean
//                sum matmul transpose t norm clone squeeze unsqueeze reshape max (the tensor also as
//                input=, matmul's operand also as other=)
//   methods      .clone() .T .t() .transpose(a, b) .unsqueeze(d) .squeeze([d]) .reshape(...)
//                .view(...) .mean([dim]) .sum([dim]) .max() .norm() .softmax(dim) .detach()
//                .matmul(b), with dim= and keepdim= where torch takes them
//   shapes       .shape and .size() (a torch.Size: indexed, sliced, or given whole as sizes:
//                torch.zeros(x.shape), x.reshape(y.shape); also kept in a name), .size(d), .ndim,
//                len(x); float(x)
//   statements   NAME = e, NAME op= e, NAME[index] = e, NAME[index] op= e (op: + - * / @; NAME @= e
//                rebinds NAME to a new tensor of any shape: torch 1.13 has no in-place matmul),
//                imports, comments, blank lines, `;`, `\` continuations, bracketed continuations,
//                expression statements (print(...), check_query(...): skipped, never evaluated),
//                IPython lines (%..., !...) are skipped.
//   def          helper functions: `def f(a, b):` (positional parameters, annotations ignored)
//                with a straight-line body (the statements above) ending in `return e`; called as
//                f(e1, e2) or f(e1, b=e2) from an answer or from another def. Each call has its own
//                scope: the names a body assigns are local for the whole call (they shadow globals,
//                even the notebook's key, and never leak out); other globals are read at call
//                time. In-place changes inside a def only of tensors the def made (a parameter's or
//                a global's memory would change the caller's). Refused with the construct and line,
//                for the answers that call it only: if/for/while/with/try, nested defs, lambdas,
//                decorators, default values, *args/**kwargs, a body on the def's line, no return,
//                "recursive call to 'f' at line N", calls nested deeper than 20 levels.
//                The notebook's own attention/check_query defs are skipped.
//   Tensors have rank 0, 1 or 2, at most kMaxTensorRows rows and kMaxTensorElements numbers.
//
// Calling rules
// - Nothing is executed and no file is touched: the evaluator only knows the functions above.
// - run_script() never throws for the content of a statement: each failure is recorded on the
//   names that statement assigns (Binding::problem), and every later use of such a name carries
//   the same problem.
// - Syntax errors get Python's reason on the name their statement assigns (or on the def they
//   break, and so on every answer calling it): "'(' opened at line 2 is never closed", "')' does
//   not match '[' opened at line 2", "unmatched ')' at line 2", "unterminated string literal at
//   line 3", "unterminated string starting at line 1" (triple quotes). Reading goes on at the next
//   statement; a bracket or triple-quoted string that never closes ends at the first later line
//   that begins at column 0 with a new statement (the rule is in pyexpr_tokens.h). It throws InputError only for the whole source being over the limits
//   (kMaxScriptBytes, kMaxStatements).
// - Errors PyTorch would raise as well (shapes that do not broadcast, an index out of range, a
//   singular matrix) are reported as "<line>: <problem> (PyTorch raises an error here too)";
//   division by zero follows torch (inf/nan) in tensors and Python (error) in plain numbers.
// - Assigning to a given name (key, value) before any other assignment is the notebook's setup
//   and is skipped (the data are fixed by the course); later it makes that name ungradable.
// - Changing a tensor in place (m[2] = ..., m += ...) while another name shares its memory
//   (m = key, r = m[2]) makes both ungradable rather than guessing PyTorch's aliasing.
// - Work is bounded (kMaxScriptWork multiply-adds, kMaxExpressionDepth nesting): hostile input
//   gets a clear problem, never a hang or a crash. Pure functions; no global mutable state.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace attn::pyexpr {

inline constexpr std::size_t kMaxScriptBytes = std::size_t{1} << 20;  // as kMaxAnswerFileBytes
inline constexpr int kMaxStatements = 20000;
inline constexpr int kMaxExpressionDepth = 100;  // brackets, calls, unary signs and chained operators
inline constexpr double kMaxScriptWork = 2e8;           // multiply-adds over the whole script

// A float32 tensor of rank 0 ({}), 1 ({n}) or 2 ({rows, cols}), row-major.
struct Tensor {
    std::vector<int> shape;
    std::vector<float> data;
};

// "()", "(3,)", "(4, 3)".
std::string shape_text(const std::vector<int>& shape);

// Messages name lines as "line N", or through labels[N - 1] when given ("cell 3 line 2").
using LineLabels = std::vector<std::string>;

// What a name holds after the script: a tensor, a Python number, or why it cannot be graded.
struct Binding {
    bool ok = false;
    bool is_number = false;  // a Python int/float (value holds it as a 0-dim tensor too)
    double number = 0;
    Tensor value;
    std::string problem;  // when !ok, e.g. "uses `os` at line 3"
    int line = 0;         // line of the statement that last assigned the name
};

struct ScriptResult {
    std::map<std::string, Binding> names;  // every name assigned by the script
    // The notebook's cells end in check_query(..., key=m_key): the binding of that key name at
    // each such call, in order (1.4.1 then 1.4.2 in the A2S1.py form).
    std::vector<Binding> key_checks;
    // The work the evaluation counted against kMaxScriptWork (it stops just past the limit).
    double work = 0;
    // The first syntax error of the source in Python's words ("'(' opened at line 2 is never
    // closed"), or empty. The statement it breaks gives the same reason to the name it assigns.
    std::string syntax_error;
};

// Runs (reads) the statements of `source`. `given` are the notebook's data (key, value),
// read-only. Throws InputError only for whole-source limits (see the calling rules).
// `cell_first_lines` (ascending, 1-based): where each notebook cell starts in `source`; each cell
// is then tokenized on its own, so a bracket left open in one cell never swallows the next.
ScriptResult run_script(std::string_view source, const std::map<std::string, Tensor>& given,
                        const LineLabels& labels = {}, const std::vector<int>& cell_first_lines = {});

// One expression over `names` (tests, the fuzzer). Throws InputError("<problem>") for anything
// that cannot be graded, with the same wording as Binding::problem. A Python number result is
// returned as a 0-dim tensor.
Tensor evaluate(std::string_view expression, const std::map<std::string, Tensor>& names);

}  // namespace attn::pyexpr
