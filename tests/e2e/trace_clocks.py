#!/usr/bin/env python3
"""A second, independent check of faultbox traces (issue 4), for the e2e tests.

It shares no code with traces/: it reads a trace the way ShiViz does and
checks ShiViz's clock rules itself.

  python3 trace_clocks.py [--flow redis-down] FILE...

For every FILE:
  - line 1 is ShiViz's parser regex, line 2 is empty (one execution);
  - the regex, applied as ShiViz applies it (JavaScript exec with the g and m
    flags over the text after line 2, trimmed), finds exactly the event pairs
    of the file: no `#` header line is mistaken for an event, none is missed;
  - every clock is a JSON object of host -> positive integer;
  - ShiViz's clock rules: the event's own host is in its clock; each host's
    own entry runs 1, 2, 3, ... in file order; no clock references a host
    without events, nor an entry beyond that host's event count; a host's
    clocks never go back from one of its events to the next;
  - the event lines: `step=N` or `step=-`, then the identity, ` -> ` and an
    outcome; decision steps are 1..N, each once;
  - every arrow is a real message: whenever an event learns of another host
    (an entry for it grows), the event is a receive — or the driver's `test`
    host joining its parallel() branches, learning no more than they knew;
  - the last event is the driver's `test return`, its outcome the header's
    verdict (a trace that lacks it is cut short).

--flow redis-down (the shop's test_checkout_when_redis_down) also checks that
the arrows follow the real flow: driver -> api -> redis -> api -> driver, each
hop a send of one host whose first event on the other side that knows of it is
a receive from the sender.

Prints one line per problem (FILE:LINE: what) and exits 1 if there is any,
else prints `ok: FILE (N events, hosts ...)` per file and exits 0.
"""
import json
import re
import sys

# Members of Object.prototype (traces/TraceValidator.cpp has the same list).
OBJECT_PROTOTYPE_NAMES = {
    "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__", "constructor",
    "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString", "valueOf",
}
SHIVIZ_REGEX = r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)"
EVENT_RE = re.compile(r"^step=(\d+|-) (\S+) (\S+) (\S+) #(\d+)( @t\S+)? -> (.+)$")
RECEIVES = {"read", "readv", "pread64", "recv", "recvfrom", "recvmsg", "recvmmsg", "accept", "accept4", "response"}
SENDS = {"write", "writev", "pwrite64", "send", "sendto", "sendmsg", "sendmmsg"}


class Event:
    def __init__(self, line, host, clock, text):
        self.line = line  # 1-based line of the clock line in the file
        self.host = host
        self.clock = clock
        self.text = text
        m = EVENT_RE.match(text)
        self.parsed = m is not None
        if m:
            self.step = m.group(1)
            self.action = m.group(3)
            self.resource = m.group(4)
        else:
            self.step, self.action, self.resource = None, None, None

    @property
    def own(self):
        return self.clock.get(self.host, 0)

    def is_receive(self):
        return self.action in RECEIVES

    def is_send(self):
        # The driver's requests are upper-case actions (POST, GET, SEND).
        return self.action in SENDS or (self.host.startswith("test") and self.action.isupper())

    def peer_is(self, host):
        return self.resource == host or self.resource.startswith(host + ".")


