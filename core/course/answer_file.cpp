#include "core/course/answer_file.h"

#include "core/math/attention.h"
#include "core/base/error.h"
#include "core/base/json_io.h"
#include "core/base/limits.h"
#include "core/course/pyexpr.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attn {

namespace {

// Formats "<where>:<line>: <problem>" (or "<where>: <problem>" for line 0) and throws.
class Reporter {
public:
    explicit Reporter(const std::string& where) : where_(printable_path(where)) {}
    [[noreturn]] void fail(int line, const std::string& problem) const {
        if (line > 0) throw InputError(where_ + ":" + std::to_string(line) + ": " + problem);
        throw InputError(where_ + ": " + problem);
    }

private:
    std::string where_;
};

bool is_answer_name(std::string_view name) {
    const auto& names = answer_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string expected_names() {
    std::string out;
    for (const auto& name : answer_names()) out += (out.empty() ? "" : ", ") + name;
    return out;
}

std::string single_quoted(std::string_view text) { return "'" + printable(text) + "'"; }

// Rejects NUL bytes and anything that is not well-formed UTF-8 (no overlongs, no surrogates,
// nothing above U+10FFFF), naming the line of the first bad byte.
void check_text(std::string_view text, const Reporter& report) {
    int line = 1;
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n') ++line;
        if (c == 0) report.fail(0, "contains a NUL byte on line " + std::to_string(line) + " (not a text file)");
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        }
        bool ok = length != 0 && i + length <= text.size();
        for (std::size_t k = 1; ok && k < length; ++k) {
            const unsigned char d = static_cast<unsigned char>(text[i + k]);
            ok = k == 1 ? (d >= lo && d <= hi) : (d >= 0x80 && d <= 0xBF);
        }
        if (!ok) report.fail(0, "not UTF-8 text (first invalid byte on line " + std::to_string(line) + ")");
        i += length;
    }
}

std::string_view strip_bom(std::string_view text) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    return text;
}

// One element of an outer list: a number (vector) or a row of numbers (matrix).
struct Item {
    bool is_row = false;
    double value = 0.0;
    std::vector<double> row;
    int line = 0;
};

// Shared by both formats: checks "non-empty, rectangular, not mixed" and builds the tensor.
// `label` names the answer in messages (query122 for Python, "query122" for JSON).
// The limits of core/base/limits.h on one finished tensor (after any multiplier).
void check_limits(const AnswerTensor& t, int line, const std::string& label, const Reporter& report) {
    if (t.data.rows() > kMaxTensorRows || t.data.size() > kMaxTensorElements)
        report.fail(line, label + " has " + std::to_string(t.data.size()) + " numbers in " +
                              std::to_string(t.data.rows()) + " rows, more than the limit of " +
                              std::to_string(kMaxTensorRows) + " rows and " + std::to_string(kMaxTensorElements) +
                              " numbers");
    try {
        require_magnitude(t.data, label, t.is_vector, kMaxMagnitude);
    } catch (const InputError& e) {
        report.fail(line, e.what());
    }
}

