// The evaluator of pyexpr: names, numbers, operators, indexing and the argument helpers of the
// calls (pyexpr_eval.h); torch functions and tensor methods are in pyexpr_calls.cpp.
#include "core/course/pyexpr_eval.h"

#include "core/base/error.h"
#include "core/course/pyexpr_failures.h"
#include "core/course/pyexpr_tensors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace attn::pyexpr::detail {

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

Value shape_value(std::vector<int> dims) {
    Value v;
    v.kind = Value::Kind::Shape;
    v.dims = std::move(dims);
    return v;
}

Value laid_out_like(Tensor t, const Value& layout) {
    Value v = tensor_value(std::move(t));
    if (layout.kind != Value::Kind::Tensor || !layout.transposed || v.t.shape != layout.t.shape) return v;
    v.transposed = true;
    v.contiguous = v.t.shape[0] == 1 || v.t.shape[1] == 1;
    return v;
}

namespace {

// An elementwise result takes the layout of its first operand that is not broadcast (torch's
// TensorIterator: a broadcast operand or a number has no say in the order of the strides).
Value elementwise_value(Tensor t, const Value& a, const Value& b) {
    for (const Value* v : {&a, &b})
        if (v->kind == Value::Kind::Tensor && v->t.shape == t.shape) return laid_out_like(std::move(t), *v);
    return tensor_value(std::move(t));
}

}  // namespace

Value view_of(const Value& base, Tensor t, bool contiguous) {
    Value v = tensor_value(std::move(t));
    v.storage = base.storage;
    v.contiguous = base.contiguous && contiguous;
    v.transposed = base.transposed && v.t.shape.size() == 2;
    v.untransposed_contiguous = base.untransposed_contiguous;
    return v;
}

