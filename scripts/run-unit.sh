#!/usr/bin/env bash
# Runs each cmocka unit test binary from the repository root; fails if any fails.
set -u
export HQR_VECTORS="${HQR_VECTORS:-../shared/vectors}"
pass=0; fail=0
for t in "$@"; do
  if "$t"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAILED: $t" >&2; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