AnswerTensor build_tensor(const std::vector<Item>& items, int list_line, const std::string& label,
                          const Reporter& report) {
    if (items.empty()) report.fail(list_line, label + " is an empty list");
    if (items.size() > static_cast<std::size_t>(kMaxTensorElements))
        report.fail(list_line, label + " has " + std::to_string(items.size()) + " items, more than the limit of " +
                                   std::to_string(kMaxTensorElements));
    AnswerTensor t;
    if (!items[0].is_row) {
        t.is_vector = true;
        t.data.resize(1, static_cast<Eigen::Index>(items.size()));
        for (std::size_t k = 0; k < items.size(); ++k) {
            if (items[k].is_row)
                report.fail(items[k].line, label + " item " + std::to_string(k + 1) +
                                               " is a list but item 1 is a number (mixing numbers and lists)");
            t.data(0, static_cast<Eigen::Index>(k)) = items[k].value;
        }
        return t;
    }
    const std::size_t cols = items[0].row.size();
    if (cols == 0) report.fail(items[0].line, label + " row 1 is empty");
    // Before allocating rows × cols: row 1's length alone must not size the matrix.
    if (items.size() > static_cast<std::size_t>(kMaxTensorRows) ||
        items.size() * cols > static_cast<std::size_t>(kMaxTensorElements))
        report.fail(list_line, label + " is " + std::to_string(items.size()) + "×" + std::to_string(cols) +
                                   ", more than the limit of " + std::to_string(kMaxTensorRows) + " rows and " +
                                   std::to_string(kMaxTensorElements) + " numbers");
    t.data.resize(static_cast<Eigen::Index>(items.size()), static_cast<Eigen::Index>(cols));
    for (std::size_t r = 0; r < items.size(); ++r) {
        const Item& item = items[r];
        if (!item.is_row)
            report.fail(item.line, label + " row " + std::to_string(r + 1) +
                                       " is a number but row 1 is a list (mixing numbers and lists)");
        if (item.row.size() != cols)
            report.fail(item.line, label + " row " + std::to_string(r + 1) + " has " + std::to_string(item.row.size()) +
                                       " numbers, expected " + std::to_string(cols) + " like row 1");
        for (std::size_t c = 0; c < cols; ++c)
            t.data(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = item.row[c];
    }
    return t;
}

// ---------------------------------------------------------------------------------------------
// Python: a tokenizer that mirrors Python's "newlines inside brackets don't end a statement",
// and a recursive-descent parser whose nesting is fixed by the grammar (depth ≤ 2 lists).

enum class Tok { Name, Number, LParen, RParen, LBracket, RBracket, Comma, Equals, Star, Dot, Plus, Minus, Newline, End };

struct Token {
    Tok kind = Tok::End;
    std::string_view text;
    int line = 1;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

class Lexer {
public:
    Lexer(std::string_view text, const Reporter& report) : text_(text), report_(report) {}

    Token next() {
        skip_blanks();
        Token t;
        t.line = line_;
        if (pos_ >= text_.size()) return t;
        const char c = text_[pos_];
        if (c == '\n') {  // only reached at bracket depth 0 (skip_blanks eats the others)
            ++pos_;
            ++line_;
            t.kind = Tok::Newline;
            return t;
        }
        const std::size_t start = pos_;
        if (is_name_start(c)) {
            while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
            t.kind = Tok::Name;
        } else if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
            lex_number();
            t.kind = Tok::Number;
        } else {
            ++pos_;
            switch (c) {
            case '(': t.kind = Tok::LParen; ++depth_; break;
            case '[': t.kind = Tok::LBracket; ++depth_; break;
            case ')': t.kind = Tok::RParen; depth_ = depth_ > 0 ? depth_ - 1 : 0; break;
            case ']': t.kind = Tok::RBracket; depth_ = depth_ > 0 ? depth_ - 1 : 0; break;
            case ',': t.kind = Tok::Comma; break;
            case '=': t.kind = Tok::Equals; break;
            case '*': t.kind = Tok::Star; break;
            case '.': t.kind = Tok::Dot; break;
            case '+': t.kind = Tok::Plus; break;
            case '-': t.kind = Tok::Minus; break;
            default:
                if (static_cast<unsigned char>(c) >= 0x80) report_.fail(line_, "unexpected non-ASCII character");
                if (c == '\'' || c == '"') report_.fail(line_, "unexpected quote (strings are not allowed here)");
                report_.fail(line_, "unexpected character " + single_quoted(std::string_view(&c, 1)));
            }
        }
        t.text = text_.substr(start, pos_ - start);
        return t;
    }

    // After 'import' / 'from': skip to the end of the logical line without tokenizing, so any
    // import Python accepts is skipped (parenthesized name lists may span lines).
    void skip_rest_of_statement() {
        const int start_line = line_;
        int depth = 0;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '\n' && depth == 0) return;  // the Newline token ends the statement
            // "import os; os.system(...)": a second statement is refused like any other.
            if (c == ';' && depth == 0 && !only_blanks_until_newline(pos_ + 1))
                report_.fail(line_, "a statement after ';' on an import line (one statement per line)");
            if (c == '#') {
                while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
                continue;
            }
            if (c == '\\') {  // backslash + newline continues the import
                std::size_t k = pos_ + 1;
                if (k < text_.size() && text_[k] == '\r') ++k;
                if (k < text_.size() && text_[k] == '\n') {
                    pos_ = k + 1;
                    ++line_;
                    continue;
                }
            }
            if (c == '\n') ++line_;
            if (c == '(') ++depth;
            if (c == ')' && depth > 0) --depth;
            ++pos_;
        }
        if (depth > 0) report_.fail(start_line, "'(' in this import is never closed (end of file reached)");
    }

