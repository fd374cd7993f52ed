"""What the cluster's failover test and benchmark share: a cluster started with scripts/cluster.sh
in a throwaway directory, the parts of the integration harness's stack that helpers.py uses, and a
bounded scan load that keeps a ledger of every acknowledged scan."""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import helpers  # noqa: E402  (the integration suite's steps: logins, applications, devices)

CLUSTER_SH = os.path.join(ROOT, "scripts", "cluster.sh")
BUILD = os.environ.get("HQR_BUILD", "build")


class Cluster:
    """A cluster of scripts/cluster.sh in its own directory; stop() leaves nothing running."""

    def __init__(self, directory=None):
        self.dir = directory or tempfile.mkdtemp(prefix="hqr-cluster-")
        os.chmod(self.dir, 0o755)
        self.env = {}

    def sh(self, cmd, *args, timeout=600, check=True):
        env = dict(os.environ, HQR_BUILD=BUILD, HQR_RATE="1000000", HQR_BURST="1000000")
        p = subprocess.run([CLUSTER_SH, cmd, self.dir, *map(str, args)], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"cluster.sh {cmd} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def start(self):
        self.sh("start")
        with open(os.path.join(self.dir, "stack.env"), encoding="utf-8") as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                self.env[k] = v
        self.http_port = int(self.env["HTTP_PORT"])
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.conf_path = self.env["HQR_CONF"]
        self.db_cnf = self.env["DB_CNF"]

    def stop(self, keep=False):
        pids = {int(x) for x in self.sh("pids", check=False).stdout.split() if x.isdigit()}
        self.sh("stop", check=False)
        for p in pids:  # nothing stays behind, even after a failure
            try:
                os.kill(p, 9)
            except ProcessLookupError:
                pass
        if keep:
            print(f"cluster directory kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- what helpers.py calls -----------------------------------------------------------------
    def url(self, path):
        return self.base + path

    def run_bin(self, name, *args, timeout=600):
        b = BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD)
        return subprocess.run([os.path.join(b, name), *args], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=timeout)

    def sql(self, query, node=1):
        cnf = os.path.join(self.dir, f"db{node}", "my.cnf")
        p = subprocess.run(["mariadb", f"--defaults-file={cnf}", "-uroot", "-N", "-B", "hqr", "-e", query],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"node {node}: {p.stderr}")
        return [line.split("\t") for line in p.stdout.splitlines()]

    def status(self, node, variable):
        cnf = os.path.join(self.dir, f"db{node}", "my.cnf")
        p = subprocess.run(["mariadb", f"--defaults-file={cnf}", "-uroot", "-N", "-B", "--connect-timeout=1",
                            "-e", f"SHOW GLOBAL STATUS LIKE '{variable}'"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
        return p.stdout.split()[1] if p.returncode == 0 and p.stdout.split() else None

    def pid(self, rel):
        with open(os.path.join(self.dir, rel), encoding="ascii") as f:
            return int(f.read().strip())

    def host_dir(self, n):
        return self.dir if n == 1 else os.path.join(self.dir, f"host{n}")

    def master_pid(self, n):
        return self.pid(os.path.join(self.host_dir(n), "run", "hqr.pid"))


def scan_setup(cl):
    """A checkpoint, its device's token, and a person's green code: (device id, token, qr)."""
    s, pid = helpers.new_person(cl)
    cp = helpers.checkpoint(cl, name=helpers.unique("cluster-mall"))
    token = helpers.device_token(cl, cp)
    qr = helpers.qr_text(s, cl, pid)
    dev = int(cl.sql(f"SELECT id FROM devices WHERE checkpoint_id = {cp}")[0][0])
    return dev, token, qr


class ScanLoad:
    """threads clients, each scanning in turn at most rate/threads a second: every answer is
    recorded with its time; a 200's scan id goes into the ledger of acknowledged scans."""

    def __init__(self, cl, token, qr, threads=8, rate=300.0):
        self.cl, self.token, self.qr = cl, token, qr
        self.threads, self.period = threads, threads / rate
        self.stop_at = None
        self.lock = threading.Lock()
        self.results = []  # (monotonic time, "ok" or an error's kind, latency)
        self.acked = []
        self._stop = threading.Event()
        self._ts = []

    def _client(self):
        body = {"qr": self.qr, "direction": "in", "temperature": 36.5}
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer " + self.token
            nxt = time.monotonic()
            while not self._stop.is_set():
                t = time.monotonic()
                try:
                    r = s.post(self.cl.url("/api/v1/scans"), json=body, timeout=10)
                    if r.status_code == 200:
                        kind, sid = "ok", r.json()["scan_id"]
                    else:
                        try:
                            code = r.json()["error"]["code"]
                        except (ValueError, KeyError, TypeError):
                            code = "-"
                        kind, sid = f"{r.status_code} {code}", None
                except requests.RequestException as e:
                    kind, sid = type(e).__name__, None
                done = time.monotonic()
                with self.lock:
                    self.results.append((t, kind, done - t))
                    if sid is not None:
                        self.acked.append(int(sid))
                nxt = max(nxt + self.period, done)
                time.sleep(max(0.0, nxt - time.monotonic()))

    def start(self):
        for _ in range(self.threads):
            t = threading.Thread(target=self._client, daemon=True)
            t.start()
            self._ts.append(t)

    def stop(self):
        self._stop.set()
        for t in self._ts:
            t.join(30)

    def between(self, a, b):
        with self.lock:
            return [r for r in self.results if a <= r[0] < b]


def ledger_check(cl, acked, node):
    """How many of the acknowledged scan ids node holds."""
    found = 0
    for i in range(0, len(acked), 500):
        chunk = ",".join(str(x) for x in acked[i:i + 500])
        found += int(cl.sql(f"SELECT COUNT(*) FROM scans WHERE id IN ({chunk})", node=node)[0][0])
    return found
