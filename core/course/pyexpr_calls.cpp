// torch functions and tensor methods of pyexpr: one small handler each, found by name in a
// sorted table (pyexpr_eval.h).
#include "core/course/pyexpr_eval.h"

#include "core/base/error.h"
#include "core/base/limits.h"
#include "core/course/pyexpr_failures.h"
#include "core/course/pyexpr_tensors.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <limits>
#include <string_view>
#include <utility>

namespace attn::pyexpr::detail {

namespace {

// A handler of torch.<path>(...): `path` is the whole dotted name, as messages write it.
using TorchFunction = Value (*)(Evaluator& ev, const std::string& path, const Args& a);
// A handler of <tensor>.<name>(...): `self` is the tensor, already evaluated.
using TensorMethod = Value (*)(Evaluator& ev, const Value& self, const std::string& name, const Args& a);

template <typename Handler>
struct Entry {
    std::string_view name;
    Handler handler;
};

template <typename Handler, std::size_t N>
constexpr bool sorted_by_name(const Entry<Handler> (&table)[N]) {
    for (std::size_t i = 1; i < N; ++i)
        if (!(table[i - 1].name < table[i].name)) return false;
    return true;
}

template <typename Handler, std::size_t N>
Handler find_handler(const Entry<Handler> (&table)[N], std::string_view name) {
    const auto* it = std::lower_bound(std::begin(table), std::end(table), name,
                                      [](const Entry<Handler>& e, std::string_view n) { return e.name < n; });
    return it != std::end(table) && it->name == name ? it->handler : nullptr;
}

// ---- shared by functions and methods ----

// How messages name a method's handler: ".mean", or "torch.mean" for its function form.
std::string shown(const Args& a, const std::string& name) { return a.function.empty() ? "." + name : a.function; }

Value softmax_of(Evaluator& ev, const Tensor& t, double dim, int line) {
    const int d = normalize_dim(dim, static_cast<int>(t.shape.size()), line);
    ev.count(t.data.size() * 4, line);
    return tensor_value(softmax(t, d));
}

// Reductions: no dim → everything; dim → that dimension; keepdim/keepdims keep it as 1.
Value reduction(Evaluator& ev, const Tensor& t, const Args& a, std::size_t dim_position, float (*f)(const std::vector<float>&),
                bool mean, bool transposed = false) {
    const double none = std::numeric_limits<double>::infinity();
    const double dim = ev.dim_value(a, dim_position, none);
    const int d = dim == none ? -1 : normalize_dim(dim, static_cast<int>(t.shape.size()), a.call.line);
    const bool keep = ev.bool_keyword(a, "keepdim") || ev.bool_keyword(a, "keepdims");
    ev.count(t.data.size(), a.call.line);
    if (t.shape.empty() && d >= 0) return tensor_value(map_tensor(t, [f](float x) { return f({x}); }));
    Tensor out = f == lane_sum ? sum_tensor(t, d, keep, transposed) : reduce(t, d, keep, f);
    if (mean) {
        const float n = static_cast<float>(d < 0 ? t.data.size() : static_cast<std::size_t>(t.shape[static_cast<std::size_t>(d)]));
        for (float& x : out.data) x /= n;
    }
    return tensor_value(std::move(out));
}

// ---- torch functions ----

double scalar_item(Evaluator& ev, const Node& item, bool& all_int) {
    const Value v = ev.eval(item);
    if (v.kind == Value::Kind::Number) {
        all_int = all_int && v.is_int;
        return v.num;
    }
    if (v.kind == Value::Kind::Tensor && v.t.data.size() == 1) {
        all_int = false;
        return v.t.data[0];
    }
    if (v.kind == Value::Kind::Shape) throw Unsupported{"torch.tensor of a shape (an int64 tensor)", item.line};
    throw TorchError{"torch.tensor of a list holding tensors", item.line};
}

// torch.tensor(nested lists of numbers): float32 unless every number is a whole-number literal
// (torch makes that int64, which the notebook's attention refuses).
Value torch_tensor(Evaluator& ev, const std::string& path, const Args& a) {
    ev.allow_keywords(a, {"dtype", "requires_grad"}, "torch.tensor");
    ev.check_dtype(a, "torch.tensor");
    ev.check_grad(a);
    ev.arity(a, 1, 1, "torch.tensor");
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
                values.push_back(scalar_item(ev, item, all_int));
                continue;
            }
            if (i == 0) shape.push_back(static_cast<int>(item.kids.size()));
            if (static_cast<int>(item.kids.size()) != shape[1])
                throw TorchError{"torch.tensor of a ragged list", item.line};
            for (const auto& x : item.kids) {
                if (x->kind == K::List || x->kind == K::Tuple) throw Unsupported{"a tensor with more than 2 dimensions", x->line};
                values.push_back(scalar_item(ev, *x, all_int));
            }
        }
        if (shape[0] == 0) all_int = false;
    } else {
        const Value v = ev.eval(data);
        if (v.kind == Value::Kind::Tensor) return tensor_value(v.t);  // a copy, as torch.tensor(t) is
        values.push_back(scalar_item(ev, data, all_int));
    }
    if (all_int && a.keywords.count("dtype") == 0)
        throw Unsupported{"torch.tensor of whole numbers (an int64 tensor; write 1.0 rather than 1)", a.call.line};
    check_size(shape, a.call.line);
    Tensor t = make_tensor(shape);
    for (std::size_t i = 0; i < values.size(); ++i) t.data[i] = static_cast<float>(values[i]);
    return tensor_value(std::move(t));
}