private:
    // True when only spaces, tabs, CR or a comment follow pos up to the end of the line.
    bool only_blanks_until_newline(std::size_t pos) const {
        for (; pos < text_.size() && text_[pos] != '\n'; ++pos) {
            if (text_[pos] == '#') return true;
            if (text_[pos] != ' ' && text_[pos] != '\t' && text_[pos] != '\r' && text_[pos] != ';') return false;
        }
        return true;
    }

    // Whitespace, comments, backslash continuations, and newlines inside brackets.
    void skip_blanks() {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++pos_;
            } else if (c == '#') {
                while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
            } else if (c == '\n' && depth_ > 0) {
                ++pos_;
                ++line_;
            } else if (c == '\\') {
                std::size_t k = pos_ + 1;
                if (k < text_.size() && text_[k] == '\r') ++k;
                if (k >= text_.size() || text_[k] != '\n') report_.fail(line_, "unexpected character '\\'");
                pos_ = k + 1;
                ++line_;
            } else {
                return;
            }
        }
    }

    // digits ['.' digits] [('e'|'E') ['+'|'-'] digits], or '.' digits [exponent].
    void lex_number() {
        while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '.') {
            ++pos_;
            while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
            if (pos_ >= text_.size() || !is_digit(text_[pos_])) report_.fail(line_, "malformed number (exponent has no digits)");
            while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
        }
        // 0x10, 1_000, 1j, 1.2.3: Python either rejects them or they are not plain decimals.
        if (pos_ < text_.size() && (is_name_char(text_[pos_]) || text_[pos_] == '.'))
            report_.fail(line_, "malformed number (only plain decimal numbers like 1, -2.5 or 3e-1 are allowed)");
    }

    std::string_view text_;
    const Reporter& report_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int depth_ = 0;  // open '(' and '[' — newlines inside them continue the statement
};

// Converts a lexed decimal literal. from_chars is locale-independent; it reports both overflow
// and underflow as out_of_range, so tell them apart by the literal's decimal magnitude.
bool literal_to_double(std::string_view s, double& out) {
    const auto result = std::from_chars(s.data(), s.data() + s.size(), out);
    if (result.ec == std::errc() && result.ptr == s.data() + s.size()) return std::isfinite(out);
    if (result.ec != std::errc::result_out_of_range) return false;
    // magnitude = exponent of the first significant digit + the literal's exponent.
    long long magnitude = 0;
    bool seen_point = false, seen_digit = false;
    long long int_digits = 0, leading_fraction_zeros = 0;
    std::size_t i = 0;
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
        if (s[i] == '.') {
            seen_point = true;
        } else if (!seen_point) {
            if (seen_digit || s[i] != '0') {
                seen_digit = true;
                ++int_digits;
            }
        } else if (!seen_digit) {
            if (s[i] == '0') ++leading_fraction_zeros;
            else seen_digit = true;
        }
    }
    magnitude = int_digits > 0 ? int_digits - 1 : -(leading_fraction_zeros + 1);
    long long exponent = 0;
    bool negative = false;
    if (i < s.size()) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
        for (; i < s.size(); ++i) exponent = std::min<long long>(exponent * 10 + (s[i] - '0'), 1000000000LL);
    }
    magnitude += negative ? -exponent : exponent;
    if (magnitude > 0) return false;  // overflow: not finite
    out = 0.0;                        // underflow: Python rounds it to 0.0 too
    return true;
}

std::string describe(const Token& t) {
    switch (t.kind) {
    case Tok::Name: return single_quoted(t.text);
    case Tok::Number: return "a number";
    case Tok::Newline: return "end of line";
    case Tok::End: return "end of file";
    default: return "'" + std::string(t.text) + "'";
    }
}

class PythonParser {
public:
    PythonParser(std::string_view text, const Reporter& report) : lexer_(text, report), report_(report) {}

    AnswerSet parse_file() {
        AnswerSet answers;
        advance();
        while (cur_.kind != Tok::End) {
            if (cur_.kind == Tok::Newline) {
                advance();
            } else if (cur_.kind == Tok::Name && (cur_.text == "import" || cur_.text == "from")) {
                lexer_.skip_rest_of_statement();
                advance();
            } else {
                parse_assignment(answers);
            }
        }
        return answers;
    }

private:
    void advance() { cur_ = lexer_.next(); }
    bool at_name(std::string_view name) const { return cur_.kind == Tok::Name && cur_.text == name; }
    [[noreturn]] void fail_here(const std::string& problem) const { report_.fail(cur_.line, problem); }

