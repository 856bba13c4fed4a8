#!/bin/bash
# Stops the stacks start-all.sh started (default: every stack in stacks.conf), each by the pid
# its start.sh recorded in the same runtime folder (INTEROP_RUNTIME_DIR), never by name.
# usage: stop-all.sh [stack...]
DIR="$(cd "$(dirname "$0")" && pwd)"
want=("$@")
while read -r stack _; do
  [[ -z "$stack" || "$stack" == \#* ]] && continue
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $stack "* ]]; then continue; fi
  printf '%-10s ' "$stack"; "$DIR/$stack/stop.sh"
done < "$DIR/stacks.conf"
[ ${#want[@]} -eq 0 ] && rm -f "${INTEROP_RUNTIME_DIR:-$DIR/runtime}/env.sh"
exit 0
