"""`make faults`: the bad day's faults, one after another, under a bounded write load on loopback
(scans, applications with a photo, daily reports), on a stack of its own:
  (a) kill -9 of a worker (the master forks another);
  (b) kill -9 of the master (started again 2 s later, as the service manager does: run.sh under
      `make run`, Restart=on-failure RestartSec=2s in the systemd unit);
  (c) kill -9 of MariaDB, started again a second later (crash recovery);
  (d) the platform slow (every answer 10 s late), then absent (the simulator stopped);
  (e) the photo store full (a small tmpfs on data/photos, filled, then space freed).
Every acknowledged write (a scan's id, an application's person, a report's person) goes into a
ledger; afterwards every one must be in the database, and every person's photo in the store.
Prints, per fault, the errors seen by status and code word, the time to full service and the
number lost. Exits 1 on a lost write, a 500, a half-written application, or no full service
within RECOVERY_BOUND_S.

FAULTS_HOLD (seconds each slow/absent/full fault lasts, default 15), FAULTS_RATE (scans/s,
default 200); HQR_KEEP=1 keeps the stack's directory."""
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import requests

from faultlib import Load, Stack, found, helpers, photos_missing

HOLD = float(os.environ.get("FAULTS_HOLD", "15"))
RATE = float(os.environ.get("FAULTS_RATE", "200"))
RECOVERY_BOUND_S = 60.0
SLOW_S = 1.0  # a scan slower than this is not full service
failures = []


def wait_until(pred, limit, step=0.1):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def bad(r):
    return r[2] != "ok" or (r[0] == "scan" and r[3] > SLOW_S)


def served(load, since):
    """Full service: scans answered 200 in time for the last 3 s, and an application and a login
    acknowledged since `since` (the fault lifted)."""
    now = time.monotonic()
    if now - since < 3:
        return False
    recent = load.between(now - 3, now)
    scans = [r for r in recent if r[0] == "scan"]
    apps = [r for r in load.between(since, now) if r[0] == "application" and r[2] == "ok"]
    return bool(scans) and not any(bad(r) for r in recent) and bool(apps)


class Phase:
    def __init__(self, name):
        self.name, self.notes = name, []

    def begin(self):
        self.t0 = time.monotonic()

    def lifted(self, from_event=False):
        """The fault is over; the time to full service counts from here, or from the event
        itself when bringing the process back is part of the recovery (a restart)."""
        self.t_lift = time.monotonic()
        self.t_from = self.t0 if from_event else self.t_lift

    def end(self, load):
        ok = wait_until(lambda: served(load, self.t_from), RECOVERY_BOUND_S)
        self.t1 = time.monotonic()
        rs = load.between(self.t0, self.t1)
        self.errors = {}
        for r in rs:
            if r[2] != "ok":
                key = f"{r[0]}: {r[2]}"
                self.errors[key] = self.errors.get(key, 0) + 1
        self.during = [r for r in rs if r[1] < self.t_lift]
        late = [r for r in rs if bad(r) and r[1] + r[3] > self.t_from]
        self.recovery = max(r[1] + r[3] for r in late) - self.t_from if late else 0.0
        if not ok:
            failures.append(f"{self.name}: no full service within {RECOVERY_BOUND_S:.0f} s")
        self.served_ok = ok


