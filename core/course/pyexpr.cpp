// [SECTION] index
//   tokens      Python tokens (names, numbers, strings, operators), logical lines, indentation
//   statements  logical lines split into statements, with their indentation
//   parser      one expression → AST (recursive descent, depth-limited)
//   tensors     float32 kernels with PyTorch's order of operations
//   evaluator   AST → value, the subset of torch and of tensor methods
//   script      statements run one by one; failures recorded per name
#include "core/course/pyexpr.h"

#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/math/torch_random.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <set>
#include <utility>

namespace attn::pyexpr {

namespace {

// The two ways a statement fails. Unsupported: outside the subset. TorchError: PyTorch (or
// Python) would raise too, or a limit of ours was reached (then `ours` is set).
struct Unsupported {
    std::string construct;
    int line;
};
struct TorchError {
    std::string message;
    int line;
    bool ours = false;
};

// ---------------------------------------------------------------------------------------------
// [SECTION] tokens

enum class T { Name, Number, String, Op, Bad, Newline, End };

struct Token {
    T kind = T::End;
    std::string text;
    int line = 1;
    int indent = -1;  // indentation of its logical line when it starts one, else -1
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
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
                lex_string();
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
            lex_string();
            t.kind = T::String;
        } else {
            t.kind = lex_operator() ? T::Op : T::Bad;
        }
        t.text = std::string(text_.substr(start, pos_ - start));
        return t;
    }

    void lex_string() {
        const char quote = text_[pos_];
        const bool triple = text_.substr(pos_, 3) == std::string(3, quote);
        pos_ += triple ? 3 : 1;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '\\' && pos_ + 1 < text_.size()) {
                if (text_[pos_ + 1] == '\n') ++line_;
                pos_ += 2;
                continue;
            }
            if (c == '\n') {
                if (!triple) return;  // unterminated: the statement fails on the string anyway
                ++line_;
            }
            if (c == quote && (!triple || text_.substr(pos_, 3) == std::string(3, quote))) {
                pos_ += triple ? 3 : 1;
                return;
            }
            ++pos_;
        }
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

// ---------------------------------------------------------------------------------------------
// [SECTION] statements

struct Statement {
    std::vector<Token> tokens;
    int indent = 0;
    int line = 1;
};

bool is_op(const Token& t, std::string_view op) { return t.kind == T::Op && t.text == op; }
bool is_name(const Token& t, std::string_view name) { return t.kind == T::Name && t.text == name; }

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

// ---------------------------------------------------------------------------------------------
// [SECTION] parser

enum class K { Num, Str, Name, Attr, Call, Sub, Slice, Bin, Neg, Pos, List, Tuple };

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
    K kind = K::Num;
    int line = 1;
    double num = 0;
    bool is_int = false;
    std::string text;             // Name, Attr (attribute), Bin (operator)
    std::vector<NodePtr> kids;    // Call: func, positional..., keyword values; Sub: object, items...
    std::vector<std::string> kw;  // Call: names of the last kw.size() kids
};

NodePtr make_node(K kind, int line) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->line = line;
    return n;
}

// Python's decimal literals; anything else a number token can be (0x10, 1_000, 1j) is outside.
bool parse_number_literal(const std::string& text, double& value, bool& is_int) {
    std::size_t i = 0, digits = 0;
    while (i < text.size() && is_digit(text[i])) ++i, ++digits;
    is_int = true;
    if (i < text.size() && text[i] == '.') {
        is_int = false;
        ++i;
        while (i < text.size() && is_digit(text[i])) ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        is_int = false;
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        const std::size_t exp_start = i;
        while (i < text.size() && is_digit(text[i])) ++i;
        if (i == exp_start) return false;
    }
    if (i != text.size()) return false;
    if (is_int && text.size() > 1 && text[0] == '0' && text.find_first_not_of('0') != std::string::npos)
        return false;  // 012 is a syntax error in Python 3
    value = std::strtod(text.c_str(), nullptr);  // correctly rounded, as Python's float()
    return true;
}

std::string token_construct(const Token& t) {
    switch (t.kind) {
    case T::String: return "a string";
    case T::Number: return printable(t.text, 20);
    case T::Newline:
    case T::End: return "an incomplete statement";
    default: return printable(t.text, 20);
    }
}

class Parser {
public:
    explicit Parser(const std::vector<Token>& tokens, std::size_t begin = 0, std::size_t end = std::string::npos)
        : tokens_(tokens), pos_(begin), end_(std::min(end, tokens.size())) {}

    NodePtr parse_whole() {
        NodePtr n = parse_expression();
        if (pos_ < end_) fail(peek());
        return n;
    }

private:
    const Token& peek() const {
        static const Token end_token{T::End, "", 0, -1};
        if (pos_ < end_) return tokens_[pos_];
        return end_ > 0 ? last_as_end() : end_token;
    }
    const Token& last_as_end() const {
        end_copy_ = Token{T::End, "", tokens_[end_ - 1].line, -1};
        return end_copy_;
    }
    bool at_op(std::string_view op) const { return pos_ < end_ && is_op(tokens_[pos_], op); }
    [[noreturn]] void fail(const Token& t) const { throw Unsupported{token_construct(t), t.line}; }
    void expect(std::string_view op) {
        if (!at_op(op)) fail(peek());
        ++pos_;
    }

    struct DepthGuard {
        explicit DepthGuard(Parser& p, int line) : p_(p) { p_.enter(line); }
        ~DepthGuard() { --p_.depth_; }
        Parser& p_;
    };

    NodePtr parse_expression() {
        const Token& t = peek();
        if (t.kind == T::Name && (t.text == "lambda" || t.text == "not" || t.text == "yield" || t.text == "await"))
            fail(t);
        NodePtr n = parse_arith();
        const Token& after = peek();
        // Comparisons, boolean and bitwise operators, conditional expressions, comprehensions.
        if (after.kind == T::Name && (after.text == "if" || after.text == "and" || after.text == "or" ||
                                      after.text == "in" || after.text == "is" || after.text == "for" ||
                                      after.text == "not"))
            fail(after);
        static const std::set<std::string> kOther = {"==", "!=", "<", ">", "<=", ">=", "|", "&", "^",
                                                     "<<", ">>", "//", "%", ":=", "~", "{", "..."};
        if ((after.kind == T::Op && kOther.count(after.text) != 0) || after.kind == T::Bad) fail(after);
        return n;
    }

    // A chain a + b + c is a left-deep tree: each operator counts as one level of nesting.
    NodePtr parse_arith() {
        const int saved = depth_;
        NodePtr left = parse_term();
        while (at_op("+") || at_op("-")) {
            enter(peek().line);
            const Token& op = tokens_[pos_++];
            auto n = make_node(K::Bin, op.line);
            n->text = op.text;
            n->kids.push_back(std::move(left));
            n->kids.push_back(parse_term());
            left = std::move(n);
        }
        depth_ = saved;
        return left;
    }

    NodePtr parse_term() {
        const int saved = depth_;
        NodePtr left = parse_factor();
        while (at_op("*") || at_op("/") || at_op("@") || at_op("//") || at_op("%")) {
            if (at_op("//") || at_op("%")) fail(peek());
            enter(peek().line);
            const Token& op = tokens_[pos_++];
            auto n = make_node(K::Bin, op.line);
            n->text = op.text;
            n->kids.push_back(std::move(left));
            n->kids.push_back(parse_factor());
            left = std::move(n);
        }
        depth_ = saved;
        return left;
    }

    void enter(int line) {
        if (++depth_ > kMaxExpressionDepth)
            throw TorchError{"nested deeper than " + std::to_string(kMaxExpressionDepth) + " levels (the limit)", line, true};
    }

    NodePtr parse_factor() {
        DepthGuard guard(*this, peek().line);
        if (at_op("-") || at_op("+")) {
            const Token& op = tokens_[pos_++];
            auto n = make_node(op.text == "-" ? K::Neg : K::Pos, op.line);
            n->kids.push_back(parse_factor());
            return n;
        }
        if (at_op("~")) fail(peek());
        NodePtr base = parse_primary();
        if (at_op("**")) {
            const Token& op = tokens_[pos_++];
            auto n = make_node(K::Bin, op.line);
            n->text = "**";
            n->kids.push_back(std::move(base));
            n->kids.push_back(parse_factor());  // right-associative; binds tighter than unary on its left
            return n;
        }
        return base;
    }

    NodePtr parse_primary() {
        NodePtr n = parse_atom();
        while (true) {
            if (at_op(".")) {
                ++pos_;
                const Token& name = peek();
                if (name.kind != T::Name) fail(name);
                ++pos_;
                auto a = make_node(K::Attr, name.line);
                a->text = name.text;
                a->kids.push_back(std::move(n));
                n = std::move(a);
            } else if (at_op("(")) {
                n = parse_call(std::move(n));
            } else if (at_op("[")) {
                n = parse_subscript(std::move(n));
            } else {
                return n;
            }
        }
    }

    NodePtr parse_call(NodePtr func) {
        DepthGuard guard(*this, peek().line);
        auto call = make_node(K::Call, peek().line);
        ++pos_;  // (
        call->kids.push_back(std::move(func));
        std::vector<NodePtr> keywords;
        while (!at_op(")")) {
            if (at_op("*") || at_op("**")) fail(peek());
            if (pos_ + 1 < end_ && tokens_[pos_].kind == T::Name && is_op(tokens_[pos_ + 1], "=")) {
                call->kw.push_back(tokens_[pos_].text);
                pos_ += 2;
                keywords.push_back(parse_expression());
            } else {
                if (!keywords.empty()) fail(peek());  // positional after keyword: a SyntaxError
                call->kids.push_back(parse_expression());
            }
            if (!at_op(",")) break;
            ++pos_;
        }
        expect(")");
        for (auto& k : keywords) call->kids.push_back(std::move(k));
        return call;
    }

