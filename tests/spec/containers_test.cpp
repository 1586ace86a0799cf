// Lists, tuples, dicts and sets (spec/eval/List.cpp, Dict.cpp) through their
// C++ interface: printing, comparison, hashing, indexing, operators, every
// method, freezing and mutation during iteration, with starlark-go's messages.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "spec/eval/Builtin.h"
#include "spec/eval/Dict.h"
#include "spec/eval/Error.h"
#include "spec/eval/Heap.h"
#include "spec/eval/Int.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Thread.h"

namespace faultbox::star {
namespace {

class ContainersTest : public ::testing::Test {
 protected:
  Heap heap;
  Thread t{heap, "test"};

  static Value I(int64_t i) { return make_int(i); }
  static Value S(const char* s) { return make_string(s); }
  Value L(std::vector<Value> v) { return make_list(heap, std::move(v)); }
  static Value T(std::vector<Value> v) { return make_tuple(std::move(v)); }
  Value D(std::vector<std::pair<Value, Value>> items) {
    Value d = make_dict(heap);
    for (auto& [k, v] : items) d.as<DictObj>()->table().insert(t, k, v);
    return d;
  }
  Value Set(std::vector<Value> elems) {
    Value s = make_set(heap);
    for (auto& e : elems) s.as<SetObj>()->table().insert(t, e, Value());
    return s;
  }

  // recv.name(*pos, **named)
  Value call(const Value& recv, std::string_view name, std::vector<Value> pos = {},
             std::vector<NamedArg> named = {}) {
    Value m = get_attr(t, recv, name);
    Args args{pos, named};
    return m.obj()->call(t, args);
  }

  // The message of the EvalError thrown by f, or "" if none.
  static std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const EvalError& e) {
      return e.msg();
    }
    return "";
  }

  std::vector<std::string> keys_of(const Value& d) {
    std::vector<std::string> out;
    std::unique_ptr<Iterator> it = iterate(t, d);
    Value k;
    while (it->next(k)) out.push_back(repr(k));
    return out;
  }
};

// --- lists and tuples ---------------------------------------------------------

TEST_F(ContainersTest, ReprOfListsAndTuples) {
  EXPECT_EQ(repr(L({})), "[]");
  EXPECT_EQ(repr(L({I(1), S("a"), L({})})), "[1, \"a\", []]");
  EXPECT_EQ(repr(T({})), "()");
  EXPECT_EQ(repr(T({I(1)})), "(1,)");
  EXPECT_EQ(repr(T({I(1), I(2)})), "(1, 2)");
  EXPECT_EQ(str(L({S("x")})), "[\"x\"]");
}

TEST_F(ContainersTest, ReprOfCyclicValuesLikeStarlarkGo) {
  Value cyclic = L({I(1), I(2), I(3)});
  cyclic.as<ListObj>()->elems()[1] = cyclic;
  EXPECT_EQ(repr(cyclic), "[1, [...], 3]");

  Value c3 = L({I(1), L({I(2), I(3)})});
  c3.as<ListObj>()->elems()[1].as<ListObj>()->elems()[0] = c3;
  EXPECT_EQ(repr(c3), "[1, [[...], 3]]");

  Value c4 = D({{S("x"), I(1)}});
  c4.as<DictObj>()->table().insert(t, S("x"), c4);
  EXPECT_EQ(repr(c4), "{\"x\": {...}}");

  Value c5 = L({I(0), D({{S("x"), I(1)}})});
  c5.as<ListObj>()->elems()[1].as<DictObj>()->table().insert(t, S("x"), c5);
  EXPECT_EQ(repr(c5), "[0, {\"x\": [...]}]");
  EXPECT_EQ(repr(c5), "[0, {\"x\": [...]}]");  // the path is unwound
}

TEST_F(ContainersTest, ListEqualityAndOrdering) {
  EXPECT_TRUE(equal(t, L({I(1), I(2)}), L({I(1), I(2)})));
  EXPECT_FALSE(equal(t, L({I(1), I(2)}), L({I(1), I(2), I(3)})));
  EXPECT_FALSE(equal(t, L({I(1)}), T({I(1)})));
  EXPECT_TRUE(compare(t, Token::Lt, L({I(1), I(2)}), L({I(1), I(3)})));
  EXPECT_TRUE(compare(t, Token::Lt, L({I(1), I(2)}), L({I(1), I(2), I(0)})));
  EXPECT_FALSE(compare(t, Token::Gt, L({I(1), I(2)}), L({I(1), I(2)})));
  EXPECT_TRUE(compare(t, Token::Ge, L({I(1), I(2)}), L({I(1), I(2)})));
  EXPECT_TRUE(compare(t, Token::Gt, T({I(2)}), T({I(1), I(9)})));
  EXPECT_TRUE(compare(t, Token::Le, T({S("a")}), T({S("b")})));
  EXPECT_LT(compare3(t, L({I(1)}), L({I(2)})), 0);
  EXPECT_GT(compare3(t, L({I(2)}), L({I(1)})), 0);
  EXPECT_EQ(compare3(t, T({I(2)}), T({I(2)})), 0);
  EXPECT_EQ(error_of([&] { compare(t, Token::Lt, L({I(1)}), L({S("a")})); }),
            "int < string not implemented");
}

