#!/bin/bash
# Sourced by check-signed.sh and check-wss4j.sh (which set URL and KEYS first): the tools they
# need, a scratch folder, the WS-Security namespaces, and the functions that make a signed echo
# request: envelope (a template for xmlsec1, $ALG and $REFS choosing the method and the ids
# signed), sign (xmlsec1 fills it), and NOW, LATER, TOKEN_REF for the usual Timestamp and token.
for t in xmlsec1 openssl curl bc xxd; do
  command -v "$t" >/dev/null || { echo "$t is missing (apt-get install xmlsec1 openssl curl bc xxd)" >&2; exit 2; }
done
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

SOAP=http://schemas.xmlsoap.org/soap/envelope/
WSSE=http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd
WSU=http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd
PROFILE=http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-
X509V3="${PROFILE}x509-token-profile-1.0#X509v3"
EXC=http://www.w3.org/2001/10/xml-exc-c14n#
RSA=http://www.w3.org/2001/04/xmldsig-more#rsa-sha256
ECDSA=http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256
# xmlsec1 knows no WSS schema: name the ID attributes (it matches Id by local name, so wsu:Id).
IDS=(--id-attr:Id "$SOAP:Body" --id-attr:Id "$WSU:Timestamp")
TEXT='Grüße &amp; &lt;hello&gt;'

b64der() { openssl x509 -in "$1" -outform DER | base64 -w0; }
utc() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
reference() {
  echo "<ds:Reference URI=\"#$1\"><ds:Transforms><ds:Transform Algorithm=\"$EXC\"/></ds:Transforms><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/></ds:Reference>"
}

# envelope CREATED EXPIRES STR-CONTENT [CERT-FOR-BST]: the echo request with a Security header:
# Timestamp, the certificate as BinarySecurityToken X509-1 (when given) and a signature template
# whose KeyInfo is a SecurityTokenReference holding STR-CONTENT. $ALG is the signature method and
# $REFS the ids signed.
ALG=$RSA
REFS="Body-1 TS-1"
envelope() {
  local bst="" refs="" r
  if [ -n "${4:-}" ]; then
    bst="<wsse:BinarySecurityToken wsu:Id=\"X509-1\" EncodingType=\"${PROFILE}soap-message-security-1.0#Base64Binary\" ValueType=\"$X509V3\">$(b64der "$4")</wsse:BinarySecurityToken>"
  fi
  for r in $REFS; do refs="$refs$(reference "$r")"; done
  cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="$SOAP" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:f="urn:soapbridge:interop:files" xmlns:wsse="$WSSE" xmlns:wsu="$WSU"><soap:Header><wsse:Security soap:mustUnderstand="1"><wsu:Timestamp wsu:Id="TS-1"><wsu:Created>$1</wsu:Created><wsu:Expires>$2</wsu:Expires></wsu:Timestamp>$bst<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="$EXC"/><ds:SignatureMethod Algorithm="$ALG"/>$refs</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference>$3</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature></wsse:Security><wsa:Action>urn:soapbridge:interop:files:echo</wsa:Action><wsa:MessageID>urn:uuid:$(cat /proc/sys/kernel/random/uuid)</wsa:MessageID><wsa:To>$URL</wsa:To><wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo></soap:Header><soap:Body wsu:Id="Body-1"><f:echo><text>$TEXT</text></f:echo></soap:Body></soap:Envelope>
EOF
}
sign() { xmlsec1 --sign --privkey-pem "$1" "${IDS[@]}" --output "$3" "$2"; } # KEY TEMPLATE OUT

NOW=$(utc now); LATER=$(utc '+5 min')
TOKEN_REF="<wsse:Reference URI=\"#X509-1\" ValueType=\"$X509V3\"/>"

# The requests of the cases both checks share, as $T/a.xml .. $T/g.xml: a signed with key.pem
# (BinarySecurityToken), b unsigned, c a with its Body changed, d signed with a fresh
# self-signed key, e with a Timestamp expired an hour ago, f key by X509IssuerSerial, g key
# by SubjectKeyIdentifier.
make_requests() {
  envelope "$NOW" "$LATER" "$TOKEN_REF" "$KEYS/cert.pem" > "$T/a.tmpl"
  sign "$KEYS/key.pem" "$T/a.tmpl" "$T/a.xml"
  sed "s/00000000-0000-4000-8000-000000001101/$(cat /proc/sys/kernel/random/uuid)/" \
    "$DIR/../../../fixtures/jaxws/echo.soap11.request.xml" > "$T/b.xml"
  sed 's/hello/HELLO/' "$T/a.xml" > "$T/c.xml"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/self.key" -out "$T/self.pem" -days 1 \
    -subj "/CN=self-signed, not from the test CA" 2>/dev/null
  envelope "$NOW" "$LATER" "$TOKEN_REF" "$T/self.pem" > "$T/d.tmpl"
  sign "$T/self.key" "$T/d.tmpl" "$T/d.xml"
  envelope "$(utc '-65 min')" "$(utc '-60 min')" "$TOKEN_REF" "$KEYS/cert.pem" > "$T/e.tmpl"
  sign "$KEYS/key.pem" "$T/e.tmpl" "$T/e.xml"
  ISSUER=$(openssl x509 -in "$KEYS/cert.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
  SERIAL=$(echo "ibase=16; $(openssl x509 -in "$KEYS/cert.pem" -noout -serial | sed 's/^serial=//')" | BC_LINE_LENGTH=0 bc)
  envelope "$NOW" "$LATER" "<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>$ISSUER</ds:X509IssuerName><ds:X509SerialNumber>$SERIAL</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>" > "$T/f.tmpl"
  sign "$KEYS/key.pem" "$T/f.tmpl" "$T/f.xml"
  SKI=$(openssl x509 -in "$KEYS/cert.pem" -noout -ext subjectKeyIdentifier | sed 1d | tr -d ' :\n' | xxd -r -p | base64)
  envelope "$NOW" "$LATER" "<wsse:KeyIdentifier ValueType=\"${PROFILE}x509-token-profile-1.0#X509SubjectKeyIdentifier\" EncodingType=\"${PROFILE}soap-message-security-1.0#Base64Binary\">$SKI</wsse:KeyIdentifier>" > "$T/g.tmpl"
  sign "$KEYS/key.pem" "$T/g.tmpl" "$T/g.xml"
}
