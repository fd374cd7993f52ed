"""Foundation behaviour of the running stack, as a user or an operator checks it.

Tests run in file order on one shared stack: the read-only ones first, then the ones that kill a
worker, reload the master or stop the database (each restores the state it changed).
"""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

import helpers
from helpers import JSON_TYPE, session_from, wait_until

GENERATED_RID = re.compile(r"^[0-9a-f]{32}$")


def assert_error(r, status, code):
    """The common error shape, and nothing else in it: {"error":{"code","message"},"request_id"}."""
    body = helpers.assert_error(r, status, code)
    assert set(body) == {"error", "request_id"}, body
    return body


class RequestLoop(threading.Thread):
    """Sends GET requests one after another until stopped; records (status, body) or the error."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.results = []
        self._stop_event = threading.Event()

    def run(self):
        with requests.Session() as s:
            while not self._stop_event.is_set():
                try:
                    r = s.get(self.url, timeout=10)
                    self.results.append((r.status_code, r.text))
                except requests.RequestException as e:
                    self.results.append((None, repr(e)))

    def stop(self):
        self._stop_event.set()
        self.join(15)
        assert not self.is_alive(), "the request loop did not finish"

    def failures(self):
        return [x for x in self.results if x[0] != 200]


def served_more(loop, k, what, limit=20.0):
    """Waits until the loop has k more answers than now (requests kept flowing), whatever the
    machine's load; fails saying what was awaited unless they came within limit seconds."""
    start = len(loop.results)
    wait_until(lambda: len(loop.results) >= start + k, limit, what, step=0.02)