// torch.zeros, torch.ones
Value torch_filled(Evaluator& ev, const std::string& path, const Args& a) {
    ev.allow_keywords(a, {"dtype", "requires_grad"}, path);
    ev.check_dtype(a, path);
    ev.check_grad(a);
    return tensor_value(make_tensor(ev.shape_args(a, path), path == "torch.ones" ? 1.0f : 0.0f));
}

Value torch_eye(Evaluator& ev, const std::string& path, const Args& a) {
    const int line = a.call.line;
    ev.allow_keywords(a, {"dtype", "requires_grad"}, path);
    ev.check_dtype(a, path);
    ev.arity(a, 1, 2, path);
    const std::vector<int> given = ev.shape_args(a, path, false);  // torch.eye(n[, m]), never a torch.Size
    const std::vector<int> shape = given.size() == 1 ? std::vector<int>{given[0], given[0]} : given;
    check_size(shape, line);  // before allocating: torch.eye(65536) is 2^32 numbers
    Tensor t = make_tensor(shape);
    for (int i = 0; i < std::min(t.shape[0], t.shape[1]); ++i) t.data[static_cast<std::size_t>(i * t.shape[1] + i)] = 1.0f;
    return tensor_value(std::move(t));
}

// torch.zeros_like, torch.ones_like
Value torch_filled_like(Evaluator& ev, const std::string& path, const Args& a) {
    ev.allow_keywords(a, {"dtype"}, path);
    ev.check_dtype(a, path);
    ev.arity(a, 1, 1, path);
    return tensor_value(make_tensor(ev.tensor(*a.positional[0]).shape, path == "torch.ones_like" ? 1.0f : 0.0f));
}

