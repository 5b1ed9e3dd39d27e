#!/usr/bin/python3
"""Prints run.sh's comparison table from the folder it collected in.

    python3 table.py TMP

TMP/reference.json is check.py's line for Linli's assignment.csv;
TMP/results.jsonl has one line per solver; TMP/check-NAME.json is
check.py's line for that solver's own assignment. A solver agrees when it
matched as many wishes as assignment.csv with a total within 1e-6
relative; its assignment is checked when check.py found it feasible with
the figures the solver reported. Standard library only.
"""
import glob
import json
import os
import sys


def main():
    tmp = sys.argv[1]
    with open(os.path.join(tmp, "reference.json")) as f:
        ref = json.load(f)
    checked = {}
    for path in glob.glob(os.path.join(tmp, "check-*.json")):
        with open(path) as f:
            c = json.load(f)
        checked[c["solver"]] = c
    with open(os.path.join(tmp, "results.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]

    def same(r):
        return r["matched"] == ref["matched"] and \
            abs(r["total_minutes"] - ref["total_minutes"]) <= 1e-6 * max(1.0, abs(ref["total_minutes"]))

    print()
    print(f"assignment.csv: matched {ref['matched']}, total {ref['total_minutes']:.4f} minutes")
    print(f"{'solver':<24}{'matched':>9}{'total minutes':>16}{'seconds':>10}  same optimum  assignment checked")
    for r in rows:
        if "failed" in r:
            print(f"{r['solver']:<24}  {r['failed']}")
            continue
        c = checked.get(r["solver"])
        chk = "-"
        if c is not None:
            chk = "yes" if c["matched"] == r["matched"] and round(c["total_minutes"], 4) == round(r["total_minutes"], 4) else "NO"
        print(f"{r['solver']:<24}{r['matched']:>9}{r['total_minutes']:>16.4f}{r['seconds']:>10.3f}  "
              f"{'yes' if same(r) else 'NO':<12}  {chk}")
        if "greedy_matched" in r:
            print(f"{'  greedy (nearest first)':<24}{r['greedy_matched']:>9}{r['greedy_total_minutes']:>16.4f}")


if __name__ == "__main__":
    main()
