#!/usr/bin/env python3
"""A model of the bench/explore fixtures, to count their Mazurkiewicz classes.

Each fixture's services and driver fibers are Python generators that yield
the syscalls faultbox parks (decisions) and those it does not (close, and the
accept a service already sits in when the test body starts). A sleep-set DFS
runs every class once; classes are compared by their canonical form, the
lexicographically least linearisation of a run's dependence order, under
scheduler/Dependence.cpp's relation (re-implemented below from identities).

One engine property is a parameter, `reply_lag`: when a service's reply to
the driver ends (the service closes the connection), does the driver fiber's
next step join the enabled set at the very next decision (reply_lag=0), or
only at the one after it (reply_lag=1)? faultbox today behaves as 1: the
decision loop holds a pidfd_getfd() duplicate of the socket of the released
write until it records that decision at the start of the next decide(), so
the service's close() sends no FIN; the FIN leaves when the duplicate is
closed, and the enabled set of that same decide() is computed before the
loop reads it (README.md, "lost_update.star").

    python3 bench/explore/model.py                 # counts, both reply lags
    python3 bench/explore/model.py --traces DIR    # traces' classes vs the model's

--traces reads faultbox traces (`faultbox explore --trace-dir DIR`, files
TEST-STRATEGY-runN.log) and says, per test, whether every observed run's class
is a class of the model with the same verdict, and how many of the model's
classes were observed — under reply_lag 1 and 0.

Written to check README.md's counts; small on purpose (no retry fixture:
its placements are counted in README.md directly).
"""
import argparse
import copy
import glob
import os
import re
import sys
from collections import defaultdict

sys.setrecursionlimit(10000)


# --- scheduler/Dependence.cpp, from identities ------------------------------
def is_driver(h):
    return h == "test" or h.startswith("test/")


def link_end(h):
    return "test" if is_driver(h) else h


def footprint(ev):
    host, action, resource = ev[0], ev[1], ev[2]
    out = set()
    if resource in ("", "-"):
        pass
    elif resource.startswith("/") or resource.startswith("$"):
        out.add("file:" + resource)
    else:
        peer = resource.split(".")[0]
        me = link_end(host)
        if action in ("accept", "accept4"):
            out.add("listen:" + me)
        else:
            a, b = sorted([me, link_end(peer)])
            out.add("link:%s~%s" % (a, b))
            if action == "connect" or is_driver(host):
                out.add("listen:" + peer)
    return host, frozenset(out)


def dependent(a, b):
    fa, fb = footprint(a), footprint(b)
    return fa[0] == fb[0] or bool(fa[1] & fb[1])


def canonical(trace):
    """Lexicographically least linearisation of the dependence order."""
    n = len(trace)
    preds = [set() for _ in range(n)]
    for j in range(n):
        for i in range(j):
            if dependent(trace[i], trace[j]):
                preds[j].add(i)
    done, out = set(), []
    while len(out) < n:
        ready = [j for j in range(n) if j not in done and preds[j] <= done]
        j = min(ready, key=lambda x: trace[x])
        done.add(j)
        out.append(trace[j])
    return tuple(out)


# --- the world ----------------------------------------------------------------
class Conn:
    def __init__(self, client_host, target):
        self.client_host = client_host  # "test/i" or a service name
        self.target = target            # "svc.main"
        self.to_server = []
        self.to_client = []
        self.closed_at = None           # decisions made when the server closed it


class World:
    def __init__(self):
        self.backlog = defaultdict(list)  # "svc.main" -> [Conn]
        self.files = defaultdict(list)    # path -> [lines]
        self.counter = 0


# A process is a generator of ops; send() gives back the op's result.
#   ("accept", iface, inflight)   inflight: blocked in the kernel before the
#                                 body started, so no decision
#   ("read", conn) ("write", conn, msg) ("close", conn)   close: no decision
#   ("connect", iface) -> Conn
#   ("SEND", iface, msg) -> reply   a driver step; the fiber waits for the close
#   ("open", path) ("fwrite", path, line) ("fsync", path)
class Proc:
    def __init__(self, host, gen):
        self.host, self.gen = host, gen
        self.op, self.done, self.waiting, self.first = None, False, None, True


