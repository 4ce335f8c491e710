// Python source → tokens → statements (pyexpr_tokens.h).
#include "core/course/pyexpr_tokens.h"

#include "core/base/error.h"
#include "core/course/pyexpr.h"

#include <cstddef>
#include <utility>

namespace attn::pyexpr::detail {

namespace {

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

bool is_string_prefix(std::string_view s) {
    if (s.size() > 2) return false;
    for (char c : s)
        if (std::string_view("rRbBuUfF").find(c) == std::string_view::npos) return false;
    return true;
}

class Tokenizer {
public:
    Tokenizer(std::string_view text, int first_line) : text_(text), line_(first_line) {}

    std::vector<Token> run() {
        bool line_start = true;
        while (true) {
            const int indent = line_start && open_.empty() ? skip_indent() : -1;
            skip_blanks();
            if (pos_ >= text_.size()) {
                if (open_.empty() || !recover_never_closed()) break;
                line_start = true;
                continue;
            }
            const char c = text_[pos_];
            if (c == '\n') {
                ++pos_;
                if (open_.empty() && !line_start) out_.push_back(Token{T::Newline, "", line_, -1});
                ++line_;
                line_start = open_.empty() ? true : line_start;
                continue;
            }
            Token t = next();
            if (line_start) t.indent = indent < 0 ? 0 : indent;
            line_start = false;
            const bool string_cut = t.syntax == Syntax::UnterminatedTriple && pos_ < text_.size();
            out_.push_back(std::move(t));
            if (string_cut) {  // recovered at a statement line: the broken statement ends here
                out_.push_back(Token{T::Newline, "", line_ - 1, -1});
                open_.clear();
                cut_ = Cut{};
                line_start = true;
            }
        }
        if (!open_.empty()) {  // never closed, and no statement line to recover at
            out_.push_back(never_closed(open_.back().first, open_.back().second, line_));
            open_.clear();
        }
        out_.push_back(Token{T::Newline, "", line_, -1});
        out_.push_back(Token{T::End, "", line_, -1});
        return std::move(out_);
    }

private:
    int skip_indent() {
        int n = 0;
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) {
            n += text_[pos_] == '\t' ? 8 - n % 8 : 1;
            ++pos_;
        }
        return n;
    }

    // Spaces, comments, '\' + newline, and (inside brackets) newlines are not tokens.
    void skip_blanks() {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                ++pos_;
            } else if (c == '#') {
                while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
            } else if (c == '\\' && pos_ + 1 < text_.size() && (text_[pos_ + 1] == '\n' || text_[pos_ + 1] == '\r')) {
                pos_ += 1;
                if (text_[pos_] == '\r') ++pos_;
                if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
                ++line_;
            } else if (c == '\n' && !open_.empty()) {
                ++pos_;
                ++line_;
                if (!cut_.valid && starts_statement(text_, pos_))
                    cut_ = Cut{true, pos_, line_, out_.size(), open_.back().first, open_.back().second};
            } else {
                return;
            }
        }
    }

    Token next() {
        Token t;
        t.line = line_;
        const std::size_t start = pos_;
        const char c = text_[pos_];
        if (is_name_start(c)) {
            while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
            if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"') &&
                is_string_prefix(text_.substr(start, pos_ - start))) {
                lex_string(t);
                t.kind = T::String;
            } else {
                t.kind = T::Name;
            }
        } else if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
            while (pos_ < text_.size() && (is_name_char(text_[pos_]) || text_[pos_] == '.' ||
                                           ((text_[pos_] == '+' || text_[pos_] == '-') &&
                                            (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E'))))
                ++pos_;
            t.kind = T::Number;
        } else if (c == '\'' || c == '"') {
            lex_string(t);
            t.kind = T::String;
        } else {
            t.kind = lex_operator(t) ? T::Op : T::Bad;
        }
        t.text = std::string(text_.substr(start, pos_ - start));
        return t;
    }

    // Moves past a string literal; marks `t` unterminated when it never closes.
    void lex_string(Token& t) {
        const std::size_t start = pos_;
        const char quote = text_[pos_];
        const bool triple = text_.substr(pos_, 3) == std::string(3, quote);
        t.triple = triple;
        pos_ += triple ? 3 : 1;
        t.unterminated = true;
        t.end_line = line_;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '\\' && pos_ + 1 < text_.size()) {
                if (text_[pos_ + 1] == '\n') ++line_;
                pos_ += 2;
                continue;
            }
            if (c == '\n') {
                if (!triple) {  // unterminated: the statement fails on the string
                    t.syntax = Syntax::UnterminatedString;
                    return;
                }
                ++line_;
                t.end_line = line_;
            }
            if (c == quote && (!triple || text_.substr(pos_, 3) == std::string(3, quote))) {
                pos_ += triple ? 3 : 1;
                t.unterminated = false;
                return;
            }
            ++pos_;
        }
        // The end of the file: Python names the last line with text, not the empty one after it.
        if (t.end_line > t.line && text_.back() == '\n') --t.end_line;
        if (!triple) return;
        t.syntax = Syntax::UnterminatedTriple;
        // Recovery (see the header): the string ends before the next statement line, if any.
        std::size_t p = text_.find('\n', start);
        int line = t.line;
        while (p != std::string_view::npos && !starts_statement(text_, p + 1)) {
            p = text_.find('\n', p + 1);
            ++line;
        }
        if (p == std::string_view::npos) return;
        pos_ = p + 1;
        line_ = line + 1;
    }

    bool lex_operator(Token& t) {
        static const char* const kOps[] = {"**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=",
                                           "+=", "-=", "*=", "/=", "@=", "%=", "&=", "|=", "^=", "->", ":=", "<<",
                                           ">>", "+", "-", "*", "/", "@", "%", "(", ")", "[", "]", "{", "}", ",",
                                           ":", ".", ";", "=", "<", ">", "&", "|", "^", "~"};
        for (const char* op : kOps) {
            const std::string_view o(op);
            if (text_.substr(pos_, o.size()) == o) {
                pos_ += o.size();
                if (o == "(" || o == "[" || o == "{") {
                    if (open_.empty()) cut_ = Cut{};
                    open_.emplace_back(o[0], line_);
                }
                if (o == ")" || o == "]" || o == "}") return close_bracket(o[0], t);
                return true;
            }
        }
        // One character (a whole UTF-8 sequence) that Python does not know here.
        ++pos_;
        while (pos_ < text_.size() && (static_cast<unsigned char>(text_[pos_]) & 0xC0) == 0x80) ++pos_;
        return false;
    }

    // A closing bracket: false (a T::Bad token marked with the reason) unless it closes the
    // innermost open bracket. A mismatch closes it anyway, as the typo `[1, 2)` meant.
    bool close_bracket(char close, Token& t) {
        if (open_.empty()) {
            t.syntax = Syntax::Unmatched;
            return false;
        }
        const auto [opener, line] = open_.back();
        open_.pop_back();
        if (open_.empty()) cut_ = Cut{};
        if ((opener == '(' && close == ')') || (opener == '[' && close == ']') || (opener == '{' && close == '}')) return true;
        t.syntax = Syntax::Mismatch;
        t.opener = opener;
        t.open_line = line;
        return false;
    }

    static Token never_closed(char opener, int open_line, int line) {
        Token t{T::Bad, std::string(1, opener), line, -1};
        t.syntax = Syntax::NeverClosed;
        t.opener = opener;
        t.open_line = open_line;
        return t;
    }

    // The end of the text inside brackets: the statement ends at the first statement line after
    // its outermost open bracket (cut_), and tokenizing starts again there. False: no such line.
    bool recover_never_closed() {
        if (!cut_.valid) return false;
        // Each recovery reads the rest of the text again: a budget keeps a file of many open
        // brackets linear (past it, the last broken statement runs to the end of the file).
        rescanned_ += text_.size() - cut_.pos;
        if (rescanned_ > kRescanFactor * text_.size() + kRescanBytes) return false;
        out_.resize(cut_.tokens);
        out_.push_back(never_closed(cut_.opener, cut_.open_line, cut_.line - 1));
        out_.push_back(Token{T::Newline, "", cut_.line - 1, -1});
        pos_ = cut_.pos;
        line_ = cut_.line;
        open_.clear();
        cut_ = Cut{};
        return true;
    }

    // Where a never-closed bracket's statement would end: the first statement line inside the
    // outermost bracket group, the innermost bracket open there, and the tokens before it.
    struct Cut {
        bool valid = false;
        std::size_t pos = 0;
        int line = 0;
        std::size_t tokens = 0;
        char opener = 0;
        int open_line = 0;
    };

    std::string_view text_;
    std::size_t pos_ = 0;
    int line_ = 1;
    std::vector<std::pair<char, int>> open_;  // the open brackets and their lines, innermost last
    Cut cut_;
    std::vector<Token> out_;
    std::size_t rescanned_ = 0;
    static constexpr std::size_t kRescanFactor = 2, kRescanBytes = std::size_t{1} << 18;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text, int first_line) { return Tokenizer(text, first_line).run(); }

