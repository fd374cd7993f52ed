"""The application's capacity at the front door (issue 16, DESIGN §13): nginx lets at most the
application's workers x threads requests of the API's busy locations in progress at once
and refuses the others itself, as the service's JSON 503 BUSY with Retry-After and X-Request-Id,
without a FastCGI exchange: past capacity a refusal costs nginx microseconds, not a round trip to
the application's acceptor.

A stack of its own whose cap is two (HQR_APP_CONNS, read by scripts/stack.sh as it renders
nginx.conf). Requests are held in progress by sending their headers and part of their body (nginx
counts a request from its headers and passes it on only once its body is whole), so the test
needs no timing: what was refused, and what reached the application, is read in nginx's access
log (its upstream) and in the application's own request count (/metrics)."""
import concurrent.futures
import json
import os
import re
import select
import socket
import time
import uuid

import pytest
import requests

import contract
from helpers import access_line, nginx_counts, wait_nginx_holds, wait_until
from private_stack import private_stack

CAP = 2
JSON_TYPE = "application/json; charset=utf-8"
ERROR_SHAPE = contract.Contract().validator("#/components/schemas/Error")


HOLD_RATE = 2  # refusals answered at once per address, a second (a burst of as many aside)


@pytest.fixture(scope="module")
def capped():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HQR_APP_CONNS", str(CAP))
        mp.setenv("HQR_HOLD_RATE", str(HOLD_RATE))
        with private_stack() as s:
            yield s


def rid():
    return "cap-" + uuid.uuid4().hex


def read_answer(sock):
    """(status, lower-cased headers, body) of one answer on sock (Content-Length framed)."""
    buf = b""
    while True:
        head, sep, body = buf.partition(b"\r\n\r\n")
        if sep:
            m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if m and len(body) >= int(m.group(1)):
                break
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 "), buf[:200]
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, body


def get(stack, target, request_id, source="127.0.0.1"):
    with socket.create_connection(("127.0.0.1", stack.http_port), timeout=10, source_address=(source, 0)) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nX-Request-Id: {request_id}\r\n"
                  "Connection: close\r\n\r\n".encode())
        return read_answer(s)


