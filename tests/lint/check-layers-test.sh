#!/usr/bin/env bash
# check-layers-test.sh: scripts/check-layers.sh fails on each way an upward include could be
# written, and passes on the tree as it is. Each case plants one include in a copy of fcgi/.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check NAME WANT(0|1) FILE LINE: plant LINE at the top of FILE in a fresh copy, run the check
  local name=$1 want=$2 file=$3 line=$4 rc=0
  rm -rf "$tmp/fcgi"; cp -r fcgi "$tmp/fcgi"
  if [ -n "$file" ]; then
    mkdir -p "$(dirname "$tmp/$file")"
    { printf '%s\n' "$line"; cat "$tmp/$file" 2>/dev/null || true; } >"$tmp/$file.new"
    mv "$tmp/$file.new" "$tmp/$file"
  fi
  scripts/check-layers.sh "$tmp/fcgi" >"$tmp/out" 2>&1 || rc=$?
  if [ "$rc" = "$want" ]; then echo "ok   $name"; else
    echo "FAIL $name: exit $rc, wanted $want"; sed 's/^/     /' "$tmp/out"; fails=1
  fi
}
check "the tree as it is"                       0 "" ""
check "model includes store"                    1 fcgi/model/rules.c '#include "db.h"'
check "store includes http"                     1 fcgi/store/db.c '#include "router.h"'
check "core includes model, in a header"        1 fcgi/core/clock.h '#include "rules.h"'
check "a relative path around the rule"         1 fcgi/model/rules.c '#include "../store/db.h"'
check "a project header in angle brackets"      1 fcgi/model/rules.c '#include <db.h>'
check "a macro include"                         1 fcgi/model/rules.c '#include HDR'
check "a file in a subfolder"                   1 fcgi/model/sub/x.c '#include "db.h"'
check "a header name two folders share"         1 fcgi/model/err.h '/* a second err.h */'
check "a library header by its path"            0 fcgi/model/rules.c '#include <openssl/err.h>'
exit $fails