def accept_queue(sock_path):
    """How many connections wait in the accept queue of the listening unix socket sock_path (what
    `ss` shows as the listener's Recv-Q)."""
    p = subprocess.run(["ss", "-xlnH", "src", sock_path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=10)
    assert p.returncode == 0 and p.stdout.split()[:2] == ["u_str", "LISTEN"], (p.stdout, p.stderr)
    return int(p.stdout.split()[2])


def log_since(stack, start):
    """(pid, msg) of each JSON line the application wrote to its log past offset start."""
    with open(stack.app_log, "rb") as f:
        f.seek(start)
        lines = [json.loads(x) for x in f.read().decode("utf-8", "replace").splitlines() if x.startswith("{")]
    return [(x["pid"], x["msg"]) for x in lines]


# --- liveness, readiness, common headers --------------------------------------------------

def test_healthz_answers_ok_with_the_common_headers(stack, http):
    r = http.get(stack.url("/healthz"), timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == JSON_TYPE
    assert r.json() == {"status": "ok"}
    assert r.headers.get("X-Request-Id")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"


def test_readyz_answers_200_when_the_database_answers(stack, http):
    r = http.get(stack.url("/readyz"), timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == JSON_TYPE
    assert r.json() == {"status": "ready", "database": "ok"}


# --- errors --------------------------------------------------------------------------------

def test_unknown_api_path_is_404_with_the_error_shape(stack, http):
    r = http.get(stack.url("/api/v1/no-such-thing"), timeout=5)
    assert_error(r, 404, "NOT_FOUND")


def test_wrong_method_is_405_with_allow(stack, http):
    r = http.post(stack.url("/healthz"), timeout=5)
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "GET"


@pytest.mark.parametrize("query", ["a=%zz", "a=%00", "=x", "a=%4", "a=1&=2", "a=%G1"])
def test_malformed_query_string_is_400(stack, query):
    # Sent byte for byte: requests would re-quote "%zz" into a valid "%25zz".
    for path in ("/healthz", "/api/v1/no-such-thing"):
        r = stack.raw("GET", f"{path}?{query}")
        assert_error(r, 400, "BAD_REQUEST")


def test_too_many_query_parameters_is_400(stack, http):
    many = "&".join(f"p{i}=1" for i in range(70))
    assert_error(http.get(stack.url(f"/healthz?{many}"), timeout=5), 400, "BAD_REQUEST")
    # 64 parameters are the bound and still accepted.
    bound = "&".join(f"p{i}=1" for i in range(64))
    assert http.get(stack.url(f"/healthz?{bound}"), timeout=5).status_code == 200


@pytest.mark.parametrize("cookie", [
    "a\x01b=1; c=\x7f\x1f",          # control bytes in a name and a value
    "=x; ;;; a b=1; (bad)=2; ok=1",  # empty and invalid names
    "big=" + "a" * 5000,             # over the 4096-byte bound
    "a" * 5000 + "=1",
], ids=["control-bytes", "invalid-names", "long-value", "long-name"])
def test_malformed_cookie_header_is_ignored(stack, http, cookie):
    # Cookies are parsed only when a route asks for one; invalid pairs are skipped and an
    # over-long header counts as no cookies at all: never a 400 and never a 5xx.
    r = http.get(stack.url("/healthz"), headers={"Cookie": cookie}, timeout=5)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ok"}
    r = http.get(stack.url("/api/v1/no-such-thing"), headers={"Cookie": cookie}, timeout=5)
    assert_error(r, 404, "NOT_FOUND")
    # A route that reads the session cookie: no usable cookie, so not signed in.
    token = "A" * 43
    r = http.get(stack.url("/api/v1/me"), headers={"Cookie": f"{cookie}; hqr_session={token}"},
                 timeout=5)
    assert_error(r, 401, "UNAUTHENTICATED")


def test_oversized_body_is_413_from_nginx(stack, http):
    body = b"\0" * (4 * 1024 * 1024)
    r = http.post(stack.url("/api/v1/anything"), data=body,
                  headers={"Content-Type": "application/json"}, timeout=30)
    assert_error(r, 413, "TOO_LARGE")


# --- request ids ---------------------------------------------------------------------------

def test_request_id_from_the_caller_is_kept(stack, http):
    r = http.get(stack.url("/api/v1/no-such-thing"), headers={"X-Request-Id": "abc12345-test"},
                 timeout=5)
    assert r.headers["X-Request-Id"] == "abc12345-test"
    assert assert_error(r, 404, "NOT_FOUND")["request_id"] == "abc12345-test"


@pytest.mark.parametrize("rid", ["x" * 200, "abc 12345 test", "short"],
                         ids=["too-long", "spaces", "too-short"])
def test_invalid_request_id_is_replaced(stack, http, rid):
    r = http.get(stack.url("/api/v1/no-such-thing"), headers={"X-Request-Id": rid}, timeout=5)
    body = assert_error(r, 404, "NOT_FOUND")
    assert r.headers["X-Request-Id"] != rid
    assert GENERATED_RID.match(r.headers["X-Request-Id"]), r.headers["X-Request-Id"]
    assert body["request_id"] == r.headers["X-Request-Id"]


def test_generated_request_ids_differ(stack, http):
    ids = {http.get(stack.url("/healthz"), timeout=5).headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(GENERATED_RID.match(i) for i in ids)


# --- static client, metrics ----------------------------------------------------------------

def test_static_client_is_served_with_a_csp(stack, http):
    r = http.get(stack.url("/"), timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<html" in r.text.lower()
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_metrics_exposes_prometheus_text(stack, http):
    http.get(stack.url("/healthz"), timeout=5)
    r = http.get(stack.url("/metrics"), timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = r.text
    assert re.search(r'^hqr_requests_total\{route="healthz",status="200"\} \d+$', text, re.M)
    assert "# TYPE hqr_request_duration_seconds histogram" in text
    assert re.search(r'^hqr_request_duration_seconds_bucket\{route="healthz",le="\+Inf"\} \d+$',
                     text, re.M)
    assert re.search(r'^hqr_request_duration_seconds_count\{route="healthz"\} \d+$', text, re.M)
    assert re.search(r"^hqr_db_errors_total \d+$", text, re.M)
    assert re.search(r"^hqr_worker_restarts_total \d+$", text, re.M)


def test_metrics_count_each_request(stack, http):
    key = 'hqr_requests_total{route="healthz",status="200"}'
    before = stack.metrics().get(key, 0)
    for _ in range(7):
        assert http.get(stack.url("/healthz"), timeout=5).status_code == 200
    assert stack.metrics()[key] == before + 7


def test_metrics_count_a_rejected_query_under_its_route(stack):
    unmatched = 'hqr_requests_total{route="unmatched",status="400"}'
    healthz = 'hqr_requests_total{route="healthz",status="400"}'
    before = stack.metrics()
    assert_error(stack.raw("GET", "/api/v1/no-such-thing?a=%zz"), 400, "BAD_REQUEST")
    after = stack.metrics()
    assert after.get(healthz, 0) == before.get(healthz, 0)
    assert after.get(unmatched, 0) == before.get(unmatched, 0) + 1


# --- logs ------------------------------------------------------------------------------------

SECRET_ID = "110101199003077777"


def test_access_and_app_logs_never_carry_query_strings(stack, http):
    answers = [http.get(stack.url(f"/healthz?id_number={SECRET_ID}"), timeout=5),
               http.get(stack.url(f"/api/v1/no-such-thing?id_number={SECRET_ID}"), timeout=5),
               stack.raw("GET", f"/api/v1/no-such-thing?id_number={SECRET_ID}&a=%zz")]
    for r in answers:  # nginx writes its access line just after the answer
        helpers.access_line(stack, r.headers["X-Request-Id"])
    logs = ""
    for path in stack.app_logs + [os.path.join(stack.dir, "nginx", "access.log")]:
        with open(path, encoding="utf-8", errors="replace") as f:
            logs += f.read()
    assert "/api/v1/no-such-thing" in logs  # the requests were logged, without their query
    assert SECRET_ID not in logs


def test_no_log_carries_a_query_string(stack, http, all_logs):
    r = http.post(stack.url(f"/api/v1/anything?id_number={SECRET_ID}"),
                  data=b"\0" * (4 * 1024 * 1024), timeout=30)
    assert r.status_code == 413
    assert SECRET_ID not in all_logs()


# --- operator commands -------------------------------------------------------------------------

def test_migrate_status_lists_everything_applied(stack):
    p = stack.run_bin("hqrctl", "-c", stack.conf_path, "migrate", "--status")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    init = [ln for ln in lines if "0001_init.sql" in ln]
    assert len(init) == 1 and not init[0].rstrip().endswith("pending"), p.stdout
    assert lines[-1] == "0 pending", p.stdout
    assert stack.sql("SELECT COUNT(*) FROM schema_migrations WHERE version = 1") == [["1"]]


def test_migrate_again_applies_nothing(stack):
    before = stack.sql("SELECT version, applied_at FROM schema_migrations ORDER BY version")
    p = stack.run_bin("hqrctl", "-c", stack.conf_path, "migrate")
    assert p.returncode == 0, p.stderr
    assert "applied 0" not in p.stdout, p.stdout
    assert p.stdout.strip() == "0 applied, schema up to date", p.stdout
    assert stack.sql("SELECT version, applied_at FROM schema_migrations ORDER BY version") == before


def test_config_check_accepts_the_stack_config(stack):
    p = stack.run_bin("hqr-fcgi", "-c", stack.conf_path, "-t")
    assert p.returncode == 0, p.stderr
    assert "is valid" in p.stdout


def test_config_check_names_a_bad_key(stack, tmp_path):
    with open(stack.conf_path, encoding="utf-8") as f:
        text = f.read()
    bad, n = re.subn(r"(?m)^workers\s*=.*$", "workers = abc", text)
    assert n == 1
    path = tmp_path / "bad.conf"
    path.write_text(bad, encoding="utf-8")
    p = stack.run_bin("hqr-fcgi", "-c", str(path), "-t")
    assert p.returncode != 0
    assert "[server] workers" in p.stderr, p.stderr


# --- process management (destructive: each restores what it changed) ----------------------

def test_killed_worker_is_replaced_while_requests_succeed(stack):
    n = stack.configured_workers()
    master = stack.master_pid()
    before = stack.worker_pids()
    assert len(before) == n
    restarts = stack.metrics()["hqr_worker_restarts_total"]

    loop = RequestLoop(stack.url("/healthz"))
    loop.start()
    try:
        served_more(loop, 20, "requests flowing before the kill")
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        pids = wait_until(
            lambda: (lambda p: p if victim not in p and len(p) == n else None)(stack.worker_pids()),
            5.0, lambda: f"worker {victim} to be replaced: the workers are {stack.worker_pids()}", step=0.02)
        assert set(pids) - set(before), pids
        assert set(before) - {victim} <= set(pids)
        served_more(loop, 30, "requests to keep flowing after the replacement")
    finally:
        loop.stop()

    assert stack.master_pid() == master
    # Only a request the dead worker was serving at that instant can fail, and then nginx
    # answers for it with its JSON 503.
    fails = loop.failures()
    assert len(fails) <= 1, fails
    for status, body in fails:
        assert status == 503 and json.loads(body)["error"]["code"] == "UNAVAILABLE", fails
    assert stack.metrics()["hqr_worker_restarts_total"] == restarts + 1


def test_sighup_replaces_workers_without_failing_requests(stack):
    n = stack.configured_workers()
    master = stack.master_pid()
    before = set(stack.worker_pids())
    restarts = stack.metrics()["hqr_worker_restarts_total"]

    loop = RequestLoop(stack.url("/healthz"))
    loop.start()
    try:
        served_more(loop, 20, "requests flowing before the reload")
        os.kill(master, signal.SIGHUP)
        # New workers start at once; an old one exits when its requests are done, and the master
        # bounds that by drain_timeout_s (30 s). Under ASan on a loaded machine an old worker's
        # exit (its leak check included) was seen to take over 5 s: wait for the bound itself.
        wait_until(lambda: (lambda p: len(p) == n and not (set(p) & before))(stack.worker_pids()), 31.0,
                   lambda: f"the workers to be replaced after SIGHUP: before {before}, now {stack.worker_pids()}",
                   step=0.02)
        served_more(loop, 30, "requests to keep flowing after the reload")
    finally:
        loop.stop()

    assert stack.master_pid() == master
    assert loop.failures() == []
    # A reload is not a crash.
    assert stack.metrics()["hqr_worker_restarts_total"] == restarts


def test_sighup_drains_the_old_workers_only_once_the_new_ones_accept(stack):
    """A new worker accepts only once its threads hold their database connections. Until then the
    old workers go on accepting: no moment of the reload leaves the socket with no one taking its
    connections (behind nginx and two hosts, the other host would serve later requests first)."""
    before = set(stack.worker_pids())
    start = os.path.getsize(stack.app_log)
    os.kill(stack.master_pid(), signal.SIGHUP)
    wait_until(lambda: (lambda p: len(p) == len(before) and not (set(p) & before))(stack.worker_pids()), 31.0,
               lambda: f"the workers to be replaced after SIGHUP: before {before}, now {stack.worker_pids()}",
               step=0.02)
    msgs = log_since(stack, start)
    accepted = [i for i, (_, m) in enumerate(msgs) if m.startswith("the new workers accept: draining")]
    drained = [i for i, (pid, m) in enumerate(msgs) if m == "worker draining" and pid in before]
    assert accepted and len(drained) == len(before), msgs
    assert accepted[0] < min(drained), msgs


def test_sighup_serves_connections_accepted_before_it(stack):
    # Deterministic form of the rare reload failure: connections accepted by the old workers
    # whose request bytes arrive just after the SIGHUP must still be answered.
    sock_path = os.path.join(stack.dir, "run", "hqr.sock")
    conns, before = [], set(stack.worker_pids())
    try:
        for _ in range(stack.configured_workers()):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.settimeout(10)
            c.connect(sock_path)
            conns.append(c)
        # Each old worker's acceptor takes one: none is left waiting in the socket's queue.
        wait_until(lambda: accept_queue(sock_path) == 0, 10,
                   lambda: f"the old workers to accept the {len(conns)} connections: "
                           f"{accept_queue(sock_path)} still queued", step=0.02)
        os.kill(stack.master_pid(), signal.SIGHUP)
        # The master has acted on it (its new workers run) before the requests' bytes come; they
        # come well within the 5 s an acceptor waits for them.
        n = stack.configured_workers()
        wait_until(lambda: len(set(stack.worker_pids()) - before) >= n, 10,
                   lambda: f"{n} new workers after SIGHUP: before {sorted(before)}, now {stack.worker_pids()}",
                   step=0.02)
        answers = []
        for c in conns:
            try:
                answers.append(helpers.fcgi_exchange(c, "/healthz"))
            except OSError as e:
                answers.append(repr(e).encode())
        assert all(b"Status: 200 OK" in a for a in answers), answers
    finally:
        for c in conns:
            c.close()
        wait_until(lambda: len(stack.worker_pids()) == stack.configured_workers()
                   and not set(stack.worker_pids()) & before, 31.0,
                   lambda: f"the workers to be replaced after SIGHUP: before {before}, now {stack.worker_pids()}",
                   step=0.02)


def test_database_outage_is_a_fast_503_and_recovers_without_restart(stack):
    # /readyz is rate-limited per address (20/s, a burst of 100): each phase asks from a loopback
    # address of its own, so that the session's other calls and the phases before do not use its
    # burst up (the phases ask up to about 60 times each, in a few seconds).
    outage, back, every = (session_from(f"127.0.0.{n}") for n in (31, 32, 33))
    master = stack.master_pid()
    workers = stack.worker_pids()
    db_errors = stack.metrics()["hqr_db_errors_total"]
    stack.sh("db-stop")
    try:
        answers = []

        def refused():
            t = time.monotonic()
            r = outage.get(stack.url("/readyz"), timeout=10)
            answers.append((r, time.monotonic() - t))
            return r.status_code == 503
        wait_until(refused, 2.0, lambda: f"/readyz to be 503 once the database stops: {answers[-1][0].text}")
        r, took = answers[-1]
        assert_error(r, 503, "UNAVAILABLE")
        assert r.headers["Retry-After"] == "1"
        # Every thread's connection notices the outage quickly: ask more often than there are
        # threads, each answer well under the bound.
        for _ in range(60):
            t = time.monotonic()
            r = outage.get(stack.url("/readyz"), timeout=10)
            answers.append((r, time.monotonic() - t))
            assert_error(r, 503, "UNAVAILABLE")
        slow = [round(d, 3) for _, d in answers if d >= 2.0]
        assert not slow, slow
        assert stack.metrics()["hqr_db_errors_total"] > db_errors
    finally:
        stack.sh("db-start")

    wait_until(lambda: back.get(stack.url("/readyz"), timeout=10).status_code == 200, 5.0,
               "/readyz to recover within 5 s of the database's return", step=0.1)
    # Every thread reconnects on its own.
    for _ in range(60):
        assert every.get(stack.url("/readyz"), timeout=10).status_code == 200
    assert stack.master_pid() == master
    assert stack.worker_pids() == workers
