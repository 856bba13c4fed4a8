#!/bin/bash
# Starts the interop stacks (default: every stack in stacks.conf), each bound to 127.0.0.1.
#
# Ports: INTEROP_PORT_<STACK> (PHP_SOAP, SPYNE, SOAPLITE) is a port number or `auto`;
# INTEROP_PORTS=auto picks a free port for every stack without its own setting; otherwise the
# port in stacks.conf is used.
#
# Each <stack>/start.sh installs what is missing (apt), starts one background process, records
# its pid and waits for its WSDL. Runtime files go to $INTEROP_RUNTIME_DIR/<stack>/ (default
# <stack>/runtime/). The URLs the interop tests read are written to <runtime>/env.sh and printed:
#   <PREFIX>_WSDL_URL, <PREFIX>_URL            the SOAP 1.1 path (PREFIX: PHP_SOAP, SPYNE, SOAPLITE)
#   <PREFIX>12_WSDL_URL, <PREFIX>12_URL        where SOAP 1.2 has a path of its own (Spyne)
# Exits non-zero when a stack fails to install or start (stacks already started keep running:
# stop-all.sh stops them).
# usage: start-all.sh [stack...]
set -uo pipefail
DIR="$(cd "$(dirname "$0")" && pwd)"
BASE="${INTEROP_RUNTIME_DIR:-$DIR/runtime}"
mkdir -p "$BASE"
ENVF="$BASE/env.sh"
want=("$@")
known=$(awk '!/^#/ && NF {print $1}' "$DIR/stacks.conf")
for w in "${want[@]}"; do
  grep -qx "$w" <<<"$known" || { echo "unknown stack \`$w\` (known: $(echo $known))" >&2; exit 2; }
done
rc=0
: > "$ENVF.tmp"
while read -r stack port p11 p12 _; do
  [[ -z "$stack" || "$stack" == \#* ]] && continue
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $stack "* ]]; then continue; fi
  prefix=$(echo "$stack" | tr 'a-z-' 'A-Z_')
  override_var="INTEROP_PORT_$prefix"
  choice="${!override_var:-${INTEROP_PORTS:-$port}}"
  if [ "$choice" = auto ]; then choice=$("$DIR/common/free_port.sh") || { echo "$stack: no free port" >&2; rc=1; continue; }; fi
  t0=$(date +%s%N)
  if out=$("$DIR/$stack/start.sh" "$choice" 2>&1 < /dev/null); then
    printf '%-10s OK   %5dms port %-5s %s\n' "$stack" $(( ($(date +%s%N) - t0) / 1000000 )) "$choice" "$(echo "$out" | grep '^WSDL:' | head -1)"
    {
      echo "export ${prefix}_WSDL_URL='http://127.0.0.1:$choice$p11?wsdl'"
      echo "export ${prefix}_URL='http://127.0.0.1:$choice$p11'"
      if [ "$p12" != "$p11" ]; then
        echo "export ${prefix}12_WSDL_URL='http://127.0.0.1:$choice$p12?wsdl'"
        echo "export ${prefix}12_URL='http://127.0.0.1:$choice$p12'"
      fi
    } >> "$ENVF.tmp"
  else
    printf '%-10s FAIL %5dms port %s\n%s\n' "$stack" $(( ($(date +%s%N) - t0) / 1000000 )) "$choice" "$(echo "$out" | tail -25 | sed 's/^/    /')"
    rc=1
  fi
done < "$DIR/stacks.conf"
mv "$ENVF.tmp" "$ENVF"
echo "# environment for the interop tests (source $ENVF):"
cat "$ENVF"
exit $rc
