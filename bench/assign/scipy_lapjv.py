#!/usr/bin/python3
"""The assignment benchmark on SciPy's sparse LAPJV.

    python3 scipy_lapjv.py DIR [--capacity N] [--assignment FILE]

Reads DIR/edges.csv (wish_id,volunteer_id,walk_minutes) and the capacity
from DIR/instance.json unless --capacity is given, and solves with
scipy.sparse.csgraph.min_weight_full_bipartite_matching (Debian's
python3-scipy): rows are wishes, columns are volunteers, each repeated
capacity times. That function wants every row matched, so
maximum_bipartite_matching checks first whether every wish can be; when not,
each wish gets a dummy column of its own at a cost larger than any total
walk, so that the number matched comes first. Weights must be non-zero, so
every entry is the walk in 1e-4 minutes plus 1, a constant per row that is
taken off again. "seconds" times the check and the solve, not the reading.
Prints one JSON line; with --assignment, writes wish_id,volunteer_id pairs
for check.py.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching


def minutes(s):
    """Parses "12.3456" as 123456, exactly."""
    whole, _, frac = s.partition(".")
    return int(whole) * 10000 + int((frac + "0000")[:4])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--capacity", type=int)
    ap.add_argument("--assignment")
    args = ap.parse_args()
    cap = args.capacity
    if cap is None:
        with open(os.path.join(args.dir, "instance.json")) as f:
            cap = int(json.load(f)["capacity"])

    wishes, vols = {}, {}
    rows, cols, costs = [], [], []
    with open(os.path.join(args.dir, "edges.csv")) as f:
        header = f.readline().strip()
        if header != "wish_id,volunteer_id,walk_minutes":
            sys.exit(f"scipy_lapjv: edges.csv header {header!r}")
        for line in f:
            w, v, m = line.rstrip("\n").split(",")
            rows.append(wishes.setdefault(w, len(wishes)))
            cols.append(vols.setdefault(v, len(vols)))
            costs.append(minutes(m))
    nw, nv = len(wishes), len(vols)
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    costs = np.asarray(costs, dtype=np.float64)
    # Column k*nv + j is copy k of volunteer j.
    r = np.tile(rows, cap)
    c = np.concatenate([cols + k * nv for k in range(cap)]) if cap > 0 else cols[:0]
    x = np.tile(costs + 1, cap)
    ncols = cap * nv

    t0 = time.perf_counter()
    graph = csr_matrix((x, (r, c)), shape=(nw, max(ncols, 1)))
    full = True
    if cap > 0 and nw > 0:
        match = maximum_bipartite_matching(graph, perm_type="column")
        full = bool((match >= 0).all())
    if not full or ncols < nw:
        big = (costs.max(initial=0) + 2) * (nw + 1)
        r = np.concatenate([r, np.arange(nw)])
        c = np.concatenate([c, ncols + np.arange(nw)])
        x = np.concatenate([x, np.full(nw, big)])
        graph = csr_matrix((x, (r, c)), shape=(nw, ncols + nw))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    seconds = time.perf_counter() - t0

    real = col_ind < ncols
    matched = int(real.sum())
    total = int(round(float(graph[row_ind[real], col_ind[real]].sum()))) - matched
    print(json.dumps({"solver": "scipy-lapjv", "matched": matched,
                      "total_minutes": round(total / 1e4, 4), "seconds": round(seconds, 4)},
                     separators=(",", ":")))
    if args.assignment:
        wish_ids = list(wishes)
        vol_ids = list(vols)
        with open(args.assignment, "w") as f:
            f.write("wish_id,volunteer_id\n")
            for i, j in zip(row_ind[real], col_ind[real]):
                f.write(f"{wish_ids[i]},{vol_ids[j % nv]}\n")


if __name__ == "__main__":
    main()