TEST_F(ContainersTest, CyclicComparisonHitsTheRecursionLimit) {
  Value a = L({I(1), I(2)});
  a.as<ListObj>()->elems()[1] = a;
  Value b = L({I(1), I(2)});
  b.as<ListObj>()->elems()[1] = b;
  EXPECT_EQ(error_of([&] { equal(t, a, a); }), "comparison exceeded maximum recursion depth");
  EXPECT_EQ(error_of([&] { equal(t, a, b); }), "comparison exceeded maximum recursion depth");
  EXPECT_EQ(error_of([&] { compare(t, Token::Lt, a, a); }),
            "comparison exceeded maximum recursion depth");
}

TEST_F(ContainersTest, TuplesHashByElements) {
  EXPECT_EQ(hash_value(t, T({I(1), S("a")})), hash_value(t, T({I(1), S("a")})));
  EXPECT_NE(hash_value(t, T({I(1), I(2)})), hash_value(t, T({I(2), I(1)})));
  EXPECT_EQ(error_of([&] { hash_value(t, T({I(1), L({})})); }), "unhashable type: list");
  EXPECT_EQ(error_of([&] { hash_value(t, L({})); }), "unhashable type: list");
  // A tuple is a valid dict key, found again by an equal tuple.
  Value d = D({{T({I(1), I(2)}), S("v")}});
  EXPECT_EQ(repr(get_index(t, d, T({I(1), I(2)}))), "\"v\"");
}

TEST_F(ContainersTest, Indexing) {
  Value abc = L({S("a"), S("b"), S("c")});
  EXPECT_EQ(repr(get_index(t, abc, I(-3))), "\"a\"");
  EXPECT_EQ(repr(get_index(t, abc, I(2))), "\"c\"");
  EXPECT_EQ(error_of([&] { get_index(t, abc, I(-4)); }), "list index -4 out of range [-3:2]");
  EXPECT_EQ(error_of([&] { get_index(t, abc, I(3)); }), "list index 3 out of range [-3:2]");
  EXPECT_EQ(error_of([&] { get_index(t, L({}), I(0)); }), "index 0 out of range: empty list");
  EXPECT_EQ(error_of([&] { get_index(t, abc, S("x")); }), "list index: got string, want int");
  EXPECT_EQ(error_of([&] { get_index(t, T({I(1)}), I(1)); }), "tuple index 1 out of range [-1:0]");
  EXPECT_EQ(error_of([&] { get_index(t, abc, I(int64_t{1} << 40)); }),
            "list index: 1099511627776 out of range");

  set_index(t, abc, I(-1), I(9));
  EXPECT_EQ(repr(abc), "[\"a\", \"b\", 9]");
  EXPECT_EQ(error_of([&] { set_index(t, abc, I(3), I(0)); }), "list index 3 out of range [-3:2]");
  EXPECT_EQ(error_of([&] { set_index(t, T({I(1)}), I(0), I(0)); }),
            "tuple value does not support item assignment");
}

TEST_F(ContainersTest, Slicing) {
  Value l = L({I(0), I(1), I(2), I(3), I(4), I(5), I(6)});
  Value none;
  EXPECT_EQ(repr(slice(t, l, I(1), I(3), none)), "[1, 2]");
  EXPECT_EQ(repr(slice(t, l, none, none, I(2))), "[0, 2, 4, 6]");
  EXPECT_EQ(repr(slice(t, l, I(6), none, I(-2))), "[6, 4, 2, 0]");
  EXPECT_EQ(repr(slice(t, l, I(100), none, I(-3))), "[6, 3, 0]");
  EXPECT_EQ(repr(slice(t, l, I(5), I(2), none)), "[]");
  EXPECT_EQ(repr(slice(t, T({I(1), I(2), I(3)}), I(-2), none, none)), "(2, 3)");
  // A list slice is a new list.
  Value copy = slice(t, l, none, none, none);
  EXPECT_NE(copy.obj(), l.obj());
  EXPECT_TRUE(equal(t, copy, l));
}

TEST_F(ContainersTest, ConcatenationAndRepetition) {
  EXPECT_EQ(repr(binary_op(t, Token::Plus, L({I(1)}), L({I(2), I(3)}))), "[1, 2, 3]");
  EXPECT_EQ(repr(binary_op(t, Token::Plus, T({I(1)}), T({I(2)}))), "(1, 2)");
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Plus, L({}), T({})); }),
            "unknown binary op: list + tuple");
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Plus, T({}), L({})); }),
            "unknown binary op: tuple + list");
  Value abc = T({S("a"), S("b"), S("c")});
  EXPECT_EQ(repr(binary_op(t, Token::Star, abc, I(2))), "(\"a\", \"b\", \"c\", \"a\", \"b\", \"c\")");
  EXPECT_EQ(repr(binary_op(t, Token::Star, I(2), L({I(7)}))), "[7, 7]");
  EXPECT_EQ(repr(binary_op(t, Token::Star, L({I(7)}), I(0))), "[]");
  EXPECT_EQ(repr(binary_op(t, Token::Star, I(-1), abc)), "()");
  Value big = int_mul(I(1000000), I(1000000));
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Star, abc, big); }),
            "repeat count 1000000000000 too large");
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Star, abc, I(int64_t{1} << 29)); }),
            "excessive repeat (3 * 536870912 elements)");
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Star, L({I(1), I(2)}), I(int64_t{1} << 31)); }),
            "repeat count 2147483648 too large");
  EXPECT_EQ(repr(binary_op(t, Token::Star, L({}), big)), "[]");
}

