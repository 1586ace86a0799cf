// Modules, cells and Starlark functions; FunctionObj::call binds arguments
// to parameters with starlark-go's rules and messages, then runs the body
// under a frame of its own.
#include <algorithm>
#include <new>
#include <string>
#include <utility>

#include "spec/eval/Dict.h"
#include "spec/eval/Evaluator.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/SmallVec.h"
#include "spec/eval/String.h"

namespace faultbox::star {

// --- FunctionInfo -------------------------------------------------------------

FunctionInfo make_function_info(const Function& fn) {
  FunctionInfo info;
  info.body = &fn.body;
  info.nparams = fn.num_params - (fn.has_varargs ? 1 : 0) - (fn.has_kwargs ? 1 : 0);
  bool seen_star = false;
  for (const Param& p : fn.params) {
    switch (p.kind) {
      case Param::Kind::Normal:
        info.param_names.push_back(p.name->name);
        break;
      case Param::Kind::Default:
        info.param_names.push_back(p.name->name);
        if (!seen_star) info.positional_defaults = true;
        break;
      case Param::Kind::Star:
      case Param::Kind::StarStar:
        seen_star = true;
        break;
    }
  }
  for (size_t i = 0; i < fn.locals.size(); ++i)
    if (fn.locals[i]->scope == Scope::Cell) info.cell_slots.push_back(static_cast<int32_t>(i));
  return info;
}

// --- ModuleObj --------------------------------------------------------------------

ModuleObj::ModuleObj(Heap& heap, std::shared_ptr<const Program> program, std::string name)
    : Container(ObjKind::Module, heap), program_(std::move(program)), name_(std::move(name)) {}

Value ModuleObj::global(std::string_view name) const {
  const auto& names = program_->global_names;
  for (size_t i = 0; i < names.size() && i < globals_.size(); ++i)
    if (names[i] == name) return globals_[i];
  return Value::absent();
}

void ModuleObj::repr(std::string& out, ReprPath&) const {
  out += "<module \"";
  out += name_;
  out += "\">";
}

void ModuleObj::freeze() {
  if (frozen_) return;
  frozen_ = true;
  for (const Value& v : globals_)
    if (!v.is_absent()) star::freeze(v);
}

Value ModuleObj::attr(Thread&, std::string_view name) {
  if (!name.empty() && name[0] == '_') return Value::absent();  // not exported
  return global(name);
}

std::vector<std::string> ModuleObj::attr_names() const {
  std::vector<std::string> names;
  const auto& all = program_->global_names;
  for (size_t i = 0; i < all.size() && i < globals_.size(); ++i)
    if (!globals_[i].is_absent() && !all[i].empty() && all[i][0] != '_') names.push_back(all[i]);
  std::sort(names.begin(), names.end());
  return names;
}

void ModuleObj::set_attr(Thread&, std::string_view name, const Value&) {
  throw EvalError("can't assign to ." + std::string(name) + " field of module");
}

// --- CellObj ----------------------------------------------------------------------

void CellObj::freeze() {
  if (frozen_) return;
  frozen_ = true;
  if (!v.is_absent()) star::freeze(v);
}

// --- FunctionObj ------------------------------------------------------------------

FunctionObj::FunctionObj(Heap& heap, const Function* fn, Value module, std::vector<Value> defaults,
                         std::vector<Value> freevars)
    : Container(ObjKind::Function, heap),
      fn_(fn),
      module_(std::move(module)),
      defaults_(std::move(defaults)),
      freevars_(std::move(freevars)),
      program_(module_.as<ModuleObj>()->program()),
      frame_file_(std::shared_ptr<const File>(), program_->file.get()) {
  auto it = program_->functions.find(fn);
  if (it != program_->functions.end()) {
    info_ = &it->second;
  } else {
    own_info_ = std::make_unique<FunctionInfo>(make_function_info(*fn));
    info_ = own_info_.get();
  }
}

void FunctionObj::repr(std::string& out, ReprPath&) const {
  out += "<function ";
  out += fn_->name;
  out += ">";
}

uint32_t FunctionObj::hash(Thread&) const {
  // Like starlark-go: the hash of the name (equality stays identity).
  uint32_t h = 2166136261u;
  for (unsigned char c : fn_->name) h = (h ^ c) * 16777619u;
  return h;
}

void FunctionObj::freeze() {
  if (frozen_) return;
  frozen_ = true;
  for (const Value& v : defaults_)
    if (!v.is_absent()) star::freeze(v);
  for (const Value& v : freevars_) star::freeze(v);
}

namespace {

struct FramePop {
  Thread& t;
  ~FramePop() { t.frames().pop_back(); }
};

// A call's local variables, all absent at first; inline for small functions.
class LocalSlots {
 public:
  explicit LocalSlots(size_t n) : n_(n) {
    v_ = n <= kInline ? reinterpret_cast<Value*>(inline_) : static_cast<Value*>(::operator new(n * sizeof(Value)));
    for (size_t i = 0; i < n; ++i) new (v_ + i) Value(Value::absent());
  }
  ~LocalSlots() {
    for (size_t i = 0; i < n_; ++i) v_[i].~Value();
    if (n_ > kInline) ::operator delete(static_cast<void*>(v_));
  }
  LocalSlots(const LocalSlots&) = delete;
  LocalSlots& operator=(const LocalSlots&) = delete;
  Value* data() { return v_; }

