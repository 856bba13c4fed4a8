#!/usr/bin/env bash
# Runs the benchmarks and prints a summary: codec medians, throughput and ratios to the
# baselines measured in the same run (benches/translate.rs), then WSDL load times and model
# memory (benches/load.rs); `peers` runs the end-to-end comparison of the shared harness
# (../shared/perf: nginx mock backend, nginx plain proxy, the hand-written decoder) against a
# release build of this checkout, in one run, and prints the same-run ratios.
#
#   scripts/bench.sh                 # translate and load, about two minutes once built
#   WARMUP=2 MEASURE=10 scripts/bench.sh
#   scripts/bench.sh translate       # or: load, peers, pairs
#   PERF_DIR=/path/to/shared/perf QUICK_DUR=15 scripts/bench.sh peers
#   scripts/bench.sh pairs           # CPU per request against the hand-written decoder in
#                                    # alternating pairs, median ratio (scripts/bench-pairs.sh)
#
# The summary needs jq. Criterion's full report stays in target/criterion/.
set -euo pipefail
cd "$(dirname "$0")/.."

WARMUP=${WARMUP:-1}
MEASURE=${MEASURE:-3}
WHAT=${1:-all}
CRITERION_DIR=${CARGO_TARGET_DIR:-target}/criterion

run_translate() {
    echo "== codec benchmarks (warm-up ${WARMUP}s, measurement ${MEASURE}s each)"
    cargo bench --bench translate -- --warm-up-time "$WARMUP" --measurement-time "$MEASURE"
    echo
    if ! command -v jq >/dev/null; then
        echo "jq not found: no summary; see ${CRITERION_DIR}/"
        return
    fi
    summarize
}

# `median_ns GROUP BENCH` and `bytes GROUP BENCH` read criterion's JSON.
median_ns() { jq '.median.point_estimate' "${CRITERION_DIR}/$1/$2/new/estimates.json"; }
bytes() { jq '.throughput.Bytes // 0' "${CRITERION_DIR}/$1/$2/new/benchmark.json"; }

summarize() {
    echo "== summary (medians; MiB/s of XML for codec and quick-xml, of JSON for serde_json)"
    printf '%-6s %-18s %10s %10s %12s\n' group bench bytes median MiB/s
    for g in small large; do
        for b in encode decode decode_tree quick_xml_scan quick_xml_ns_scan json_parse json_serialize; do
            local ns by
            ns=$(median_ns "$g" "$b")
            by=$(bytes "$g" "$b")
            awk -v g="$g" -v b="$b" -v ns="$ns" -v by="$by" 'BEGIN {
                unit = "ns"; t = ns
                if (ns >= 1e6) { unit = "ms"; t = ns / 1e6 } else if (ns >= 1e3) { unit = "µs"; t = ns / 1e3 }
                printf "%-6s %-18s %10d %8.2f %-2s %11.1f\n", g, b, by, t, unit, by / (ns / 1e9) / 1048576
            }'
        done
    done
    echo
    echo "== ratios"
    for g in small large; do
        local enc dec scan nscan jp js
        enc=$(median_ns "$g" encode)
        dec=$(median_ns "$g" decode)
        scan=$(median_ns "$g" quick_xml_scan)
        nscan=$(median_ns "$g" quick_xml_ns_scan)
        jp=$(median_ns "$g" json_parse)
        js=$(median_ns "$g" json_serialize)
        awk -v g="$g" -v enc="$enc" -v dec="$dec" -v scan="$scan" -v nscan="$nscan" -v jp="$jp" -v js="$js" 'BEGIN {
            printf "%-6s decode runs at %5.1f%% of a raw quick-xml scan, %5.1f%% of a namespace-resolving scan; takes %4.1fx serde_json parse of the same data\n", g, 100 * scan / dec, 100 * nscan / dec, dec / jp
            printf "%-6s encode runs at %5.1f%% of a raw quick-xml scan of its output; takes %4.1fx serde_json serialize of the same data\n", g, 100 * scan / enc, enc / js
        }'
    done
    echo
}

# The shared harness's quick comparison: soapbridge, the nginx proxy and the hand-written
# decoder at c=64 on the small and the large answer; its last line has the ratios.
run_peers() {
    local perf=${PERF_DIR:-../shared/perf}
    if [[ ! -x $perf/quick-ratio.sh ]]; then
        echo "no $perf/quick-ratio.sh: set PERF_DIR to the shared perf harness" >&2
        exit 2
    fi
    cargo build --release --bin soapbridge
    echo "== end-to-end, same run (${perf}/quick-ratio.sh)"
    SOAPBRIDGE_BIN=${CARGO_TARGET_DIR:-target}/release/soapbridge "$perf/quick-ratio.sh"
}

run_load() {
    echo "== WSDL load (release build; each contract measured in a fresh process)"
    cargo bench --bench load
    echo
}

case "$WHAT" in
    all|translate|load)
        # Build both first, so neither run waits on a build.
        cargo bench --bench translate --bench load --no-run ;;
esac

case "$WHAT" in
    all) run_translate; run_load ;;
    translate) run_translate ;;
    load) run_load ;;
    peers) run_peers ;;
    pairs) cargo build --release --bin soapbridge && "$(dirname "$0")/bench-pairs.sh" ;;
    *) echo "usage: $0 [all|translate|load|peers|pairs]" >&2; exit 2 ;;
esac
