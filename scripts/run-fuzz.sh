#!/usr/bin/env bash
# Runs each libFuzzer target briefly over its seed corpus (tests/fuzz/corpus/NAME), after
# replaying every kept crasher of tests/fuzz/regress/NAME (each must now pass).
set -eu
build=$1; shift
secs=${FUZZ_SECONDS:-10}
for f in "$@"; do
  name=$(basename "$f")
  seeds=tests/fuzz/corpus/$name
  regress=tests/fuzz/regress/$name
  work="$build/fuzz/work-$name"
  rm -rf "$work"; mkdir -p "$work"
  if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
    echo "fuzz: $name replays $(ls "$regress" | wc -l) kept crasher(s)"
    "$f" -runs=0 -timeout=5 -rss_limit_mb=1024 "$regress"/* >"$build/fuzz/$name.regress.log" 2>&1 \
      || { tail -n 40 "$build/fuzz/$name.regress.log"; echo "fuzz: $name fails a kept crasher"; exit 1; }
  fi
  echo "fuzz: $name for ${secs}s"
  "$f" -max_total_time="$secs" -max_len=65536 -timeout=5 -rss_limit_mb=1024 \
       -artifact_prefix="$build/fuzz/$name-" "$work" "$seeds" >"$build/fuzz/$name.log" 2>&1 \
    || { tail -n 40 "$build/fuzz/$name.log"; echo "fuzz: $name found a crash"; exit 1; }
done