    NodePtr parse_subscript(NodePtr object) {
        DepthGuard guard(*this, peek().line);
        auto sub = make_node(K::Sub, peek().line);
        ++pos_;  // [
        sub->kids.push_back(std::move(object));
        bool trailing_comma = false;
        while (!at_op("]")) {
            sub->kids.push_back(parse_index_item());
            trailing_comma = false;
            if (!at_op(",")) break;
            ++pos_;
            trailing_comma = true;
        }
        if (sub->kids.size() == 1) fail(peek());  // a[]
        // a[(0, 1),] and a[0,] are tuples: advanced indexing, outside the subset.
        if (trailing_comma) throw Unsupported{"indexing with a tuple", sub->line};
        expect("]");
        return sub;
    }

    NodePtr parse_index_item() {
        const int line = peek().line;
        NodePtr lo;
        if (!at_op(":")) {
            lo = parse_expression();
            if (!at_op(":")) return lo;
        }
        auto slice = make_node(K::Slice, line);
        slice->kids.resize(3);
        slice->kids[0] = std::move(lo);
        ++pos_;  // :
        if (!at_op(":") && !at_op(",") && !at_op("]")) slice->kids[1] = parse_expression();
        if (at_op(":")) {
            ++pos_;
            if (!at_op(",") && !at_op("]")) slice->kids[2] = parse_expression();
        }
        return slice;
    }

    NodePtr parse_atom() {
        const Token& t = peek();
        if (t.kind == T::Name) {
            static const std::set<std::string> kKeywords = {
                "None", "lambda", "not", "and", "or", "if", "else", "for", "in", "is", "yield",
                "await", "def", "class", "import", "from", "return", "del", "global", "with", "while", "try"};
            if (kKeywords.count(t.text) != 0) fail(t);
            ++pos_;
            auto n = make_node(K::Name, t.line);
            n->text = t.text;
            return n;
        }
        if (t.kind == T::Number) {
            auto n = make_node(K::Num, t.line);
            if (!parse_number_literal(t.text, n->num, n->is_int)) fail(t);
            ++pos_;
            return n;
        }
        if (at_op("(") || at_op("[")) return parse_group();
        if (t.kind == T::String) {  // parsed so that the call around it is named, never evaluated
            ++pos_;
            return make_node(K::Str, t.line);
        }
        fail(t);
    }

    // ( e ) | ( ) | ( e, ... ) | [ e, ... ]
    NodePtr parse_group() {
        DepthGuard guard(*this, peek().line);
        const Token& open = tokens_[pos_++];
        const bool list = open.text == "[";
        const std::string close = list ? "]" : ")";
        auto n = make_node(list ? K::List : K::Tuple, open.line);
        bool comma = false;
        while (!at_op(close)) {
            n->kids.push_back(parse_expression());
            if (!at_op(",")) break;
            ++pos_;
            comma = true;
        }
        expect(close);
        if (!list && n->kids.size() == 1 && !comma) return std::move(n->kids[0]);  // parentheses
        return n;
    }

    const std::vector<Token>& tokens_;
    std::size_t pos_;
    std::size_t end_;
    int depth_ = 0;
    mutable Token end_copy_;
};

// ---------------------------------------------------------------------------------------------
// [SECTION] tensors

std::size_t numel(const std::vector<int>& shape) {
    std::size_t n = 1;
    for (int d : shape) n *= static_cast<std::size_t>(d);
    return n;
}

Tensor make_tensor(std::vector<int> shape, float fill = 0.0f) {
    Tensor t;
    t.data.assign(numel(shape), fill);
    t.shape = std::move(shape);
    return t;
}

// Limits of core/base/limits.h on every tensor the evaluator makes (before allocating it).
void check_size(const std::vector<int>& shape, int line) {
    if (shape.size() > 2) throw Unsupported{"a tensor with more than 2 dimensions", line};
    double n = 1;
    for (int d : shape) n *= d;
    const int rows = shape.size() == 2 ? shape[0] : 1;
    if (n > kMaxTensorElements || rows > kMaxTensorRows)
        throw TorchError{"a tensor of shape " + shape_text(shape) + " is over the limit of " +
                             std::to_string(kMaxTensorRows) + " rows and " + std::to_string(kMaxTensorElements) +
                             " numbers",
                         line, true};
}

// A tensor seen as rows × cols for broadcasting: () → 1×1, (n,) → 1×n.
int rows_of(const Tensor& t) { return t.shape.size() == 2 ? t.shape[0] : 1; }
int cols_of(const Tensor& t) { return t.shape.empty() ? 1 : t.shape.back(); }

std::vector<int> broadcast_shape(const std::vector<int>& a, const std::vector<int>& b, int line) {
    std::vector<int> out(std::max(a.size(), b.size()));
    for (std::size_t k = 0; k < out.size(); ++k) {
        const int da = k < a.size() ? a[a.size() - 1 - k] : 1;
        const int db = k < b.size() ? b[b.size() - 1 - k] : 1;
        if (da != db && da != 1 && db != 1)
            throw TorchError{"shapes " + shape_text(a) + " and " + shape_text(b) + " do not broadcast", line};
        out[out.size() - 1 - k] = da == 1 ? db : da;
    }
    return out;
}

template <typename F>
Tensor elementwise(const Tensor& a, const Tensor& b, int line, F op) {
    const std::vector<int> shape = broadcast_shape(a.shape, b.shape, line);
    Tensor out = make_tensor(shape);
    const int rows = shape.size() == 2 ? shape[0] : 1, cols = shape.empty() ? 1 : shape.back();
    const int ar = rows_of(a), ac = cols_of(a), br = rows_of(b), bc = cols_of(b);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const float x = a.data[static_cast<std::size_t>((ar == 1 ? 0 : r) * ac + (ac == 1 ? 0 : c))];
            const float y = b.data[static_cast<std::size_t>((br == 1 ? 0 : r) * bc + (bc == 1 ? 0 : c))];
            out.data[static_cast<std::size_t>(r * cols + c)] = op(x, y);
        }
    return out;
}

template <typename F>
Tensor map_tensor(Tensor t, F f) {
    for (float& x : t.data) x = f(x);
    return t;
}

Tensor scalar_tensor(float x) {
    Tensor t;
    t.data = {x};
    return t;
}

// torch.pow(tensor, python number): the CPU kernel's special cases, then pow in double.
Tensor pow_scalar(const Tensor& base, double e) {
    if (e == 0.0) return map_tensor(base, [](float) { return 1.0f; });
    if (e == 1.0) return base;
    if (e == 0.5) return map_tensor(base, [](float x) { return std::sqrt(x); });
    if (e == -0.5) return map_tensor(base, [](float x) { return 1.0f / std::sqrt(x); });
    if (e == -1.0) return map_tensor(base, [](float x) { return 1.0f / x; });
    if (e == 2.0) return map_tensor(base, [](float x) { return x * x; });
    if (e == 3.0) return map_tensor(base, [](float x) { return x * x * x; });
    if (e == -2.0) return map_tensor(base, [](float x) { return static_cast<float>(1.0 / static_cast<double>(x * x)); });
    return map_tensor(base, [e](float x) { return static_cast<float>(std::pow(static_cast<double>(x), e)); });
}

// Sequential float32 sums, as torch's CPU kernels do at these sizes.
Tensor matmul(const Tensor& a, const Tensor& b, int line, double& work) {
    if (a.shape.empty() || b.shape.empty())
        throw TorchError{"@ needs tensors of at least 1 dimension, not " + shape_text(a.shape) + " and " +
                             shape_text(b.shape),
                         line};
    const int n = a.shape.size() == 2 ? a.shape[0] : 1, k = a.shape.back();
    const int kb = b.shape[0], m = b.shape.size() == 2 ? b.shape[1] : 1;
    if (k != kb)
        throw TorchError{"@ of shapes " + shape_text(a.shape) + " and " + shape_text(b.shape) + " (inner sizes differ)",
                         line};
    work += static_cast<double>(n) * k * m;
    if (work > kMaxScriptWork) throw TorchError{"too much computation (over the limit)", line, true};
    std::vector<int> shape;
    if (a.shape.size() == 2) shape.push_back(n);
    if (b.shape.size() == 2) shape.push_back(m);
    Tensor out = make_tensor(shape);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) {
            float sum = 0.0f;
            for (int p = 0; p < k; ++p)
                sum += a.data[static_cast<std::size_t>(i * k + p)] * b.data[static_cast<std::size_t>(p * m + j)];
            out.data[static_cast<std::size_t>(i * m + j)] = sum;
        }
    return out;
}

Tensor transpose2(const Tensor& t) {
    if (t.shape.size() < 2) return t;
    Tensor out = make_tensor({t.shape[1], t.shape[0]});
    for (int r = 0; r < t.shape[0]; ++r)
        for (int c = 0; c < t.shape[1]; ++c)
            out.data[static_cast<std::size_t>(c * t.shape[0] + r)] = t.data[static_cast<std::size_t>(r * t.shape[1] + c)];
    return out;
}

// A whole number (a Python int, kept as a double) for a message; one past long long's range is
// never cast (undefined behaviour) but written as 3.88889e+24.
std::string whole_text(double x) {
    char figure[32];
    std::snprintf(figure, sizeof figure, std::fabs(x) < 1e15 ? "%.0f" : "%g", x);
    return figure;
}

int normalize_dim(double dim, int rank, int line) {
    const int r = std::max(rank, 1);
    if (dim < -r || dim >= r)
        throw TorchError{"dimension " + whole_text(dim) + " is out of range for a tensor of " +
                             std::to_string(rank) + " dimensions",
                         line};
    return static_cast<int>(dim < 0 ? dim + r : dim);
}