TEST_F(ContainersTest, Membership) {
  EXPECT_TRUE(truth(binary_op(t, Token::In, I(2), L({I(1), I(2)}))));
  EXPECT_TRUE(truth(binary_op(t, Token::In, Value::from_float(2.0), T({I(1), I(2)}))));
  EXPECT_FALSE(truth(binary_op(t, Token::In, S("2"), L({I(1), I(2)}))));
  EXPECT_TRUE(truth(binary_op(t, Token::NotIn, I(3), T({I(1), I(2)}))));
}

TEST_F(ContainersTest, ListAppendClearExtendInsert) {
  Value x = L({I(1)});
  EXPECT_TRUE(call(x, "append", {S("a")}).is_none());
  call(x, "extend", {T({I(2), I(3)})});
  call(x, "extend", {x});  // extends with a snapshot of itself
  EXPECT_EQ(repr(x), "[1, \"a\", 2, 3, 1, \"a\", 2, 3]");
  EXPECT_EQ(error_of([&] { call(x, "extend", {I(1)}); }),
            "extend: for parameter 1: got int, want iterable");
  EXPECT_EQ(error_of([&] { call(x, "append"); }), "append: got 0 arguments, want 1");
  call(x, "clear");
  EXPECT_EQ(repr(x), "[]");

  auto insert_at = [&](int64_t i) {
    Value l = L({I(0), I(1), I(2)});
    call(l, "insert", {I(i), I(42)});
    return repr(l);
  };
  EXPECT_EQ(insert_at(-99), "[42, 0, 1, 2]");
  EXPECT_EQ(insert_at(-1), "[0, 1, 42, 2]");
  EXPECT_EQ(insert_at(0), "[42, 0, 1, 2]");
  EXPECT_EQ(insert_at(3), "[0, 1, 2, 42]");
  EXPECT_EQ(insert_at(99), "[0, 1, 2, 42]");
}

TEST_F(ContainersTest, ListPopRemoveIndex) {
  Value x = L({I(1), I(2), I(3), I(4), I(5)});
  EXPECT_EQ(error_of([&] { call(x, "pop", {I(-6)}); }), "pop: list index -6 out of range [-5:4]");
  EXPECT_EQ(error_of([&] { call(x, "pop", {I(5)}); }), "pop: list index 5 out of range [-5:4]");
  EXPECT_EQ(repr(call(x, "pop")), "5");
  EXPECT_EQ(repr(call(x, "pop", {I(1)})), "2");
  EXPECT_EQ(repr(call(x, "pop", {I(-2)})), "3");
  EXPECT_EQ(repr(x), "[1, 4]");
  EXPECT_EQ(error_of([&] { call(L({}), "pop"); }), "pop: index -1 out of range: empty list");

  Value y = L({I(3), I(1), I(4), I(1)});
  call(y, "remove", {I(1)});
  EXPECT_EQ(repr(y), "[3, 4, 1]");
  EXPECT_EQ(error_of([&] { call(y, "remove", {I(42)}); }), "remove: element not found");

  Value b = L({S("b"), S("a"), S("n"), S("a"), S("n"), S("a"), S("s")});
  EXPECT_EQ(repr(call(b, "index", {S("a")})), "1");
  EXPECT_EQ(repr(call(b, "index", {S("a"), I(2)})), "3");
  EXPECT_EQ(repr(call(b, "index", {S("a"), I(-1000)})), "1");
  EXPECT_EQ(repr(call(b, "index", {S("n"), I(-3)})), "4");
  EXPECT_EQ(repr(call(b, "index", {S("s"), I(-1000), I(7)})), "6");
  EXPECT_EQ(repr(call(b, "index", {S("a"), Value(), Value()})), "1");
  EXPECT_EQ(error_of([&] { call(b, "index", {S("s"), I(-1000), I(6)}); }),
            "index: value not in list");
  EXPECT_EQ(error_of([&] { call(b, "index", {S("b"), I(1)}); }), "index: value not in list");
  EXPECT_EQ(error_of([&] { call(b, "index", {S("b"), S("x")}); }),
            "index: invalid start index: got string, want int");
  EXPECT_EQ(error_of([&] { call(b, "index", {S("b"), I(0), S("x")}); }),
            "index: invalid end index: got string, want int");
}

TEST_F(ContainersTest, FrozenListRejectsEveryMutation) {
  Value inner = D({});
  Value x = L({I(0), I(1), inner});
  freeze(x);
  EXPECT_TRUE(x.obj()->frozen());
  EXPECT_TRUE(inner.obj()->frozen());  // freezing is deep
  EXPECT_EQ(error_of([&] { set_index(t, x, I(0), I(9)); }),
            "cannot assign to element of frozen list");
  EXPECT_EQ(error_of([&] { call(x, "append", {I(1)}); }), "append: cannot append to frozen list");
  EXPECT_EQ(error_of([&] { call(x, "clear"); }), "clear: cannot clear frozen list");
  EXPECT_EQ(error_of([&] { call(x, "extend", {L({})}); }), "extend: cannot extend frozen list");
  EXPECT_EQ(error_of([&] { call(x, "insert", {I(0), I(0)}); }),
            "insert: cannot insert into frozen list");
  EXPECT_EQ(error_of([&] { call(x, "pop"); }), "pop: cannot pop from frozen list");
  EXPECT_EQ(error_of([&] { call(x, "remove", {I(0)}); }), "remove: cannot remove from frozen list");
  // An index error is reported before the frozen error, as in starlark-go.
  EXPECT_EQ(error_of([&] { set_index(t, x, I(7), I(0)); }), "list index 7 out of range [-3:2]");
  // Reading is fine, and iterating a frozen list counts no iterator.
  std::unique_ptr<Iterator> it = iterate(t, x);
  EXPECT_EQ(x.as<ListObj>()->iterators(), 0);
}

