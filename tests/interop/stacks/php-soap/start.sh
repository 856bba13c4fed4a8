#!/bin/bash
# usage: start.sh PORT -- PHP SoapServer (WSDL mode, doc/literal wrapped, SOAP 1.1+1.2) via `php -S 127.0.0.1:PORT`.
# Runtime files: see common/lib.sh (INTEROP_RUNTIME_DIR).
PORT="${1:?usage: start.sh PORT}"
DIR="$(cd "$(dirname "$0")" && pwd)"
. "$DIR/../common/lib.sh"
apt_need php-cli php-soap php-xml curl
ENDPOINT="http://127.0.0.1:$PORT/CustomerService"
report() {
  echo "WSDL: $ENDPOINT?wsdl"
  echo "ENDPOINT: $ENDPOINT"
}
already_running "$PORT" && { report; exit 0; }
sed "s#__ENDPOINT__#$ENDPOINT#g" "$DIR/../common/CustomerService.wsdl.tmpl" > "$RUNTIME/CustomerService.wsdl"
cd "$DIR"
launch "$RUNTIME/server.log" env INTEROP_WSDL_FILE="$RUNTIME/CustomerService.wsdl" \
  php -d soap.wsdl_cache_enabled=0 -S "127.0.0.1:$PORT" server.php
wait_url "$ENDPOINT?wsdl"
report