// Gathers the lanes of a reduction over `dim` (-1: everything): one vector per output entry.
std::vector<std::vector<float>> lanes(const Tensor& t, int dim) {
    std::vector<std::vector<float>> out;
    if (dim < 0 || t.shape.size() < 2) {
        out.push_back(t.data);
        return out;
    }
    const int rows = t.shape[0], cols = t.shape[1];
    if (dim == 1) {
        for (int r = 0; r < rows; ++r)
            out.emplace_back(t.data.begin() + r * cols, t.data.begin() + (r + 1) * cols);
    } else {
        for (int c = 0; c < cols; ++c) {
            std::vector<float> lane;
            for (int r = 0; r < rows; ++r) lane.push_back(t.data[static_cast<std::size_t>(r * cols + c)]);
            out.push_back(std::move(lane));
        }
    }
    return out;
}

// Shape after reducing `dim` (-1: all) with keepdim.
std::vector<int> reduced_shape(const std::vector<int>& shape, int dim, bool keepdim) {
    if (dim < 0) return keepdim ? std::vector<int>(shape.size(), 1) : std::vector<int>{};
    std::vector<int> out = shape;
    if (keepdim) out[static_cast<std::size_t>(dim)] = 1;
    else out.erase(out.begin() + dim);
    return out;
}

template <typename F>
Tensor reduce(const Tensor& t, int dim, bool keepdim, F f) {
    Tensor out;
    out.shape = reduced_shape(t.shape, dim, keepdim);
    for (const auto& lane : lanes(t, dim)) out.data.push_back(f(lane));
    return out;
}

// torch's CPU sum (SumKernel.cpp, AVX2: 8 floats a vector), so sums match bit for bit.
// multi_row_sum for one lane: sequential, with partial sums folded every 16^k terms.
float cascade_sum(const std::vector<float>& seq) {
    const int64_t size = static_cast<int64_t>(seq.size());
    int64_t log2 = 0;
    while ((int64_t{1} << log2) < size) ++log2;
    const int64_t level_power = std::max<int64_t>(4, log2 / 4);
    const int64_t level_step = int64_t{1} << level_power, level_mask = level_step - 1;
    float acc[4] = {0, 0, 0, 0};
    int64_t i = 0;
    while (i + level_step <= size) {
        for (int64_t j = 0; j < level_step; ++j, ++i) acc[0] += seq[static_cast<std::size_t>(i)];
        for (int j = 1; j < 4; ++j) {
            acc[j] += acc[j - 1];
            acc[j - 1] = 0;
            if ((i & (level_mask << (j * level_power))) != 0) break;
        }
    }
    for (; i < size; ++i) acc[0] += seq[static_cast<std::size_t>(i)];
    for (int j = 1; j < 4; ++j) acc[0] += acc[j];
    return acc[0];
}

// row_sum: the sequence seen as rows of 4 (four cascaded partial sums), the rest added to the first.
float row_sum(const std::vector<float>& seq) {
    const std::size_t groups = seq.size() / 4;
    float partial[4];
    for (std::size_t k = 0; k < 4; ++k) {
        std::vector<float> column;
        for (std::size_t g = 0; g < groups; ++g) column.push_back(seq[g * 4 + k]);
        partial[k] = cascade_sum(column);
    }
    for (std::size_t i = groups * 4; i < seq.size(); ++i) partial[0] += seq[i];
    for (int k = 1; k < 4; ++k) partial[0] += partial[k];
    return partial[0];
}

// A contiguous lane (vectorized_inner_sum): 8 vector lanes, the tail, then the lanes in order.
float inner_sum(const std::vector<float>& x) {
    constexpr std::size_t kWidth = 8;
    const std::size_t vectors = x.size() / kWidth;
    float lanes_acc[kWidth];
    for (std::size_t k = 0; k < kWidth; ++k) {
        std::vector<float> seq;
        for (std::size_t v = 0; v < vectors; ++v) seq.push_back(x[v * kWidth + k]);
        lanes_acc[k] = row_sum(seq);
    }
    float total = 0.0f;
    for (std::size_t i = vectors * kWidth; i < x.size(); ++i) total += x[i];
    for (float lane : lanes_acc) total += lane;
    return total;
}

// cascade_sum's choice for a lane that is contiguous in memory: vectorized from 8 numbers on.
float contiguous_sum(const std::vector<float>& lane) { return lane.size() >= 8 ? inner_sum(lane) : row_sum(lane); }

// A strided lane, output `o` of `outputs` side by side in memory: full blocks (32 columns when
// vectorized, 4 otherwise) use multi_row_sum, the remaining columns row_sum.
float strided_sum(const std::vector<float>& lane, int o, int outputs) {
    const int block = outputs >= 8 ? 32 : 4;
    return (o / block + 1) * block <= outputs ? cascade_sum(lane) : row_sum(lane);
}

float lane_sum(const std::vector<float>& v) { return contiguous_sum(v); }

// sum over `dim` (-1: all) of t, in the order torch reads memory: `transposed` says t is a
// transposed view, so its memory holds t.T row by row.
Tensor sum_tensor(const Tensor& t, int dim, bool keepdim, bool transposed) {
    Tensor out;
    out.shape = reduced_shape(t.shape, dim, keepdim);
    if (dim < 0 || t.shape.size() < 2) {
        out.data.push_back(contiguous_sum(transposed ? transpose2(t).data : t.data));
        return out;
    }
    const int rows = t.shape[0], cols = t.shape[1];
    // The reduced lane is contiguous in memory when it runs along the memory's rows.
    const bool contiguous_lane = (dim == 1) != transposed;
    const int outputs = dim == 1 ? rows : cols;
    for (int o = 0; o < outputs; ++o) {
        std::vector<float> lane;
        const int n = dim == 1 ? cols : rows;
        for (int i = 0; i < n; ++i) lane.push_back(t.data[static_cast<std::size_t>(dim == 1 ? o * cols + i : i * cols + o)]);
        out.data.push_back(contiguous_lane ? contiguous_sum(lane) : strided_sum(lane, o, outputs));
    }
    return out;
}

float lane_norm(const std::vector<float>& v) {
    return v.empty() ? 0.0f : torch_vector_norm(v.data(), static_cast<int>(v.size()));
}

float lane_max(const std::vector<float>& v) {
    float m = -std::numeric_limits<float>::infinity();
    for (float x : v) {
        if (std::isnan(x)) return x;
        m = std::max(m, x);
    }
    return m;
}

// torch.softmax: the max subtracted, exp, sum; the last dimension multiplies by the
// reciprocal of the sum (vectorised kernel), another dimension divides.
Tensor softmax(const Tensor& t, int dim) {
    Tensor out = t;
    const bool last = dim == static_cast<int>(t.shape.size()) - 1 || t.shape.size() < 2;
    const int rows = rows_of(t), cols = cols_of(t);
    const int outer = last ? rows : cols, inner = last ? cols : rows;
    for (int o = 0; o < outer; ++o) {
        auto at = [&](int i) -> float& {
            return out.data[static_cast<std::size_t>(last ? o * cols + i : i * cols + o)];
        };
        float m = -std::numeric_limits<float>::infinity();
        for (int i = 0; i < inner; ++i) m = std::isnan(at(i)) || std::isnan(m) ? std::nanf("") : std::max(m, at(i));
        float sum = 0.0f;
        for (int i = 0; i < inner; ++i) {
            at(i) = std::exp(at(i) - m);
            sum += at(i);
        }
        const float inverse = 1.0f / sum;
        for (int i = 0; i < inner; ++i) at(i) = last ? at(i) * inverse : at(i) / sum;
    }
    return out;
}

Eigen::MatrixXd to_eigen(const Tensor& t) {
    Eigen::MatrixXd m(rows_of(t), cols_of(t));
    for (int r = 0; r < m.rows(); ++r)
        for (int c = 0; c < m.cols(); ++c) m(r, c) = t.data[static_cast<std::size_t>(r * m.cols() + c)];
    return m;
}

Tensor from_eigen(const Eigen::MatrixXd& m, std::vector<int> shape) {
    Tensor t = make_tensor(std::move(shape));
    for (int r = 0; r < m.rows(); ++r)
        for (int c = 0; c < m.cols(); ++c)
            t.data[static_cast<std::size_t>(r * m.cols() + c)] = static_cast<float>(m(r, c));
    return t;
}

bool all_finite(const Tensor& t) {
    return std::all_of(t.data.begin(), t.data.end(), [](float x) { return std::isfinite(x); });
}

// ---------------------------------------------------------------------------------------------
// [SECTION] evaluator

struct Value {
    enum class Kind { Number, Tensor, Lstsq };
    Kind kind = Kind::Number;
    double num = 0;
    bool is_int = false;
    Tensor t;
    int storage = 0;          // which tensor's memory this one views (0: its own, new)
    bool contiguous = true;   // false for transposes and column slices (.view refuses them)
    bool transposed = false;  // a transposed view of a row-major tensor (sums read it in memory order)
    bool untransposed_contiguous = true;
};

// x.T of a 2-D value: a transposed view (transposing back gives the original layout again).
Value transposed_view(const Value& v) {
    Value out = v;
    out.t = transpose2(v.t);
    if (v.t.shape.size() < 2) return out;
    out.transposed = !v.transposed;
    const bool vector_like = v.t.shape[0] == 1 || v.t.shape[1] == 1;
    if (out.transposed) {
        out.untransposed_contiguous = v.contiguous;
        out.contiguous = v.contiguous && vector_like;
    } else {
        out.contiguous = v.untransposed_contiguous;
    }
    return out;
}

Value number_value(double x, bool is_int) {
    Value v;
    v.num = x;
    v.is_int = is_int;
    return v;
}

Value tensor_value(Tensor t) {
    Value v;
    v.kind = Value::Kind::Tensor;
    v.t = std::move(t);
    return v;
}

Value view_of(const Value& base, Tensor t, bool contiguous) {
    Value v = tensor_value(std::move(t));
    v.storage = base.storage;
    v.contiguous = base.contiguous && contiguous;
    v.transposed = base.transposed && v.t.shape.size() == 2;
    v.untransposed_contiguous = base.untransposed_contiguous;
    return v;
}

