// The stable sort sorted() uses: insertion sort over blocks of 20, then
// in-place SymMerge (Kim & Kutzner) of ever larger runs. starlark-go sorts
// with exactly this comparison sequence, and which comparison fails first or
// last decides the error message sorted() reports ("int < NoneType not
// implemented" rather than "NoneType < int ..."), so the order in which
// pairs are compared is part of the observable behaviour.
//
// less(i, j) compares the elements currently at positions i and j;
// swap(i, j) exchanges them. Both work on indices so keys and values can
// move together.
#pragma once

#include <cstddef>

namespace faultbox::star {

namespace stable_sort_detail {

template <class Less, class Swap>
void insertion_sort(Less& less, Swap& swap, size_t a, size_t b) {
  for (size_t i = a + 1; i < b; ++i)
    for (size_t j = i; j > a && less(j, j - 1); --j) swap(j, j - 1);
}

template <class Swap>
void swap_range(Swap& swap, size_t a, size_t b, size_t n) {
  for (size_t i = 0; i < n; ++i) swap(a + i, b + i);
}

// Rotates [a, m) and [m, b) by block swaps.
template <class Swap>
void rotate(Swap& swap, size_t a, size_t m, size_t b) {
  size_t i = m - a, j = b - m;
  while (i != j) {
    if (i > j) {
      swap_range(swap, m - i, m, j);
      i -= j;
    } else {
      swap_range(swap, m - i, m + j - i, i);
      j -= i;
    }
  }
  swap_range(swap, m - i, m, i);
}

// Merges the sorted runs [a, m) and [m, b) in place.
template <class Less, class Swap>
void sym_merge(Less& less, Swap& swap, size_t a, size_t m, size_t b) {
  if (m - a == 1) {
    // Insert data[a] into [m, b) by binary search.
    size_t i = m, j = b;
    while (i < j) {
      size_t h = (i + j) / 2;
      if (less(h, a))
        i = h + 1;
      else
        j = h;
    }
    for (size_t k = a; k + 1 < i; ++k) swap(k, k + 1);
    return;
  }
  if (b - m == 1) {
    // Insert data[m] into [a, m) by binary search.
    size_t i = a, j = m;
    while (i < j) {
      size_t h = (i + j) / 2;
      if (!less(m, h))
        i = h + 1;
      else
        j = h;
    }
    for (size_t k = m; k > i; --k) swap(k, k - 1);
    return;
  }
  const size_t mid = (a + b) / 2;
  const size_t n = mid + m;
  size_t start, r;
  if (m > mid) {
    start = n - b;
    r = mid;
  } else {
    start = a;
    r = m;
  }
  const size_t p = n - 1;
  while (start < r) {
    size_t c = (start + r) / 2;
    if (!less(p - c, c))
      start = c + 1;
    else
      r = c;
  }
  const size_t end = n - start;
  if (start < m && m < end) rotate(swap, start, m, end);
  if (a < start && start < mid) sym_merge(less, swap, a, start, mid);
  if (mid < end && end < b) sym_merge(less, swap, mid, end, b);
}

}  // namespace stable_sort_detail

template <class Less, class Swap>
void stable_sort_indices(size_t n, Less less, Swap swap) {
  using namespace stable_sort_detail;
  size_t block = 20;
  size_t a = 0, b = block;
  while (b <= n) {
    insertion_sort(less, swap, a, b);
    a = b;
    b += block;
  }
  insertion_sort(less, swap, a, n);
  while (block < n) {
    a = 0;
    b = 2 * block;
    while (b <= n) {
      sym_merge(less, swap, a, a + block, b);
      a = b;
      b += 2 * block;
    }
    if (a + block < n) sym_merge(less, swap, a, a + block, n);
    block *= 2;
  }
}

}  // namespace faultbox::star