def shiviz_events(path, text, problems):
    """The events as ShiViz's LogParser would get them from an uploaded file."""
    lines = text.split("\n")
    if lines[0] != SHIVIZ_REGEX:
        problems.append(f"{path}:1: line 1 is not ShiViz's parser regex: {lines[0]!r}")
    if len(lines) < 2 or lines[1] != "":
        problems.append(f"{path}:2: line 2 (the delimiter) is not empty")
    log = "\n".join(lines[2:])
    # LogParser trims the log; count the lines trimmed off its front so that
    # line numbers stay the file's.
    stripped = log.lstrip()
    offset_lines = 2 + log[: len(log) - len(stripped)].count("\n")
    log = stripped.rstrip()
    # JavaScript `(?<name>…)` is Python's `(?P<name>…)`; `.` matches no
    # newline in either; exec with the g flag finds matches anywhere.
    regex = re.compile(SHIVIZ_REGEX.replace("(?<", "(?P<"), re.M)
    events = []
    for m in regex.finditer(log):
        line = offset_lines + log.count("\n", 0, m.start()) + 1
        try:
            clock = json.loads(m.group("clock"))
        except ValueError as e:
            problems.append(f"{path}:{line}: ShiViz cannot parse the clock {m.group('clock')!r}: {e}")
            continue
        if not isinstance(clock, dict) or not all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v > 0
                for k, v in clock.items()):
            problems.append(f"{path}:{line}: clock is not host -> positive integer: {m.group('clock')}")
            continue
        named = [h for h in [m.group("host"), *clock] if h in OBJECT_PROTOTYPE_NAMES]
        if named:
            # ShiViz keeps hosts in plain objects: "constructor" is there
            # already, and its model code crashes (TypeError, no message).
            problems.append(f"{path}:{line}: host {named[0]!r} is a JavaScript Object.prototype member")
            continue
        events.append(Event(line, m.group("host"), clock, m.group("event")))
    return events


def pairs_by_lines(text):
    """The event pairs as the file lays them out: every non-# line after the
    header is a `HOST CLOCK` line followed by its event line."""
    lines = text.split("\n")
    out = []
    i = 2
    while i < len(lines):
        if lines[i].startswith("#") or lines[i] == "":
            i += 1
            continue
        out.append((i + 1, lines[i], lines[i + 1] if i + 1 < len(lines) else None))
        i += 2
    return out


def check_clocks(path, events, problems):
    counts = {}
    last = {}
    for e in events:
        if e.host not in e.clock:
            problems.append(f"{path}:{e.line}: the clock lacks the event's own host {e.host!r}")
            continue
        want = counts.get(e.host, 0) + 1
        if e.clock[e.host] != want:
            problems.append(f"{path}:{e.line}: host {e.host!r}'s own entry is {e.clock[e.host]}, want {want}")
        counts[e.host] = want
        prev = last.get(e.host)
        if prev is not None:
            for h, v in prev.clock.items():
                if e.clock.get(h, 0) < v:
                    problems.append(f"{path}:{e.line}: entry {h!r} goes back from {v} to {e.clock.get(h, 0)} "
                                    f"since {e.host!r}'s previous event (line {prev.line})")
        last[e.host] = e
    for e in events:
        for h, v in e.clock.items():
            if h not in counts:
                problems.append(f"{path}:{e.line}: the clock references host {h!r}, which has no events")
            elif v > counts[h]:
                problems.append(f"{path}:{e.line}: the clock references {h!r}:{v} but {h!r} has {counts[h]} events")
    return counts


def check_event_lines(path, events, problems):
    steps = []
    for e in events:
        if not e.parsed:
            problems.append(f"{path}:{e.line + 1}: event line is not `step=N|- HOST ACTION RESOURCE #K [@tT] -> OUTCOME`: {e.text!r}")
            continue
        if e.text.split(" ")[1] != e.host:
            problems.append(f"{path}:{e.line + 1}: the event's identity names host {e.text.split(' ')[1]!r}, its clock line {e.host!r}")
        if e.step != "-":
            steps.append(int(e.step))
    if sorted(steps) != list(range(1, len(steps) + 1)):
        problems.append(f"{path}: decision steps are not 1..{len(steps)} each once: {sorted(steps)}")


def check_end(path, text, events, problems):
    """A whole run ends with the driver's return, whose outcome is the header's verdict."""
    m = re.search(r"^# verdict: (PASS|FAIL)\b", text, re.M)
    last = events[-1]
    if not (last.host == "test" and last.text.startswith("step=- test return - #1 -> ")):
        problems.append(f"{path}:{last.line + 1}: the last event is not the driver's return: {last.text!r}")
    elif m is None:
        problems.append(f"{path}: no `# verdict: PASS|FAIL` header line")
    elif last.text.split(" -> ")[1] != m.group(1).lower():
        problems.append(f"{path}:{last.line + 1}: the driver returned {last.text.split(' -> ')[1]!r}, "
                        f"the header's verdict is {m.group(1)}")


def happened_before(a, b):
    return a is not b and b.clock.get(a.host, 0) >= a.own


