"""The staff's side over real HTTP (DESIGN §7, §8): officers' orders taking effect on the next
scan, contact tracing on a crafted scenario (a taxi passenger included), every admin role against
every admin route with its audit trail, the high-risk areas read by the next declaration, devices,
residents and staff tokens made and revoked (hqrctl and the API), and nginx's allow list for
/api/v1/admin/.

Each test makes its own persons, checkpoints, devices and staff (unique names): none depends on
another's state or order.
"""
import datetime
import os
import random
import re
import time
import uuid

import pytest
import requests

import helpers as h
from helpers import assert_error
from scanning import (TIME_RE, Person, assert_verdict, bearer, check_answer, device_add,
                      scan_time, staff)

# === officers' orders ==========================================================================

def test_officer_orders_take_effect_on_the_very_next_scan(stack, mall):
    officer_name, officer = staff(stack, "officer")
    p = Person(stack)
    qr = p.qr()  # the same image before and after: the verdict follows the code, not the picture
    assert_verdict(check_answer(h.scan(stack, mall[2], qr), p), "allow")
    r = requests.post(stack.url(f"/api/v1/admin/persons/{p.pid}/orders"),
                      json={"color": "red", "reason": "CONTACT_TRACED", "observation_days": 14},
                      headers=bearer(officer), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["code"]["color"] == "red", r.text
    assert_verdict(check_answer(h.scan(stack, mall[2], qr), p), "deny", ["RED_CODE"], color="red")
    r = requests.post(stack.url(f"/api/v1/admin/persons/{p.pid}/orders"), json={"color": "green"},
                      headers=bearer(officer), timeout=10)
    assert r.status_code == 200, r.text
    assert_verdict(check_answer(h.scan(stack, mall[2], qr), p), "allow")
    events = stack.sql("SELECT from_color, to_color, reason, actor_kind, actor FROM code_events "
                       f"WHERE person_id = {p.db_id} AND actor_kind = 'officer' ORDER BY id")
    assert [(e[2], e[3], e[4]) for e in events] == [("CONTACT_TRACED", "officer", officer_name),
                                                    ("OFFICER_CLEARED", "officer", officer_name)], events
    assert [e[1] for e in events] == ["2", "1"], events
    # The history shows the same events to an investigator.
    _, inv = staff(stack, "investigator")
    r = requests.get(stack.url(f"/api/v1/admin/persons/{p.pid}/history"), headers=bearer(inv), timeout=10)
    assert r.status_code == 200, r.text
    kinds = [(e["actor_kind"], e["to"]) for e in r.json()["events"] if e["actor_kind"] == "officer"]
    assert kinds == [("officer", "green"), ("officer", "red")], r.json()["events"]
    assert len(r.json()["scans"]) == 3, r.json()["scans"]


def test_investigator_and_operator_cannot_order(stack):
    p = Person(stack)
    for role in ("investigator", "operator"):
        _, tok = staff(stack, role)
        r = requests.post(stack.url(f"/api/v1/admin/persons/{p.pid}/orders"),
                          json={"color": "red", "reason": "CONTACT_TRACED", "observation_days": 14},
                          headers=bearer(tok), timeout=10)
        assert_error(r, 403, "FORBIDDEN")
    assert stack.sql(f"SELECT color FROM codes WHERE person_id = {p.db_id}")[0][0] == "1"


# === tracing ===================================================================================

def local_day(t):
    """The local (Asia/Shanghai, UTC+8 without DST) day number of unix time t."""
    return (int(t) + 8 * 3600) // 86400


def insert_scan(stack, person, cp, at, direction=0):
    """A scan row written straight into the table at unix time at (seconds, may be fractional)."""
    sid = random.randrange(1 << 40, 1 << 62)
    stack.sql("SET time_zone = '+00:00'; INSERT INTO scans (id, local_day, scanned_at, checkpoint_id, "
              "device_id, integrator_id, person_id, token_kind, direction, temperature_tenths, verdict, "
              f"reasons, visitor_enc) VALUES ({sid}, {local_day(at)}, FROM_UNIXTIME({at:.3f}), {cp}, NULL, "
              f"NULL, {person.db_id}, 1, {direction}, 365, 0, 0, NULL)")
    return sid


def trace(stack, token, person, frm, to, window=30):
    return requests.get(stack.url("/api/v1/admin/trace"),
                        params={"person": person.pid, "from": str(int(frm)), "to": str(int(to)),
                                "window_minutes": str(window)},
                        headers=bearer(token), timeout=10)


def test_trace_finds_exactly_those_in_the_window_at_the_same_checkpoint(stack):
    a = h.checkpoint(stack, type_="supermarket")
    b = h.checkpoint(stack, type_="market")
    c = h.checkpoint(stack, type_="bank")
    _, dev_a = device_add(stack, a)
    _, dev_b = device_add(stack, b)
    _, dev_c = device_add(stack, c)
    case = Person(stack)
    c1, c2, c3 = Person(stack), Person(stack), Person(stack)
    out_a, late_a, at_b, at_c = Person(stack), Person(stack), Person(stack), Person(stack)

    # Real scans now: the case enters A; two contacts enter A; one person leaves A; one enters B
    # where the case never was; the case leaves C where one person enters.
    case_scan = check_answer(h.scan(stack, dev_a, case.qr(), "in", 36.5))["scan_id"]
    for p in (c1, c2):
        check_answer(h.scan(stack, dev_a, p.qr(), "in", 36.5))
    check_answer(h.scan(stack, dev_a, out_a.qr(), "out", None))
    check_answer(h.scan(stack, dev_b, at_b.qr(), "in", 36.5))
    check_answer(h.scan(stack, dev_c, case.qr(), "out", None))
    check_answer(h.scan(stack, dev_c, at_c.qr(), "in", 36.5))
    # Crafted times around the case's entry: 29 minutes before (inside), 31 after (outside).
    t0 = scan_time(stack, case_scan)
    insert_scan(stack, c3, a, t0 - 29 * 60)
    insert_scan(stack, late_a, a, t0 + 31 * 60)

    _, inv = staff(stack, "investigator")
    r = trace(stack, inv, case, t0 - 3600, t0 + 120)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["person_id"] == case.pid and body["window_minutes"] == 30 and body["truncated"] is False, body
    found = {x["person_id"] for x in body["contacts"]}
    names = {p.pid: n for p, n in [(c1, "c1"), (c2, "c2"), (c3, "c3"), (out_a, "out_a"), (late_a, "late_a"),
                                   (at_b, "at_b"), (at_c, "at_c"), (case, "case")]}
    assert found == {c1.pid, c2.pid, c3.pid}, sorted(names.get(x, x) for x in found)
    for x in body["contacts"]:
        assert x["checkpoint_id"] == a, x
        assert TIME_RE.match(x["at"]) and TIME_RE.match(x["case_at"]), x
    for p in (c1, c2, c3):
        x = next(x for x in body["contacts"] if x["person_id"] == p.pid)
        assert p.name not in r.text and p.id_number not in r.text
        assert x["name_masked"] == p.details()["name_masked"], x

    # A wider window reaches the late visitor; a range that misses the case's entry finds no one.
    r = trace(stack, inv, case, t0 - 3600, t0 + 120, window=40)
    assert {x["person_id"] for x in r.json()["contacts"]} == {c1.pid, c2.pid, c3.pid, late_a.pid}, r.text
    r = trace(stack, inv, case, t0 - 7200, t0 - 3600)
    assert r.status_code == 200 and r.json()["contacts"] == [], r.text


def test_trace_finds_a_taxi_passenger_whose_device_said_out(stack):
    cp = h.checkpoint(stack, kind="transport", type_="taxi")
    _, dev = device_add(stack, cp)
    case, rider = Person(stack), Person(stack)
    case_scan = check_answer(h.scan(stack, dev, case.qr(), "in", 36.5))["scan_id"]
    body = check_answer(h.scan(stack, dev, rider.qr(), "out", 36.5))
    assert body["verdict"] == "allow"
    t0 = scan_time(stack, case_scan)
    _, inv = staff(stack, "investigator")
    r = trace(stack, inv, case, t0 - 60, t0 + 60)
    assert r.status_code == 200, r.text
    assert {x["person_id"] for x in r.json()["contacts"]} == {rider.pid}, r.text


# === every admin role against every admin route ================================================

ROUTES = [
    # (action, method, path template, body, roles allowed)
    ("admin_checkpoint_create", "POST", "/api/v1/admin/checkpoints", "cp_body", {"operator"}),
    ("admin_checkpoints", "GET", "/api/v1/admin/checkpoints?limit=5", None, {"operator"}),
    ("admin_device_create", "POST", "/api/v1/admin/checkpoints/{cp}/devices", None, {"operator"}),
    ("admin_device_revoke", "POST", "/api/v1/admin/devices/{dev}/revoke", None, {"operator"}),
    ("admin_resident_add", "POST", "/api/v1/admin/checkpoints/{cp}/residents", "resident_body", {"operator"}),
    ("admin_person_find", "GET", "/api/v1/admin/persons?id_type=resident_id&id_number={idn}", None,
     {"officer", "investigator"}),
    ("admin_history", "GET", "/api/v1/admin/persons/{pid}/history", None, {"officer", "investigator"}),
    ("admin_order", "POST", "/api/v1/admin/persons/{pid}/orders", "order_body", {"officer"}),
    ("admin_trace", "GET", "/api/v1/admin/trace?person={pid}&from={frm}&to={to}&window_minutes=30", None,
     {"investigator"}),
    ("admin_audit", "GET", "/api/v1/admin/audit?limit=5", None, {"operator"}),
    ("admin_risk_areas", "GET", "/api/v1/admin/risk-areas", None, {"officer", "investigator", "operator"}),
    ("admin_risk_areas_set", "PUT", "/api/v1/admin/risk-areas", "risk_body", {"officer"}),
]
ROLES = ["officer", "investigator", "operator"]


def test_every_role_against_every_admin_route_and_the_audit_trail(stack):
    cp = h.checkpoint(stack, kind="community", type_="community")
    p = Person(stack)
    tokens = {role: staff(stack, role) for role in ROLES}
    now = int(time.time())
    calls = []  # (request id, actor, role, action, allowed)
    for action, method, tmpl, body_kind, allowed in ROUTES:
        for role in ROLES + [None]:
            dev = device_add(stack, cp)[0] if action == "admin_device_revoke" else 0  # one per revoke
            path = tmpl.format(cp=cp, dev=dev, pid=p.pid, idn=p.id_number, frm=now - 3600, to=now + 60)
            body = {"cp_body": {"kind": "public_place", "type": "bank", "name": h.unique("cp"),
                                "district": "Matrix"},
                    "resident_body": {"person_id": p.pid},
                    "order_body": {"color": "green"},
                    "risk_body": {"areas": []}, None: None}[body_kind]
            rid = "rm-" + uuid.uuid4().hex
            headers = {"X-Request-Id": rid}
            if role is not None:
                headers.update(bearer(tokens[role][1]))
            r = requests.request(method, stack.url(path), json=body, headers=headers, timeout=10)
            assert r.headers.get("X-Request-Id") == rid, (action, role, r.headers)
            if role is None:
                assert_error(r, 401, "UNAUTHENTICATED")
            elif role in allowed:
                assert 200 <= r.status_code < 300, (action, role, r.status_code, r.text)
            else:
                assert r.status_code == 403, (action, role, r.status_code, r.text)
                assert r.json()["error"]["code"] == "FORBIDDEN", r.text
            if role is not None:
                calls.append((rid, tokens[role][0], role, action, role in allowed))

    # A revoked staff token is refused like none.
    h.hqrctl(stack, "admin", "revoke", "--name", tokens["officer"][0])
    r = requests.get(stack.url(f"/api/v1/admin/persons/{p.pid}/history"), headers=bearer(tokens["officer"][1]),
                     timeout=10)
    assert_error(r, 401, "UNAUTHENTICATED")

    # Every identified call, allowed or refused, is in the audit log with who, role, what and request id.
    _, auditor = staff(stack, "operator")
    wanted = {c[0]: c for c in calls}
    seen = {}
    before = None
    for _ in range(20):
        params = {"limit": "200"}
        if before is not None:
            params["before_id"] = str(before)
        r = requests.get(stack.url("/api/v1/admin/audit"), params=params, headers=bearer(auditor), timeout=10)
        assert r.status_code == 200, r.text
        page = r.json()
        for e in page["entries"]:
            if e["request_id"] in wanted:
                assert e["request_id"] not in seen, ("audited twice", e)
                seen[e["request_id"]] = e
        before = page.get("next_before_id")
        if len(seen) == len(wanted) or before is None:
            break
    missing = [wanted[k] for k in wanted if k not in seen]
    assert not missing, missing
    for rid, (_, actor, role, action, allowed) in wanted.items():
        e = seen[rid]
        assert (e["actor"], e["role"], e["action"]) == (actor, role, action), (e, wanted[rid])
        assert TIME_RE.match(e["at"]), e
        if not allowed:
            assert e["target"] == "FORBIDDEN", e
    # The audit answer itself shows no personal data of the person looked up.
    assert p.id_number not in r.text and p.name not in r.text


def test_officer_sets_the_high_risk_areas_and_the_next_declaration_reads_them(stack):
    _, officer = staff(stack, "officer")
    _, investigator = staff(stack, "investigator")
    city = "风险" + uuid.uuid4().hex[:6] + "市"
    url = stack.url("/api/v1/admin/risk-areas")
    try:
        r = requests.put(url, json={"areas": [city, "Wuhan", city]}, headers=bearer(officer), timeout=10)
        assert r.status_code == 200, r.text
        assert sorted(r.json()["areas"]) == sorted(["Wuhan", city]), r.text
        r = requests.get(url, headers=bearer(investigator), timeout=10)
        assert r.status_code == 200 and sorted(r.json()["areas"]) == sorted(["Wuhan", city]), r.text
        assert set(h.hqrctl(stack, "risk-areas", "list").stdout.split()) == {"Wuhan", city}
        # A declaration made now with a stay there turns the code red; a stay elsewhere does not.
        day = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
        stay = {"from": (day - datetime.timedelta(days=4)).isoformat(), "to": (day - datetime.timedelta(days=2)).isoformat()}
        for where, color in ((city[:-1], "red"), ("苏州", "green")):
            p = Person(stack)
            r = p.session.post(stack.url(f"/api/v1/persons/{p.pid}/declarations"),
                               json={"symptoms": ["none"], "contact": "no", "declaration": True,
                                     "travel": [dict(stay, city=where)]}, timeout=10)
            assert r.status_code == 201 and r.json()["code"]["color"] == color, (where, r.text)
        # Bad lists are refused whole, naming each bad entry; nothing changes.
        bad = [{"areas": "Wuhan"}, {}, {"areas": [""]}, {"areas": ["x" * 41]}, {"areas": [" Wuhan"]},
               {"areas": ["ok", 7]}, {"areas": ["a\u200bb"]}, {"areas": ["c%d" % i for i in range(1001)]}]
        for body in bad:
            r = requests.put(url, json=body, headers=bearer(officer), timeout=10)
            assert_error(r, 422, "VALIDATION_FAILED")
        r = requests.put(url, json={"areas": ["ok", 7, "y" * 41]}, headers=bearer(officer), timeout=10)
        assert {(f["field"], f["code"]) for f in r.json()["error"]["fields"]} == {
            ("areas[1]", "NOT_A_STRING"), ("areas[2]", "TOO_LONG")}, r.text
        assert set(h.hqrctl(stack, "risk-areas", "list").stdout.split()) == {"Wuhan", city}
        r = requests.put(url, data=b"[", headers=dict(bearer(officer), **{"Content-Type": "application/json"}),
                         timeout=10)
        assert r.status_code == 400, r.text
    finally:
        r = requests.put(url, json={"areas": []}, headers=bearer(officer), timeout=10)
    assert r.status_code == 200 and r.json() == {"areas": []}, r.text
    assert h.hqrctl(stack, "risk-areas", "list").stdout.strip() == ""


def test_staff_calls_with_invalid_input_are_audited_too(stack):
    name, officer = staff(stack, "officer")
    _, auditor = staff(stack, "operator")
    rid = "inv-" + uuid.uuid4().hex
    r = requests.post(stack.url("/api/v1/admin/persons/AAAAAAAAAAAAAAAAAAAAAA/orders"),
                      json={"color": "purple"}, headers={**bearer(officer), "X-Request-Id": rid}, timeout=10)
    assert r.status_code == 422, r.text
    r = requests.get(stack.url("/api/v1/admin/audit"), params={"limit": "50"}, headers=bearer(auditor), timeout=10)
    hits = [e for e in r.json()["entries"] if e["request_id"] == rid]
    assert len(hits) == 1 and hits[0]["actor"] == name and hits[0]["action"] == "admin_order", hits


# === nginx serves /api/v1/admin/ only to allowed addresses =====================================

def location_directives(conf, prefix):
    """The directives (as word lists) of `location PREFIX { ... }` in an nginx config text."""
    m = re.search(r"location\s+" + re.escape(prefix) + r"\s*\{(.*?)\n\s*\}", conf, re.S)
    assert m, f"no location {prefix}"
    text = "\n".join(line.split("#", 1)[0] for line in m.group(1).splitlines())
    return [d.split() for d in text.split(";") if d.strip()]


def test_nginx_admin_location_allows_only_loopback(stack):
    with open(os.path.join(stack.dir, "nginx", "nginx.conf"), encoding="utf-8") as f:
        rendered = f.read()
    d = location_directives(rendered, "/api/v1/admin/")
    access = [x for x in d if x[0] in ("allow", "deny")]
    assert access == [["allow", "127.0.0.1"], ["allow", "::1"], ["deny", "all"]], access
    assert d[:3] == access, d  # before anything else in the location
    assert any(x[0] == "include" and x[1].endswith("/fastcgi.conf") for x in d), d
    # The template keeps the placeholder in front of deny all, so every rendering ends denying.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "nginx", "nginx.conf.in"), encoding="utf-8") as f:
        tmpl = location_directives(f.read(), "/api/v1/admin/")
    assert tmpl[0] == ["@ADMIN_ALLOW@", "deny", "all"], tmpl
    # No other location passes admin paths without the allow list: /api/ is a shorter prefix,
    # and every regex location (one could win over the prefix) is anchored on a path outside it.
    regexes = re.findall(r"location\s+~\*?\s+(\S+)", rendered)
    assert all(r.startswith("^/api/v1/persons/") for r in regexes), regexes
    # An exact location of an admin path (one with a larger body limit) has the same allow list.
    for path in re.findall(r"location\s+=\s+(/api/v1/admin/\S+)\s*\{", rendered):
        d = location_directives(rendered, "= " + path)
        assert d[:3] == access, (path, d)


def test_admin_routes_answer_from_loopback(stack):
    _, op = staff(stack, "operator")
    r = requests.get(stack.url("/api/v1/admin/checkpoints"), headers=bearer(op), timeout=10)
    assert r.status_code == 200, r.text


# === devices, residents and staff tokens =======================================================

@pytest.mark.parametrize("how", ["hqrctl", "api"])
def test_revoking_a_device_twice_or_an_unknown_one_is_refused(stack, how):
    cp = h.checkpoint(stack)
    dev, _ = device_add(stack, cp)
    unknown = dev + 1_000_000
    if how == "hqrctl":
        assert h.hqrctl(stack, "device", "revoke", "--id", str(dev)).stdout.strip() == f"device {dev} revoked"
        for d in (dev, unknown):
            p = h.hqrctl(stack, "device", "revoke", "--id", str(d), check=False)
            assert p.returncode == 1 and f"no active device {d}" in p.stderr, (p.stdout, p.stderr)
    else:
        _, op = staff(stack, "operator")
        r = requests.post(stack.url(f"/api/v1/admin/devices/{dev}/revoke"), headers=bearer(op), timeout=10)
        assert r.status_code == 200 and r.json() == {"device_id": dev, "revoked": True}, r.text
        for d in (dev, unknown):
            r = requests.post(stack.url(f"/api/v1/admin/devices/{d}/revoke"), headers=bearer(op), timeout=10)
            assert_error(r, 404, "NOT_FOUND")


def test_a_device_s_optional_body_is_read_for_nothing(stack):
    """Making and revoking a device take no body, an empty one or a JSON object whose members are
    ignored (the rows say NOMEMBERS); a body that is not a JSON object is still 400."""
    cp = h.checkpoint(stack)
    _, op = staff(stack, "operator")
    made = []
    for kw in ({}, {"json": {}}, {"json": {"name": "door 2", "checkpoint_id": "x" * 300}}):
        r = requests.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/devices"), headers=bearer(op), timeout=10, **kw)
        assert r.status_code == 201 and r.json()["checkpoint_id"] == cp, r.text
        made.append(r.json()["device_id"])
        r = requests.post(stack.url(f"/api/v1/admin/devices/{made[-1]}/revoke"), headers=bearer(op), timeout=10, **kw)
        assert r.status_code == 200 and r.json() == {"device_id": made[-1], "revoked": True}, r.text
    assert len(set(made)) == 3
    r = requests.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/devices"), data="[1]", timeout=10,
                      headers=dict(bearer(op), **{"Content-Type": "application/json"}))
    assert_error(r, 400, "BAD_JSON")


