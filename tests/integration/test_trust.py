"""Whose code is it (issue 13, DESIGN §10): each hole of the issue tried as an attacker would,
and the family's way through: real-name face verification, owners, accountable delegates, no
oracle in refusals, login state bound to the browser, audit that fails closed, paper codes that
outlive key rotation, the server URL's replay window, staff names of 100 characters, and the
__Host- cookies over TLS. Everything runs against the real stack and the platform simulator."""
import contextlib
import hashlib
import os
import re
import socket
import subprocess
import time
import urllib.parse

import pytest
import requests

import helpers as h
from private_stack import private_stack, set_ini


def account_id(stack, openid):
    rows = stack.sql(f"SELECT id FROM accounts WHERE openid = '{openid}'")
    assert len(rows) == 1, rows
    return int(rows[0][0])


def resident(stack, name="陈小红"):
    """A resident that verified its identity and applied for itself: (session, person id, rid)."""
    s = h.login_mp(stack)
    rid = h.resident_id()
    r = h.apply(s, stack, name=name, id_number=rid)
    assert r.status_code == 201, r.text
    assert r.json()["person"]["owner"] is True, r.text
    return s, r.json()["person"]["id"], rid


def delegate(stack, name="王五"):
    """An accountable delegate: an account that owns its own verified person."""
    s = h.login_mp(stack)
    r = h.apply(s, stack, name=name, id_number=h.resident_id())
    assert r.status_code == 201, r.text
    s.own_person = r.json()["person"]["id"]
    return s


def messages_to(stack, openid, template="tmpl_delegation"):
    r = requests.get(h.sim_base(stack) + "/sim/messages", timeout=10)
    assert r.status_code == 200, r.text
    return [m for m in r.json() if m["touser"] == openid and m["template_id"] == template]


def audit_rows(stack, actor, action):
    return stack.sql(f"SELECT IFNULL(target, '') FROM audit_log WHERE actor = '{actor}' AND action = '{action}' "
                     f"ORDER BY id")


def person_routes(pid):
    return [("GET", f"/api/v1/persons/{pid}"), ("GET", f"/api/v1/persons/{pid}/photo"),
            ("GET", f"/api/v1/persons/{pid}/code"), ("GET", f"/api/v1/persons/{pid}/code.png"),
            ("GET", f"/api/v1/persons/{pid}/paper-code.png"), ("GET", f"/api/v1/persons/{pid}/reports")]


def code_of(session, stack, pid):
    r = session.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


# === 1. knowing a name and an ID number no longer makes a holder ==================================

def test_a_stranger_with_the_name_and_id_number_holds_nothing_until_the_owner_approves(stack):
    owner, pid, rid = resident(stack, name="陈小红")
    stranger = delegate(stack)
    r = h.apply(stranger, stack, for_="relative", relationship="parent", name="陈小红", id_number=rid,
                symptoms="fever", temperature="38.6")
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["delegation"]["status"] == "pending" and "person" not in body, body
    delegation = body["delegation"]["id"]
    # It holds nothing: not the code, the image, the photo, the paper code; no declaration, no
    # report, no reissue; and the fever it declared did not touch the owner's code.
    for method, path in person_routes(pid):
        g = stranger.request(method, stack.url(path), timeout=10)
        assert g.status_code == 404, (path, g.status_code, g.text)
    d = stranger.post(stack.url(f"/api/v1/persons/{pid}/declarations"),
                      json={"symptoms": ["fever"], "contact": "no", "declaration": True}, timeout=10)
    assert d.status_code == 404, d.text
    rep = stranger.post(stack.url(f"/api/v1/persons/{pid}/reports"), json={"temperature": 38.9, "symptoms": ["fever"]},
                        timeout=10)
    assert rep.status_code == 404, rep.text
    rei = stranger.post(stack.url(f"/api/v1/persons/{pid}/paper-code/reissue"), timeout=10)
    assert rei.status_code == 404, rei.text
    assert code_of(owner, stack, pid)["color"] == "green"
    assert pid not in [p["id"] for p in stranger.get(stack.url("/api/v1/me"), timeout=10).json()["persons"]]

    # The owner is told by a template message and sees the pending delegation with the
    # stranger's masked verified name.
    sent = messages_to(stack, owner.openid)
    assert len(sent) == 1, sent
    assert sent[0]["data"]["keyword2"]["value"].startswith("王*"), sent
    me = owner.get(stack.url("/api/v1/me"), timeout=10).json()
    mine = next(p for p in me["persons"] if p["id"] == pid)
    assert mine["owner"] is True and me["account"]["verified"] is True
    assert [(d["id"], d["relationship"], d["name_masked"]) for d in mine["pending_delegations"]] == \
        [(delegation, "parent", "王*")], mine
    assert mine["holders"] == []
    # Nobody else decides: the stranger cannot approve its own delegation.
    assert stranger.post(stack.url(f"/api/v1/delegations/{delegation}/approve"), timeout=10).status_code == 404

    # The owner approves: the delegate sees the code and the masked details, never the photo or
    # the phone the owner submitted.
    ok = owner.post(stack.url(f"/api/v1/delegations/{delegation}/approve"), timeout=10)
    assert ok.status_code == 200 and ok.json()["delegation"]["status"] == "approved", ok.text
    assert owner.post(stack.url(f"/api/v1/delegations/{delegation}/refuse"), timeout=10).status_code == 409
    assert code_of(stranger, stack, pid)["color"] == "green"
    g = stranger.get(stack.url(f"/api/v1/persons/{pid}"), timeout=10).json()
    assert g["name_masked"] == "陈*红" and "phone_masked" not in g and g["photo"] is False, g
    assert stranger.get(stack.url(f"/api/v1/persons/{pid}/photo"), timeout=10).status_code == 403
    assert owner.get(stack.url(f"/api/v1/persons/{pid}/photo"), timeout=10).status_code == 200
    mine = next(p for p in owner.get(stack.url("/api/v1/me"), timeout=10).json()["persons"] if p["id"] == pid)
    assert mine["pending_delegations"] == [] and len(mine["holders"]) == 1, mine
    holder = mine["holders"][0]
    assert holder["relationship"] == "parent" and holder["name_masked"] == "王*" and holder["verified"] is True

    # The owner removes it at any time; it holds nothing again.
    rm = owner.delete(stack.url(f"/api/v1/persons/{pid}/holders/{holder['holder_id']}"), timeout=10)
    assert rm.status_code == 204, rm.text
    assert stranger.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).status_code == 404
    # Each step is in the audit log, with the person as target.
    actor = f"account:{account_id(stack, owner.openid)}"
    assert audit_rows(stack, actor, "delegation_approve") == [[pid]]
    assert audit_rows(stack, actor, "holder_remove") == [[pid]]


