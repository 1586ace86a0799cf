#include "spec/eval/Heap.h"

#include <vector>

namespace faultbox::star {

Container::Container(ObjKind kind, Heap& heap) : Object(kind), heap_(&heap) { heap.link(this); }

Container::~Container() { heap_->unlink(this); }

void Heap::link(Container* c) {
  c->next_ = head_;
  c->prev_ = nullptr;
  if (head_) head_->prev_ = c;
  head_ = c;
  ++count_;
}

void Heap::unlink(Container* c) {
  if (c->prev_)
    c->prev_->next_ = c->next_;
  else
    head_ = c->next_;
  if (c->next_) c->next_->prev_ = c->prev_;
  c->prev_ = c->next_ = nullptr;
  --count_;
}

Heap::~Heap() {
  // Pin every live container so clearing one cannot free another while we
  // walk the list; clear all contents; then drop the pins. Clearing may
  // create no new containers, so the pinned set is complete.
  std::vector<Value> pinned;
  pinned.reserve(count_);
  for (Container* c = head_; c; c = c->next_) pinned.emplace_back(static_cast<Object*>(c));
  for (Value& v : pinned) v.as<Container>()->clear_references();
  pinned.clear();
}

}  // namespace faultbox::star
