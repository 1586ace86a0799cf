// A vector that keeps its first N elements inline: the evaluator gathers call
// arguments and function locals in one, so an ordinary call allocates nothing.
// Private to the evaluator.
#pragma once

#include <cstddef>
#include <new>
#include <span>
#include <utility>

namespace faultbox::star {

template <class T, size_t N>
class SmallVec {
 public:
  SmallVec() = default;
  SmallVec(const SmallVec&) = delete;
  SmallVec& operator=(const SmallVec&) = delete;
  ~SmallVec() {
    if (size_) clear();
    if (data_ != inline_data()) ::operator delete(static_cast<void*>(data_));
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  T& back() { return data_[size_ - 1]; }
  std::span<const T> span() const { return {data_, size_}; }

  template <class... A>
  T& emplace_back(A&&... a) {
    if (size_ == cap_) grow(cap_ * 2);
    T* p = new (data_ + size_) T(std::forward<A>(a)...);
    ++size_;
    return *p;
  }
  void push_back(T v) { emplace_back(std::move(v)); }

  // Grows to n elements, each constructed from `fill`.
  void resize(size_t n, const T& fill) {
    if (n > cap_) grow(n);
    while (size_ < n) {
      new (data_ + size_) T(fill);
      ++size_;
    }
  }

  void clear() {
    for (size_t i = 0; i < size_; ++i) data_[i].~T();
    size_ = 0;
  }

 private:
  T* inline_data() { return reinterpret_cast<T*>(inline_); }
  void grow(size_t cap) {
    if (cap < N) cap = N;
    T* fresh = static_cast<T*>(::operator new(cap * sizeof(T)));
    for (size_t i = 0; i < size_; ++i) {
      new (fresh + i) T(std::move(data_[i]));
      data_[i].~T();
    }
    if (data_ != inline_data()) ::operator delete(static_cast<void*>(data_));
    data_ = fresh;
    cap_ = cap;
  }

  alignas(T) unsigned char inline_[N * sizeof(T)];
  T* data_ = inline_data();
  size_t size_ = 0;
  size_t cap_ = N;
};

}  // namespace faultbox::star
