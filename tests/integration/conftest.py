"""Integration fixtures: one private stack (MariaDB, simulator, hqr-fcgi, nginx) per session.

The stack lives in a throwaway directory made here and is started and stopped with
scripts/stack.sh; the repository's var/ is never used. HQR_BUILD picks the binaries (default
"build"); HQR_KEEP=1 keeps the directory after the run for inspection. HQR_CLUSTER=1 (make
test-cluster) runs the same tests against scripts/cluster.sh's cluster instead: three Galera nodes,
two application hosts behind nginx, host 1 where the single stack's processes were. A test that
changes the keys (a rotation, an edited key file) has every host take them with
Stack.reload_keys(): SIGHUP to the one master, or in the cluster host 1's keys copied to host 2
and both reloaded (`cluster.sh keys-sync`), as configuration management does after a rotation.
"""
import glob
from http import client as http_client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
import urllib.parse

import pytest
import requests
import requests.adapters

import contract as contract_mod
import helpers
import scanning

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.environ.get("HQR_CLUSTER") == "1"
STACK_SH = os.path.join(ROOT, "scripts", "cluster.sh" if CLUSTER else "stack.sh")
# What two application hosts share (one photo store) has nothing to check on a single stack's one
# host: that file is the cluster's alone.
collect_ignore = [] if CLUSTER else ["test_two_hosts.py"]


pid_alive = helpers.pid_alive


def kill_survivors(pids, seconds=5.0):
    """After a stop: waits up to seconds for pids to be gone, then SIGKILLs those still alive
    (never leave anything behind, even when failing); returns them, sorted, for an assert."""
    helpers.wait_until(lambda: not any(pid_alive(p) for p in pids), seconds, "the processes to exit", fail=False)
    survivors = sorted(p for p in pids if pid_alive(p))
    for p in survivors:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return survivors


def children_of(ppid):
    """Live (non-zombie) child pids of ppid, read from /proc."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue
        fields = data[data.rindex(b")") + 2:].split()
        if int(fields[1]) == ppid and fields[0] != b"Z":
            kids.append(int(entry))
    return sorted(kids)


def read_ini(path):
    """A minimal INI reader (section -> key -> value) for checks on the generated config."""
    out, sec = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in ";#":
                continue
            if line.startswith("[") and line.endswith("]"):
                sec = line[1:-1]
                out.setdefault(sec, {})
            elif "=" in line and sec is not None:
                k, v = line.split("=", 1)
                out[sec][k.strip()] = v.strip()
    return out


class RawResponse:
    """The parts of a response the tests look at, shaped like requests' Response."""

    def __init__(self, status, headers, body):
        self.status_code = status
        self.headers = headers  # an HTTPMessage: case-insensitive
        self.content = body
        self.text = body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.text)


