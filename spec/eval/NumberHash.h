// The hash of numbers. Equal numbers must hash alike whatever their
// representation (small int, big int, integral float: 1 == 1.0), so every
// integral value hashes its value modulo 2^64 through one mixing function.
#pragma once

#include <cstdint>

namespace faultbox::star {

// A 64-bit finalizer (splitmix64) folded to 32 bits.
inline uint32_t hash_u64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<uint32_t>(x ^ (x >> 32));
}

inline uint32_t hash_int64(int64_t i) { return hash_u64(static_cast<uint64_t>(i)); }

}  // namespace faultbox::star
