#!/usr/bin/env bash
# Instructions per request of the whole bridge (HTTP in, SOAP call, answer decoded, JSON
# out), counted by callgrind: the same count whatever else the machine is doing, so a change
# to the request path can be judged on a shared, noisy machine where timings cannot.
#
#   scripts/bench-requests.sh                  # small and large answers, log level warn
#   LOG=info scripts/bench-requests.sh small   # with the access log on: its cost per request
#   TOP=25 scripts/bench-requests.sh large     # and the 25 functions that cost the most
#   KEEP=/tmp/cg scripts/bench-requests.sh     # keep the callgrind files (callgrind_annotate)
#   scripts/bench-requests.sh graphql          # the small call as REST and as a one-field
#                                              # GraphQL query selecting the same fields,
#                                              # then selecting one of them
#   PROBE=/tmp/soapbridge-perf/rust-target/release/rust-probe scripts/bench-requests.sh
#                                              # and the perf harness's hand-written decoder
#                                              # (../shared/perf/peers/rust-probe, MODE=stream)
#                                              # counted the same way, with the ratio; it calls
#                                              # its backend on 127.0.0.1:19001, which must be free
#
# It starts a loopback SOAP backend (Python's http.server, answering the perf harness's
# payloads: ../shared/perf/gen-payloads.py), runs target/release/soapbridge serve under
# `valgrind --tool=callgrind` twice with the perf mapping, sends N1 then N2 requests on one
# keep-alive connection, and prints (Ir(N2) - Ir(N1)) / (N2 - N1): start-up and shutdown
# cancel out. Needs valgrind (Debian's package) and a release build (`cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."
PERF_DIR=${PERF_DIR:-../shared/perf}
BIN=${SOAPBRIDGE_BIN:-target/release/soapbridge}
LOG=${LOG:-warn}
TOP=${TOP:-0}
WHAT=${1:-all}

command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
[[ -x $BIN ]] || { echo "no $BIN: cargo build --release first" >&2; exit 1; }
[[ -f $PERF_DIR/peers/crm.wsdl ]] || { echo "no $PERF_DIR/peers/crm.wsdl (set PERF_DIR)" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

python3 "$PERF_DIR/gen-payloads.py" "$WORK/payload" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PROBE=${PROBE:-}
if [[ -n $PROBE ]]; then
    [[ -x $PROBE ]] || { echo "PROBE=$PROBE is not an executable" >&2; exit 1; }
    BACKEND_PORT=19001   # the probe's backend address is fixed
else
    BACKEND_PORT=$(free_port)
fi
cat >"$WORK/backend.py" <<'PY'
import http.server, sys
small = open(sys.argv[2] + "/small.xml", "rb").read()
large = open(sys.argv[2] + "/large.xml", "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = large if "ListOrders" in self.headers.get("SOAPAction", "") else small
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$WORK/backend.py" "$BACKEND_PORT" "$WORK/payload" &
PIDS+=($!)

cat >"$WORK/client.py" <<'PY'
import http.client, json, sys, time
port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for _ in range(600):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120); c.request("GET", "/readyz")
        # The hand-written probe has no /readyz: any answer means it listens.
        if c.getresponse().status in (200, 404): break
    except OSError: pass
    time.sleep(0.1)
c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
# A path that starts with "{" is a GraphQL query, posted to /graphql.
gql = path.startswith("{")
post = json.dumps({"query": path}).encode()
for _ in range(n):
    if gql:
        c.request("POST", "/graphql", post, {"Content-Type": "application/json"})
    else:
        c.request("GET", path)
    r = c.getresponse(); body = r.read()
    if r.status != 200 or (gql and b'"errors"' in body):
        sys.exit(f"{path}: HTTP {r.status}: {body[:300]!r}")
PY
# The GraphQL face switched on for every mapping file.
printf 'version: 1\ngraphql:\n  enabled: true\n' >"$WORK/gateway.yaml"

# Instructions of one run of the bridge (or, with WHO=probe, the hand-written decoder)
# serving N requests for PATH.
run() {
    local path=$1 n=$2 out=$3 port
    port=$(free_port)
    if [[ ${WHO:-} == probe ]]; then
        MODE=stream WORKERS=1 PORT=$port valgrind --tool=callgrind --callgrind-out-file="$out" -q \
            "$PROBE" 2>"$out.log" &
    else
        CRM_SOAP_URL="http://127.0.0.1:$BACKEND_PORT/soap" SOAPBRIDGE_LOG=$LOG \
            valgrind --tool=callgrind --callgrind-out-file="$out" -q \
            "$BIN" serve --listen "127.0.0.1:$port" --shutdown-grace 0s --config "$WORK/gateway.yaml" \
            "$PERF_DIR/peers/soapbridge-crm.yaml" 2>"$out.log" &
    fi
    local pid=$!
    python3 "$WORK/client.py" "$port" "$path" "$n"
    kill -TERM "$pid"; wait "$pid" || true
    awk '/^summary:|^totals:/ {print $2; exit}' "$out"
}

measure() {
    local name=$1 path=$2 n1=$3 n2=$4 a b mine
    a=$(run "$path" "$n1" "$WORK/$name-1.out")
    b=$(run "$path" "$n2" "$WORK/$name-2.out")
    mine=$(((b - a) / (n2 - n1)))
    printf '%-6s log=%-5s %12d instructions per request\n' "$name" "$LOG" "$mine"
    if [[ -n $PROBE && $name != gql* ]]; then
        a=$(WHO=probe run "$path" "$n1" "$WORK/$name-probe-1.out")
        b=$(WHO=probe run "$path" "$n2" "$WORK/$name-probe-2.out")
        awk -v a="$a" -v b="$b" -v n1="$n1" -v n2="$n2" -v name="$name" -v mine="$mine" \
            'BEGIN { p = (b - a) / (n2 - n1)
                     printf "%-6s hand-written %9.0f instructions per request; soapbridge/hand-written %.2fx\n", name, p, mine / p }'
    fi
    if [[ -n ${KEEP:-} ]]; then
        mkdir -p "$KEEP" && cp "$WORK/$name"-*.out "$KEEP/"
    fi
    if ((TOP > 0)); then
        callgrind_annotate --inclusive=no "$WORK/$name-2.out" 2>/dev/null | sed -n "1,$((TOP + 25))p"
    fi
}

case $WHAT in
    small) measure small /customers/42 200 1200 ;;
    large) measure large /orders 20 120 ;;
    all) measure small /customers/42 200 1200; measure large /orders 20 120 ;;
    graphql)
        # The same call and the same fields: the customer the REST route answers.
        fields="id firstName lastName email phone street city postalCode country balance createdAt active notes"
        measure small /customers/42 200 1200
        measure gql "{ getCustomer(id: 42) { $fields } }" 200 1200
        # One leaf: what the query costs apart from the fields it selects.
        measure gql1 "{ getCustomer(id: 42) { id } }" 200 1200
        ;;
    *) echo "usage: $0 [small|large|all|graphql]" >&2; exit 2 ;;
esac