 private:
  static constexpr size_t kInline = 8;
  alignas(Value) unsigned char inline_[kInline * sizeof(Value)];
  Value* v_;
  size_t n_;
};

std::string quoted(std::string_view name) { return repr(make_string(std::string(name))); }

std::string plural(size_t n, const char* word) {
  std::string s = std::to_string(n) + " " + word;
  if (n != 1) s += "s";
  return s;
}

}  // namespace

// Binds `args` to the parameters in `locals` (all absent on entry).
static void bind_args(Thread& t, const FunctionObj& self, Value* locals, const Args& args) {
  const Function& f = *self.fn();
  const FunctionInfo& info = self.info();
  const size_t npos = args.positional.size();
  const std::string& name = f.name;

  // The common case: exactly the positional parameters, nothing else.
  if (args.named.empty() && npos == static_cast<size_t>(f.num_params) && !f.has_varargs && !f.has_kwargs &&
      f.num_kwonly == 0) {
    for (size_t i = 0; i < npos; ++i) locals[i] = args.positional[i];
    return;
  }

  if (f.num_params == 0) {
    if (npos + args.named.size() > 0)
      throw EvalError("function " + name + " accepts no arguments (" +
                      std::to_string(npos + args.named.size()) + " given)");
    return;
  }

  const size_t nparams = static_cast<size_t>(info.nparams);
  DictObj* kwargs = nullptr;
  if (f.has_kwargs) {
    Value d = make_dict(t.heap());
    kwargs = d.as<DictObj>();
    locals[f.num_params - 1] = std::move(d);
  }

  // Positional arguments fill the non-keyword-only parameters; the rest go
  // to *args.
  const size_t nonkwonly = nparams - static_cast<size_t>(f.num_kwonly);
  size_t n = npos;
  if (npos > nonkwonly) {
    if (!f.has_varargs) {
      throw EvalError("function " + name + " accepts " + (info.positional_defaults ? "at most " : "") +
                      plural(nonkwonly, "positional argument") + " (" + std::to_string(npos) + " given)");
    }
    n = nonkwonly;
  }
  for (size_t i = 0; i < n; ++i) locals[i] = args.positional[i];
  if (f.has_varargs) {
    std::vector<Value> rest(args.positional.begin() + static_cast<std::ptrdiff_t>(n), args.positional.end());
    locals[nparams] = make_tuple(std::move(rest));
  }

  // Keyword arguments, by parameter name; unknown ones go to **kwargs.
  for (const NamedArg& arg : args.named) {
    size_t i = 0;
    while (i < nparams && info.param_names[i] != arg.name) ++i;
    if (i < nparams) {
      if (!locals[i].is_absent())
        throw EvalError("function " + name + " got multiple values for parameter " + quoted(arg.name));
      locals[i] = arg.value;
      continue;
    }
    if (!kwargs)
      throw EvalError("function " + name + " got an unexpected keyword argument " + quoted(arg.name));
    if (!kwargs->table().insert(t, make_string(std::string(arg.name)), arg.value))
      throw EvalError("function " + name + " got multiple values for parameter " + quoted(arg.name));
  }

  // Defaults for what is still unbound; report every missing parameter.
  const std::vector<Value>& defaults = self.defaults();
  std::string missing;
  size_t nmissing = 0;
  for (size_t i = n; i < nparams; ++i) {
    if (!locals[i].is_absent()) continue;
    if (i < defaults.size() && !defaults[i].is_absent()) {
      locals[i] = defaults[i];
      continue;
    }
    if (nmissing++) missing += ", ";
    missing += info.param_names[i];
  }
  if (nmissing)
    throw EvalError("function " + name + " missing " + plural(nmissing, "argument") + " (" + missing + ")");
}

Value FunctionObj::call(Thread& t, const Args& args) {
  // Errors of binding are reported in the callee's frame, at its def.
  t.frames().push_back(Frame{this, frame_file_, fn_->pos});
  FramePop pop{t};
  try {
    t.add_step();
    t.check_stack();
    if (!program_->dialect.recursion) {
      const auto& frames = t.frames();
      for (size_t i = 0; i + 1 < frames.size(); ++i) {
        const Object* c = frames[i].callable;
        if (c && c->kind() == ObjKind::Function && static_cast<const FunctionObj*>(c)->fn_ == fn_)
          throw EvalError("function " + fn_->name + " called recursively");
      }
    }
    LocalSlots locals(fn_->locals.size());
    bind_args(t, *this, locals.data(), args);
    return run_function(t, this, locals.data());
  } catch (EvalError& e) {
    if (!e.has_backtrace()) e.set_backtrace(t.call_stack());
    throw;
  }
}

}  // namespace faultbox::star