TEST_F(ContainersTest, ListMutationDuringIterationFails) {
  Value x = L({I(0), I(1), I(2)});
  {
    std::unique_ptr<Iterator> it = iterate(t, x);
    Value v;
    ASSERT_TRUE(it->next(v));
    EXPECT_EQ(x.as<ListObj>()->iterators(), 1);
    EXPECT_EQ(error_of([&] { set_index(t, x, I(0), I(9)); }),
              "cannot assign to element of list during iteration");
    EXPECT_EQ(error_of([&] { call(x, "append", {I(3)}); }),
              "append: cannot append to list during iteration");
    EXPECT_EQ(error_of([&] { call(x, "remove", {I(0)}); }),
              "remove: cannot remove from list during iteration");
    EXPECT_EQ(error_of([&] { call(x, "extend", {L({})}); }),
              "extend: cannot extend list during iteration");
    EXPECT_EQ(error_of([&] { call(x, "pop"); }), "pop: cannot pop from list during iteration");
  }
  EXPECT_EQ(x.as<ListObj>()->iterators(), 0);  // the iterator is gone
  call(x, "append", {I(3)});
  EXPECT_EQ(repr(x), "[0, 1, 2, 3]");
}

TEST_F(ContainersTest, ListExtendHelper) {
  Value x = L({});
  list_extend(t, *x.as<ListObj>(), T({I(1), I(2)}));
  list_extend(t, *x.as<ListObj>(), D({{S("k"), I(0)}}));
  EXPECT_EQ(repr(x), "[1, 2, \"k\"]");
  EXPECT_EQ(error_of([&] { list_extend(t, *x.as<ListObj>(), I(1)); }), "got int, want iterable");
}

TEST_F(ContainersTest, ListAttributes) {
  Value x = L({});
  std::vector<std::string> names = x.obj()->attr_names();
  EXPECT_EQ(names, (std::vector<std::string>{"append", "clear", "extend", "index", "insert", "pop",
                                             "remove"}));
  EXPECT_EQ(repr(get_attr(t, x, "append")), "<built-in method append of list value>");
  EXPECT_TRUE(x.obj()->attr(t, "nope").is_absent());
  ASSERT_NE(x.obj()->methods(), nullptr);
  EXPECT_NE(x.obj()->methods()->find("pop"), nullptr);
}

// --- dicts --------------------------------------------------------------------

TEST_F(ContainersTest, DictBasics) {
  Value d = make_dict(heap);
  set_index(t, d, S("b"), I(1));
  set_index(t, d, S("a"), I(2));
  set_index(t, d, S("b"), I(3));  // update keeps the position
  EXPECT_EQ(repr(d), "{\"b\": 3, \"a\": 2}");
  EXPECT_EQ(len(d), 2);
  EXPECT_TRUE(truth(d));
  EXPECT_FALSE(truth(make_dict(heap)));
  EXPECT_EQ(error_of([&] { get_index(t, d, S("z")); }), "key \"z\" not in dict");
  EXPECT_EQ(error_of([&] { get_index(t, d, L({})); }), "unhashable type: list");
  EXPECT_EQ(error_of([&] { set_index(t, d, L({}), I(1)); }), "unhashable type: list");
  EXPECT_TRUE(truth(binary_op(t, Token::In, S("a"), d)));
  EXPECT_FALSE(truth(binary_op(t, Token::In, L({}), d)));  // lookup errors mean "not in"
  EXPECT_EQ(error_of([&] { hash_value(t, d); }), "unhashable type: dict");
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Plus, d, d); }), "unknown binary op: dict + dict");
  EXPECT_EQ(error_of([&] { compare(t, Token::Lt, d, d); }), "dict < dict not implemented");
}

TEST_F(ContainersTest, NumericKeysUnifyIntAndFloat) {
  Value d = make_dict(heap);
  set_index(t, d, I(1), S("int"));
  set_index(t, d, Value::from_float(1.0), S("float"));
  EXPECT_EQ(len(d), 1);
  EXPECT_EQ(repr(d), "{1: \"float\"}");
  Value big = int_mul(I(1) , int_lshift(I(1), I(100)));
  set_index(t, d, big, S("big"));
  EXPECT_EQ(repr(get_index(t, d, int_lshift(I(1), I(100)))), "\"big\"");
}

TEST_F(ContainersTest, DictEqualityIgnoresOrder) {
  EXPECT_TRUE(equal(t, D({{S("a"), I(1)}, {S("b"), I(2)}}), D({{S("b"), I(2)}, {S("a"), I(1)}})));
  EXPECT_FALSE(equal(t, D({{S("a"), I(1)}}), D({{S("a"), I(2)}})));
  EXPECT_FALSE(equal(t, D({{S("a"), I(1)}}), D({{S("b"), I(1)}})));
  EXPECT_FALSE(equal(t, D({{S("a"), I(1)}}), D({})));
}

