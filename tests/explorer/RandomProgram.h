// Random small programs for the DPOR oracle: a few services, some with two
// threads, sharing two files; sends paired with receives and connects with
// accepts across services (so blocking events have something to wait for,
// or, when a branch skips the send, wait forever); reads followed by
// branches on the value read or by a read-modify-write; faultable
// operations that abandon the thread or just skip. Seeded: one seed, one
// program, on every machine (no std:: distributions).
#pragma once

#include <cstdint>

#include "tests/explorer/ProgramModel.h"

namespace faultbox::explorer::model {

struct RandomProgramShape {
  int min_processes = 2;
  int max_processes = 4;
  int min_ops = 2;         // events per thread, before pairing adds receives
  int max_ops = 4;
  int max_events = 8;      // over the whole program: keeps brute force small
  int fault_percent = 20;  // chance that an operation is faultable
};

Program random_program(uint64_t seed, const RandomProgramShape& shape = {});

}  // namespace faultbox::explorer::model
