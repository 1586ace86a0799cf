// The Heap breaks reference cycles. Values are reference counted, so almost
// everything dies as soon as it is unreachable; what can form a cycle (a list
// holding itself, a module holding a function holding the module) is a
// Container, registered with the Heap on creation. Destroying the Heap
// pins every live container, clears their contents, then unpins them: all
// memory is returned, whatever the cycles. One Heap per interpreter session;
// every Thread (fiber) of the session shares it.
#pragma once

#include <cstddef>

#include "spec/eval/Value.h"

namespace faultbox::star {

class Heap;

class Container : public Object {
 public:
  Container(ObjKind kind, Heap& heap);
  ~Container() override;
  // Drop every Value this object holds (called only at Heap teardown).
  virtual void clear_references() = 0;
  Heap& heap() const { return *heap_; }

 private:
  friend class Heap;
  Heap* heap_;
  Container* prev_ = nullptr;
  Container* next_ = nullptr;
};

class Heap {
 public:
  Heap() = default;
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  // Number of containers alive (tests use it to check nothing leaks).
  size_t live_containers() const { return count_; }

 private:
  friend class Container;
  void link(Container* c);
  void unlink(Container* c);
  Container* head_ = nullptr;
  size_t count_ = 0;
};

}  // namespace faultbox::star
