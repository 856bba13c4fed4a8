#!/bin/bash
# usage: start.sh PORT -- SOAP::Lite (libsoap-lite-perl) rpc/encoded SOAP 1.1 daemon on 127.0.0.1:PORT.
# Runtime files: see common/lib.sh (INTEROP_RUNTIME_DIR).
PORT="${1:?usage: start.sh PORT}"
DIR="$(cd "$(dirname "$0")" && pwd)"
. "$DIR/../common/lib.sh"
apt_need libsoap-lite-perl libhttp-daemon-perl curl
ENDPOINT="http://127.0.0.1:$PORT/CustomerService"
report() {
  echo "WSDL: $ENDPOINT?wsdl"
  echo "ENDPOINT: $ENDPOINT"
}
already_running "$PORT" && { report; exit 0; }
sed "s#__ENDPOINT__#$ENDPOINT#g" "$DIR/CustomerService.wsdl.tmpl" > "$RUNTIME/CustomerService.wsdl"
launch "$RUNTIME/server.log" perl "$DIR/server.pl" "$PORT" "$RUNTIME/CustomerService.wsdl"
wait_url "$ENDPOINT?wsdl"
report
