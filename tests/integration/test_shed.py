"""Past capacity (DESIGN §13, issue 16): a worker answers 503 BUSY with Retry-After at once instead of
queueing, sheds low-priority routes first and keeps taking scans and showing codes; a stalled
platform holds only its bounded slots, never the threads scans need.

A stack of its own, made small so that saturating it takes a handful of requests: one worker of
four threads, four waiting requests at most ([server] queue) for as long as 20 s (queue_ms), two
platform slots. Slow requests
are real ones: admin lists blocked on the audit table (every staff call writes its audit row; a
test session holds `LOCK TABLES audit_log WRITE`), and logins against the simulator's delay fault.
Counts and answers are asserted, never durations."""
import concurrent.futures
import json
import socket
import subprocess
import time

import pytest
import requests

from helpers import (admin_token, checkpoint, device_token, new_person, qr_text, scan, sim_base, unique,
                     wait_nginx_holds, wait_until)
from private_stack import private_stack, set_ini

THREADS, QUEUE, SLOTS = 4, 4, 2
LOW_MAX = THREADS // 2          # low-priority requests queued or in service, at most
JSON_TYPE = "application/json; charset=utf-8"


@pytest.fixture(scope="module")
def small():
    """Against the cluster (make test-cluster) the small service is host 1 alone, host 2 stopped:
    what is counted here is one worker's threads, queue and slots, and the audit table's lock that
    holds them is a Galera node's own (host 1's node), so a second host would serve what the test
    holds host 1 with. nginx skips the stopped host, as it does for a host that is down."""
    with private_stack() as s:
        s.sh("app-stop")
        set_ini(s.conf_path, "server", "workers", "1")
        set_ini(s.conf_path, "server", "threads", str(THREADS))
        set_ini(s.conf_path, "server", "queue", str(QUEUE))
        set_ini(s.conf_path, "server", "queue_ms", "20000")   # the queue's bound alone, unless a test says
        set_ini(s.conf_path, "platform", "max_waits", str(SLOTS))
        if "HOST2_DIR" in s.env:
            s.sh("host-start", "1")
        else:
            s.sh("app-start")
        yield s


@pytest.fixture(scope="module")
def people(small):
    """A person with its code, a checkpoint device, an operator: what the peak's calls need."""
    session, pid = new_person(small)
    qr = qr_text(session, small, pid, paper=True)
    device = device_token(small, checkpoint(small))
    return dict(session=session, pid=pid, qr=qr, device=device, operator=admin_token(small, "operator"))


class AuditLock:
    """Holds LOCK TABLES audit_log WRITE in a session of its own until release(): every staff call
    blocks on writing its audit row, holding its thread."""

    def __init__(self, stack, seconds=20):
        self.stack = stack
        self.tag = unique("hold")
        self.proc = subprocess.Popen(
            ["mariadb", f"--defaults-file={stack.db_cnf}", "-uroot", "hqr", "-e",
             f"LOCK TABLES audit_log WRITE; SELECT SLEEP({seconds}) AS `{self.tag}`; UNLOCK TABLES;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while not self.held():
            assert self.proc.poll() is None, self.proc.stderr.read()
            assert time.monotonic() < deadline, "the lock was not taken"
            time.sleep(0.05)

    def held(self):
        rows = self.stack.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE "
                              f"'SELECT SLEEP(%{self.tag}%'")
        return bool(rows)

    def blocked(self):
        """Sessions of the service waiting on the locked audit table (each a thread it holds)."""
        return int(self.stack.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() "
                                  "AND INFO LIKE '%audit\\_log%' AND INFO NOT LIKE '%SLEEP(%'")[0][0])

    def wait_blocked(self, n, what):
        wait_until(lambda: self.blocked() >= n, 10, f"{what} ({n} of the service's threads blocked on the "
                                                    "audit table)")

    def release(self):
        for (pid,) in self.stack.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE "
                                     f"'SELECT SLEEP(%{self.tag}%'"):
            self.stack.sql(f"KILL QUERY {int(pid)}")   # the sleep ends, UNLOCK TABLES runs
        self.proc.wait(30)


