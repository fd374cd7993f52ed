"""Applying for a code, for oneself or a relative, over real HTTP (issue 4, DESIGN §1, §3, §4, §7, §8).

Every test logs in with its own fresh account(s) and unique personal data, so tests do not depend
on each other. Every name, ID number, phone and address this file submits is remembered; the last
test (test_zz_...) searches every log the stack wrote for them and fails on a hit.
"""
import datetime
import glob
import json
import time
import os
import random
import re
import stat
import subprocess
import threading
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
import requests

from helpers import (JSON_TYPE, application_fields, assert_error, hqrctl, jpeg_photo, login_mp, login_web, png_photo,
                     prepare_application, resident_id, unique)

ZONE = ZoneInfo("Asia/Shanghai")
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PHOTO_MAX = 2 * 1024 * 1024  # conf/hqr.conf.example [rules] photo_max_bytes

# Everything personal this file submitted, for the log search at the end.
SUBMITTED = {"name": set(), "id_number": set(), "phone": set(), "address": set(), "city": set()}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣佳琳瑶怡婷雪慧颖倩晨阳昊天泽睿博文轩然"
_PROVINCES = ["110101", "120102", "310104", "320102", "330106", "440106", "510104", "420102", "610113"]
_used_ids = set()


# --- personal data, unique per call ------------------------------------------------------------

def cjk_name():
    return random.choice(_SURNAMES) + random.choice(_GIVEN) + random.choice(_GIVEN)


def fresh_rid(check=None):
    """A valid resident ID never used in this run; with check="X", one whose check character is X."""
    while True:
        birth = f"{random.randrange(1940, 2015)}{random.randrange(1, 13):02d}{random.randrange(1, 29):02d}"
        rid = resident_id(region=random.choice(_PROVINCES), birth=birth, seq=f"{random.randrange(1000):03d}")
        if rid in _used_ids or (check is not None and rid[-1] != check):
            continue
        _used_ids.add(rid)
        return rid


def fresh_phone():
    return f"1{random.choice('3456789')}{random.randrange(10**9):09d}"


def fresh_address():
    return f"上海市浦东新区张江路{random.randrange(10**6)}号{random.randrange(1, 40)}幢{random.randrange(100, 2000)}室"


def mod11_2(s17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(s17, weights)) % 11]


def remember(fields):
    for key in ("name", "id_number", "phone", "address"):
        v = fields.get(key)
        if isinstance(v, str) and v:
            SUBMITTED[key].add(v)
    try:
        for trip in json.loads(fields.get("travel") or "[]"):
            SUBMITTED["city"].add(trip["city"])
    except (ValueError, TypeError, KeyError):
        pass


def local_day(offset=0):
    return (datetime.datetime.now(ZONE).date() + datetime.timedelta(days=offset)).isoformat()


