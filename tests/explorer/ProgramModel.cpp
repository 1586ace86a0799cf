#include "tests/explorer/ProgramModel.h"

#include <algorithm>
#include <stdexcept>

#include "explorer/ClassId.h"

namespace faultbox::explorer::model {

namespace {

Instr make(Instr::Op op, const std::string& target, int value, bool faultable) {
  Instr i;
  i.op = op;
  i.target = target;
  i.value = value;
  i.faultable = faultable;
  return i;
}

bool is_event(Instr::Op op) { return op != Instr::Op::JumpIfEq && op != Instr::Op::Jump; }

const char* op_name(Instr::Op op) {
  switch (op) {
    case Instr::Op::Write: return "write";
    case Instr::Op::Read: return "read";
    case Instr::Op::Send: return "sendto";
    case Instr::Op::Recv: return "recvfrom";
    case Instr::Op::Connect: return "connect";
    case Instr::Op::Accept: return "accept";
    case Instr::Op::JumpIfEq: return "jump-if-eq";
    case Instr::Op::Jump: return "jump";
  }
  return "?";
}

// The resource as the engine's normalizer would name it.
std::string resource_of(const Instr& i, const std::string& self) {
  switch (i.op) {
    case Instr::Op::Write:
    case Instr::Op::Read: return i.target;
    case Instr::Op::Send:
    case Instr::Op::Connect: return i.target + ".main";
    case Instr::Op::Recv: return i.target;
    case Instr::Op::Accept: return self + ".main";
    default: return "-";
  }
}

}  // namespace

Instr write(const std::string& file, int value, bool faultable) {
  return make(Instr::Op::Write, file, value, faultable);
}
Instr increment(const std::string& file) {
  Instr i = make(Instr::Op::Write, file, 1, false);
  i.add_register = true;
  return i;
}
Instr read(const std::string& file, bool faultable) { return make(Instr::Op::Read, file, 0, faultable); }
Instr send(const std::string& service, int value, bool faultable) {
  return make(Instr::Op::Send, service, value, faultable);
}
Instr recv(const std::string& service, bool faultable) { return make(Instr::Op::Recv, service, 0, faultable); }
Instr connect(const std::string& service, bool faultable) {
  return make(Instr::Op::Connect, service, 0, faultable);
}
Instr accept(bool faultable) { return make(Instr::Op::Accept, "", 0, faultable); }
Instr jump_if_eq(int value, size_t target) {
  Instr i = make(Instr::Op::JumpIfEq, "", value, false);
  i.jump = target;
  return i;
}
Instr jump(size_t target) {
  Instr i = make(Instr::Op::Jump, "", 0, false);
  i.jump = target;
  return i;
}

std::string Program::describe() const {
  std::string out;
  for (const Service& s : services)
    for (size_t t = 0; t < s.threads.size(); ++t) {
      out += s.name + "@t" + std::to_string(t + 1) + ":";
      for (size_t pc = 0; pc < s.threads[t].code.size(); ++pc) {
        const Instr& i = s.threads[t].code[pc];
        out += " [" + std::to_string(pc) + "] " + op_name(i.op);
        if (!i.target.empty()) out += " " + i.target;
        if (i.op == Instr::Op::Write || i.op == Instr::Op::Send || i.op == Instr::Op::JumpIfEq)
          out += " " + std::to_string(i.value) + (i.add_register ? "+reg" : "");
        if (i.op == Instr::Op::JumpIfEq || i.op == Instr::Op::Jump) out += " ->" + std::to_string(i.jump);
        if (i.faultable)
          out += " (faultable" + (i.on_fault == SIZE_MAX ? std::string() : " ->" + std::to_string(i.on_fault)) + ")";
        out += ";";
      }
      out += "\n";
    }
  return out;
}

ProgramModel::ProgramModel(Program program) : program_(std::move(program)) {
  // Each event's identity and text but for its occurrence, made once: the
  // model check builds enabled sets by the hundred thousand.
  for (const Service& svc : program_.services) {
    events_.emplace_back();
    for (size_t t = 0; t < svc.threads.size(); ++t) {
      events_.back().emplace_back();
      for (const Instr& i : svc.threads[t].code) {
        EventShape shape;
        shape.identity.host = svc.name;
        shape.identity.action = op_name(i.op);
        shape.identity.resource = resource_of(i, svc.name);
        shape.identity.thread = std::to_string(t + 1);
        // "host action resource #N @tT": tokens hold no spaces, so " #"
        // is where the occurrence goes.
        const std::string text = shape.identity.text();
        const size_t hash = text.find(" #");
        const size_t after = text.find(' ', hash + 2);
        shape.head = text.substr(0, hash + 2);
        shape.tail = after == std::string::npos ? "" : text.substr(after);
        events_.back().back().push_back(std::move(shape));
      }
    }
  }
}

ProgramModel::State ProgramModel::initial() const {
  State s;
  for (size_t v = 0; v < program_.services.size(); ++v) {
    s.threads.emplace_back(program_.services[v].threads.size());
    for (size_t t = 0; t < program_.services[v].threads.size(); ++t) settle(s, v, t);
  }
  return s;
}

void ProgramModel::settle(State& s, size_t service, size_t thread) const {
  const auto& code = program_.services[service].threads[thread].code;
  ThreadState& ts = s.threads[service][thread];
  // Generated programs jump forward only; the bound catches a fixed program
  // that loops without an event.
  for (size_t guard = 0; ts.pc < code.size() && !is_event(code[ts.pc].op); ++guard) {
    if (guard > code.size()) throw std::logic_error("model program loops without an event");
    const Instr& i = code[ts.pc];
    ts.pc = (i.op == Instr::Op::Jump || ts.reg == i.value) ? i.jump : ts.pc + 1;
  }
}

std::vector<ProgramModel::Enabled> ProgramModel::enabled(const State& s) const {
  std::vector<Enabled> out;
  for (size_t v = 0; v < program_.services.size(); ++v) {
    const Service& svc = program_.services[v];
    for (size_t t = 0; t < svc.threads.size(); ++t) {
      const ThreadState& ts = s.threads[v][t];
      if (ts.pc >= svc.threads[t].code.size()) continue;
      const Instr& i = svc.threads[t].code[ts.pc];
      if (i.op == Instr::Op::Recv) {
        auto q = s.links.find({i.target, svc.name});
        if (q == s.links.end() || q->second.empty()) continue;
      }
      if (i.op == Instr::Op::Accept) {
        auto q = s.backlog.find(svc.name);
        if (q == s.backlog.end() || q->second.empty()) continue;
      }
      const EventShape& shape = events_[v][t][ts.pc];
      Enabled e;
      e.identity = shape.identity;
      auto occ = s.occurrences.find({e.identity.host, e.identity.action, e.identity.resource});
      e.identity.occurrence = (occ == s.occurrences.end() ? 0 : occ->second) + 1;
      e.service = v;
      e.thread = t;
      e.faultable = i.faultable;
      e.text = shape.head + std::to_string(e.identity.occurrence) + shape.tail;
      out.push_back(std::move(e));
    }
  }
  std::sort(out.begin(), out.end(), [](const Enabled& a, const Enabled& b) { return a.text < b.text; });
  return out;
}

std::optional<size_t> ProgramModel::execute(State& s, const Enabled& e, bool faulted) const {
  const Service& svc = program_.services[e.service];
  ThreadState& ts = s.threads[e.service][e.thread];
  const Instr& i = svc.threads[e.thread].code[ts.pc];
  ++s.occurrences[{e.identity.host, e.identity.action, e.identity.resource}];
  const size_t index = s.decisions++;
  std::optional<size_t> cause;
  if (faulted) {
    // A faulted receive or accept consumes nothing, but it was enabled by
    // the message or connection waiting: that send is still its cause (no
    // order runs it first).
    if (i.op == Instr::Op::Recv) cause = s.links[{i.target, svc.name}].front().decision;
    if (i.op == Instr::Op::Accept) cause = s.backlog[svc.name].front().decision;
    ts.pc = i.on_fault == SIZE_MAX ? ts.pc + 1 : i.on_fault;
  } else {
    const int value = i.value + (i.add_register ? ts.reg : 0);
    switch (i.op) {
      case Instr::Op::Write: s.files[i.target] = value; break;
      case Instr::Op::Read: {
        auto f = s.files.find(i.target);
        ts.reg = f == s.files.end() ? 0 : f->second;
        break;
      }
      case Instr::Op::Send: s.links[{svc.name, i.target}].push_back({value, index}); break;
      case Instr::Op::Recv: {
        auto& q = s.links[{i.target, svc.name}];
        ts.reg = q.front().value;
        cause = q.front().decision;
        q.pop_front();
        break;
      }
      case Instr::Op::Connect: s.backlog[i.target].push_back({0, index}); break;
      case Instr::Op::Accept: {
        auto& q = s.backlog[svc.name];
        cause = q.front().decision;
        q.pop_front();
        break;
      }
      default: break;
    }
    ++ts.pc;
  }
  settle(s, e.service, e.thread);
  return cause;
}

scheduler::RunRecord ProgramModel::run(std::unique_ptr<scheduler::Strategy> strategy) const {
  scheduler::RecordingStrategy recording(std::move(strategy));
  std::vector<std::optional<size_t>> caused_by;
  std::optional<scheduler::Divergence> divergence;
  State s = initial();
  try {
    for (uint64_t step = 1;; ++step) {
      const std::vector<Enabled> now = enabled(s);
      if (now.empty()) break;
      std::vector<traces::EventIdentity> ids;
      std::vector<bool> faultable;
      for (const Enabled& e : now) {
        ids.push_back(e.identity);
        faultable.push_back(e.faultable);
      }
      recording.offer_placements(faultable);
      const size_t pick = recording.choose(ids, step);
      if (pick >= now.size()) throw std::logic_error("strategy picked outside the enabled set");
      const bool faulted = recording.fault_chosen();
      if (faulted && !now[pick].faultable) throw std::logic_error("strategy faulted an event not offered");
      caused_by.push_back(execute(s, now[pick], faulted));
    }
    recording.finished(s.decisions);
  } catch (const scheduler::Divergence& d) {
    divergence = d;
  }
  scheduler::RunRecord record = recording.take_record();
  caused_by.resize(record.decisions.size());
  record.caused_by = std::move(caused_by);
  record.divergence = std::move(divergence);
  return record;
}

template <typename Leaf>
void ProgramModel::enumerate(const State& s, int faults_left, std::vector<scheduler::Decision>& path,
                             Leaf& leaf) const {
  const std::vector<Enabled> now = enabled(s);
  if (now.empty()) {
    leaf(path);
    return;
  }
  for (const Enabled& e : now) {
    for (bool faulted : {false, true}) {
      if (faulted && (!e.faultable || faults_left == 0)) continue;
      State next = s;
      execute(next, e, faulted);
      path.push_back(scheduler::Decision{scheduler::event_ref(e.identity, e.faultable), faulted});
      enumerate(next, faults_left - (faulted ? 1 : 0), path, leaf);
      path.pop_back();
    }
  }
}

ProgramModel::BruteForce ProgramModel::brute_force(int max_faults) const {
  BruteForce out;
  std::vector<scheduler::Decision> path;
  auto leaf = [&](const std::vector<scheduler::Decision>& run) {
    out.classes.insert(class_id(run));
    ++out.runs;
  };
  enumerate(initial(), max_faults, path, leaf);
  return out;
}

std::map<std::string, std::vector<scheduler::Decision>> ProgramModel::class_examples(int max_faults) const {
  std::map<std::string, std::vector<scheduler::Decision>> out;
  std::vector<scheduler::Decision> path;
  auto leaf = [&](const std::vector<scheduler::Decision>& run) { out.emplace(class_id(run), run); };
  enumerate(initial(), max_faults, path, leaf);
  return out;
}

uint64_t ProgramModel::count_runs(int max_faults) const {
  uint64_t runs = 0;
  std::vector<scheduler::Decision> path;
  auto leaf = [&](const std::vector<scheduler::Decision>&) { ++runs; };
  enumerate(initial(), max_faults, path, leaf);
  return runs;
}

}  // namespace faultbox::explorer::model