class Sim:
    """One run's state; rebuilt from the start for every prefix the DFS tries."""

    def __init__(self, make_procs, reply_lag):
        self.world = World()
        self.reply_lag = reply_lag
        self.procs = make_procs(self.world)
        self.occ = defaultdict(int)
        self.trace = []
        for p in self.procs:
            self._advance(p, None)
        self.settle()

    def _advance(self, p, value):
        try:
            p.op = next(p.gen) if p.first else p.gen.send(value)
            p.first = False
        except StopIteration:
            p.done, p.op = True, None

    def settle(self, force=False):
        """Runs what is no decision until nothing moves. A driver takes a
        reply whose connection was closed `reply_lag` decisions ago (or at
        once with force: nothing else can happen)."""
        moved = True
        while moved:
            moved = False
            for p in self.procs:
                if p.done:
                    continue
                if p.waiting is not None:
                    c = p.waiting
                    if c.closed_at is not None and (force or len(self.trace) - c.closed_at >= self.reply_lag):
                        p.waiting = None
                        self._advance(p, "".join(c.to_client))
                        moved = True
                    continue
                op = p.op
                if op[0] == "close":
                    op[1].closed_at = len(self.trace)
                    self._advance(p, None)
                    moved = True
                elif op[0] == "accept" and op[2] and self.world.backlog[op[1]]:
                    self._advance(p, self.world.backlog[op[1]].pop(0))
                    moved = True

    def identity(self, p):
        op = p.op
        k = op[0]
        if k in ("read", "write"):
            c = op[1]
            # the server end names the client, the client end the interface
            res = c.client_host if c.target.split(".")[0] == p.host else c.target
            return (p.host, k, "test" if is_driver(res) else res)
        if k in ("open", "fwrite", "fsync"):
            return (p.host, {"fwrite": "write"}.get(k, k), op[1])
        return (p.host, k, op[1])  # SEND, accept, connect

    def _enabled(self):
        out = []
        for i, p in enumerate(self.procs):
            if p.done or p.waiting is not None:
                continue
            k = p.op[0]
            if k == "close":
                continue
            if k == "accept" and (p.op[2] or not self.world.backlog[p.op[1]]):
                continue
            if k == "read":
                c = p.op[1]
                server = c.target.split(".")[0] == p.host
                if not (c.to_server if server else c.to_client):
                    continue
            out.append((i, self.identity(p)))
        return out

    def enabled(self):
        out = self._enabled()
        if not out:  # only a lagging reply can move: the engine waits for it
            self.settle(force=True)
            out = self._enabled()
        return out

    def step(self, i):
        self.enabled()  # a replayed prefix resolves forced waits as the search did
        p = self.procs[i]
        ident = self.identity(p)
        self.occ[ident] += 1
        self.trace.append(ident + (self.occ[ident],))
        op = p.op
        k = op[0]
        if k == "SEND":
            c = Conn(p.host, op[1])
            c.to_server.append(op[2])
            self.world.backlog[op[1]].append(c)
            p.waiting, p.op = c, None
        elif k == "accept":
            self._advance(p, self.world.backlog[op[1]].pop(0))
        elif k == "read":
            c = op[1]
            buf = c.to_server if c.target.split(".")[0] == p.host else c.to_client
            self._advance(p, buf.pop(0))
        elif k == "write":
            c = op[1]
            (c.to_client if c.target.split(".")[0] == p.host else c.to_server).append(op[2])
            self._advance(p, None)
        elif k == "connect":
            c = Conn(p.host, op[1])
            self.world.backlog[op[1]].append(c)
            self._advance(p, c)
        else:  # open, fwrite, fsync
            if k == "fwrite":
                self.world.files[op[1]].append(op[2])
            self._advance(p, None)
        self.settle()


