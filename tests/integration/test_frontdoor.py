"""The front door (issue 16, DESIGN §13): what nginx bounds before a request reaches the service.

nginx's body limit of every route is the route table's (fcgi/api/routes.c), probed over HTTP: a body
of the limit reaches the application, one byte more is refused by nginx itself. Every error nginx
makes under /api/ and /platform/ is the service's JSON error object with X-Request-Id; /readyz and
/platform/ are rate-limited; connections per address are limited; a client that stalls is
disconnected; the application down is a JSON 503. Web login states stay bounded.

The requests here go over raw sockets: nginx's own refusals of a route (a 414 on the login, a
413 on a GET) are not answers of the route's operation, so they are judged against the error
shape here rather than by the contract's per-operation check.
"""
import concurrent.futures
import contextlib
import glob
import json
import os
import re
import socket
import threading
import time
import urllib.parse
import uuid

import pytest
import requests

import contract
from helpers import access_line, session_from, wait_nginx_holds, wait_until
from private_stack import set_ini

JSON_TYPE = "application/json; charset=utf-8"
FLOOR = 4096  # nginx's limit of every location that does not say more: a scan's limit
WORDS = contract.error_words()
ERROR_SHAPE = contract.Contract().validator("#/components/schemas/Error")


def rid():
    return "fd-" + uuid.uuid4().hex


def exchange(stack, data, timeout=10):
    """Sends raw bytes on a fresh connection; (status, headers dict lower-cased, body bytes)."""
    with socket.create_connection(("127.0.0.1", stack.http_port), timeout=timeout) as s:
        s.sendall(data)
        buf = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
            head, sep, body = buf.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if m and len(body) >= int(m.group(1)):
                    break
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines and lines[0].startswith("HTTP/1.1 "), buf[:200]
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def request(stack, method, target, headers=None, body=b""):
    h = {"Host": "127.0.0.1", "Connection": "close"}
    h.update(headers or {})
    if body or method in ("POST", "PUT"):
        h["Content-Length"] = str(len(body))
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return exchange(stack, head.encode("latin-1") + body)


def assert_json_error(answer, status, code):
    """The service's error object, with its word of err.c at this status and the request id."""
    st, headers, body = answer
    assert st == status, (st, body[:300])
    assert headers.get("content-type") == JSON_TYPE, headers
    doc = json.loads(body)
    errors = [e.message for e in ERROR_SHAPE.iter_errors(doc)]
    assert not errors, (errors, doc)
    assert doc["error"]["code"] == code, doc
    assert WORDS.get(code) == status, f"{code} is not a word of err.c at {status}"
    assert headers.get("x-request-id") and doc["request_id"] == headers["x-request-id"], (headers, doc)
    return headers, doc




# === body limits =================================================================================

def expected_limits():
    """{path pattern: (method, limit nginx must have)}: the largest limit of the routes on a path
    (several methods share one), at least FLOOR, which nginx has wherever it says nothing more."""
    out = {}
    for r in contract.routes():
        limit = max(FLOOR, r["limit"])
        if r["pattern"] not in out or limit > out[r["pattern"]][1]:
            out[r["pattern"]] = (r["method"], limit)
    return out


def concrete(pattern):
    return re.sub(r"\{[a-z_]+\}", lambda m: "t0k" if m.group(0) == "{token}" else "1", pattern)


@pytest.mark.parametrize("pattern", sorted(expected_limits()))
def test_nginx_body_limit_is_the_route_tables(stack, pattern):
    method, limit = expected_limits()[pattern]
    path = concrete(pattern)
    # One byte over: nginx answers 413 itself (the request never reaches the application).
    over = rid()
    answer = request(stack, method, path, {"X-Request-Id": over, "Content-Type": "application/octet-stream"},
                     b"x" * (limit + 1))
    assert answer[0] == 413, (pattern, answer[0], answer[2][:200])
    assert access_line(stack, over)["upstream"] == "", f"{pattern}: the application saw a body over nginx's limit"
    if not pattern.startswith("/p/"):  # the place page has its own error pages
        assert_json_error(answer, 413, "TOO_LARGE")
    # At the limit: nginx passes it on, whatever the application then answers.
    at = rid()
    st, _, body = request(stack, method, path, {"X-Request-Id": at, "Content-Type": "application/octet-stream"},
                          b"x" * limit)
    line = access_line(stack, at)
    assert line["upstream"] != "", f"{pattern}: nginx refused a body of the route's limit {limit}: {st} {body[:200]}"


def test_the_limits_table_has_the_large_routes():
    """The probe above covers the routes that take more than the floor (a guard on its table)."""
    big = {p: l for p, (_, l) in expected_limits().items() if l > FLOOR}
    assert big == {"/api/v1/applications": 3 * 1024 * 1024, "/api/v1/scans/batch": 1024 * 1024,
                   "/api/v1/persons/{id}/declarations": 16 * 1024, "/api/v1/admin/risk-areas": 64 * 1024,
                   "/platform/callback": 65536}, big


# === nginx's own errors ==========================================================================

