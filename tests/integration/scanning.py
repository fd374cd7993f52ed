"""What the checkpoint's tests share (test_scans.py, test_admin.py): the words and numbers of the
scans table, persons with real codes, checkpoints, devices and staff from hqrctl, the checks of a
scan's answer and its row. conftest.py makes their fixtures from these (a mall, a community, a
green person)."""
import datetime
import random
import re

import helpers as h

# --- the words and numbers of the scans table (fcgi/model/verdict.h) ---------------------------------

VERDICT_NUM = {"allow": 0, "deny": 1, "register": 2}
REASON_BIT = {"NO_VALID_CODE": 1, "EXPIRED_CODE": 2, "RED_CODE": 4, "FEVER": 8,
              "VISITOR_REGISTRATION": 16}
DIR_NUM = {"in": 0, "out": 1}
KIND_PHONE, KIND_PAPER = 1, 2
ANSWER_KEYS = {"scan_id", "verdict", "reasons", "color", "person", "checks", "server_time"}
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


# --- persons ------------------------------------------------------------------------------------

def fresh_id():
    """A valid resident ID unlikely to collide with any other of the session (random birth date)."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=random.randrange(18000))
    return h.resident_id(birth=birth.strftime("%Y%m%d"), seq=f"{random.randrange(1000):03d}")


def fresh_name():
    return random.choice(SURNAMES) + random.choice(GIVEN) + random.choice(GIVEN)


class Person:
    def __init__(self, stack, **kw):
        self.name = kw.pop("name", None) or fresh_name()
        self.id_number = kw.pop("id_number", None) or fresh_id()
        self.session, self.pid = h.new_person(stack, name=self.name, id_number=self.id_number, **kw)
        self.stack = stack

    def qr(self, paper=False):
        return h.qr_text(self.session, self.stack, self.pid, paper=paper)

    @property
    def db_id(self):
        return int(self.stack.sql(f"SELECT id FROM persons WHERE public_id = '{self.pid}'")[0][0])

    def details(self):
        r = self.session.get(self.stack.url(f"/api/v1/persons/{self.pid}"), timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def declare_cough(self):
        r = self.session.post(self.stack.url(f"/api/v1/persons/{self.pid}/declarations"),
                              json={"symptoms": ["cough"], "contact": "no", "declaration": True},
                              timeout=10)
        assert r.status_code == 201, r.text
        assert r.json()["code"]["color"] == "red", r.text


# --- checkpoints, devices, staff ----------------------------------------------------------------

def device_add(stack, cp):
    """(device id, token) through hqrctl: the id is on the first line, the token on the last."""
    p = h.hqrctl(stack, "device", "add", "--checkpoint", str(cp))
    m = re.match(r"device (\d+) of checkpoint", p.stdout)
    assert m, p.stdout
    return int(m.group(1)), h.last_line(p)


def staff(stack, role):
    """(name, token) of a new staff member."""
    name = h.unique(role)
    p = h.hqrctl(stack, "admin", "add", "--role", role, "--name", name)
    return name, h.last_line(p)


def bearer(token):
    return {"Authorization": "Bearer " + token}


# --- answers and rows ---------------------------------------------------------------------------

def check_answer(r, person=None):
    """A 200 scan answer with exactly the documented members; nothing whole about the person."""
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == ANSWER_KEYS, body
    assert isinstance(body["scan_id"], str) and body["scan_id"].isdigit(), body
    assert body["verdict"] in VERDICT_NUM, body
    assert isinstance(body["reasons"], list) and all(x in REASON_BIT for x in body["reasons"]), body
    assert body["color"] in ("green", "red", None), body
    assert isinstance(body["checks"], list), body
    assert isinstance(body["server_time"], str) and TIME_RE.match(body["server_time"]), body
    if body["person"] is not None:
        assert set(body["person"]) == {"name_masked", "id_masked"}, body
        assert all(isinstance(v, str) for v in body["person"].values()), body
    if person is not None:
        assert person.name not in r.text and person.id_number not in r.text, r.text
        assert "13800138000" not in r.text, r.text
    return body


def assert_verdict(body, verdict, reasons=(), color="green"):
    assert body["verdict"] == verdict and body["reasons"] == list(reasons), body
    assert body["color"] == color, body


def row(stack, scan_id):
    """The scans row of scan_id as a dict (None for NULL)."""
    rows = stack.sql("SELECT verdict, reasons, IFNULL(person_id, 'NULL'), checkpoint_id, "
                     "IFNULL(device_id, 'NULL'), IFNULL(integrator_id, 'NULL'), token_kind, direction, "
                     "IFNULL(temperature_tenths, 'NULL'), IFNULL(HEX(visitor_enc), 'NULL') "
                     f"FROM scans WHERE id = {int(scan_id)}")
    assert len(rows) == 1, f"scan {scan_id}: {len(rows)} rows"
    names = ["verdict", "reasons", "person_id", "checkpoint_id", "device_id", "integrator_id",
             "token_kind", "direction", "temperature_tenths", "visitor_enc"]
    out = {}
    for k, v in zip(names, rows[0]):
        out[k] = None if v == "NULL" else (bytes.fromhex(v) if k == "visitor_enc" else int(v))
    return out


def assert_row(stack, body, **want):
    """The scan's row matches its answer (verdict, reasons) and every column given in want."""
    r = row(stack, body["scan_id"])
    assert r["verdict"] == VERDICT_NUM[body["verdict"]], (r, body)
    assert r["reasons"] == sum(REASON_BIT[x] for x in body["reasons"]), (r, body)
    for k, v in want.items():
        assert r[k] == v, (k, r, want)
    return r


def scan_time(stack, scan_id):
    """The unix time the scans row of scan_id was recorded at."""
    return float(stack.sql(f"SET time_zone = '+00:00'; SELECT UNIX_TIMESTAMP(scanned_at) FROM scans "
                           f"WHERE id = {int(scan_id)}")[0][0])


def scans_of_device(stack, device_id):
    return int(stack.sql(f"SELECT COUNT(*) FROM scans WHERE device_id = {int(device_id)}")[0][0])


def scans_of_integrator(stack, integrator_id):
    return int(stack.sql(f"SELECT COUNT(*) FROM scans WHERE integrator_id = {int(integrator_id)}")[0][0])