    void parse_assignment(AnswerSet& answers) {
        static const std::string kOnly =
            " (only 'name = torch.tensor([...])' lines, imports and comments are allowed)";
        if (cur_.kind != Tok::Name) fail_here("unsupported statement starting with " + describe(cur_) + kOnly);
        const Token name = cur_;
        advance();
        const bool known = is_answer_name(name.text);
        if (cur_.kind != Tok::Equals) {
            if (known) fail_here("expected '=' after " + single_quoted(name.text) + ", found " + describe(cur_));
            report_.fail(name.line, "unsupported statement starting with " + single_quoted(name.text) + kOnly);
        }
        if (!known) report_.fail(name.line, "unknown name " + single_quoted(name.text) + " (expected one of " + expected_names() + ")");
        const std::string key(name.text);
        const auto previous = answers.find(key);
        if (previous != answers.end())
            report_.fail(0, "duplicate name " + single_quoted(key) + " (lines " + std::to_string(previous->second.line) + " and " +
                                std::to_string(name.line) + ")");
        advance();
        AnswerTensor tensor = parse_value(key, name.line);
        if (cur_.kind != Tok::Newline && cur_.kind != Tok::End)
            fail_here("expected end of line after the tensor, found " + describe(cur_));
        answers.emplace(key, std::move(tensor));
    }

    // [number '*'] call | call ['*' number]
    AnswerTensor parse_value(const std::string& key, int line) {
        double factor = 1.0;
        bool has_factor = false;
        if (cur_.kind == Tok::Number || cur_.kind == Tok::Plus || cur_.kind == Tok::Minus) {
            factor = parse_number();
            has_factor = true;
            if (cur_.kind != Tok::Star) fail_here("expected '*' after the number, found " + describe(cur_));
            advance();
        }
        if (!at_name("torch"))
            fail_here("expected torch.tensor(...), found " + describe(cur_) + " (answers must be constants)");
        AnswerTensor tensor = parse_call(key);
        if (!has_factor && cur_.kind == Tok::Star) {
            advance();
            factor = parse_number();
        }
        tensor.data *= factor;
        // A finite factor times finite values is only non-finite after overflow.
        if (!tensor.data.allFinite()) report_.fail(line, "value is not finite (overflow after multiplying)");
        check_limits(tensor, line, key, report_);
        tensor.line = line;
        return tensor;
    }

    double parse_number() {
        bool negative = false;
        const bool signed_number = cur_.kind == Tok::Plus || cur_.kind == Tok::Minus;
        if (signed_number) {
            negative = cur_.kind == Tok::Minus;
            advance();
        }
        if (cur_.kind != Tok::Number)
            fail_here("expected a number" + std::string(signed_number ? " after the sign" : "") + ", found " + describe(cur_));
        double value = 0.0;
        if (!literal_to_double(cur_.text, value)) fail_here("value is not finite");
        advance();
        return negative ? -value : value;
    }

    void expect(Tok kind, const char* what) {
        if (cur_.kind != kind) fail_here(std::string("expected ") + what + ", found " + describe(cur_));
        advance();
    }

    // 'torch' '.' 'tensor' '(' list {',' kwarg} [','] ')'
    AnswerTensor parse_call(const std::string& key) {
        advance();  // 'torch'
        expect(Tok::Dot, "'.' after 'torch'");
        if (!at_name("tensor")) fail_here("expected torch.tensor(...), found torch." + describe(cur_));
        advance();
        const int open_line = cur_.line;
        expect(Tok::LParen, "'(' after torch.tensor");
        if (cur_.kind != Tok::LBracket)
            fail_here("expected '[' (a list of numbers) inside torch.tensor(...), found " + describe(cur_));
        AnswerTensor tensor = parse_list(key);
        bool seen_dtype = false, seen_grad = false;
        while (cur_.kind == Tok::Comma) {
            advance();
            if (cur_.kind == Tok::RParen) break;
            if (cur_.kind == Tok::End) report_.fail(open_line, "'(' is never closed (end of file reached)");
            parse_keyword(seen_dtype, seen_grad);
        }
        if (cur_.kind == Tok::End) report_.fail(open_line, "'(' is never closed (end of file reached)");
        expect(Tok::RParen, "')' or ',' after the list");
        return tensor;
    }

    void parse_keyword(bool& seen_dtype, bool& seen_grad) {
        if (cur_.kind != Tok::Name)
            fail_here("expected a keyword argument (dtype=... or requires_grad=...), found " + describe(cur_));
        const Token keyword = cur_;
        advance();
        if (keyword.text != "dtype" && keyword.text != "requires_grad")
            report_.fail(keyword.line, "unsupported keyword argument " + single_quoted(keyword.text) + " (only dtype and requires_grad)");
        bool& seen = keyword.text == "dtype" ? seen_dtype : seen_grad;
        if (seen) report_.fail(keyword.line, "keyword argument " + single_quoted(keyword.text) + " repeated");
        seen = true;
        expect(Tok::Equals, "'=' after the keyword");
        if (keyword.text == "requires_grad") {
            if (!at_name("True") && !at_name("False")) fail_here("expected True or False, found " + describe(cur_));
            advance();
            return;
        }
        // An integer dtype would truncate the numbers, so only float dtypes are accepted.
        if (!at_name("torch")) fail_here("expected torch.float32, found " + describe(cur_));
        advance();
        expect(Tok::Dot, "'.' after 'torch'");
        if (!at_name("float32") && !at_name("float") && !at_name("float64") && !at_name("double"))
            fail_here("unsupported dtype torch." + (cur_.kind == Tok::Name ? printable(cur_.text) : "?") +
                      " (use torch.float32)");
        advance();
    }

