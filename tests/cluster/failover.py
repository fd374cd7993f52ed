"""Failover under scan load (make test-cluster): a cluster of three Galera nodes and two
application hosts takes a bounded scan load while, in turn, a Galera node is killed with -9 and
started again (it rejoins by IST or SST), and one application host's master is killed with -9 and
started again. Every acknowledged scan id goes into a ledger; at the end each of the three nodes
must hold every one of them. Prints the errors each event caused, the time until every answer was
a 200 again, and which host nginx sent the scans to. Exits 1 when an acknowledged scan is missing,
a node does not rejoin, the service does not come back within the bound, or nginx kept sending to
the dead host.

FAILOVER_RATE (scans/s, default 300) and FAILOVER_THREADS (default 8) bound the load;
HQR_KEEP=1 keeps the cluster's directory."""
import datetime
import json
import os
import sys
import time

from clusterlib import Cluster, ScanLoad, ledger_check, scan_setup

RATE = float(os.environ.get("FAILOVER_RATE", "300"))
THREADS = int(os.environ.get("FAILOVER_THREADS", "8"))
RECOVERY_BOUND_S = 30.0
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print(f"  FAILED: {what}")


def wait_until(pred, limit, step=0.1):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


SLOW_S = 1.0  # an answer slower than this is not full service either


def recovery(load, t_event, t_end):
    """Seconds from the event to the end of the last request that failed or took over SLOW_S (0
    when none did): from then on every scan was answered 200 within SLOW_S."""
    bad = [r for r in load.between(t_event, t_end) if r[1] != "ok" or r[2] > SLOW_S]
    return max(r[0] + r[2] for r in bad) - t_event if bad else 0.0


def summarize(load, name, t_event, t_end):
    """The errors in [t_event, t_end) by kind, and the time from the event to the last error."""
    rs = load.between(t_event, t_end)
    errs = [r for r in rs if r[1] != "ok"]
    kinds = {}
    for r in errs:
        kinds[r[1]] = kinds.get(r[1], 0) + 1
    # Full service: from the last failed request on, everything answered 200.
    recovered = recovery(load, t_event, t_end)
    oks = [r for r in rs if r[1] == "ok"]
    slow = max((r[2] for r in oks), default=0.0)
    span = max(t_end - t_event, 1e-9)
    print(f"{name}: {len(rs)} scans in {span:.1f} s ({len(oks) / span:.0f}/s answered 200), "
          f"{len(errs)} errors {json.dumps(kinds) if kinds else ''}; slowest 200 {slow * 1000:.0f} ms; "
          f"full service (every answer a 200 within {SLOW_S:.0f} s) {recovered:.2f} s after the event")
    return recovered


