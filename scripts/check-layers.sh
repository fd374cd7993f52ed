#!/usr/bin/env bash
# check-layers.sh: the includes under fcgi/ point down the layers (README, "Layout"); `make lint`
# and `make test` run it.
#   scripts/check-layers.sh [SRC]     (SRC defaults to the tree's fcgi/)
# A file may include a header of its own folder or of a folder its layer lists below. Every file
# under SRC is read, at any depth (its layer is its first folder; the files at SRC's top, the
# programs' mains, may include every layer). A project header is included with quotes, never with
# angle brackets (the compiler would find it through the -I of every folder all the same), and an
# include that names no file (a macro) is refused, as is a header name that two folders share.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-fcgi}
declare -A may=(
  [core]="core"
  [model]="model core"
  [store]="store model core"
  [ext]="ext store model core"
  [http]="http store model core"
  [api]="api http ext store model core"
  [ctl]="ctl http ext store model core"
  [sim]="sim http ext model core"
  [.]="api ctl sim http ext store model core"
)
layer=
layer_of() { # sets layer: the first folder of a path under SRC, or "." for a file at SRC's top
  local d=${1#"$SRC"/}
  case $d in */*) layer=${d%%/*} ;; *) layer=. ;; esac
}
bad=0
declare -A home=()
while IFS= read -r f; do
  b=${f##*/}
  layer_of "$f"
  if [ -n "${home[$b]:-}" ] && [ "${home[$b]}" != "$layer" ]; then
    echo "layers: two folders hold a header named $b (${home[$b]} and $layer): the bare include is ambiguous"
    bad=1
  fi
  home[$b]=$layer
done < <(find "$SRC" -name '*.h' | sort)

while IFS= read -r f; do
  layer_of "$f"
  [ -n "${may[$layer]:-}" ] || { echo "layers: $f: folder '$layer' has no rule"; bad=1; continue; }
  while IFS= read -r line; do
    case $line in
    \"*) h=${line#\"}; h=${h%%\"*} ;;
    \<*)
      h=${line#<}; h=${h%%>*}
      # <openssl/err.h> is a library's; a bare <err.h> would be found in a project folder first.
      if [ "$h" = "${h##*/}" ] && [ -n "${home[$h]:-}" ]; then
        echo "layers: $f includes <$h>, a header of the project: include it with quotes"; bad=1
      fi
      continue ;;
    *) echo "layers: $f: '#include $line' names no file (a macro include is not allowed)"; bad=1; continue ;;
    esac
    to=${home[$h]:-}
    if [ -z "$to" ] || [ "$h" != "${h##*/}" ]; then
      echo "layers: $f includes \"$h\", which is no header of a folder (bare names only)"; bad=1; continue
    fi
    case " ${may[$layer]} " in *" $to "*) ;; *)
      echo "layers: $f ($layer) includes \"$h\" ($to): $layer may include only: ${may[$layer]}"; bad=1 ;;
    esac
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\(.*\)$/\1/p' "$f")
done < <(find "$SRC" -name '*.[ch]' | sort)
if [ $bad = 0 ]; then echo "layers: every include under $SRC/ points down"; fi
exit $bad
