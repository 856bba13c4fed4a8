#!/bin/bash
# usage: start.sh PORT -- JAX-WS RI 2.3.0.2 (libjaxws-java) on the JDK's built-in HTTP server:
# document/literal wrapped, WS-Addressing required, MTOM; SOAP 1.1 /files, SOAP 1.2 /files12,
# SOAP 1.1 /signed: the /files service behind a WS-Security handler (X.509 signature required
# on requests, answers signed), and SOAP 1.1 /wss4j: the same service, whose requests Apache
# WSS4J 1.6 (libwss4j-java) verifies (answers not signed). Keys from the repository's test PKI
# (examples/ws-security/keys/). Prints the URLs like the other stacks, plus
# "ENDPOINT (WS-Security): .../signed" and "ENDPOINT (WSS4J): .../wss4j".
# Runtime files (pid, port, log, compiled classes): see common/lib.sh (INTEROP_RUNTIME_DIR).
PORT="${1:?usage: start.sh PORT}"
DIR="$(cd "$(dirname "$0")" && pwd)"
. "$DIR/../common/lib.sh"
# A JDK is only installed when javac is missing: a JDK that is already on PATH (even one not
# from Debian) is used as it is.
command -v javac >/dev/null || apt_need openjdk-17-jdk-headless
apt_need libjaxws-java libwss4j-java curl
ENDPOINT="http://127.0.0.1:$PORT/files"
SIGNED="http://127.0.0.1:$PORT/signed"
WSS4J="http://127.0.0.1:$PORT/wss4j"
report() { report_two_urls "$ENDPOINT"; echo "ENDPOINT (WS-Security): $SIGNED"; echo "ENDPOINT (WSS4J): $WSS4J"; }
already_running "$PORT" && { report; exit 0; }
# A JVM takes seconds to fail on a busy port, and meanwhile whatever holds the port could
# answer the WSDL poll below in its place: refuse early instead.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port $PORT on 127.0.0.1 is already in use" >&2; exit 1
fi

# The Debian jars the service needs (see README.md for how each was tested), listed explicitly
# rather than through jaxws-rt.jar, whose manifest drags in 18 jars (one of them, ha-api.jar,
# is not packaged).
#  - jaxws-ri-rt-jdk9 comes first: it holds the Java 9+ variants of a few runtime classes,
#    which the multi-release jaxws-rt.jar would pick on this JDK.
#  - streambuffer is declared by the runtime and used while serving, though start-up works without it.
#  - jaxws-ri-rt-fastinfoset + FastInfoset look optional but are not: without the FastInfoset
#    codec the runtime marks every request "FastInfoset disabled", and then ignores
#    `Accept: application/xop+xml`, so a plain (non-MTOM) request never gets an MTOM answer.
#  - JDK 11+ has no javax.annotation, javax.activation, JAXB, SAAJ or JAX-WS any more.
#  - gmbal is needed to link the endpoint class even with monitoring switched off.
#  - No woodstox: the JDK's StAX parser and writer are used.
# Then the /wss4j verifier (libwss4j-java and what it depends on):
#  - wss4j (1.6.19) and xmlsec (Apache Santuario 2.1.7: WSS4J's XML-DSig and c14n).
#  - commons-logging: WSS4J logs through it (to java.util.logging: no other logger is present).
#  - slf4j-api + slf4j-jdk14: Santuario logs through SLF4J; the binding sends its messages to
#    java.util.logging too, instead of SLF4J's "no binding" notice at start-up and no logging.
J=/usr/share/java
JARS=(
  jaxws-ri-rt-jdk9 jaxws-ri-runtime jaxws-ri-rt-fastinfoset FastInfoset
  jaxws-api jws-api javax.xml.soap-api geronimo-annotation-1.3-spec
  jaxb-api jaxb-runtime jaxb-core txw2 istack-commons-runtime javax.activation
  saaj-impl streambuffer stax-ex mimepull metro-policy gmbal
  wss4j xmlsec commons-logging slf4j-api slf4j-jdk14
)
LIBCP=""
for j in "${JARS[@]}"; do
  [ -f "$J/$j.jar" ] || { echo "missing $J/$j.jar (are libjaxws-java and libwss4j-java installed?)" >&2; exit 1; }
  LIBCP="$LIBCP${LIBCP:+:}$J/$j.jar"
done

# Compile into the runtime folder; skipped when the classes are newer than every source.
CLASSES="$RUNTIME/classes"
if [ ! -f "$CLASSES/.built" ] || [ -n "$(find "$DIR" -maxdepth 1 -name '*.java' -newer "$CLASSES/.built" | head -1)" ]; then
  rm -rf "$CLASSES.tmp"; mkdir -p "$CLASSES.tmp"
  if ! javac -encoding UTF-8 -Xlint:-path -d "$CLASSES.tmp" -cp "$LIBCP" "$DIR"/*.java > "$RUNTIME/javac.log" 2>&1; then
    echo "javac failed ($RUNTIME/javac.log):" >&2; tail -30 "$RUNTIME/javac.log" >&2; exit 1
  fi
  touch "$CLASSES.tmp/.built"
  rm -rf "$CLASSES"; mv "$CLASSES.tmp" "$CLASSES"
fi

# The /signed and /wss4j endpoints' keys (see Server.java): the test PKI, by absolute path from the
# repository root, so the server does not depend on its working directory.
KEYS="$(cd "$DIR/../../../.." && pwd)/examples/ws-security/keys"
# monitoring.endpoint=false: the gmbal monitoring back end is incomplete in Debian (a
# NoClassDefFoundError stack trace per endpoint at start-up, then it runs without it anyway).
# SAAJMetaFactory: names SAAJ's factory directly instead of letting the API find it through a
# deprecated service file, which logs a warning each time.
launch "$RUNTIME/server.log" java \
  -Dcom.sun.xml.ws.monitoring.endpoint=false \
  -Djavax.xml.soap.SAAJMetaFactory=com.sun.xml.messaging.saaj.soap.SAAJMetaFactoryImpl \
  -Dsoapbridge.wss.ca="$KEYS/ca.pem" -Dsoapbridge.wss.clientCert="$KEYS/cert.pem" \
  -Dsoapbridge.wss.signKey="$KEYS/backend-key.pem" -Dsoapbridge.wss.signCert="$KEYS/backend-cert.pem" \
  -cp "$CLASSES:$LIBCP" soapbridge.interop.files.Server "$PORT"
# A JVM needs a few seconds (more on a busy machine): allow 600 polls, about a minute.
wait_url "$ENDPOINT?wsdl" 600
wait_url "$SIGNED?wsdl" 50
wait_url "$WSS4J?wsdl" 50
report