// torch.stack, torch.cat
Value stack_or_cat(Evaluator& ev, const std::string& path, const Args& a) {
    ev.allow_keywords(a, {"dim"}, path);
    ev.arity(a, 1, 2, path);
    const Node& list = *a.positional[0];
    const int line = a.call.line;
    if (list.kind != K::List && list.kind != K::Tuple) throw Unsupported{path + " of something other than a list", line};
    if (list.kids.empty()) throw TorchError{path + " of an empty list", line};
    std::vector<Tensor> parts;
    for (const auto& k : list.kids) parts.push_back(ev.tensor(*k));
    const bool stack = path == "torch.stack";
    const int rank = static_cast<int>(parts[0].shape.size());
    const int out_rank = stack ? rank + 1 : rank;
    if (out_rank > 2) throw Unsupported{"a tensor with more than 2 dimensions", line};
    if (!stack && rank == 0) throw TorchError{"torch.cat of 0-dim tensors", line};
    const int dim = normalize_dim(ev.dim_value(a, 1, 0), out_rank, line);
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

Value torch_softmax(Evaluator& ev, const std::string& path, const Args& a) {
    ev.allow_keywords(a, {"dim"}, path);
    ev.arity(a, 1, 2, path);
    // The dim is read before the tensor, as the evaluator always has (the order GCC gave the
    // arguments of one call): a hand-in wrong in both gets the message about the dim.
    const double dim = ev.dim_arg(a, 1);
    const Tensor t = ev.tensor(*a.positional[0]);
    return softmax_of(ev, t, dim, a.call.line);
}

// torch.norm, torch.linalg.norm
Value torch_norm(Evaluator& ev, const std::string& path, const Args& a) {
    ev.allow_keywords(a, {"dim", "keepdim"}, path);
    ev.arity(a, 1, 1, path);
    return reduction(ev, ev.tensor(*a.positional[0]), a, 1, lane_norm, false);
}

Value linalg_inv(Evaluator& ev, const std::string& path, const Args& a) {
    const int line = a.call.line;
    ev.allow_keywords(a, {}, path);
    ev.arity(a, 1, 1, path);
    const Tensor t = ev.tensor(*a.positional[0]);
    if (t.shape.size() != 2 || t.shape[0] != t.shape[1])
        throw TorchError{"linalg.inv of a non-square tensor of shape " + shape_text(t.shape), line};
    ev.add_work(std::pow(static_cast<double>(t.shape[0]), 3), line);
    return tensor_value(inverse_of_square(t, line));
}

// A Value of kind Lstsq: its tensor is the solution (read by .solution or [0]).
Value linalg_lstsq(Evaluator& ev, const std::string& path, const Args& a) {
    const int line = a.call.line;
    ev.allow_keywords(a, {}, path);
    ev.arity(a, 2, 2, path);
    // B is read before A, as the evaluator always has (see torch_softmax).
    const Tensor B = ev.tensor(*a.positional[1]);
    const Tensor A = ev.tensor(*a.positional[0]);
    if (A.shape.size() != 2) throw TorchError{"linalg.lstsq needs a 2-D matrix, not " + shape_text(A.shape), line};
    if (B.shape.empty() || B.shape[0] != A.shape[0])
        throw TorchError{"linalg.lstsq of shapes " + shape_text(A.shape) + " and " + shape_text(B.shape), line};
    const double n = A.shape[0], m = A.shape[1];
    ev.add_work(n * m * std::max(n, m) + n * m * cols_of(B), line);
    Value v;
    v.kind = Value::Kind::Lstsq;
    v.t = lstsq_solution(A, B);
    return v;
}


// ---- tensor methods ----

// .clone() copies (in the same memory order, as torch's preserve_format); .detach() is a view
// of the same memory.
Value method_copy(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {}, shown(a, name));
    ev.arity(a, 0, 0, shown(a, name));
    return name == "clone" ? laid_out_like(self.t, self) : view_of(self, self.t, true);
}

// .t(), .transpose(d0, d1) (or dim0=, dim1=)
Value method_transpose(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    const Tensor& t = self.t;
    const int line = a.call.line;
    int d0 = 0, d1 = 1;
    if (name == "t") {
        ev.allow_keywords(a, {}, shown(a, name));
        ev.arity(a, 0, 0, shown(a, name));
    } else {
        ev.allow_keywords(a, {"dim0", "dim1"}, shown(a, name));
        const std::size_t given = a.positional.size() + a.keywords.size();
        if (given != 2) throw Unsupported{shown(a, name) + " with " + std::to_string(given + a.before) + " arguments", line};
        const auto k0 = a.keywords.find("dim0"), k1 = a.keywords.find("dim1");
        if ((k0 != a.keywords.end() && !a.positional.empty()) || (k1 != a.keywords.end() && a.positional.size() > 1))
            throw TorchError{"a dim given twice", line};
        const Node* n0 = k0 != a.keywords.end() ? k0->second : a.positional[0];
        const Node* n1 = k1 != a.keywords.end() ? k1->second : a.positional[a.positional.size() - 1];
        d0 = normalize_dim(ev.int_arg(n0, "dim"), static_cast<int>(t.shape.size()), line);
        d1 = normalize_dim(ev.int_arg(n1, "dim"), static_cast<int>(t.shape.size()), line);
    }
    if (t.shape.size() < 2 || d0 == d1) return view_of(self, t, true);
    return transposed_view(self);
}

