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
//   parser refuses its statement); an unterminated string ends at its line (a triple-quoted one at
//   the end of the file) and is marked `unterminated`. The tokens always end
//   with T::Newline then T::End; a token that starts a logical line carries its indentation
//   (tabs to the next multiple of 8), every other token has indent -1.
// - split_statements() throws InputError only for more than kMaxStatements statements.
// - Both are pure functions of their input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attn::pyexpr::detail {

enum class T { Name, Number, String, Op, Bad, Newline, End };

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
};

struct Statement {
    std::vector<Token> tokens;
    int indent = 0;
    int line = 1;
};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_op(const Token& t, std::string_view op) { return t.kind == T::Op && t.text == op; }
inline bool is_name(const Token& t, std::string_view name) { return t.kind == T::Name && t.text == name; }

std::vector<Token> tokenize(std::string_view text);

std::vector<Statement> split_statements(const std::vector<Token>& tokens);

}  // namespace attn::pyexpr::detail