def upstream_share(cl, since_wall, until_wall):
    """Scans per host in nginx's access log between two wall-clock times (seconds)."""
    host1 = os.path.join(cl.host_dir(1), "run", "hqr.sock")
    host2 = os.path.join(cl.host_dir(2), "run", "hqr.sock")
    counts = {"host 1": 0, "host 2": 0, "host 1 then 2": 0, "other": 0}
    with open(os.path.join(cl.dir, "nginx", "access.log"), encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("path") != "/api/v1/scans":
                continue
            t = datetime.datetime.fromisoformat(e["time"]).timestamp()
            if not since_wall - 1 <= t < until_wall + 1:
                continue
            up = e.get("upstream", "")
            if up == f"unix:{host1}":
                counts["host 1"] += 1
            elif up == f"unix:{host2}":
                counts["host 2"] += 1
            elif host1 in up and host2 in up:
                counts["host 1 then 2"] += 1
            else:
                counts["other"] += 1
    return counts


def rejoin_method(cl, node, log_size):
    with open(os.path.join(cl.dir, f"db{node}", "error.log"), encoding="utf-8", errors="replace") as f:
        f.seek(log_size)
        text = f.read()
    if "IST received" in text or "Receiving IST" in text:
        return "IST"
    if "SST completed" in text or "SST started" in text:
        return "SST"
    return "unknown"


def main():
    cl = Cluster()
    t_start = time.monotonic()
    print(f"failover: starting a cluster in {cl.dir} ...", flush=True)
    try:
        cl.start()
        print(f"cluster up in {time.monotonic() - t_start:.0f} s; load: {THREADS} clients, at most "
              f"{RATE:.0f} scans/s in all", flush=True)
        dev, token, qr = scan_setup(cl)
        load = ScanLoad(cl, token, qr, threads=THREADS, rate=RATE)
        mono0 = time.monotonic()
        load.start()
        time.sleep(4)
        t_base = time.monotonic()
        time.sleep(3)
        summarize(load, "before any fault", t_base, time.monotonic())

        # 1. A Galera node killed with -9: host 2's own node; host 2 moves to the next node.
        victim = 2
        log_size = os.path.getsize(os.path.join(cl.dir, f"db{victim}", "error.log"))
        t_kill = time.monotonic()
        cl.sh("node-kill", victim)
        time.sleep(8)
        # Then until two seconds pass with every answer a 200 within SLOW_S (at most the bound).
        wait_until(lambda: time.monotonic() - t_kill > RECOVERY_BOUND_S or not [
            r for r in load.between(time.monotonic() - 2, time.monotonic()) if r[1] != "ok" or r[2] > SLOW_S],
            RECOVERY_BOUND_S)
        size_after = cl.status(1, "wsrep_cluster_size")
        print(f"node {victim} killed (kill -9): cluster size seen by node 1 {time.monotonic() - t_kill:.0f} s "
              f"later: {size_after}")
        check(size_after == "2", f"node 1 still counts {size_after} nodes after node {victim} died")
        t_restart = time.monotonic()
        summarize(load, f"node {victim} killed", t_kill, t_restart)
        cl.sh("node-start", victim)
        rejoin = time.monotonic() - t_restart
        method = rejoin_method(cl, victim, log_size)
        sizes = [cl.status(n, "wsrep_cluster_size") for n in (1, 2, 3)]
        print(f"node {victim} started again: synced after {rejoin:.1f} s, by {method}; cluster sizes {sizes}")
        check(sizes == ["3", "3", "3"], f"the cluster did not come back to three nodes: {sizes}")
        check(method in ("IST", "SST"), "the node's log names no state transfer")
        time.sleep(3)
        summarize(load, f"node {victim} rejoining", t_restart, time.monotonic())
        rec_node = recovery(load, t_kill, t_restart)
        rejoin_errors = [r for r in load.between(t_restart, time.monotonic()) if r[1] != "ok"]
        check(not rejoin_errors, f"{len(rejoin_errors)} scans failed while node {victim} rejoined")
        check(rec_node < RECOVERY_BOUND_S, f"scans failed for {rec_node:.1f} s after the node was killed")

        # 2. One application host's master killed with -9: its workers follow it (parent-death
        # signal), nginx finds the socket dead and sends everything to the other host.
        master = cl.master_pid(1)
        workers = [int(x) for x in open(f"/proc/{master}/task/{master}/children").read().split()]
        t_host = time.monotonic()
        wall_host = time.time()
        os.kill(master, 9)
        gone = wait_until(lambda: not any(os.path.exists(f"/proc/{w}") for w in workers), 40)
        check(gone, "host 1's workers outlived their master")
        time.sleep(6)
        t_host_back = time.monotonic()
        wall_host_back = time.time()
        rec_host = summarize(load, "host 1's master killed", t_host, t_host_back)
        check(rec_host < RECOVERY_BOUND_S, f"scans failed for {rec_host:.1f} s after host 1's master died")
        # Once the workers have drained, every scan goes to host 2.
        share = upstream_share(cl, wall_host + 3, wall_host_back)
        print(f"scans per host while host 1 was down (from 3 s after the kill): {share}")
        check(share["host 1"] == 0 and share["host 2"] > 0, f"nginx kept sending to the dead host: {share}")
        cl.sh("host-start", 1)
        time.sleep(7)  # nginx tries host 1 again after fail_timeout (5 s)
        t_end = time.monotonic()
        summarize(load, "host 1 started again", t_host_back, t_end)
        share = upstream_share(cl, time.time() - 2, time.time())
        print(f"scans per host in the last 2 s: {share}")
        check(share["host 1"] > 0, "nginx did not send scans to host 1 again")
        load.stop()

        # The ledger: every acknowledged scan on every node.
        acked = load.acked
        total = len(load.results)
        check(len(set(acked)) == len(acked), "a scan id was acknowledged twice")
        check(wait_until(lambda: all(cl.status(n, "wsrep_local_state_comment") == "Synced" for n in (1, 2, 3)), 60),
              "the nodes are not all synced at the end")
        for n in (1, 2, 3):
            found = ledger_check(cl, acked, n)
            print(f"node {n}: {found} of {len(acked)} acknowledged scans")
            check(found == len(acked), f"node {n} misses {len(acked) - found} acknowledged scans")
        rows = int(cl.sql(f"SELECT COUNT(*) FROM scans WHERE device_id = {dev}")[0][0])
        print(f"in all: {total} scans sent in {time.monotonic() - mono0:.0f} s, {len(acked)} acknowledged, "
              f"{total - len(acked)} errors; {rows} rows for the device ({rows - len(acked)} written but not "
              f"acknowledged: their answers were lost with the host or node that wrote them)")
        check(rows >= len(acked), "fewer rows than acknowledged scans")
    finally:
        cl.stop(keep=os.environ.get("HQR_KEEP") == "1" or bool(failures))
    if failures:
        print(f"failover: {len(failures)} checks failed")
        return 1
    print("failover: nothing acknowledged was lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
