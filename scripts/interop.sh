#!/usr/bin/env bash
# Runs soapbridge's interop suite against four real SOAP stacks (tests/interop/stacks/):
# PHP 8.2 SoapServer, Spyne 2.14, SOAP::Lite 1.27 and JAX-WS RI 2.3 (WS-Addressing).
# See docs/interop.md.
#
#   1. installs what is missing (apt, as root or with password-less sudo):
#      php-cli php-soap php-xml, python3-spyne python3-lxml, libsoap-lite-perl
#      libhttp-daemon-perl, libjaxws-java (a JDK when javac is missing), curl;
#   2. starts each stack on a free 127.0.0.1 port (runtime files in target/interop/run-PID/);
#   3. runs the tests with the stacks' URLs in the environment;
#   4. stops exactly the processes it started, by their recorded pids, whatever happened.
#
# usage: scripts/interop.sh [STACK...] [-- COMMAND...]
#   STACK     php-soap, spyne, soaplite, jaxws (default: all four)
#   COMMAND   what to run while the stacks are up
#             (default: cargo test --test it interop -- --nocapture)
# Needs no terminal (CI=true, no stdin). Exits non-zero when a stack cannot be installed or
# started, or when the command fails.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STACKS="$ROOT/tests/interop/stacks"

stacks=()
cmd=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; cmd=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) stacks+=("$1"); shift ;;
  esac
done
default_cmd=0
if [ ${#cmd[@]} -eq 0 ]; then
  cmd=(cargo test --test it interop -- --nocapture)
  default_cmd=1
fi

step() { printf '\n==> %s\n' "$*"; }

# The stacks and the tests talk to 127.0.0.1 only; never through a proxy.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
export INTEROP_PORTS="${INTEROP_PORTS:-auto}"

# Stacks left by an earlier run that was killed before it could clean up: stopped by the pids
# that run recorded (stop_pidfile.sh checks each is still the process it started).
for old in "$ROOT"/target/interop/run-*; do
  [ -d "$old" ] || continue
  owner="${old##*-}"
  if ! kill -0 "$owner" 2>/dev/null; then
    echo "stopping what an earlier run left in $old"
    INTEROP_RUNTIME_DIR="$old" "$STACKS/stop-all.sh" || true
    rm -rf "$old"
  fi
done

if [ "$default_cmd" = 1 ]; then
  # Build first, so the stacks do not wait for the compiler.
  step "building the tests"
  cargo test --test it --no-run < /dev/null
fi

export INTEROP_RUNTIME_DIR="$ROOT/target/interop/run-$$"
mkdir -p "$INTEROP_RUNTIME_DIR"
status=1
child=
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  step "stopping the stacks"
  "$STACKS/stop-all.sh" ${stacks[@]+"${stacks[@]}"} || true
  if [ "$status" -ne 0 ]; then
    for log in "$INTEROP_RUNTIME_DIR"/*/server.log; do
      [ -f "$log" ] || continue
      echo "--- $log (last 20 lines)"
      tail -20 "$log"
    done
  fi
  rm -rf "$INTEROP_RUNTIME_DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'status=130; exit 130' INT
trap 'status=143; exit 143' TERM

step "starting the stacks (installing what is missing)"
if ! "$STACKS/start-all.sh" ${stacks[@]+"${stacks[@]}"} < /dev/null; then
  echo "error: a stack could not be installed or started (see above)" >&2
  exit 1
fi
# shellcheck disable=SC1091
. "$INTEROP_RUNTIME_DIR/env.sh"

step "${cmd[*]}"
# In the background and waited for, so that INT and TERM are handled at once.
set +e
"${cmd[@]}" < /dev/null &
child=$!
wait "$child"
status=$?
child=
set -e
if [ "$status" -ne 0 ]; then
  echo "error: \`${cmd[*]}\` failed (exit $status)" >&2
fi
exit "$status"
