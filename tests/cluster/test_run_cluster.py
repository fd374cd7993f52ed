"""`make run-cluster` (scripts/run-cluster.sh) as a newcomer uses it: it comes up and serves; a
second one on the same directory says where the first runs and exits non-zero; a host's master and
a Galera node killed with -9 are started again (the node rejoins) while a host stopped on purpose
stays stopped; Ctrl-C (SIGINT) stops everything it started. Run by `make test-cluster`."""
import contextlib
import os
import signal
import subprocess
import sys
import tempfile

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from helpers import foreground, http_port, live_pids, pid_alive, wait_until  # noqa: E402

RUN_SH = os.path.join(ROOT, "scripts", "run-cluster.sh")
CLUSTER_SH = os.path.join(ROOT, "scripts", "cluster.sh")
BUILD = os.environ.get("HQR_BUILD", "build")


def pid_in(path):
    """The pid a pid file names, or None."""
    try:
        with open(path) as f:
            txt = f.read().strip()
    except FileNotFoundError:
        return None
    return int(txt) if txt.isdigit() else None


def cluster_pids(d):
    """The pids the cluster's pid files name, for the processes still alive."""
    return live_pids(d, ("db1/mysqld.pid", "db2/mysqld.pid", "db3/mysqld.pid", "run/hqr.pid", "host2/run/hqr.pid",
                         "run/sim.pid", "nginx/nginx.pid"))


def cluster_sh(*args, timeout=120):
    return subprocess.run([CLUSTER_SH, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, HQR_BUILD=BUILD))


@contextlib.contextmanager
def make_run_cluster():
    """run-cluster.sh in a directory of its own, in its own process group with SIGINT at its
    default (as in a terminal), up to "Press Ctrl-C to stop.". Yields (process, directory, its
    output file, the HTTP base URL); afterwards kills whatever is left and stops the cluster."""
    with tempfile.TemporaryDirectory(prefix="hqr-run-cluster-") as tmp:
        d = os.path.join(tmp, "cluster")
        env = dict(os.environ, HQR_CLUSTER_DIR=d, HQR_PORT="0")
        out_path = os.path.join(tmp, "run.out")
        try:
            with foreground([RUN_SH, BUILD], env, out_path, 600, "make run-cluster to come up") as run:
                port = http_port(os.path.join(d, "stack.env"))
                yield run, d, out_path, f"http://127.0.0.1:{port}/"
        finally:
            pids = cluster_pids(d)
            cluster_sh("stop", d, timeout=300)
            for p in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(p, signal.SIGKILL)


def ready(url):
    try:
        return requests.get(url + "readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_run_cluster_restarts_what_dies_keeps_what_was_stopped_and_sigint_stops_all():
    with make_run_cluster() as (first, d, out_path, url):
        output = lambda: open(out_path).read()  # noqa: E731
        assert ready(url)
        banner = output()
        for what in ("scan.html", "/readyz", "host-kill", "node-kill", "demo-tokens.txt"):
            assert what in banner, (what, banner)

        second = subprocess.run([RUN_SH, BUILD], env=dict(os.environ, HQR_CLUSTER_DIR=d, HQR_PORT="0"),
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert "already runs" in second.stderr and f"pid {first.pid}" in second.stderr, second.stderr
        assert ready(url), "the second run left the first one's cluster alone"

        # Host 2 stopped on purpose stays stopped while the rest is killed and started again.
        assert cluster_sh("host-stop", d, 2).returncode == 0
        master1 = pid_in(os.path.join(d, "run", "hqr.pid"))
        assert cluster_sh("host-kill", d, 1).returncode == 0
        wait_until(lambda: "host 1's master runs again" in output(), 120, "host 1's master started again")
        assert pid_in(os.path.join(d, "run", "hqr.pid")) not in (None, master1)
        assert ready(url)

        assert cluster_sh("node-kill", d, 2).returncode == 0
        wait_until(lambda: "Galera node 2 runs again" in output(), 400, "Galera node 2 started again")
        status = cluster_sh("status", d)
        nodes = [ln for ln in status.stdout.splitlines() if ln.startswith("node ")]
        assert len(nodes) == 3 and all("Synced, cluster size 3" in ln for ln in nodes), status.stdout
        assert "host 2  down" in status.stdout, status.stdout
        assert "host 2's master" not in output(), output()

        assert cluster_sh("host-start", d, 2).returncode == 0
        status = cluster_sh("status", d)
        assert status.returncode == 0, status.stdout

        pids = cluster_pids(d)
        assert len(pids) == 7, pids
        os.killpg(first.pid, signal.SIGINT)
        first.wait(timeout=180)
        wait_until(lambda: not [p for p in pids if pid_alive(p)], 30, "every process of the cluster to stop")
        assert "stopped." in output()