// The hash table against a model, through growth, deletion holes and
// compaction, with keys of several types.
TEST_F(ContainersTest, HashTableMatchesAModelUnderRandomOperations) {
  std::mt19937 rng(12345);
  Value d = make_dict(heap);
  HashTable& table = d.as<DictObj>()->table();
  std::vector<std::pair<std::string, int64_t>> model;  // insertion order
  auto key_of = [&](int k) { return k % 3 == 0 ? I(k) : S(("k" + std::to_string(k)).c_str()); };
  auto model_find = [&](const std::string& r) {
    for (size_t i = 0; i < model.size(); ++i)
      if (model[i].first == r) return static_cast<int64_t>(i);
    return int64_t{-1};
  };
  for (int step = 0; step < 20000; ++step) {
    int k = static_cast<int>(rng() % 300);
    Value key = key_of(k);
    std::string r = repr(key);
    int op = static_cast<int>(rng() % 10);
    if (op < 6) {
      bool fresh = table.insert(t, key, I(step));
      int64_t at = model_find(r);
      EXPECT_EQ(fresh, at < 0);
      if (at < 0)
        model.emplace_back(r, step);
      else
        model[static_cast<size_t>(at)].second = step;
    } else if (op < 9) {
      std::optional<Value> v = table.erase(t, key);
      int64_t at = model_find(r);
      ASSERT_EQ(v.has_value(), at >= 0);
      if (at >= 0) {
        EXPECT_EQ(v->as_small_int(), model[static_cast<size_t>(at)].second);
        model.erase(model.begin() + at);
      }
    } else {
      const Value* v = table.find(t, key);
      int64_t at = model_find(r);
      ASSERT_EQ(v != nullptr, at >= 0);
      if (v) {
        EXPECT_EQ(v->as_small_int(), model[static_cast<size_t>(at)].second);
      }
    }
    if (step % 1000 == 0 || step == 19999) {
      ASSERT_EQ(table.size(), model.size());
      std::vector<std::string> keys = keys_of(d);
      ASSERT_EQ(keys.size(), model.size());
      for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(keys[i], model[i].first);
      const HashTable::Entry* first = table.first();
      if (model.empty()) {
        EXPECT_EQ(first, nullptr);
      } else {
        EXPECT_EQ(repr(first->key), model.front().first);
      }
    }
  }
}

TEST_F(ContainersTest, InsertionOrderSurvivesRehashing) {
  Value d = D({{S("a"), I(0)}, {S("b"), I(1)}, {S("c"), I(2)}});
  for (const char* k : {"d", "e", "f", "g", "h", "i", "j", "k"}) set_index(t, d, S(k), I(0));
  EXPECT_EQ(repr(call(d, "keys")),
            "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"j\", \"k\"]");
  // Delete the head, the middle and the tail, then grow again.
  call(d, "pop", {S("a")});
  call(d, "pop", {S("f")});
  call(d, "pop", {S("k")});
  for (int i = 0; i < 40; ++i) set_index(t, d, I(i), I(i));
  std::vector<std::string> keys = keys_of(d);
  ASSERT_EQ(keys.size(), 48u);
  EXPECT_EQ(keys[0], "\"b\"");
  EXPECT_EQ(keys[3], "\"e\"");
  EXPECT_EQ(keys[4], "\"g\"");
  EXPECT_EQ(keys[7], "\"j\"");
  EXPECT_EQ(keys[8], "0");
  EXPECT_EQ(keys[47], "39");
}

TEST_F(ContainersTest, DictGetPopPopitemSetdefault) {
  Value x = D({{S("a"), I(1)}, {S("b"), I(2)}});
  EXPECT_EQ(repr(call(x, "get", {S("a")})), "1");
  EXPECT_TRUE(call(x, "get", {S("z")}).is_none());
  EXPECT_EQ(repr(call(x, "get", {S("z"), I(7)})), "7");
  EXPECT_EQ(error_of([&] { call(x, "get", {L({})}); }), "get: unhashable type: list");
  EXPECT_EQ(error_of([&] { call(x, "get", {I(1)}, {{"default", I(2)}}); }),
            "get: unexpected keyword arguments");

  EXPECT_EQ(repr(call(x, "pop", {S("a")})), "1");
  EXPECT_EQ(repr(x), "{\"b\": 2}");
  EXPECT_EQ(error_of([&] { call(x, "pop", {S("c")}); }), "pop: missing key");
  EXPECT_EQ(repr(call(x, "pop", {S("c"), I(3)})), "3");
  EXPECT_TRUE(call(x, "pop", {S("c"), Value()}).is_none());

  Value y = D({{S("a"), I(1)}, {S("b"), I(2)}});
  EXPECT_EQ(repr(call(y, "popitem")), "(\"a\", 1)");
  EXPECT_EQ(repr(call(y, "popitem")), "(\"b\", 2)");
  EXPECT_EQ(error_of([&] { call(y, "popitem"); }), "popitem: empty dict");

  Value z = D({{S("a"), I(1)}});
  EXPECT_EQ(repr(call(z, "setdefault", {S("a")})), "1");
  EXPECT_TRUE(call(z, "setdefault", {S("b")}).is_none());
  EXPECT_EQ(repr(call(z, "setdefault", {S("c"), I(2)})), "2");
  EXPECT_EQ(repr(call(z, "setdefault", {S("c"), I(3)})), "2");
  EXPECT_EQ(repr(z), "{\"a\": 1, \"b\": None, \"c\": 2}");
  freeze(z);
  EXPECT_EQ(repr(call(z, "setdefault", {S("a"), I(1)})), "1");  // no change, no error
  EXPECT_EQ(error_of([&] { call(z, "setdefault", {S("d"), I(1)}); }),
            "setdefault: cannot insert into frozen hash table");
  EXPECT_EQ(error_of([&] { call(z, "pop", {S("zz"), I(0)}); }),
            "pop: cannot delete from frozen hash table");
  EXPECT_EQ(error_of([&] { call(z, "popitem"); }), "popitem: cannot delete from frozen hash table");
  EXPECT_EQ(error_of([&] { call(z, "clear"); }), "cannot clear frozen hash table");
}