def test_revoking_a_staff_name_counts_its_tokens_and_refuses_a_second_time(stack):
    name, _ = staff(stack, "officer")
    h.hqrctl(stack, "admin", "add", "--role", "investigator", "--name", name)
    p = h.hqrctl(stack, "admin", "revoke", "--name", name)
    assert p.stdout.strip() == f'2 token(s) of "{name}" revoked', p.stdout
    for n in (name, h.unique("nobody")):
        p = h.hqrctl(stack, "admin", "revoke", "--name", n, check=False)
        assert p.returncode == 1 and f'"{n}" has no active token' in p.stderr, (p.stdout, p.stderr)


def test_adding_a_resident_twice_says_it_was_already(stack):
    cp = h.checkpoint(stack, kind="community", type_="community")
    p, q = Person(stack), Person(stack)
    first = h.hqrctl(stack, "resident", "add", "--checkpoint", str(cp), "--person", p.pid).stdout.strip()
    again = h.hqrctl(stack, "resident", "add", "--checkpoint", str(cp), "--person", p.pid).stdout.strip()
    assert first == f"person {p.pid} is now a resident of checkpoint {cp}", first
    assert again == f"person {p.pid} was already a resident of checkpoint {cp}", again
    _, op = staff(stack, "operator")
    seen = []
    for _ in range(2):
        r = requests.post(stack.url(f"/api/v1/admin/checkpoints/{cp}/residents"), json={"person_id": q.pid},
                          headers=bearer(op), timeout=10)
        assert r.status_code == 201 and r.json()["person_id"] == q.pid, r.text
        seen.append(r.json()["already_resident"])
    assert seen == [False, True]


