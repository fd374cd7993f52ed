"""Red code holders day after day (issue 7, DESIGN §4): daily reports, the report status of the
code, conversion to green on a read or in the daily job, reminders, retention, and a crash of the
daily job, over real HTTP, real hqrctl runs and the platform simulator.

Simulated weeks without any switch in the product: this module stops the session's hqr-fcgi and
runs its own under libfaketime, whose offset is read from a file on every clock call
(FAKETIME_NO_CACHE), so that rewriting the file moves the application's clock live. Against the
cluster (make test-cluster) both application hosts run so, reading the one offset file: hosts
whose clocks agree, as production's do, and nginx sends each request to either, so a report
filed on one host is read, converted and reminded of through the other. The offset is
pinned to local noon of the day the module starts ("day 0", D), plus whole days, so that a run
near local midnight does not change the app's "today" between two requests; `clock.day(n)` makes
the app's today D+n, and every test that moves it puts it back to D+0 when it ends. hqrctl is run
without faketime: `hqrctl jobs daily --date YYYY-MM-DD` runs the job as of that local day (the
one test of the reminder hour runs hqrctl under faketime as well). At the end the normal
application is started again with scripts/stack.sh, for the files that run after this one.

Every test makes its own accounts and persons. The daily job works on every red code of the
database, so the checks look only at this test's persons and openids.
"""
import datetime
import os
import random
import signal
import subprocess
import time
from zoneinfo import ZoneInfo

import pytest
import requests

from helpers import apply, approve_pending, hqrctl, login_mp, resident_id, sim_base, wait_until

ZONE = ZoneInfo("Asia/Shanghai")
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
# Sanitizer builds: libfaketime is preloaded ahead of the ASan runtime, which ASan accepts only
# when told to (the runtime still intercepts what it must).
ASAN_WITH_PRELOAD = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS", ""), "verify_asan_link_order=0"]))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE_SEND = "/cgi-bin/message/template/send"
OBSERVATION_DAYS = 14   # conf [rules] observation_days
RETENTION_DAYS = 28     # conf [rules] retention_days
RED, GREEN = 2, 1       # codes.color

_PROVINCES = ["110101", "120102", "310104", "320102", "330106", "440106", "510104", "420102"]
_used_ids = set()


# --- the application under a movable clock -----------------------------------------------------

def local_noon(day):
    return datetime.datetime.combine(day, datetime.time(12, 0), ZONE).timestamp()


def healthy(stack):
    """The service answers; in the cluster, each host on its own port (nginx straight to that
    host's socket): with one host still starting, nginx would send some requests to it late,
    or to the other alone."""
    urls = [stack.url("/healthz")]
    if "HOST2_DIR" in stack.env:
        urls = [f"http://127.0.0.1:{stack.env[k]}/metrics" for k in sorted(stack.env)
                if k.startswith("METRICS_PORT_")]
    try:
        return all(requests.get(u, timeout=2).status_code == 200 for u in urls)
    except requests.RequestException:
        return False


def hosts(stack):
    """(config, pid file, socket) of each application host: the one stack's, or the cluster's two."""
    dirs = [stack.dir] + ([stack.env["HOST2_DIR"]] if "HOST2_DIR" in stack.env else [])
    return [(stack.conf_path if d == stack.dir else os.path.join(d, "hqr.conf"),
             os.path.join(d, "run", "hqr.pid"), os.path.join(d, "run", "hqr.sock")) for d in dirs]




class AppClock:
    """The offset file of the faketime'd application: day(n) makes its local today D+n."""

    def __init__(self, path):
        self.path = path
        self.today = datetime.datetime.now(ZONE).date()          # D
        self.base = int(round(local_noon(self.today) - time.time()))  # real now -> D 12:00

    def _write(self, offset):
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(f"{offset:+d}\n")
        os.replace(tmp, self.path)   # atomic: the app never reads half a file

    def day(self, n):
        """The app's clock at D+n, about noon local time."""
        self._write(self.base + n * 86400)

    def at(self, n, hour, minute, second=0):
        """The app's clock at D+n hour:minute:second local time (and running from there)."""
        target = datetime.datetime.combine(self.date(n), datetime.time(hour, minute, second), ZONE)
        self._write(int(round(target.timestamp() - time.time())))

    def date(self, n=0):
        return self.today + datetime.timedelta(days=n)