    // '[' (number | row) {',' ...} [','] ']' — rows may not nest further, so depth is ≤ 2.
    AnswerTensor parse_list(const std::string& key) {
        const int open_line = cur_.line;
        advance();  // '['
        std::vector<Item> items;
        while (cur_.kind != Tok::RBracket) {
            Item item;
            item.line = cur_.line;
            if (cur_.kind == Tok::LBracket) {
                item.is_row = true;
                item.row = parse_row();
            } else {
                item.value = parse_item_number(open_line);
            }
            items.push_back(std::move(item));
            if (cur_.kind == Tok::Comma) {
                advance();
            } else if (cur_.kind != Tok::RBracket) {
                if (cur_.kind == Tok::End) report_.fail(open_line, "'[' is never closed (end of file reached)");
                fail_here(std::string("expected ']' or ',' after ") + (items.back().is_row ? "row" : "number") +
                          ", found " + describe(cur_));
            }
        }
        advance();  // ']'
        return build_tensor(items, open_line, key, report_);
    }

    std::vector<double> parse_row() {
        const int open_line = cur_.line;
        advance();  // '['
        std::vector<double> row;
        while (cur_.kind != Tok::RBracket) {
            if (cur_.kind == Tok::LBracket)
                fail_here("lists nested deeper than 2 levels (only vectors and matrices are allowed)");
            row.push_back(parse_item_number(open_line));
            if (cur_.kind == Tok::Comma) {
                advance();
            } else if (cur_.kind != Tok::RBracket) {
                if (cur_.kind == Tok::End) report_.fail(open_line, "'[' is never closed (end of file reached)");
                fail_here("expected ']' or ',' after number, found " + describe(cur_));
            }
        }
        advance();  // ']'
        return row;
    }

    double parse_item_number(int open_line) {
        if (cur_.kind == Tok::End) report_.fail(open_line, "'[' is never closed (end of file reached)");
        return parse_number();
    }

    Lexer lexer_;
    const Reporter& report_;
    Token cur_;
};

// ---------------------------------------------------------------------------------------------
// JSON: nlohmann's SAX parser (no recursion, no DOM), so depth and shape are checked as the
// events arrive and a deeply nested file is refused at its 3rd '['.

class JsonAnswerHandler : public nlohmann::json_sax<nlohmann::json> {
public:
    explicit JsonAnswerHandler(const Reporter& report) : report_(report) {}
    AnswerSet take() { return std::move(answers_); }

    bool null() override { return not_a_number(); }
    bool boolean(bool) override { return not_a_number(); }
    bool string(string_t&) override { return not_a_number(); }
    bool binary(binary_t&) override { return not_a_number(); }
    bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
    bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
    bool number_float(number_float_t v, const string_t&) override { return number(static_cast<double>(v)); }

    bool start_object(std::size_t) override {
        if (depth_ != 0) return not_a_number();
        depth_ = 1;
        return true;
    }
    bool end_object() override {
        depth_ = 0;
        return true;
    }
    bool key(string_t& name) override {
        if (!is_answer_name(name))
            report_.fail(0, "unknown name " + single_quoted(name) + " (expected one of " + expected_names() + ")");
        if (answers_.count(name) != 0) report_.fail(0, "duplicate name " + single_quoted(name));
        name_ = name;
        return true;
    }
    bool start_array(std::size_t) override {
        if (depth_ == 0) report_.fail(0, "expected a JSON object like {\"query121\": [1, 2, 3]}");
        if (depth_ == 1) {
            items_.clear();
        } else if (depth_ == 2) {
            Item item;
            item.is_row = true;
            items_.push_back(std::move(item));
        } else {
            report_.fail(0, label() + " has lists nested deeper than 2 levels (only vectors and matrices are allowed)");
        }
        ++depth_;
        return true;
    }
    bool end_array() override {
        --depth_;
        if (depth_ == 1) {
            AnswerTensor tensor = build_tensor(items_, 0, label(), report_);
            check_limits(tensor, 0, label(), report_);
            answers_.emplace(name_, std::move(tensor));
        }
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        if (e.id == 406) report_.fail(0, "value is not finite (number too large)");
        // Keep nlohmann's "parse error at line L, column C: ..." but not its "[json.exception...]"
        // prefix or the "last read: '<raw text>'" part.
        std::string message = e.what();
        const auto prefix = message.find("] ");
        if (prefix != std::string::npos) message = message.substr(prefix + 2);
        const auto raw = message.find("; last read:");
        if (raw != std::string::npos) {
            const auto expected = message.rfind("; expected ");
            message = message.substr(0, raw) + (expected != std::string::npos && expected > raw ? message.substr(expected) : "");
        }
        report_.fail(0, "invalid JSON (" + message + ")");
    }

private:
    std::string label() const { return "\"" + printable(name_) + "\""; }