// A name's state while the script runs.
struct Slot {
    Binding binding;
    Value value;
};

using Scope = std::map<std::string, Slot>;

class Evaluator {
public:
    Evaluator(const Scope& scope, double& work) : scope_(scope), work_(work) {}

    Value eval(const Node& n) {
        switch (n.kind) {
        case K::Num: return number_value(n.num, n.is_int);
        case K::Name: return lookup(n);
        case K::Attr: return attribute(n);
        case K::Call: return call(n);
        case K::Sub: return subscript(n);
        case K::Bin: return binary(n);
        case K::Neg: return negate(eval(*n.kids[0]), n.line);
        case K::Pos: {
            Value v = eval(*n.kids[0]);
            if (v.kind == Value::Kind::Lstsq) throw Unsupported{"+ on a lstsq result", n.line};
            v.storage = 0;
            return v;
        }
        case K::Str: throw Unsupported{"a string", n.line};
        case K::Slice: throw Unsupported{"a slice outside []", n.line};
        case K::List: throw Unsupported{"a list (use torch.tensor([...]))", n.line};
        case K::Tuple: throw Unsupported{"a tuple", n.line};
        }
        throw Unsupported{"this expression", n.line};
    }

    Tensor tensor(const Node& n) {
        Value v = eval(n);
        return as_tensor(v, n.line);
    }

    static Tensor as_tensor(const Value& v, int line) {
        if (v.kind == Value::Kind::Tensor) return v.t;
        if (v.kind == Value::Kind::Number) return scalar_tensor(static_cast<float>(v.num));
        throw Unsupported{"a lstsq result without .solution", line};
    }

private:
    Value lookup(const Node& n) const {
        const auto it = scope_.find(n.text);
        if (it == scope_.end()) {
            if (n.text == "torch") throw Unsupported{"torch on its own", n.line};
            throw Unsupported{printable(n.text, 30), n.line};
        }
        if (!it->second.binding.ok) throw Poisoned{it->second.binding.problem};
        return it->second.value;
    }

public:
    // A name that could not be graded, used again: its problem travels on unchanged.
    struct Poisoned {
        std::string problem;
    };

private:
    // Dotted names rooted at `torch` ("torch.linalg.inv"); empty when the chain is not one.
    static std::string torch_path(const Node& n) {
        if (n.kind == K::Name) return n.text == "torch" ? "torch" : "";
        if (n.kind != K::Attr) return "";
        const std::string base = torch_path(*n.kids[0]);
        return base.empty() ? "" : base + "." + n.text;
    }

    Value attribute(const Node& n) {
        const std::string path = torch_path(n);
        if (!path.empty()) throw Unsupported{printable(path, 40), n.line};
        Value v = eval(*n.kids[0]);
        if (v.kind == Value::Kind::Lstsq) {
            if (n.text == "solution") return tensor_value(v.t);
            throw Unsupported{"lstsq(...)." + printable(n.text, 20), n.line};
        }
        if (v.kind == Value::Kind::Tensor && n.text == "T") {
            return transposed_view(v);
        }
        throw Unsupported{"." + printable(n.text, 30), n.line};
    }

    Value negate(const Value& v, int line) {
        if (v.kind == Value::Kind::Number) return number_value(-v.num, v.is_int);
        return tensor_value(map_tensor(as_tensor(v, line), [](float x) { return -x; }));
    }

    // ---- numbers ----
    static double whole(const Value& v, int line, const char* what) {
        if (v.kind != Value::Kind::Number || !v.is_int)
            throw TorchError{std::string(what) + " must be a whole number", line};
        return v.num;
    }

    static Value int_result(double x, int line) {
        if (std::fabs(x) > 9007199254740992.0) throw Unsupported{"an integer larger than 2**53", line};
        return number_value(x, true);
    }

    Value number_op(const std::string& op, const Value& a, const Value& b, int line) {
        const bool ints = a.is_int && b.is_int;
        if (op == "+") return ints ? int_result(a.num + b.num, line) : number_value(a.num + b.num, false);
        if (op == "-") return ints ? int_result(a.num - b.num, line) : number_value(a.num - b.num, false);
        if (op == "*") return ints ? int_result(a.num * b.num, line) : number_value(a.num * b.num, false);
        if (op == "/") {
            if (b.num == 0) throw TorchError{"division by zero between Python numbers (ZeroDivisionError)", line};
            return number_value(a.num / b.num, false);
        }
        if (op == "**") {
            if (a.num == 0 && b.num < 0) throw TorchError{"0 to a negative power (ZeroDivisionError)", line};
            if (a.num < 0 && b.num != std::floor(b.num)) throw Unsupported{"a complex number", line};
            const double r = std::pow(a.num, b.num);
            if (ints && b.num >= 0) return int_result(r, line);
            if (!std::isfinite(r)) throw TorchError{"a power too large for a Python float (OverflowError)", line};
            return number_value(r, false);
        }
        throw TorchError{"@ between Python numbers", line};
    }

    Value binary(const Node& n) {
        const Value a = eval(*n.kids[0]);
        const Value b = eval(*n.kids[1]);
        const std::string& op = n.text;
        if (a.kind == Value::Kind::Number && b.kind == Value::Kind::Number) return number_op(op, a, b, n.line);
        const Tensor x = as_tensor(a, n.line), y = as_tensor(b, n.line);
        count(std::max(x.data.size(), y.data.size()), n.line);
        if (op == "@") {
            if (a.kind == Value::Kind::Number || b.kind == Value::Kind::Number)
                throw TorchError{"@ with a Python number", n.line};
            return tensor_value(checked(matmul(x, y, n.line, work_), n.line));
        }
        if (op == "+") return tensor_value(checked(elementwise(x, y, n.line, [](float p, float q) { return p + q; }), n.line));
        if (op == "-") return tensor_value(checked(elementwise(x, y, n.line, [](float p, float q) { return p - q; }), n.line));
        if (op == "*") return tensor_value(checked(elementwise(x, y, n.line, [](float p, float q) { return p * q; }), n.line));
        if (op == "/") {
            // number / tensor is tensor.__rtruediv__: reciprocal, then multiply.
            if (a.kind == Value::Kind::Number) {
                const float s = static_cast<float>(a.num);
                return tensor_value(map_tensor(y, [s](float q) { return (1.0f / q) * s; }));
            }
            return tensor_value(checked(elementwise(x, y, n.line, [](float p, float q) { return p / q; }), n.line));
        }
        if (op == "**") {
            if (b.kind == Value::Kind::Number) return tensor_value(pow_scalar(x, b.num));
            if (a.kind == Value::Kind::Number && a.num == 1.0) return tensor_value(map_tensor(y, [](float) { return 1.0f; }));
            return tensor_value(checked(elementwise(x, y, n.line, [](float p, float q) { return std::pow(p, q); }), n.line));
        }
        throw Unsupported{printable(op, 5), n.line};
    }

    Tensor checked(Tensor t, int line) const {
        check_size(t.shape, line);
        return t;
    }

    void count(std::size_t elements, int line) {
        work_ += static_cast<double>(elements);
        if (work_ > kMaxScriptWork) throw TorchError{"too much computation (over the limit)", line, true};
    }

    // ---- indexing ----
    struct Selection {
        std::vector<int> shape;
        std::vector<std::size_t> positions;  // flat indices into the indexed tensor
        bool contiguous = true;
    };

public:
    Selection select(const Tensor& t, const Node& sub) {
        const std::size_t items = sub.kids.size() - 1;
        if (items > t.shape.size())
            throw TorchError{"too many indices (" + std::to_string(items) + ") for a tensor of shape " +
                                 shape_text(t.shape),
                             sub.line};
        std::vector<std::vector<int>> picks(t.shape.size());
        std::vector<bool> kept(t.shape.size(), true);
        Selection s;
        for (std::size_t d = 0; d < t.shape.size(); ++d) {
            const int size = t.shape[d];
            if (d < items) {
                const Node& item = *sub.kids[d + 1];
                if (item.kind == K::Slice) {
                    picks[d] = slice_indices(item, size);
                    continue;
                }
                const Value v = eval(item);
                if (v.kind != Value::Kind::Number || !v.is_int)
                    throw Unsupported{"indexing with something other than whole numbers and slices", item.line};
                // Compared as doubles: a whole number past long long's range cannot be cast (UB).
                if (v.num < -size || v.num >= size)
                    throw TorchError{"index " + whole_text(v.num) + " is out of range for size " + std::to_string(size),
                                     item.line};
                long long i = static_cast<long long>(v.num);
                if (i < 0) i += size;
                picks[d] = {static_cast<int>(i)};
                kept[d] = false;
            } else {
                for (int i = 0; i < size; ++i) picks[d].push_back(i);
            }
        }
        for (std::size_t d = 0; d < picks.size(); ++d)
            if (kept[d]) s.shape.push_back(static_cast<int>(picks[d].size()));
        auto consecutive = [](const std::vector<int>& p) {
            for (std::size_t k = 1; k < p.size(); ++k)
                if (p[k] != p[k - 1] + 1) return false;
            return true;
        };
        if (t.shape.size() == 1) s.contiguous = consecutive(picks[0]);
        if (t.shape.size() == 2)
            s.contiguous = (picks[1].size() == static_cast<std::size_t>(t.shape[1]) && consecutive(picks[0])) ||
                           (picks[0].size() <= 1 && consecutive(picks[1]));
        const int cols = t.shape.size() == 2 ? t.shape[1] : 1;
        if (t.shape.size() == 1) {
            for (int i : picks[0]) s.positions.push_back(static_cast<std::size_t>(i));
        } else if (t.shape.size() == 2) {
            for (int r : picks[0])
                for (int c : picks[1]) s.positions.push_back(static_cast<std::size_t>(r * cols + c));
        } else {
            throw TorchError{"a 0-dim tensor cannot be indexed", sub.line};
        }
        return s;
    }

private:
    long long slice_bound(const Node* n, long long fallback) {
        if (n == nullptr) return fallback;
        const Value v = eval(*n);
        if (v.kind != Value::Kind::Number || !v.is_int) throw Unsupported{"a slice bound that is not a whole number", n->line};
        // Python clamps any bound to the size; clamping first keeps the cast defined (2**62 > any size).
        const double limit = 4611686018427387904.0;
        return static_cast<long long>(std::min(std::max(v.num, -limit), limit));
    }

