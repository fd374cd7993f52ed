#!/bin/sh
# embed.sh NAME FILE: FILE's bytes as a C array NAME[] and its length NAME_len, for a file the
# service serves from its own binary (openapi.json: GET /api/v1/openapi.json is the build's own).
set -eu
name=$1
file=$2
[ -f "$file" ] || { echo "embed.sh: no file $file" >&2; exit 1; }
printf '/* Generated from %s by scripts/embed.sh: do not edit. */\n' "$file"
printf '#include <stddef.h>\n\n'
printf 'extern const unsigned char %s[];\nextern const size_t %s_len;\n\n' "$name" "$name"
printf 'const unsigned char %s[] = {\n' "$name"
od -An -v -tx1 "$file" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
printf '};\nconst size_t %s_len = sizeof %s;\n' "$name" "$name"