    bool number(double v) {
        if (!std::isfinite(v)) report_.fail(0, label() + " value is not finite");
        if (depth_ == 2) {
            Item item;
            item.value = v;
            items_.push_back(item);
        } else if (depth_ == 3) {
            items_.back().row.push_back(v);
        } else {
            return not_a_number();
        }
        return true;
    }

    bool not_a_number() {
        if (depth_ == 0) report_.fail(0, "expected a JSON object like {\"query121\": [1, 2, 3]}");
        if (depth_ == 1) report_.fail(0, label() + " must be a list of numbers or a list of rows");
        if (depth_ == 2) report_.fail(0, label() + " item " + std::to_string(items_.size() + 1) + " is not a number or a list");
        report_.fail(0, label() + " row " + std::to_string(items_.size()) + " item " +
                            std::to_string(items_.back().row.size() + 1) + " is not a number");
    }

    const Reporter& report_;
    AnswerSet answers_;
    std::string name_;
    std::vector<Item> items_;
    int depth_ = 0;  // 1 inside the top object, 2 inside an answer's list, 3 inside a row
};

std::string read_limited_file(const std::string& path, std::size_t max_bytes) {
    const Reporter report(path);
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) report.fail(0, std::string("cannot open (") + std::strerror(errno) + ")");
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        report.fail(0, "not a regular file");
    }
    std::string text;
    char buffer[65536];
    while (true) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const std::string reason = std::strerror(errno);
            ::close(fd);
            report.fail(0, "cannot read (" + reason + ")");
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > max_bytes) {  // checked while reading: the file may grow after fstat
            ::close(fd);
            report.fail(0, "file is larger than the limit of " + std::to_string(max_bytes) + " bytes");
        }
    }
    ::close(fd);
    return text;
}

}  // namespace

const std::vector<std::string>& answer_names() {
    static const std::vector<std::string> names = {"query121", "query122", "query131", "query132", "m_key141", "m_key142"};
    return names;
}

AnswerSet parse_python_answers(std::string_view text, const std::string& where) {
    const Reporter report(where);
    check_text(text, report);
    PythonParser parser(strip_bom(text), report);
    return parser.parse_file();
}

AnswerSet parse_json_answers(std::string_view text, const std::string& where) {
    const Reporter report(where);
    check_text(text, report);
    text = strip_bom(text);
    JsonAnswerHandler handler(report);
    nlohmann::json::sax_parse(text.begin(), text.end(), &handler);
    return handler.take();
}

namespace {

pyexpr::Tensor tensor_of(const Eigen::MatrixXd& m) {
    pyexpr::Tensor t;
    t.shape = {static_cast<int>(m.rows()), static_cast<int>(m.cols())};
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) t.data.push_back(static_cast<float>(m(r, c)));
    return t;
}

// One computed name as an answer, or the reason it cannot be one.
void take_binding(const std::string& name, const pyexpr::Binding& b, HandIn& out) {
    if (!b.ok) {
        out.cannot_grade[name] = b.problem;
        return;
    }
    const std::string at = " (line " + std::to_string(b.line) + ")";
    if (b.is_number) {
        out.cannot_grade[name] = "is a Python number, not a tensor" + at;
        return;
    }
    const pyexpr::Tensor& t = b.value;
    if (t.shape.empty() || t.data.empty()) {
        out.cannot_grade[name] = "is a tensor of shape " + pyexpr::shape_text(t.shape) + at;
        return;
    }
    AnswerTensor a;
    a.is_vector = t.shape.size() == 1;
    const int rows = a.is_vector ? 1 : t.shape[0], cols = t.shape.back();
    a.data.resize(rows, cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) a.data(r, c) = t.data[static_cast<std::size_t>(r * cols + c)];
    a.line = b.line;
    // Non-finite values (a division by zero) are graded and fail; finite ones past the limit of
    // every tensor entry (core/base/limits.h) are not graded.
    for (Eigen::Index k = 0; k < a.data.size(); ++k) {
        const double x = a.data.data()[k];
        if (std::isfinite(x) && std::fabs(x) > kMaxMagnitude) {
            char figure[32];
            std::snprintf(figure, sizeof figure, "%g", x);
            out.cannot_grade[name] = std::string("has an entry of ") + figure + ", outside ±1e6 (the limit)" + at;
            return;
        }
    }
    out.answers[name] = std::move(a);
}