TEST_F(ContainersTest, DictKeysValuesItemsClear) {
  Value x = D({{S("a"), I(1)}, {S("b"), I(2)}});
  EXPECT_EQ(repr(call(x, "keys")), "[\"a\", \"b\"]");
  EXPECT_EQ(repr(call(x, "values")), "[1, 2]");
  EXPECT_EQ(repr(call(x, "items")), "[(\"a\", 1), (\"b\", 2)]");
  EXPECT_EQ(error_of([&] { call(x, "keys", {I(1)}); }), "keys: got 1 arguments, want 0");
  call(x, "clear");
  EXPECT_EQ(repr(x), "{}");
  EXPECT_EQ(x.obj()->attr_names(),
            (std::vector<std::string>{"clear", "get", "items", "keys", "pop", "popitem",
                                      "setdefault", "update", "values"}));
}

TEST_F(ContainersTest, DictUpdateAndConstructorLogic) {
  Value x = D({{S("a"), I(1)}});
  call(x, "update", {}, {{"a", I(2)}, {"b", I(3)}});
  EXPECT_EQ(repr(x), "{\"a\": 2, \"b\": 3}");
  call(x, "update", {L({T({S("b"), I(4)}), L({S("c"), I(5)})})});
  EXPECT_EQ(repr(x), "{\"a\": 2, \"b\": 4, \"c\": 5}");
  call(x, "update", {D({{S("c"), I(6)}, {S("d"), I(7)}})});
  EXPECT_EQ(repr(x), "{\"a\": 2, \"b\": 4, \"c\": 6, \"d\": 7}");
  call(x, "update", {x});  // from itself
  EXPECT_EQ(len(x), 4);
  EXPECT_EQ(error_of([&] { call(x, "update", {Value()}); }),
            "update: got NoneType, want iterable");
  EXPECT_EQ(error_of([&] { call(x, "update", {L({I(1)})}); }),
            "update: dictionary update sequence element #0 is not iterable (int)");
  EXPECT_EQ(error_of([&] { call(x, "update", {L({T({I(1)})})}); }),
            "update: dictionary update sequence element #0 has length 1, want 2");
  EXPECT_EQ(error_of([&] { call(x, "update", {L({T({I(1), I(2)}), S("ab")})}); }),
            "update: dictionary update sequence element #1 is not iterable (string)");
  EXPECT_EQ(error_of([&] { call(x, "update", {L({}), L({})}); }),
            "update: got 2 arguments, want at most 1");

  Value d = make_dict(heap);
  std::vector<Value> pos{D({{S("b"), I(3)}})};
  std::vector<NamedArg> named{{"a", I(4)}, {"a", I(5)}};
  EXPECT_EQ(error_of([&] { dict_update(t, *d.as<DictObj>(), Args{pos, named}, "dict"); }),
            "dict: duplicate keyword arg: \"a\"");
  // A positional pair and a keyword with the same key are fine.
  Value e = make_dict(heap);
  std::vector<Value> pos2{T({L({S("a"), I(2)})})};
  std::vector<NamedArg> named2{{"a", I(4)}};
  dict_update(t, *e.as<DictObj>(), Args{pos2, named2}, "dict");
  EXPECT_EQ(repr(e), "{\"a\": 4}");

  freeze(x);
  EXPECT_EQ(error_of([&] { call(x, "update", {D({{S("a"), I(8)}})}); }),
            "update: cannot insert into frozen hash table");
}

TEST_F(ContainersTest, DictMutationDuringIterationFails) {
  Value d = D({{I(1), I(1)}, {I(2), I(1)}});
  {
    std::unique_ptr<Iterator> it = iterate(t, d);
    EXPECT_EQ(error_of([&] { set_index(t, d, I(4), I(1)); }),
              "cannot insert into hash table during iteration");
    EXPECT_EQ(error_of([&] { call(d, "pop", {I(1)}); }),
              "pop: cannot delete from hash table during iteration");
    EXPECT_EQ(error_of([&] { call(d, "clear"); }), "cannot clear hash table during iteration");
    // Reading while iterating is fine.
    EXPECT_EQ(repr(get_index(t, d, I(2))), "1");
  }
  set_index(t, d, I(4), I(1));
  EXPECT_EQ(len(d), 3);
}

TEST_F(ContainersTest, DictUnion) {
  Value x = D({{S("a"), I(1)}, {S("b"), I(2)}});
  Value y = D({{S("b"), I(3)}, {S("c"), I(4)}});
  Value z = binary_op(t, Token::Pipe, x, y);
  EXPECT_EQ(repr(z), "{\"a\": 1, \"b\": 3, \"c\": 4}");
  EXPECT_EQ(repr(x), "{\"a\": 1, \"b\": 2}");  // operands unchanged
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Pipe, x, L({})); }),
            "unknown binary op: dict | list");
}

