#!/bin/bash
# Makes this folder's TEST-ONLY PKI again (never use these keys for anything real):
#   ca.pem            the test CA (its key is thrown away)
#   key.pem cert.pem  the gateway's signing key and certificate (RSA 2048, issued by the CA)
#   backend-key.pem backend-cert.pem   a backend's key and certificate (EC P-256, issued by
#                     the CA), for test backends that sign their answers
# Valid for 100 years, so the committed files do not expire under the tests.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/ext" <<'X'
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
X
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out ca.pem -days 36500 \
  -subj "/O=soapbridge TEST ONLY/CN=soapbridge test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
leaf() { # KEYFILE CERTFILE CN KEYALG...
  local key=$1 cert=$2 cn=$3; shift 3
  openssl genpkey "$@" -out "$key" 2>/dev/null
  openssl req -new -key "$key" -subj "/O=soapbridge TEST ONLY/CN=$cn" -out "$tmp/req"
  openssl x509 -req -in "$tmp/req" -CA ca.pem -CAkey "$tmp/ca.key" -CAcreateserial \
    -CAserial "$tmp/serial" -days 36500 -extfile "$tmp/ext" -extensions leaf -out "$cert" 2>/dev/null
}
leaf key.pem cert.pem "soapbridge test client" -algorithm RSA -pkeyopt rsa_keygen_bits:2048
leaf backend-key.pem backend-cert.pem "soapbridge test backend" -algorithm EC -pkeyopt ec_paramgen_curve:P-256
chmod 644 ./*.pem