class Stack:
    def __init__(self, directory, build):
        self.dir = directory
        self.build = build
        self.env = {}

    # --- set-up -------------------------------------------------------------------------
    def _environ(self):
        env = dict(os.environ)
        env["HQR_BUILD"] = self.build
        env["HQR_RATE"] = "100000"
        env["HQR_BURST"] = "100000"
        return env

    def load_env(self):
        env = {}
        with open(os.path.join(self.dir, "stack.env"), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if "=" in line:
                    k, v = line.split("=", 1)
                    env[k] = v
        self.env = env
        self.http_port = int(env["HTTP_PORT"])
        self.db_port = int(env["DB_PORT"])
        self.conf_path = env["HQR_CONF"]
        self.db_cnf = env["DB_CNF"]
        self.app_log = env["APP_LOG"]
        self.base = f"http://127.0.0.1:{self.http_port}"
        CONTRACT_HOSTS.add(f"127.0.0.1:{self.http_port}")

    # --- helpers ------------------------------------------------------------------------
    def url(self, path):
        return self.base + path

    def raw(self, method, target, headers=None, body=None, timeout=10):
        """Sends target exactly as given (requests re-quotes bad escapes such as %zz)."""
        conn = http_client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            out = RawResponse(r.status, r.headers, r.read())
            req_type = next((v for k, v in (headers or {}).items() if k.lower() == "content-type"), None)
            contract_seen(method, f"http://127.0.0.1:{self.http_port}{target}", out.status_code,
                          out.headers.get("Content-Type"), out.content, req_type, body)
            return out
        finally:
            conn.close()

    def sh(self, cmd, *args, check=True, timeout=120):
        """Runs `scripts/stack.sh CMD DIR ARGS...` from the repository root. A cluster's nodes
        start one after the other, the later ones by state transfer: its starts get ten minutes."""
        if CLUSTER and cmd in ("start", "db-start"):
            timeout = max(timeout, 600)
        p = subprocess.run([STACK_SH, cmd, self.dir, *args], cwd=ROOT, env=self._environ(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"stack.sh {cmd} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def bin(self, name):
        b = self.build if os.path.isabs(self.build) else os.path.join(ROOT, self.build)
        return os.path.join(b, name)

    def run_bin(self, name, *args, timeout=60):
        return subprocess.run([self.bin(name), *args], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=timeout)

    @property
    def pid_file(self):
        return os.path.join(self.dir, "run", "hqr.pid")

    def master_pid(self):
        with open(self.pid_file, encoding="ascii") as f:
            return int(f.read().strip())

    def worker_pids(self):
        return children_of(self.master_pid())

    def reload_keys(self):
        """Every application host takes the keys now in host 1's keys directory (after `hqrctl keys
        rotate`, or a test's edit of a key file), as README tells an operator: one stack's master
        is sent SIGHUP; in the cluster `cluster.sh keys-sync` copies host 1's keys to every other
        host and sends each master SIGHUP, returning once each one's old workers are gone."""
        if CLUSTER:
            self.sh("keys-sync")
        else:
            os.kill(self.master_pid(), signal.SIGHUP)

    def nginx_pid(self):
        try:
            with open(os.path.join(self.dir, "nginx", "nginx.pid"), encoding="ascii") as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def sim_pid(self):
        try:
            with open(os.path.join(self.dir, "run", "sim.pid"), encoding="ascii") as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def db_pid(self):
        try:
            with open(os.path.join(self.dir, "db", "mysqld.pid"), encoding="ascii") as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def conf(self):
        return read_ini(self.conf_path)

    def configured_workers(self):
        return int(self.conf()["server"]["workers"])

    def db_cnfs(self):
        """The configuration file of each database server: the one stack's, or each Galera node's."""
        if CLUSTER:
            return [os.path.join(self.dir, f"db{k[len('DB_PORT_'):]}", "my.cnf") for k in sorted(self.env)
                    if k.startswith("DB_PORT_")]
        return [self.db_cnf]

    def sql(self, query, cnf=None):
        """Runs a query as root against the hqr database (of cnf's server, by default the one
        stack's or node 1); rows as lists of strings."""
        p = subprocess.run(["mariadb", f"--defaults-file={cnf or self.db_cnf}", "-uroot", "-N", "-B",
                            "hqr", "-e", query], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        if p.returncode != 0:
            raise RuntimeError(f"mariadb failed: {p.stderr}")
        return [line.split("\t") for line in p.stdout.splitlines()]

    @property
    def app_logs(self):
        """The application's log of each host: the one stack's, or in the cluster host 1's and
        host 2's (nginx sends a request to either)."""
        logs = [self.app_log]
        if "HOST2_DIR" in self.env:
            logs.append(os.path.join(self.env["HOST2_DIR"], "log", "app.log"))
        return logs

    def log_files(self):
        """Every log the stack writes: the application's (every host's), nginx's access and error
        logs, the migration output and MariaDB's own logs (every Galera node's; never the
        database files)."""
        found = set()
        for pattern in ("log/*.log", "nginx/*.log", "*.log", "db/*.log", "db[0-9]*/*.log", "host[0-9]*/log/*.log"):
            found.update(glob.glob(os.path.join(self.dir, pattern)))
        return sorted(found)

    def read_logs(self):
        parts = []
        for path in self.log_files():
            with open(path, encoding="utf-8", errors="replace") as f:
                parts.append(f"==> {os.path.relpath(path, self.dir)} <==\n{f.read()}")
        return "\n".join(parts)

    def metrics_texts(self):
        """The text of /metrics of each application host: the one stack's, or in the cluster each
        host's, read on its own port (as a scraper reads every host)."""
        urls = [self.url("/metrics")]
        if CLUSTER:
            urls = [f"http://127.0.0.1:{self.env[k]}/metrics" for k in sorted(self.env)
                    if k.startswith("METRICS_PORT_")]
        texts = []
        for url in urls:
            r = requests.get(url, timeout=5)
            r.raise_for_status()
            texts.append(r.text)
        return texts

    def metrics(self):
        """Parses /metrics into {"name{labels}": value}. In the cluster, the service's metrics are
        the sum over its hosts (as a scraper adds them up)."""
        out = {}
        for text in self.metrics_texts():
            for line in text.splitlines():
                if not line or line.startswith("#"):
                    continue
                key, value = line.rsplit(" ", 1)
                out[key] = out.get(key, 0.0) + float(value)
        return out

    def all_pids(self):
        if CLUSTER:  # every node, both hosts and their workers, the simulator, nginx
            p = self.sh("pids", check=False)
            return {int(x) for x in p.stdout.split() if x.isdigit()}
        pids = set()
        for getter in (self.nginx_pid, self.db_pid, self.sim_pid):
            p = getter()
            if p is not None:
                pids.add(p)
        try:
            m = self.master_pid()
            pids.add(m)
            pids.update(children_of(m))
        except (OSError, ValueError):
            pass
        return pids


_SESSION = {}


@pytest.fixture(scope="module", autouse=True)
def cluster_keys_distributed():
    """In the cluster, every test file starts with both hosts holding host 1's keys: a file whose
    tests changed keys reloads them itself (Stack.reload_keys); this sync after it is the
    deployment's own step, so that a file that ends with keys it did not reload leaves host 2 no
    different from host 1 for the next."""
    yield
    if CLUSTER and "stack" in _SESSION:
        _SESSION["stack"].sh("keys-sync", check=False)


@pytest.fixture(scope="module", autouse=True)
def no_transaction_left_open(request):
    """After each test file: no request or scan group left a database transaction open (its writes
    would have been answered as done and never committed; the router rolls it back and logs it)."""
    s = _SESSION.get("stack")
    start = {p: os.path.getsize(p) for p in (s.app_logs if s is not None else []) if os.path.exists(p)}
    yield
    s = _SESSION.get("stack")
    if s is None:
        return
    left = []
    for path in s.app_logs:  # every host's
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            f.seek(start.get(path, 0) if _SESSION.get("log_checked") else 0)
            left += [line for line in f.read().decode("utf-8", "replace").splitlines()
                     if "left a transaction open" in line]
    _SESSION["log_checked"] = True
    assert not left, f"{request.module.__name__}: " + "\n".join(left[:5])


@pytest.fixture(scope="session")
def stack():
    build = os.environ.get("HQR_BUILD", "build")
    directory = tempfile.mkdtemp(prefix="hqr-it-")
    os.chmod(directory, 0o755)
    s = Stack(directory, build)
    try:
        p = s.sh("start", check=False, timeout=600 if CLUSTER else 180)
        if p.returncode != 0:
            pytest.fail(f"stack.sh start failed ({p.returncode}):\n{p.stdout}\n{p.stderr}",
                        pytrace=False)
        s.load_env()
        _SESSION["stack"] = s
        yield s
    finally:
        pids = s.all_pids()
        master = None
        try:
            master = s.master_pid()
        except (OSError, ValueError):
            pass
        try:
            stop = s.sh("stop", check=False, timeout=120)
            stop_error = None if stop.returncode == 0 else f"{stop.stdout}\n{stop.stderr}"
        except subprocess.TimeoutExpired as e:
            stop_error = f"timed out: {e}"
        survivors = kill_survivors(pids)
        if os.environ.get("HQR_KEEP") == "1":
            print(f"\nstack directory kept: {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
        assert stop_error is None, f"stack.sh stop failed: {stop_error}"
        assert master is None or master not in survivors, f"hqr-fcgi master {master} survived stop"
        assert not survivors, f"processes survived stack.sh stop: {survivors}"


# The checkpoint's fixtures (test_scans.py, test_admin.py): a mall and a community, each with a
# device, and a new green person.

@pytest.fixture(scope="module")
def mall(stack):
    """A public place and one of its devices: (checkpoint id, device id, token)."""
    cp = helpers.checkpoint(stack, kind="public_place", type_="mall")
    dev, token = scanning.device_add(stack, cp)
    return cp, dev, token


@pytest.fixture(scope="module")
def community(stack):
    cp = helpers.checkpoint(stack, kind="community", type_="community")
    dev, token = scanning.device_add(stack, cp)
    return cp, dev, token


@pytest.fixture
def green(stack):
    return scanning.Person(stack)


@pytest.fixture(scope="session")
def all_logs(stack):
    """A function returning the text of every log file of the stack, for privacy checks."""
    return stack.read_logs


@pytest.fixture
def http():
    with requests.Session() as s:
        yield s


# --- the contract: every JSON answer the suite receives is held to openapi.json, and every JSON
# request body it sends to a documented operation to its requestBody (or was refused with a 4xx) --
# Answers of the stacks' nginx (requests and Stack.raw alike) are judged by contract.py as they
# arrive; the problems found during a test (and its fixtures' set-up) fail it, each naming the
# route, the status, the field and the place in openapi.json to fix.
CONTRACT = contract_mod.Contract()
CONTRACT_HOSTS = set()
_contract_lock = threading.Lock()
_contract_problems = []


def _caller():
    """file:line of the suite's code that made the request (the test, then the helper)."""
    here = os.path.dirname(os.path.abspath(__file__))
    frames = [f"{os.path.basename(fr.filename)}:{fr.lineno}" for fr in traceback.extract_stack()[:-2]
              if os.path.abspath(fr.filename).startswith(here)
              and os.path.basename(fr.filename) not in ("conftest.py", "contract.py")]
    return " > ".join(frames[-3:]) or "?"


def contract_seen(method, url, status, content_type, body, req_type=None, req_body=None):
    u = urllib.parse.urlsplit(url)
    if u.netloc not in CONTRACT_HOSTS:
        return
    found = CONTRACT.check(method, u.path, status, content_type, body or b"")
    # The request's JSON body: one the document refuses must have been refused (a 4xx: a test
    # sending a malformed body on purpose); one it refuses but the service took means the
    # document is wrong about what the service accepts.
    if isinstance(req_body, (bytes, str)):
        bad = CONTRACT.check_request(method, u.path, req_type, req_body)
        if bad and not 400 <= status < 500:
            found = found + [f"{p}\n    but the service answered {status}: the document refuses what the service "
                             f"accepted (fix the requestBody schema in openapi.json), or the service accepted a "
                             f"malformed request" for p in bad]
    if found:
        with _contract_lock:
            _contract_problems.extend(f"{p}\n    (request made at {_caller()})" for p in found)


_send = requests.adapters.HTTPAdapter.send


def _send_checked(self, request, *args, **kwargs):
    r = _send(self, request, *args, **kwargs)
    contract_seen(request.method, request.url, r.status_code, r.headers.get("Content-Type"), r.content,
                  request.headers.get("Content-Type"), request.body)
    return r


requests.adapters.HTTPAdapter.send = _send_checked


def pytest_runtest_setup(item):
    with _contract_lock:
        _contract_problems.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    with _contract_lock:
        found = list(_contract_problems)
        _contract_problems.clear()
    if not found:
        return
    text = "answers that openapi.json does not describe:\n  " + "\n  ".join(found)
    if outcome.excinfo is None:
        pytest.fail(text, pytrace=False)
    sys.stderr.write(text + "\n")


def pytest_terminal_summary(terminalreporter):
    """Which operations of openapi.json no answer of this run was judged against (their schemas
    went unchecked: a route with no test)."""
    if not CONTRACT.seen:
        return
    seen = {(m, t) for m, t, _ in CONTRACT.seen}
    unseen = sorted(f"{m} {t}" for m, t, _ in CONTRACT.operations() if (m, t) not in seen)
    total = len(list(CONTRACT.operations()))
    terminalreporter.write_line(f"contract: answers of {total - len(unseen)} of {total} operations of "
                                f"openapi.json were validated" + (f"; none of {', '.join(unseen)}" if unseen else ""))
