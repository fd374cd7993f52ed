#!/usr/bin/env bash
# fuzz-long.sh: `make fuzz-long`: each libFuzzer target toward FUZZ_LONG_RUNS executions (10 M by
# default), in parts across runs. The corpus each target grows is kept under var/fuzz/corpus/NAME
# and its count of executions so far in var/fuzz/progress/NAME, so a later run continues where
# this one stopped; a target that has reached the goal is skipped. One part runs a target for at
# most FUZZ_LONG_SECONDS (default 600) and FUZZ_LONG_PART executions (default 2 M), one process
# at a time under nice (the machine is shared). FUZZ_LONG_ONLY=NAME,NAME limits the targets.
# A crash stops the run: its input is left in var/fuzz/crash/; fix the code, then keep the input
# as tests/fuzz/regress/NAME/<what-it-was> (the ordinary `make fuzz-run` replays every one).
set -eu
build=$1; shift
goal=${FUZZ_LONG_RUNS:-10000000}
part=${FUZZ_LONG_PART:-2000000}
secs=${FUZZ_LONG_SECONDS:-600}
var=${FUZZ_LONG_DIR:-var/fuzz}
mkdir -p "$var/corpus" "$var/progress" "$var/crash" "$var/log"
only=",${FUZZ_LONG_ONLY:-},"
for f in "$@"; do
  name=$(basename "$f")
  if [ "$only" != ",," ] && [ "${only#*,$name,}" = "$only" ]; then continue; fi
  done_runs=$(cat "$var/progress/$name" 2>/dev/null || echo 0)
  if [ "$done_runs" -ge "$goal" ]; then
    echo "fuzz-long: $name: $done_runs executions, goal $goal reached"; continue
  fi
  want=$((goal - done_runs)); [ "$want" -le "$part" ] || want=$part
  corpus="$var/corpus/$name"; mkdir -p "$corpus"
  dirs=("$corpus" "tests/fuzz/corpus/$name")
  [ -d "tests/fuzz/regress/$name" ] && dirs+=("tests/fuzz/regress/$name")
  log="$var/log/$name.log"
  echo "fuzz-long: $name: $done_runs executions so far, this part up to $want (${secs}s at most)"
  set +e
  nice -n 10 "$f" -runs="$want" -max_total_time="$secs" -max_len=65536 -timeout=5 -rss_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="$var/crash/$name-" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  set -e
  ran=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  # Without the final stats (killed), the last status line's count.
  [ -n "$ran" ] || ran=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
  ran=${ran:-0}
  echo $((done_runs + ran)) > "$var/progress/$name"
  echo "fuzz-long: $name: +$ran, $((done_runs + ran)) of $goal ($(date -u +%Y-%m-%dT%H:%MZ))"
  if [ $rc -eq 72 ]; then # libFuzzer's exit on SIGINT: what ran is counted, the run stops
    echo "fuzz-long: $name interrupted"; exit 1
  fi
  if [ $rc -ne 0 ]; then
    tail -n 40 "$log"
    echo "fuzz-long: $name found a crash: $(ls -t "$var/crash/$name-"* 2>/dev/null | head -n 1)"
    exit 1
  fi
done
echo "fuzz-long: progress (executions so far, goal $goal):"
for f in "$@"; do
  name=$(basename "$f")
  printf '  %-18s %s\n' "$name" "$(cat "$var/progress/$name" 2>/dev/null || echo 0)"
done