    std::vector<int> slice_indices(const Node& slice, int size) {
        const long long step = slice_bound(slice.kids[2].get(), 1);
        if (step == 0) throw TorchError{"slice step cannot be zero", slice.line};
        if (step < 0) throw TorchError{"negative slice steps are not supported by torch", slice.line};
        auto clamp = [size](long long i) {
            if (i < 0) i += size;
            return std::min<long long>(std::max<long long>(i, 0), size);
        };
        const long long lo = clamp(slice_bound(slice.kids[0].get(), 0));
        const long long hi = clamp(slice_bound(slice.kids[1].get(), size));
        std::vector<int> out;
        for (long long i = lo; i < hi; i += step) out.push_back(static_cast<int>(i));
        return out;
    }

    Value subscript(const Node& n) {
        Value base = eval(*n.kids[0]);
        if (base.kind == Value::Kind::Lstsq) {
            if (n.kids.size() == 2) {
                const Value i = eval(*n.kids[1]);
                if (i.kind == Value::Kind::Number && i.is_int && i.num == 0) return tensor_value(base.t);
            }
            throw Unsupported{"lstsq(...)[...] other than [0]", n.line};
        }
        if (base.kind == Value::Kind::Number) throw TorchError{"a Python number cannot be indexed", n.line};
        const Selection s = select(base.t, n);
        Tensor out = make_tensor(s.shape);
        for (std::size_t k = 0; k < s.positions.size(); ++k) out.data[k] = base.t.data[s.positions[k]];
        return view_of(base, std::move(out), s.contiguous);
    }

    // ---- calls ----
    struct Args {
        const Node& call;
        std::vector<const Node*> positional;
        std::map<std::string, const Node*> keywords;
    };

    static Args split_args(const Node& call) {
        Args a{call, {}, {}};
        const std::size_t nkw = call.kw.size();
        const std::size_t npos = call.kids.size() - 1 - nkw;
        for (std::size_t i = 0; i < npos; ++i) a.positional.push_back(call.kids[1 + i].get());
        for (std::size_t i = 0; i < nkw; ++i) a.keywords[call.kw[i]] = call.kids[1 + npos + i].get();
        return a;
    }

    // The keywords a function accepts; any other is outside the subset.
    static void allow_keywords(const Args& a, std::initializer_list<const char*> names, const std::string& fn) {
        for (const auto& [name, node] : a.keywords) {
            bool ok = false;
            for (const char* allowed : names) ok = ok || name == allowed;
            if (!ok) throw Unsupported{fn + "(" + printable(name, 20) + "=...)", node->line};
        }
    }

    static void arity(const Args& a, std::size_t lo, std::size_t hi, const std::string& fn) {
        if (a.positional.size() < lo || a.positional.size() > hi)
            throw Unsupported{fn + " with " + std::to_string(a.positional.size()) + " arguments", a.call.line};
    }

    // dtype= must be a float32 spelling (anything else would change the numbers).
    void check_dtype(const Args& a, const std::string& fn) {
        const auto it = a.keywords.find("dtype");
        if (it == a.keywords.end()) return;
        const std::string path = torch_path(*it->second);
        if (path != "torch.float32" && path != "torch.float")
            throw Unsupported{fn + "(dtype=" + (path.empty() ? std::string("...") : printable(path, 30)) + ")",
                              it->second->line};
    }

    void check_grad(const Args& a) const {
        const auto it = a.keywords.find("requires_grad");
        if (it != a.keywords.end() && !(it->second->kind == K::Name &&
                                        (it->second->text == "True" || it->second->text == "False")))
            throw Unsupported{"requires_grad=...", it->second->line};
    }

    int int_arg(const Node* n, const char* what) {
        const Value v = eval(*n);
        return static_cast<int>(std::clamp(whole(v, n->line, what), -1e9, 1e9));
    }

    bool bool_keyword(const Args& a, const char* name) {
        const auto it = a.keywords.find(name);
        if (it == a.keywords.end()) return false;
        const Node& n = *it->second;
        if (n.kind == K::Name && (n.text == "True" || n.text == "False")) return n.text == "True";
        throw Unsupported{std::string(name) + "=...", n.line};
    }

    // (r, c) | r, c | [r, c] → a shape (sizes ≥ 0, within the limits).
    std::vector<int> shape_args(const Args& a, const std::string& fn) {
        std::vector<const Node*> items = a.positional;
        if (items.size() == 1 && (items[0]->kind == K::Tuple || items[0]->kind == K::List)) {
            std::vector<const Node*> inner;
            for (const auto& k : items[0]->kids) inner.push_back(k.get());
            items = inner;
        }
        if (items.size() > 2) throw Unsupported{"a tensor with more than 2 dimensions", a.call.line};
        if (items.empty()) throw Unsupported{fn + "() without a size", a.call.line};
        std::vector<int> shape;
        for (const Node* n : items) {
            const int d = int_arg(n, "a size");
            if (d < 0) throw TorchError{"negative size " + std::to_string(d), n->line};
            shape.push_back(d);
        }
        check_size(shape, a.call.line);
        return shape;
    }

    Value call(const Node& n) {
        const Node& func = *n.kids[0];
        const Args a = split_args(n);
        const std::string path = torch_path(func);
        if (!path.empty()) return torch_call(path, a);
        if (func.kind == K::Name) {
            if (func.text == "float") return float_call(a);
            if (func.text == "torch") throw Unsupported{"torch(...)", n.line};
            const auto it = scope_.find(func.text);
            if (it == scope_.end()) throw Unsupported{printable(func.text, 30), n.line};
            if (!it->second.binding.ok) throw Poisoned{it->second.binding.problem};
            throw Unsupported{printable(func.text, 30) + "(...)", n.line};
        }
        if (func.kind == K::Attr) return method_call(func, a);
        throw Unsupported{"calling the result of an expression", n.line};
    }

    Value float_call(const Args& a) {
        arity(a, 1, 1, "float");
        allow_keywords(a, {}, "float");
        const Value v = eval(*a.positional[0]);
        if (v.kind == Value::Kind::Number) return number_value(v.num, false);
        if (v.kind == Value::Kind::Tensor && v.t.data.size() == 1) return number_value(v.t.data[0], false);
        throw TorchError{"float() of a tensor of " + std::to_string(v.t.data.size()) + " numbers", a.call.line};
    }

    Value torch_call(const std::string& path, const Args& a) {
        const int line = a.call.line;
        if (path == "torch.tensor") return torch_tensor(a);
        if (path == "torch.zeros" || path == "torch.ones") {
            allow_keywords(a, {"dtype", "requires_grad"}, path);
            check_dtype(a, path);
            check_grad(a);
            return tensor_value(make_tensor(shape_args(a, path), path == "torch.ones" ? 1.0f : 0.0f));
        }
        if (path == "torch.eye") {
            allow_keywords(a, {"dtype", "requires_grad"}, path);
            check_dtype(a, path);
            arity(a, 1, 2, path);
            const std::vector<int> shape = shape_args(a, path);
            Tensor t = make_tensor(shape.size() == 1 ? std::vector<int>{shape[0], shape[0]} : shape);
            check_size(t.shape, line);
            for (int i = 0; i < std::min(t.shape[0], t.shape[1]); ++i) t.data[static_cast<std::size_t>(i * t.shape[1] + i)] = 1.0f;
            return tensor_value(std::move(t));
        }
        if (path == "torch.zeros_like" || path == "torch.ones_like") {
            allow_keywords(a, {"dtype"}, path);
            check_dtype(a, path);
            arity(a, 1, 1, path);
            return tensor_value(make_tensor(tensor(*a.positional[0]).shape, path == "torch.ones_like" ? 1.0f : 0.0f));
        }
        if (path == "torch.stack" || path == "torch.cat") return stack_or_cat(path, a);
        if (path == "torch.softmax") {
            allow_keywords(a, {"dim"}, path);
            arity(a, 1, 2, path);
            return softmax_of(tensor(*a.positional[0]), dim_arg(a, 1), line);
        }
        if (path == "torch.norm" || path == "torch.linalg.norm") {
            allow_keywords(a, {"dim", "keepdim"}, path);
            arity(a, 1, 1, path);
            return norm_of(tensor(*a.positional[0]), a);
        }
        if (path == "torch.linalg.inv") {
            allow_keywords(a, {}, path);
            arity(a, 1, 1, path);
            return tensor_value(inverse(tensor(*a.positional[0]), line));
        }
        if (path == "torch.linalg.lstsq") {
            allow_keywords(a, {}, path);
            arity(a, 2, 2, path);
            Value v;
            v.kind = Value::Kind::Lstsq;
            v.t = lstsq(tensor(*a.positional[0]), tensor(*a.positional[1]), line);
            return v;
        }
        throw Unsupported{printable(path, 40), line};
    }

