"""`make soak`: a long run at half the knee of mixed traffic on loopback, watching the workers'
memory (VmRSS) and open descriptors (/proc/PID/fd) for growth, on a stack of its own.

The traffic: wrk with a Lua script, of every 20 requests 16 scans (a device at a mall, a green
code), 3 code status reads and 1 code.png of the holder; beside it one client logging in and
applying (a photo, the face check) over and over, at most SOAK_APP_RATE a second (8), every other
time for a relative of an account it made (the same paths from the start). The knee is
the highest served rate of a short closed-loop ramp of the same mix (8 to 64 connections) unless
SOAK_KNEE gives it; the soak paces wrk's connections (wrk's delay()) to half of it. They leave
room at the door for the applying client's two (nginx's limit_conn app lets workers x threads
requests in at once, 32 by default), so that the soak's own bursts are not refused there: half
the knee is a load the service serves, not one it sheds.

Every answer other than a 2xx or 3xx is named at the end, by status and where it was made, from
nginx's access log of the soak's stack (wrk's answers and the applying client's), and the
applying client's by step and error code word.

SOAK_SECONDS (default 600), SOAK_WARMUP (seconds before the baseline, default 60),
SOAK_KNEE (req/s, skips the ramp); HQR_KEEP=1 keeps the stack's directory. Targets: worker RSS
growth after the warm-up at most 1 %, descriptors not growing. Exits 1 when a target is missed."""
import collections
import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from faultlib import Load, Stack, helpers, ini_value

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
WARMUP = int(os.environ.get("SOAK_WARMUP", "60"))
KNEE = float(os.environ.get("SOAK_KNEE", "0") or 0)
CONN_MAX = 64
SAMPLE_S = 5
# The applying client's pace: logins and applications a second. Each of its accounts is a user of
# the platform's simulator, which holds about a thousand, and an account applies for itself and
# [rules] delegation_limit relatives: about 6000 applications in all, 12 minutes at this pace.
APP_RATE = float(os.environ.get("SOAK_APP_RATE", "8"))


def lua(dev, holder, pid, qr, delay_ms=None):
    s = f'''
local scan = [=[{{"qr":"{qr}","direction":"in","temperature":36.5}}]=]
local dev = {{["Authorization"] = "Bearer {dev}", ["Content-Type"] = "application/json"}}
local holder = {{["Authorization"] = "{holder}"}}
local n = 0
request = function()
  n = n + 1
  local k = n % 20
  if k < 16 then
    return wrk.format("POST", "/api/v1/scans", dev, scan)
  elseif k < 19 then
    return wrk.format("GET", "/api/v1/persons/{pid}/code", holder)
  end
  return wrk.format("GET", "/api/v1/persons/{pid}/code.png", holder)
end
'''
    if delay_ms is not None:
        s += f"delay = function() return {delay_ms} end\n"
    return s