TEST_F(ContainersTest, FrozenDictIsDeepAndIteratesFreely) {
  Value inner = L({});
  Value d = D({{S("k"), inner}});
  freeze(d);
  EXPECT_TRUE(inner.obj()->frozen());
  EXPECT_EQ(error_of([&] { set_index(t, d, S("k"), I(1)); }),
            "cannot insert into frozen hash table");
  std::unique_ptr<Iterator> it = iterate(t, d);
  Value k;
  EXPECT_TRUE(it->next(k));
  EXPECT_FALSE(it->next(k));
}

// --- sets ---------------------------------------------------------------------

TEST_F(ContainersTest, SetConstructionAndPrinting) {
  Value s = set_from_iterable(t, L({I(1), I(3), I(2), I(3)}), "set");
  EXPECT_EQ(repr(s), "set([1, 3, 2])");
  EXPECT_EQ(repr(set_from_iterable(t, Value::absent(), "set")), "set([])");
  EXPECT_EQ(error_of([&] { set_from_iterable(t, I(1), "set"); }), "set: got int, want iterable");
  EXPECT_EQ(error_of([&] { set_from_iterable(t, L({I(1), D({})}), "set"); }),
            "set: unhashable type: dict");
  EXPECT_FALSE(truth(Set({})));
  EXPECT_TRUE(truth(Set({Value::boolean(false)})));
  EXPECT_EQ(error_of([&] { get_index(t, s, I(0)); }), "unhandled index operation set[int]");
  EXPECT_EQ(error_of([&] { hash_value(t, s); }), "unhashable type: set");
  EXPECT_EQ(error_of([&] { binary_op(t, Token::In, L({}), s); }), "unhashable type: list");
}

TEST_F(ContainersTest, SetOperators) {
  Value x = Set({I(1), I(2), I(3)});
  Value y = Set({I(3), I(4), I(5)});
  EXPECT_EQ(repr(binary_op(t, Token::Pipe, x, y)), "set([1, 2, 3, 4, 5])");
  EXPECT_EQ(repr(binary_op(t, Token::Pipe, x, Set({I(6), I(5), I(4)}))),
            "set([1, 2, 3, 6, 5, 4])");
  EXPECT_EQ(repr(binary_op(t, Token::Amp, x, y)), "set([3])");
  EXPECT_EQ(repr(binary_op(t, Token::Circumflex, x, y)), "set([1, 2, 4, 5])");
  EXPECT_EQ(repr(binary_op(t, Token::Minus, x, y)), "set([1, 2])");
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Plus, x, y); }), "unknown binary op: set + set");
  EXPECT_EQ(error_of([&] { binary_op(t, Token::Pipe, x, L({})); }),
            "unknown binary op: set | list");
  EXPECT_TRUE(equal(t, Set({I(1), I(2), I(3)}), Set({I(3), I(2), I(1)})));
  EXPECT_FALSE(equal(t, x, y));
}

TEST_F(ContainersTest, SetsAreOrderedByInclusion) {
  Value s12 = Set({I(1), I(2)});
  Value s123 = Set({I(1), I(2), I(3)});
  Value s124 = Set({I(1), I(2), I(4)});
  EXPECT_TRUE(compare(t, Token::Lt, s12, s123));
  EXPECT_FALSE(compare(t, Token::Lt, s123, s123));
  EXPECT_TRUE(compare(t, Token::Le, s123, s123));
  EXPECT_TRUE(compare(t, Token::Le, s12, s123));
  EXPECT_FALSE(compare(t, Token::Le, s123, s124));
  EXPECT_TRUE(compare(t, Token::Gt, s123, s12));
  EXPECT_FALSE(compare(t, Token::Gt, s123, s123));
  EXPECT_TRUE(compare(t, Token::Ge, s123, s123));
  EXPECT_FALSE(compare(t, Token::Ge, s123, s124));
  EXPECT_FALSE(compare(t, Token::Gt, s123, s124));
}

TEST_F(ContainersTest, SetMethods) {
  Value x = Set({I(1), I(2), I(3)});
  EXPECT_EQ(repr(call(x, "union", {L({I(5), I(1)}), T({I(6)})})), "set([1, 2, 3, 5, 6])");
  EXPECT_EQ(repr(call(x, "union")), "set([1, 2, 3])");
  EXPECT_EQ(error_of([&] { call(x, "union", {L({D({})})}); }), "union: unhashable type: dict");
  EXPECT_EQ(error_of([&] { call(x, "union", {I(1)}); }), "union: argument #1 is not iterable: int");
  EXPECT_EQ(repr(call(x, "intersection", {L({I(3), I(2), I(9)})})), "set([2, 3])");
  EXPECT_EQ(repr(call(x, "difference", {L({I(1)}), Set({I(3)})})), "set([2])");
  EXPECT_EQ(repr(call(x, "symmetric_difference", {L({I(3), I(4), I(4)})})), "set([1, 2, 4])");
  EXPECT_TRUE(call(Set({I(1), I(2)}), "issubset", {L({I(1), I(2), I(3)})}).as_bool());
  EXPECT_FALSE(call(x, "issubset", {Set({I(1), I(2), I(4)})}).as_bool());
  EXPECT_TRUE(call(x, "issuperset", {L({I(1), I(2)})}).as_bool());
  EXPECT_FALSE(call(x, "issuperset", {L({I(1), I(4)})}).as_bool());
  EXPECT_EQ(error_of([&] { call(x, "issubset", {I(1)}); }),
            "issubset: for parameter 1: got int, want iterable");
  EXPECT_EQ(repr(x), "set([1, 2, 3])");  // none of these mutate

  call(x, "add", {I(4)});
  call(x, "add", {I(4)});
  call(x, "update", {L({I(5)}), T({I(6), I(1)})});
  EXPECT_EQ(repr(x), "set([1, 2, 3, 4, 5, 6])");
  call(x, "remove", {I(6)});
  EXPECT_EQ(error_of([&] { call(x, "remove", {I(6)}); }), "remove: missing key");
  call(x, "discard", {I(5)});
  EXPECT_TRUE(call(x, "discard", {I(5)}).is_none());
  EXPECT_EQ(repr(call(x, "pop")), "1");
  EXPECT_EQ(repr(call(x, "pop")), "2");
  EXPECT_EQ(repr(x), "set([3, 4])");
  call(x, "clear");
  EXPECT_EQ(error_of([&] { call(x, "pop"); }), "pop: empty set");
  EXPECT_EQ(x.obj()->attr_names().size(), 12u);
}

