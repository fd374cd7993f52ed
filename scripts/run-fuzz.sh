#!/usr/bin/env bash
# Runs each libFuzzer target briefly over its seed corpus and kept crashers (tests/fuzz/corpus/NAME).
set -eu
build=$1; shift
secs=${FUZZ_SECONDS:-10}
for f in "$@"; do
  name=$(basename "$f")
  seeds=tests/fuzz/corpus/$name
  work="$build/fuzz/work-$name"
  rm -rf "$work"; mkdir -p "$work"
  echo "fuzz: $name for ${secs}s"
  "$f" -max_total_time="$secs" -max_len=65536 -timeout=5 -rss_limit_mb=1024 \
       -artifact_prefix="$build/fuzz/$name-" "$work" "$seeds" >"$build/fuzz/$name.log" 2>&1 \
    || { tail -n 40 "$build/fuzz/$name.log"; echo "fuzz: $name found a crash"; exit 1; }
done
