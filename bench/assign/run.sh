#!/bin/sh
# Replays `linli bench assign --export DIR` on the peers: checks Linli's
# assignment.csv against edges.csv, solves the same edges with LEMON
# (network simplex and cost scaling) and SciPy's sparse LAPJV, checks each
# peer's assignment the same way, and prints a comparison table.
#
#   bench/assign/run.sh DIR
#
# Needs g++ and Debian's liblemon-dev and python3-scipy. PYTHON (default
# /usr/bin/python3, Debian's, which has SciPy) runs the Python scripts.
# When go is on PATH, Linli also solves the CSV files itself (go run
# ./bench/assign/gen -in DIR), so that every solver is timed in one run;
# LINLI=0 skips that. SKIP=lemon,scipy leaves peers out, and a peer still
# running after TIMEOUT seconds (default 1800) is stopped and reported as
# such.
set -eu
dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-/usr/bin/python3}
skip=${SKIP:-}
limit=${TIMEOUT:-1800}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results.jsonl
: >"$results"

# peer NAME COMMAND...: runs a peer under the time limit, appending its
# JSON lines to the results, or a line saying it did not finish.
peer() {
	name=$1
	shift
	if timeout "$limit" "$@" >"$tmp/out"; then
		cat "$tmp/out"
		cat "$tmp/out" >>"$results"
	else
		echo "$name: stopped or failed (limit ${limit}s)"
		echo "{\"solver\":\"$name\",\"failed\":\"stopped or failed within ${limit}s\"}" >>"$results"
	fi
}

echo "checking $dir/assignment.csv against edges.csv"
"$py" "$here/check.py" "$dir" --name linli-assignment.csv >"$tmp/reference.json"
cat "$tmp/reference.json"

if [ "${LINLI:-1}" != 0 ] && command -v go >/dev/null 2>&1; then
	echo "linli: solving edges.csv"
	(cd "$here/../.." && go build -o "$tmp/gen" ./bench/assign/gen)
	"$tmp/gen" -in "$dir" >"$tmp/linli.out"
	tail -n 1 "$tmp/linli.out" | tee -a "$results"
fi
case ",$skip," in *,lemon,*) ;; *)
	echo "lemon: compiling and solving"
	g++ -O2 -o "$tmp/lemon" "$here/lemon.cc" -llemon
	peer lemon "$tmp/lemon" "$dir" --assignment "$tmp/lemon"
	for a in lemon-network-simplex lemon-cost-scaling; do
		if [ -f "$tmp/lemon-$a.csv" ]; then
			"$py" "$here/check.py" "$dir" "$tmp/lemon-$a.csv" --name "$a" >"$tmp/check-$a.json"
		fi
	done
	;;
esac
case ",$skip," in *,scipy,*) ;; *)
	echo "scipy: solving"
	peer scipy-lapjv "$py" "$here/scipy_lapjv.py" "$dir" --assignment "$tmp/scipy-lapjv.csv"
	if [ -f "$tmp/scipy-lapjv.csv" ]; then
		"$py" "$here/check.py" "$dir" "$tmp/scipy-lapjv.csv" --name scipy-lapjv >"$tmp/check-scipy-lapjv.json"
	fi
	;;
esac

"$py" "$here/table.py" "$tmp"