# === hqrctl's ids and checkpoints ================================================================

def test_hqrctl_refuses_bad_ids_and_unknown_checkpoints_saying_why(stack):
    """An id is 1..2^63-1 in plain decimal, else exit 2 and the reason; a checkpoint that does not
    exist is exit 1 and named, in every verb that takes one; a resident is added only to a
    community, by a person's id of 22 base64url characters."""
    for bad in ("0", "007", "1x", "-1", "+1", " 1", "1 ", "١", "9223372036854775808", "1" * 20):
        for verb in (("device", "add"), ("place-code", "add"), ("resident", "add", "--person", "A" * 22)):
            p = h.hqrctl(stack, *verb, "--checkpoint", bad, check=False)
            assert p.returncode == 2, (verb, bad, p.stdout, p.stderr)
            assert "--checkpoint must be a positive decimal id" in p.stderr, (verb, bad, p.stderr)
    none = "9223372036854775807"
    for verb in (("device", "add"), ("place-code", "add"), ("resident", "add", "--person", "A" * 22),
                 ("integrator", "add", "--name", h.unique("integ"))):
        p = h.hqrctl(stack, *verb, "--checkpoint", none, check=False)
        assert p.returncode == 1 and f"no checkpoint {none}" in p.stderr, (verb, p.stdout, p.stderr)
    mall = h.checkpoint(stack)
    p = h.hqrctl(stack, "resident", "add", "--checkpoint", str(mall), "--person", "A" * 22, check=False)
    assert p.returncode == 1 and "is not a residential community" in p.stderr, p.stderr
    community = h.checkpoint(stack, kind="community", type_="community")
    for bad in ("A" * 21, "A" * 23, "A" * 21 + "+", "A" * 21 + "=", "A" * 21 + "."):
        p = h.hqrctl(stack, "resident", "add", "--checkpoint", str(community), "--person", bad, check=False)
        assert p.returncode == 2 and "--person must be a person's id" in p.stderr, (bad, p.stderr)
    # A well-formed id of no one: the checkpoint passed, the person is looked up.
    p = h.hqrctl(stack, "resident", "add", "--checkpoint", str(community), "--person", "A" * 22, check=False)
    assert p.returncode == 1 and f"no person {'A' * 22}" in p.stderr, p.stderr
