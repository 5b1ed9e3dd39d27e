#!/bin/sh
# Replays `linli bench assign --export DIR` on the peers: checks Linli's
# assignment.csv against edges.csv, solves the same edges with LEMON
# (network simplex and cost scaling) and SciPy's sparse LAPJV, checks each
# peer's assignment the same way, and prints a comparison table.
#
#   bench/assign/run.sh DIR
#
# Needs g++ and Debian's liblemon-dev and python3-scipy. PYTHON (default
# /usr/bin/python3, Debian's, which has SciPy) runs the Python peers. When
# go is on PATH, Linli also solves the CSV files itself (bench/assign/gen
# -in DIR), so that all solvers are timed in one run; LINLI=0 skips that.
# SKIP=lemon,scipy leaves peers out.
set -eu
dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-/usr/bin/python3}
skip=${SKIP:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results.jsonl
: >"$results"

echo "checking $dir/assignment.csv against edges.csv"
"$py" "$here/check.py" "$dir" --name linli-assignment.csv >"$tmp/reference.json"
cat "$tmp/reference.json"

if [ "${LINLI:-1}" != 0 ] && command -v go >/dev/null 2>&1; then
	echo "linli: solving edges.csv"
	(cd "$here/../.." && go run ./bench/assign/gen -in "$dir") | tail -n 1 | tee -a "$results"
fi
case ",$skip," in *,lemon,*) ;; *)
	echo "lemon: compiling and solving"
	g++ -O2 -o "$tmp/lemon" "$here/lemon.cc" -llemon
	"$tmp/lemon" "$dir" --assignment "$tmp/lemon" | tee -a "$results"
	for a in lemon-network-simplex lemon-cost-scaling; do
		"$py" "$here/check.py" "$dir" "$tmp/lemon-$a.csv" --name "$a" >"$tmp/check-$a.json"
	done
	;;
esac
case ",$skip," in *,scipy,*) ;; *)
	echo "scipy: solving"
	"$py" "$here/scipy_lapjv.py" "$dir" --assignment "$tmp/scipy-lapjv.csv" | tee -a "$results"
	"$py" "$here/check.py" "$dir" "$tmp/scipy-lapjv.csv" --name scipy-lapjv >"$tmp/check-scipy-lapjv.json"
	;;
esac

"$py" - "$tmp" <<'PY'
import glob, json, os, sys
tmp = sys.argv[1]
ref = json.load(open(os.path.join(tmp, "reference.json")))
checked = {}
for path in glob.glob(os.path.join(tmp, "check-*.json")):
    c = json.load(open(path))
    checked[c["solver"]] = c
rows = [json.loads(l) for l in open(os.path.join(tmp, "results.jsonl")) if l.strip()]
def same(m, t):
    return m == ref["matched"] and abs(t - ref["total_minutes"]) <= 1e-6 * max(1.0, abs(ref["total_minutes"]))
print()
print(f"assignment.csv: matched {ref['matched']}, total {ref['total_minutes']:.4f} minutes")
print(f"{'solver':<24}{'matched':>9}{'total minutes':>16}{'seconds':>10}  same optimum  assignment checked")
for r in rows:
    c = checked.get(r["solver"])
    ok = "yes" if same(r["matched"], r["total_minutes"]) else "NO"
    chk = "-" if c is None else ("yes" if (c["matched"], round(c["total_minutes"], 4)) == (r["matched"], round(r["total_minutes"], 4)) else "NO")
    print(f"{r['solver']:<24}{r['matched']:>9}{r['total_minutes']:>16.4f}{r['seconds']:>10.3f}  {ok:<12}  {chk}")
PY
