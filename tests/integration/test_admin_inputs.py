"""The staff API's inputs: each body and query is checked against its route's field table before
the handler runs, with the error words a client sees (openapi.json), and a refused call changes
nothing."""
import datetime
import json

import pytest
import requests

import helpers as h


def bearer(token):
    return {"Authorization": "Bearer " + token}


@pytest.fixture(scope="module")
def operator(stack):
    return h.admin_token(stack, "operator")


@pytest.fixture(scope="module")
def officer(stack):
    return h.admin_token(stack, "officer")


@pytest.fixture(scope="module")
def investigator(stack):
    return h.admin_token(stack, "investigator")


def fields_of(r, status=422, code="VALIDATION_FAILED"):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"]["code"] == code, body
    return sorted((f["field"], f["code"]) for f in body["error"].get("fields", []))


def post(stack, token, path, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return requests.post(stack.url(path), data=data.encode(), timeout=10,
                         headers={**bearer(token), "Content-Type": "application/json"})


def checkpoint_count(stack, token):
    r = requests.get(stack.url("/api/v1/admin/checkpoints?limit=200"), headers=bearer(token), timeout=10)
    assert r.status_code == 200, r.text
    return len(r.json()["checkpoints"])


CHECKPOINT = {"kind": "public_place", "type": "mall", "name": "Mall", "district": "D"}

CHECKPOINT_CASES = [
    ({}, [("district", "REQUIRED"), ("kind", "REQUIRED"), ("name", "REQUIRED"), ("type", "REQUIRED")]),
    ({"kind": 1}, [("kind", "NOT_A_STRING")]),
    ({"kind": "shop"}, [("kind", "NOT_ALLOWED")]),
    ({"kind": ""}, [("kind", "NOT_ALLOWED")]),
    ({"type": "taxi"}, [("type", "NOT_OF_KIND")]),
    ({"type": ["mall"]}, [("type", "NOT_A_STRING")]),
    ({"name": ""}, [("name", "EMPTY")]),
    ({"name": "x" * 101}, [("name", "TOO_LONG")]),
    ({"district": None}, [("district", "REQUIRED")]),
    ({"name": "", "kind": "x"}, [("kind", "NOT_ALLOWED"), ("name", "EMPTY")]),
]


@pytest.mark.parametrize("over,expected", CHECKPOINT_CASES, ids=[str(i) for i in range(len(CHECKPOINT_CASES))])
def test_checkpoint_body_is_checked_field_by_field(stack, operator, over, expected):
    body = {} if not over else {**CHECKPOINT, **over}
    before = checkpoint_count(stack, operator)
    assert fields_of(post(stack, operator, "/api/v1/admin/checkpoints", body)) == expected
    assert checkpoint_count(stack, operator) == before


def test_checkpoint_field_given_twice_is_400(stack, operator):
    body = '{"kind":"public_place","kind":"community","type":"mall","name":"M","district":"D"}'
    assert fields_of(post(stack, operator, "/api/v1/admin/checkpoints", body), 400, "DUPLICATE_FIELD") == \
        [("kind", "DUPLICATE_FIELD")]


def test_valid_checkpoint_is_created_with_its_trimmed_name(stack, operator):
    r = post(stack, operator, "/api/v1/admin/checkpoints", {**CHECKPOINT, "name": "  East Mall "})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "East Mall"
    assert r.json()["kind"] == "public_place" and r.json()["type"] == "mall"


ORDER_CASES = [
    ({}, [("color", "REQUIRED")]),
    ({"color": "blue"}, [("color", "NOT_ALLOWED")]),
    ({"color": 2}, [("color", "NOT_A_STRING")]),
    ({"color": "red"}, [("observation_days", "REQUIRED"), ("reason", "REQUIRED")]),
    ({"color": "red", "reason": "close contact", "observation_days": "7"}, [("observation_days", "NOT_AN_INTEGER")]),
    ({"color": "red", "reason": "close contact", "observation_days": 1.5}, [("observation_days", "NOT_AN_INTEGER")]),
    ({"color": "red", "reason": "close contact", "observation_days": 366}, [("observation_days", "OUT_OF_RANGE")]),
    ({"color": "red", "reason": "close contact", "observation_days": 0}, [("observation_days", "OUT_OF_RANGE")]),
    ({"color": "red", "reason": 5, "observation_days": 7}, [("reason", "NOT_A_STRING")]),
    ({"color": "red", "reason": "", "observation_days": 7}, [("reason", "EMPTY")]),
    ({"color": "green", "observation_days": 7}, [("observation_days", "NOT_ALLOWED")]),
]


@pytest.mark.parametrize("body,expected", ORDER_CASES, ids=[str(i) for i in range(len(ORDER_CASES))])
def test_order_body_is_checked_and_changes_nothing(stack, officer, body, expected):
    s, pid = h.new_person(stack)
    r = post(stack, officer, f"/api/v1/admin/persons/{pid}/orders", body)
    assert fields_of(r) == expected
    assert s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()["color"] == "green"


def test_green_order_without_reason_clears(stack, officer):
    s, pid = h.new_person(stack)
    r = post(stack, officer, f"/api/v1/admin/persons/{pid}/orders",
             {"color": "red", "reason": "close contact", "observation_days": 7})
    assert r.status_code == 200, r.text
    assert s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()["color"] == "red"
    r = post(stack, officer, f"/api/v1/admin/persons/{pid}/orders", {"color": "green"})
    assert r.status_code == 200, r.text
    assert s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()["color"] == "green"


@pytest.fixture(scope="module")
def community(stack):
    return h.checkpoint(stack, kind="community", type_="community")


RESIDENT_CASES = [
    ({}, [("id_number", "REQUIRED"), ("id_type", "REQUIRED")]),
    ({"person_id": 7}, [("person_id", "NOT_A_STRING")]),
    ({"person_id": "short"}, [("person_id", "NOT_A_PERSON_ID")]),
    ({"person_id": "A" * 22, "id_number": "1"}, [("person_id", "EXCLUSIVE_WITH_ID_NUMBER")]),
    ({"id_type": "passport_x", "id_number": "1"}, [("id_type", "ID_TYPE")]),
    ({"id_type": 1, "id_number": "1"}, [("id_type", "NOT_A_STRING")]),
    ({"id_type": "resident_id"}, [("id_number", "REQUIRED")]),
]


@pytest.mark.parametrize("body,expected", RESIDENT_CASES, ids=[str(i) for i in range(len(RESIDENT_CASES))])
def test_resident_body_is_checked(stack, operator, community, body, expected):
    r = post(stack, operator, f"/api/v1/admin/checkpoints/{community}/residents", body)
    assert fields_of(r) == expected


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_trace_query_is_checked_against_its_table(stack, investigator):
    _, pid = h.new_person(stack)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    def trace(**q):
        return requests.get(stack.url("/api/v1/admin/trace"), params=q, headers=bearer(investigator), timeout=10)

    assert fields_of(trace()) == [("from", "REQUIRED"), ("person", "REQUIRED"), ("to", "REQUIRED")]
    assert fields_of(trace(person=pid, **{"from": iso(now), "to": iso(now)})) == [("to", "NOT_AFTER_FROM")]
    assert fields_of(trace(person=pid, **{"from": iso(now - datetime.timedelta(days=40)), "to": iso(now)})) == \
        [("to", "RANGE_TOO_LONG")]
    assert fields_of(trace(person=pid, window_minutes="0", **{"from": "yesterday", "to": iso(now)})) == \
        [("from", "NOT_A_TIME"), ("window_minutes", "OUT_OF_RANGE")]
    r = trace(person=pid, **{"from": iso(now - datetime.timedelta(hours=1)), "to": iso(now)})
    assert r.status_code == 200, r.text


def test_list_and_lookup_queries_are_checked(stack, operator, officer):
    r = requests.get(stack.url("/api/v1/admin/checkpoints?limit=0"), headers=bearer(operator), timeout=10)
    assert fields_of(r) == [("limit", "OUT_OF_RANGE")]
    r = requests.get(stack.url("/api/v1/admin/audit?before_id=x&limit=201"), headers=bearer(operator), timeout=10)
    assert fields_of(r) == [("before_id", "NOT_AN_INTEGER"), ("limit", "OUT_OF_RANGE")]
    r = requests.get(stack.url("/api/v1/admin/persons?id_type=nope&id_number=1"), headers=bearer(officer), timeout=10)
    assert fields_of(r) == [("id_type", "ID_TYPE")]
    r = requests.get(stack.url("/api/v1/admin/persons?id_type=resident_id&id_type=resident_id&id_number=1"),
                     headers=bearer(officer), timeout=10)
    assert fields_of(r, 400, "DUPLICATE_FIELD") == [("id_type", "DUPLICATE_FIELD")]


def test_risk_area_list_is_checked_as_a_whole_and_by_item(stack, officer):
    def put(body):
        data = body if isinstance(body, str) else json.dumps(body)
        return requests.put(stack.url("/api/v1/admin/risk-areas"), data=data.encode(), timeout=10,
                            headers={**bearer(officer), "Content-Type": "application/json"})

    r = put({"areas": ["武汉"]})
    assert r.status_code == 200, r.text
    assert fields_of(put({})) == [("areas", "REQUIRED")]
    assert fields_of(put({"areas": None})) == [("areas", "NOT_A_LIST")]
    assert fields_of(put({"areas": "武汉"})) == [("areas", "NOT_A_LIST")]
    assert fields_of(put({"areas": ["x"] * 1001})) == [("areas", "TOO_MANY")]
    assert fields_of(put({"areas": ["ok", "", " a", 3]})) == \
        [("areas[1]", "REQUIRED"), ("areas[2]", "INVALID"), ("areas[3]", "NOT_A_STRING")]
    assert fields_of(put('{"areas":["a"],"areas":["b"]}'), 400, "DUPLICATE_FIELD") == [("areas", "DUPLICATE_FIELD")]
    # None of the refused lists replaced the one set first.
    r = requests.get(stack.url("/api/v1/admin/risk-areas"), headers=bearer(officer), timeout=10)
    assert r.status_code == 200, r.text
    assert "武汉" in json.dumps(r.json(), ensure_ascii=False), r.text
