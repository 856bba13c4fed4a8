# Shared helpers for <stack>/start.sh (source me after setting DIR to the stack's folder).
# Loopback only. Runtime files (pid, port, log, generated WSDL) go to
#   $INTEROP_RUNTIME_DIR/<stack>/   when INTEROP_RUNTIME_DIR is set,
#   <stack>/runtime/                otherwise.
#
# runtime_dir STACKDIR   : prints the runtime folder of a stack (also used by stop.sh)
# already_running PORT   : true if our recorded pid is alive and serving PORT; fails on another port
# launch LOGFILE CMD...  : starts CMD in the background, records pid, port and process start time
# wait_url URL [TRIES]   : polls until URL answers 2xx; fails if the launched pid dies
# apt_need PKG...        : installs the missing Debian packages (non-interactive), fails loudly
set -euo pipefail

runtime_dir() {
  if [ -n "${INTEROP_RUNTIME_DIR:-}" ]; then
    echo "$INTEROP_RUNTIME_DIR/$(basename "$1")"
  else
    echo "$1/runtime"
  fi
}

RUNTIME="$(runtime_dir "$DIR")"
mkdir -p "$RUNTIME"
# The servers and curl talk to 127.0.0.1 only; never through a proxy.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

# The start time of a process (clock ticks since boot), to tell it from a later one that
# reuses its pid.
proc_start() {
  [ -r "/proc/$1/stat" ] || return 1
  sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f20
}

already_running() {
  if [ -f "$RUNTIME/server.pid" ] && kill -0 "$(cat "$RUNTIME/server.pid")" 2>/dev/null \
     && [ "$(proc_start "$(cat "$RUNTIME/server.pid")" || true)" = "$(cat "$RUNTIME/server.start" 2>/dev/null)" ]; then
    if [ "$(cat "$RUNTIME/server.port" 2>/dev/null)" = "$1" ]; then
      echo "already running (pid $(cat "$RUNTIME/server.pid"))" >&2; return 0
    fi
    echo "already running on port $(cat "$RUNTIME/server.port" 2>/dev/null) (pid $(cat "$RUNTIME/server.pid")); run stop.sh first" >&2
    exit 1
  fi
  return 1
}

launch() {
  local log="$1"; shift
  nohup "$@" > "$log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$RUNTIME/server.pid"
  echo "$PORT" > "$RUNTIME/server.port"
  proc_start "$pid" > "$RUNTIME/server.start" || true
}

wait_url() {
  local url="$1" tries="${2:-300}" pid; pid="$(cat "$RUNTIME/server.pid")"
  for _ in $(seq 1 "$tries"); do
    curl -sf --noproxy '*' --max-time 5 -o /dev/null "$url" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "server died; log ($RUNTIME/server.log):" >&2; tail -30 "$RUNTIME/server.log" >&2; exit 1
    fi
    sleep 0.1
  done
  echo "timeout waiting for $url; log ($RUNTIME/server.log):" >&2; tail -30 "$RUNTIME/server.log" >&2; exit 1
}

apt_need() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      echo "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
      exit 1
    fi
  fi
  echo "installing ${missing[*]} (apt)" >&2
  local log; log="$(mktemp)"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" > "$log" 2>&1 < /dev/null; then
    # The package lists may be missing or stale: refresh them once and try again.
    if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
           && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } > "$log" 2>&1 < /dev/null; then
      echo "apt-get could not install ${missing[*]}:" >&2; tail -20 "$log" >&2; rm -f "$log"; exit 1
    fi
  fi
  rm -f "$log"
}

# The lines start.sh prints for a stack that serves SOAP 1.1 at $1 and SOAP 1.2 at ${1}12.
report_two_urls() {
  echo "WSDL: $1?wsdl"
  echo "ENDPOINT: $1"
  echo "WSDL (SOAP 1.2): ${1}12?wsdl"
  echo "ENDPOINT (SOAP 1.2): ${1}12"
}