    // torch.tensor(nested lists of numbers): float32 unless every number is a whole-number literal
    // (torch makes that int64, which the notebook's attention refuses).
    Value torch_tensor(const Args& a) {
        allow_keywords(a, {"dtype", "requires_grad"}, "torch.tensor");
        check_dtype(a, "torch.tensor");
        check_grad(a);
        arity(a, 1, 1, "torch.tensor");
        const Node& data = *a.positional[0];
        std::vector<int> shape;
        std::vector<double> values;
        bool all_int = true;
        if (data.kind == K::List || data.kind == K::Tuple) {
            shape.push_back(static_cast<int>(data.kids.size()));
            bool rows = false;
            for (std::size_t i = 0; i < data.kids.size(); ++i) {
                const Node& item = *data.kids[i];
                const bool is_row = item.kind == K::List || item.kind == K::Tuple;
                if (i == 0) rows = is_row;
                if (is_row != rows) throw TorchError{"torch.tensor of a ragged list", item.line};
                if (!is_row) {
                    values.push_back(scalar_item(item, all_int));
                    continue;
                }
                if (i == 0) shape.push_back(static_cast<int>(item.kids.size()));
                if (static_cast<int>(item.kids.size()) != shape[1])
                    throw TorchError{"torch.tensor of a ragged list", item.line};
                for (const auto& x : item.kids) {
                    if (x->kind == K::List || x->kind == K::Tuple) throw Unsupported{"a tensor with more than 2 dimensions", x->line};
                    values.push_back(scalar_item(*x, all_int));
                }
            }
            if (shape[0] == 0) all_int = false;
        } else {
            const Value v = eval(data);
            if (v.kind == Value::Kind::Tensor) return tensor_value(v.t);  // a copy, as torch.tensor(t) is
            values.push_back(scalar_item(data, all_int));
        }
        if (all_int && a.keywords.count("dtype") == 0)
            throw Unsupported{"torch.tensor of whole numbers (an int64 tensor; write 1.0 rather than 1)", a.call.line};
        check_size(shape, a.call.line);
        Tensor t = make_tensor(shape);
        for (std::size_t i = 0; i < values.size(); ++i) t.data[i] = static_cast<float>(values[i]);
        return tensor_value(std::move(t));
    }

    double scalar_item(const Node& item, bool& all_int) {
        const Value v = eval(item);
        if (v.kind == Value::Kind::Number) {
            all_int = all_int && v.is_int;
            return v.num;
        }
        if (v.kind == Value::Kind::Tensor && v.t.data.size() == 1) {
            all_int = false;
            return v.t.data[0];
        }
        throw TorchError{"torch.tensor of a list holding tensors", item.line};
    }

    Value stack_or_cat(const std::string& path, const Args& a) {
        allow_keywords(a, {"dim"}, path);
        arity(a, 1, 2, path);
        const Node& list = *a.positional[0];
        const int line = a.call.line;
        if (list.kind != K::List && list.kind != K::Tuple) throw Unsupported{path + " of something other than a list", line};
        if (list.kids.empty()) throw TorchError{path + " of an empty list", line};
        std::vector<Tensor> parts;
        for (const auto& k : list.kids) parts.push_back(tensor(*k));
        const bool stack = path == "torch.stack";
        const int rank = static_cast<int>(parts[0].shape.size());
        const int out_rank = stack ? rank + 1 : rank;
        if (out_rank > 2) throw Unsupported{"a tensor with more than 2 dimensions", line};
        if (!stack && rank == 0) throw TorchError{"torch.cat of 0-dim tensors", line};
        const int dim = normalize_dim(dim_value(a, 1, 0), out_rank, line);
        std::vector<Tensor> rows;  // every part as a matrix along dim 0 of the result
        for (const Tensor& p : parts) {
            if (stack ? p.shape != parts[0].shape : p.shape.size() != parts[0].shape.size())
                throw TorchError{path + " of tensors with shapes " + shape_text(parts[0].shape) + " and " + shape_text(p.shape), line};
            Tensor m = p;
            if (stack) m.shape.insert(m.shape.begin() + dim, 1);
            if (m.shape.size() == 2 && dim == 1) m = transpose2(m);
            if (m.shape.size() == 1) m.shape = {m.shape[0], 1};
            rows.push_back(std::move(m));
        }
        const int width = rows[0].shape[1];
        Tensor out;
        int total = 0;
        for (const Tensor& m : rows) {
            if (m.shape[1] != width) throw TorchError{path + " of tensors whose other sizes differ", line};
            total += m.shape[0];
            out.data.insert(out.data.end(), m.data.begin(), m.data.end());
            if (out.data.size() > static_cast<std::size_t>(kMaxTensorElements)) check_size({total, width}, line);
        }
        out.shape = {total, width};
        if (out_rank == 1) out.shape = {total};
        else if (dim == 1) out = transpose2(out);
        check_size(out.shape, line);
        return tensor_value(std::move(out));
    }

    double dim_value(const Args& a, std::size_t position, double fallback) {
        const auto it = a.keywords.find("dim");
        if (it != a.keywords.end()) {
            if (a.positional.size() > position) throw TorchError{"dim given twice", a.call.line};
            return whole(eval(*it->second), it->second->line, "dim");
        }
        if (a.positional.size() > position) return whole(eval(*a.positional[position]), a.call.line, "dim");
        return fallback;
    }

    // dim of softmax: required, as torch (an implicit dim is deprecated and differs by rank).
    double dim_arg(const Args& a, std::size_t position) {
        const double none = std::numeric_limits<double>::infinity();
        const double d = dim_value(a, position, none);
        if (d == none) throw Unsupported{"softmax without dim", a.call.line};
        return d;
    }

    Value softmax_of(const Tensor& t, double dim, int line) {
        const int d = normalize_dim(dim, static_cast<int>(t.shape.size()), line);
        count(t.data.size() * 4, line);
        return tensor_value(softmax(t, d));
    }

    // Reductions: no dim → everything; dim → that dimension; keepdim/keepdims keep it as 1.
    Value reduction(const Tensor& t, const Args& a, std::size_t dim_position, float (*f)(const std::vector<float>&),
                    bool mean, bool transposed = false) {
        const double none = std::numeric_limits<double>::infinity();
        const double dim = dim_value(a, dim_position, none);
        const int d = dim == none ? -1 : normalize_dim(dim, static_cast<int>(t.shape.size()), a.call.line);
        const bool keep = bool_keyword(a, "keepdim") || bool_keyword(a, "keepdims");
        count(t.data.size(), a.call.line);
        if (t.shape.empty() && d >= 0) return tensor_value(map_tensor(t, [f](float x) { return f({x}); }));
        Tensor out = f == lane_sum ? sum_tensor(t, d, keep, transposed) : reduce(t, d, keep, f);
        if (mean) {
            const float n = static_cast<float>(d < 0 ? t.data.size() : static_cast<std::size_t>(t.shape[static_cast<std::size_t>(d)]));
            for (float& x : out.data) x /= n;
        }
        return tensor_value(std::move(out));
    }

    Value norm_of(const Tensor& t, const Args& a) { return reduction(t, a, 1, lane_norm, false); }

    Tensor inverse(const Tensor& t, int line) {
        if (t.shape.size() != 2 || t.shape[0] != t.shape[1])
            throw TorchError{"linalg.inv of a non-square tensor of shape " + shape_text(t.shape), line};
        work_ += std::pow(static_cast<double>(t.shape[0]), 3);
        if (work_ > kMaxScriptWork) throw TorchError{"too much computation (over the limit)", line, true};
        if (!all_finite(t)) return make_tensor(t.shape, std::nanf(""));
        const Eigen::FullPivLU<Eigen::MatrixXd> lu(to_eigen(t));
        if (!lu.isInvertible()) throw TorchError{"linalg.inv of a singular matrix", line};
        return from_eigen(lu.inverse(), t.shape);
    }

    // Least squares through a complete orthogonal decomposition (minimum-norm like gelsy).
    Tensor lstsq(const Tensor& A, const Tensor& B, int line) {
        if (A.shape.size() != 2) throw TorchError{"linalg.lstsq needs a 2-D matrix, not " + shape_text(A.shape), line};
        if (B.shape.empty() || B.shape[0] != A.shape[0])
            throw TorchError{"linalg.lstsq of shapes " + shape_text(A.shape) + " and " + shape_text(B.shape), line};
        const double n = A.shape[0], m = A.shape[1];
        work_ += n * m * std::max(n, m) + n * m * cols_of(B);
        if (work_ > kMaxScriptWork) throw TorchError{"too much computation (over the limit)", line, true};
        Eigen::MatrixXd rhs = to_eigen(B);
        if (B.shape.size() == 1) rhs = rhs.transpose().eval();
        const std::vector<int> shape = B.shape.size() == 1 ? std::vector<int>{A.shape[1]} : std::vector<int>{A.shape[1], B.shape[1]};
        if (!all_finite(A) || !all_finite(B)) return make_tensor(shape, std::nanf(""));
        Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod;
        cod.setThreshold(std::numeric_limits<float>::epsilon() * std::max(n, m));
        cod.compute(to_eigen(A));
        Eigen::MatrixXd x = cod.solve(rhs);
        if (B.shape.size() == 1) x = x.transpose().eval();
        return from_eigen(x, shape);
    }

    Value method_call(const Node& func, const Args& a) {
        const std::string& name = func.text;
        const int line = a.call.line;
        Value self = eval(*func.kids[0]);
        if (self.kind != Value::Kind::Tensor) throw Unsupported{"." + printable(name, 30) + "() on a Python number", line};
        const Tensor& t = self.t;
        auto fresh = [](Tensor x) { return tensor_value(std::move(x)); };
        if (name == "clone" || name == "detach") {
            allow_keywords(a, {}, name);
            arity(a, 0, 0, "." + name);
            return name == "clone" ? fresh(t) : view_of(self, t, true);
        }
        if (name == "t" || name == "transpose") {
            allow_keywords(a, {}, name);
            int d0 = 0, d1 = 1;
            if (name == "t") {
                arity(a, 0, 0, ".t");
            } else {
                arity(a, 2, 2, ".transpose");
                d0 = normalize_dim(int_arg(a.positional[0], "dim"), static_cast<int>(t.shape.size()), line);
                d1 = normalize_dim(int_arg(a.positional[1], "dim"), static_cast<int>(t.shape.size()), line);
            }
            if (t.shape.size() < 2 || d0 == d1) return view_of(self, t, true);
            return transposed_view(self);
        }
        if (name == "unsqueeze" || name == "squeeze") return squeeze_call(self, a, name);
        if (name == "reshape" || name == "view") return reshape_call(self, a, name);
        if (name == "sum" || name == "mean") {
            allow_keywords(a, {"dim", "keepdim", "keepdims"}, "." + name);
            arity(a, 0, 1, "." + name);
            return reduction(t, a, 0, lane_sum, name == "mean", self.transposed);
        }
        if (name == "norm") {
            allow_keywords(a, {"dim", "keepdim"}, ".norm");
            arity(a, 0, 0, ".norm");
            return reduction(t, a, 99, lane_norm, false);
        }
        if (name == "max") {
            allow_keywords(a, {}, ".max");
            arity(a, 0, 0, ".max (with a dim it returns values and indices)");
            count(t.data.size(), line);
            return fresh(reduce(t, -1, false, lane_max));
        }
        if (name == "softmax") {
            allow_keywords(a, {"dim"}, ".softmax");
            arity(a, 0, 1, ".softmax");
            return softmax_of(t, dim_arg(a, 0), line);
        }
        throw Unsupported{"." + printable(name, 30) + "()", line};
    }

