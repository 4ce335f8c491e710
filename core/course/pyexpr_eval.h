// attnlab core, internal: the third step of pyexpr (pyexpr.h): an AST (pyexpr_parse.h) → a value,
// with the subset of Python numbers, torch functions and tensor methods that hand-ins use.
// Not part of the public API.
//
// Evaluator (pyexpr_eval.cpp) computes names, numbers, attributes, operators, indexing and
// slicing, and float(); a call of a torch function or of a tensor method goes to
// call_torch_function / call_tensor_method (pyexpr_calls.cpp), which look the name up in a table
// of small handlers. The handlers read their arguments through the Evaluator's argument helpers
// below, so every function checks its keywords, arity, dtype and dims with the same wording.
//
// Calling rules
// - An Evaluator reads the names of one Scope and adds its work to one counter (`work`, shared by
//   the whole script, limited by kMaxScriptWork); it never changes the scope. Make one per
//   evaluation; it is cheap.
// - eval() throws Unsupported or TorchError (pyexpr_failures.h) for what cannot be graded, and
//   Evaluator::Poisoned when it uses a name that could not be graded (its problem travels on).
// - Values of kind Lstsq exist only as the result of torch.linalg.lstsq: only .solution and [0]
//   read them; as_tensor() refuses them. Values of kind Shape are a tensor's .shape or .size()
//   (a torch.Size): indexing gives Python ints, sizes (torch.zeros(x.shape), .reshape(x.shape))
//   take them whole; as_tensor() refuses them. A name may hold either (q = torch.linalg.lstsq(...),
//   s = x.shape): its Binding is not ok (not an answer) but the evaluator still reads its value.
// - storage/contiguous/transposed follow PyTorch's views, so that .view, sums in memory order and
//   in-place changes of shared memory behave as in torch.
#pragma once

#include "core/course/pyexpr.h"
#include "core/course/pyexpr_parse.h"

#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace attn::pyexpr::detail {

struct Value {
    enum class Kind { Number, Tensor, Lstsq, Shape };
    Kind kind = Kind::Number;
    double num = 0;
    bool is_int = false;
    Tensor t;
    int storage = 0;          // which tensor's memory this one views (0: its own, new)
    bool contiguous = true;   // false for transposes and column slices (.view refuses them)
    bool transposed = false;  // laid out in memory as its transpose: x.T, and x.T * 2 (sums read it so)
    bool untransposed_contiguous = true;
    std::vector<int> dims;  // Kind::Shape: the sizes
};

// x.T of a 2-D value: a transposed view (transposing back gives the original layout again).
Value transposed_view(const Value& v);
Value number_value(double x, bool is_int);
Value tensor_value(Tensor t);
Value shape_value(std::vector<int> dims);
// A new tensor (memory of its own) laid out in memory as `layout` is, as torch lays out the
// result of an elementwise operation or a clone (they keep the order of the strides): x.T * 2
// and x.T.clone() are transposed in memory, so sums read them in that order and .view refuses them.
Value laid_out_like(Tensor t, const Value& layout);
// `t` as a view of `base`'s memory (contiguous when `base` is and `contiguous` says so).
Value view_of(const Value& base, Tensor t, bool contiguous);

// A name's state while the script runs. `function`: the name is a `def` of the script (its
// binding says it is not a tensor); a call of it goes to UserFunctions.
struct Slot {
    Binding binding;
    Value value;
    bool function = false;
};

using Scope = std::map<std::string, Slot>;

// The arguments of a call: positional nodes in order, keyword nodes by name. A function form of
// a method (torch.mean(x, 0) as x.mean(0)) hands the method its arguments after the tensor:
// `function` names it in messages ("torch.mean"; empty for a method) and `before` counts the
// positional arguments taken off.
struct Args {
    const Node& call;
    std::vector<const Node*> positional;
    std::map<std::string, const Node*> keywords;
    std::string function;
    std::size_t before = 0;
};

