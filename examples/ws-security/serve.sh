#!/usr/bin/env bash
# Serves the WS-Security example in the foreground: REST on ADDR, every SOAP request signed
# with the test key of keys/ and sent to BACKEND_URL. Stops cleanly on SIGTERM (soapbridge
# drains its requests and exits).
#   examples/ws-security/serve.sh ADDR BACKEND_URL
#   e.g. serve.sh 127.0.0.1:8080 http://127.0.0.1:8081/customers
# SOAPBRIDGE names the binary (default: built with cargo from this checkout).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ $# -ne 2 ]]; then
  echo "usage: $0 ADDR BACKEND_URL" >&2
  exit 2
fi
listen="$1"
backend="$2"

bin="${SOAPBRIDGE:-}"
if [[ -z "$bin" ]]; then
  cargo build --release --quiet --manifest-path "$here/../../Cargo.toml"
  target="$(cargo metadata --format-version 1 --no-deps --manifest-path "$here/../../Cargo.toml" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  bin="$target/release/soapbridge"
fi

# exec: soapbridge itself gets SIGTERM and shuts down gracefully.
BACKEND_URL="$backend" exec "$bin" serve --listen "$listen" "$here/mappings"
