"""make bench-cluster: the cluster's throughput and what each request costs, not a pass/fail test.

Scans per second through nginx with both application hosts in the upstream, then with host 2
stopped (one host), each as a ratio to the FastCGI ceiling (/healthz through nginx to both hosts)
measured in the same run. Then the CPU time each part spends per request (application hosts,
nginx, each Galera node; from /proc, under wrk or a bounded client) for a scan, a code display
(status JSON and image) and an application: the per-core figures of README's capacity plan.
Everything shares this machine's cores with wrk and the load clients, so the ratios are what can
be compared; BENCH_SECONDS (default 8) and BENCH_CONNECTIONS (default 64) set wrk's run."""
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import time

from clusterlib import Cluster, helpers, scan_setup

DUR = int(os.environ.get("BENCH_SECONDS", "8"))
CONN = int(os.environ.get("BENCH_CONNECTIONS", "64"))
TICK = os.sysconf("SC_CLK_TCK")
WORK = tempfile.mkdtemp(prefix="hqr-bench-cluster.")


# Every run's answers other than 2xx, by status and the error's code (the body's "code"; "-"
# without one), counted in each wrk thread and summed at the end: wrk itself gives only their
# number. Added to every run, the ceiling's too, so that its small cost is the same in each.
COUNT_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
bad = {}
function response(status, headers, body)
  if status < 200 or status > 299 then
    local k = status .. " " .. ((body and string.match(body, '"code":"([A-Z_]+)"')) or "-")
    bad[k] = (bad[k] or 0) + 1
  end
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("bad")) do all[k] = (all[k] or 0) + v end
  end
  for k, v in pairs(all) do io.write(string.format("NON2XX %s %d\\n", k, v)) end
