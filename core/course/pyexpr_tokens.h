// attnlab core, internal: the first step of pyexpr (pyexpr.h): Python source → tokens → the
// statements of the script. Not part of the public API.
//
// tokenize() reads Python's lexical rules as far as the subset needs them: names, numbers,
// strings (with their prefixes and triple quotes), operators, comments, `\` continuations,
// newlines inside brackets, and the indentation of each logical line. split_statements() cuts
// the tokens into statements at the ends of logical lines and at top-level `;`.
//
// Calling rules
// - tokenize() never throws: a character Python does not know here becomes a T::Bad token (the
//   parser refuses its statement). Syntax errors are tokens too, marked with `syntax` (Python's
//   reason, see Syntax), and the tokenizer recovers after them:
//   * a bracket that is never closed (or a triple-quoted string that never ends) swallows lines,
//     as in Python, but only up to the first later line that begins at column 0 with a new
//     statement (see starts_statement below: `name =`, `name[...] =`, `name op=`, def, class,
//     import, from, `#`, print(, check_query(). The broken statement ends there with a T::Bad
//     token marked NeverClosed (or the string token marked UnterminatedTriple), and tokenizing
//     starts afresh at that line. With no such line, the statement runs to the end of the file.
//     A bracket that closes, however far away, is Python's continuation and is never cut.
//     Each recovery reads the rest of the text again; past a budget (twice the text plus
//     256 KiB) the broken statement runs to the end of the file, so the work stays linear.
//   * a closing bracket that does not match the innermost open one is a T::Bad token marked
//     Mismatch and closes it (the usual typo: `[1, 2)`); one with nothing open is Unmatched.
//   * a one-line string that meets the end of its line ends there (UnterminatedString).
//   The tokens always end
//   with T::Newline then T::End; a token that starts a logical line carries its indentation
//   (tabs to the next multiple of 8), every other token has indent -1.
// - split_statements() throws InputError only for more than kMaxStatements statements.
// - Both are pure functions of their input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace attn::pyexpr::detail {

enum class T { Name, Number, String, Op, Bad, Newline, End };

// Python's syntax errors that the tokenizer finds (the reason its statement cannot be read).
enum class Syntax { None, NeverClosed, Mismatch, Unmatched, UnterminatedString, UnterminatedTriple };

struct Token {
    T kind = T::End;
    std::string text;
    int line = 1;
    int indent = -1;  // indentation of its logical line when it starts one, else -1
    // A T::String that never closes: a quote that meets the end of its line, or a triple quote
    // that meets the end of the file (end_line: the line where the tokenizer gave up).
    bool unterminated = false;
    bool triple = false;
    int end_line = 1;
    Syntax syntax = Syntax::None;
    char opener = 0;    // NeverClosed, Mismatch: the open bracket ('(', '[' or '{')
    int open_line = 0;  // and its line
};

struct Statement {
    std::vector<Token> tokens;
    int indent = 0;
    int line = 1;
};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_op(const Token& t, std::string_view op) { return t.kind == T::Op && t.text == op; }
inline bool is_name(const Token& t, std::string_view name) { return t.kind == T::Name && t.text == name; }

// `first_line` numbers the lines of `text` (a notebook cell that starts further down a script).
std::vector<Token> tokenize(std::string_view text, int first_line = 1);

// Whether the line starting at text[pos] begins at column 0 with a new statement (the recovery
// rule above). Exposed for the tests.
bool starts_statement(std::string_view text, std::size_t pos);

std::vector<Statement> split_statements(const std::vector<Token>& tokens);

}  // namespace attn::pyexpr::detail
