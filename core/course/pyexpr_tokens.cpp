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
    explicit Tokenizer(std::string_view text) : text_(text) {}

    std::vector<Token> run() {
        std::vector<Token> out;
        bool line_start = true;
        while (true) {
            const int indent = line_start && depth_ == 0 ? skip_indent() : -1;
            skip_blanks();
            if (pos_ >= text_.size()) break;
            const char c = text_[pos_];
            if (c == '\n') {
                ++pos_;
                if (depth_ == 0 && !line_start) out.push_back(Token{T::Newline, "", line_, -1});
                ++line_;
                line_start = depth_ == 0 ? true : line_start;
                continue;
            }
            Token t = next();
            if (line_start) t.indent = indent < 0 ? 0 : indent;
            line_start = false;
            out.push_back(std::move(t));
        }
        out.push_back(Token{T::Newline, "", line_, -1});
        out.push_back(Token{T::End, "", line_, -1});
        return out;
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
            } else if (c == '\n' && depth_ > 0) {
                ++pos_;
                ++line_;
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
            t.kind = lex_operator() ? T::Op : T::Bad;
        }
        t.text = std::string(text_.substr(start, pos_ - start));
        return t;
    }

    // Moves past a string literal; marks `t` unterminated when it never closes.
    void lex_string(Token& t) {
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
                if (!triple) return;  // unterminated: the statement fails on the string
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
    }

    bool lex_operator() {
        static const char* const kOps[] = {"**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=",
                                           "+=", "-=", "*=", "/=", "@=", "%=", "&=", "|=", "^=", "->", ":=", "<<",
                                           ">>", "+", "-", "*", "/", "@", "%", "(", ")", "[", "]", "{", "}", ",",
                                           ":", ".", ";", "=", "<", ">", "&", "|", "^", "~"};
        for (const char* op : kOps) {
            const std::string_view o(op);
            if (text_.substr(pos_, o.size()) == o) {
                pos_ += o.size();
                if (o == "(" || o == "[" || o == "{") ++depth_;
                if ((o == ")" || o == "]" || o == "}") && depth_ > 0) --depth_;
                return true;
            }
        }
        // One character (a whole UTF-8 sequence) that Python does not know here.
        ++pos_;
        while (pos_ < text_.size() && (static_cast<unsigned char>(text_[pos_]) & 0xC0) == 0x80) ++pos_;
        return false;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int depth_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text) { return Tokenizer(text).run(); }

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