class Held:
    """A POST whose headers and first body byte are sent: in progress at nginx, not yet passed on."""

    def __init__(self, stack, target, body):
        self.body, self.id = body, rid()
        self.sock = socket.create_connection(("127.0.0.1", stack.http_port), timeout=10)
        self.sock.sendall(f"POST {target} HTTP/1.1\r\nHost: x\r\nX-Request-Id: {self.id}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                          "Connection: close\r\n\r\n".encode() + body[:1])

    def finish(self):
        self.sock.sendall(self.body[1:])
        try:
            return read_answer(self.sock)
        finally:
            self.sock.close()




def wait_door_empty(stack):
    """Until no connection but the status request's is in progress at nginx. A connection answered
    just before (a warm-up, the test before) keeps its place at the door until nginx has closed it
    (a lingering close): a test that fills the door's places with held requests waits for it, else
    one of them is refused and the closed connection leaves a place free a moment later."""
    wait_until(lambda: nginx_counts(stack)["writing"] == 1, 10, "the door's earlier connections to close")


def app_requests(stack):
    """The application's count of the API requests it answered, over every route and status (its
    own /metrics and /healthz aside)."""
    return sum(v for k, v in stack.metrics().items() if k.startswith("hqr_requests_total")
               and 'route="metrics"' not in k and 'route="healthz"' not in k)


def held_from(stack, source, target, body):
    """A Held request whose connection comes from another loopback address (nginx's per-address
    limit counts each source apart)."""
    h = Held.__new__(Held)
    h.body, h.id, h.source, h.target = body, rid(), source, target
    h.sock = socket.create_connection(("127.0.0.1", stack.http_port), timeout=10, source_address=(source, 0))
    h.sock.sendall(f"POST {target} HTTP/1.1\r\nHost: x\r\nX-Request-Id: {h.id}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                   "Connection: close\r\n\r\n".encode() + body[:1])
    return h


def poll(stack, want, seconds=4.0, held=()):
    """GET /api/v1/keys until its status is want; the last (status, headers, body, request id).
    nginx counts a held request once it has read its headers: a GET that comes in before then
    takes the place, and a held one is refused instead; such a one is sent again."""
    end = time.monotonic() + seconds
    while True:
        request_id = rid()
        st, headers, body = get(stack, "/api/v1/keys", request_id)
        if st == want or time.monotonic() > end:
            return st, headers, body, request_id
        answered, _, _ = select.select([h.sock for h in held], [], [], 0)
        for i, h in enumerate(held):
            if h.sock in answered:
                h.sock.close()
                held[i] = held_from(stack, h.source, h.target, h.body)
        time.sleep(0.1)


def test_the_services_cap_is_every_hosts_capacity_and_nginx_refuses_past_it(stack):
    """(First in this file: the session's stack is started, when this file runs alone, before the
    capped stack's HQR_APP_CONNS is set.) The session's own stack, its cap as rendered from its
    config: [server] workers x threads of each application host, times the
    hosts in nginx's upstream (one, or the cluster's two). With that many requests in progress
    (held from several loopback addresses, each under the per-address limit) the next is nginx's
    503 BUSY; with one fewer, it is served."""
    with open(os.path.join(stack.dir, "nginx", "nginx.conf"), encoding="utf-8") as f:
        rendered = f.read()
    upstream = re.search(r"upstream hqr_app \{(.*?)\}", rendered, re.S).group(1)
    hosts = len(re.findall(r"server unix:", upstream))
    assert hosts == (2 if "HOST2_DIR" in stack.env else 1), upstream
    server = stack.conf()["server"]
    cap = hosts * int(server["workers"]) * int(server["threads"])
    assert re.findall(r"limit_conn app (\d+);", rendered) == [str(cap)] * 2, rendered
    per_addr = int(re.search(r"limit_conn addr (\d+);", rendered).group(1))
    each = per_addr - 1
    sources = [f"127.0.0.{2 + i}" for i in range((cap + each - 1) // each)]
    held = []
    try:
        for i in range(cap):
            held.append(held_from(stack, sources[i // each], "/api/v1/scans", b'{"qr":"x"}'))
        wait_nginx_holds(stack, cap, f"the {cap} held scans")
        st, headers, body, request_id = poll(stack, 503, held=held)
        assert st == 503, (cap, st, body[:300])
        assert json.loads(body)["error"]["code"] == "BUSY" and headers.get("retry-after") == "1", body[:300]
        assert access_line(stack, request_id)["upstream"] in ("", "-")
        # One place free again: the next request is passed on and served.
        held.pop().sock.close()
        st, _, body, request_id = poll(stack, 200)
        assert st == 200, (cap, st, body[:300])
        assert access_line(stack, request_id)["upstream"].startswith("unix:")
    finally:
        for h in held:
            h.sock.close()


def test_the_rendered_cap_is_the_stacks(capped):
    with open(os.path.join(capped.dir, "nginx", "nginx.conf"), encoding="utf-8") as f:
        rendered = f.read()
    assert re.findall(r"limit_conn app (\d+);", rendered) == [str(CAP)] * 2, rendered


def test_past_the_cap_nginx_answers_busy_without_the_application(capped):
    warm = get(capped, "/api/v1/keys", rid())
    assert warm[0] == 200, warm
    wait_door_empty(capped)
    held = [Held(capped, "/api/v1/scans", b'{"qr":"x"}'),
            Held(capped, "/api/v1/persons/1/declarations", b'{"items":[]}')]
    try:
        wait_nginx_holds(capped, 2, "the two held requests")  # their bodies' timeout is 5 s
        before = app_requests(capped)
        refused = []
        for target in ("/api/v1/keys", "/api/v1/scans", "/api/v1/persons/1/code", "/api/v1/keys"):
            request_id = rid()
            st, headers, body = get(capped, target, request_id)
            assert st == 503, (target, st, body[:300])
            assert headers.get("content-type") == JSON_TYPE, headers
            assert headers.get("retry-after") == "1", headers
            assert headers.get("x-request-id") == request_id, headers
            doc = json.loads(body)
            assert not [e.message for e in ERROR_SHAPE.iter_errors(doc)], doc
            assert doc["error"]["code"] == "BUSY" and doc["request_id"] == request_id, doc
            refused.append(request_id)
        # Outside the API's busy locations the door stays open.
        assert requests.get(capped.url("/healthz"), timeout=10).status_code == 200
        # None of the refused reached the application: no upstream in nginx's log, no count there.
        for request_id in refused:
            line = access_line(capped, request_id)
            assert line["status"] == 503 and line["upstream"] in ("", "-"), line
        after = app_requests(capped)
        assert after == before, (before, after)
        # The two within the cap are passed on once their bodies are whole, and answered by the
        # application (whatever it says of a scan without a device, it is not nginx's BUSY).
        for h in held:
            st, headers, body = h.finish()
            doc = json.loads(body)
            assert doc.get("error", {}).get("code") != "BUSY", (st, doc)
            line = access_line(capped, h.id)
            assert line["upstream"].startswith("unix:"), line
    finally:
        for h in held:
            h.sock.close()
    # Their places are free again.
    st, _, body = get(capped, "/api/v1/keys", rid())
    assert st == 200, body[:300]


def test_an_address_resending_refusals_at_once_is_held_others_are_not(capped):
    """Past HOLD_RATE refusals a second from one address (and a burst of as many), nginx holds each
    further refusal in its timers before answering it, the same JSON BUSY: a client that resends
    at once waits instead of spinning nginx. Another address's refusal meanwhile is not held. The
    times are nginx's own (request_time in its access log): a held refusal cannot be answered
    before its timer, whatever the machine's load."""
    wait_door_empty(capped)
    held = [Held(capped, "/api/v1/scans", b'{"qr":"x"}'), Held(capped, "/api/v1/scans", b'{"qr":"y"}')]
    try:
        wait_nginx_holds(capped, 2, "the two held scans")  # the cap is full
        ids = [rid() for _ in range(10)]
        with concurrent.futures.ThreadPoolExecutor(len(ids)) as ex:
            futures = [ex.submit(get, capped, "/api/v1/keys", i) for i in ids]
            # While most of those are held (in progress at nginx, besides the two scans).
            wait_nginx_holds(capped, 2 + len(ids) // 2, "most of the refusals held")
            other_id = rid()
            other = get(capped, "/api/v1/keys", other_id, source="127.0.0.2")
            answers = [f.result() for f in futures]
        for (st, headers, body), request_id in zip(answers + [other], ids + [other_id]):
            assert st == 503 and headers.get("retry-after") == "1", (st, headers, body[:200])
            assert headers.get("x-request-id") == request_id, headers
            doc = json.loads(body)
            assert doc["error"]["code"] == "BUSY" and doc["request_id"] == request_id, doc
        times = sorted(float(access_line(capped, i)["request_time"]) for i in ids)
        # At most 1 + HOLD_RATE at once; the others waited their turn, HOLD_RATE a second.
        assert sum(t >= 0.45 for t in times) >= len(ids) - 1 - HOLD_RATE - 1, times
        assert times[-1] >= (len(ids) - 1 - HOLD_RATE - 1) / HOLD_RATE - 0.05, times
        line = access_line(capped, other_id)
        assert line["remote"] == "127.0.0.2" and line["upstream"] in ("", "-"), line
        assert float(line["request_time"]) < 0.45, line
    finally:
        for h in held:
            h.sock.close()