def explore(make_procs, verdict, reply_lag, count_sequences=False):
    """{canonical class: passed}, and the number of feasible decision
    sequences when count_sequences (brute force, checked against the
    classes: slow beyond ~10^5)."""
    def at(prefix):
        s = Sim(make_procs, reply_lag)
        for i in prefix:
            s.step(i)
        return s

    classes = {}

    def dfs(prefix, sleep):
        sim = at(prefix)
        en = sim.enabled()
        if not en:
            c = canonical(sim.trace)
            assert c not in classes, "sleep sets ran one class twice"
            classes[c] = verdict(sim)
            return
        done_here = []
        for i, ident in en:
            nxt = ident + (sim.occ[ident] + 1,)
            if nxt in sleep:
                continue
            dfs(prefix + [i], {e for e in set(sleep) | set(done_here) if not dependent(e, nxt)})
            done_here.append(nxt)

    dfs([], set())
    sequences = None
    if count_sequences:
        # Brute force, the check of the search: every feasible sequence falls
        # in one of its classes, with the same verdict, and each class occurs.
        sequences, seen = 0, set()
        stack = [[]]
        while stack:
            prefix = stack.pop()
            sim = at(prefix)
            en = sim.enabled()
            if not en:
                sequences += 1
                c = canonical(sim.trace)
                assert classes.get(c) == verdict(sim), "a sequence outside the sleep-set search's classes"
                seen.add(c)
            stack.extend(prefix + [i] for i, _ in en)
        assert seen == set(classes), "a class no sequence reaches"
    return classes, sequences


# --- the fixtures (tests/fixtures/explore_*.c, bench/explore/*.star) ---------
def server_loop(iface, handle):
    """Single-threaded, one connection at a time; the first accept is the one
    the service sits in when the body starts."""
    first = True
    while True:
        c = yield ("accept", iface, first)
        first = False
        yield from handle(c)
        yield ("close", c)


def journal(world, name, path):
    """explore_journal.c: read a line, append it, fsync, answer OK n."""
    def handle(c):
        line = yield ("read", c)
        yield ("open", path)
        yield ("fwrite", path, line)
        yield ("fsync", path)
        yield ("write", c, "OK %d\n" % len(world.files[path]))
    return server_loop(name + ".main", handle)


def relay(name, backend):
    """explore_relay.c: forward the line on a new connection, answer the reply."""
    def handle(c):
        line = yield ("read", c)
        b = yield ("connect", backend)
        yield ("write", b, line)
        reply = yield ("read", b)
        yield ("close", b)
        yield ("write", c, reply)
    return server_loop(name + ".main", handle)


def counter(world):
    """explore_counter.c: GET -> n, SET n -> OK."""
    def handle(c):
        line = yield ("read", c)
        if line.startswith("GET"):
            yield ("write", c, "%d\n" % world.counter)
        else:
            world.counter = int(line.split()[1])
            yield ("write", c, "OK\n")
    return server_loop("counter.main", handle)


def sender(iface, msgs):
    for m in msgs:
        yield ("SEND", iface, m)


def disjoint(n):
    def make(world):
        ps = []
        for i in range(1, n + 1):
            ps.append(Proc("j%d" % i, journal(world, "j%d" % i, "$RUN/j%d/journal.log" % i)))
            ps.append(Proc("test/%d" % i, sender("j%d.main" % i, ["hello\n"])))
        return ps
    return make


def one_service_two_requests(world):
    return [Proc("j1", journal(world, "j1", "$RUN/j1/journal.log")),
            Proc("test/1", sender("j1.main", ["hello\n"])),
            Proc("test/2", sender("j1.main", ["hello\n"]))]


def two_clients(world):
    return [Proc("store", journal(world, "store", "$RUN/store/ledger.log")),
            Proc("client1", relay("client1", "store.main")),
            Proc("client2", relay("client2", "store.main")),
            Proc("test/1", sender("client1.main", ["ADD from client1\n"])),
            Proc("test/2", sender("client2.main", ["ADD from client2\n"]))]


