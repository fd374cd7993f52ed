#!/usr/bin/env bash
# 30_places.sh: residents' check-ins at a place code (one person a request), as a ratio to the
# FastCGI ceiling, beside a device's scan measured in the same run (the same durable group write).
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/places_bench.py"
