// Walks over nested lists, tuples, dicts and sets that use an explicit
// worklist instead of the C++ stack, so that a value nested 10^6 deep (easy
// to build: `for i in range(n): x = [x]`) can be printed, frozen and freed
// without overflowing the stack of the fiber running the program.
#pragma once

#include <string>
#include <vector>

#include "spec/eval/Value.h"

namespace faultbox::star {

class HashTable;

// Drops every value of `values` (leaving it empty). Containers that die with
// them have their contents moved onto the same worklist first, so their own
// destruction does not recurse.
void release_values(std::vector<Value>& values);
// Same for the keys and values of a hash table (left empty).
void release_table(HashTable& table);

// Freezes `root` and everything reachable from it. Lists, tuples, dicts and
// sets are walked here; other objects get their own freeze(). Each tuple is
// visited once, so shared sub-tuples (t = (t, t)) cost linear time.
void freeze_graph(Object* root);

// Appends the repr of a list, tuple, dict or set `root`, with starlark-go's
// cycle marks ("[...]", "{...}") for lists and dicts already on `path`.
void repr_container(std::string& out, const Object* root, ReprPath& path);

}  // namespace faultbox::star
