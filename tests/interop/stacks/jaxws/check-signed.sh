#!/bin/bash
# usage: check-signed.sh PORT -- hand checks of the WS-Security endpoint /signed of a running
# jaxws stack (start.sh PORT), with tools independent of it: xmlsec1 signs the requests and checks
# the signed answer, openssl makes keys, curl posts. Each request is an echo with a fresh
# wsa:MessageID and a wsu:Timestamp, signed (RSA-SHA256, exc-c14n, SHA-256) over Body and Timestamp.
#   a  signed with key.pem, KeyInfo -> BinarySecurityToken  200, text echoed, answer signed (verified with ca.pem)
#   b  unsigned                                              fault wsse:InvalidSecurity
#   c  signed, then the Body changed                         fault wsse:FailedCheck
#   d  signed with a fresh self-signed key and certificate   fault wsse:FailedCheck
#   e  signed, Timestamp expired an hour ago                 fault wsse:MessageExpired
#   f  KeyInfo by ds:X509IssuerSerial of cert.pem            200
#   g  KeyInfo by wsse:KeyIdentifier (SubjectKeyIdentifier)  200
# Prints a line per check; exits 1 when any result is not the expected one.
set -euo pipefail
PORT="${1:?usage: check-signed.sh PORT}"
DIR="$(cd "$(dirname "$0")" && pwd)"
KEYS="$(cd "$DIR/../../../.." && pwd)/examples/ws-security/keys"
URL="http://127.0.0.1:$PORT/signed"
. "$DIR/wss-lib.sh"
make_requests

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
# 200, the text echoed, and a signed answer: the backend's certificate as the token, and a
# signature over the Body and the Timestamp that xmlsec1 verifies. xmlsec1 cannot follow a
# wsse:Reference to a BinarySecurityToken, so a copy of the answer gets the token's certificate as
# ds:X509Data in KeyInfo (which the signature does not cover) and xmlsec1 checks it against ca.pem.
expect_echo() { # NAME FILE
  local status why="" cert body ts; status=$(post "$2")
  cert=$(sed -n 's:.*<wsse\:BinarySecurityToken[^>]*>\([^<]*\)<.*:\1:p' "$T/answer.xml")
  body=$(grep -o '<S:Body [^>]*wsu:Id="[^"]*"' "$T/answer.xml" | sed 's/.*wsu:Id="//; s/"$//' || true)
  ts=$(grep -o '<wsu:Timestamp wsu:Id="[^"]*"' "$T/answer.xml" | sed 's/.*wsu:Id="//; s/"$//' || true)
  sed "s#<ds:KeyInfo>#&<ds:X509Data><ds:X509Certificate>$cert</ds:X509Certificate></ds:X509Data>#" \
    "$T/answer.xml" > "$T/answer-x509.xml"
  if [ "$status" != 200 ]; then why="status $status"
  elif ! grep -q ">$TEXT</text>" "$T/answer.xml"; then why="the text is not echoed"
  elif [ "$cert" != "$(b64der "$KEYS/backend-cert.pem")" ]; then why="the token is not backend-cert.pem"
  elif [ -z "$body" ] || [ -z "$ts" ] || ! grep -q "<ds:Reference URI=\"#$body\">" "$T/answer.xml" \
       || ! grep -q "<ds:Reference URI=\"#$ts\">" "$T/answer.xml"; then why="the signature does not cover Body and Timestamp"
  elif ! xmlsec1 --verify --trusted-pem "$KEYS/ca.pem" "${IDS[@]}" "$T/answer-x509.xml" > "$T/xmlsec.log" 2>&1; then
    why="xmlsec1 does not verify the answer: $(tail -5 "$T/xmlsec.log")"
  fi
  if [ -z "$why" ]; then pass "$1: 200, echoed, answer signed by backend-cert.pem over Body and Timestamp, verified by xmlsec1 with ca.pem"
  else fail "$1: $why: $(head -c 800 "$T/answer.xml")"; fi
}

expect_echo  "a signed (BinarySecurityToken)" "$T/a.xml"
expect_fault "b unsigned" "$T/b.xml" InvalidSecurity
expect_fault "c Body changed after signing" "$T/c.xml" FailedCheck
expect_fault "d self-signed key" "$T/d.xml" FailedCheck
expect_fault "e expired Timestamp" "$T/e.xml" MessageExpired
expect_echo  "f signed (X509IssuerSerial)" "$T/f.xml"
expect_echo  "g signed (SubjectKeyIdentifier)" "$T/g.xml"
exit $failed