def test_an_owner_refuses_and_a_stranger_cannot_remove_holders(stack):
    owner, pid, rid = resident(stack, name="林小军")
    stranger = delegate(stack)
    r = h.apply(stranger, stack, for_="relative", relationship="child", name="林小军", id_number=rid)
    assert r.status_code == 202, r.text
    delegation = r.json()["delegation"]["id"]
    # A second try waits on the same delegation (the owner is not asked twice).
    again = h.apply(stranger, stack, for_="relative", relationship="child", name="林小军", id_number=rid)
    assert again.status_code == 202 and again.json()["delegation"]["id"] == delegation, again.text
    assert len(messages_to(stack, owner.openid)) == 1
    no = owner.post(stack.url(f"/api/v1/delegations/{delegation}/refuse"), timeout=10)
    assert no.status_code == 200 and no.json()["delegation"]["status"] == "refused", no.text
    assert stranger.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).status_code == 404
    assert owner.post(stack.url(f"/api/v1/delegations/{delegation}/approve"), timeout=10).status_code == 409
    actor = f"account:{account_id(stack, owner.openid)}"
    assert audit_rows(stack, actor, "delegation_refuse") == [[pid]]
    # The refusal counts against the delegate's day, as a refused application does.
    assert stack.sql(f"SELECT n FROM refusals WHERE account_id = {account_id(stack, stranger.openid)}") == [["1"]]
    # The owner's own holding cannot be removed, by a stranger or by itself.
    own_hid = stack.sql(f"SELECT h.id FROM holders h JOIN persons p ON p.id = h.person_id "
                        f"WHERE p.public_id = '{pid}' AND h.role = 1")[0][0]
    assert stranger.delete(stack.url(f"/api/v1/persons/{pid}/holders/{own_hid}"), timeout=10).status_code == 404
    assert owner.delete(stack.url(f"/api/v1/persons/{pid}/holders/{own_hid}"), timeout=10).status_code == 409
    assert code_of(owner, stack, pid)["color"] == "green"


# === 2. squatting, and the real person taking over ==============================================

def test_a_squatter_without_a_passed_verification_of_that_identity_is_refused(stack):
    victim_rid, victim_name = h.resident_id(), "周小梅"
    squatter = h.login_mp(stack)
    # No verification at all.
    r = h.apply(squatter, stack, name=victim_name, id_number=victim_rid, verify_self=False)
    assert r.status_code == 422 and r.json()["error"]["code"] == "VERIFICATION_REQUIRED", r.text
    assert r.json()["error"]["fields"] == [{"field": "verification_id", "code": "REQUIRED"}]
    # A verification of the victim's identity fails the face check: the squatter's face is its own.
    h.set_identity(stack, squatter.openid, "吴小强", h.resident_id())
    vid = h.verify(squatter, stack, victim_name, victim_rid, identity=False)
    g = squatter.get(stack.url(f"/api/v1/verifications/{vid}"), timeout=10).json()
    assert g["status"] == "failed" and g["verify_ret"] == 10003 and g["result"] == "ID_NOT_THIS_PERSON", g
    faces = requests.get(h.sim_base(stack) + "/sim/faces", timeout=10).json()
    assert [f["verify_ret"] for f in faces if f["openid"] == squatter.openid] == [10003]
    r = h.apply(squatter, stack, name=victim_name, id_number=victim_rid, verification_id=vid, verify_self=False)
    assert r.status_code == 422 and r.json()["error"]["fields"] == [
        {"field": "verification_id", "code": "NOT_PASSED"}], r.text
    # Another account's passed verification is not the squatter's to use.
    victim = h.login_mp(stack)
    vvid = h.verify(victim, stack, victim_name, victim_rid)
    r = h.apply(squatter, stack, name=victim_name, id_number=victim_rid, verification_id=vvid, verify_self=False)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["code"] == "UNKNOWN", r.text
    assert squatter.get(stack.url(f"/api/v1/verifications/{vvid}"), timeout=10).status_code == 404
    assert stack.sql(f"SELECT COUNT(*) FROM holders h JOIN accounts a ON a.id = h.account_id "
                     f"WHERE a.openid = '{squatter.openid}'") == [["0"]]
    # The real person's passed verification is good for its own name and number only, once.
    r = h.apply(victim, stack, name="周小兰", id_number=victim_rid, verification_id=vvid, verify_self=False)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["code"] == "OTHER_IDENTITY", r.text
    r = h.apply(victim, stack, name=victim_name, id_number=victim_rid, verification_id=vvid, verify_self=False)
    assert r.status_code == 201 and r.json()["person"]["owner"] is True, r.text
    assert victim.get(stack.url(f"/api/v1/verifications/{vvid}"), timeout=10).json()["status"] == "used"