Value Evaluator::eval(const Node& n) {
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
        if (v.kind == Value::Kind::Shape) as_tensor(v, n.line);
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

Tensor Evaluator::tensor(const Node& n) {
    Value v = eval(n);
    return as_tensor(v, n.line);
}

Tensor Evaluator::as_tensor(const Value& v, int line) {
    if (v.kind == Value::Kind::Tensor) return v.t;
    if (v.kind == Value::Kind::Number) return scalar_tensor(static_cast<float>(v.num));
    if (v.kind == Value::Kind::Shape) throw Unsupported{"a shape (torch.Size) as a number or tensor", line};
    throw Unsupported{"a lstsq result without .solution", line};
}

Value Evaluator::lookup(const Node& n) const {
    const auto it = scope_.find(n.text);
    if (it == scope_.end()) {
        if (n.text == "torch") throw Unsupported{"torch on its own", n.line};
        throw Unsupported{printable(n.text, 30), n.line};
    }
    const Value& v = it->second.value;
    // A name holding a lstsq result or a shape is not an answer (its binding says why) but reads.
    if (!it->second.binding.ok && v.kind != Value::Kind::Lstsq && v.kind != Value::Kind::Shape)
        throw Poisoned{it->second.binding.problem};
    return v;
}

// Dotted names rooted at `torch` ("torch.linalg.inv"); empty when the chain is not one.
std::string Evaluator::torch_path(const Node& n) {
    if (n.kind == K::Name) return n.text == "torch" ? "torch" : "";
    if (n.kind != K::Attr) return "";
    const std::string base = torch_path(*n.kids[0]);
    return base.empty() ? "" : base + "." + n.text;
}

Value Evaluator::attribute(const Node& n) {
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
    if (v.kind == Value::Kind::Tensor && n.text == "shape") return shape_value(v.t.shape);
    if (v.kind == Value::Kind::Tensor && n.text == "ndim") return number_value(static_cast<double>(v.t.shape.size()), true);
    if (v.kind == Value::Kind::Shape) throw Unsupported{"torch.Size." + printable(n.text, 30), n.line};
    throw Unsupported{"." + printable(n.text, 30), n.line};
}

Value Evaluator::negate(const Value& v, int line) {
    if (v.kind == Value::Kind::Number) return number_value(-v.num, v.is_int);
    return laid_out_like(map_tensor(as_tensor(v, line), [](float x) { return -x; }), v);
}

double Evaluator::whole(const Value& v, int line, const char* what) {
    if (v.kind != Value::Kind::Number || !v.is_int)
        throw TorchError{std::string(what) + " must be a whole number", line};
    return v.num;
}

Value Evaluator::int_result(double x, int line) {
    if (std::fabs(x) > 9007199254740992.0) throw Unsupported{"an integer larger than 2**53", line};
    return number_value(x, true);
}

Value Evaluator::number_op(const std::string& op, const Value& a, const Value& b, int line) {
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

Value Evaluator::binary(const Node& n) {
    const Value a = eval(*n.kids[0]);
    const Value b = eval(*n.kids[1]);
    const std::string& op = n.text;
    if (a.kind == Value::Kind::Number && b.kind == Value::Kind::Number) return number_op(op, a, b, n.line);
    if (op == "@") return matmul_of(a, b, n.line);
    const Tensor x = as_tensor(a, n.line), y = as_tensor(b, n.line);
    count(std::max(x.data.size(), y.data.size()), n.line);
    auto result = [&](Tensor t) { return elementwise_value(checked(std::move(t), n.line), a, b); };
    if (op == "+") return result(elementwise(x, y, n.line, [](float p, float q) { return p + q; }));
    if (op == "-") return result(elementwise(x, y, n.line, [](float p, float q) { return p - q; }));
    if (op == "*") return result(elementwise(x, y, n.line, [](float p, float q) { return p * q; }));
    if (op == "/") {
        // number / tensor is tensor.__rtruediv__: reciprocal, then multiply.
        if (a.kind == Value::Kind::Number) {
            const float s = static_cast<float>(a.num);
            return result(map_tensor(y, [s](float q) { return (1.0f / q) * s; }));
        }
        return result(elementwise(x, y, n.line, [](float p, float q) { return p / q; }));
    }
    if (op == "**") {
        if (b.kind == Value::Kind::Number) return result(pow_scalar(x, b.num));
        if (a.kind == Value::Kind::Number && a.num == 1.0) return result(map_tensor(y, [](float) { return 1.0f; }));
        return result(elementwise(x, y, n.line, [](float p, float q) { return std::pow(p, q); }));
    }
    throw Unsupported{printable(op, 5), n.line};
}

Value Evaluator::matmul_of(const Value& a, const Value& b, int line) {
    const Tensor x = as_tensor(a, line), y = as_tensor(b, line);
    count(std::max(x.data.size(), y.data.size()), line);
    if (a.kind == Value::Kind::Number || b.kind == Value::Kind::Number) throw TorchError{"@ with a Python number", line};
    return tensor_value(checked(matmul(x, y, line, work_), line));
}

Tensor Evaluator::checked(Tensor t, int line) const {
    check_size(t.shape, line);
    return t;
}

void Evaluator::count(std::size_t elements, int line) { add_work(static_cast<double>(elements), line); }

void Evaluator::add_work(double amount, int line) {
    work_ += amount;
    if (work_ > kMaxScriptWork) throw TorchError{"too much computation (over the limit)", line, true};
}

Evaluator::Selection Evaluator::select(const Tensor& t, const Node& sub) {
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

long long Evaluator::slice_bound(const Node* n, long long fallback) {
    if (n == nullptr) return fallback;
    const Value v = eval(*n);
    if (v.kind != Value::Kind::Number || !v.is_int) throw Unsupported{"a slice bound that is not a whole number", n->line};
    // Python clamps any bound to the size; clamping first keeps the cast defined (2**62 > any size).
    const double limit = 4611686018427387904.0;
    return static_cast<long long>(std::min(std::max(v.num, -limit), limit));
}

std::vector<int> Evaluator::slice_indices(const Node& slice, int size) {
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

Value Evaluator::subscript(const Node& n) {
    Value base = eval(*n.kids[0]);
    if (base.kind == Value::Kind::Lstsq) {
        if (n.kids.size() == 2) {
            const Value i = eval(*n.kids[1]);
            if (i.kind == Value::Kind::Number && i.is_int && i.num == 0) return tensor_value(base.t);
        }
        throw Unsupported{"lstsq(...)[...] other than [0]", n.line};
    }
    if (base.kind == Value::Kind::Shape) return shape_subscript(base, n);
    if (base.kind == Value::Kind::Number) throw TorchError{"a Python number cannot be indexed", n.line};
    const Selection s = select(base.t, n);
    Tensor out = make_tensor(s.shape);
    for (std::size_t k = 0; k < s.positions.size(); ++k) out.data[k] = base.t.data[s.positions[k]];
    return view_of(base, std::move(out), s.contiguous);
}

// x.shape[i] is a Python int, x.shape[a:b] a shorter torch.Size (a tuple's rules: IndexError).
Value Evaluator::shape_subscript(const Value& base, const Node& n) {
    if (n.kids.size() != 2)
        throw TorchError{"a torch.Size indexed with " + std::to_string(n.kids.size() - 1) + " indices (TypeError)", n.line};
    const int size = static_cast<int>(base.dims.size());
    if (n.kids[1]->kind == K::Slice) {
        // A tuple takes negative steps (x.shape[::-1]); slice_indices refuses them as torch does for tensors.
        if (slice_bound(n.kids[1]->kids[2].get(), 1) < 0) throw Unsupported{"a shape sliced with a negative step", n.line};
        std::vector<int> dims;
        for (int i : slice_indices(*n.kids[1], size)) dims.push_back(base.dims[static_cast<std::size_t>(i)]);
        return shape_value(std::move(dims));
    }
    const Value v = eval(*n.kids[1]);
    if (v.kind != Value::Kind::Number || !v.is_int)
        throw Unsupported{"indexing with something other than whole numbers and slices", n.kids[1]->line};
    if (v.num < -size || v.num >= size)
        throw TorchError{"index " + whole_text(v.num) + " is out of range for a shape of " + std::to_string(size) +
                             " dimensions (IndexError)",
                         n.kids[1]->line};
    const long long i = static_cast<long long>(v.num < 0 ? v.num + size : v.num);
    return number_value(base.dims[static_cast<std::size_t>(i)], true);
}

Args Evaluator::split_args(const Node& call) {
    Args a{call, {}, {}};
    const std::size_t nkw = call.kw.size();
    const std::size_t npos = call.kids.size() - 1 - nkw;
    for (std::size_t i = 0; i < npos; ++i) a.positional.push_back(call.kids[1 + i].get());
    for (std::size_t i = 0; i < nkw; ++i) a.keywords[call.kw[i]] = call.kids[1 + npos + i].get();
    return a;
}

// The keywords a function accepts; any other is outside the subset.
void Evaluator::allow_keywords(const Args& a, std::initializer_list<const char*> names, const std::string& fn) {
    for (const auto& [name, node] : a.keywords) {
        bool ok = false;
        for (const char* allowed : names) ok = ok || name == allowed;
        if (!ok) throw Unsupported{fn + "(" + printable(name, 20) + "=...)", node->line};
    }
}

void Evaluator::arity(const Args& a, std::size_t lo, std::size_t hi, const std::string& fn) {
    if (a.positional.size() < lo || a.positional.size() > hi)
        throw Unsupported{fn + " with " + std::to_string(a.positional.size() + a.before) + " arguments", a.call.line};
}

// dtype= must be a float32 spelling (anything else would change the numbers).
void Evaluator::check_dtype(const Args& a, const std::string& fn) {
    const auto it = a.keywords.find("dtype");
    if (it == a.keywords.end()) return;
    const std::string path = torch_path(*it->second);
    if (path != "torch.float32" && path != "torch.float")
        throw Unsupported{fn + "(dtype=" + (path.empty() ? std::string("...") : printable(path, 30)) + ")",
                          it->second->line};
}

void Evaluator::check_grad(const Args& a) const {
    const auto it = a.keywords.find("requires_grad");
    if (it != a.keywords.end() && !(it->second->kind == K::Name &&
                                    (it->second->text == "True" || it->second->text == "False")))
        throw Unsupported{"requires_grad=...", it->second->line};
}

int Evaluator::int_arg(const Node* n, const char* what) { return int_of(eval(*n), n->line, what); }

int Evaluator::int_of(const Value& v, int line, const char* what) {
    return static_cast<int>(std::clamp(whole(v, line, what), -1e9, 1e9));
}

bool Evaluator::bool_keyword(const Args& a, const char* name) {
    const auto it = a.keywords.find(name);
    if (it == a.keywords.end()) return false;
    const Node& n = *it->second;
    if (n.kind == K::Name && (n.text == "True" || n.text == "False")) return n.text == "True";
    throw Unsupported{std::string(name) + "=...", n.line};
}

// (r, c) | r, c | [r, c] | a torch.Size (when `shape_value`) → the sizes as written.
std::vector<int> Evaluator::size_list(const Args& a, bool shape_value) {
    std::vector<const Node*> items = a.positional;
    if (items.size() == 1 && (items[0]->kind == K::Tuple || items[0]->kind == K::List)) {
        std::vector<const Node*> inner;
        for (const auto& k : items[0]->kids) inner.push_back(k.get());
        items = inner;
    }
    if (items.size() > 2) throw Unsupported{"a tensor with more than 2 dimensions", a.call.line};
    std::vector<int> sizes;
    for (const Node* n : items) {
        const Value v = eval(*n);
        if (v.kind == Value::Kind::Shape && shape_value && a.positional.size() == 1 && n == a.positional[0]) {
            if (v.dims.size() > 2) throw Unsupported{"a tensor with more than 2 dimensions", a.call.line};
            return v.dims;
        }
        sizes.push_back(int_of(v, n->line, "a size"));
    }
    return sizes;
}

// The sizes of size_list as a shape (sizes ≥ 0, within the limits).
std::vector<int> Evaluator::shape_args(const Args& a, const std::string& fn, bool shape_value) {
    const bool empty_tuple = a.positional.size() == 1 && (a.positional[0]->kind == K::Tuple || a.positional[0]->kind == K::List) &&
                             a.positional[0]->kids.empty();
    if (a.positional.empty() || empty_tuple) throw Unsupported{fn + "() without a size", a.call.line};
    const std::vector<int> shape = size_list(a, shape_value);
    for (int d : shape)
        if (d < 0) throw TorchError{"negative size " + std::to_string(d), a.call.line};
    check_size(shape, a.call.line);
    return shape;
}

Value Evaluator::call(const Node& n) {
    const Node& func = *n.kids[0];
    const Args a = split_args(n);
    const std::string path = torch_path(func);
    if (!path.empty()) return call_torch_function(*this, path, a);
    if (func.kind == K::Name) {
        if (func.text == "float") return float_call(a);
        if (func.text == "len") return len_call(a);
        if (func.text == "torch") throw Unsupported{"torch(...)", n.line};
        const auto it = scope_.find(func.text);
        if (it == scope_.end()) throw Unsupported{printable(func.text, 30), n.line};
        if (it->second.function && user_ != nullptr) {
            std::vector<Value> args;
            for (const Node* p : a.positional) args.push_back(eval(*p));
            std::map<std::string, Value> keywords;
            for (const auto& [name, node] : a.keywords) keywords[name] = eval(*node);
            return user_->call_user(func.text, std::move(args), std::move(keywords), a);
        }
        if (!it->second.binding.ok) throw Poisoned{it->second.binding.problem};
        throw Unsupported{printable(func.text, 30) + "(...)", n.line};
    }
    if (func.kind == K::Attr) return call_tensor_method(*this, func, a);
    throw Unsupported{"calling the result of an expression", n.line};
}

Value Evaluator::float_call(const Args& a) {
    arity(a, 1, 1, "float");
    allow_keywords(a, {}, "float");
    const Value v = eval(*a.positional[0]);
    if (v.kind == Value::Kind::Number) return number_value(v.num, false);
    if (v.kind == Value::Kind::Tensor && v.t.data.size() == 1) return number_value(v.t.data[0], false);
    if (v.kind != Value::Kind::Tensor) as_tensor(v, a.call.line);  // a lstsq result, a shape: refused
    throw TorchError{"float() of a tensor of " + std::to_string(v.t.data.size()) + " numbers", a.call.line};
}

// len(x): the size of x's first dimension; len(x.shape): its number of dimensions.
Value Evaluator::len_call(const Args& a) {
    arity(a, 1, 1, "len");
    allow_keywords(a, {}, "len");
    const Value v = eval(*a.positional[0]);
    if (v.kind == Value::Kind::Shape) return number_value(static_cast<double>(v.dims.size()), true);
    if (v.kind == Value::Kind::Lstsq) throw Unsupported{"len() of a lstsq result", a.call.line};
    if (v.kind == Value::Kind::Number) throw TorchError{"len() of a Python number (TypeError)", a.call.line};
    if (v.t.shape.empty()) throw TorchError{"len() of a 0-d tensor (TypeError)", a.call.line};
    return number_value(v.t.shape[0], true);
}

double Evaluator::dim_value(const Args& a, std::size_t position, double fallback) {
    const auto it = a.keywords.find("dim");
    if (it != a.keywords.end() && a.positional.size() > position) throw TorchError{"dim given twice", a.call.line};
    const Node* n = it != a.keywords.end() ? it->second : a.positional.size() > position ? a.positional[position] : nullptr;
    if (n == nullptr) return fallback;
    // torch takes a tuple of dims too (x.sum((0, 1))): outside the subset, not an error.
    if (n->kind == K::Tuple || n->kind == K::List) throw Unsupported{"a tuple of dims", n->line};
    return whole(eval(*n), it != a.keywords.end() ? n->line : a.call.line, "dim");
}

// dim of softmax: required, as torch (an implicit dim is deprecated and differs by rank).
double Evaluator::dim_arg(const Args& a, std::size_t position) {
    const double none = std::numeric_limits<double>::infinity();
    const double d = dim_value(a, position, none);
    if (d == none) throw Unsupported{"softmax without dim", a.call.line};
    return d;
}

}  // namespace attn::pyexpr::detail
