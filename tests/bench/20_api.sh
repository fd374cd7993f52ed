#!/usr/bin/env bash
# 20_api.sh: the API's benchmarks (logins, applications, code status, images, scans, trace),
# each as a ratio to the FastCGI ceiling measured in the same run by scripts/bench.sh.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/api_bench.py"
