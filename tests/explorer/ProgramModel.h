// An in-memory model of the programs `faultbox explore` runs: services with
// threads, each thread a short program of operations on shared resources —
// files, connections between services, listening sockets — whose events are
// traces::EventIdentity values, so scheduler::footprint_of gives them the
// real dependence. It runs a program the way engine/DecisionLoop runs a
// test: the enabled set in canonical order (sorted by identity text),
// offer_placements(), choose(), fault_chosen(), through a RecordingStrategy.
//
// What makes the model worth checking an explorer against:
//   - data-dependent control flow: a thread reads a file or receives a value
//     into its register and branches on it, so different orders make
//     different later events;
//   - blocking receives and accepts, enabled only when a message or a
//     connection is waiting (RunRecord::caused_by names the send/connect);
//   - faultable operations: a faulted operation has no effect and the thread
//     continues on another path.
// Runs are deterministic: the same decisions give the same run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "scheduler/Schedule.h"
#include "scheduler/Strategy.h"
#include "traces/TraceFile.h"

namespace faultbox::explorer::model {

struct Instr {
  enum class Op {
    Write,     // file `target` := value (+ register when add_register)
    Read,      // register := file `target` (0 if never written)
    Send,      // to service `target`: value (+ register when add_register)
    Recv,      // blocking: register := the next message from service `target`
    Connect,   // into service `target`'s backlog
    Accept,    // blocking: the next connection in this service's backlog
    JumpIfEq,  // local, not an event: if register == value, go to `jump`
    Jump,      // local: go to `jump`
  };
  Op op = Op::Write;
  std::string target;
  int value = 0;
  bool add_register = false;
  size_t jump = 0;
  // A placement rule could fault this event; faulted, it has no effect and
  // the thread goes on at `on_fault` (the next instruction when unset).
  bool faultable = false;
  size_t on_fault = SIZE_MAX;
};

struct ThreadProgram {
  std::vector<Instr> code;
};

struct Service {
  std::string name;
  std::vector<ThreadProgram> threads;  // thread ordinals "1", "2", …
};

struct Program {
  std::vector<Service> services;
  // One line per instruction, for failure messages.
  std::string describe() const;
};

// Instruction helpers, so that fixed programs read like programs.
Instr write(const std::string& file, int value, bool faultable = false);
Instr increment(const std::string& file);  // write register + 1
Instr read(const std::string& file, bool faultable = false);
Instr send(const std::string& service, int value, bool faultable = false);
Instr recv(const std::string& service, bool faultable = false);
Instr connect(const std::string& service, bool faultable = false);
Instr accept(bool faultable = false);
Instr jump_if_eq(int value, size_t target);
Instr jump(size_t target);

class ProgramModel {
 public:
  explicit ProgramModel(Program program);
  const Program& program() const { return program_; }

  // One run decided by `strategy`, recorded: caused_by filled, a Divergence
  // (from choose() or finished()) stored in the record.
  scheduler::RunRecord run(std::unique_ptr<scheduler::Strategy> strategy) const;

  // Every schedule and every fault choice (at most `max_faults` faults a
  // run), enumerated without reduction: the class ids of all complete runs,
  // and how many runs that took.
  struct BruteForce {
    std::set<std::string> classes;
    uint64_t runs = 0;
  };
  BruteForce brute_force(int max_faults) const;
  std::set<std::string> all_class_ids(int max_faults) const { return brute_force(max_faults).classes; }
  uint64_t count_runs(int max_faults) const;
  // One run of each class, by id (for failure messages).
  std::map<std::string, std::vector<scheduler::Decision>> class_examples(int max_faults) const;

 private:
  struct Message {
    int value = 0;
    size_t decision = 0;  // 0-based index of the send/connect
  };
  struct ThreadState {
    size_t pc = 0;
    int reg = 0;
  };
  struct State {
    std::vector<std::vector<ThreadState>> threads;  // [service][thread]
    std::map<std::string, int> files;
    std::map<std::pair<std::string, std::string>, std::deque<Message>> links;  // (from, to)
    std::map<std::string, std::deque<Message>> backlog;                       // listening service
    std::map<std::tuple<std::string, std::string, std::string>, uint64_t> occurrences;
    size_t decisions = 0;
  };
  struct Enabled {
    traces::EventIdentity identity;
    std::string text;  // identity.text(), the canonical order's key
    size_t service = 0;
    size_t thread = 0;
    bool faultable = false;
  };

  // An instruction's event but for its occurrence: the identity, and its
  // text() around the occurrence number.
  struct EventShape {
    traces::EventIdentity identity;
    std::string head, tail;
  };

  State initial() const;
  void settle(State& s, size_t service, size_t thread) const;
  // In canonical order.
  std::vector<Enabled> enabled(const State& s) const;
  // Runs the event; returns the decision it consumed a message of, if any.
  std::optional<size_t> execute(State& s, const Enabled& e, bool faulted) const;
  template <typename Leaf>
  void enumerate(const State& s, int faults_left, std::vector<scheduler::Decision>& path, Leaf& leaf) const;

  Program program_;
  std::vector<std::vector<std::vector<EventShape>>> events_;  // [service][thread][pc]
};

}  // namespace faultbox::explorer::model
