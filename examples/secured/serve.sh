#!/usr/bin/env bash
# Runs the secured example: the mock customer backend and soapbridge in front of it.
#   examples/secured/serve.sh [LISTEN]        (default 127.0.0.1:8080)
# SOAPBRIDGE names the binary (default: built with cargo from this checkout);
# MOCK_LISTEN the mock backend's address (default 127.0.0.1:8081).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
listen="${1:-127.0.0.1:8080}"
mock_listen="${MOCK_LISTEN:-127.0.0.1:8081}"

bin="${SOAPBRIDGE:-}"
if [[ -z "$bin" ]]; then
  cargo build --release --quiet --manifest-path "$here/../../Cargo.toml"
  target="$(cargo metadata --format-version 1 --no-deps --manifest-path "$here/../../Cargo.toml" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  bin="$target/release/soapbridge"
fi

"$bin" mock "$here/../../wsdl/customers.wsdl" --listen "$mock_listen" &
mock_pid=$!
serve_pid=
stop() {
  [[ -n "$serve_pid" ]] && kill "$serve_pid" 2>/dev/null || true
  kill "$mock_pid" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 143' TERM INT

CUSTOMERS_SOAP_URL="http://$mock_listen/customers" \
  "$bin" serve --config "$here/soapbridge.yaml" --listen "$listen" "$here/mappings" &
serve_pid=$!
wait "$serve_pid"