def test_a_verification_expires_after_thirty_minutes_and_the_face_page_outcomes_fail(stack):
    s = h.login_mp(stack)
    rid = h.resident_id()
    vid = h.verify(s, stack, "郑小东", rid)
    g = s.get(stack.url(f"/api/v1/verifications/{vid}"), timeout=10).json()
    assert g["status"] == "passed" and g["verify_ret"] == 10000 and g["name_masked"] == "郑*东", g
    stack.sql(f"UPDATE verifications SET expires_at = NOW() - INTERVAL 1 SECOND WHERE public_id = '{vid}'")
    assert s.get(stack.url(f"/api/v1/verifications/{vid}"), timeout=10).json()["status"] == "expired"
    r = h.apply(s, stack, name="郑小东", id_number=rid, verification_id=vid, verify_self=False)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["code"] == "EXPIRED", r.text
    for outcome, ret, word in (("cancel", 90002, "CANCELLED"), ("timeout", 90017, "TIMED_OUT"),
                               ("fail", 10004, "FACE_MISMATCH")):
        start = h.start_verification(s, stack, "郑小东", rid, next_path="/?step=apply")
        assert start.status_code == 201, start.text
        cb = h.finish_face(s, stack, start.json()["face_url"], outcome)
        vid = start.json()["verification_id"]
        assert cb.headers["Location"] == f"/?step=apply&verification={vid}&verify_error={word}", cb.headers
        g = s.get(stack.url(f"/api/v1/verifications/{vid}"), timeout=10).json()
        assert (g["status"], g["verify_ret"]) == ("failed", ret), g
    # A passport cannot be verified; a forged callback changes nothing.
    p = s.post(stack.url("/api/v1/verifications"), json={"name": "郑小东", "id_type": "passport",
                                                          "id_number": "E12345678"}, timeout=10)
    assert p.status_code == 422 and p.json()["error"]["fields"] == [{"field": "id_type", "code": "NOT_VERIFIABLE"}]
    forged = requests.get(stack.url("/api/v1/verifications/callback?verify_id=abc&verify_ret=10000"),
                          allow_redirects=False, timeout=10)
    assert forged.status_code == 302 and "verify_error=UNKNOWN_VERIFICATION" in forged.headers["Location"]


VERIFY_BODIES = [
    ({}, [("id_number", "REQUIRED"), ("id_type", "REQUIRED"), ("name", "REQUIRED")]),
    ({"name": "郑小东", "id_type": "visa", "id_number": "1"}, [("id_type", "NOT_ALLOWED")]),
    # Both mistakes at once: the number is judged against its type even when that type cannot be verified.
    ({"name": "郑小东", "id_type": "passport", "id_number": "!"}, [("id_number", "ID_*"), ("id_type", "NOT_VERIFIABLE")]),
    ({"name": "郑小东", "id_type": "resident_id", "id_number": "110105194912310021"}, [("id_number", "ID_CHECKSUM")]),
    ({"name": "郑小东", "id_type": "resident_id", "id_number": "11010519491231002X", "next": "//evil.example"},
     [("next", "NOT_A_LOCAL_PATH")]),
    ({"name": "", "id_type": "resident_id", "id_number": "11010519491231002X", "next": ""}, [("name", "REQUIRED")]),
]


@pytest.mark.parametrize("body,expected", VERIFY_BODIES, ids=[str(i) for i in range(len(VERIFY_BODIES))])
def test_a_verification_body_is_checked_before_any_face_check(stack, body, expected):
    s = h.login_mp(stack)
    r = s.post(stack.url("/api/v1/verifications"), json=body, timeout=10)
    assert r.status_code == 422, r.text
    got = sorted((f["field"], f["code"]) for f in r.json()["error"]["fields"])
    assert len(got) == len(expected), r.text
    for (field, code), (want_field, want) in zip(got, expected):  # "ID_*": any of the ID number's words
        assert field == want_field and (code == want or (want == "ID_*" and code.startswith("ID_"))), r.text


def test_the_real_person_takes_over_a_person_a_delegate_registered_first(stack):
    first = delegate(stack, name="孙大伟")
    rid = h.resident_id()
    photo_d = h.jpeg_photo(seed=71)
    r = h.apply(first, stack, for_="relative", relationship="parent", name="钱秀英", id_number=rid, photo=photo_d,
                phone="13911112222")
    assert r.status_code == 201, r.text
    pid = r.json()["person"]["id"]
    assert first.get(stack.url(f"/api/v1/persons/{pid}/photo"), timeout=10).content == photo_d
    # The real person verifies and applies for itself: it takes the person over.
    real = h.login_web(stack)
    photo_r = h.jpeg_photo(seed=72)
    r = h.apply(real, stack, name="钱秀英", id_number=rid, photo=photo_r, phone="13733334444")
    assert r.status_code == 201, r.text
    p = r.json()["person"]
    assert p["id"] == pid and p["owner"] is True and p["relationship"] == "self" and p["phone_masked"] == "137****4444"
    # Its own details replace the delegate's: the owner sees its photo; the delegate no photo.
    assert real.get(stack.url(f"/api/v1/persons/{pid}/photo"), timeout=10).content == photo_r
    assert first.get(stack.url(f"/api/v1/persons/{pid}/photo"), timeout=10).status_code == 403
    assert "phone_masked" not in first.get(stack.url(f"/api/v1/persons/{pid}"), timeout=10).json()
    # The owner sees every holder: the delegate that registered it, with its verified name.
    mine = next(x for x in real.get(stack.url("/api/v1/me"), timeout=10).json()["persons"] if x["id"] == pid)
    assert [(x["relationship"], x["name_masked"]) for x in mine["holders"]] == [("parent", "孙*伟")], mine
    # From now on a delegate waits for the owner.
    third = delegate(stack)
    r = h.apply(third, stack, for_="relative", relationship="child", name="钱秀英", id_number=rid)
    assert r.status_code == 202, r.text
    # Nobody else becomes its owner.
    other = h.login_mp(stack)
    r = h.apply(other, stack, name="钱秀英", id_number=rid)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ID_HAS_SELF_ACCOUNT", r.text