def first_learner(events, sender, receiver_host):
    """The first event of receiver_host whose clock knows of `sender`."""
    for e in events:
        if e.host == receiver_host and e.clock.get(sender.host, 0) >= sender.own:
            return e
    return None


def check_real_arrows(path, events, problems):
    """Every clock merge happens on a receive (it learned through a message),
    or on the driver's `test` host joining its parallel() branches `test/N`,
    which may learn no more than those branches knew."""
    last = {}
    for e in events:
        prev = last.get(e.host)
        before = prev.clock if prev else {}
        branches = {}
        if e.host == "test":
            for h, b in last.items():
                if h.startswith("test/"):
                    for k, v in b.clock.items():
                        branches[k] = max(branches.get(k, 0), v)
        for h, v in e.clock.items():
            if h == e.host or v <= before.get(h, 0):
                continue
            # e learned of h (directly, or of h through a third host it received from).
            if e.is_receive() or v <= branches.get(h, 0):
                continue
            problems.append(f"{path}:{e.line}: {e.host}'s event learns of {h!r}:{v} but is no receive "
                            f"(nor a join of parallel branches): {e.text}")
            break
        last[e.host] = e


def message(events, sender, receiver_host):
    """The receive at which receiver_host gets sender's message, if sender
    sends to it and the first event there that knows of it receives from it."""
    if not (sender.is_send() and sender.peer_is(receiver_host)):
        return None
    r = first_learner(events, sender, receiver_host)
    if r is not None and r.is_receive() and r.peer_is(sender.host):
        return r
    return None


def check_redis_down_flow(path, events, problems):
    # driver -> api -> redis -> api -> driver: four real messages, each hop
    # after the previous one in its host's order.
    hops = [("test", "api"), ("api", "redis"), ("redis", "api"), ("api", "test")]

    def search(i, after):
        if i == len(hops):
            return []
        src, dst = hops[i]
        for s in events:
            if s.host != src or (after is not None and not (after.host == src and after.own < s.own)):
                continue
            r = message(events, s, dst)
            if r is None:
                continue
            if dst == "test" and r.action != "response":
                continue
            rest = search(i + 1, r)
            if rest is not None:
                return [(s, r)] + rest
        return None

    chain = search(0, None)
    if chain is None:
        problems.append(f"{path}: no chain of real messages driver -> api -> redis -> api -> driver")
        return
    for s, r in chain:
        print(f"  arrow: line {s.line} {s.text.split(' -> ')[0]}  =>  line {r.line} {r.text.split(' -> ')[0]}")


def check_file(path, flow):
    problems = []
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        return [f"{path}: cannot read: {e}"]
    if not text.endswith("\n"):
        problems.append(f"{path}: the last line has no newline")
    events = shiviz_events(path, text, problems)
    pairs = pairs_by_lines(text.rstrip("\n"))
    if len(pairs) != len(events):
        problems.append(f"{path}: ShiViz's regex finds {len(events)} events, the file has {len(pairs)} event pairs")
    else:
        for (line, host_line, event_line), e in zip(pairs, events):
            if line != e.line or event_line != e.text or not host_line.startswith(e.host + " "):
                problems.append(f"{path}:{line}: ShiViz reads this pair differently (line {e.line}: {e.host} / {e.text!r})")
                break
    if not events:
        problems.append(f"{path}: no events")
        return problems
    counts = check_clocks(path, events, problems)
    check_event_lines(path, events, problems)
    check_end(path, text, events, problems)
    check_real_arrows(path, events, problems)
    if flow == "redis-down":
        check_redis_down_flow(path, events, problems)
    if not problems:
        print(f"ok: {path} ({len(events)} events, hosts {' '.join(f'{h}:{n}' for h, n in sorted(counts.items()))})")
    return problems


def main(argv):
    flow = None
    if len(argv) >= 2 and argv[0] == "--flow":
        flow = argv[1]
        argv = argv[2:]
        if flow != "redis-down":
            print(f"unknown flow {flow}")
            return 2
    if not argv:
        print(__doc__)
        return 2
    problems = []
    for path in argv:
        problems += check_file(path, flow)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