// The script's own functions (def, pyexpr.cpp): Evaluator::call hands over a call of a name whose
// slot is a function, with its arguments (positional, then keywords by name) already evaluated
// in the caller's scope.
class UserFunctions {
public:
    virtual Value call_user(const std::string& name, std::vector<Value> args, std::map<std::string, Value> keywords,
                            const Args& a) = 0;

protected:
    ~UserFunctions() = default;
};

class Evaluator {
public:
    // A name that could not be graded, used again: its problem travels on unchanged.
    struct Poisoned {
        std::string problem;
    };

    // The entries of a tensor that an index (name[...]) selects.
    struct Selection {
        std::vector<int> shape;
        std::vector<std::size_t> positions;  // flat indices into the indexed tensor
        bool contiguous = true;
    };

    Evaluator(const Scope& scope, double& work, UserFunctions* user = nullptr)
        : scope_(scope), work_(work), user_(user) {}

    Value eval(const Node& n);
    Tensor tensor(const Node& n);
    static Tensor as_tensor(const Value& v, int line);
    Selection select(const Tensor& t, const Node& sub);

    // ---- for the handlers of torch functions and tensor methods (pyexpr_calls.cpp) ----
    // The keywords a function accepts; any other is outside the subset.
    static void allow_keywords(const Args& a, std::initializer_list<const char*> names, const std::string& fn);
    static void arity(const Args& a, std::size_t lo, std::size_t hi, const std::string& fn);
    // dtype= must be a float32 spelling (anything else would change the numbers).
    void check_dtype(const Args& a, const std::string& fn);
    void check_grad(const Args& a) const;
    int int_arg(const Node* n, const char* what);
    static int int_of(const Value& v, int line, const char* what);
    bool bool_keyword(const Args& a, const char* name);
    // (r, c) | r, c | [r, c] | a torch.Size (when `shape_value`) → the sizes as written.
    std::vector<int> size_list(const Args& a, bool shape_value);
    // The same as a shape (sizes ≥ 0, within the limits).
    std::vector<int> shape_args(const Args& a, const std::string& fn, bool shape_value = true);
    // dim= or the positional argument at `position`, else `fallback`.
    double dim_value(const Args& a, std::size_t position, double fallback);
    // dim of softmax: required, as torch (an implicit dim is deprecated and differs by rank).
    double dim_arg(const Args& a, std::size_t position);
    // Work against kMaxScriptWork: `elements` numbers touched, or `amount` multiply-adds.
    void count(std::size_t elements, int line);
    void add_work(double amount, int line);
    // a @ b (the operator, torch.matmul, .matmul): counts its work.
    Value matmul_of(const Value& a, const Value& b, int line);

private:
    Value lookup(const Node& n) const;
    static std::string torch_path(const Node& n);
    Value attribute(const Node& n);
    Value negate(const Value& v, int line);
    static double whole(const Value& v, int line, const char* what);
    static Value int_result(double x, int line);
    Value number_op(const std::string& op, const Value& a, const Value& b, int line);
    Value binary(const Node& n);
    Tensor checked(Tensor t, int line) const;
    long long slice_bound(const Node* n, long long fallback);
    std::vector<int> slice_indices(const Node& slice, int size);
    Value subscript(const Node& n);
    static Args split_args(const Node& call);
    Value call(const Node& n);
    Value float_call(const Args& a);
    Value len_call(const Args& a);
    Value shape_subscript(const Value& base, const Node& n);

    const Scope& scope_;
    double& work_;
    UserFunctions* user_ = nullptr;
};

// torch.<path>(...) and <tensor>.<name>(...): the tables of pyexpr_calls.cpp. Both throw
// Unsupported for a function or method outside the subset.
Value call_torch_function(Evaluator& ev, const std::string& path, const Args& a);
Value call_tensor_method(Evaluator& ev, const Node& func, const Args& a);

}  // namespace attn::pyexpr::detail