    Value squeeze_call(const Value& self, const Args& a, const std::string& name) {
        allow_keywords(a, {"dim"}, "." + name);
        const Tensor& t = self.t;
        const int rank = static_cast<int>(t.shape.size());
        Tensor out = t;
        if (name == "unsqueeze") {
            arity(a, 0, 1, ".unsqueeze");
            const double dim = dim_value(a, 0, std::numeric_limits<double>::infinity());
            if (!std::isfinite(dim)) throw TorchError{"unsqueeze needs dim", a.call.line};
            const int d = normalize_dim(dim, rank + 1, a.call.line);
            out.shape.insert(out.shape.begin() + d, 1);
            check_size(out.shape, a.call.line);
            return view_of(self, std::move(out), true);
        }
        arity(a, 0, 1, ".squeeze");
        const double dim = dim_value(a, 0, std::numeric_limits<double>::infinity());
        if (!std::isfinite(dim)) {
            out.shape.erase(std::remove(out.shape.begin(), out.shape.end(), 1), out.shape.end());
        } else if (rank > 0) {
            const int d = normalize_dim(dim, rank, a.call.line);
            if (out.shape[static_cast<std::size_t>(d)] == 1) out.shape.erase(out.shape.begin() + d);
        }
        return view_of(self, std::move(out), true);
    }

    Value reshape_call(const Value& self, const Args& a, const std::string& name) {
        allow_keywords(a, {}, "." + name);
        std::vector<const Node*> items = a.positional;
        if (items.size() == 1 && (items[0]->kind == K::Tuple || items[0]->kind == K::List)) {
            items.clear();
            for (const auto& k : a.positional[0]->kids) items.push_back(k.get());
        }
        if (items.size() > 2) throw Unsupported{"a tensor with more than 2 dimensions", a.call.line};
        std::vector<int> shape;
        int infer = -1;
        std::size_t known = 1;
        for (std::size_t i = 0; i < items.size(); ++i) {
            const int d = int_arg(items[i], "a size");
            if (d == -1 && infer < 0) {
                infer = static_cast<int>(i);
                shape.push_back(1);
                continue;
            }
            if (d < 0) throw TorchError{"invalid size " + std::to_string(d) + " in ." + name, a.call.line};
            shape.push_back(d);
            known *= static_cast<std::size_t>(d);
        }
        const std::size_t n = self.t.data.size();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) throw TorchError{"shape " + shape_text(shape) + " is invalid for " + std::to_string(n) + " numbers", a.call.line};
            shape[static_cast<std::size_t>(infer)] = static_cast<int>(n / known);
        }
        if (numel(shape) != n) throw TorchError{"shape " + shape_text(shape) + " is invalid for " + std::to_string(n) + " numbers", a.call.line};
        if (name == "view" && !self.contiguous && shape != self.t.shape)
            throw Unsupported{".view of a transposed or column-sliced tensor", a.call.line};
        Tensor out = self.t;
        out.shape = shape;
        if (name == "reshape" && !self.contiguous) return tensor_value(std::move(out));  // reshape copies then
        return view_of(self, std::move(out), true);
    }

    const Scope& scope_;
    double& work_;
};

// ---------------------------------------------------------------------------------------------
// [SECTION] script

std::string line_label(const LineLabels& labels, int line) {
    if (line >= 1 && static_cast<std::size_t>(line) <= labels.size()) return labels[static_cast<std::size_t>(line - 1)];
    return "line " + std::to_string(line);
}

std::string unsupported_message(const Unsupported& u, const LineLabels& labels) {
    if (u.construct == "an incomplete statement") return "incomplete statement at " + line_label(labels, u.line);
    return "uses `" + u.construct + "` at " + line_label(labels, u.line);
}

std::string torch_error_message(const TorchError& e, const LineLabels& labels) {
    return line_label(labels, e.line) + ": " + e.message + (e.ours ? "" : " (PyTorch raises an error here too)");
}

class Script {
public:
    Script(const std::map<std::string, Tensor>& given, const LineLabels& labels) : labels_(labels) {
        for (const auto& [name, t] : given) {
            Slot s;
            s.binding.ok = true;
            s.binding.value = t;
            s.value = tensor_value(t);
            s.value.storage = next_storage_++;
            scope_[name] = std::move(s);
            given_.insert(name);
        }
    }

    ScriptResult run(const std::vector<Statement>& statements) {
        for (std::size_t i = 0; i < statements.size();) i = statement(statements, i);
        ScriptResult result;
        for (const auto& [name, slot] : scope_)
            if (given_.count(name) == 0) result.names[name] = slot.binding;
        result.key_checks = std::move(key_checks_);
        return result;
    }

private:
    static bool is_compound(const Statement& s) {
        static const std::set<std::string> kHeads = {"def", "class", "if", "elif", "else", "for", "while", "with",
                                                     "try", "except", "finally", "async", "match"};
        const Token& t = s.tokens.front();
        return (t.kind == T::Name && kHeads.count(t.text) != 0) || is_op(t, "@");
    }

    // Runs statements[i] (and its block); returns the index of the next statement.
    std::size_t statement(const std::vector<Statement>& all, std::size_t i) {
        const Statement& s = all[i];
        const Token& first = s.tokens.front();
        if (is_compound(s)) return compound(all, i);
        if (first.kind == T::Name && (first.text == "import" || first.text == "from" || first.text == "pass" ||
                                      first.text == "assert" || first.text == "global" || first.text == "nonlocal"))
            return i + 1;
        if (is_op(first, "%") || first.text == "!" || first.text == "?") return i + 1;  // IPython magics
        if (first.kind == T::Name && first.text == "del") {
            for (const Token& t : s.tokens)
                if (t.kind == T::Name && t.text != "del") poison(t.text, Unsupported{"del", s.line});
            return i + 1;
        }
        assignment_or_expression(s);
        return i + 1;
    }

    std::size_t compound(const std::vector<Statement>& all, std::size_t i) {
        const Statement& head = all[i];
        std::size_t end = i + 1;
        while (end < all.size() && all[end].indent > head.indent) ++end;
        const Token& first = head.tokens.front();
        if (is_op(first, "@")) return end;  // a decorator: the def that follows is handled next
        if (first.text == "def" || first.text == "class" || first.text == "async") {
            std::size_t k = first.text == "async" ? 2 : 1;
            if (k < head.tokens.size() && head.tokens[k].kind == T::Name) {
                const std::string& name = head.tokens[k].text;
                if (name != "attention" && name != "check_query")
                    poison(name, Unsupported{printable(first.text, 10) + " " + printable(name, 30), head.line});
            }
            return end;
        }
        // if/for/while/with/try: every name they assign cannot be graded.
        const Unsupported why{printable(first.text, 10), head.line};
        for (std::size_t k = i; k < end; ++k) {
            const auto& toks = all[k].tokens;
            for (std::size_t j = 0; j + 1 < toks.size(); ++j) {
                const bool target = toks[j].kind == T::Name &&
                                    (j == 0 || is_op(toks[j - 1], ":") || is_name(toks[j - 1], "for") ||
                                     is_name(toks[j - 1], "as") || is_op(toks[j - 1], ","));
                if (target) poison(toks[j].text, why);
            }
        }
        return end;
    }

    // The index of the top-level '=' or augmented operator, or npos.
    static std::size_t find_assign(const Statement& s, int& count) {
        int depth = 0;
        std::size_t at = std::string::npos;
        count = 0;
        for (std::size_t j = 0; j < s.tokens.size(); ++j) {
            const Token& t = s.tokens[j];
            if (t.kind != T::Op) continue;
            if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
            if (t.text == ")" || t.text == "]" || t.text == "}") --depth;
            const bool assign = t.text == "=" || (t.text.size() >= 2 && t.text.back() == '=' && t.text != "==" &&
                                                  t.text != "!=" && t.text != "<=" && t.text != ">=");
            if (depth == 0 && assign) {
                if (at == std::string::npos) at = j;
                ++count;
            }
        }
        return at;
    }

    void assignment_or_expression(const Statement& s) {
        int count = 0;
        const std::size_t at = find_assign(s, count);
        if (at == std::string::npos) return expression_statement(s);
        const Token& first = s.tokens.front();
        if (first.kind != T::Name) return;  // no name to record it on
        const std::string name = first.text;
        if (given_.count(name) != 0 && !seen_assignment_) return;  // the notebook's setup
        seen_assignment_ = true;
        const std::string op = s.tokens[at].text;
        try {
            if (count > 1) throw Unsupported{"chained assignment", s.line};
            if (given_.count(name) != 0) throw Unsupported{"a new value for the notebook's " + printable(name, 20), s.line};
            if (at > 1 && !is_op(s.tokens[1], "[")) throw Unsupported{printable(s.tokens[1].text, 10) + " in an assignment target", s.line};
            if (at + 1 >= s.tokens.size()) throw Unsupported{"an incomplete statement", s.line};
            NodePtr rhs = Parser(s.tokens, at + 1).parse_whole();
            if (at == 1) assign_name(name, op, *rhs, s.line);
            else assign_index(name, s, at, op, *rhs);
        } catch (const Unsupported& u) {
            poison(name, u);
        } catch (const TorchError& e) {
            poison_message(name, torch_error_message(e, labels_), s.line);
        } catch (const Evaluator::Poisoned& p) {
            poison_message(name, p.problem, s.line);
        }
    }

