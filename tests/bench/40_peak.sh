#!/usr/bin/env bash
# 40_peak.sh: `make bench-peak` (BENCH_ONLY=peak scripts/bench.sh): the morning peak past capacity,
# on the stack scripts/bench.sh started. Not part of a plain `make bench` (it takes minutes).
set -euo pipefail
[ "${BENCH_ONLY:-}" = peak ] || exit 0
exec /usr/bin/python3 "$(dirname "$0")/peak_bench.py"
