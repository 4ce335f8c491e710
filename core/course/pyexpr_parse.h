// attnlab core, internal: the second step of pyexpr (pyexpr.h): the tokens of one expression →
// an AST. Not part of the public API.
//
// A recursive-descent parser for the expression part of Python that a hand-in can use: numbers,
// strings (kept only so that a call around them can be named), names, attributes, calls with
// positional then keyword arguments, subscripts with slices, + - * / @ **, unary - +, tuples and
// lists. Everything else Python has (comparisons, boolean and bitwise operators, lambda,
// comprehensions, // and %, starred arguments, ...) is refused where it is met.
//
// Calling rules
// - parse_whole_expression() parses tokens[begin, end) as exactly one expression; the whole range
//   must be used. It throws Unsupported (pyexpr_failures.h) naming the first token it cannot
//   take (or "an incomplete statement" when the range ends early) and TorchError (ours) for more
//   than kMaxExpressionDepth levels of nesting. It never evaluates anything.
// - The AST owns its nodes (unique_ptr); a Slice has exactly three kids (lo, hi, step), each null
//   when left out. Nodes may also be built by hand with make_node (the script does for `op=`).
#pragma once

#include "core/course/pyexpr_tokens.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace attn::pyexpr::detail {

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

NodePtr make_node(K kind, int line);

NodePtr parse_whole_expression(const std::vector<Token>& tokens, std::size_t begin = 0,
                               std::size_t end = std::string::npos);

}  // namespace attn::pyexpr::detail