bool starts_statement(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) return false;
    if (text[pos] == '#') return true;
    if (!is_name_start(text[pos])) return false;
    std::size_t end = pos;
    while (end < text.size() && is_name_char(text[end])) ++end;
    const std::string_view word = text.substr(pos, end - pos);
    auto skip_spaces = [&](std::size_t p) {
        while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
        return p;
    };
    std::size_t p = skip_spaces(end);
    const char next = p < text.size() ? text[p] : '\n';
    if ((word == "def" || word == "class" || word == "import" || word == "from") && p > end) return true;
    if ((word == "print" || word == "check_query") && next == '(') return true;
    if (next == '[') {  // name[...] = : the index closes on the same line
        int depth = 0;
        for (; p < text.size() && text[p] != '\n'; ++p) {
            if (text[p] == '[') ++depth;
            if (text[p] == ']' && --depth == 0) break;
        }
        if (p >= text.size() || text[p] != ']') return false;
        p = skip_spaces(p + 1);
    }
    if (p < text.size() && text[p] == '=') return p + 1 >= text.size() || text[p + 1] != '=';
    return p + 1 < text.size() && text[p + 1] == '=' && std::string_view("+-*/@").find(text[p]) != std::string_view::npos;
}

std::vector<Statement> split_statements(const std::vector<Token>& tokens) {
    std::vector<Statement> out;
    Statement current;
    int indent = 0, depth = 0;
    auto flush = [&] {
        if (!current.tokens.empty()) {
            current.indent = indent;
            current.line = current.tokens.front().line;
            out.push_back(std::move(current));
            if (out.size() > static_cast<std::size_t>(kMaxStatements))
                throw InputError("more than " + std::to_string(kMaxStatements) + " statements (the limit)");
        }
        current = Statement{};
    };
    for (const Token& t : tokens) {
        if (t.indent >= 0) indent = t.indent;
        if (t.kind == T::Newline || t.kind == T::End) {
            flush();
            depth = 0;
            continue;
        }
        if (t.kind == T::Op && (t.text == "(" || t.text == "[" || t.text == "{")) ++depth;
        if (t.kind == T::Op && (t.text == ")" || t.text == "]" || t.text == "}") && depth > 0) --depth;
        if (depth == 0 && is_op(t, ";")) {
            flush();
            continue;
        }
        current.tokens.push_back(t);
    }
    return out;
}

}  // namespace attn::pyexpr::detail