def increment():
    v = yield ("SEND", "front.main", "GET\n")
    yield ("SEND", "front.main", "SET %d\n" % (int(v) + 1))


def two_increments(world):
    return [Proc("counter", counter(world)), Proc("front", relay("front", "counter.main")),
            Proc("test/1", increment()), Proc("test/2", increment())]


def sequential_increments(world):
    def body():
        yield from increment()
        yield from increment()
    return [Proc("counter", counter(world)), Proc("front", relay("front", "counter.main")),
            Proc("test", body())]


def passes(sim):
    return True


def counted_two(sim):
    return sim.world.counter == 2


MODELS = {  # test -> (processes, verdict, count every sequence by brute force)
    "test_two_services": (disjoint(2), passes, True),
    "test_four_services": (disjoint(4), passes, False),  # 24!/(6!)^4 sequences
    "test_one_service_two_requests": (one_service_two_requests, passes, True),
    "test_two_clients": (two_clients, passes, False),    # ~10^5: slow in Python
    "test_two_increments": (two_increments, counted_two, True),
    "test_sequential_increments": (sequential_increments, counted_two, True),
}


# --- traces --------------------------------------------------------------------
STEP = re.compile(r'^step=(\d+) (\S+) (\S+) (\S+) #(\d+)(?: @\S+)? -> (.*)$')


DIVERGED = re.compile(r"^# verdict: FAIL decision \d+ expected ")


def read_trace(path):
    """(decision identities, "PASS"/"FAIL"/"DIVERGED")."""
    evs, verdict = [], None
    for line in open(path):
        if line.startswith("# verdict:"):
            verdict = "DIVERGED" if DIVERGED.match(line) else line.split()[2]
        m = STEP.match(line.rstrip("\n"))
        if m:
            action = {"openat": "open"}.get(m.group(3), m.group(3))
            evs.append((m.group(2), action, m.group(4), int(m.group(5))))
    return evs, verdict


def check_traces(directory):
    files = [f for f in glob.glob(os.path.join(directory, "*.log")) if not f.endswith("-min.log")]
    by_test = defaultdict(list)
    for f in files:
        m = re.match(r"(test_\w+?)-(dpor|pct|random|permutations)-run\d+\.log$", os.path.basename(f))
        if m and m.group(1) in MODELS:
            by_test[m.group(1)].append(f)
    for test in sorted(by_test):
        make, verdict, _ = MODELS[test]
        runs = [read_trace(f) for f in by_test[test]]
        for lag in (1, 0):
            classes, _ = explore(make, verdict, lag)
            observed, mismatched = set(), 0
            for evs, v in runs:
                if v == "DIVERGED":  # left the prefix it was asked to follow: no class
                    continue
                c = canonical(evs)
                observed.add(c)
                if c not in classes or classes[c] != (v == "PASS"):
                    mismatched += 1
            diverged = sum(1 for _, v in runs if v == "DIVERGED")
            print("%-30s reply_lag %d: %3d runs (%d diverged), %3d distinct classes; model %3d classes; "
                  "runs outside the model or with another verdict: %d; model classes not observed: %d" %
                  (test, lag, len(runs), diverged, len(observed), len(classes), mismatched,
                   len(set(classes) - observed)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--traces", metavar="DIR", help="compare the traces in DIR with the model")
    ap.add_argument("--sequences", action="store_true", help="also count feasible sequences (slow)")
    args = ap.parse_args()
    if args.traces:
        check_traces(args.traces)
        return
    for test, (make, verdict, small) in MODELS.items():
        for lag in (1, 0):
            classes, seqs = explore(make, verdict, lag, count_sequences=args.sequences and small)
            failing = sum(1 for ok in classes.values() if not ok)
            print("%-30s reply_lag %d: %3d classes, %3d failing%s" %
                  (test, lag, len(classes), failing, "" if seqs is None else ", %d feasible sequences" % seqs))


if __name__ == "__main__":
    main()
