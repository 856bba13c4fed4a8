#!/bin/bash
# usage: check-wss4j.sh PORT -- hand checks of the /wss4j endpoint of a running jaxws stack
# (start.sh PORT), where Apache WSS4J verifies each request. The requests are built as in
# check-signed.sh: xmlsec1 signs an echo with a fresh wsa:MessageID and a wsu:Timestamp over Body
# and Timestamp (exc-c14n, SHA-256; RSA-SHA256, or ECDSA-SHA256 for the EC key), openssl makes
# keys, curl posts. Codes marked (policy) come from Wss4jHandler's own checks of WSS4J's results,
# the others from WSS4J itself (WSSecurityException).
#   a  signed with key.pem, KeyInfo -> BinarySecurityToken   200, text echoed, answer not signed
#   b  unsigned                                               fault wsse:InvalidSecurity (policy)
#   c  signed, then the Body changed                          fault wsse:FailedCheck
#   d  signed with a fresh self-signed key and certificate    fault wsse:FailedAuthentication
#   e  signed, Timestamp expired an hour ago                  fault wsse:MessageExpired
#   f  KeyInfo by ds:X509IssuerSerial of cert.pem             200
#   g  KeyInfo by wsse:KeyIdentifier (SubjectKeyIdentifier)   200
#   h  signed with backend-key.pem (EC), its certificate as
#      BinarySecurityToken: trusted through ca.pem only       200
#   i  signed over the Body only, not the Timestamp           fault wsse:FailedCheck (policy)
# Prints a line per check; exits 1 when any result is not the expected one.
set -euo pipefail
PORT="${1:?usage: check-wss4j.sh PORT}"
DIR="$(cd "$(dirname "$0")" && pwd)"
KEYS="$(cd "$DIR/../../../.." && pwd)/examples/ws-security/keys"
URL="http://127.0.0.1:$PORT/wss4j"
. "$DIR/wss-lib.sh"
make_requests
ALG=$ECDSA envelope "$NOW" "$LATER" "$TOKEN_REF" "$KEYS/backend-cert.pem" > "$T/h.tmpl"
sign "$KEYS/backend-key.pem" "$T/h.tmpl" "$T/h.xml"
REFS="Body-1" envelope "$NOW" "$LATER" "$TOKEN_REF" "$KEYS/cert.pem" > "$T/i.tmpl"
sign "$KEYS/key.pem" "$T/i.tmpl" "$T/i.xml"

failed=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failed=1; }
post() { # FILE: prints the HTTP status; the answer goes to $T/answer.xml
  curl -s -o "$T/answer.xml" -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: "urn:soapbridge:interop:files:echo"' --data-binary @"$1" "$URL"
}
expect_fault() { # NAME FILE CODE
  local status; status=$(post "$2")
  if [ "$status" = 500 ] && grep -q ">wsse:$3</faultcode>" "$T/answer.xml"; then
    pass "$1: $status wsse:$3: $(sed -n 's:.*<faultstring>\(.*\)</faultstring>.*:\1:p' "$T/answer.xml")"
  else
    fail "$1: wanted 500 wsse:$3, got $status: $(head -c 800 "$T/answer.xml")"
  fi
}
# 200, the text echoed, and no Security header in the answer (/wss4j only verifies).
expect_echo() { # NAME FILE
  local status why=""; status=$(post "$2")
  if [ "$status" != 200 ]; then why="status $status"
  elif ! grep -q ">$TEXT</text>" "$T/answer.xml"; then why="the text is not echoed"
  elif grep -q "Security" "$T/answer.xml"; then why="the answer has a Security header"
  fi
  if [ -z "$why" ]; then pass "$1: 200, echoed, answer not signed"
  else fail "$1: $why: $(head -c 800 "$T/answer.xml")"; fi
}

expect_echo  "a signed (BinarySecurityToken)" "$T/a.xml"
expect_fault "b unsigned" "$T/b.xml" InvalidSecurity
expect_fault "c Body changed after signing" "$T/c.xml" FailedCheck
expect_fault "d self-signed key" "$T/d.xml" FailedAuthentication
expect_fault "e expired Timestamp" "$T/e.xml" MessageExpired
expect_echo  "f signed (X509IssuerSerial)" "$T/f.xml"
expect_echo  "g signed (SubjectKeyIdentifier)" "$T/g.xml"
expect_echo  "h signed with backend-key.pem (EC, chained to ca.pem)" "$T/h.xml"
expect_fault "i Timestamp not signed" "$T/i.xml" FailedCheck
exit $failed