def local_date_of(iso_utc):
    t = datetime.datetime.strptime(iso_utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return t.astimezone(ZONE).date()


# --- requests ----------------------------------------------------------------------------------

_NAME_OF_ID = {}


def app_fields(**kw):
    """The fields of a valid application with unique personal data; kw overrides any of them.
    An ID number applied for before keeps the name it was registered with (the service refuses
    another name for a known ID number), unless the test gives one."""
    base = {"name": cjk_name(), "id_number": fresh_rid(), "phone": fresh_phone(), "address": fresh_address()}
    if "id_number" in kw and "name" not in kw:
        known = _NAME_OF_ID.get(str(kw["id_number"]).replace(" ", "").upper())
        if known is not None:
            base["name"] = known
    base.update(kw)
    return application_fields(**base)


def post_application(session, stack, fields=None, photo=None, photo_name="id.jpg", photo_type="image/jpeg",
                     headers=None, extra=(), drop=(), verify_self=True, **kw):
    """POSTs a multipart application built from app_fields(**kw) (or `fields`); `extra` parts
    are appended as given (so that a field may appear twice), `drop` names fields left out. A
    self application is verified first and a relative's delegate owns its verified person
    (helpers.prepare_application) unless verify_self=False."""
    fields = dict(fields if fields is not None else app_fields(**kw))
    for k in drop:
        fields.pop(k, None)
    prepare_application(session, stack, fields, verify_self)
    remember(fields)
    if "id_number" in fields and "name" in fields:
        _NAME_OF_ID.setdefault(str(fields["id_number"]).replace(" ", "").upper(), fields["name"])
    parts = [(k, (None, v)) for k, v in fields.items()]
    if photo is not False:
        parts.append(("photo", (photo_name, photo if photo is not None else jpeg_photo(), photo_type)))
    parts.extend(extra)
    return session.post(stack.url("/api/v1/applications"), files=parts, headers=headers or {}, timeout=30)


def applied(session, stack, **kw):
    """A successful application: returns (fields, body)."""
    fields = app_fields(**{k: v for k, v in kw.items() if k not in ("photo", "photo_name", "headers")})
    r = post_application(session, stack, fields=fields, photo=kw.get("photo"),
                         photo_name=kw.get("photo_name", "id.jpg"), headers=kw.get("headers"))
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"] == JSON_TYPE
    return fields, r.json()




def field_errors(r, status=422, code="VALIDATION_FAILED"):
    body = assert_error(r, status, code)
    return [(f["field"], f["code"]) for f in body["error"].get("fields", [])]


def account_id(stack, openid):
    rows = stack.sql(f"SELECT id FROM accounts WHERE openid = '{openid}'")
    assert len(rows) == 1, rows
    return int(rows[0][0])


def holder_count(stack, openid):
    return int(stack.sql(f"SELECT COUNT(*) FROM holders WHERE account_id = {account_id(stack, openid)}")[0][0])


def table_counts(stack):
    tables = ("persons", "holders", "codes", "code_events", "declarations", "idempotency")
    row = stack.sql("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables))[0]
    return dict(zip(tables, map(int, row)))


def photo_files(stack):
    return sorted(os.listdir(os.path.join(stack.dir, "data", "photos")))


def mask_rid(rid):
    return rid[:3] + "*" * 11 + rid[-4:]


def mask_phone(p):
    return p[:3] + "****" + p[-4:]


def mask_cjk3(name):
    return name[0] + "*" + name[-1]


def assert_no_full_values(text, fields):
    for key in ("name", "id_number", "phone", "address"):
        v = fields[key]
        assert v not in text, (key, v, text)
        assert json.dumps(v)[1:-1] not in text, (key, v, text)
    digits = re.sub(r"\D", "", fields["phone"])[-11:]
    assert digits not in text, text
    assert fields["id_number"].upper() not in text, text


def assert_fresh_green_code(code):
    assert code["color"] == "green", code
    assert code["reason"] == "NONE", code
    assert ISO_UTC.match(code["since"]), code
    since = datetime.datetime.strptime(code["since"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - since).total_seconds()) < 120, code
    assert "observation_until" in code and code["observation_until"] is None, code


@pytest.fixture(scope="module")
def prober(stack):
    """One account for requests that create nothing (422s, 400s)."""
    return login_mp(stack)


# === both kinds of application ================================================================

def test_self_application_with_jpeg_answers_201_masked_person_and_green_code(stack):
    s = login_mp(stack)
    photo = jpeg_photo(seed=11)
    fields, body = applied(s, stack, photo=photo)
    assert set(body) == {"person", "code"}, body
    p = body["person"]
    assert PUBLIC_ID.match(p["id"]), p
    assert p["relationship"] == "self"
    assert p["id_type"] == "resident_id"
    assert p["name_masked"] == mask_cjk3(fields["name"])
    assert p["id_masked"] == mask_rid(fields["id_number"])
    assert p["phone_masked"] == mask_phone(fields["phone"])
    assert_fresh_green_code(body["code"])
    r = s.get(stack.url("/api/v1/applications"), timeout=10)  # the route is POST only
    assert r.status_code == 405, r.text


def test_application_body_carries_no_full_personal_value(stack):
    s = login_mp(stack)
    fields = app_fields()
    r = post_application(s, stack, fields=fields)
    assert r.status_code == 201, r.text
    assert_no_full_values(r.text, fields)
    pid = r.json()["person"]["id"]
    for path in ("/api/v1/me", f"/api/v1/persons/{pid}", f"/api/v1/persons/{pid}/code"):
        g = s.get(stack.url(path), timeout=10)
        assert g.status_code == 200, (path, g.text)
        assert_no_full_values(g.text, fields)


def test_relative_application_with_png_from_a_web_session(stack):
    s = login_web(stack)  # cookie session: the H5 page's upload
    photo = png_photo(seed=7)
    fields, body = applied(s, stack, for_="relative", relationship="parent", photo=photo, photo_name="face.png")
    p = body["person"]
    assert PUBLIC_ID.match(p["id"])
    assert p["relationship"] == "parent"
    assert p["name_masked"] == mask_cjk3(fields["name"])
    assert p["id_masked"] == mask_rid(fields["id_number"])
    assert p["phone_masked"] == mask_phone(fields["phone"])
    assert_fresh_green_code(body["code"])
    assert_no_full_values(json.dumps(body, ensure_ascii=False), fields)


def test_photo_is_returned_byte_for_byte_with_its_type(stack):
    s = login_mp(stack)
    jpeg = jpeg_photo(seed=23)
    png = png_photo(seed=5)
    _, self_body = applied(s, stack, photo=jpeg, photo_name="not-a-hint.png")
    _, rel_body = applied(s, stack, for_="relative", relationship="child", photo=png, photo_name="x.jpg")
    for body, data, ctype in ((self_body, jpeg, "image/jpeg"), (rel_body, png, "image/png")):
        r = s.get(stack.url(f"/api/v1/persons/{body['person']['id']}/photo"), timeout=10)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == ctype
        assert "no-store" in r.headers.get("Cache-Control", "")
        assert r.content == data


def test_me_lists_self_first_then_relatives_with_relationship(stack):
    s = login_mp(stack)
    _, me = applied(s, stack)  # a delegate owns its own verified person first
    _, parent = applied(s, stack, for_="relative", relationship="parent")
    _, child = applied(s, stack, for_="relative", relationship="grandchild", symptoms="cough")
    r = s.get(stack.url("/api/v1/me"), timeout=10)
    assert r.status_code == 200, r.text
    persons = r.json()["persons"]
    assert [p["id"] for p in persons] == [me["person"]["id"], parent["person"]["id"], child["person"]["id"]]
    assert [p["relationship"] for p in persons] == ["self", "parent", "grandchild"]
    assert [p["color"] for p in persons] == ["green", "green", "red"]
    assert persons[0]["name_masked"] == me["person"]["name_masked"]


def test_get_person_is_masked(stack):
    s = login_mp(stack)
    fields, body = applied(s, stack, for_="relative", relationship="spouse")
    pid = body["person"]["id"]
    r = s.get(stack.url(f"/api/v1/persons/{pid}"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == JSON_TYPE
    p = r.json()
    assert p["id"] == pid
    assert p["relationship"] == "spouse"
    assert p["id_type"] == "resident_id"
    assert p["name_masked"] == mask_cjk3(fields["name"])
    assert p["id_masked"] == mask_rid(fields["id_number"])
    assert p["phone_masked"] == mask_phone(fields["phone"])
    assert ISO_UTC.match(p["since"]), p
    assert_no_full_values(r.text, fields)


# === validation through HTTP ==================================================================

def _future_birth_rid():
    year = datetime.date.today().year + 1
    return resident_id(region="110101", birth=f"{year}0101", seq="123")


def _bad_checksum_rid():
    rid = fresh_rid()
    wrong = "0" if rid[-1] != "0" else "1"
    return rid[:-1] + wrong


def _trip(city, frm, to):
    return json.dumps([{"city": city, "from": frm, "to": to}], ensure_ascii=False)


# (label, field overrides, expected (field, code) pairs)
INVALID = [
    ("id_checksum", lambda: {"id_number": _bad_checksum_rid()}, [("id_number", "ID_CHECKSUM")]),
    ("id_birth_future", lambda: {"id_number": _future_birth_rid()}, [("id_number", "ID_BIRTH_DATE")]),
    ("id_region", lambda: {"id_number": "99" + fresh_rid()[2:]}, [("id_number", "ID_REGION")]),
    ("id_short", lambda: {"id_number": fresh_rid()[:17]}, [("id_number", "ID_LENGTH")]),
    ("id_type_unknown", lambda: {"id_type": "driving_licence"}, [("id_type", "NOT_ALLOWED")]),
    ("passport", lambda: {"id_type": "passport", "id_number": "ABCDEFGH"}, [("id_number", "ID_FORMAT")]),
    ("hk_macao", lambda: {"id_type": "hk_macao_permit", "id_number": "K12345678"}, [("id_number", "ID_FORMAT")]),
    ("taiwan", lambda: {"id_type": "taiwan_permit", "id_number": "1234567A"}, [("id_number", "ID_FORMAT")]),
    ("foreign_checksum", lambda: {"id_type": "foreign_permanent_id",
                                  "id_number": (lambda s: s + ("0" if mod11_2(s) != "0" else "1"))(
                                      "9" + f"{random.randrange(10**16):016d}")},
     [("id_number", "ID_CHECKSUM")]),
    ("foreign_format", lambda: {"id_type": "foreign_permanent_id", "id_number": "US1234567890123"},
     [("id_number", "ID_FORMAT")]),
    ("name_zwj", lambda: {"name": "张\u200d三"}, [("name", "NAME_CHARS")]),
    ("name_rlo", lambda: {"name": "\u202e张三"}, [("name", "NAME_CHARS")]),
    ("name_digits", lambda: {"name": "张3"}, [("name", "NAME_CHARS")]),
    ("phone_short", lambda: {"phone": "12345"}, [("phone", "PHONE_FORMAT")]),
    ("phone_landline", lambda: {"phone": "010-12345678"}, [("phone", "PHONE_FORMAT")]),
    ("name_long", lambda: {"name": "张" * 31}, [("name", "NAME_LENGTH")]),
    ("name_blank", lambda: {"name": "\u3000 "}, [("name", "NAME_EMPTY")]),
    ("address_short", lambda: {"address": "北京"}, [("address", "ADDRESS_LENGTH")]),
    ("address_long", lambda: {"address": "北京市朝阳区" + "建" * 115}, [("address", "ADDRESS_LENGTH")]),
    ("address_control", lambda: {"address": "北京市朝阳区\n建国路1号"}, [("address", "ADDRESS_CHARS")]),
    ("travel_day_15", lambda: {"travel": None, "_travel": _trip("杭州", local_day(-17), local_day(-15))},
     [("travel", "TRAVEL_DATES")]),
    ("travel_old", lambda: {"travel": None, "_travel": _trip("杭州", local_day(-25), local_day(-20))},
     [("travel", "TRAVEL_DATES")]),
    ("travel_order", lambda: {"travel": None, "_travel": _trip("杭州", local_day(-2), local_day(-5))},
     [("travel", "TRAVEL_DATES")]),
    ("travel_future", lambda: {"travel": None, "_travel": _trip("杭州", local_day(-1), local_day(3))},
     [("travel", "TRAVEL_DATES")]),
    ("travel_not_json", lambda: {"travel": None, "_travel": "[{city: hangzhou}"}, [("travel", "TRAVEL_FORMAT")]),
    ("travel_object", lambda: {"travel": None, "_travel": '{"city":"杭州"}'}, [("travel", "TRAVEL_FORMAT")]),
    ("travel_no_to", lambda: {"travel": None, "_travel": json.dumps([{"city": "杭州", "from": local_day(-3)}])},
     [("travel", "TRAVEL_FORMAT")]),
    ("travel_date_shape", lambda: {"travel": None,
                                   "_travel": _trip("杭州", local_day(-3).replace("-", "/"), local_day(-1))},
     [("travel", "TRAVEL_FORMAT")]),
    ("temperature_high", lambda: {"temperature": "43.1"}, [("temperature", "TEMPERATURE_RANGE")]),
    ("temperature_low", lambda: {"temperature": "33.9"}, [("temperature", "TEMPERATURE_RANGE")]),
    ("temperature_text", lambda: {"temperature": "abc"}, [("temperature", "TEMPERATURE_FORMAT")]),
    ("temperature_comma", lambda: {"temperature": "36,5"}, [("temperature", "TEMPERATURE_FORMAT")]),
    ("symptoms_unknown", lambda: {"symptoms": "sneezing"}, [("symptoms", "SYMPTOMS_UNKNOWN")]),
    ("symptoms_mixed", lambda: {"symptoms": "none,cough"}, [("symptoms", "SYMPTOMS_NONE_MIXED")]),
    ("symptoms_missing", lambda: {"_drop": ["symptoms"]}, [("symptoms", "REQUIRED")]),
    ("contact_missing", lambda: {"_drop": ["contact"]}, [("contact", "REQUIRED")]),
    ("contact_word", lambda: {"contact": "maybe"}, [("contact", "NOT_A_BOOLEAN")]),
    ("declaration_false", lambda: {"declaration": "false"}, [("declaration", "DECLARATION_REQUIRED")]),
    ("declaration_missing", lambda: {"_drop": ["declaration"]}, [("declaration", "DECLARATION_REQUIRED")]),
    ("for_unknown", lambda: {"for_": "friend", "relationship": "parent"}, [("for", "NOT_ALLOWED")]),
    ("relationship_missing", lambda: {"for_": "relative"}, [("relationship", "REQUIRED")]),
    ("relationship_self", lambda: {"for_": "relative", "relationship": "self"},
     [("relationship", "NOT_ALLOWED")]),
    ("name_missing", lambda: {"_drop": ["name"]}, [("name", "REQUIRED")]),
]


@pytest.mark.parametrize("label,make,expected", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_field_is_422_with_its_field_and_code(stack, prober, label, make, expected):
    over = make()
    drop = over.pop("_drop", ())
    travel = over.pop("_travel", None)
    over.pop("travel", None)
    fields = app_fields(**over)
    if travel is not None:
        fields["travel"] = travel
    prepare_application(prober, stack, {"for": "relative"})  # its own person first, if it has none
    before = holder_count(stack, prober.openid)
    r = post_application(prober, stack, fields=fields, drop=drop)
    assert field_errors(r) == expected
    assert holder_count(stack, prober.openid) == before


def test_every_failing_field_is_listed_in_one_422(stack, prober):
    fields = app_fields(id_number=_bad_checksum_rid(), name="张\u200d三", phone="12345", address="北京",
                        temperature="abc", symptoms="sneezing", declaration="false")
    fields["travel"] = "not json"
    r = post_application(prober, stack, fields=fields, drop=("contact",), photo=b"hello, this is text\n" * 50)
    got = field_errors(r)
    assert sorted(got) == sorted([
        ("id_number", "ID_CHECKSUM"), ("name", "NAME_CHARS"), ("phone", "PHONE_FORMAT"),
        ("address", "ADDRESS_LENGTH"), ("photo", "PHOTO_TYPE"), ("travel", "TRAVEL_FORMAT"),
        ("temperature", "TEMPERATURE_FORMAT"), ("symptoms", "SYMPTOMS_UNKNOWN"), ("contact", "REQUIRED"),
        ("declaration", "DECLARATION_REQUIRED"),
    ]), got


def test_lower_case_x_is_accepted_and_normalised(stack):
    rid = fresh_rid(check="X")
    a = login_mp(stack)
    fields, body = applied(a, stack, id_number=rid.lower())
    assert body["person"]["id_masked"] == mask_rid(rid)
    assert body["person"]["id_masked"].endswith("X")
    # The blind index holds the normalised number: the upper-case form is the same person.
    b = login_mp(stack)
    r = post_application(b, stack, id_number=rid)
    assert_error(r, 409, "ID_HAS_SELF_ACCOUNT")
    r = post_application(b, stack, id_number=rid, for_="relative", relationship="child")
    assert r.status_code == 202, r.text  # the verified owner decides
    ok = a.post(stack.url(f"/api/v1/delegations/{r.json()['delegation']['id']}/approve"), timeout=10)
    assert ok.status_code == 200 and ok.json()["delegation"]["person_id"] == body["person"]["id"], ok.text


def test_spaces_in_a_resident_id_are_dropped(stack):
    rid = fresh_rid()
    s = login_mp(stack)
    _, body = applied(s, stack, id_number=f"{rid[:6]} {rid[6:14]} {rid[14:]}")
    assert body["person"]["id_masked"] == mask_rid(rid)


OTHER_DOCS = [
    ("passport", lambda: f"E{random.randrange(10**8):08d}", lambda n: n[0] + "*" * (len(n) - 3) + n[-2:]),
    ("passport", lambda: f"ea{random.randrange(10**7):07d}", lambda n: n[0].upper() + "*" * (len(n) - 3) + n[-2:]),
    ("hk_macao_permit", lambda: f"H{random.randrange(10**8):08d}", lambda n: n[0] + "*" * (len(n) - 3) + n[-2:]),
    ("hk_macao_permit", lambda: f"M{random.randrange(10**10):010d}", lambda n: n[0] + "*" * (len(n) - 3) + n[-2:]),
    ("taiwan_permit", lambda: f"{random.randrange(10**8):08d}", lambda n: n[0] + "*" * (len(n) - 3) + n[-2:]),
    ("foreign_permanent_id", lambda: f"USA{random.randrange(10**12):012d}",
     lambda n: n[0] + "*" * (len(n) - 3) + n[-2:]),
    ("foreign_permanent_id", lambda: (lambda s: s + mod11_2(s))("9" + f"{random.randrange(10**16):016d}"),
     lambda n: n[:3] + "*" * (len(n) - 7) + n[-4:]),
]


@pytest.mark.parametrize("id_type,make,mask", OTHER_DOCS,
                         ids=[f"{d[0]}-{i}" for i, d in enumerate(OTHER_DOCS)])
def test_other_document_types_are_accepted(stack, id_type, make, mask):
    number = make()
    s = login_mp(stack)
    _, body = applied(s, stack, id_type=id_type, id_number=number)
    assert body["person"]["id_type"] == id_type
    assert body["person"]["id_masked"] == mask(number.upper())


@pytest.mark.parametrize("name,masked_prefix", [
    ("欧阳娜娜", "欧**娜"), ("阿沛·阿旺晋美", "阿"), ("José Müller", "J***"), ("Zoë O'Brien-Ñúñez", "Z***"),
    ("㐀三", "㐀*"),
])
def test_names_are_accepted(stack, name, masked_prefix):
    s = login_mp(stack)
    _, body = applied(s, stack, name=name)
    masked = body["person"]["name_masked"]
    assert masked.startswith(masked_prefix), masked
    assert name not in masked
    assert "*" in masked


def test_phone_with_country_code_and_spaces_is_normalised_and_masked(stack):
    s = login_mp(stack)
    _, body = applied(s, stack, phone="+86 138 0013 8000")
    assert body["person"]["phone_masked"] == "138****8000"


def test_photo_text_file_named_jpg_is_photo_type(stack, prober):
    r = post_application(prober, stack, photo=b"This is not an image at all.\n" * 40, photo_name="id.jpg",
                         photo_type="image/jpeg")
    assert field_errors(r) == [("photo", "PHOTO_TYPE")]


def test_truncated_jpeg_is_photo_corrupt(stack, prober):
    data = jpeg_photo(seed=3)
    r = post_application(prober, stack, photo=data[: len(data) * 2 // 3])
    assert field_errors(r) == [("photo", "PHOTO_CORRUPT")]


def test_truncated_png_is_photo_corrupt(stack, prober):
    data = png_photo(seed=3)
    r = post_application(prober, stack, photo=data[:-20], photo_name="id.png", photo_type="image/png")
    assert field_errors(r) == [("photo", "PHOTO_CORRUPT")]


def test_too_small_image_is_photo_dimensions(stack, prober):
    r = post_application(prober, stack, photo=jpeg_photo(w=60, h=80))
    assert field_errors(r) == [("photo", "PHOTO_DIMENSIONS")]


def test_missing_photo_is_required(stack, prober):
    r = post_application(prober, stack, photo=False)
    assert field_errors(r) == [("photo", "REQUIRED")]


def _padded_jpeg(total):
    data = jpeg_photo(seed=9)
    return data + b"\0" * (total - len(data))  # bytes after EOI are allowed (phones append MPF)


def test_photo_of_exactly_2_mib_is_accepted(stack):
    s = login_mp(stack)
    photo = _padded_jpeg(PHOTO_MAX)
    _, body = applied(s, stack, photo=photo)
    r = s.get(stack.url(f"/api/v1/persons/{body['person']['id']}/photo"), timeout=10)
    assert r.status_code == 200
    assert r.content == photo


def test_photo_one_byte_over_2_mib_is_photo_size_with_other_fields(stack, prober):
    r = post_application(prober, stack, photo=_padded_jpeg(PHOTO_MAX + 1), phone="12345")
    assert sorted(field_errors(r)) == [("phone", "PHONE_FORMAT"), ("photo", "PHOTO_SIZE")]


def test_photo_well_over_2_mib_is_422_photo_size(stack, prober):
    # The multipart parser stops reading the part past the limit and answers at once.
    r = post_application(prober, stack, photo=_padded_jpeg(PHOTO_MAX + 300 * 1024))
    assert field_errors(r) == [("photo", "PHOTO_SIZE")]


def test_text_part_over_its_bound_is_400_malformed_form(stack, prober):
    r = post_application(prober, stack, address="北京市朝阳区" + "建" * 3000)  # 9 KB > the 8 KiB text part bound
    assert_error(r, 400, "MALFORMED_FORM")


def test_text_part_over_its_bound_is_not_blamed_on_a_valid_large_photo(stack, prober):
    r = post_application(prober, stack, address="北京市朝阳区" + "建" * 3000, photo=_padded_jpeg(PHOTO_MAX - 1000))
    assert_error(r, 400, "MALFORMED_FORM")


def test_body_over_3_mib_is_413(stack, prober):
    try:
        r = post_application(prober, stack, photo=_padded_jpeg(3 * 1024 * 1024 + 512 * 1024))
    except requests.ConnectionError as e:  # nginx may close while the body is still being sent
        pytest.fail(f"the server closed the connection instead of answering 413: {e}")
    assert_error(r, 413, "TOO_LARGE")


@pytest.mark.parametrize("field", ["name", "id_number", "symptoms", "declaration", "for"])
def test_a_field_given_twice_is_400_duplicate_field(stack, prober, field):
    fields = app_fields()
    r = post_application(prober, stack, fields=fields, extra=[(field, (None, fields[field]))])
    body = assert_error(r, 400, "DUPLICATE_FIELD")
    assert body["error"].get("fields") == [{"field": field, "code": "DUPLICATE_FIELD"}], body


def test_two_photos_are_400_duplicate_field(stack, prober):
    r = post_application(prober, stack, extra=[("photo", ("b.jpg", jpeg_photo(seed=4), "image/jpeg"))])
    assert_error(r, 400, "DUPLICATE_FIELD")


def test_unknown_extra_fields_are_ignored(stack):
    s = login_mp(stack)
    r = post_application(s, stack, extra=[("nickname", (None, "whatever")), ("admin", (None, "true")),
                                          ("color", (None, "green"))])
    assert r.status_code == 201, r.text
    assert "nickname" not in r.text and "admin" not in r.text


def test_travel_and_temperature_may_be_omitted(stack):
    s = login_mp(stack)
    r = post_application(s, stack, drop=("travel", "temperature"))
    assert r.status_code == 201, r.text
    assert_fresh_green_code(r.json()["code"])


def test_an_unknown_file_part_is_ignored(stack):
    s = login_mp(stack)
    r = post_application(s, stack, extra=[("attachment", ("notes.txt", b"unrelated attachment", "text/plain"))])
    assert r.status_code == 201, r.text


def test_a_file_part_under_another_name_is_not_the_photo(stack, prober):
    r = post_application(prober, stack, photo=False,
                         extra=[("avatar", ("a.jpg", jpeg_photo(seed=8), "image/jpeg"))])
    assert field_errors(r) == [("photo", "REQUIRED")]


def _raw_post(session, stack, body, content_type):
    return session.post(stack.url("/api/v1/applications"), data=body, headers={"Content-Type": content_type},
                        timeout=10)


def test_malformed_multipart_is_400_malformed_form(stack, prober):
    b = "XyZbOuNdArY"
    bodies = [
        # a part without Content-Disposition
        f"--{b}\r\nContent-Type: text/plain\r\n\r\nself\r\n--{b}--\r\n",
        # bare LF line ends
        f"--{b}\nContent-Disposition: form-data; name=\"for\"\n\nself\n--{b}--\n",
        # truncated: no closing delimiter
        f"--{b}\r\nContent-Disposition: form-data; name=\"for\"\r\n\r\nself",
        # no delimiter at all
        "for=self&name=x",
    ]
    for body in bodies:
        r = _raw_post(prober, stack, body.encode(), f"multipart/form-data; boundary={b}")
        assert_error(r, 400, "MALFORMED_FORM")


def test_multipart_without_boundary_is_400(stack, prober):
    body = b"--x\r\nContent-Disposition: form-data; name=\"for\"\r\n\r\nself\r\n--x--\r\n"
    r = _raw_post(prober, stack, body, "multipart/form-data")
    assert_error(r, 400, "MALFORMED_FORM")


def test_application_as_json_is_415(stack, prober):
    r = prober.post(stack.url("/api/v1/applications"), json={"for": "self"}, timeout=10)
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_application_without_login_is_401(stack):
    r = post_application(requests.Session(), stack)
    assert_error(r, 401, "UNAUTHENTICATED")


def test_web_application_without_x_requested_with_is_refused(stack):
    s = login_web(stack)
    del s.headers["X-Requested-With"]
    r = post_application(s, stack)
    assert_error(r, 403, "CSRF")
    s.headers["X-Requested-With"] = "hqr"
    assert s.get(stack.url("/api/v1/me"), timeout=10).json()["persons"] == []


# === rules on application =====================================================================

def _assert_red(body, reason):
    code = body["code"]
    assert code["color"] == "red", code
    assert code["reason"] == reason, code
    start = local_date_of(code["since"])
    assert code["observation_until"] == (start + datetime.timedelta(days=14)).isoformat(), code
    assert code["observation_until"] == local_day(14), code


def test_symptoms_make_the_code_red_for_14_days(stack):
    _, body = applied(login_mp(stack), stack, symptoms="cough, fatigue")
    _assert_red(body, "SYMPTOMS")


def test_temperature_at_threshold_is_fever(stack):
    _, body = applied(login_mp(stack), stack, temperature="37.3")
    _assert_red(body, "FEVER")


def test_temperature_just_below_threshold_is_green(stack):
    _, body = applied(login_mp(stack), stack, temperature="37.2")
    assert_fresh_green_code(body["code"])


def test_temperature_with_two_decimals_is_rounded_half_up(stack):
    _, red = applied(login_mp(stack), stack, temperature="37.25")
    _assert_red(red, "FEVER")
    _, green = applied(login_mp(stack), stack, temperature="37.24")
    assert_fresh_green_code(green["code"])


def test_close_contact_is_red(stack):
    _, body = applied(login_mp(stack), stack, contact="yes")
    _assert_red(body, "CLOSE_CONTACT")


def test_travel_to_a_high_risk_city_is_red(stack):
    city = "测试" + "".join(random.choice(_GIVEN) for _ in range(4)) + "市"
    other = "安全" + "".join(random.choice(_GIVEN) for _ in range(4)) + "市"
    hqrctl(stack, "risk-areas", "set", city)
    try:
        listed = hqrctl(stack, "risk-areas", "list").stdout.split()
        assert city in listed
        _, red = applied(login_mp(stack), stack,
                         travel=[{"city": city, "from": local_day(-5), "to": local_day(-3)}])
        _assert_red(red, "HIGH_RISK_TRAVEL")
        _, green = applied(login_mp(stack), stack,
                           travel=[{"city": other, "from": local_day(-5), "to": local_day(-3)}])
        assert_fresh_green_code(green["code"])
        # The window is the last 14 local days, today included: a stay ending 13 days ago counts,
        # one ending 14 days ago is accepted but no longer counts; "市" may be left out.
        _, edge = applied(login_mp(stack), stack,
                          travel=[{"city": city[:-1], "from": local_day(-16), "to": local_day(-13)}])
        _assert_red(edge, "HIGH_RISK_TRAVEL")
        _, past = applied(login_mp(stack), stack,
                          travel=[{"city": city, "from": local_day(-16), "to": local_day(-14)}])
        assert_fresh_green_code(past["code"])
    finally:
        hqrctl(stack, "risk-areas", "set")
    assert hqrctl(stack, "risk-areas", "list").stdout.strip() == ""


def test_clean_application_with_travel_is_green(stack):
    _, body = applied(login_mp(stack), stack, symptoms="none", temperature="36.6", contact="no",
                      travel=[{"city": "苏州", "from": local_day(-10), "to": local_day(-8)},
                              {"city": "无锡", "from": local_day(-2), "to": local_day(0)}])
    assert_fresh_green_code(body["code"])


def test_symptoms_come_first_among_several_reasons(stack):
    _, body = applied(login_mp(stack), stack, symptoms="fever", temperature="38.5", contact="yes")
    _assert_red(body, "SYMPTOMS")


# === limits and conflicts =====================================================================

def test_second_self_for_the_same_account_is_409_self_exists(stack):
    s = login_mp(stack)
    applied(s, stack)
    r = post_application(s, stack)
    assert_error(r, 409, "SELF_EXISTS")
    assert holder_count(stack, s.openid) == 1


def test_same_id_as_self_from_another_account_is_409(stack):
    a = login_mp(stack)
    fields, _ = applied(a, stack)
    b = login_web(stack)
    r = post_application(b, stack, id_number=fields["id_number"])
    assert_error(r, 409, "ID_HAS_SELF_ACCOUNT")
    assert holder_count(stack, b.openid) == 0


def test_a_person_may_have_several_holders(stack):
    a = login_mp(stack)
    fields, body = applied(a, stack)
    pid = body["person"]["id"]
    b = login_mp(stack)
    r = post_application(b, stack, id_number=fields["id_number"], for_="relative", relationship="child")
    assert r.status_code == 202, r.text  # a has verified its identity: it owns the person and decides
    ok = a.post(stack.url(f"/api/v1/delegations/{r.json()['delegation']['id']}/approve"), timeout=10)
    assert ok.status_code == 200, ok.text
    for s, rel in ((a, "self"), (b, "child")):
        me = s.get(stack.url("/api/v1/me"), timeout=10).json()["persons"]
        assert (pid, rel) in [(x["id"], x["relationship"]) for x in me], me
        g = s.get(stack.url(f"/api/v1/persons/{pid}"), timeout=10)
        assert g.status_code == 200, g.text
        assert g.json()["name_masked"] == mask_cjk3(fields["name"])
        assert g.json()["relationship"] == rel
    assert int(stack.sql(f"SELECT COUNT(*) FROM holders h JOIN persons p ON p.id = h.person_id "
                         f"WHERE p.public_id = '{pid}'")[0][0]) == 2


def test_the_same_delegate_adding_a_person_twice_is_409_already_holder(stack):
    s = login_mp(stack)
    fields, _ = applied(s, stack, for_="relative", relationship="grandparent")
    r = post_application(s, stack, id_number=fields["id_number"], for_="relative", relationship="parent")
    assert_error(r, 409, "ALREADY_HOLDER")
    assert holder_count(stack, s.openid) == 2  # its own verified person and the relative


def test_a_self_holder_adding_itself_as_a_relative_is_409(stack):
    s = login_mp(stack)
    fields, _ = applied(s, stack)
    r = post_application(s, stack, id_number=fields["id_number"], for_="relative", relationship="other")
    assert_error(r, 409, "ALREADY_HOLDER")


def test_the_sixth_relative_is_409_delegation_limit(stack):
    s = login_mp(stack)
    applied(s, stack)  # self does not count against the limit
    rels = ["parent", "parent", "grandparent", "child", "sibling"]
    for rel in rels:
        applied(s, stack, for_="relative", relationship=rel)
    before = photo_files(stack)
    r = post_application(s, stack, for_="relative", relationship="other")
    assert_error(r, 409, "DELEGATION_LIMIT")
    assert photo_files(stack) == before
    # An already registered person is refused the same way.
    other = login_mp(stack)
    fields, _ = applied(other, stack)
    r = post_application(s, stack, id_number=fields["id_number"], for_="relative", relationship="spouse")
    assert_error(r, 409, "DELEGATION_LIMIT")
    me = s.get(stack.url("/api/v1/me"), timeout=10).json()["persons"]
    assert [p["relationship"] for p in me] == ["self"] + rels
    assert holder_count(stack, s.openid) == 6


def test_a_person_added_by_a_delegate_can_then_apply_for_itself(stack):
    delegate = login_mp(stack)
    fields, body = applied(delegate, stack, for_="relative", relationship="parent")
    pid = body["person"]["id"]
    own = login_web(stack)
    r = post_application(own, stack, id_number=fields["id_number"])
    assert r.status_code == 201, r.text
    assert r.json()["person"]["id"] == pid
    assert r.json()["person"]["relationship"] == "self"
    me = own.get(stack.url("/api/v1/me"), timeout=10).json()["persons"]
    assert [(p["id"], p["relationship"]) for p in me] == [(pid, "self")]
    me = delegate.get(stack.url("/api/v1/me"), timeout=10).json()["persons"]
    assert [(p["id"], p["relationship"]) for p in me][1:] == [(pid, "parent")]  # after its own person
    # A second account cannot claim it as self any more.
    r = post_application(login_mp(stack), stack, id_number=fields["id_number"])
    assert_error(r, 409, "ID_HAS_SELF_ACCOUNT")


def _concurrently(n, fn):
    out = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        out[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_concurrent_applications_for_one_new_person_never_answer_500(stack):
    for _ in range(15):
        rid, name = fresh_rid(), cjk_name()
        sessions = [login_mp(stack) for _ in range(3)]  # a person without an owner has at most 3 holders
        for s in sessions:
            prepare_application(s, stack, {"for": "relative"})
        results = _concurrently(3, lambda i: post_application(sessions[i], stack, id_number=rid, name=name,
                                                              for_="relative", relationship="child"))
        statuses = [r.status_code for r in results]
        assert all(st == 201 for st in statuses), [(r.status_code, r.text) for r in results]
        assert len({r.json()["person"]["id"] for r in results}) == 1


def test_concurrent_retries_with_one_idempotency_key_create_one_person(stack):
    s = login_mp(stack)
    fields = app_fields()
    key = unique("race")
    photo = jpeg_photo(seed=17)
    files = len(photo_files(stack))
    results = _concurrently(4, lambda i: post_application(s, stack, fields=fields, photo=photo,
                                                          headers={"Idempotency-Key": key}))
    assert [r.status_code for r in results] == [201] * 4, [r.text for r in results]
    assert len({r.content for r in results}) == 1
    assert holder_count(stack, s.openid) == 1
    assert len(photo_files(stack)) == files + 1


# === idempotent retry =========================================================================

def test_same_idempotency_key_returns_the_first_answer_and_creates_one_person(stack):
    s = login_mp(stack)
    key = "k-" + unique("idem")
    fields = app_fields()
    photo = jpeg_photo(seed=31)
    files_before = len(photo_files(stack))
    r1 = post_application(s, stack, fields=fields, photo=photo, headers={"Idempotency-Key": key})
    assert r1.status_code == 201, r1.text
    r2 = post_application(s, stack, fields=fields, photo=photo, headers={"Idempotency-Key": key})
    assert r2.status_code == 201, r2.text
    assert r2.content == r1.content
    assert r2.headers["Content-Type"] == JSON_TYPE
    me = s.get(stack.url("/api/v1/me"), timeout=10).json()["persons"]
    assert [p["id"] for p in me] == [r1.json()["person"]["id"]]
    assert holder_count(stack, s.openid) == 1
    assert len(photo_files(stack)) == files_before + 1
    r3 = post_application(s, stack, fields=fields, photo=photo, headers={"Idempotency-Key": key + "-2"})
    assert_error(r3, 409, "SELF_EXISTS")
    assert holder_count(stack, s.openid) == 1
    assert len(photo_files(stack)) == files_before + 1


def test_idempotent_relative_retry_then_another_key_is_already_holder(stack):
    s = login_web(stack)
    key = unique("K")
    fields = app_fields(for_="relative", relationship="sibling")
    r1 = post_application(s, stack, fields=fields, headers={"Idempotency-Key": key})
    r2 = post_application(s, stack, fields=fields, headers={"Idempotency-Key": key})
    assert r1.status_code == r2.status_code == 201, (r1.text, r2.text)
    assert r1.json() == r2.json()
    r3 = post_application(s, stack, fields=fields, headers={"Idempotency-Key": unique("K")})
    assert_error(r3, 409, "ALREADY_HOLDER")
    assert holder_count(stack, s.openid) == 2  # its own verified person and the relative


def test_idempotency_keys_belong_to_one_account(stack):
    key = unique("shared")
    a, b = login_mp(stack), login_mp(stack)
    ra = post_application(a, stack, headers={"Idempotency-Key": key})
    rb = post_application(b, stack, headers={"Idempotency-Key": key})
    assert ra.status_code == rb.status_code == 201, (ra.text, rb.text)
    assert ra.json()["person"]["id"] != rb.json()["person"]["id"]


@pytest.mark.parametrize("key", ["has space", "semi;colon", "x" * 65, "ключ"])
def test_invalid_idempotency_key_is_422(stack, prober, key):
    headers = {"Idempotency-Key": key.encode("utf-8") if not key.isascii() else key}
    before = holder_count(stack, prober.openid)
    r = post_application(prober, stack, headers=headers)
    assert field_errors(r) == [("Idempotency-Key", "INVALID")]
    assert holder_count(stack, prober.openid) == before


# === two accounts probing each other's persons ================================================

def _person_routes(pid):
    return [
        ("GET", f"/api/v1/persons/{pid}", None),
        ("GET", f"/api/v1/persons/{pid}/photo", None),
        ("GET", f"/api/v1/persons/{pid}/code", None),
        ("GET", f"/api/v1/persons/{pid}/code.png", None),
        ("GET", f"/api/v1/persons/{pid}/paper-code.png", None),
        ("POST", f"/api/v1/persons/{pid}/declarations", {"symptoms": ["cough"], "contact": "no", "declaration": True}),
        ("POST", f"/api/v1/persons/{pid}/paper-code/reissue", None),
    ]


def _call(session, stack, method, path, body):
    if method == "GET":
        return session.get(stack.url(path), timeout=10)
    if body is not None:
        return session.post(stack.url(path), json=body, timeout=10)
    return session.post(stack.url(path), timeout=10)


def _strip(r):
    b = r.json()
    b.pop("request_id", None)
    return b


def test_another_accounts_person_is_404_like_a_random_id(stack):
    a = login_mp(stack)
    _, body = applied(a, stack, for_="relative", relationship="parent")
    pid = body["person"]["id"]
    b = login_web(stack)
    applied(b, stack)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    random_pid = "".join(random.choice(alphabet) for _ in range(22))
    serial = stack.sql(f"SELECT paper_serial FROM persons WHERE public_id = '{pid}'")
    for (method, path, jb), (_, rpath, _) in zip(_person_routes(pid), _person_routes(random_pid)):
        theirs = _call(b, stack, method, path, jb)
        assert_error(theirs, 404, "NOT_FOUND")
        rnd = _call(b, stack, method, rpath, jb)
        assert_error(rnd, 404, "NOT_FOUND")
        assert _strip(theirs) == _strip(rnd), (path, theirs.text, rnd.text)
        assert theirs.headers["Content-Type"] == rnd.headers["Content-Type"]
    # Nothing changed for the holder: still green, same paper serial, one holder.
    code = a.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()
    assert code["color"] == "green", code
    assert stack.sql(f"SELECT paper_serial FROM persons WHERE public_id = '{pid}'") == serial
    assert int(stack.sql(f"SELECT COUNT(*) FROM holders h JOIN persons p ON p.id = h.person_id "
                         f"WHERE p.public_id = '{pid}'")[0][0]) == 1


def test_the_holder_reaches_every_person_route(stack):
    a = login_mp(stack)
    _, body = applied(a, stack)
    pid = body["person"]["id"]
    for method, path, jb in _person_routes(pid):
        r = _call(a, stack, method, path, jb)
        assert r.status_code in (200, 201), (path, r.status_code, r.text)


def test_person_ids_are_random_not_sequential(stack):
    s = login_mp(stack)
    ids = [applied(s, stack, for_="relative", relationship="other")[1]["person"]["id"] for _ in range(4)]
    assert all(PUBLIC_ID.match(i) for i in ids), ids
    assert len(set(ids)) == 4
    assert len({i[:4] for i in ids}) == 4, ids  # no shared prefix: not a counter
    rows = stack.sql("SELECT id FROM persons WHERE public_id IN (" + ",".join(f"'{i}'" for i in ids) + ")")
    # The database's counter is not what a holder sees (a short number may of course occur
    # inside a random id by chance: compare whole values, and the id is not a number).
    for (internal,) in rows:
        assert all(i != internal and not i.isdigit() for i in ids)
    for bad in (ids[0][:-1], ids[0] + "A", "1", "0" * 22):
        assert_error(s.get(stack.url(f"/api/v1/persons/{bad}"), timeout=10), 404, "NOT_FOUND")


# === declarations =============================================================================

def _events(stack, pid):
    return stack.sql("SELECT e.from_color, e.to_color, e.reason, e.actor_kind, e.actor FROM code_events e "
                     f"JOIN persons p ON p.id = e.person_id WHERE p.public_id = '{pid}' ORDER BY e.id")


def test_declaration_with_a_symptom_turns_green_to_red(stack):
    s = login_mp(stack)
    _, body = applied(s, stack)
    pid = body["person"]["id"]
    assert _events(stack, pid) == [["0", "1", "NONE", "declaration", "application"]]
    r = s.post(stack.url(f"/api/v1/persons/{pid}/declarations"),
               json={"symptoms": ["cough"], "contact": "no", "declaration": True}, timeout=10)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["declaration"] == {"color_called_for": "red", "reason": "SYMPTOMS"}
    assert out["code"]["color"] == "red" and out["code"]["reason"] == "SYMPTOMS"
    assert out["code"]["observation_until"] == local_day(14)
    ev = _events(stack, pid)
    assert len(ev) == 2 and ev[1][:4] == ["1", "2", "SYMPTOMS", "declaration"], ev
    code = s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()
    assert code["color"] == "red"
    assert int(stack.sql("SELECT COUNT(*) FROM declarations d JOIN persons p ON p.id = d.person_id "
                         f"WHERE p.public_id = '{pid}'")[0][0]) == 2


def test_a_clean_declaration_never_turns_red_to_green(stack):
    s = login_web(stack)
    _, body = applied(s, stack, contact="yes")
    pid = body["person"]["id"]
    before = s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()
    assert before["color"] == "red"
    events = _events(stack, pid)
    r = s.post(stack.url(f"/api/v1/persons/{pid}/declarations"),
               json={"symptoms": ["none"], "contact": "no", "temperature": 36.4, "declaration": True,
                     "travel": []}, timeout=10)
    assert r.status_code == 201, r.text
    assert r.json()["declaration"]["color_called_for"] == "green"
    assert r.json()["code"]["color"] == "red"
    after = s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()
    assert after["color"] == "red" and after["reason"] == "CLOSE_CONTACT"
    assert after["observation_until"] == before["observation_until"]
    assert _events(stack, pid) == events


def test_a_clean_declaration_keeps_green_green(stack):
    s = login_mp(stack)
    _, body = applied(s, stack)
    pid = body["person"]["id"]
    r = s.post(stack.url(f"/api/v1/persons/{pid}/declarations"),
               json={"symptoms": ["none"], "contact": "no", "declaration": True}, timeout=10)
    assert r.status_code == 201, r.text
    assert r.json()["code"]["color"] == "green"
    assert len(_events(stack, pid)) == 1


@pytest.mark.parametrize("payload,expected", [
    ({"symptoms": ["sneeze"], "contact": "no", "declaration": True}, [("symptoms", "SYMPTOMS_UNKNOWN")]),
    ({"symptoms": ["none", "cough"], "contact": "no", "declaration": True}, [("symptoms", "SYMPTOMS_NONE_MIXED")]),
    ({"symptoms": ["none"], "contact": "no", "declaration": False}, [("declaration", "DECLARATION_REQUIRED")]),
    ({"symptoms": ["none"], "declaration": True}, [("contact", "REQUIRED")]),
    ({"symptoms": ["none"], "contact": "no", "temperature": 43.5, "declaration": True},
     [("temperature", "TEMPERATURE_RANGE")]),
    ({"symptoms": [], "contact": "maybe", "declaration": "no", "travel": "x"},
     [("travel", "TRAVEL_FORMAT"), ("symptoms", "SYMPTOMS_UNKNOWN"), ("contact", "NOT_A_BOOLEAN"),
      ("declaration", "DECLARATION_REQUIRED")]),
])
def test_invalid_declaration_is_422_and_changes_nothing(stack, payload, expected):
    s = login_mp(stack)
    _, body = applied(s, stack)
    pid = body["person"]["id"]
    r = s.post(stack.url(f"/api/v1/persons/{pid}/declarations"), json=payload, timeout=10)
    assert sorted(field_errors(r)) == sorted(expected)
    assert s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()["color"] == "green"
    assert len(_events(stack, pid)) == 1


def test_declaration_that_is_not_json_is_400(stack):
    s = login_mp(stack)
    _, body = applied(s, stack)
    r = s.post(stack.url(f"/api/v1/persons/{body['person']['id']}/declarations"), data=b"{not json",
               headers={"Content-Type": "application/json"}, timeout=10)
    assert_error(r, 400, "BAD_JSON")


# === the code's status ========================================================================

def test_code_status_of_a_green_person(stack):
    s = login_mp(stack)
    _, body = applied(s, stack)
    r = s.get(stack.url(f"/api/v1/persons/{body['person']['id']}/code"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == JSON_TYPE
    c = r.json()
    assert set(c) == {"color", "reason", "since", "observation_until", "report", "refresh_after_s", "server_time",
                      "day_color", "time_zone"}
    assert c["color"] == "green" and c["reason"] == "NONE"
    assert c["since"] == body["code"]["since"]
    assert c["observation_until"] is None
    assert c["report"] == {"required": False}
    assert c["refresh_after_s"] == 30
    assert ISO_UTC.match(c["server_time"])
    t = datetime.datetime.strptime(c["server_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) < 60
    # The page's border colour of the day and the city's zone: another account's person, another
    # color, shows the same colour today.
    assert re.fullmatch(r"#[0-9a-f]{6}", c["day_color"]) and c["time_zone"] == "Asia/Shanghai", c
    s2 = login_mp(stack)
    _, other = applied(s2, stack, temperature="38.0")
    c2 = s2.get(stack.url(f"/api/v1/persons/{other['person']['id']}/code"), timeout=10).json()
    assert c2["color"] == "red" and c2["day_color"] == c["day_color"], (c, c2)


def test_code_status_of_a_red_person_carries_the_report_status(stack):
    s = login_mp(stack)
    _, body = applied(s, stack, temperature="38.0")
    c = s.get(stack.url(f"/api/v1/persons/{body['person']['id']}/code"), timeout=10).json()
    assert c["color"] == "red" and c["reason"] == "FEVER"
    assert c["observation_until"] == local_day(14) == body["code"]["observation_until"]
    rep = c["report"]
    assert set(rep) == {"required", "today_done", "missed_days", "can_turn_green_on"}, rep
    assert rep["required"] is True
    assert rep["today_done"] is False
    assert rep["missed_days"] == 0
    assert rep["can_turn_green_on"] == local_day(14)
    assert c["refresh_after_s"] == 30
    assert ISO_UTC.match(c["server_time"])


# === nothing half-written =====================================================================

def _with_trigger(stack, name, table):
    stack.sql(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW "
              "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'")


def _assert_clean_500(r):
    body = assert_error(r, 500, "INTERNAL")
    for word in ("injected", "45000", "SQLSTATE", "declarations", "holders", "trigger", "mysql", "maria"):
        assert word.lower() not in r.text.lower(), r.text
    assert "fields" not in body["error"]


def test_a_database_failure_mid_application_leaves_nothing_behind(stack):
    s = login_mp(stack)
    key = unique("fail")
    fields = app_fields(symptoms="cough")
    counts, files = table_counts(stack), photo_files(stack)
    _with_trigger(stack, "t_fail_decl", "declarations")
    try:
        r = post_application(s, stack, fields=fields, headers={"Idempotency-Key": key})
        _assert_clean_500(r)
    finally:
        stack.sql("DROP TRIGGER IF EXISTS t_fail_decl")
    assert table_counts(stack) == counts
    assert photo_files(stack) == files
    assert not [f for f in files if f.endswith(".tmp")]
    assert s.get(stack.url("/api/v1/me"), timeout=10).json()["persons"] == []
    # The same request, key included, now goes through once: nothing was left to conflict.
    r = post_application(s, stack, fields=fields, headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    after = table_counts(stack)
    assert after["persons"] == counts["persons"] + 1
    assert after["holders"] == counts["holders"] + 1
    assert len(photo_files(stack)) == len(files) + 1


def test_a_database_failure_adding_a_known_person_keeps_its_code(stack):
    a = login_mp(stack)
    fields, body = applied(a, stack, for_="relative", relationship="child")  # no owner: b joins at once
    pid = body["person"]["id"]
    b = login_mp(stack)
    prepare_application(b, stack, {"for": "relative"})
    counts, files = table_counts(stack), photo_files(stack)
    _with_trigger(stack, "t_fail_holder", "holders")
    try:
        r = post_application(b, stack, id_number=fields["id_number"], for_="relative", relationship="parent",
                             symptoms="cough")
        _assert_clean_500(r)
    finally:
        stack.sql("DROP TRIGGER IF EXISTS t_fail_holder")
    assert table_counts(stack) == counts
    assert photo_files(stack) == files
    code = a.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()
    assert code["color"] == "green" and code["reason"] == "NONE", code
    assert len(_events(stack, pid)) == 1


def test_a_database_failure_in_a_declaration_keeps_the_code(stack):
    s = login_mp(stack)
    _, body = applied(s, stack)
    pid = body["person"]["id"]
    counts = table_counts(stack)
    _with_trigger(stack, "t_fail_decl2", "declarations")
    try:
        r = s.post(stack.url(f"/api/v1/persons/{pid}/declarations"),
                   json={"symptoms": ["cough"], "contact": "no", "declaration": True}, timeout=10)
        _assert_clean_500(r)
    finally:
        stack.sql("DROP TRIGGER IF EXISTS t_fail_decl2")
    assert table_counts(stack) == counts
    assert s.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10).json()["color"] == "green"


# === encrypted at rest ========================================================================

def test_personal_data_is_encrypted_at_rest(stack):
    s = login_mp(stack)
    city = "温州" + random.choice(_GIVEN) + "区"
    photo = jpeg_photo(seed=41)
    fields, body = applied(s, stack, photo=photo, travel=[{"city": city, "from": local_day(-4), "to": local_day(-2)}])
    pid = body["person"]["id"]
    cols = ("public_id", "id_index", "name_masked", "id_masked", "phone_masked", "name_enc", "id_enc", "phone_enc",
            "address_enc", "photo_file")
    row = stack.sql("SELECT " + ", ".join(f"HEX({c})" for c in cols) + f" FROM persons WHERE public_id = '{pid}'")
    assert len(row) == 1
    raw = b"\x00".join(bytes.fromhex(h) for h in row[0])
    secrets = [fields["name"], fields["id_number"], fields["phone"], fields["address"]]
    for v in secrets:
        assert v.encode("utf-8") not in raw, v
    # Each sealed field is longer than its text by a nonce and a tag, and distinct per field.
    enc = dict(zip(cols, row[0]))
    assert len(bytes.fromhex(enc["name_enc"])) >= len(fields["name"].encode()) + 28
    # The travel list (where a person went) is sealed too.
    decl = stack.sql("SELECT HEX(travel_enc) FROM declarations d JOIN persons p ON p.id = d.person_id "
                     f"WHERE p.public_id = '{pid}'")
    assert decl and city.encode() not in bytes.fromhex(decl[0][0])
    # The photo file holds neither the image nor its header.
    photo_file = bytes.fromhex(enc["photo_file"]).decode()
    path = os.path.join(stack.dir, "data", "photos", photo_file)
    with open(path, "rb") as f:
        stored = f.read()
    assert photo not in stored
    assert photo[:64] not in stored and photo[-64:] not in stored
    assert b"JFIF" not in stored
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0
    # Nowhere in the database in clear: a full dump with blobs in hex.
    dump = subprocess.run(["mariadb-dump", f"--defaults-file={stack.db_cnf}", "-uroot", "--hex-blob",
                           "--skip-extended-insert", "hqr"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=60)
    assert dump.returncode == 0, dump.stderr
    text = dump.stdout
    for v in secrets + [city]:
        assert v.encode("utf-8") not in text, v
        assert v.encode("utf-8").hex().upper().encode() not in text, v


def _spool_warnings(stack):
    with open(os.path.join(stack.dir, "nginx", "nginx-error.log"), encoding="utf-8", errors="replace") as f:
        return f.read().count("a client request body is buffered to a temporary file")


def test_no_request_body_is_left_in_nginx_temp_dir(stack):
    s = login_mp(stack)
    applied(s, stack, photo=_padded_jpeg(900 * 1024))
    body_dir = os.path.join(stack.dir, "nginx", "nginx-tmp", "body")
    left = [p for p in glob.glob(os.path.join(body_dir, "**"), recursive=True) if os.path.isfile(p)]
    assert left == []


def test_a_phone_sized_photo_is_not_spooled_to_disk_in_clear(stack):
    s = login_mp(stack)
    before = _spool_warnings(stack)
    applied(s, stack, photo=_padded_jpeg(600 * 1024))
    assert _spool_warnings(stack) == before


def test_keys_are_mode_0600(stack):
    paths = [p for p in glob.glob(os.path.join(stack.dir, "keys", "**"), recursive=True) if os.path.isfile(p)]
    assert paths, "no key files under keys/"
    for p in paths:
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, (p, oct(os.stat(p).st_mode))


# === privacy of logs (keep last) ==============================================================

def _forms(v):
    """The ways a value could appear in a log line."""
    b = v.encode("utf-8")
    out = {v, json.dumps(v)[1:-1], urllib.parse.quote(v), urllib.parse.quote_plus(v),
           urllib.parse.quote(v).lower(), "".join(f"\\x{c:02X}" if c > 0x7e else chr(c) for c in b),
           "".join(f"\\x{c:02x}" if c > 0x7e else chr(c) for c in b)}
    return {f for f in out if f}


def test_zz_no_personal_data_in_any_log(stack, all_logs):
    files = [os.path.relpath(p, stack.dir) for p in stack.log_files()]
    assert "log/app.log" in files and "nginx/access.log" in files, files
    # The search sees live logs: a person id this file used is in nginx's access log.
    s = login_mp(stack)
    _, body = applied(s, stack)
    probe = body["person"]["id"]
    assert s.get(stack.url(f"/api/v1/persons/{probe}"), timeout=10).status_code == 200
    # nginx writes its access line after the answer has gone out: wait for it.
    deadline = time.monotonic() + 5
    logs = all_logs()
    while probe not in logs and time.monotonic() < deadline:
        time.sleep(0.1)
        logs = all_logs()
    assert probe in logs
    needles = set()
    for key, values in SUBMITTED.items():
        for v in values:
            cands = {v}
            if key == "phone":
                digits = re.sub(r"\D", "", v)
                cands.add(digits[-11:] if len(digits) >= 11 else digits)
            if key == "id_number":
                cands.update({v.upper(), v.lower(), v.replace(" ", "").upper()})
            for c in cands:
                # Short ASCII values ("12345") would match request ids and ports by chance.
                if c.isascii() and len(c) < 8:
                    continue
                needles.update((key, f) for f in _forms(c))
    assert len(needles) > 50
    hits = sorted({(key, n) for key, n in needles if n in logs})
    assert not hits, f"personal data found in logs: {hits[:20]}"


def test_a_known_id_number_under_another_name_is_409_application_refused(stack):
    """Knowing someone's ID number is not enough to become a holder of that person, and the
    refusal does not say what was wrong (no oracle: test_trust.py)."""
    a = login_mp(stack)
    fields, body = applied(a, stack)
    stranger = login_mp(stack)
    r = post_application(stranger, stack, id_number=fields["id_number"], name="王五", for_="relative",
                         relationship="other")
    assert_error(r, 409, "APPLICATION_REFUSED")
    assert "fields" not in r.json()["error"]
    me = stranger.get(stack.url("/api/v1/me"), timeout=10).json()["persons"]
    assert body["person"]["id"] not in [p["id"] for p in me]