def wrk(base, script, conn, secs, work):
    path = os.path.join(work, f"s{time.monotonic_ns()}.lua")
    with open(path, "w") as f:
        f.write(script)
    out = subprocess.run(["wrk", "-t2", f"-c{conn}", f"-d{secs}s", "--latency", "-s", path, base + "/"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    return helpers.wrk_figures(out)


def proc(pid):
    """(VmRSS in kB, open descriptors) of a process."""
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def refusals(st, since):
    """The answers nginx logged from `since` on that were neither 2xx nor 3xx, counted by status
    and where they were made: an error location of the door's (nginx's own, /_hqr/error/...; its
    log names that location, not the route it refused), or the route the application answered on
    (ids left out)."""
    n = collections.Counter()
    with open(os.path.join(st.dir, "nginx", "access.log"), encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
                at = datetime.datetime.fromisoformat(e["time"])
            except (ValueError, KeyError):
                continue
            if at < since or e["status"] < 400:
                continue
            path = e["path"]
            if path.startswith("/_hqr/error/"):
                where = f"nginx {path}"
            else:
                where = "application " + "/".join("{id}" if len(x) >= 16 else x for x in path.split("/"))
            n[(e["status"], where)] += 1
    return n


def main():
    st = Stack("hqr-soak.")
    work = tempfile.mkdtemp(prefix="hqr-soak-lua.")
    failures = []
    try:
        st.start()
        s, pid = helpers.new_person(st)
        cp = helpers.checkpoint(st, name=helpers.unique("soak-mall"))
        dev = helpers.device_token(st, cp)
        qr = helpers.qr_text(s, st, pid)
        holder = s.headers["Authorization"]
        print(f"hqr soak: 127.0.0.1, {os.cpu_count()} cores, "
              f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%MZ}; mix of 20: 16 scans, "
              f"3 code status, 1 code.png (wrk), and one client applying beside it (at most {APP_RATE:g}/s)",
              flush=True)
        knee = KNEE
        if knee <= 0:
            wrk(st.base, lua(dev, holder, pid, qr), 16, 3, work)  # warm-up
            for c in (8, 16, 32, 64):
                rps, p99, bad = wrk(st.base, lua(dev, holder, pid, qr), c, 5, work)
                print(f"  ramp: {c:3d} connections {rps:8.0f} req/s  p99 {p99}  non-2xx {bad}", flush=True)
                knee = max(knee, rps)
            print(f"knee (highest served rate of the ramp): {knee:.0f} req/s")
        else:
            print(f"knee (given): {knee:.0f} req/s")
        target = knee / 2
        door = int(ini_value(st.conf_path, "server", "workers") or 2) * int(
            ini_value(st.conf_path, "server", "threads") or 16)
        conn = min(CONN_MAX, door - 2)   # the applying client's login or application and its report beside
        # Each connection: one request, then delay_ms. A connection's cycle is the answer's time
        # plus the delay: two short runs measure the answer's time at the pace and correct it.
        delay_ms = max(1, int(conn * 1000 / target) - 2)
        for _ in range(2):
            rps = wrk(st.base, lua(dev, holder, pid, qr, delay_ms), conn, 5, work)[0]
            answer_ms = max(0.0, conn * 1000 / max(rps, 1.0) - delay_ms)
            delay_ms = max(1, int(conn * 1000 / target - answer_ms))
            print(f"  pacing: {rps:.0f} req/s, answers take {answer_ms:.1f} ms: delay {delay_ms} ms", flush=True)
        print(f"soak: {SECONDS} s at {target:.0f} req/s ({conn} connections, the door's cap {door}; {delay_ms} ms "
              f"between a connection's requests), warm-up {WARMUP} s", flush=True)

        apps = Load(st, scan_threads=0, app_threads=1, report_rate=0.5, app_rate=APP_RATE, relatives=True)
        since = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        apps.start()
        result = {}
        t = threading.Thread(target=lambda: result.update(
            zip(("rps", "p99", "bad"), wrk(st.base, lua(dev, holder, pid, qr, delay_ms), conn, SECONDS, work))))
        t0 = time.monotonic()
        t.start()
        workers = st.workers()
        master = st.master()
        samples = []  # (seconds, {pid: (rss, fds)}, master fds)
        last_print = -60
        while t.is_alive():
            el = time.monotonic() - t0
            try:
                row = {w: proc(w) for w in workers}
                samples.append((el, row, proc(master)[1]))
            except FileNotFoundError:
                failures.append("a worker disappeared during the soak")
                break
            if el - last_print >= 60:
                last_print = el
                print(f"  {el:5.0f} s  " + "  ".join(f"worker {w}: RSS {r[0]} kB, {r[1]} fds"
                                                    for w, r in row.items()) + f"  master: {samples[-1][2]} fds",
                      flush=True)
            time.sleep(SAMPLE_S)
        t.join()
        apps.stop()
        row = {w: proc(w) for w in workers if os.path.exists(f"/proc/{w}")}
        samples.append((time.monotonic() - t0, row, proc(master)[1]))

        served = result.get("rps", 0.0)
        print(f"served {served:.0f} req/s (target {target:.0f}), p99 {result.get('p99')}, "
              f"non-2xx {result.get('bad')}")
        logged = refusals(st, since)
        other = ", ".join(f"{code} {where} x{n}" for (code, where), n in sorted(logged.items()))
        print(f"answers 4xx/5xx in nginx's log during the soak (wrk's and the applying client's): {other or 'none'}")
        if any(code == 500 for code, _ in logged):
            failures.append("answers 500 in nginx's log")
        tally = apps.tally()
        ok = ", ".join(f"{who} {n}" for (who, kind), n in sorted(tally.items()) if kind == "ok")
        other = ", ".join(f"{who}: {kind} x{n}" for (who, kind), n in sorted(tally.items()) if kind != "ok")
        print(f"the applying client, acknowledged: {ok or 'none'}; other answers: {other or 'none'}")
        if apps.phone:
            print("  its phone's login codes not given by the platform's side (the simulator, not the service): "
                  + ", ".join(f"{k} x{n}" for k, n in sorted(apps.phone.items())))
        n500 = sum(n for (who, kind), n in tally.items() if kind.startswith("500 "))
        if n500:
            failures.append(f"{n500} answers 500 to the applying client")
        base = next((x for x in samples if x[0] >= WARMUP), samples[0])
        end = samples[-1]
        tot0 = sum(r[0] for r in base[1].values())
        tot1 = sum(r[0] for w, r in end[1].items() if w in base[1])
        # Descriptors come and go with the requests in flight (connections to nginx, the database,
        # the platform): the highest count of the last minute against that of the first minute
        # after the warm-up.
        win = min(60.0, max(SAMPLE_S, (end[0] - base[0]) / 3))
        first = [x for x in samples if base[0] <= x[0] < base[0] + win]
        final = [x for x in samples if x[0] > end[0] - win]
        for w in workers:
            if w in base[1] and w in end[1]:
                r0, r1 = base[1][w], end[1][w]
                f0 = max(x[1][w][1] for x in first if w in x[1])
                f1 = max(x[1][w][1] for x in final if w in x[1])
                print(f"worker {w}: RSS {r0[0]} kB at {base[0]:.0f} s -> {r1[0]} kB at {end[0]:.0f} s "
                      f"({(r1[0] - r0[0]) * 100.0 / r0[0]:+.2f} %); fds at most {f0} in the first "
                      f"{win:.0f} s after the warm-up, at most {f1} in the last {win:.0f} s")
                if f1 > f0:
                    failures.append(f"worker {w}'s descriptors grew ({f0} -> {f1})")
        growth = (tot1 - tot0) * 100.0 / tot0 if tot0 else 0.0
        print(f"workers' RSS growth after the warm-up: {growth:+.2f} % (target at most 1 %); "
              f"master fds {base[2]} -> {end[2]}")
        peak = max(sum(r[0] for r in x[1].values()) for x in samples if x[0] >= base[0])
        print(f"workers' RSS after the warm-up: {tot0} kB, peak {peak} kB, end {tot1} kB")
        if growth > 1.0:
            failures.append(f"RSS grew {growth:.2f} %")
        if end[2] > base[2]:
            failures.append(f"the master's descriptors grew ({base[2]} -> {end[2]})")
        if served < target * 0.8:
            failures.append(f"served {served:.0f} req/s, under 80 % of the target {target:.0f}")
    finally:
        st.stop()
        subprocess.run(["rm", "-rf", work])
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("soak: within the targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
