#!/usr/bin/env python3
"""The table and the goals of bench/bench_explore.sh, from its work directory.

    python3 bench/explore/summarize.py WORK

WORK holds setup.txt (budgets, machine), manifest.tsv (one line per
`faultbox explore`: spec, test, --max-faults, strategy, role, first seed,
budget, its --json file, exit status, wall ms, log, trace dir) and what those
lines name. Prints a Markdown table per test and strategy, then the goals,
each PASS or MISS with its numbers. Exit 0 when every goal passed, else 1.

The expected counts are README.md's (this folder); model.py re-derives them
and, here, checks dpor's classes against its own (trace by trace).
"""
import csv
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model  # noqa: E402

# (spec, test, --max-faults) -> (dpor runs to exhaust = classes, failing classes).
# README.md explains each. lost_update was 66 (all failing) while the engine
# let the driver's next step in one decision late (the "reply lag" of
# model.py); the engine now settles again after dropping its fd duplicate
# (engine/DecisionLoop.cpp, settle_and_record), so the model without the lag
# is the one to match: 128 classes, 120 failing.
ENGINE_LAG = 0
EXPECTED = {
    ("disjoint.star", "test_two_services", 1): (1, 0),
    ("disjoint.star", "test_four_services", 1): (1, 0),
    ("disjoint.star", "test_one_service_two_requests", 1): (6, 0),
    ("shared.star", "test_two_clients", 1): (2, 0),
    ("lost_update.star", "test_two_increments", 1): (128, 120),
    ("lost_update.star", "test_sequential_increments", 1): (1, 0),
    ("retry.star", "test_records_one_fault", 1): (3, 0),
    ("retry.star", "test_records_two_faults", 1): (3, 0),
    ("retry.star", "test_records_one_fault", 2): (6, 2),
    ("retry.star", "test_records_two_faults", 2): (6, 2),
    # k = 3 writes, each a placement: 1 + k runs, then 1 + k + k(k-1)/2.
    ("placements.star", "test_three_writes", 1): (4, 0),
    ("placements.star", "test_three_writes", 2): (7, 0),
}
INDEPENDENT = [("disjoint.star", "test_four_services", 1)]  # the ≥ 10× goal
# The race fixture (issue 5: "dpor finds the oversell in fewer runs than
# random's median"). No class count is known; what counts is the first
# failure. Where random's median is 1 nothing can be fewer: that test is
# printed for the record, the goal is judged where random's median is > 1.
RACES = [("race.star", "test_last_item_sold_once", 1), ("race.star", "test_browse_race", 1)]
STRATEGIES = ["dpor", "permutations", "random", "pct"]