HandIn read_expressions(std::string_view text, const Dataset& data, const std::vector<std::string>& labels,
                        const std::vector<int>& cell_first_lines = {}) {
    const std::map<std::string, pyexpr::Tensor> given = {{"key", tensor_of(data.keys)}, {"value", tensor_of(data.values)}};
    HandIn out;
    out.code_bytes = text.size();
    const pyexpr::ScriptResult run = pyexpr::run_script(text, given, labels, cell_first_lines);
    out.work = run.work;
    out.syntax_error = run.syntax_error;
    for (const std::string& name : answer_names()) {
        const auto it = run.names.find(name);
        if (it != run.names.end()) take_binding(name, it->second, out);
    }
    // The A2S1.py form: m_key as the 1.4 cells hand it to check_query.
    const char* keyed[2] = {"m_key141", "m_key142"};
    for (std::size_t k = 0; k < 2 && k < run.key_checks.size(); ++k)
        if (run.names.count(keyed[k]) == 0) take_binding(keyed[k], run.key_checks[k], out);
    return out;
}

}  // namespace

HandIn parse_python_hand_in(std::string_view text, const std::string& where, const Dataset& data,
                            const std::vector<std::string>& labels) {
    const Reporter report(where);
    check_text(text, report);
    try {
        return HandIn{parse_python_answers(text, where), {}, 0, 0, {}};
    } catch (const InputError& constants_error) {
        HandIn out;
        try {
            out = read_expressions(strip_bom(text), data, labels);
        } catch (const InputError& e) {
            report.fail(0, e.what());
        }
        if (out.answers.empty() && out.cannot_grade.empty()) {
            if (!out.syntax_error.empty()) report.fail(0, out.syntax_error);
            throw;
        }
        return out;
    }
}

namespace {

// A notebook's code cells joined in order, with a label per line ("cell 3 line 2").
struct NotebookCode {
    std::string source;
    std::vector<std::string> labels;
    std::vector<int> cell_first_lines;  // 1-based line of each code cell's start: each is tokenized alone
};

NotebookCode notebook_code(std::string_view text, const std::string& where, const Reporter& report) {
    check_text(text, report);
    nlohmann::json nb;
    try {
        // The one JSON reader: a key given twice is refused, as for every JSON file attnlab reads.
        nb = parse_json_text(strip_bom(text), where, kMaxNotebookJsonDepth);
    } catch (const InputError& e) {
        const std::string prefix = printable_path(where) + ": ";
        std::string problem = e.what();
        if (problem.rfind(prefix, 0) == 0) problem.erase(0, prefix.size());
        report.fail(0, "not a Jupyter notebook (" + problem + ")");
    }
    if (!nb.is_object() || !nb.contains("cells") || !nb["cells"].is_array())
        report.fail(0, "not a Jupyter notebook (no \"cells\" list)");
    NotebookCode code;
    std::string& source = code.source;
    std::vector<std::string>& labels = code.labels;
    std::vector<int>& cell_first_lines = code.cell_first_lines;
    int cell_number = 0;
    for (const auto& cell : nb["cells"]) {
        ++cell_number;
        if (!cell.is_object()) continue;
        const auto type = cell.find("cell_type");
        if (type != cell.end() && !type->is_string())  // nbformat: a string; value() would throw type_error
            report.fail(0, "cell " + std::to_string(cell_number) + ": \"cell_type\" is not a string (not a Jupyter notebook)");
        if (type == cell.end() || type->get<std::string>() != "code" || !cell.contains("source")) continue;
        std::string cell_text;
        const auto& src = cell["source"];
        if (src.is_string()) {
            cell_text = src.get<std::string>();
        } else if (src.is_array()) {
            for (const auto& part : src)
                if (part.is_string()) cell_text += part.get<std::string>();
        }
        if (cell_text.empty() || cell_text.back() != '\n') cell_text += '\n';
        cell_first_lines.push_back(static_cast<int>(labels.size()) + 1);
        int line = 0;
        for (char c : cell_text)
            if (c == '\n') labels.push_back("cell " + std::to_string(cell_number) + " line " + std::to_string(++line));
        source += cell_text;
        if (source.size() > kMaxAnswerFileBytes) report.fail(0, "code cells larger than the limit of " + std::to_string(kMaxAnswerFileBytes) + " bytes");
    }
    return code;
}

}  // namespace

