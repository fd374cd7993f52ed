"""`make run` (scripts/run.sh) as a newcomer uses it: it comes up, a second one on the same var/
says where the first runs and exits non-zero, and Ctrl-C (SIGINT) stops everything it started."""
import contextlib
import os
import signal
import subprocess
import tempfile

import requests

from conftest import ROOT
from helpers import foreground, http_port, live_pids, pid_alive, wait_until

RUN_SH = os.path.join(ROOT, "scripts", "run.sh")




def stack_pids(var):
    """The pids the stack's pid files name, for the processes still alive."""
    return live_pids(var, ("db/mysqld.pid", "run/hqr.pid", "run/sim.pid", "nginx/nginx.pid"))


@contextlib.contextmanager
def make_run():
    """`make run` in a var/ of its own, in its own process group with SIGINT not ignored (as in a
    terminal), up to "Press Ctrl-C to stop.". Yields (process, var, its output file, the HTTP base
    URL); afterwards kills whatever is left and stops the stack."""
    build = os.environ.get("HQR_BUILD", "build")
    with tempfile.TemporaryDirectory(prefix="hqr-run-") as tmp:
        var = os.path.join(tmp, "var")
        env = dict(os.environ, HQR_VAR=var, HQR_PORT="0")
        out_path = os.path.join(tmp, "run.out")
        try:
            with foreground([RUN_SH, build], env, out_path, 180, "make run to come up") as run:
                port = http_port(os.path.join(var, "stack.env"))
                yield run, var, out_path, f"http://127.0.0.1:{port}/"
        finally:
            subprocess.run([os.path.join(ROOT, "scripts", "stack.sh"), "stop", var],
                           capture_output=True, timeout=120)


def stop_with_sigint(run, var):
    os.killpg(run.pid, signal.SIGINT)
    run.wait(timeout=90)
    wait_until(lambda: not stack_pids(var), 30, "every process of the stack to stop")


def test_second_run_refused_and_sigint_stops_all():
    build = os.environ.get("HQR_BUILD", "build")
    with make_run() as (first, var, out_path, url):
        assert requests.get(url + "healthz", timeout=5).status_code == 200
        assert stack_pids(var), "the stack's processes are running"

        env = dict(os.environ, HQR_VAR=var, HQR_PORT="0")
        second = subprocess.run([RUN_SH, build], env=env, cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode != 0
        assert "already runs" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert url in second.stderr
        # The first one is untouched by the refused second one.
        assert requests.get(url + "healthz", timeout=5).status_code == 200

        stop_with_sigint(first, var)
        assert "stopped." in open(out_path).read()


def read_pid(path):
    try:
        with open(path) as f:
            txt = f.read().strip()
    except OSError:
        return None
    return int(txt) if txt.isdigit() else None


def test_master_killed_is_restarted():
    """kill -9 of the master under `make run`: run.sh starts it again (as the systemd unit's
    Restart= does) and the service answers again; Ctrl-C still stops everything."""
    with make_run() as (run, var, out_path, base):
        url = base + "healthz"
        pid_file = os.path.join(var, "run", "hqr.pid")
        master = read_pid(pid_file)
        assert master and pid_alive(master)

        os.kill(master, signal.SIGKILL)
        wait_until(lambda: not pid_alive(master), 10, "the master to die")

        def restarted():
            new = read_pid(pid_file)
            if new is None or new == master or not pid_alive(new):
                return False
            try:
                return requests.get(url, timeout=2).status_code == 200
            except requests.RequestException:
                return False
        wait_until(restarted, 30, "a new master answering /healthz")
        assert run.poll() is None, "run.sh stays in the foreground after the restart"
        assert "restarting it in 2 s" in open(out_path).read()

        stop_with_sigint(run, var)
