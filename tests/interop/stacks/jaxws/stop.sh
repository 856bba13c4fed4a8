#!/bin/bash
# Stops the server start.sh started, by the pid it recorded (never by name).
DIR="$(cd "$(dirname "$0")" && pwd)"
if [ -n "${INTEROP_RUNTIME_DIR:-}" ]; then RUNTIME="$INTEROP_RUNTIME_DIR/$(basename "$DIR")"; else RUNTIME="$DIR/runtime"; fi
exec "$DIR/../common/stop_pidfile.sh" "$RUNTIME/server.pid"
