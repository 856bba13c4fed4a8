#!/bin/bash
# usage: start.sh PORT -- Spyne (python3-spyne from Debian) doc/literal wrapped; SOAP 1.1 /CustomerService, SOAP 1.2 /CustomerService12.
# Runtime files: see common/lib.sh (INTEROP_RUNTIME_DIR).
PORT="${1:?usage: start.sh PORT}"
DIR="$(cd "$(dirname "$0")" && pwd)"
. "$DIR/../common/lib.sh"
apt_need python3-spyne python3-lxml curl
ENDPOINT="http://127.0.0.1:$PORT/CustomerService"
report() { report_two_urls "$ENDPOINT"; }
already_running "$PORT" && { report; exit 0; }
launch "$RUNTIME/server.log" /usr/bin/python3 "$DIR/server.py" "$PORT"
wait_url "$ENDPOINT?wsdl"
report