TEST_F(ContainersTest, FrozenSetsFailOnlyWhenTheyWouldChange) {
  Value x = Set({I(1), I(2), I(3)});
  freeze(x);
  call(x, "add", {I(3)});      // already present
  call(x, "discard", {I(9)});  // absent
  EXPECT_EQ(error_of([&] { call(x, "add", {I(5)}); }), "add: cannot insert into frozen hash table");
  EXPECT_EQ(error_of([&] { call(x, "discard", {I(1)}); }),
            "discard: cannot delete from frozen hash table");
  EXPECT_EQ(error_of([&] { call(x, "remove", {I(9)}); }),
            "remove: cannot delete from frozen hash table");
  EXPECT_EQ(error_of([&] { call(x, "pop"); }), "pop: cannot delete from frozen hash table");
  EXPECT_EQ(error_of([&] { call(x, "clear"); }), "clear: cannot clear frozen hash table");
  Value empty = Set({});
  freeze(empty);
  EXPECT_TRUE(call(empty, "clear").is_none());
  // Operators make new, unfrozen sets.
  Value u = binary_op(t, Token::Pipe, x, x);
  EXPECT_FALSE(u.obj()->frozen());
}

TEST_F(ContainersTest, SetMutationDuringIterationFails) {
  Value x = Set({I(1), I(2)});
  std::unique_ptr<Iterator> it = iterate(t, x);
  EXPECT_EQ(error_of([&] { call(x, "add", {I(3)}); }),
            "add: cannot insert into hash table during iteration");
  EXPECT_EQ(error_of([&] { call(x, "update", {x}); }),
            "update: cannot insert into hash table during iteration");
}

// Values nested far deeper than the C++ stack could recurse are printed,
// frozen, hashed and freed by explicit worklists.
TEST_F(ContainersTest, DeeplyNestedValuesNeedNoDeepRecursion) {
  constexpr int kDepth = 150000;
  size_t before = heap.live_containers();
  {
    Value x = L({});
    Value tup = T({});
    for (int i = 0; i < kDepth; ++i) {
      x = (i % 3 == 0) ? L({x}) : (i % 3 == 1) ? T({x}) : D({{I(i), x}});
      tup = T({tup, I(i)});
    }
    std::string r = repr(x);
    size_t expected = 2;  // the innermost []
    for (int i = 0; i < kDepth; ++i)  // [x]  (x,)  {i: x}
      expected += (i % 3 == 0) ? 2 : (i % 3 == 1) ? 3 : 4 + std::to_string(i).size();
    EXPECT_EQ(r.size(), expected);
    EXPECT_EQ(r.substr(0, 10), "{149999: (");
    EXPECT_EQ(r.substr(r.size() - 4), "],)}");
    freeze(x);
    EXPECT_TRUE(x.obj()->frozen());
    uint32_t h = hash_value(t, tup);
    EXPECT_EQ(h, hash_value(t, tup));  // cached, and stable
  }
  EXPECT_EQ(heap.live_containers(), before);
}

// t = (t, t) doubles the tree each time but shares the nodes: freezing and
// hashing visit each node once.
TEST_F(ContainersTest, SharedSubtuplesAreWalkedOnce) {
  Value tup = T({L({})});
  for (int i = 0; i < 64; ++i) tup = T({tup, tup});
  freeze(tup);
  Value leaf = tup;
  while (leaf.is(ObjKind::Tuple)) leaf = leaf.as<TupleObj>()->elems()[0];
  EXPECT_TRUE(leaf.obj()->frozen());
  Value h = T({I(1)});
  for (int i = 0; i < 64; ++i) h = T({h, h});
  EXPECT_EQ(hash_value(t, h), hash_value(t, h));
}

TEST_F(ContainersTest, AcyclicContainersDieWithTheirLastReference) {
  size_t before = heap.live_containers();
  {
    Value d = D({{S("l"), L({I(1)})}, {S("s"), Set({I(2)})}});
    EXPECT_EQ(heap.live_containers(), before + 3);
  }
  EXPECT_EQ(heap.live_containers(), before);
}

}  // namespace
}  // namespace faultbox::star