@pytest.fixture(scope="module")
def app_clock(stack):
    assert os.path.exists(FAKETIME_LIB), "libfaketime is not installed (Debian package faketime)"
    clock = AppClock(os.path.join(stack.dir, "run", "faketime-reports"))
    clock.day(0)
    stack.sh("app-stop")
    env = dict(os.environ, LD_PRELOAD=FAKETIME_LIB, FAKETIME_TIMESTAMP_FILE=clock.path,
               ASAN_OPTIONS=ASAN_WITH_PRELOAD,
               FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1")
    os.makedirs(os.path.join(stack.dir, "log"), exist_ok=True)
    log = open(stack.app_log, "ab")
    procs = []
    try:
        for conf, pid_file, _ in hosts(stack):
            procs.append(subprocess.Popen([stack.bin("hqr-fcgi"), "-c", conf], cwd=ROOT, env=env,
                                          stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
            with open(pid_file, "w", encoding="ascii") as f:
                f.write(f"{procs[-1].pid}\n")
        socks = [sock for _, _, sock in hosts(stack)]
        wait_until(lambda: any(p.poll() is not None for p in procs)
                   or (all(os.path.exists(s) for s in socks) and healthy(stack)), 60, "the faketime'd hqr-fcgi")
        assert all(p.poll() is None for p in procs), [p.returncode for p in procs]
        yield clock
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        log.close()
        stack.sh("app-start")
        wait_until(lambda: healthy(stack), 60, "the normal hqr-fcgi after the faketime'd one")


@pytest.fixture
def clock(app_clock):
    """The app's clock for one test, back at D+0 at the end whatever happens."""
    app_clock.day(0)
    yield app_clock
    app_clock.day(0)


# --- steps -------------------------------------------------------------------------------------

def fresh_rid():
    while True:
        birth = f"{random.randrange(1950, 2012)}{random.randrange(1, 13):02d}{random.randrange(1, 29):02d}"
        rid = resident_id(region=random.choice(_PROVINCES), birth=birth, seq=f"{random.randrange(1000):03d}")
        if rid not in _used_ids:
            _used_ids.add(rid)
            return rid


class Person:
    def __init__(self, session, pid, rid):
        self.s, self.pid, self.rid = session, pid, rid


def red_person(stack, session=None, relative=False):
    """A person made red today (of the app) by a declaration with a symptom, applied for by a
    fresh account (for itself, or with relative=True for a relative)."""
    session = session or login_mp(stack)
    rid = fresh_rid()
    kw = {"for_": "relative", "relationship": "parent"} if relative else {}
    r = apply(session, stack, id_number=rid, symptoms="cough", **kw)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["code"]["color"] == "red" and body["code"]["reason"] == "SYMPTOMS", body
    return Person(session, body["person"]["id"], rid)


def add_delegate(stack, person, session=None):
    """Another account applies for the same person as a relative (a green declaration, which
    leaves the red code and its observation as they are); returns that account's session."""
    session = session or login_mp(stack)
    r = apply(session, stack, id_number=person.rid, for_="relative", relationship="child", symptoms="none")
    if r.status_code == 202:  # the person has a verified owner, who approves
        approve_pending(person.s, stack, r.json()["delegation"]["id"])
    else:
        assert r.status_code == 201, r.text
        assert r.json()["person"]["id"] == person.pid
    return session


def code(session, stack, pid):
    r = session.get(stack.url(f"/api/v1/persons/{pid}/code"), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def report(session, stack, pid, temperature=36.5, symptoms=("none",)):
    body = {"symptoms": list(symptoms)}
    if temperature is not None:
        body["temperature"] = temperature
    return session.post(stack.url(f"/api/v1/persons/{pid}/reports"), json=body, timeout=10)


def reported(session, stack, pid, **kw):
    r = report(session, stack, pid, **kw)
    assert r.status_code == 201, r.text
    return r.json()


def error_code(r):
    return r.json()["error"]["code"]


def field_errors(r):
    return {(f["field"], f["code"]) for f in r.json()["error"].get("fields", [])}


def job(stack, day, check=True):
    return hqrctl(stack, "jobs", "daily", "--date", day.isoformat(), check=check)


def row_id(stack, pid):
    (row,) = stack.sql(f"SELECT id FROM persons WHERE public_id = '{pid}'")
    return int(row[0])


def account_id(stack, openid):
    (row,) = stack.sql(f"SELECT id FROM accounts WHERE openid = '{openid}'")
    return int(row[0])


def color_in_db(stack, pid):
    (row,) = stack.sql(f"SELECT c.color FROM codes c JOIN persons p ON p.id = c.person_id "
                       f"WHERE p.public_id = '{pid}'")
    return int(row[0])


def events(stack, pid):
    """(from_color, to_color, reason, actor_kind, actor) of every code event of the person."""
    return [tuple(r) for r in stack.sql(
        "SELECT e.from_color, e.to_color, e.reason, e.actor_kind, e.actor FROM code_events e "
        f"JOIN persons p ON p.id = e.person_id WHERE p.public_id = '{pid}' ORDER BY e.id")]


def conversions(stack, pid):
    return [e for e in events(stack, pid) if e[3] == "rule" and e[1] == str(GREEN)]


def reminder_rows(stack, pid):
    """(local_day, account_id, status, errcode) of the person's reminders."""
    return sorted(tuple(r) for r in stack.sql(
        "SELECT r.local_day, r.account_id, r.status, IFNULL(r.errcode, 'NULL') FROM reminders r "
        f"JOIN persons p ON p.id = r.person_id WHERE p.public_id = '{pid}'"))


def day_number(day):
    return (day - datetime.date(1970, 1, 1)).days


def sim(stack, method, path, body=None, status=None):
    r = requests.request(method, sim_base(stack) + "/sim/" + path, json=body, timeout=30)
    if status is not None:
        assert r.status_code == status, r.text
    return r


def reminders_to(stack, openid):
    """Reminder template messages the simulator recorded for this openid, oldest first."""
    return [m for m in sim(stack, "GET", "messages", status=200).json()
            if m["touser"] == openid and m["template_id"] == "tmpl_reminder"]


def server_day(c):
    t = datetime.datetime.strptime(c["server_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return t.astimezone(ZONE).date(), t


def walk(clock, stack, person, days, skip=(), fever=()):
    """Files one report on each day of `days` (app clock moved there), except those in skip; a
    report on a day in fever carries 38.0 degrees."""
    for n in days:
        if n in skip:
            continue
        clock.day(n)
        reported(person.s, stack, person.pid, temperature=38.0 if n in fever else 36.5)


# --- the clock itself --------------------------------------------------------------------------

def test_offset_file_moves_the_app_clock(stack, clock):
    p = red_person(stack)
    day, t0 = server_day(code(p.s, stack, p.pid))
    assert day == clock.date(0)
    assert abs((t0 - datetime.datetime.now(datetime.timezone.utc)).total_seconds() - clock.base) < 120
    clock.day(3)
    day3, t3 = server_day(code(p.s, stack, p.pid))
    assert day3 == clock.date(3)
    assert abs((t3 - t0).total_seconds() - 3 * 86400) < 120
    clock.day(0)
    assert server_day(code(p.s, stack, p.pid))[0] == clock.date(0)


# --- reports -----------------------------------------------------------------------------------

def test_report_on_a_red_code_is_created_with_the_code(stack, clock):
    p = red_person(stack)
    r = report(p.s, stack, p.pid)
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["report"] == {"date": clock.date(0).isoformat(), "temperature": 36.5, "symptoms": ["none"]}
    c = body["code"]
    assert c["color"] == "red" and c["reason"] == "SYMPTOMS"
    assert c["report"]["required"] is True and c["report"]["today_done"] is True
    assert c["report"]["missed_days"] == 0
    assert c["report"]["can_turn_green_on"] == clock.date(OBSERVATION_DAYS).isoformat()


def test_second_report_the_same_day_is_409_report_exists(stack, clock):
    p = red_person(stack)
    reported(p.s, stack, p.pid)
    r = report(p.s, stack, p.pid, temperature=36.6)
    assert r.status_code == 409 and error_code(r) == "REPORT_EXISTS", r.text
    (only,) = p.s.get(stack.url(f"/api/v1/persons/{p.pid}/reports"), timeout=10).json()["reports"]
    assert only["temperature"] == 36.5


def test_report_on_a_green_code_is_409_report_not_required(stack, clock):
    s = login_mp(stack)
    r = apply(s, stack, id_number=fresh_rid(), symptoms="none")
    assert r.status_code == 201 and r.json()["code"]["color"] == "green", r.text
    pid = r.json()["person"]["id"]
    r = report(s, stack, pid)
    assert r.status_code == 409 and error_code(r) == "REPORT_NOT_REQUIRED", r.text
    assert s.get(stack.url(f"/api/v1/persons/{pid}/reports"), timeout=10).json() == {"reports": []}


@pytest.mark.parametrize("body,field", [
    ({"symptoms": ["none"]}, ("temperature", "REQUIRED")),
    ({"temperature": 43.5, "symptoms": ["none"]}, ("temperature", "TEMPERATURE_RANGE")),
    ({"temperature": "abc", "symptoms": ["none"]}, ("temperature", "TEMPERATURE_FORMAT")),
    ({"temperature": 36.5, "symptoms": ["sneezing"]}, ("symptoms", None)),
    ({"temperature": 36.5, "symptoms": ["none", "cough"]}, ("symptoms", None)),
    ({"temperature": 36.5}, ("symptoms", "REQUIRED")),
], ids=["temperature_missing", "temperature_43.5", "temperature_abc", "symptom_unknown",
        "none_with_a_symptom", "symptoms_missing"])
def test_report_validation_is_422(stack, clock, body, field):
    p = red_person(stack)
    r = p.s.post(stack.url(f"/api/v1/persons/{p.pid}/reports"), json=body, timeout=10)
    assert r.status_code == 422 and error_code(r) == "VALIDATION_FAILED", r.text
    got = field_errors(r)
    if field[1] is None:
        assert any(f == field[0] for f, _ in got), got
    else:
        assert field in got, got
    # Nothing was stored: the day's report can still be filed.
    assert code(p.s, stack, p.pid)["report"]["today_done"] is False
    assert report(p.s, stack, p.pid).status_code == 201


def test_reports_are_listed_newest_first(stack, clock):
    p = red_person(stack)
    reported(p.s, stack, p.pid, temperature=36.4)
    clock.day(1)
    reported(p.s, stack, p.pid, temperature=36.8, symptoms=["cough", "fatigue"])
    r = p.s.get(stack.url(f"/api/v1/persons/{p.pid}/reports"), timeout=10)
    assert r.status_code == 200, r.text
    reps = r.json()["reports"]
    assert [(x["date"], x["temperature"], x["symptoms"]) for x in reps] == [
        (clock.date(1).isoformat(), 36.8, ["cough", "fatigue"]),
        (clock.date(0).isoformat(), 36.4, ["none"])]
    for x in reps:
        assert x["filed_at"].endswith("Z")
    filed = datetime.datetime.strptime(reps[0]["filed_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert filed.astimezone(ZONE).date() == clock.date(1)


def test_delegate_reports_for_a_relative(stack, clock):
    p = red_person(stack, relative=True)   # applied for by a delegate account only
    r = report(p.s, stack, p.pid)
    assert r.status_code == 201, r.text
    assert r.json()["code"]["report"]["today_done"] is True
    rows = stack.sql(f"SELECT account_id FROM health_reports WHERE person_id = {row_id(stack, p.pid)}")
    assert rows == [[str(account_id(stack, p.s.openid))]]


def test_a_non_holder_gets_404(stack, clock):
    p = red_person(stack)
    other = login_mp(stack)
    r = report(other, stack, p.pid)
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND", r.text
    assert other.get(stack.url(f"/api/v1/persons/{p.pid}/reports"), timeout=10).status_code == 404
    assert code(p.s, stack, p.pid)["report"]["today_done"] is False



def test_report_day_is_the_local_day_in_shanghai(stack, clock):
    """23:59 and 00:01 local are two days (both are the same UTC day, 15:59 and 16:01)."""
    p = red_person(stack)
    clock.at(0, 23, 59, 0)
    assert reported(p.s, stack, p.pid)["report"]["date"] == clock.date(0).isoformat()
    clock.at(1, 0, 1, 0)
    body = reported(p.s, stack, p.pid)
    assert body["report"]["date"] == clock.date(1).isoformat()
    assert body["code"]["report"]["missed_days"] == 0

# --- the code's report status ------------------------------------------------------------------

def test_code_status_tells_today_done_missed_days_and_green_date(stack, clock):
    p = red_person(stack)
    rep = code(p.s, stack, p.pid)
    assert rep["observation_until"] == clock.date(14).isoformat()
    assert rep["report"] == {"required": True, "today_done": False, "missed_days": 0,
                             "can_turn_green_on": clock.date(14).isoformat()}
    reported(p.s, stack, p.pid)
    assert code(p.s, stack, p.pid)["report"] == {"required": True, "today_done": True, "missed_days": 0,
                                                 "can_turn_green_on": clock.date(14).isoformat()}
    clock.day(1)   # yesterday's report filed, today's not yet: nothing missed
    assert code(p.s, stack, p.pid)["report"] == {"required": True, "today_done": False, "missed_days": 0,
                                                 "can_turn_green_on": clock.date(14).isoformat()}
    clock.day(2)   # day 1 went without a report
    c = code(p.s, stack, p.pid)
    assert c["color"] == "red" and c["observation_until"] == clock.date(15).isoformat()
    assert c["report"] == {"required": True, "today_done": False, "missed_days": 1,
                           "can_turn_green_on": clock.date(15).isoformat()}
    reported(p.s, stack, p.pid)
    assert code(p.s, stack, p.pid)["report"]["today_done"] is True


def test_green_code_status_needs_no_report(stack, clock):
    s = login_mp(stack)
    r = apply(s, stack, id_number=fresh_rid(), symptoms="none")
    assert r.status_code == 201, r.text
    c = code(s, stack, r.json()["person"]["id"])
    assert c["color"] == "green" and c["observation_until"] is None
    assert c["report"] == {"required": False}


# --- simulated weeks ---------------------------------------------------------------------------

def test_daily_reports_turn_green_on_day_14_and_not_before(stack, clock):
    p = red_person(stack)
    walk(clock, stack, p, range(0, 14))
    c = code(p.s, stack, p.pid)          # D+13, every report filed
    assert c["color"] == "red", c
    assert c["report"]["can_turn_green_on"] == clock.date(14).isoformat()
    assert conversions(stack, p.pid) == []
    clock.day(14)
    c = code(p.s, stack, p.pid)
    assert (c["color"], c["reason"]) == ("green", "OBSERVATION_COMPLETED"), c
    assert c["observation_until"] is None and c["report"] == {"required": False}
    assert conversions(stack, p.pid) == [(str(RED), str(GREEN), "OBSERVATION_COMPLETED", "rule", "conversion")]
    # Green now: no report is required any more, and further reads convert nothing again.
    r = report(p.s, stack, p.pid)
    assert r.status_code == 409 and error_code(r) == "REPORT_NOT_REQUIRED", r.text
    clock.day(15)
    assert code(p.s, stack, p.pid)["color"] == "green"
    assert len(conversions(stack, p.pid)) == 1


def test_conversion_happens_at_local_midnight(stack, clock):
    p = red_person(stack)
    walk(clock, stack, p, range(0, 14))
    clock.at(13, 23, 59, 0)
    assert code(p.s, stack, p.pid)["color"] == "red"
    clock.at(14, 0, 1, 0)       # 16:01 UTC the day before
    c = code(p.s, stack, p.pid)
    assert (c["color"], c["reason"]) == ("green", "OBSERVATION_COMPLETED"), c
    assert len(conversions(stack, p.pid)) == 1


def test_one_missed_day_delays_green_by_one_day(stack, clock):
    p = red_person(stack)
    walk(clock, stack, p, range(0, 5), skip={3})
    c = code(p.s, stack, p.pid)          # D+4
    assert c["report"]["missed_days"] == 1
    assert c["report"]["can_turn_green_on"] == clock.date(15).isoformat()
    walk(clock, stack, p, range(5, 15))
    c = code(p.s, stack, p.pid)          # D+14, 14 reports over 15 days
    assert c["color"] == "red", c
    assert c["report"]["can_turn_green_on"] == clock.date(15).isoformat()
    assert conversions(stack, p.pid) == []
    clock.day(15)
    c = code(p.s, stack, p.pid)
    assert (c["color"], c["reason"]) == ("green", "OBSERVATION_COMPLETED"), c
    assert len(conversions(stack, p.pid)) == 1


def test_fever_report_restarts_the_observation(stack, clock):
    p = red_person(stack)
    walk(clock, stack, p, range(0, 5))
    clock.day(5)
    body = reported(p.s, stack, p.pid, temperature=38.0)
    assert body["report"]["temperature"] == 38.0
    c = body["code"]
    assert c["color"] == "red" and c["observation_until"] == clock.date(19).isoformat()
    assert c["report"]["can_turn_green_on"] == clock.date(19).isoformat()
    walk(clock, stack, p, range(6, 19))
    clock.day(14)   # where it would have turned green without the fever
    assert code(p.s, stack, p.pid)["color"] == "red"
    clock.day(18)
    c = code(p.s, stack, p.pid)
    assert c["color"] == "red" and c["report"]["can_turn_green_on"] == clock.date(19).isoformat()
    assert conversions(stack, p.pid) == []
    clock.day(19)
    c = code(p.s, stack, p.pid)
    assert (c["color"], c["reason"]) == ("green", "OBSERVATION_COMPLETED"), c
    assert len(conversions(stack, p.pid)) == 1
    (row,) = stack.sql(f"SELECT observation_start, observation_until FROM codes WHERE person_id = "
                       f"{row_id(stack, p.pid)}")
    assert row == ["NULL", "NULL"]


def test_daily_job_converts_without_any_read(stack, clock):
    p = red_person(stack)
    walk(clock, stack, p, range(0, 14))
    clock.day(0)
    out = job(stack, clock.date(13)).stdout
    assert "daily job for " + clock.date(13).isoformat() in out
    assert color_in_db(stack, p.pid) == RED
    out = job(stack, clock.date(14)).stdout
    assert color_in_db(stack, p.pid) == GREEN, out          # before any GET
    assert "turned green" in out
    assert conversions(stack, p.pid) == [(str(RED), str(GREEN), "OBSERVATION_COMPLETED", "rule", "conversion")]
    job(stack, clock.date(14))                               # a rerun converts nothing twice
    assert len(conversions(stack, p.pid)) == 1
    c = code(p.s, stack, p.pid)
    assert (c["color"], c["reason"]) == ("green", "OBSERVATION_COMPLETED")


# --- reminders ---------------------------------------------------------------------------------

def test_reminders_reach_holder_and_delegates_once_even_when_run_twice(stack, clock):
    p = red_person(stack)
    delegate = add_delegate(stack, p)
    q = red_person(stack, relative=True)          # only a delegate holds q
    today = clock.date(0).isoformat()
    job(stack, clock.date(0))
    for openid, pid in ((p.s.openid, p.pid), (delegate.openid, p.pid), (q.s.openid, q.pid)):
        (m,) = reminders_to(stack, openid)
        assert m["kind"] == "template" and m["client_msg_id"], m
        assert m["client_msg_id"].startswith(f"rem-{pid}-")
        assert m["data"]["keyword2"]["value"] == today
    job(stack, clock.date(0))
    for openid in (p.s.openid, delegate.openid, q.s.openid):
        assert len(reminders_to(stack, openid)) == 1
    dn = str(day_number(clock.date(0)))
    assert reminder_rows(stack, p.pid) == sorted([
        (dn, str(account_id(stack, p.s.openid)), "sent", "0"),
        (dn, str(account_id(stack, delegate.openid)), "sent", "0")])
    assert reminder_rows(stack, q.pid) == [(dn, str(account_id(stack, q.s.openid)), "sent", "0")]


def test_no_reminder_for_those_who_reported_today(stack, clock):
    done = red_person(stack)
    delegate = add_delegate(stack, done)
    reported(delegate, stack, done.pid)           # filed by the delegate: done for every holder
    due = red_person(stack)
    job(stack, clock.date(0))
    assert reminders_to(stack, done.s.openid) == []
    assert reminders_to(stack, delegate.openid) == []
    assert reminder_rows(stack, done.pid) == []
    assert len(reminders_to(stack, due.s.openid)) == 1


def test_unsubscribed_user_is_recorded_and_not_retried(stack, clock):
    p = red_person(stack)
    sim(stack, "POST", "users", {"openid": p.s.openid, "subscribed": False}, status=200)
    try:
        out = job(stack, clock.date(0)).stdout
        assert "refused by the user" in out
        assert reminders_to(stack, p.s.openid) == []
        dn, acc = str(day_number(clock.date(0))), str(account_id(stack, p.s.openid))
        assert reminder_rows(stack, p.pid) == [(dn, acc, "unsubscribed", "43004")]
        # Subscribed again: a retry would now get through, and none is made.
        sim(stack, "POST", "users", {"openid": p.s.openid, "subscribed": True}, status=200)
        job(stack, clock.date(0))
        assert reminders_to(stack, p.s.openid) == []
        assert reminder_rows(stack, p.pid) == [(dn, acc, "unsubscribed", "43004")]
    finally:
        sim(stack, "POST", "users", {"openid": p.s.openid, "subscribed": True})


def test_failed_send_is_recorded_and_retried_once_on_a_rerun(stack, clock):
    job(stack, clock.date(0))   # the day's reminders of earlier red codes are out of the way
    p = red_person(stack)
    sim(stack, "POST", "faults", {"endpoint": TEMPLATE_SEND, "kind": "errcode", "errcode": 45009,
                                  "count": 1000}, status=201)
    try:
        out = job(stack, clock.date(0)).stdout
    finally:
        sim(stack, "DELETE", "faults", status=200)
    assert "failed" in out
    dn, acc = str(day_number(clock.date(0))), str(account_id(stack, p.s.openid))
    assert reminders_to(stack, p.s.openid) == []
    assert reminder_rows(stack, p.pid) == [(dn, acc, "failed", "45009")]
    job(stack, clock.date(0))
    assert len(reminders_to(stack, p.s.openid)) == 1
    assert reminder_rows(stack, p.pid) == [(dn, acc, "sent", "0")]
    job(stack, clock.date(0))
    assert len(reminders_to(stack, p.s.openid)) == 1


def test_reminders_wait_for_the_reminder_hour_without_date(stack, clock):
    """`hqrctl jobs daily` without --date, run under faketime a minute before the reminder hour
    (conversions and retention only) and just after it (reminders too)."""
    hour = int(stack.conf()["platform"]["reminder_hour"])
    # The stack runs with the example's hour (20): a minute before it must exist on the same day.
    assert 1 <= hour <= 23, hour
    p = red_person(stack)

    def run_at(h, m, s):
        target = datetime.datetime.combine(clock.date(0), datetime.time(h, m, s), ZONE).timestamp()
        env = dict(os.environ, LD_PRELOAD=FAKETIME_LIB, FAKETIME=f"{int(target - time.time()):+d}",
                   ASAN_OPTIONS=ASAN_WITH_PRELOAD,
                   FAKETIME_DONT_FAKE_MONOTONIC="1")
        proc = subprocess.run([stack.bin("hqrctl"), "-c", stack.conf_path, "jobs", "daily"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"daily job for {clock.date(0).isoformat()}" in proc.stdout
        return proc.stdout

    out = run_at(hour - 1, 59, 0)
    assert "not due before the reminder hour" in out
    assert reminders_to(stack, p.s.openid) == [] and reminder_rows(stack, p.pid) == []
    out = run_at(hour, 0, 5)
    assert "not due" not in out
    assert len(reminders_to(stack, p.s.openid)) == 1


def test_every_holder_is_reminded_even_past_sixteen(stack, clock):
    """Eighteen holders of one person (one self, seventeen delegates) each get one reminder."""
    p = red_person(stack)
    delegates = [add_delegate(stack, p) for _ in range(17)]
    job(stack, clock.date(0))
    got = {s.openid: len(reminders_to(stack, s.openid)) for s in [p.s] + delegates}
    assert got == {openid: 1 for openid in got}, got


# --- retention ---------------------------------------------------------------------------------

def partitions(stack):
    return [(r[0], r[1]) for r in stack.sql(
        "SELECT PARTITION_NAME, IFNULL(PARTITION_DESCRIPTION, '') FROM information_schema.PARTITIONS "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'scans' ORDER BY PARTITION_ORDINAL_POSITION")]


def pname(day):
    return "p" + day.strftime("%Y%m%d")


def test_retention_removes_exactly_what_is_older_than_the_window(stack, clock):
    today = clock.date(0)
    old_days = [today - datetime.timedelta(days=k)
                for k in (40, RETENTION_DAYS + 1, RETENTION_DAYS, RETENTION_DAYS - 1)]
    first, first_below = partitions(stack)[0]
    assert first_below != "MAXVALUE" and int(first_below) > day_number(old_days[-1]) + 1, partitions(stack)
    # Whole days of scans for the old days: split the first partition (it holds every day
    # before its own) into daily partitions named as partitions.c names them.
    parts = ", ".join(f"PARTITION {pname(d)} VALUES LESS THAN ({day_number(d) + 1})" for d in old_days)
    made = [pname(d) for d in old_days]
    stack.sql(f"ALTER TABLE scans REORGANIZE PARTITION {first} INTO ({parts}, "
              f"PARTITION {first} VALUES LESS THAN ({first_below}))")
    try:
        ids = {d: random.randrange(2**62, 2**63) for d in old_days + [today]}
        stack.sql("INSERT INTO scans (id, local_day, scanned_at, checkpoint_id, token_kind, direction, verdict, "
                  "reasons) VALUES " + ", ".join(
                      f"({ids[d]}, {day_number(d)}, '{d.isoformat()} 04:00:00', 1, 1, 1, 1, 0)" for d in ids))
        p = red_person(stack)
        pid_row = row_id(stack, p.pid)
        acc = account_id(stack, p.s.openid)
        stack.sql("INSERT INTO health_reports (person_id, local_day, account_id, symptoms, temperature_tenths, "
                  "created_at) VALUES " + ", ".join(
                      f"({pid_row}, {day_number(d)}, {acc}, 0, 365, '{d.isoformat()} 04:00:00')" for d in old_days))
        reported(p.s, stack, p.pid)
        out = job(stack, today).stdout
        assert "scan partitions dropped" in out
        names = [n for n, _ in partitions(stack)]
        # Older than 28 days (40 and 29 days back) is gone; 28 and 27 days back and today stay.
        assert pname(old_days[0]) not in names and pname(old_days[1]) not in names, names
        assert pname(old_days[2]) in names and pname(old_days[3]) in names, names
        left = {int(r[0]) for r in stack.sql("SELECT local_day FROM scans WHERE id IN (" +
                                             ", ".join(str(i) for i in ids.values()) + ")")}
        assert left == {day_number(d) for d in (old_days[2], old_days[3], today)}
        kept = [int(r[0]) for r in stack.sql(f"SELECT local_day FROM health_reports WHERE person_id = {pid_row} "
                                             "ORDER BY local_day")]
        assert kept == [day_number(d) for d in (old_days[2], old_days[3], today)]
        # The day's report still counts for the code.
        assert code(p.s, stack, p.pid)["report"]["today_done"] is True
    finally:
        # Put the partition layout back as it was (the day partitions merged into the first).
        names = [n for n, _ in partitions(stack)]
        mine = [n for n in made if n in names]
        if mine:
            stack.sql(f"ALTER TABLE scans REORGANIZE PARTITION {', '.join(mine + [first])} INTO "
                      f"(PARTITION {first} VALUES LESS THAN ({first_below}))")



def test_retention_removes_an_old_scan_held_by_the_first_partition(stack, clock):
    """A scan of an old day (an offline batch) goes as soon as it is older than the window, even
    when the first partition, which holds every day below its own, is not dropped yet."""
    old = clock.date(0) - datetime.timedelta(days=RETENTION_DAYS - 1)   # inside the window today
    sid = random.randrange(2**62, 2**63)
    stack.sql("INSERT INTO scans (id, local_day, scanned_at, checkpoint_id, token_kind, direction, verdict, "
              f"reasons) VALUES ({sid}, {day_number(old)}, '{old.isoformat()} 04:00:00', 1, 1, 1, 1, 0)")
    try:
        later = clock.date(2)   # the scan is now RETENTION_DAYS + 1 days old
        job(stack, later)
        assert stack.sql(f"SELECT local_day FROM scans WHERE id = {sid}") == []
    finally:
        stack.sql(f"DELETE FROM scans WHERE id = {sid}")

# --- a crash of the daily job ------------------------------------------------------------------

def test_killed_job_then_rerun_leaves_everything_consistent(stack, clock):
    j = clock.date(OBSERVATION_DAYS)
    job(stack, j)   # red codes of earlier tests get J's reminders now, not in the crashed run
    converting, reminded = [], []
    for _ in range(5):   # interleaved, so that conversions and reminders alternate in the job
        converting.append(red_person(stack))
        p = red_person(stack)
        reminded.append((p, [p.s.openid, add_delegate(stack, p).openid]))
    for n in range(OBSERVATION_DAYS):
        clock.day(n)
        for p in converting:
            reported(p.s, stack, p.pid)
    clock.day(0)
    openids = [o for _, os_ in reminded for o in os_]

    sim(stack, "POST", "faults", {"endpoint": TEMPLATE_SEND, "kind": "delay", "delay_ms": 300,
                                  "count": 1000}, status=201)
    try:
        proc = subprocess.Popen([stack.bin("hqrctl"), "-c", stack.conf_path, "jobs", "daily", "--date",
                                 j.isoformat()], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def first_arrived():
                msgs = sim(stack, "GET", "messages", status=200).json()
                return proc.poll() is not None or any(m["touser"] in openids and m["template_id"] == "tmpl_reminder"
                                                      for m in msgs)
            wait_until(first_arrived, 60, "the first reminder at the simulator")
            assert proc.poll() is None, "the job ended before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
        before = sum(len(reminders_to(stack, o)) for o in openids)
        assert 1 <= before < len(openids), before
        # Killed halfway: the first code converted, the later ones not yet.
        colors = [color_in_db(stack, p.pid) for p in converting]
        assert colors[0] == GREEN and colors[-1] == RED, colors
    finally:
        sim(stack, "DELETE", "faults", status=200)

    job(stack, j)
    for p, ids in reminded:
        for openid in ids:
            msgs = reminders_to(stack, openid)
            assert len(msgs) == 1, (openid, msgs)
            assert msgs[0]["data"]["keyword2"]["value"] == j.isoformat()
        rows = reminder_rows(stack, p.pid)
        assert rows == sorted((str(day_number(j)), str(account_id(stack, o)), "sent", "0") for o in ids), rows
        assert color_in_db(stack, p.pid) == RED
    for p in converting:
        assert color_in_db(stack, p.pid) == GREEN
        assert len(conversions(stack, p.pid)) == 1, events(stack, p.pid)
        assert reminders_to(stack, p.s.openid) == [] and reminder_rows(stack, p.pid) == []
    job(stack, j)   # and once more: nothing changes
    assert sum(len(reminders_to(stack, o)) for o in openids) == len(openids)
    assert all(len(conversions(stack, p.pid)) == 1 for p in converting)


def test_two_jobs_at_once_send_each_reminder_once(stack, clock):
    j = clock.date(OBSERVATION_DAYS)
    job(stack, j)
    converting = [red_person(stack) for _ in range(4)]
    reminded = [red_person(stack) for _ in range(8)]
    for n in range(OBSERVATION_DAYS):
        clock.day(n)
        for p in converting:
            reported(p.s, stack, p.pid)
    clock.day(0)
    sim(stack, "POST", "faults", {"endpoint": TEMPLATE_SEND, "kind": "delay", "delay_ms": 100,
                                  "count": 1000}, status=201)
    try:
        procs = [subprocess.Popen([stack.bin("hqrctl"), "-c", stack.conf_path, "jobs", "daily", "--date",
                                   j.isoformat()], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        outs = [p.communicate(timeout=60) for p in procs]
    finally:
        sim(stack, "DELETE", "faults", status=200)
    assert all(p.returncode == 0 for p in procs), outs
    for p in reminded:
        assert len(reminders_to(stack, p.s.openid)) == 1
        assert [r[2] for r in reminder_rows(stack, p.pid)] == ["sent"]
    for p in converting:
        assert len(conversions(stack, p.pid)) == 1, events(stack, p.pid)