def test_persons_registered_before_have_no_owner_and_are_taken_over_by_the_first_verified_self(stack):
    """The migration leaves existing persons without an owner; an unverified self holder of old
    is kept as a holder the owner sees (and may remove)."""
    old = h.login_mp(stack)
    rid = h.resident_id()
    r = h.apply(old, stack, name="冯小刚", id_number=rid)
    assert r.status_code == 201, r.text
    pid = r.json()["person"]["id"]
    # As a row from before the change: no owner, the self holder unverified.
    stack.sql(f"UPDATE persons SET owner_account_id = NULL WHERE public_id = '{pid}'")
    real = h.login_mp(stack)
    r = h.apply(real, stack, name="冯小刚", id_number=rid)
    assert r.status_code == 201 and r.json()["person"]["owner"] is True, r.text
    mine = next(x for x in real.get(stack.url("/api/v1/me"), timeout=10).json()["persons"] if x["id"] == pid)
    assert [x["relationship"] for x in mine["holders"]] == ["other"], mine
    rm = real.delete(stack.url(f"/api/v1/persons/{pid}/holders/{mine['holders'][0]['holder_id']}"), timeout=10)
    assert rm.status_code == 204, rm.text
    assert old.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).status_code == 404


def test_a_person_without_an_owner_takes_three_holders_who_are_told_and_see_no_details(stack):
    a = delegate(stack, name="黄大明")
    rid = h.resident_id()
    r = h.apply(a, stack, for_="relative", relationship="grandparent", name="何老太", id_number=rid)
    assert r.status_code == 201, r.text
    pid = r.json()["person"]["id"]
    b = delegate(stack, name="曹小丽")
    r = h.apply(b, stack, for_="relative", relationship="grandchild", name="何老太", id_number=rid)
    assert r.status_code == 201, r.text
    p = r.json()["person"]
    assert p["id"] == pid and p["already_registered"] is True and "phone_masked" not in p, p
    # The holder already there is told who joined: the delegate's masked verified name.
    sent = messages_to(stack, a.openid)
    assert [m["data"]["keyword2"]["value"] for m in sent] == ["曹*丽 (grandchild)"], sent
    assert b.get(stack.url(f"/api/v1/persons/{pid}/photo"), timeout=10).status_code == 403
    assert b.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).status_code == 200
    c = delegate(stack)
    assert h.apply(c, stack, for_="relative", relationship="child", name="何老太", id_number=rid).status_code == 201
    d = delegate(stack)
    r = h.apply(d, stack, for_="relative", relationship="child", name="何老太", id_number=rid)
    assert r.status_code == 409 and r.json()["error"]["code"] == "APPLICATION_REFUSED", r.text


def test_a_delegate_must_own_its_verified_person(stack):
    s = h.login_mp(stack)
    r = h.apply(s, stack, for_="relative", relationship="parent", verify_self=False)
    assert r.status_code == 403 and r.json()["error"]["code"] == "DELEGATE_NOT_VERIFIED", r.text


# === 3. no oracle ===============================================================================

def _refusal(r):
    body = r.json()
    body.pop("request_id", None)
    return r.status_code, r.headers["Content-Type"], body


def test_refusals_do_not_tell_whether_an_id_number_is_registered(stack):
    _, _, registered = resident(stack, name="谢小雨")
    attacker = delegate(stack)
    for _ in range(5):  # the delegate's five persons
        assert h.apply(attacker, stack, for_="relative", relationship="other").status_code == 201
    unregistered = h.resident_id()
    # Another random test person may share the masked form: count it before, not against 0.
    same_mask = (f"SELECT COUNT(*) FROM persons WHERE public_id IS NOT NULL AND id_masked = "
                 f"'{unregistered[:3]}***********{unregistered[-4:]}'")
    before = stack.sql(same_mask)
    a = h.apply(attacker, stack, for_="relative", relationship="other", name="谢小雨", id_number=registered)
    b = h.apply(attacker, stack, for_="relative", relationship="other", name="谢小雨", id_number=unregistered)
    assert _refusal(a) == _refusal(b), (a.text, b.text)
    assert a.status_code == 409
    assert stack.sql(same_mask) == before  # the refused application made no person
    # A wrong name and a person that has all its holders are refused alike, with no field named.
    other = delegate(stack)
    c = h.apply(other, stack, for_="relative", relationship="other", name="谢小云", id_number=registered)
    full_rid = h.resident_id()
    for _ in range(3):
        assert h.apply(delegate(stack), stack, for_="relative", relationship="child", name="许老伯",
                       id_number=full_rid).status_code == 201
    d = h.apply(other, stack, for_="relative", relationship="child", name="许老伯", id_number=full_rid)
    assert _refusal(c) == _refusal(d), (c.text, d.text)
    assert c.json()["error"]["code"] == "APPLICATION_REFUSED" and "fields" not in c.json()["error"]