// .unsqueeze(d), .squeeze([d])
Value squeeze_call(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {"dim"}, shown(a, name));
    const Tensor& t = self.t;
    const int rank = static_cast<int>(t.shape.size());
    Tensor out = t;
    if (name == "unsqueeze") {
        ev.arity(a, 0, 1, shown(a, name));
        const double dim = ev.dim_value(a, 0, std::numeric_limits<double>::infinity());
        if (!std::isfinite(dim)) throw TorchError{"unsqueeze needs dim", a.call.line};
        const int d = normalize_dim(dim, rank + 1, a.call.line);
        out.shape.insert(out.shape.begin() + d, 1);
        check_size(out.shape, a.call.line);
        return view_of(self, std::move(out), true);
    }
    ev.arity(a, 0, 1, shown(a, name));
    const double dim = ev.dim_value(a, 0, std::numeric_limits<double>::infinity());
    if (!std::isfinite(dim)) {
        out.shape.erase(std::remove(out.shape.begin(), out.shape.end(), 1), out.shape.end());
    } else if (rank > 0) {
        const int d = normalize_dim(dim, rank, a.call.line);
        if (out.shape[static_cast<std::size_t>(d)] == 1) out.shape.erase(out.shape.begin() + d);
    }
    return view_of(self, std::move(out), true);
}

// .reshape(...), .view(...)
Value reshape_call(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {}, shown(a, name));
    const std::vector<int> sizes = ev.size_list(a, true);
    std::vector<int> shape;
    int infer = -1;
    std::size_t known = 1;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const int d = sizes[i];
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


// .sum([dim]), .mean([dim])
Value method_sum(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {"dim", "keepdim", "keepdims"}, shown(a, name));
    ev.arity(a, 0, 1, shown(a, name));
    return reduction(ev, self.t, a, 0, lane_sum, name == "mean", self.transposed);
}

Value method_norm(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {"dim", "keepdim"}, shown(a, name));
    ev.arity(a, 0, 0, shown(a, name));
    return reduction(ev, self.t, a, 99, lane_norm, false);
}

Value method_max(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {}, shown(a, name));
    ev.arity(a, 0, 0, shown(a, name) + " (with a dim it returns values and indices)");
    ev.count(self.t.data.size(), a.call.line);
    return tensor_value(reduce(self.t, -1, false, lane_max));
}

Value method_softmax(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {"dim"}, shown(a, name));
    ev.arity(a, 0, 1, shown(a, name));
    return softmax_of(ev, self.t, ev.dim_arg(a, 0), a.call.line);
}

// .matmul(other), as @.
Value method_matmul(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {"other"}, shown(a, name));
    const auto other = a.keywords.find("other");
    if (other != a.keywords.end()) {
        if (!a.positional.empty())
            throw TorchError{shown(a, name) + "() got multiple values for argument 'other' (TypeError)", a.call.line};
        return ev.matmul_of(self, ev.eval(*other->second), a.call.line);
    }
    ev.arity(a, 1, 1, shown(a, name));
    return ev.matmul_of(self, ev.eval(*a.positional[0]), a.call.line);
}

// .size() is the shape (a torch.Size), .size(d) one size (a Python int).
Value method_size(Evaluator& ev, const Value& self, const std::string& name, const Args& a) {
    ev.allow_keywords(a, {"dim"}, shown(a, name));
    ev.arity(a, 0, 1, shown(a, name));
    const double dim = ev.dim_value(a, 0, std::numeric_limits<double>::infinity());
    if (!std::isfinite(dim)) return shape_value(self.t.shape);
    const int rank = static_cast<int>(self.t.shape.size());
    if (rank == 0) throw TorchError{"size(" + whole_text(dim) + ") of a 0-dim tensor (IndexError)", a.call.line};
    return number_value(self.t.shape[static_cast<std::size_t>(normalize_dim(dim, rank, a.call.line))], true);
}