def test_trace_is_a_json_405(stack):
    assert_json_error(request(stack, "TRACE", "/api/v1/login"), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("target", ["/api/v1/lo%00gin", "/api/v1/persons/%00/code", "/platform/callback%00"])
def test_nul_in_a_path_is_a_json_400(stack, target):
    assert_json_error(request(stack, "GET", target), 400, "BAD_REQUEST")


def test_a_malformed_request_line_is_a_json_400(stack):
    assert_json_error(exchange(stack, b"GET /api/v1/login HTTP/1.1 junk\r\nHost: x\r\n\r\n"), 400, "BAD_REQUEST")


def test_a_caller_request_id_is_kept_on_nginx_errors(stack):
    mine = rid()
    headers, doc = assert_json_error(request(stack, "TRACE", "/api/v1/me", {"X-Request-Id": mine}), 405,
                                     "METHOD_NOT_ALLOWED")
    assert doc["request_id"] == mine == headers["x-request-id"]


@pytest.mark.parametrize("base", ["/api/v1/login", "/platform/callback"])
def test_a_too_long_uri_is_a_json_414(stack, base):
    assert_json_error(request(stack, "GET", base + "?x=" + "a" * 9000), 414, "URI_TOO_LONG")


def test_a_huge_header_is_a_json_431(stack):
    assert_json_error(request(stack, "GET", "/api/v1/me", {"X-Big": "a" * 9000}), 431, "HEADERS_TOO_LARGE")


def test_too_many_large_headers_are_a_json_431(stack):
    headers = {f"X-Big-{i}": "a" * 7000 for i in range(6)}
    assert_json_error(request(stack, "GET", "/api/v1/me", headers), 431, "HEADERS_TOO_LARGE")


@pytest.mark.parametrize("method,path", [("POST", "/api/v1/scans"), ("POST", "/api/v1/login/miniprogram"),
                                         ("POST", "/platform/callback"), ("GET", "/api/v1/me")])
def test_an_oversize_body_is_a_json_413_before_it_is_read(stack, method, path):
    """Refused on its Content-Length alone: the 2 MB announced are never sent."""
    head = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {2 * 1024 * 1024}\r\n\r\n").encode()
    assert_json_error(exchange(stack, head), 413, "TOO_LARGE")


def test_application_down_is_a_json_503_and_back_after(stack):
    stack.sh("app-stop")
    try:
        for method, path in (("GET", "/api/v1/me"), ("POST", "/platform/callback"), ("GET", "/readyz")):
            headers, _ = assert_json_error(request(stack, method, path, body=b"{}" if method == "POST" else b""),
                                           503, "UNAVAILABLE")
            assert headers.get("retry-after") == "1", headers
    finally:
        stack.sh("app-start")
    # On one stack nginx passes the next request on at once (its upstream's only server is never
    # marked failed); in the cluster each host that refused is skipped for the upstream's
    # fail_timeout, so the service is back within that (nginx.conf's own value).
    with open(os.path.join(stack.dir, "nginx", "nginx.conf"), encoding="utf-8") as f:
        m = re.search(r"fail_timeout=(\d+)s", f.read())
    back_within = int(m.group(1)) + 1.0 if m else 0.0
    t0 = time.monotonic()
    while True:
        st = requests.get(stack.url("/healthz"), timeout=10).status_code
        if st == 200 or time.monotonic() - t0 >= back_within:
            break
        time.sleep(0.1)
    assert st == 200, (st, time.monotonic() - t0)


# === connections and stalls ======================================================================

@contextlib.contextmanager
def held_requests(stack, n, head, what):
    """n requests from 127.0.0.1 whose headers and first body bytes are sent, the rest never: in
    progress at nginx (it has read their headers and counted them) until the block ends."""
    held = []
    try:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", stack.http_port), timeout=10)
            s.sendall(head)
            held.append(s)
        wait_nginx_holds(stack, n, what)
        yield
    finally:
        for s in held:
            s.close()


def apply_empty(stack):
    return request(stack, "POST", "/api/v1/applications", {"Content-Type": "multipart/form-data; boundary=b"},
                   b"--b--\r\n")


def test_uploads_per_address_are_limited(stack):
    """Eight applications may upload at once from one address; a ninth is a JSON 429 at once."""
    with held_requests(stack, 8, b"POST /api/v1/applications HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       b"multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n", "the 8 uploads"):
        headers, _ = assert_json_error(apply_empty(stack), 429, "RATE_LIMITED")
        assert headers.get("retry-after") == "1"
        # Other routes are not held up by the uploads.
        assert requests.get(stack.url("/api/v1/keys"), timeout=10).status_code == 200
    # Closed, they free their places.
    wait_until(lambda: apply_empty(stack)[0] != 429, 5, "the closed uploads to free their places", step=0.1)


def test_requests_in_progress_of_other_routes_do_not_count_as_uploads(stack):
    """Eight scans of an address in progress (a carrier's NAT at the peak) leave its applications
    their eight places: the application is answered by the service, not refused at the door."""
    with held_requests(stack, 8, b"POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 100\r\n\r\n{", "the 8 scans"):
        # No session: the service's 401, not nginx's 429 RATE_LIMITED.
        assert_json_error(apply_empty(stack), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("partial", [
    b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n",  # the header never ends
    b"POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
])
def test_a_stalled_client_is_disconnected_within_seconds(stack, partial):
    """A header or body that stops coming holds its connection 5 s, not nginx's default 60 s."""
    with socket.create_connection(("127.0.0.1", stack.http_port), timeout=20) as s:
        s.sendall(partial)
        t0 = time.monotonic()
        try:
            data = s.recv(4096)
        except ConnectionResetError:
            data = b""
        took = time.monotonic() - t0
    assert data == b"", data[:200]   # closed without an answer (nginx sends no 408)
    assert took < 15, took


# === rate limits of /readyz and /platform/ =======================================================

def burst_until_429(url, bound, source, threads=8):
    """Requests from several connections at once (faster than the refill even when the machine
    is slow) until one is refused: (requests answered before, the 429) or (bound, None)."""
    stop, seen, lock = threading.Event(), [], threading.Lock()
    count = [0]

    def one():
        with session_from(source) as s:
            for _ in range(bound // threads):
                if stop.is_set():
                    return
                r = s.get(url, timeout=10)
                with lock:
                    if r.status_code == 429:
                        if not seen:
                            seen.append((count[0], r))
                        stop.set()
                        return
                    count[0] += 1

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(one) for _ in range(threads)]:
            f.result()
    return seen[0] if seen else (bound, None)


@pytest.mark.parametrize("path,bound,source", [("/readyz", 600, "127.0.0.31"),
                                                ("/platform/callback", 2000, "127.0.0.32")])
def test_a_burst_on_an_unlimited_path_gets_a_json_429(stack, path, bound, source):
    """The burst comes from an address of its own: the limit is per address, and the session's
    other tests (from 127.0.0.1) use these paths."""
    n, r = burst_until_429(stack.url(path), bound, source)
    assert r is not None, f"{bound} requests to {path} without a 429"
    assert n >= 20, n  # a probe's or the platform's ordinary rate passes
    assert r.headers["Content-Type"] == JSON_TYPE and r.json()["error"]["code"] == "RATE_LIMITED", r.text
    assert r.headers["Retry-After"] == "1" and r.headers["X-Request-Id"] == r.json()["request_id"]
    # Another address is not refused meanwhile.
    assert requests.get(stack.url(path), timeout=10).status_code != 429
    # The bucket refills: the refused address is served again.
    end = time.monotonic() + 10
    with session_from(source) as s:
        while s.get(stack.url(path), timeout=10).status_code == 429:
            assert time.monotonic() < end, f"{path} still refused 10 s after the burst"
            time.sleep(0.5)


# === login states ================================================================================

def login_start(stack):
    r = requests.get(stack.url("/api/v1/login"), params={"next": "/"}, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["Location"].partition("#")[0]).query)["state"][0]
    return state, r


def states(stack):
    return int(stack.sql("SELECT COUNT(*) FROM oauth_states")[0][0])


def test_expired_login_states_go_as_logins_start(stack):
    for _ in range(5):
        login_start(stack)
    stack.sql("UPDATE oauth_states SET expires_at = NOW() - INTERVAL 1 SECOND")
    expired = states(stack)
    assert expired >= 5
    # Each start removes up to 16 expired states (the session's earlier logins may have left many).
    fresh = [login_start(stack)[0] for _ in range(expired // 16 + 1)]
    # Only the live states are left: no daily purge needed.
    assert sorted(r[0] for r in stack.sql("SELECT state FROM oauth_states")) == sorted(fresh)


@pytest.fixture
def small_cap(stack):
    """[session] login_states_max = 20 on every application host (one, or the cluster's two)."""
    confs = [stack.conf_path] + sorted(glob.glob(os.path.join(stack.dir, "host*", "hqr.conf")))
    saved = {}
    for conf in confs:
        with open(conf, encoding="utf-8") as f:
            saved[conf] = f.read()
        set_ini(conf, "session", "login_states_max", "20")
    stack.sh("app-stop")
    stack.sh("app-start")
    try:
        yield 20
    finally:
        for conf, text in saved.items():
            with open(conf, "w", encoding="utf-8") as f:
                f.write(text)
        stack.sh("app-stop")
        stack.sh("app-start")


def test_anonymous_login_starts_do_not_grow_the_states_past_the_cap(stack, small_cap):
    first, _ = login_start(stack)
    # Each start removes up to 16 of those past the cap (the session's earlier logins count too).
    for _ in range(3 * small_cap + states(stack) // 16):
        last, r = login_start(stack)
    assert states(stack) <= small_cap
    # The newest is kept, the oldest went first.
    assert stack.sql(f"SELECT COUNT(*) FROM oauth_states WHERE state = '{last}'") == [["1"]]
    assert stack.sql(f"SELECT COUNT(*) FROM oauth_states WHERE state = '{first}'") == [["0"]]
    # An evicted state is refused like an expired one.
    r = requests.get(stack.url(f"/api/v1/login/callback?code=abc&state={first}"), allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"] == "/?login_error=STATE_INVALID", r.headers
