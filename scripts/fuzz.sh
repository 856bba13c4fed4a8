#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after the other, from the seeds in
# fuzz/seeds/<target>/ and the corpus it grew before (fuzz/corpus/<target>/, not committed).
# Fails on the first crash; prints each target's executions and coverage. docs/fuzzing.md
# says how to read a crash and turn it into a regression test.
#
#   scripts/fuzz.sh [SECONDS]        FUZZ_TARGETS="decode_answer roundtrip" scripts/fuzz.sh 10
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-60}"
targets="${FUZZ_TARGETS:-decode_answer bind_request load_contract compile_mapping roundtrip}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: the nightly toolchain is missing: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi

# No sanitizer: the library forbids `unsafe` (src/lib.rs), so AddressSanitizer would find
# nothing safe Rust does not already catch, and it halves the executions per second. Panics,
# aborts, timeouts and -rss_limit_mb still stop the run.
cargo +nightly fuzz build -O -s none
failed=0
for t in $targets; do
    mkdir -p "corpus/$t"
    log="$(mktemp)"
    echo "==> $t (${seconds}s)"
    # -rss_limit_mb: an answer that makes the process grow past 2 GB is an amplification.
    if cargo +nightly fuzz run -O -s none "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1; then
        status=ok
    else
        status=CRASH
        failed=1
    fi
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
    echo "$t: $status, ${execs:-?} executions; last: ${last:-none}"
    if [[ "$status" == CRASH ]]; then
        grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written to' "$log" || tail -n 30 "$log"
        rm -f "$log"
        break
    fi
    rm -f "$log"
done
exit "$failed"