def test_the_eleventh_refused_relative_application_of_a_day_is_429_and_name_refusals_are_audited(stack):
    _, pid, rid = resident(stack, name="韩小宝")
    attacker = delegate(stack)
    guesses = ["韩大宝", "韩小贝", "韩晓宝", "寒小宝", "韩小保", "韩小包", "韩宝", "韩小宝宝", "何小宝", "韩小堡"]
    for name in guesses:
        r = h.apply(attacker, stack, for_="relative", relationship="child", name=name, id_number=rid)
        assert r.status_code == 409 and r.json()["error"]["code"] == "APPLICATION_REFUSED", r.text
    # The eleventh is refused before anything is looked up, even with the right name.
    r = h.apply(attacker, stack, for_="relative", relationship="child", name="韩小宝", id_number=rid)
    assert r.status_code == 429 and r.json()["error"]["code"] == "TOO_MANY_ATTEMPTS", r.text
    r = h.apply(attacker, stack, for_="relative", relationship="child")
    assert r.status_code == 429, r.text
    actor = f"account:{account_id(stack, attacker.openid)}"
    assert audit_rows(stack, actor, "relative_refused_name") == [[pid]] * 10


# === 4. login CSRF ==============================================================================

def _attacker_callback(stack):
    """An attacker starts a login for its own account and stops at the callback URL."""
    a = requests.Session()
    r = a.get(stack.url("/api/v1/login"), params={"next": "/"}, allow_redirects=False, timeout=10)
    assert r.status_code == 302
    url = r.headers["Location"].partition("#")[0]
    r = a.get(url + "&sim_user=" + h.unique("atk"), allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    return a, r.headers["Location"]


def test_a_login_callback_finished_in_another_browser_makes_no_session(stack):
    _, callback = _attacker_callback(stack)
    victim = requests.Session()
    r = victim.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"] == "/?login_error=LOGIN_OTHER_BROWSER", r.headers
    assert "hqr_session" not in r.headers.get("Set-Cookie", "")
    assert victim.get(stack.url("/api/v1/me"), timeout=10).status_code == 401
    # Nor after the attacker's own browser finished it (a reload lands only where it began).
    attacker, callback = _attacker_callback(stack)
    assert "login_error" not in attacker.get(callback, allow_redirects=False, timeout=10).headers["Location"]
    r = victim.get(callback, allow_redirects=False, timeout=10)
    assert r.headers["Location"] == "/?login_error=LOGIN_OTHER_BROWSER", r.headers
    assert "hqr_session" not in r.headers.get("Set-Cookie", "")
    # The browser that began it lands in its session, also on a reload.
    r = attacker.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 302 and "login_error" not in r.headers["Location"], r.headers
    assert attacker.get(stack.url("/api/v1/me"), timeout=10).status_code == 200


def test_the_login_cookie_is_short_lived_and_http_only(stack):
    r = requests.get(stack.url("/api/v1/login"), allow_redirects=False, timeout=10)
    cookie = r.headers["Set-Cookie"]
    assert re.match(r"^hqr_login=[A-Za-z0-9]{32}; Path=/api/v1/login; Max-Age=600; HttpOnly; SameSite=Lax", cookie), cookie


# === 5. audit fails closed ======================================================================

def test_a_staff_call_whose_audit_row_cannot_be_written_fails_and_changes_nothing(stack):
    s, pid, rid = resident(stack, name="蒋小林")
    officer = {"Authorization": "Bearer " + h.admin_token(stack, "officer")}
    events = stack.sql(f"SELECT COUNT(*) FROM code_events e JOIN persons p ON p.id = e.person_id "
                       f"WHERE p.public_id = '{pid}'")
    stack.sql("CREATE TRIGGER t_audit_ro BEFORE INSERT ON audit_log FOR EACH ROW "
              "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is read-only'")
    try:
        r = requests.post(stack.url(f"/api/v1/admin/persons/{pid}/orders"), headers=officer, timeout=10,
                          json={"color": "red", "reason": "CONTACT_TRACED", "observation_days": 14})
        assert r.status_code == 503 and r.json()["error"]["code"] == "UNAVAILABLE", r.text
        f = requests.get(stack.url("/api/v1/admin/persons"), headers=officer, timeout=10,
                         params={"id_type": "resident_id", "id_number": rid})
        assert f.status_code == 503, f.text
        assert "蒋" not in f.text
    finally:
        stack.sql("DROP TRIGGER IF EXISTS t_audit_ro")
    assert code_of(s, stack, pid)["color"] == "green"
    assert stack.sql(f"SELECT COUNT(*) FROM code_events e JOIN persons p ON p.id = e.person_id "
                     f"WHERE p.public_id = '{pid}'") == events
    # With the audit table writable the same order goes through, audited with its target.
    r = requests.post(stack.url(f"/api/v1/admin/persons/{pid}/orders"), headers=officer, timeout=10,
                      json={"color": "red", "reason": "CONTACT_TRACED", "observation_days": 14})
    assert r.status_code in (200, 201), r.text
    assert code_of(s, stack, pid)["color"] == "red"
    assert stack.sql(f"SELECT target FROM audit_log WHERE action = 'admin_order' AND target = '{pid}'") == [[pid]]


def test_a_lookup_by_id_number_records_the_person_it_found(stack):
    _, pid, rid = resident(stack, name="沈小芳")
    token = h.admin_token(stack, "investigator")
    r = requests.get(stack.url("/api/v1/admin/persons"), headers={"Authorization": "Bearer " + token},
                     params={"id_type": "resident_id", "id_number": rid}, timeout=10)
    assert r.status_code == 200 and r.json()["person"]["id"] == pid, r.text
    rid_rows = stack.sql(f"SELECT target FROM audit_log WHERE action = 'admin_person_find' "
                         f"AND request_id = '{r.headers['X-Request-Id']}'")
    assert rid_rows == [[pid]], rid_rows


# === 6. paper codes outlive key rotation ========================================================

def _keys_dir(stack):
    return stack.conf()["app"]["keys_dir"]


def _retire(stack, kid):
    path = os.path.join(_keys_dir(stack), f"sign-{kid:04d}.meta")
    with open(path, encoding="ascii") as f:
        nb = re.search(r"not_before=(\d+)", f.read()).group(1)
    tmp = path + ".tmp-test"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(f"not_before={nb}\nnot_after={int(time.time()) - 10}\n")
    os.replace(tmp, path)


def _rotate_past_overlap(stack):
    """A rotation, then the old key's overlap over: it verifies nothing any more."""
    before = h.published_kids(stack)
    h.hqrctl(stack, "keys", "rotate")
    new = max(before) + 1
    for kid in before:
        _retire(stack, kid)
    h.reload_keys_until(stack, [new])
    return new


@pytest.fixture
def keys_restored(stack):
    """The stack's keys as they were, after the test: the files of the keys published before it
    (a rotation deletes a retired key's seed and metadata) put back and the keys reloaded (the
    rotated ones stay, published beside them), so that the files after this one find the key 1
    they start from."""
    before = h.published_kids(stack)
    saved = {}
    for kid in before:
        for ext in ("seed", "meta"):
            path = os.path.join(_keys_dir(stack), f"sign-{kid:04d}.{ext}")
            with open(path, "rb") as f:
                saved[path] = f.read()
    yield
    for path, data in saved.items():
        tmp = path + ".tmp-test"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    h.reload_keys_until(stack, sorted(set(before) | set(h.published_kids(stack))))


def test_a_paper_code_printed_before_two_rotations_still_scans_until_reissued(stack, keys_restored):
    s, pid, _ = resident(stack, name="罗老汉")
    device = h.device_token(stack, h.checkpoint(stack))
    paper = h.qr_text(s, stack, pid, paper=True)
    phone = h.qr_text(s, stack, pid)
    _rotate_past_overlap(stack)
    _rotate_past_overlap(stack)
    r = h.scan(stack, device, paper)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "allow" and body["checks"] == ["ID_DOCUMENT"], body
    assert body["person"]["name_masked"] == "罗*汉"
    # A phone code sealed under a retired key is refused (a fresh one works).
    r = h.scan(stack, device, phone)
    assert r.json()["verdict"] == "deny" and r.json()["reasons"] == ["NO_VALID_CODE"], r.text
    assert h.scan(stack, device, h.qr_text(s, stack, pid)).json()["verdict"] == "allow"
    # Reissued: the old paper stops, the new one works.
    assert s.post(stack.url(f"/api/v1/persons/{pid}/paper-code/reissue"), timeout=10).status_code in (200, 201)
    r = h.scan(stack, device, paper)
    assert r.json()["verdict"] == "deny" and r.json()["reasons"] == ["NO_VALID_CODE"], r.text
    assert h.scan(stack, device, h.qr_text(s, stack, pid, paper=True)).json()["verdict"] == "allow"


# === the platform away ==========================================================================

def _fault(stack, endpoint, **kw):
    r = requests.post(h.sim_base(stack) + "/sim/faults", json=dict(endpoint=endpoint, kind="errcode", errcode=-1,
                                                                    count=1, **kw), timeout=10)
    assert r.status_code == 201, r.text


def test_a_busy_platform_is_a_503_and_a_callback_asked_again_later(stack):
    s = h.login_mp(stack)
    rid = h.resident_id()
    h.set_identity(stack, s.openid, "杜小月", rid)
    _fault(stack, "/cityservice/face/identify/getverifyid")
    r = h.start_verification(s, stack, "杜小月", rid)
    assert r.status_code == 503 and r.json()["error"]["code"] == "PLATFORM_UNAVAILABLE", r.text
    r = h.start_verification(s, stack, "杜小月", rid)
    assert r.status_code == 201, r.text
    vid = r.json()["verification_id"]
    face = requests.get(r.json()["face_url"] + "&sim_face=pass", allow_redirects=False, timeout=10)
    back = face.headers["Location"]
    _fault(stack, "/cityservice/face/identify/queryverifyinfo")
    cb = s.get(back, allow_redirects=False, timeout=10)
    assert cb.headers["Location"] == f"/?verification={vid}&verify_error=PLATFORM_UNAVAILABLE", cb.headers
    assert s.get(stack.url(f"/api/v1/verifications/{vid}"), timeout=10).json()["status"] == "pending"
    # The reload asks again; the service never took the redirect's verify_ret for the answer.
    cb = s.get(back, allow_redirects=False, timeout=10)
    assert cb.headers["Location"] == f"/?verification={vid}", cb.headers
    assert s.get(stack.url(f"/api/v1/verifications/{vid}"), timeout=10).json()["status"] == "passed"


def test_a_callback_whose_verify_ret_was_edited_to_10000_still_fails(stack):
    s = h.login_mp(stack)
    rid = h.resident_id()
    h.set_identity(stack, s.openid, "石小川", rid)
    r = h.start_verification(s, stack, "石小川", rid)
    vid = r.json()["verification_id"]
    face = requests.get(r.json()["face_url"] + "&sim_face=fail", allow_redirects=False, timeout=10)
    back = face.headers["Location"]
    assert back.endswith("verify_ret=10004"), back
    cb = s.get(back[:-len("10004")] + "10000", allow_redirects=False, timeout=10)
    assert cb.headers["Location"] == f"/?verification={vid}&verify_error=FACE_MISMATCH", cb.headers
    g = s.get(stack.url(f"/api/v1/verifications/{vid}"), timeout=10).json()
    assert (g["status"], g["verify_ret"]) == ("failed", 10004), g


# === 7. the server URL's replay window ==========================================================
# The test signs its pushes itself with its copy of the stack's push token, as the platform does.

LOGIN_LINK = "/api/v1/login?next=/"


def _signed_target(stack, ts, nonce, openid):
    with open(os.path.join(stack.dir, "secrets", "push_token"), encoding="ascii") as f:
        token = f.read().strip()
    sig = hashlib.sha1("".join(sorted([token, str(ts), nonce])).encode()).hexdigest()
    q = {"signature": sig, "timestamp": str(ts), "nonce": nonce, "openid": openid}
    return "/platform/callback?" + urllib.parse.urlencode(q)


def _click(openid, create_time):
    return (f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[HEALTH_CODE]]></EventKey></xml>").encode()


def _post(stack, target, body):
    return stack.raw("POST", target, headers={"Content-Type": "text/xml"}, body=body)


def _dedup_rows(stack, openid):
    return stack.sql(f"SELECT COUNT(*) FROM push_dedup WHERE dedup_key LIKE 'e:{openid}:%'")[0][0]


def test_a_replayed_push_is_refused_and_a_fresh_one_is_taken(stack):
    openid, now = h.unique("oReplay"), int(time.time())
    target = _signed_target(stack, now, h.unique("n"), openid)
    first = _post(stack, target, _click(openid, now))
    assert first.status_code == 200 and LOGIN_LINK in first.text, first.text
    # The captured signature, nonce and timestamp with another message (the body is not signed):
    # refused, nothing handled for it.
    other = h.unique("oReplay")
    r = _post(stack, target, _click(other, now))
    assert r.status_code == 401 and r.json()["error"]["code"] == "NONCE_REUSED", r.text
    assert LOGIN_LINK not in r.text and _dedup_rows(stack, other) == "0"
    # The very same request again, as the platform resends a push whose answer it did not get:
    # acknowledged as the platform expects, and not handled, even with the message's retry memory
    # gone (the nonce alone refuses it).
    stack.sql(f"DELETE FROM push_dedup WHERE dedup_key LIKE 'e:{openid}:%'")
    again = _post(stack, target, _click(openid, now))
    assert again.status_code == 200 and again.text == "success", again.text
    assert _dedup_rows(stack, openid) == "0"
    # A fresh push of the other message (new nonce and timestamp) is taken.
    t = int(time.time())
    fresh = _post(stack, _signed_target(stack, t, h.unique("n"), other), _click(other, t))
    assert fresh.status_code == 200 and LOGIN_LINK in fresh.text, fresh.text


def test_a_push_whose_timestamp_is_ten_minutes_off_is_refused(stack):
    now = int(time.time())
    for ts in (now - 600, now + 600):
        openid = h.unique("oStale")
        r = _post(stack, _signed_target(stack, ts, h.unique("n"), openid), _click(openid, ts))
        assert r.status_code == 401 and r.json()["error"]["code"] == "SIGNATURE_EXPIRED", (ts - now, r.text)
        assert LOGIN_LINK not in r.text and _dedup_rows(stack, openid) == "0"
    # Four minutes off is within the window (a platform's clock need not be ours to the second).
    openid = h.unique("oSkew")
    r = _post(stack, _signed_target(stack, now - 240, h.unique("n"), openid), _click(openid, now - 240))
    assert r.status_code == 200 and LOGIN_LINK in r.text, r.text
    # The server URL's verification keeps the same window.
    old = _signed_target(stack, now - 600, h.unique("n"), "x") + "&echostr=hello123"
    g = stack.raw("GET", old)
    assert g.status_code == 401 and b"hello123" not in g.content, g.text


def test_a_signed_push_whose_nonce_is_not_plain_ascii_is_refused_not_a_500(stack):
    now = int(time.time())
    for nonce in ("\u968f\u673a" + h.unique("n"), "a b", "x" * 65):
        openid = h.unique("oNonce")
        r = _post(stack, _signed_target(stack, now, nonce, openid), _click(openid, now))
        assert r.status_code == 403 and r.json()["error"]["code"] == "SIGNATURE_INVALID", (nonce, r.text)


def test_seen_nonces_are_forgotten_once_their_window_has_passed(stack):
    # Rows past their window (as a burst of pushes would leave them): each push deletes some, and a
    # nonce whose row has expired is taken again.
    now = int(time.time())
    stale = [h.unique("old") for _ in range(20)]
    values = ", ".join(f"('{n}', UNHEX(SHA2('x', 256)), {now - 400})" for n in stale)
    stack.sql(f"INSERT INTO push_nonces (nonce, body_sha256, expires_at) VALUES {values}")
    openid = h.unique("oAgain")
    r = _post(stack, _signed_target(stack, now, stale[-1], openid), _click(openid, now))
    assert r.status_code == 200 and LOGIN_LINK in r.text, r.text
    for _ in range(3):
        openid = h.unique("oPurge")
        t = int(time.time())
        assert _post(stack, _signed_target(stack, t, h.unique("n"), openid), _click(openid, t)).status_code == 200
    left = stack.sql(f"SELECT COUNT(*) FROM push_nonces WHERE expires_at < {now - 300}")[0][0]
    assert left == "0", left
    # The nightly job deletes what is left past the window.
    stack.sql(f"INSERT INTO push_nonces (nonce, body_sha256, expires_at) VALUES "
              f"('{h.unique('old')}', UNHEX(SHA2('x', 256)), {now - 400})")
    h.hqrctl(stack, "jobs", "daily")
    assert stack.sql(f"SELECT COUNT(*) FROM push_nonces WHERE expires_at < {now - 300}") == [["0"]]


# === 8. staff names of 100 characters ===========================================================

def _chinese(n, base, seed):
    return "".join(chr(base + (seed * 7919 + i * 104729) % 20000) for i in range(n))


def test_an_officer_named_with_a_hundred_chinese_characters_can_call_its_routes(stack):
    seed = int(time.time() * 1000) % 100000
    # 100 characters of 3 bytes (300 bytes), and 100 of CJK Extension B, 4 bytes each (400 bytes).
    for name in (_chinese(100, 0x4E00, seed), _chinese(100, 0x20000, seed)):
        assert len(name) == 100
        p = h.hqrctl(stack, "admin", "add", "--role", "officer", "--name", name)
        officer = {"Authorization": "Bearer " + h.last_line(p)}
        s, pid, _ = resident(stack, name="韩小雪")
        r = requests.post(stack.url(f"/api/v1/admin/persons/{pid}/orders"), headers=officer, timeout=10,
                          json={"color": "red", "reason": "CONTACT_TRACED", "observation_days": 14})
        assert r.status_code in (200, 201), r.text
        assert code_of(s, stack, pid)["color"] == "red"
        # The audit log names the officer in full (compared as bytes: the mariadb client's own
        # character set need not be utf8mb4).
        rows = stack.sql(f"SELECT HEX(actor) FROM audit_log WHERE action = 'admin_order' "
                         f"AND request_id = '{r.headers['X-Request-Id']}'")
        assert rows == [[name.encode().hex().upper()]], rows


def test_a_staff_name_of_101_characters_is_refused_at_creation(stack):
    name = _chinese(101, 0x4E00, int(time.time()) % 1000)
    p = h.hqrctl(stack, "admin", "add", "--role", "officer", "--name", name, check=False)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "--name must be 1..100 characters" in p.stderr and "too long" in p.stderr, p.stderr
    assert p.stdout == "", p.stdout  # no token printed
    assert stack.sql(f"SELECT COUNT(*) FROM admins WHERE name = UNHEX('{name.encode().hex()}')") == [["0"]]


# === 9. __Host- cookies where served over TLS ===================================================

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _tls_stack():
    """A private stack whose public URL is https: real nginx terminates TLS with a certificate
    made here for 127.0.0.1 (under the stack's directory) and passes /api/ to the service as the
    stack's own server does."""
    with private_stack(start=False) as s:
        s.sh("init")
        s.load_env()
        port = _free_port()
        tls = os.path.join(s.dir, "tls")
        os.makedirs(tls, mode=0o700)
        cert, key = os.path.join(tls, "cert.pem"), os.path.join(tls, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        set_ini(s.conf_path, "app", "public_url", f"https://127.0.0.1:{port}")
        set_ini(s.conf_path, "app", "local_http", "false")
        os.makedirs(os.path.join(s.dir, "nginx", "extra"), exist_ok=True)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(s.dir, "nginx", "extra", "tls.conf"), "w", encoding="ascii") as f:
            f.write(f"""server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location /api/ {{
        include {root}/nginx/fastcgi.conf;
    }}
}}
""")
        s.sh("start", timeout=180)
        s.load_env()
        s.tls_base, s.cert = f"https://127.0.0.1:{port}", cert
        yield s


def _set_cookie(r):
    """(name, value, {attribute: value}) of the one Set-Cookie header of r."""
    header = r.headers.get("Set-Cookie")
    assert header and "," not in header.split("Max-Age")[0], r.headers
    parts = [p.strip() for p in header.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return name, value, attrs


def test_over_tls_the_cookies_are_host_prefixed_and_an_unprefixed_one_is_no_session():
    with _tls_stack() as s:
        b = requests.Session()
        b.trust_env = False  # else REQUESTS_CA_BUNDLE in the environment overrides verify
        b.verify = s.cert
        r = b.get(s.tls_base + "/api/v1/login", params={"next": "/"}, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.text
        name, login_secret, attrs = _set_cookie(r)
        assert name == "__Host-hqr_login" and attrs["path"] == "/" and "secure" in attrs, r.headers
        assert "httponly" in attrs and "domain" not in attrs, attrs
        assert urllib.parse.quote(s.tls_base + "/api/v1/login/callback", safe="") in r.headers["Location"]
        openid = h.unique("oTls")
        authorize = r.headers["Location"].partition("#")[0] + "&sim_user=" + openid
        r = requests.get(authorize, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.text
        callback = r.headers["Location"]
        assert callback.startswith(s.tls_base + "/api/v1/login/callback?"), callback
        # The login state's cookie without its prefix (as a sibling host could set it) is not this
        # browser's: the callback makes no session.
        other = requests.get(callback, cookies={"hqr_login": login_secret}, allow_redirects=False, verify=s.cert,
                             timeout=10)
        assert other.status_code == 302 and "login_error=" in other.headers["Location"], other.headers
        assert "hqr_session" not in other.headers.get("Set-Cookie", "")
        # The browser that began the login completes it.
        r = b.get(callback, allow_redirects=False, timeout=10)
        assert r.status_code == 302 and r.headers["Location"] == "/", r.headers
        name, token, attrs = _set_cookie(r)
        assert name == "__Host-hqr_session" and attrs["path"] == "/" and "secure" in attrs, r.headers
        assert "httponly" in attrs and "domain" not in attrs and int(attrs["max-age"]) > 0, attrs
        me = b.get(s.tls_base + "/api/v1/me", timeout=10)
        assert me.status_code == 200, me.text
        # The same valid token under the unprefixed name is no session here.
        bare = requests.get(s.tls_base + "/api/v1/me", cookies={"hqr_session": token}, verify=s.cert, timeout=10)
        assert bare.status_code == 401 and bare.json()["error"]["code"] == "UNAUTHENTICATED", bare.text
        # Logging out clears the prefixed cookie.
        out = b.post(s.tls_base + "/api/v1/logout", headers={"X-Requested-With": "hqr"}, timeout=10)
        assert out.status_code in (200, 204), out.text
        name, _, attrs = _set_cookie(out)
        assert name == "__Host-hqr_session" and attrs["max-age"] == "0" and "secure" in attrs, out.headers
        assert b.get(s.tls_base + "/api/v1/me", timeout=10).status_code == 401
