#!/usr/bin/env bash
# CPU per request of soapbridge against the hand-written decoder, in alternating pairs.
#
# On a shared machine one run of each target (as `quick-ratio.sh` makes) compares two
# moments as much as two programs: the same binary measured twice a minute apart differs by
# a fifth. Here both run side by side for the whole measurement and take turns, PAIRS times
# per answer size, DUR seconds each (wrk -t1 -c64, the shared harness's mock backend); each
# pair gives a ratio, and the median of the ratios is printed with their spread.
#
#   scripts/bench-pairs.sh                      # small and large, 8 pairs of 5 s each
#   PAIRS=12 DUR=8 scripts/bench-pairs.sh small
#   PERF_DIR=/path/to/shared/perf scripts/bench-pairs.sh
#
# Needs the shared harness set up (`$PERF_DIR/run-peers.sh setup`: nginx, wrk, the payloads,
# the hand-written decoder built) and a release build of this checkout. CPU is the process's
# own user and system time (/proc/PID/stat, threads included) over the requests wrk counted.
set -euo pipefail
cd "$(dirname "$0")/.."
PERF_DIR=$(cd "${PERF_DIR:-../shared/perf}" && pwd)
export SOAPBRIDGE_BIN=${SOAPBRIDGE_BIN:-$PWD/target/release/soapbridge}
PAIRS=${PAIRS:-8}
DUR=${DUR:-5}
SIZES=${*:-small large}
[[ -x $SOAPBRIDGE_BIN ]] || { echo "no $SOAPBRIDGE_BIN: cargo build --release first" >&2; exit 1; }

# shellcheck source=/dev/null
source "$PERF_DIR/run-peers.sh" # its functions; stops what it starts, by PID, on exit
[[ -x $S/rust-target/release/rust-probe && -f $S/get.lua ]] || {
    echo "the shared harness is not set up: $PERF_DIR/run-peers.sh setup" >&2
    exit 1
}
RES=$(mktemp -d)
mkdir -p "$RES/logs"
start_bg $P_BACKEND "$RES/logs/backend.log" nginx -p "$S/nginx/backend/" \
    -e "$S/nginx/backend/logs/error.log" -c "$S/nginx/backend.conf"
start_target soapbridge
SB_PID=$TPID
start_target rust-stream-2w
HW_PID=$TPID

# CPU microseconds per request of one wrk run against PORT, served by the tree of PID.
cpu_per_request() {
    local port=$1 pid=$2 size=$3 url lua t0 t1 out n
    read -r url lua < <(url_for x "$port" "$size")
    t0=$(ticks $(tree_pids "$pid"))
    out=$(wrk -t1 -c64 -d"${DUR}s" --timeout 10s -s "$lua" "$url" 2>&1)
    t1=$(ticks $(tree_pids "$pid"))
    n=$(grep -o 'WRKJSON .*' <<<"$out" | sed 's/^WRKJSON //' | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
    python3 -c "print(f'{($t1 - $t0) / $HZ * 1e6 / max($n, 1):.1f}')"
}

for size in $SIZES; do
    warm soapbridge $P_SB "$size"
    warm rust-stream-2w $P_RUST "$size"
    ratios=()
    for i in $(seq "$PAIRS"); do
        a=$(cpu_per_request $P_SB "$SB_PID" "$size")
        b=$(cpu_per_request $P_RUST "$HW_PID" "$size")
        r=$(python3 -c "print(f'{$a / $b:.3f}')")
        ratios+=("$r")
        printf '%-5s pair %2d: soapbridge %7.1f µs/request, hand-written %7.1f, ratio %s\n' \
            "$size" "$i" "$a" "$b" "$r"
    done
    python3 - "$size" "${ratios[@]}" <<'PY'
import statistics, sys
size, r = sys.argv[1], [float(x) for x in sys.argv[2:]]
print(f"{size:5} CPU/request soapbridge/hand-written: median {statistics.median(r):.3f} "
      f"over {len(r)} pairs (min {min(r):.3f}, max {max(r):.3f})")
PY
done