HandIn parse_notebook_hand_in(std::string_view text, const std::string& where, const Dataset& data) {
    const Reporter report(where);
    const NotebookCode code = notebook_code(text, where, report);
    const std::string& source = code.source;
    const std::vector<std::string>& labels = code.labels;
    HandIn out;
    try {
        out = HandIn{parse_python_answers(source, where), {}, 0, 0, {}};
        return out;
    } catch (const InputError&) {
    }
    try {
        out = read_expressions(source, data, labels, code.cell_first_lines);
    } catch (const InputError& e) {
        report.fail(0, e.what());
    }
    if (out.answers.empty() && out.cannot_grade.empty())
        report.fail(0, out.syntax_error.empty() ? "the notebook's code cells assign none of " + expected_names() : out.syntax_error);
    return out;
}

HandIn read_hand_in(const std::string& path, const Dataset& data) {
    const std::string text = read_limited_file(path, kMaxAnswerFileBytes);
    if (path.size() >= 6 && path.compare(path.size() - 6, 6, ".ipynb") == 0) return parse_notebook_hand_in(text, path, data);
    const std::string_view body = strip_bom(text);
    const auto first = body.find_first_not_of(" \t\r\n\f\v");
    if (first != std::string_view::npos && body[first] == '{') return HandIn{parse_json_answers(text, path), {}, 0, 0, {}};
    return parse_python_hand_in(text, path, data);
}

namespace {

// A number answer (a temperature): a Python number, or a tensor of one element, as a 1×1 answer.
bool take_number_binding(const std::string& name, const pyexpr::Binding& b, HandIn& out) {
    if (!b.ok || (!b.is_number && b.value.data.size() != 1)) return false;
    AnswerTensor a;
    a.data = Eigen::MatrixXd::Constant(1, 1, b.is_number ? b.number : static_cast<double>(b.value.data.front()));
    a.line = b.line;
    if (std::isfinite(a.data(0, 0)) && std::fabs(a.data(0, 0)) > kMaxMagnitude) return false;  // take_binding says why
    out.answers[name] = std::move(a);
    return true;
}

// read_expressions() with a course's own names.
HandIn read_named_expressions(std::string_view text, const Dataset& data, const NotebookCode& code,
                              const CourseAnswerNames& names) {
    const std::map<std::string, pyexpr::Tensor> given = {{"key", tensor_of(data.keys)}, {"value", tensor_of(data.values)}};
    HandIn out;
    out.code_bytes = text.size();
    const pyexpr::ScriptResult run = pyexpr::run_script(text, given, code.labels, code.cell_first_lines);
    out.work = run.work;
    out.syntax_error = run.syntax_error;
    auto take = [&](const std::string& name, const pyexpr::Binding& b) {
        const bool number = std::find(names.numbers.begin(), names.numbers.end(), name) != names.numbers.end();
        if (!number || !take_number_binding(name, b, out)) take_binding(name, b, out);
    };
    for (const std::string& name : names.names) {
        const auto it = run.names.find(name);
        if (it != run.names.end()) take(name, it->second);
    }
    for (std::size_t k = 0; k < names.key_checked.size() && k < run.key_checks.size(); ++k)
        if (run.names.count(names.key_checked[k]) == 0) take(names.key_checked[k], run.key_checks[k]);
    return out;
}

}  // namespace

HandIn parse_code_hand_in(std::string_view text, const std::string& where, bool notebook, const Dataset& data,
                          const CourseAnswerNames& names) {
    const Reporter report(where);
    NotebookCode code;
    if (notebook) {
        code = notebook_code(text, where, report);
    } else {
        check_text(text, report);
        code.source = std::string(strip_bom(text));
    }
    HandIn out;
    try {
        out = read_named_expressions(code.source, data, code, names);
    } catch (const InputError& e) {
        report.fail(0, e.what());
    }
    if (out.answers.empty() && out.cannot_grade.empty()) {
        if (!out.syntax_error.empty()) report.fail(0, out.syntax_error);
        std::string list;
        for (const std::string& name : names.names) list += (list.empty() ? "" : ", ") + name;
        report.fail(0, std::string(notebook ? "the notebook's code cells assign" : "the file assigns") +
                           " none of the course's answer names (" + list + ")");
    }
    return out;
}

AnswerSet load_answer_file(const std::string& path) {
    const std::string text = read_limited_file(path, kMaxAnswerFileBytes);
    const std::string_view body = strip_bom(text);
    const auto first = body.find_first_not_of(" \t\r\n\f\v");
    if (first != std::string_view::npos && body[first] == '{') return parse_json_answers(text, path);
    return parse_python_answers(text, path);
}

}  // namespace attn