def kill9(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def sim(st, method, path, **kw):
    return requests.request(method, helpers.sim_base(st) + path, timeout=5, **kw)


PLATFORM_EPS = ["/sns/jscode2session", "/cgi-bin/token", "/cgi-bin/stable_token",
                "/cityservice/face/identify/getverifyid", "/cityservice/face/identify/queryverifyinfo"]


def main():
    st = Stack("hqr-faults.")
    phases = []
    photos = None
    mounted = False
    load = None
    try:
        st.start()
        print(f"hqr faults: {RATE:.0f} scans/s from 6 clients, 1 client applying (login, face check,"
              f" application with a photo), reports from the red ones; 127.0.0.1, {os.cpu_count()} cores,"
              f" {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%MZ}", flush=True)
        load = Load(st, scan_rate=RATE)
        load.start()
        time.sleep(5)  # warm-up: the first answers of every kind

        # (a) a worker
        ph = Phase("(a) kill -9 of a worker")
        phases.append(ph)
        ph.begin()
        ws = st.workers()
        kill9(ws[0])
        ph.lifted(from_event=True)
        ph.notes.append(f"killed worker {ws[0]}; workers after: {st.workers()}")
        ph.end(load)
        ph.notes.append(f"workers now {st.workers()}")

        # (b) the master, brought back by the manager after RestartSec=2s
        ph = Phase("(b) kill -9 of the master")
        phases.append(ph)
        ph.begin()
        m = st.master()
        kill9(m)
        time.sleep(2)
        st.sh("app-start")
        ph.lifted(from_event=True)  # the manager's restart is part of the time to full service
        ph.notes.append(f"killed master {m}; started again after 2 s as {st.master()}")
        ph.end(load)

        # (c) MariaDB
        ph = Phase("(c) kill -9 of MariaDB")
        phases.append(ph)
        ph.begin()
        dbpid = st.pidfile("db/mysqld.pid")
        kill9(dbpid)
        wait_until(lambda: subprocess.run(["kill", "-0", str(dbpid)], capture_output=True).returncode != 0, 10)
        time.sleep(1)
        t = time.monotonic()
        st.sh("db-start")
        ph.notes.append(f"killed mariadbd {dbpid}; started again 1 s later, up after {time.monotonic() - t:.1f} s")
        ph.lifted(from_event=True)
        ph.end(load)

        # (d) the platform slow, then absent
        ph = Phase("(d1) the platform slow (10 s per answer)")
        phases.append(ph)
        ph.begin()
        for ep in PLATFORM_EPS:
            r = sim(st, "POST", "/sim/faults", json={"endpoint": ep, "kind": "delay", "delay_ms": 10000,
                                                     "count": 1000000})
            assert r.status_code == 201, r.text
        time.sleep(HOLD)
        sim(st, "DELETE", "/sim/faults")
        ph.lifted()
        ph.notes.append(f"{len(PLATFORM_EPS)} endpoints delayed for {HOLD:.0f} s")
        ph.end(load)

        ph = Phase("(d2) the platform absent")
        phases.append(ph)
        ph.begin()
        st.sh("sim-stop")
        time.sleep(HOLD)
        st.sh("sim-start")
        ph.lifted()
        ph.notes.append(f"simulator stopped for {HOLD:.0f} s")
        ph.end(load)

        # (e) the photo store full
        ph = Phase("(e) the photo store full")
        phases.append(ph)
        photos = os.path.join(st.dir, "data", "photos")
        os.makedirs(photos, mode=0o700, exist_ok=True)
        ph.begin()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "hqr-faults", photos], check=True)
        mounted = True
        subprocess.run(["dd", "if=/dev/zero", f"of={photos}/filler", "bs=64k"], capture_output=True)
        free = os.statvfs(photos)
        ph.notes.append(f"1 MB tmpfs on data/photos, filled ({free.f_bavail * free.f_frsize} bytes left)"
                        f" for {HOLD:.0f} s, then the filler removed")
        before = len(load.acked_between(0, time.monotonic())["application"])
        time.sleep(HOLD)
        full = load.between(ph.t0, time.monotonic(), "application")
        full_acked = len(load.acked_between(0, time.monotonic())["application"]) - before
        words = sorted({r[2] for r in full})
        ph.notes.append(f"applications while full: {len(full)}, acknowledged {full_acked}, answered "
                        f"{', '.join(words) or 'nothing'}")
        # Only the store's own word, never a 500, and nothing acknowledged that has no photo.
        if not full or words != ["503 PHOTO_STORE_FULL"]:
            failures.append(f"(e): applications while the photo store was full answered {words}")
        os.unlink(os.path.join(photos, "filler"))
        ph.lifted()
        ph.end(load)
    finally:
        if load is not None:
            load.stop()
        if mounted:
            # The photos written on the tmpfs go back onto the disk below it.
            keep = tempfile.mkdtemp(prefix="hqr-faults-photos.")
            shutil.copytree(photos, keep, dirs_exist_ok=True)
            if subprocess.run(["umount", photos]).returncode != 0:
                subprocess.run(["umount", "-l", photos])
            shutil.copytree(keep, photos, dirs_exist_ok=True)
            shutil.rmtree(keep, ignore_errors=True)

    try:
        total_lost = 0
        for i, ph in enumerate(phases):
            t_next = phases[i + 1].t0 if i + 1 < len(phases) else time.monotonic() + 3600
            acked = load.acked_between(ph.t0, t_next)
            print(f"\n{ph.name}")
            for n in ph.notes:
                print(f"  {n}")
            errs = ", ".join(f"{k} x{v}" for k, v in sorted(ph.errors.items())) or "none"
            print(f"  errors seen: {errs}")
            n500 = sum(v for k, v in ph.errors.items() if ": 500" in k)
            if n500:
                failures.append(f"{ph.name}: {n500} answers 500")
            scans_during = [r for r in ph.during if r[0] == "scan"]
            scan_errs = sum(1 for r in scans_during if r[2] != "ok")
            print(f"  scans during the fault: {len(scans_during)}, failed {scan_errs}")
            since = "the kill" if ph.t_from == ph.t0 else "the fault's end"
            print(f"  time to full service: {ph.recovery:.1f} s after {since}"
                  + ("" if ph.served_ok else f" (NOT within {RECOVERY_BOUND_S:.0f} s)"))
            lost, parts = 0, []
            for who in ("scan", "application", "report"):
                ids = acked[who]
                f = found(st, who, ids)
                lost += len(ids) - f
                parts.append(f"{who}s {len(ids)}")
            print(f"  acknowledged: {', '.join(parts)}; lost: {lost}")
            total_lost += lost
        missing = photos_missing(st)
        all_acked = load.acked_between(0, time.monotonic() + 3600)
        print(f"\nin all: {len(all_acked['scan'])} scans, {len(all_acked['application'])} applications, "
              f"{len(all_acked['report'])} reports acknowledged; lost: {total_lost}; "
              f"persons without their photo file: {len(missing)}")
        if total_lost:
            failures.append(f"{total_lost} acknowledged writes lost")
        for pub, created in missing:
            when = [ph.name for i, ph in enumerate(phases)
                    if pub in load.acked_between(ph.t0, phases[i + 1].t0 if i + 1 < len(phases) else 1e18)["application"]]
            print(f"  person {pub} (created {created}) has no photo file; acknowledged in: {when or 'none'}")
        if missing:
            failures.append(f"{len(missing)} persons without a photo file (half-written)")
    finally:
        st.stop()
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("faults: every fault survived, nothing acknowledged lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
