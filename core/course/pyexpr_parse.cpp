// The tokens of one expression → an AST, recursive descent and depth-limited (pyexpr_parse.h).
#include "core/course/pyexpr_parse.h"

#include "core/base/error.h"
#include "core/course/pyexpr.h"
#include "core/course/pyexpr_failures.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

namespace attn::pyexpr::detail {

NodePtr make_node(K kind, int line) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->line = line;
    return n;
}

namespace {

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
    case T::String: return t.unterminated ? "an unterminated string" : "a string";
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
            if (t.unterminated) fail(t);
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

}  // namespace

NodePtr parse_whole_expression(const std::vector<Token>& tokens, std::size_t begin, std::size_t end) {
    return Parser(tokens, begin, end).parse_whole();
}

}  // namespace attn::pyexpr::detail
