"""Showing a code with wrk, against the stack scripts/bench.sh started: a holder's bearer session
asks for its person's code status (JSON) and its code image (sign + QR + PNG), as a holder's page
does every refresh_after_s. Each is run three times, each run beside its own /healthz ceiling (the
machine is shared and drifts), and the median of the three ratios is reported with all three."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_bench as ab  # noqa: E402
import helpers  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def paired(url, script):
    ab.wrk(url, script, dur=2)  # warm-up
    runs = []
    for _ in range(RUNS):
        ceil = ab.wrk(f"{ab.BASE}/healthz")[0]
        runs.append((ab.wrk(url, script), ceil))
    runs.sort(key=lambda r: r[0][0] / r[1] if r[1] else 0)
    return runs[len(runs) // 2], ", ".join(f"{r[0][0] / r[1]:.2f}" for r in runs if r[1])


def main():
    st = ab.Stack()
    s, pid = helpers.new_person(st)
    hdr = ab.lua_headers({"Authorization": s.headers["Authorization"]})
    for name, path, target in (("code status JSON", "code", "0.6"), ("code.png (sign+QR+PNG)", "code.png", "0.3")):
        ((rps, p99, bad), ceil), ratios = paired(f"{ab.BASE}/api/v1/persons/{pid}/{path}", hdr)
        ratio = f"{rps / ceil:.2f}" if ceil else "n/a"
        print(f"{name:<34} {rps:10.2f} req/s  p99 {p99:>8}  ratio to FastCGI {ratio}  non-2xx {bad}  "
              f"target >= {target} (median of {RUNS} runs, each beside its own /healthz ceiling: {ratios})",
              flush=True)


if __name__ == "__main__":
    main()
