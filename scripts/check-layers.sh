#!/usr/bin/env bash
# check-layers.sh: the includes under fcgi/ point down the layers (README, "Layout"); `make lint`.
# A file may include a header of its own folder or of a folder its layer lists below.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A may=(
  [core]="core"
  [model]="model core"
  [store]="store model core"
  [ext]="ext store model core"
  [http]="http store model core"
  [api]="api http ext store model core"
  [ctl]="ctl http ext store model core"
  [sim]="sim http ext model core"
)
declare -A home=()
for f in fcgi/*/*.h; do
  d=${f#fcgi/}; home[$(basename "$f")]=${d%%/*}
done
bad=0
for f in fcgi/*/*.[ch]; do
  d=${f#fcgi/}; layer=${d%%/*}
  [ -n "${may[$layer]:-}" ] || { echo "layers: $f: folder '$layer' has no rule"; bad=1; continue; }
  while IFS= read -r h; do
    to=${home[$h]:-}
    if [ -z "$to" ]; then echo "layers: $f includes \"$h\", which is in no folder"; bad=1; continue; fi
    case " ${may[$layer]} " in *" $to "*) ;; *)
      echo "layers: $f ($layer) includes \"$h\" ($to): $layer may include only: ${may[$layer]}"; bad=1 ;;
    esac
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
if [ $bad = 0 ]; then echo "layers: every include under fcgi/ points down"; fi
exit $bad
