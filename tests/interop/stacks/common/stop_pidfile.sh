#!/bin/bash
# stop_pidfile.sh PIDFILE : stops exactly the process recorded there (TERM, then KILL after 5 s).
# Never by name. The pid is only signalled while it still is the process launch() recorded
# (same start time in server.start), so a pid reused by another process is left alone.
set -uo pipefail
PIDF="${1:?pidfile}"
RUN="$(dirname "$PIDF")"
[ -f "$PIDF" ] || { echo "not running"; exit 0; }
PID="$(cat "$PIDF")"
proc_start() { [ -r "/proc/$1/stat" ] && sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
said="stopped $PID"
if [ -z "$PID" ] || ! kill -0 "$PID" 2>/dev/null; then
  said="not running (pid $PID had exited)"
else
  if [ -f "$RUN/server.start" ] && [ "$(proc_start "$PID")" != "$(cat "$RUN/server.start")" ]; then
    said="pid $PID is no longer the server that was started (pid reused); not signalled"
  else
    kill "$PID"
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PID" 2>/dev/null; then
      kill -9 "$PID"
      for _ in $(seq 1 20); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
fi
rm -f "$PIDF" "$RUN/server.port" "$RUN/server.start"
echo "$said"