def assert_busy(r):
    assert r.status_code == 503, (r.status_code, r.text)
    assert r.headers["Content-Type"] == JSON_TYPE
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers.get("X-Request-Id")
    body = r.json()
    assert body["error"]["code"] == "BUSY", body
    assert body["request_id"] == r.headers["X-Request-Id"]


def scan_in_one_write(stack, device, qr):
    """A scan whose headers and body go in one write (requests writes them apart), on a connection
    that closes after the answer: nginx passes it on as soon as it has read it. Returns the raw
    answer."""
    body = json.dumps({"qr": qr, "direction": "in", "temperature": 36.5}).encode()
    with socket.create_connection(("127.0.0.1", stack.http_port), timeout=30) as s:
        s.sendall(f"POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {device}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                  "Connection: close\r\n\r\n".encode() + body)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer


def test_low_priority_is_shed_while_scans_and_codes_are_served(small, people):
    n = 12
    audit = "/api/v1/admin/audit"
    hdr = {"Authorization": "Bearer " + people["operator"]}
    assert requests.get(small.url(audit), headers=hdr, timeout=10).status_code == 200
    lock = AuditLock(small)
    done = {}
    try:
        with concurrent.futures.ThreadPoolExecutor(n) as ex:
            def staff(i):
                r = requests.get(small.url(audit), headers=hdr, timeout=30)
                done[i] = (r, lock.held())
                return r
            futures = [ex.submit(staff, i) for i in range(n)]
            # Every refusal comes back while the admitted calls are still blocked.
            deadline = time.monotonic() + 10
            while len(done) < n - LOW_MAX and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(done) == n - LOW_MAX, len(done)
            for r, held in done.values():
                assert_busy(r)
                assert held
            # The worker is saturated with secondary work: scans and codes are still served.
            for _ in range(10):
                r = scan(small, people["device"], people["qr"])
                assert r.status_code == 200, r.text
                assert r.json()["verdict"] == "allow", r.text
                r = people["session"].get(small.url(f"/api/v1/persons/{people['pid']}/code"), timeout=10)
                assert r.status_code == 200, r.text
                assert r.json()["color"] in ("green", "yellow", "red"), r.text
            assert lock.held()
            lock.release()
            answers = [f.result() for f in futures]
    finally:
        if lock.proc.poll() is None:
            lock.release()
    served = [r for r in answers if r.status_code == 200]
    assert len(served) == LOW_MAX, [r.status_code for r in answers]
    assert all(isinstance(r.json()["entries"], list) for r in served)
    # Recovered: a staff list is served again at once.
    assert requests.get(small.url(audit), headers=hdr, timeout=10).status_code == 200


def test_clients_trickling_bodies_hold_no_thread_nor_the_acceptor(small, people):
    """nginx takes a request's whole body before it opens the FastCGI exchange, so a client that
    trickles its body holds nothing of the worker: not a thread (which reads the body), not the
    acceptor (which reads a request's parameters before it queues or refuses it). More such
    requests than the worker's threads and queue together are in progress at nginx while a scan is
    served; each is served too once its body is whole."""
    body = json.dumps({"qr": people["qr"], "direction": "in", "temperature": 36.5}).encode()
    held = []
    try:
        for _ in range(THREADS + QUEUE + 4):
            s = socket.create_connection(("127.0.0.1", small.http_port), timeout=10)
            s.sendall(f"POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {people['device']}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                      "Connection: close\r\n\r\n".encode() + body[:1])
            held.append(s)
        wait_nginx_holds(small, len(held), "every trickling request")  # their bodies' timeout is 5 s
        for _ in range(3):
            r = scan(small, people["device"], people["qr"])
            assert r.status_code == 200, r.text
            assert r.json()["verdict"] == "allow", r.text
        for s in held:
            s.sendall(body[1:])
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
            assert b'"verdict":"allow"' in answer, answer[-300:]
    finally:
        for s in held:
            s.close()


def test_normal_priority_is_shed_before_high(small, people):
    """With every thread held (two low, two normal staff writes) and the queue filling, normal
    requests are refused once half the queue waits while scans are still queued and served."""
    hdr = {"Authorization": "Bearer " + people["operator"]}
    lock = AuditLock(small)
    try:
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            low = [ex.submit(requests.get, small.url("/api/v1/admin/audit"), headers=hdr, timeout=30)
                   for _ in range(LOW_MAX)]
            lock.wait_blocked(LOW_MAX, "the low-priority lists")

            def create():
                return requests.post(small.url("/api/v1/admin/checkpoints"), headers=hdr, timeout=30,
                                     json={"kind": "public_place", "type": "mall", "name": unique("cp"),
                                           "district": "Test District"})
            # Two take the free threads; then the threads are all held and half the queue fills.
            normal = [ex.submit(create) for _ in range(THREADS - LOW_MAX)]
            lock.wait_blocked(THREADS, "every thread")
            normal += [ex.submit(create) for _ in range((QUEUE + 1) // 2 + 4)]
            deadline = time.monotonic() + 10
            while sum(f.done() for f in normal) < 4 and time.monotonic() < deadline:
                time.sleep(0.02)
            refused = [f.result() for f in normal if f.done()]
            assert len(refused) == 4, len(refused)
            for r in refused:
                assert_busy(r)
            # The queue still has room for high priority: a scan waits for a thread, then is served.
            high = ex.submit(scan_in_one_write, small, people["device"], people["qr"])
            wait_nginx_holds(small, LOW_MAX + len(normal) - len(refused) + 1, "the scan, beside the staff calls")
            # nginx has read the scan, body and all, so it has passed it on, before a request sent after
            # it; the worker's one acceptor decides on connections in the order they came, so once such a
            # request is refused, the scan was decided on first: queued, or refused (and answered).
            assert_busy(requests.get(small.url("/api/v1/admin/audit"), headers=hdr, timeout=10))
            assert not high.done()
            assert lock.blocked() >= THREADS and lock.held()
            lock.release()
            answer = high.result(30)
            assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
            assert b'"verdict":"allow"' in answer, answer[-300:]
            assert all(f.result().status_code == 200 for f in low)
            assert sorted(f.result().status_code for f in normal) == [201] * (len(normal) - 4) + [503] * 4
    finally:
        if lock.proc.poll() is None:
            lock.release()


def test_stalled_platform_holds_only_its_slots_and_scans_go_on(small, people):
    """Many mini-program logins against a platform that never answers in time: two wait (the
    slots), every other is refused at once (PLATFORM_UNAVAILABLE, or BUSY past the worker's room
    for them); scans and codes are served all along."""
    n = 10
    codes = []
    for _ in range(n):
        r = requests.post(sim_base(small) + "/sim/jscode", json={"openid": unique("oStall")}, timeout=10)
        assert r.status_code in (200, 201), r.text
        codes.append(r.json()["code"])
    r = requests.post(sim_base(small) + "/sim/faults", json=dict(endpoint="/sns/jscode2session", kind="delay",
                                                              delay_ms=10000, count=n), timeout=10)
    assert r.status_code == 201, r.text
    try:
        with concurrent.futures.ThreadPoolExecutor(n) as ex:
            logins = [ex.submit(requests.post, small.url("/api/v1/login/miniprogram"), json={"code": c},
                                timeout=30) for c in codes]
            deadline = time.monotonic() + 10
            while sum(f.done() for f in logins) < n - SLOTS and time.monotonic() < deadline:
                time.sleep(0.02)
            quick = [f.result() for f in logins if f.done()]
            assert len(quick) == n - SLOTS, len(quick)
            # Refused at once: past the slots (PLATFORM_UNAVAILABLE), or past the worker's room
            # for normal-priority requests while two threads wait (BUSY).
            for r in quick:
                assert r.status_code == 503, r.text
                assert r.json()["error"]["code"] in ("PLATFORM_UNAVAILABLE", "BUSY"), r.text
                assert int(r.headers["Retry-After"]) >= 1
            assert any(r.json()["error"]["code"] == "PLATFORM_UNAVAILABLE" for r in quick)
            # Two threads wait on the platform; the other two serve the peak's own work.
            served = 0
            while not all(f.done() for f in logins) and served < 40:
                r = scan(small, people["device"], people["qr"])
                assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
                r = people["session"].get(small.url(f"/api/v1/persons/{people['pid']}/code"), timeout=10)
                assert r.status_code == 200, r.text
                served += 1
            assert served >= 10, served
            slow = [f.result() for f in logins]
    finally:
        requests.delete(sim_base(small) + "/sim/faults", timeout=10)
    assert sorted(r.status_code for r in slow) == [503] * n, [r.text for r in slow]
    assert all(json.loads(r.text)["error"]["code"] in ("PLATFORM_UNAVAILABLE", "BUSY") for r in slow)
    # The two that waited timed out on the platform.
    assert [json.loads(r.text)["error"]["code"] for r in slow if r not in quick].count("PLATFORM_UNAVAILABLE") == SLOTS


@pytest.fixture(scope="module")
def tight():
    """The same small stack's shape with queue_ms = 300, in a stack of its own (against the
    cluster, host 1 alone: see small)."""
    with private_stack() as s:
        s.sh("app-stop")
        set_ini(s.conf_path, "server", "workers", "1")
        set_ini(s.conf_path, "server", "threads", str(THREADS))
        set_ini(s.conf_path, "server", "queue", str(QUEUE))
        set_ini(s.conf_path, "server", "queue_ms", "300")
        if "HOST2_DIR" in s.env:
            s.sh("host-start", "1")
        else:
            s.sh("app-start")
        # A fresh worker's threads connect to the database first: until then requests wait.
        ok, deadline = 0, time.monotonic() + 30
        while ok < 5 and time.monotonic() < deadline:
            ok = ok + 1 if requests.get(s.url("/readyz"), timeout=10).status_code == 200 else 0
            time.sleep(0.1)
        session, pid = new_person(s)
        yield s, dict(qr=qr_text(session, s, pid, paper=True), device=device_token(s, checkpoint(s)),
                      operator=admin_token(s, "operator"))


def test_a_request_waiting_past_queue_ms_is_refused_not_served_late(tight):
    """With queue_ms = 300 and every thread held, a scan queued for a thread is answered BUSY once
    it waited that long, while the threads are still held; after they free, scans are served."""
    small, people = tight
    hdr = {"Authorization": "Bearer " + people["operator"]}
    for _ in range(3):
        r = scan(small, people["device"], people["qr"])
        assert r.status_code == 200, r.text
        assert requests.get(small.url("/api/v1/admin/audit"), headers=hdr, timeout=10).status_code == 200
    lock = AuditLock(small)
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            held = [ex.submit(requests.get, small.url("/api/v1/admin/audit"), headers=hdr, timeout=30)
                    for _ in range(LOW_MAX)]
            lock.wait_blocked(LOW_MAX, "the low-priority lists")
            held += [ex.submit(requests.post, small.url("/api/v1/admin/checkpoints"), headers=hdr, timeout=30,
                               json={"kind": "public_place", "type": "mall", "name": unique("cp"),
                                     "district": "Test District"}) for _ in range(THREADS - LOW_MAX)]
            lock.wait_blocked(THREADS, "every thread")
            r = scan(small, people["device"], people["qr"])
            assert_busy(r)
            assert lock.held()
            assert not any(f.done() for f in held), [f.result().text for f in held if f.done()]
            lock.release()
            assert sorted(f.result().status_code for f in held) == [200] * LOW_MAX + [201] * (THREADS - LOW_MAX)
    finally:
        if lock.proc.poll() is None:
            lock.release()
    r = scan(small, people["device"], people["qr"])
    assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