end
"""


def wrk(url, script="", dur=DUR, conn=CONN):
    """(2xx answers per second, p99, non-2xx answers, requests, {"503 BUSY": n, ...}). The rate
    counts only 2xx answers: wrk's Requests/sec counts a refusal (a shed 503) as a request."""
    path = os.path.join(WORK, "s.lua")
    with open(path, "w", encoding="utf-8") as f:
        f.write(script + COUNT_LUA)
    args = ["wrk", "-t2", f"-c{conn}", f"-d{dur}s", "--latency", "-s", path]
    out = subprocess.run(args + [url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    rps = p99 = None
    bad = reqs = 0
    kinds = {}
    for line in out.splitlines():
        w = line.split()
        if line.startswith("Requests/sec:"):
            rps = float(w[1])
        elif w[:1] == ["99%"]:
            p99 = w[1]
        elif line.strip().startswith("Non-2xx"):
            bad = int(w[-1])
        elif w[:1] == ["NON2XX"]:
            kinds[" ".join(w[1:-1])] = int(w[-1])
        elif line.strip().startswith("Socket errors:"):
            kinds["socket errors (" + line.split(":", 1)[1].strip() + ")"] = 1
        elif "requests in" in line:
            reqs = int(w[0])
    rps = rps or 0.0
    if reqs > 0:
        rps = rps * (reqs - min(bad, reqs)) / reqs
    return rps, p99 or "?", bad, reqs, kinds


def bad_text(bad, kinds):
    """'non-2xx 25 (503 BUSY 25)': the count and what they were."""
    if not kinds:
        return f"non-2xx {bad}"
    return f"non-2xx {bad} (" + ", ".join(f"{k} {v}" if not k.startswith("socket") else k
                                          for k, v in sorted(kinds.items())) + ")"


def lua(headers, method="GET", body=None):
    lines = [f'wrk.method = "{method}"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    if body is not None:
        lines.append(f"wrk.body = [=[{body}]=]")
    return "\n".join(lines) + "\n"


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except OSError:
        return 0


def parts(cl):
    """{part: [pids]}: each host's master and workers, nginx's master and workers, each node."""
    out = {}
    for n in (1, 2):
        try:
            m = cl.master_pid(n)
            out[f"host {n}"] = [m] + children(m)
        except (OSError, ValueError):
            out[f"host {n}"] = []
    ng = cl.pid("nginx/nginx.pid")
    out["nginx"] = [ng] + children(ng)
    for n in (1, 2, 3):
        out[f"node {n}"] = [cl.pid(f"db{n}/mysqld.pid")]
    return out


def measure(cl, run):
    """Runs run() (returning the number of requests done) and the CPU seconds each part spent."""
    ps = parts(cl)
    before = {k: sum(cpu_ticks(p) for p in v) for k, v in ps.items()}
    n = run()
    after = {k: sum(cpu_ticks(p) for p in v) for k, v in ps.items()}
    return n, {k: (after[k] - before[k]) / TICK for k in ps}


def cost_line(name, n, cpu):
    if n <= 0:
        print(f"{name}: no requests")
        return
    app = cpu["host 1"] + cpu["host 2"]
    db = cpu["node 1"] + cpu["node 2"] + cpu["node 3"]
    def per(sec):  # microseconds of CPU per request
        return sec / n * 1e6
    nodes = " / ".join(f"{per(cpu['node ' + str(k)]):.0f}" for k in (1, 2, 3))
    print(f"{name:<26} {n:>7} requests: CPU per request  application {per(app):6.0f} us  nginx "
          f"{per(cpu['nginx']):5.0f} us  Galera nodes {per(db):6.0f} us "
          f"({nodes})  "
          f"=> {1e6 / per(app) if app else 0:,.0f} per application core")


def main():
    cl = Cluster()
    os.environ.setdefault("HQR_WORKERS", "2")
    os.environ.setdefault("HQR_THREADS", "16")
    try:
        t0 = time.monotonic()
        cl.start()
        print(f"hqr bench-cluster: 3 Galera nodes, 2 application hosts (2 workers x 16 threads each), "
              f"wrk -t2 -c{CONN} -d{DUR}s, {os.cpu_count()} cores shared by all; cluster up in "
              f"{time.monotonic() - t0:.0f} s", flush=True)
        s, pid = helpers.new_person(cl)
        dev, token, qr = scan_setup(cl)
        del dev
        scan = lua({"Authorization": "Bearer " + token, "Content-Type": "application/json"}, "POST",
                   '{"qr":"%s","direction":"in","temperature":36.5}' % qr)
        base = cl.base
        wrk(base + "/api/v1/scans", scan, dur=2)  # warm-up: the committers prepare their statements
        holder = {}

        def scans(key):
            def run():
                holder[key] = wrk(base + "/api/v1/scans", scan)
                return holder[key][3]
            return run

        # Each scan run beside its own ceiling (/healthz through nginx to both hosts), as the
        # machine's other load drifts.
        ceil2, c2p99, cbad2, _, ckinds2 = wrk(base + "/healthz")
        n2, cpu2 = measure(cl, scans("two"))
        cl.sh("host-stop", 2)
        time.sleep(0.5)
        n1, cpu1 = measure(cl, scans("one"))
        cl.sh("host-start", 2)
        time.sleep(6)  # nginx tries host 2 again after fail_timeout
        ceil1, c1p99, cbad1, _, ckinds1 = wrk(base + "/healthz")
        rps2, p2, bad2, _, kinds2 = holder["two"]
        rps1, p1, bad1, _, kinds1 = holder["one"]
        print(f"{'ceiling: /healthz, both hosts':<34} {ceil2:10.0f} req/s  p99 {c2p99:>8}  (before the two-host run)  "
              f"{bad_text(cbad2, ckinds2)}")
        print(f"{'scans, two hosts':<34} {rps2:10.0f} req/s  p99 {p2:>8}  ratio to the ceiling "
              f"{rps2 / ceil2:.2f}  {bad_text(bad2, kinds2)}")
        print(f"{'scans, one host (host 2 stopped)':<34} {rps1:10.0f} req/s  p99 {p1:>8}  ratio to the ceiling "
              f"{rps1 / ceil1:.2f}  {bad_text(bad1, kinds1)}")
        print(f"{'ceiling: /healthz, both hosts':<34} {ceil1:10.0f} req/s  p99 {c1p99:>8}  (after the one-host run)  "
              f"{bad_text(cbad1, ckinds1)}")
        print("(req/s counts 2xx answers only; 503 BUSY is the application's own shedding, DESIGN §13: a "
              "request that waited [server] queue_ms for a thread, the newest served first)")
        print(f"two hosts / one host: {rps2 / rps1 if rps1 else 0:.2f} (on {os.cpu_count()} shared cores the "
              f"second host adds processes, not cores)")

        print("CPU per request, from /proc (all parts on the same cores; the application's share is what "
              "application cores must carry):")
        cost_line("scan (two hosts)", n2, cpu2)
        cost_line("scan (one host)", n1, cpu1)
        bearer = s.headers["Authorization"]
        for name, path in (("code status JSON", f"/api/v1/persons/{pid}/code"),
                           ("code image (code.png)", f"/api/v1/persons/{pid}/code.png")):
            res = {}

            def show(path=path, res=res):
                res["r"] = wrk(base + path, lua({"Authorization": bearer}))
                return res["r"][3]
            n, cpu = measure(cl, show)
            print(f"{name:<34} {res['r'][0]:10.0f} req/s  p99 {res['r'][1]:>8}  {bad_text(res['r'][2], res['r'][4])}")
            cost_line(name, n, cpu)

        # Applications: each a new account and person with a 200 KB photo, 8 clients at a time.
        sessions = [helpers.login_mp(cl) for _ in range(48)]
        photo = helpers.jpeg_photo(size_kb=200)
        codes = []

        def apply_all():
            def one_app(sess):
                r = helpers.apply(sess, cl, photo=photo)
                codes.append(r.status_code)
            t = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(8) as ex:
                list(ex.map(one_app, sessions))
            holder["apps_s"] = time.monotonic() - t
            return sum(1 for c in codes if c == 201)
        n, cpu = measure(cl, apply_all)
        print(f"{'applications (200 KB photo)':<34} {n / holder['apps_s']:10.0f} req/s  ({n} of {len(codes)} "
              f"answered 201, 8 clients)")
        cost_line("application", n, cpu)
    finally:
        cl.stop(keep=os.environ.get("HQR_KEEP") == "1")
        shutil.rmtree(WORK, ignore_errors=True)  # wrk's scripts
    return 0


if __name__ == "__main__":
    sys.exit(main())
