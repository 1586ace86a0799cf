#include "spec/eval/ContainerWalk.h"

#include <unordered_set>

#include "spec/eval/Dict.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"

namespace faultbox::star {

namespace {

bool is_container_kind(ObjKind k) {
  return k == ObjKind::List || k == ObjKind::Tuple || k == ObjKind::Dict || k == ObjKind::Set;
}

// Moves the contents of a list, tuple, dict or set onto `work`.
void steal_contents(Object* o, std::vector<Value>& work) {
  switch (o->kind()) {
    case ObjKind::List: {
      auto& elems = static_cast<ListObj*>(o)->elems();
      for (Value& v : elems) work.push_back(std::move(v));
      elems.clear();
      break;
    }
    case ObjKind::Tuple: {
      // The tuple is dying (we hold its last reference): its elements may go.
      auto& elems = const_cast<std::vector<Value>&>(static_cast<TupleObj*>(o)->elems());
      for (Value& v : elems) work.push_back(std::move(v));
      elems.clear();
      break;
    }
    case ObjKind::Dict:
    case ObjKind::Set: {
      HashTable& table = o->kind() == ObjKind::Dict ? static_cast<DictObj*>(o)->table()
                                                     : static_cast<SetObj*>(o)->table();
      for (auto& e : table.entries()) {
        if (!e.live) continue;
        work.push_back(std::move(e.key));
        work.push_back(std::move(e.value));
      }
      table.clear();
      break;
    }
    default:
      break;
  }
}

}  // namespace

void release_values(std::vector<Value>& values) {
  if (values.empty()) return;
  std::vector<Value> work;
  work.swap(values);
  while (!work.empty()) {
    Value v = std::move(work.back());
    work.pop_back();
    // The last reference to a container: empty it here so that deleting it
    // (when v goes out of scope) does not recurse into its contents.
    if (v.is_obj() && v.obj()->refs() == 1 && is_container_kind(v.obj()->kind()))
      steal_contents(v.obj(), work);
  }
}

void release_table(HashTable& table) {
  std::vector<Value> values;
  values.reserve(2 * table.size());
  for (auto& e : table.entries()) {
    if (!e.live) continue;
    values.push_back(std::move(e.key));
    values.push_back(std::move(e.value));
  }
  table.clear();
  release_values(values);
}

void freeze_graph(Object* root) {
  std::vector<Object*> work{root};
  std::unordered_set<const Object*> seen_tuples;
  auto push = [&](const Value& v) {
    if (v.is_obj()) work.push_back(v.obj());
  };
  while (!work.empty()) {
    Object* o = work.back();
    work.pop_back();
    switch (o->kind()) {
      case ObjKind::List: {
        auto* l = static_cast<ListObj*>(o);
        if (!l->mark_frozen()) break;  // already frozen: so is everything below
        for (const Value& v : l->elems()) push(v);
        break;
      }
      case ObjKind::Tuple:
        if (!seen_tuples.insert(o).second) break;
        for (const Value& v : static_cast<TupleObj*>(o)->elems()) push(v);
        break;
      case ObjKind::Dict: {
        auto* d = static_cast<DictObj*>(o);
        if (!d->mark_frozen()) break;
        for (const auto& e : d->table().entries()) {
          if (!e.live) continue;
          push(e.key);
          push(e.value);
        }
        break;
      }
      case ObjKind::Set: {
        auto* s = static_cast<SetObj*>(o);
        if (!s->mark_frozen()) break;
        for (const auto& e : s->table().entries())
          if (e.live) push(e.key);
        break;
      }
      default:
        o->freeze();
        break;
    }
  }
}

void repr_container(std::string& out, const Object* root, ReprPath& path) {
  // One frame per container being printed: which element comes next, how
  // many were printed (for ", "), and whether a dict awaits a value.
  struct Frame {
    const Object* obj;
    size_t next = 0;
    size_t printed = 0;
    bool value_next = false;
    bool on_path = false;
  };
  std::vector<Frame> stack;
  // Restores the path even if printing an element throws.
  struct PathRestore {
    ReprPath& path;
    size_t size;
    ~PathRestore() { path.stack.resize(size); }
  } restore{path, path.stack.size()};
  // The lists and dicts this walk has open, for O(1) cycle checks (the path
  // is a vector; scanning it at every level would be quadratic in depth).
  std::unordered_set<const Object*> open_here;
  auto on_path = [&](const Object* o) {
    if (open_here.count(o)) return true;
    for (size_t i = 0; i < restore.size; ++i)
      if (path.stack[i] == o) return true;
    return false;
  };

  // Writes the opening of container `o` and pushes its frame (or writes all
  // of it when it is a list or dict already being printed).
  auto open = [&](const Object* o) {
    switch (o->kind()) {
      case ObjKind::List:
      case ObjKind::Dict: {
        bool list = o->kind() == ObjKind::List;
        out += list ? '[' : '{';
        if (on_path(o)) {
          out += list ? "...]" : "...}";  // it contains itself
          return;
        }
        path.stack.push_back(o);
        open_here.insert(o);
        stack.push_back(Frame{o, 0, 0, false, true});
        return;
      }
      case ObjKind::Tuple:
        out += '(';
        stack.push_back(Frame{o});
        return;
      default:  // Set
        out += "set([";
        stack.push_back(Frame{o});
        return;
    }
  };
  auto emit = [&](const Value& v) {
    if (v.is_obj() && is_container_kind(v.obj()->kind()))
      open(v.obj());
    else
      repr(out, v, path);
  };

  open(root);
  while (!stack.empty()) {
    Frame& f = stack.back();
    const Object* o = f.obj;
    // Every branch updates f before emit(): emit may push and so move `stack`.
    if (o->kind() == ObjKind::List || o->kind() == ObjKind::Tuple) {
      const auto& elems = o->kind() == ObjKind::List ? static_cast<const ListObj*>(o)->elems()
                                                     : static_cast<const TupleObj*>(o)->elems();
      if (f.next < elems.size()) {
        if (f.next > 0) out += ", ";
        const Value& v = elems[f.next++];
        emit(v);
        continue;
      }
      if (o->kind() == ObjKind::List) {
        out += ']';
      } else {
        if (elems.size() == 1) out += ',';
        out += ')';
      }
    } else {
      const HashTable& table = o->kind() == ObjKind::Dict
                                   ? static_cast<const DictObj*>(o)->table()
                                   : static_cast<const SetObj*>(o)->table();
      const auto& entries = table.entries();
      if (f.value_next) {
        out += ": ";
        f.value_next = false;
        const Value& v = entries[f.next++].value;
        emit(v);
        continue;
      }
      while (f.next < entries.size() && !entries[f.next].live) ++f.next;
      if (f.next < entries.size()) {
        if (f.printed++ > 0) out += ", ";
        const Value& k = entries[f.next].key;
        if (o->kind() == ObjKind::Dict)
          f.value_next = true;
        else
          ++f.next;
        emit(k);
        continue;
      }
      out += o->kind() == ObjKind::Dict ? "}" : "])";
    }
    if (f.on_path) {
      path.stack.pop_back();
      open_here.erase(o);
    }
    stack.pop_back();
  }
}

}  // namespace faultbox::star