def load(work):
    setup = {}
    for line in open(os.path.join(work, "setup.txt")):
        k, _, v = line.rstrip("\n").partition("=")
        setup[k] = v
    rows = []
    with open(os.path.join(work, "manifest.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            r["max_faults"] = int(r["max_faults"])
            r["budget"] = int(r["budget"])
            r["seconds"] = int(r["seconds"]) / 1000.0
            r["rc"] = int(r["rc"])
            r["result"] = None
            if r["rc"] in (0, 1) and os.path.exists(r["json"]):
                r["result"] = json.load(open(r["json"]))["tests"][0]
            rows.append(r)
    return setup, rows


def key(r):
    return (r["spec"], r["test"], r["max_faults"])


def first_failure(t):
    return t["failures"][0]["run"] if t and t["failures"] else None


def label(k):
    spec, test, mf = k
    fixture = spec[:-len(".star")]
    return "%s%s: %s" % (fixture, " --max-faults %d" % mf if spec in ("retry.star", "placements.star") else "", test)


def exhaust_cell(r):
    t = r["result"]
    if t is None:
        return "error (exit %d)" % r["rc"]
    if t["complete"]:
        return "%d (complete)" % t["runs"]
    if t["pending"]:
        return "not exhausted: %d runs, %d pending" % (t["runs"], t["pending"])
    return "not exhausted (%d runs)" % t["runs"]


def classes_cell(t):
    if t is None:
        return "–"
    if t["placements"]:
        return "%d (%d with a fault)" % (t["class_count"], t["placements"])
    return str(t["class_count"])


def redundant_cell(t):
    if t is None:
        return "–"
    extra = []
    if t["sleep_blocked"]:
        extra.append("%d sleep-set blocked" % t["sleep_blocked"])
    if t["divergences"]:
        extra.append("%d diverged" % t["divergences"])
    return str(t["redundant"]) + (" (+ %s)" % ", ".join(extra) if extra else "")


def sample_first_failures(rows_for, ff_budget):
    """Runs to the first failure of each seed's exploration, capped at the
    first-failure budget (seed 1's sampling run may be longer); None: none
    within the budget."""
    out = []
    for r in rows_for:
        ff = first_failure(r["result"])
        out.append(ff if ff is not None and ff <= ff_budget else None)
    return out


def median_cell(samples, budget):
    if not samples:
        return "–"
    inf = float("inf")
    values = sorted(inf if s is None else s for s in samples)
    med = statistics.median_low(values)
    each = ", ".join("–" if s is None else str(s) for s in samples)
    return "%s (%s)" % ("> %d" % budget if med == inf else "%d" % med, each)


RUN_LINE = re.compile(r"^  run (\d+): (new class|repeated class|sleep-set blocked|diverged) (\S*) \(")


def run_classes(row):
    """{run number: class id} from the exploration's -v log."""
    out = {}
    try:
        for line in open(row["log"]):
            m = RUN_LINE.match(line)
            if m and m.group(3):
                out[int(m.group(1))] = m.group(3)
    except OSError:
        pass
    return out


def trace_of(row, run):
    return os.path.join(row["traces"], "%s-%s-run%d.log" % (row["test"], row["strategy"], run))


MODEL_CACHE = {}


def model_classes(test, lag):
    if (test, lag) not in MODEL_CACHE:
        make, verdict, _ = model.MODELS[test]
        MODEL_CACHE[(test, lag)] = model.explore(make, verdict, reply_lag=lag)[0]
    return MODEL_CACHE[(test, lag)]


def traced_runs(row):
    """[(run, canonical class, verdict)] of the exploration's traces, diverged
    runs left out (they belong to no class); [] without a model or traces."""
    test, d = row["test"], row["traces"]
    if test not in model.MODELS or not d or not os.path.isdir(d):
        return []
    out = []
    prefix = "%s-%s-run" % (test, row["strategy"])
    for name in os.listdir(d):
        if not name.startswith(prefix) or not name.endswith(".log") or name.endswith("-min.log"):
            continue
        evs, v = model.read_trace(os.path.join(d, name))
        if v != "DIVERGED":
            out.append((int(name[len(prefix):-len(".log")]), model.canonical(evs), v == "PASS"))
    return sorted(out)


def where_in_model(test, c, passed):
    """'engine', 'other lag only' or 'outside the model' (verdicts must agree too)."""
    for lag, name in ((ENGINE_LAG, "engine"), (1 - ENGINE_LAG, "other lag only")):
        m = model_classes(test, lag)
        if c in m and m[c] == passed:
            return name
    return "outside the model"


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    setup, rows = load(sys.argv[1])
    ff_budget = int(setup["ff"])
    seeds = int(setup["seeds"])
    stride = int(setup["seed_stride"])
    keys = []
    for r in rows:
        if key(r) not in keys:
            keys.append(key(r))

    def find(k, strategy, role=None):
        return [r for r in rows if key(r) == k and r["strategy"] == strategy and (role is None or r["role"] == role)]

    print("## Exploration benchmark (`bench/bench_explore.sh%s`)" % (" --quick" if setup["mode"] == "quick" else ""))
    print()
    print("%s, %s cores (%s, Linux %s); faultbox `%s`." %
          (setup["date"], setup["cores"], setup["cpu"] or "cpu unknown", setup["kernel"], setup["faultbox"]))
    print("Budgets per test: dpor and permutations %s runs; random and pct %s runs from seed 1 (pct depth 3). "
          "Runs to the first failure, where dpor found one: dpor's and permutations' first failing run; for random "
          "and pct the median over %d explorations with first seeds %s (%d runs each, seed 1's capped there; "
          "– = none within them)." %
          (setup["enum"], setup["sample"], seeds,
           ", ".join(str(1 + k * stride) for k in range(seeds)), ff_budget))
    print()
    print("| test | strategy | runs to exhaust | classes | redundant runs | failing classes | runs to 1st failure | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for k in keys:
        for i, s in enumerate(STRATEGIES):
            main_rows = find(k, s, "enum") or find(k, s, "sample")
            if not main_rows:
                continue
            r = main_rows[0]
            t = r["result"]
            if s in ("dpor", "permutations"):
                ff = first_failure(t)
                ff_cell = str(ff) if ff is not None else "–"
            else:
                extra = find(k, s, "first-failure")
                ff_cell = median_cell(sample_first_failures([r] + extra, ff_budget), ff_budget) if extra else "–"
            print("| %s | %s | %s | %s | %s | %s | %s | %.1f |" % (
                label(k) if i == 0 else "", s, exhaust_cell(r), classes_cell(t), redundant_cell(t),
                "–" if t is None else len(t["failures"]), ff_cell, r["seconds"]))
    print()

    # --- goals ---------------------------------------------------------------
    print("### Goals")
    print()
    results = []

    def goal(ok, text):
        results.append(ok)
        print("- %s %s" % ("PASS" if ok else "MISS", text))

    dpor = {k: (find(k, "dpor", "enum") or [None])[0] for k in keys}
    for k in keys:
        if k not in EXPECTED or dpor[k] is None:
            continue
        want, _ = EXPECTED[k]
        t = dpor[k]["result"]
        if t is None:
            goal(False, "dpor exhausts %s: exploration failed (exit %d)" % (label(k), dpor[k]["rc"]))
            continue
        ok = t["complete"] and t["runs"] == want and t["class_count"] == want
        goal(ok, "dpor runs to exhaust = class count, %s: %d run%s%s, %d class%s, %s; expected %d" % (
            label(k), t["runs"], "" if t["runs"] == 1 else "s",
            " (%d diverged)" % t["divergences"] if t["divergences"] else "",
            t["class_count"], "" if t["class_count"] == 1 else "es",
            "complete" if t["complete"] else "NOT complete", want))

    ts = [dpor[k]["result"] for k in keys if dpor[k] is not None and dpor[k]["result"] is not None]
    red = sum(t["redundant"] for t in ts)
    sb = sum(t["sleep_blocked"] for t in ts)
    dv = sum(t["divergences"] for t in ts)
    goal(red == 0 and sb == 0,
         "dpor runs no class twice: %d redundant and %d sleep-set-blocked runs over %d explorations "
         "(and %d diverged runs: asked for a prefix the run did not follow, counted in its runs, never as a class)" %
         (red, sb, len(ts), dv))

    for k in keys:
        if k not in EXPECTED or dpor[k] is None or dpor[k]["result"] is None:
            continue
        _, want_failing = EXPECTED[k]
        t = dpor[k]["result"]
        got = len(t["failures"])
        if want_failing:
            goal(got == want_failing, "dpor finds the planted bug, %s: %d failing classes (expected %d), the first "
                 "at run %s: %s" % (label(k), got, want_failing, first_failure(t),
                                    t["failures"][0]["message"] if got else "none"))
        elif got:
            goal(False, "dpor reports no false failure, %s: %d failing classes, expected none" % (label(k), got))
    clean = [k for k in keys if k in EXPECTED and not EXPECTED[k][1] and dpor[k] and dpor[k]["result"]
             and not dpor[k]["result"]["failures"]]
    print("  (no failure where none is planted: %d of %d such tests pass under dpor)" %
          (len(clean), sum(1 for k in keys if k in EXPECTED and not EXPECTED[k][1])))

    for k in INDEPENDENT:
        d = dpor.get(k)
        p = (find(k, "permutations", "enum") or [None])[0]
        if not d or not p or d["result"] is None or p["result"] is None:
            goal(False, "dpor ≥ 10× fewer runs than permutations, %s: not measured" % label(k))
            continue
        dr, pr = d["result"]["runs"], p["result"]["runs"]
        goal(pr >= 10 * dr, "dpor ≥ 10× fewer runs than permutations where the work is independent, %s: "
             "%d against %d (%.0f×)" % (label(k), dr, pr, pr / dr))
    for k in keys:
        if k in INDEPENDENT:
            continue
        d = dpor.get(k)
        p = (find(k, "permutations", "enum") or [None])[0]
        if k[1] == "test_two_services" and d and p and d["result"] and p["result"]:
            print("  (%s: dpor %d run, permutations %d — 2! is all the baseline tries there)" %
                  (label(k), d["result"]["runs"], p["result"]["runs"]))

    for k in keys:
        if dpor.get(k) is None or k[1] not in model.MODELS:
            continue
        runs = traced_runs(dpor[k])
        seen = {c for _, c, _ in runs}
        lag1 = model_classes(k[1], ENGINE_LAG)
        wrong = sum(1 for _, c, ok in runs if lag1.get(c) != ok)
        goal(wrong == 0 and seen == set(lag1),
             "dpor's classes are bench/explore/model.py's (reply lag %d; canonical forms from its traces), %s: "
             "%d distinct of the model's %d, %d runs outside it or with another verdict" %
             (ENGINE_LAG, label(k), len(seen & set(lag1)), len(lag1), wrong))

    for k in keys:
        if k[1] not in model.MODELS:
            continue
        total, odd = 0, []
        for r in rows:
            if key(r) != k:
                continue
            for run, c, ok in traced_runs(r):
                total += 1
                where = where_in_model(k[1], c, ok)
                if where != "engine":
                    odd.append("%s seed %s run %d (%s): %s" % (r["strategy"], r["seed"], run,
                                                               "pass" if ok else "fail", where))
        goal(not odd, "every run of every strategy is in a class of model.py (reply lag %d), %s: %d of %d runs%s" % (
            ENGINE_LAG, label(k), total - len(odd), total, "" if not odd else "; not: " + "; ".join(odd[:5]) +
            (" …" if len(odd) > 5 else "")))

    for k in keys:
        d = dpor.get(k)
        if not d or d["result"] is None or not d["result"]["complete"]:
            continue
        mine = set(d["result"]["classes"])
        others = set()
        sampled = 0
        for s in ("permutations", "random", "pct"):
            for r in find(k, s):
                if r["result"]:
                    others |= set(r["result"]["classes"])
                    sampled += r["result"]["runs"]
        extra = others - mine
        if len(others) > 1 or extra:
            where = []
            for cid in sorted(extra):
                for s in ("permutations", "random", "pct"):
                    for r in find(k, s):
                        runs = [n for n, c in sorted(run_classes(r).items()) if c == cid]
                        if runs:
                            where.append("%s (%s seed %s, run %d: %s)" % (cid, s, r["seed"], runs[0],
                                                                       trace_of(r, runs[0])))
                            break
                    else:
                        continue
                    break
                else:
                    where.append(cid)
            goal(not extra, "dpor's complete set holds every class the other strategies found, %s: %d of %d "
                 "classes found in %d runs of permutations, random and pct are dpor's%s" % (
                     label(k), len(others & mine), len(others), sampled,
                     "" if not extra else " — missed by dpor: " + "; ".join(where)))

    for k in RACES:
        if k not in keys:
            continue
        d = (find(k, "dpor", "enum") or [None])[0]
        rnd = find(k, "random", "sample") + find(k, "random", "first-failure")
        if d is None or d["result"] is None or not rnd:
            goal(False, "dpor finds the race before random's median, %s: not measured" % label(k))
            continue
        ff = first_failure(d["result"])
        samples = sample_first_failures(rnd, ff_budget)
        inf = float("inf")
        med = statistics.median_low(sorted(inf if s is None else s for s in samples))
        text = "dpor finds the race in fewer runs than random's median, %s: dpor %s, random median %s" % (
            label(k), "none in %d runs" % d["result"]["runs"] if ff is None else "run %d" % ff,
            median_cell(samples, ff_budget))
        if med == 1:
            print("- (no goal: random fails at once, nothing can be fewer) " + text[0].lower() + text[1:])
            continue
        goal(ff is not None and ff < med, text)

    # --- for the record ----------------------------------------------------------
    print()
    print("For the record (no goal):")
    for k in keys:
        if not ((k in EXPECTED and EXPECTED[k][1]) or k in RACES) or dpor.get(k) is None or dpor[k]["result"] is None:
            continue
        parts = ["dpor %s" % first_failure(dpor[k]["result"])]
        for s in ("random", "pct"):
            extra = find(k, s, "first-failure")
            if extra:
                parts.append("%s median %s" % (s, median_cell(
                    sample_first_failures(find(k, s, "sample") + extra, ff_budget), ff_budget)))
        print("- runs to the first failure, %s: %s" % (label(k), "; ".join(parts)))
    for k in keys:
        d = dpor.get(k)
        if not d or d["result"] is None:
            continue
        found = []
        for s in ("random", "pct"):
            r = (find(k, s, "sample") or [None])[0]
            if r and r["result"]:
                found.append("%s %d in %d runs" % (s, r["result"]["class_count"], r["result"]["runs"]))
        if found and d["result"]["class_count"] > 1:
            print("- classes found, %s: dpor %d%s; %s" % (label(k), d["result"]["class_count"],
                  " (complete)" if d["result"]["complete"] else "", ", ".join(found)))
    print()
    print("%d of %d goals passed." % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