    Value evaluate(const Node& n) {
        Evaluator ev(scope_, work_);
        return ev.eval(n);
    }

    void assign_name(const std::string& name, const std::string& op, const Node& rhs, int line) {
        Value v = evaluate(rhs);
        if (v.kind == Value::Kind::Lstsq) throw Unsupported{"a whole lstsq result (use .solution)", line};
        if (op != "=") {
            const auto it = scope_.find(name);
            if (it == scope_.end()) throw TorchError{printable(name, 30) + " is not defined before " + op, line};
            if (!it->second.binding.ok) throw Evaluator::Poisoned{it->second.binding.problem};
            Value cur = it->second.value;
            if (cur.kind == Value::Kind::Tensor) {
                refuse_shared(name, line);
                Tensor updated = combine(cur.t, v, op, line);
                if (updated.shape != cur.t.shape)
                    throw TorchError{"the result of " + op + " has shape " + shape_text(updated.shape) + ", not " + shape_text(cur.t.shape), line};
                cur.t = std::move(updated);
                return store(name, cur, line);
            }
            v = combine_numbers(cur, v, op, line);
        }
        if (v.kind == Value::Kind::Tensor && v.storage == 0) v.storage = next_storage_++;
        store(name, v, line);
    }

    Value combine_numbers(const Value& a, const Value& b, const std::string& op, int line) {
        auto lhs = make_node(K::Num, line);
        lhs->num = a.num;
        lhs->is_int = a.is_int;
        auto n = make_node(K::Bin, line);
        n->text = op.substr(0, op.size() - 1);
        n->kids.push_back(std::move(lhs));
        n->kids.push_back(literal(b, line));
        Value out = evaluate(*n);
        drop_temps();
        return out;
    }

    // A value as a node again, so an augmented assignment reuses the binary operators.
    NodePtr literal(const Value& v, int line) {
        const std::string name = "\x01" + std::to_string(temp_++);
        Slot s;
        s.binding.ok = true;
        s.value = v;
        scope_[name] = s;
        temps_.push_back(name);
        auto n = make_node(K::Name, line);
        n->text = name;
        return n;
    }

    Tensor combine(const Tensor& current, const Value& rhs, const std::string& op, int line) {
        auto n = make_node(K::Bin, line);
        n->text = op.substr(0, op.size() - 1);
        Value lhs = tensor_value(current);
        n->kids.push_back(literal(lhs, line));
        n->kids.push_back(literal(rhs, line));
        Value out = evaluate(*n);
        drop_temps();
        return Evaluator::as_tensor(out, line);
    }

    void drop_temps() {
        for (const auto& t : temps_) scope_.erase(t);
        temps_.clear();
    }

    // name[index] = rhs  |  name[index] op= rhs: rhs (or the updated part) written into place.
    void assign_index(const std::string& name, const Statement& s, std::size_t at, const std::string& op, const Node& rhs) {
        const auto it = scope_.find(name);
        if (it == scope_.end()) throw TorchError{printable(name, 30) + " is not defined", s.line};
        if (!it->second.binding.ok) throw Evaluator::Poisoned{it->second.binding.problem};
        // The target must be exactly name[...].
        std::vector<Token> target(s.tokens.begin(), s.tokens.begin() + static_cast<long>(at));
        NodePtr node = Parser(target).parse_whole();
        if (node->kind != K::Sub || node->kids[0]->kind != K::Name)
            throw Unsupported{"this assignment target", s.line};
        Value cur = it->second.value;
        if (cur.kind != Value::Kind::Tensor) throw TorchError{"a Python number cannot be indexed", s.line};
        Evaluator ev(scope_, work_);
        const auto sel = ev.select(cur.t, *node);
        Value v = evaluate(rhs);
        if (v.kind == Value::Kind::Lstsq) throw Unsupported{"a whole lstsq result (use .solution)", s.line};
        Tensor part = make_tensor(sel.shape);
        for (std::size_t k = 0; k < sel.positions.size(); ++k) part.data[k] = cur.t.data[sel.positions[k]];
        Tensor src = op == "=" ? Evaluator::as_tensor(v, s.line) : combine(part, v, op, s.line);
        while (src.shape.size() > part.shape.size() && src.shape.front() == 1) src.shape.erase(src.shape.begin());
        const std::vector<int> shape = broadcast_shape(part.shape, src.shape, s.line);
        if (shape != part.shape)
            throw TorchError{"a value of shape " + shape_text(src.shape) + " does not fit " + shape_text(part.shape), s.line};
        const Tensor filled = elementwise(part, src, s.line, [](float, float y) { return y; });
        refuse_shared(name, s.line);
        for (std::size_t k = 0; k < sel.positions.size(); ++k) cur.t.data[sel.positions[k]] = filled.data[k];
        store(name, cur, s.line);
    }

    // In-place changes are refused while another name shares the memory (see the header).
    void refuse_shared(const std::string& name, int line) {
        const int storage = scope_.at(name).value.storage;
        std::vector<std::string> sharing;
        for (const auto& [other, slot] : scope_)
            if (other != name && slot.binding.ok && slot.value.kind == Value::Kind::Tensor && slot.value.storage == storage)
                sharing.push_back(other);
        if (sharing.empty()) return;
        const Unsupported why{"an in-place change of " + printable(name, 20) + ", which shares memory with " +
                                  printable(sharing.front(), 20),
                              line};
        for (const auto& other : sharing) poison(other, why);
        throw why;
    }

    void store(const std::string& name, const Value& v, int line) {
        Slot& slot = scope_[name];
        slot.value = v;
        slot.binding = Binding{};
        slot.binding.ok = true;
        slot.binding.line = line;
        slot.binding.is_number = v.kind == Value::Kind::Number;
        slot.binding.number = v.num;
        slot.binding.value = v.kind == Value::Kind::Number ? scalar_tensor(static_cast<float>(v.num)) : v.t;
    }

    void poison(const std::string& name, const Unsupported& u) { poison_message(name, unsupported_message(u, labels_), u.line); }

    void poison_message(const std::string& name, const std::string& problem, int line) {
        if (given_.count(name) != 0 && !seen_assignment_) return;
        drop_temps();
        Slot& slot = scope_[name];
        slot.binding = Binding{};
        slot.binding.problem = problem;
        slot.binding.line = line;
        slot.value = Value{};
    }

    // Never evaluated. In-place methods (name.add_(...)) make the name ungradable; the
    // notebook's check_query(..., key=NAME) records NAME's binding for the 1.4 tasks.
    void expression_statement(const Statement& s) {
        const auto& t = s.tokens;
        if (t.size() >= 4 && t[0].kind == T::Name && is_op(t[1], ".") && t[2].kind == T::Name &&
            t[2].text.size() > 1 && t[2].text.back() == '_' && t[2].text.front() != '_' && is_op(t[3], "(")) {
            if (given_.count(t[0].text) != 0 && !seen_assignment_) return;
            seen_assignment_ = seen_assignment_ || given_.count(t[0].text) == 0;
            poison(t[0].text, Unsupported{"." + printable(t[2].text, 20) + "()", s.line});
            return;
        }
        if (t.size() < 2 || !is_name(t[0], "check_query") || !is_op(t[1], "(")) return;
        for (std::size_t j = 2; j + 2 < t.size(); ++j)
            if (is_name(t[j], "key") && is_op(t[j + 1], "=") && t[j + 2].kind == T::Name &&
                (j + 3 >= t.size() || is_op(t[j + 3], ")") || is_op(t[j + 3], ","))) {
                const auto it = scope_.find(t[j + 2].text);
                Binding b;
                if (it == scope_.end()) {
                    b.problem = printable(t[j + 2].text, 30) + " is not defined at " + line_label(labels_, s.line);
                    b.line = s.line;
                } else {
                    b = it->second.binding;
                }
                key_checks_.push_back(std::move(b));
            }
    }

    const LineLabels& labels_;
    Scope scope_;
    std::set<std::string> given_;
    std::vector<Binding> key_checks_;
    std::vector<std::string> temps_;
    bool seen_assignment_ = false;
    int next_storage_ = 1;
    int temp_ = 0;
    double work_ = 0;
};

}  // namespace

std::string shape_text(const std::vector<int>& shape) {
    if (shape.empty()) return "()";
    if (shape.size() == 1) return "(" + std::to_string(shape[0]) + ",)";
    std::string out = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + ")";
}

ScriptResult run_script(std::string_view source, const std::map<std::string, Tensor>& given, const LineLabels& labels) {
    if (source.size() > kMaxScriptBytes)
        throw InputError("source is larger than the limit of " + std::to_string(kMaxScriptBytes) + " bytes");
    const std::vector<Token> tokens = Tokenizer(source).run();
    const std::vector<Statement> statements = split_statements(tokens);
    return Script(given, labels).run(statements);
}

Tensor evaluate(std::string_view expression, const std::map<std::string, Tensor>& names) {
    std::map<std::string, Tensor> given = names;
    const std::string source = "__result__ = " + std::string(expression) + "\n";
    if (source.size() > kMaxScriptBytes)
        throw InputError("source is larger than the limit of " + std::to_string(kMaxScriptBytes) + " bytes");
    ScriptResult r = run_script(source, given);
    const auto it = r.names.find("__result__");
    if (it == r.names.end()) throw InputError("not an expression");
    if (!it->second.ok) throw InputError(it->second.problem);
    return it->second.value;
}

}  // namespace attn::pyexpr
