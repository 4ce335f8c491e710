// attnlab core, internal: the two ways a statement of a hand-in fails inside pyexpr (pyexpr.h).
// Not part of the public API.
//
// The tokenizer never fails; the parser, the tensor kernels and the evaluator throw these, and
// the script (pyexpr.cpp) catches them per statement and records them on the names it assigns.
//
// Calling rules
// - Unsupported: the construct is outside the subset; `construct` is written into
//   "uses `<construct>` at line N" ("an incomplete statement" gets its own wording).
// - TorchError: PyTorch (or Python) would raise too, or a limit of ours was reached (then `ours`
//   is set and the message does not say that PyTorch raises).
// - Both are plain values, thrown by value and caught by const reference; never std::exception.
#pragma once

#include <string>

namespace attn::pyexpr::detail {

struct Unsupported {
    std::string construct;
    int line;
};

struct TorchError {
    std::string message;
    int line;
    bool ours = false;
};

}  // namespace attn::pyexpr::detail