// Sorted by name (checked below): looked up by binary search.
constexpr Entry<TensorMethod> kTensorMethods[] = {
    {"clone", method_copy},
    {"detach", method_copy},
    {"matmul", method_matmul},
    {"max", method_max},
    {"mean", method_sum},
    {"norm", method_norm},
    {"reshape", reshape_call},
    {"size", method_size},
    {"softmax", method_softmax},
    {"squeeze", squeeze_call},
    {"sum", method_sum},
    {"t", method_transpose},
    {"transpose", method_transpose},
    {"unsqueeze", squeeze_call},
    {"view", reshape_call},
};
static_assert(sorted_by_name(kTensorMethods), "kTensorMethods must be sorted by name");

// torch.<name>(x, ...) is x.<name>(...): the method's handler, given the arguments after x.
Value as_method(Evaluator& ev, const std::string& path, const Args& a) {
    const std::string name = path.substr(path.rfind('.') + 1);
    // The tensor is the first positional argument or, as torch names it, input=.
    const auto input = a.keywords.find("input");
    const bool by_keyword = a.positional.empty() && input != a.keywords.end();
    if (a.positional.empty() && !by_keyword) throw Unsupported{path + " with 0 arguments", a.call.line};
    const Value self = ev.eval(by_keyword ? *input->second : *a.positional[0]);
    if (self.kind != Value::Kind::Tensor)
        throw TorchError{path + "() needs a tensor as its first argument (TypeError)", a.call.line};
    Args rest{a.call, {a.positional.begin() + (by_keyword ? 0 : 1), a.positional.end()}, a.keywords, path, 1};
    if (by_keyword) rest.keywords.erase("input");
    return find_handler(kTensorMethods, name)(ev, self, name, rest);
}

// Sorted by name (checked below): looked up by binary search.
constexpr Entry<TorchFunction> kTorchFunctions[] = {
    {"torch.cat", stack_or_cat},
    {"torch.clone", as_method},
    {"torch.eye", torch_eye},
    {"torch.linalg.inv", linalg_inv},
    {"torch.linalg.lstsq", linalg_lstsq},
    {"torch.linalg.norm", torch_norm},
    {"torch.matmul", as_method},
    {"torch.max", as_method},
    {"torch.mean", as_method},
    {"torch.norm", torch_norm},
    {"torch.ones", torch_filled},
    {"torch.ones_like", torch_filled_like},
    {"torch.reshape", as_method},
    {"torch.softmax", torch_softmax},
    {"torch.squeeze", as_method},
    {"torch.stack", stack_or_cat},
    {"torch.sum", as_method},
    {"torch.t", as_method},
    {"torch.tensor", torch_tensor},
    {"torch.transpose", as_method},
    {"torch.unsqueeze", as_method},
    {"torch.zeros", torch_filled},
    {"torch.zeros_like", torch_filled_like},
};
static_assert(sorted_by_name(kTorchFunctions), "kTorchFunctions must be sorted by name");

}  // namespace

Value call_torch_function(Evaluator& ev, const std::string& path, const Args& a) {
    const TorchFunction handler = find_handler(kTorchFunctions, path);
    if (handler == nullptr) throw Unsupported{printable(path, 40), a.call.line};
    return handler(ev, path, a);
}

Value call_tensor_method(Evaluator& ev, const Node& func, const Args& a) {
    const std::string& name = func.text;
    const int line = a.call.line;
    const Value self = ev.eval(*func.kids[0]);
    if (self.kind == Value::Kind::Shape) throw Unsupported{"torch.Size." + printable(name, 30) + "()", line};
    if (self.kind == Value::Kind::Lstsq) throw Unsupported{"lstsq(...)." + printable(name, 30) + "()", line};
    if (self.kind != Value::Kind::Tensor) throw Unsupported{"." + printable(name, 30) + "() on a Python number", line};
    const TensorMethod handler = find_handler(kTensorMethods, name);
    if (handler == nullptr) throw Unsupported{"." + printable(name, 30) + "()", line};
    return handler(ev, self, name, a);
}

}  // namespace attn::pyexpr::detail
