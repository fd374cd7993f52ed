#!/usr/bin/env bash
# 25_codes.sh: showing a code (the status JSON and code.png a holder's page asks for), each as the
# median of three runs beside its own FastCGI ceiling (alone: BENCH_ONLY=codes make bench).
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/codes_bench.py"
