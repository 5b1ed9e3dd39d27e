#!/usr/bin/python3
"""Checks an assignment against the instance it claims to solve.

    python3 check.py DIR [ASSIGNMENT] [--capacity N] [--name NAME]

ASSIGNMENT (default DIR/assignment.csv, header wish_id,volunteer_id) must
pair each wish at most once, only along edges of DIR/edges.csv, and give no
volunteer more wishes than the capacity (from DIR/instance.json unless
--capacity is given). Prints one JSON line with the matched count and the
total walk in minutes, summed exactly in 1e-4 minutes, and exits 1 naming
the first problem found. Standard library only.
"""
import argparse
import json
import os
import sys
from collections import Counter


def minutes(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 10000 + int((frac + "0000")[:4])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("assignment", nargs="?")
    ap.add_argument("--capacity", type=int)
    ap.add_argument("--name", default="assignment")
    args = ap.parse_args()
    path = args.assignment or os.path.join(args.dir, "assignment.csv")
    cap = args.capacity
    if cap is None:
        with open(os.path.join(args.dir, "instance.json")) as f:
            cap = int(json.load(f)["capacity"])

    def fail(msg):
        print(f"check: {path}: {msg}", file=sys.stderr)
        sys.exit(1)

    pairs = {}
    with open(path) as f:
        if f.readline().strip() != "wish_id,volunteer_id":
            fail("header is not wish_id,volunteer_id")
        for n, line in enumerate(f, 2):
            w, _, v = line.rstrip("\n").partition(",")
            if w in pairs:
                fail(f"line {n}: wish {w} is assigned twice")
            pairs[w] = v
    load = Counter(pairs.values())
    for v, k in load.items():
        if k > cap:
            fail(f"volunteer {v} takes {k} wishes, capacity {cap}")
    # One pass over the edges, keeping only the cheapest edge of each
    # assigned pair (the files have one edge a pair; this tolerates more).
    cost = {}
    with open(os.path.join(args.dir, "edges.csv")) as f:
        f.readline()
        for line in f:
            w, v, m = line.rstrip("\n").split(",")
            if pairs.get(w) == v:
                c = minutes(m)
                if (w, v) not in cost or c < cost[(w, v)]:
                    cost[(w, v)] = c
    for w, v in pairs.items():
        if (w, v) not in cost:
            fail(f"wish {w} and volunteer {v} are not an edge")
    total = sum(cost.values())
    print(json.dumps({"solver": args.name, "matched": len(pairs), "total_minutes": total / 1e4,
                      "total_units": total}, separators=(",", ":")))


if __name__ == "__main__":
    main()
