"""What `make faults` and `make soak` share: a stack of their own (scripts/stack.sh in a throwaway
directory, the rate limit lifted as `make bench` lifts it), clients that keep writing through the
real API on loopback (scans, applications with a photo, daily reports) and record every answer,
and the ledger of acknowledged writes checked against the database afterwards."""
import collections
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import helpers  # noqa: E402

BUILD = os.environ.get("HQR_BUILD", "build")
STACK_SH = os.path.join(ROOT, "scripts", "stack.sh")


def ini_value(path, section, key):
    """KEY's value inside [SECTION] of an INI file, or None."""
    cur = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if s.startswith("[") and s.endswith("]"):
                cur = s[1:-1]
            elif cur == section and "=" in s and s.split("=", 1)[0].strip() == key:
                return s.split("=", 1)[1].strip()
    return None


class Stack:
    """A stack in its own directory: the parts helpers.py uses, plus its processes' pids."""

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.dir, 0o755)
        self.env = {}

    def sh(self, *args, timeout=180, check=True):
        env = dict(os.environ, HQR_BUILD=BUILD, HQR_RATE="1000000", HQR_BURST="1000000")
        p = subprocess.run([STACK_SH, *args, self.dir], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"stack.sh {' '.join(args)}: {p.stderr}")
        return p

    def start(self):
        self.sh("start")
        with open(os.path.join(self.dir, "stack.env")) as f:
            for line in f:
                k, _, v = line.strip().partition("=")
                self.env[k] = v
        self.base = f"http://127.0.0.1:{self.env['HTTP_PORT']}"
        self.conf_path = self.env["HQR_CONF"]
        self.db_cnf = self.env["DB_CNF"]

    def stop(self):
        self.sh("stop", timeout=300, check=False)
        if os.environ.get("HQR_KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, path):
        return self.base + path

    def run_bin(self, name, *args, timeout=600):
        return helpers.run_bin(BUILD, name, *args, timeout=timeout)

    def sql(self, q):
        return helpers.sql_rows(self.db_cnf, q)

    def pidfile(self, rel):
        try:
            with open(os.path.join(self.dir, rel)) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def master(self):
        return self.pidfile("run/hqr.pid")

    def workers(self):
        m = self.master()
        if m is None:
            return []
        p = subprocess.run(["pgrep", "-P", str(m)], stdout=subprocess.PIPE, text=True)
        return [int(x) for x in p.stdout.split()]


def kind_of(r):
    """An answer's kind for the tally: "ok", or its status and error code word."""
    try:
        code = r.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = "-"
    return f"{r.status_code} {code}"


def failed_step(e):
    """A client-side failure's kind for the tally: the helper that failed (the step of the flow),
    the exception and what it said: the status and error code word of an answer it quotes, else
    its first words (request ids and such left out, so that like failures count together)."""
    tb = e.__traceback__
    step = "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith("helpers.py"):
            step = tb.tb_frame.f_code.co_name
        tb = tb.tb_next
    msg = str(e)
    code = re.search(r'"code"\s*:\s*"([A-Z_]+)"', msg)
    status = re.match(r"\((\d{3}),", msg)
    if code:
        said = (status.group(1) + " " if status else "") + code.group(1)
    else:
        said = re.sub(r"[0-9a-f]{16,}|\d+", "#", msg.splitlines()[0] if msg else "")[:60]
    return f"{step}: {type(e).__name__}" + (f" {said}" if said else "")


class Load:
    """Writers on loopback until stopped: `scan_threads` clients scanning at most `scan_rate`
    scans/s in all, `app_threads` clients each logging in and applying (a photo, every other one
    with a symptom: a red code; at most `app_rate` a second in all, if given), and one client
    filing a daily report for each red person made.
    Every answer is recorded as (kind of client, start time, "ok" or its kind, latency); every
    acknowledged write goes into the ledger with the time it was acknowledged.

    Each self application is a new user of the platform, and the simulator holds a bounded number
    of them (about a thousand): once it refuses a new one, the applying clients log in again as
    the users they made, and apply for themselves where that was refused before, else for
    relatives (as many as [rules] delegation_limit lets an account), so that a long run (the soak)
    keeps applying instead of stopping there. With `relatives`, every other application is for a
    relative from the start: the paths the load takes are the same all along (a soak's warm-up
    sees them all)."""

    def __init__(self, st, scan_threads=6, scan_rate=200.0, app_threads=1, report_rate=2.0, app_rate=None,
                 relatives=False):
        self.st = st
        self.relatives = relatives  # every other application for a relative from the start
        self.app_period = app_threads / app_rate if app_rate else 0.0  # each applying client's
        self.scan_threads, self.scan_period = scan_threads, scan_threads / scan_rate
        self.app_threads, self.report_period = app_threads, 1.0 / report_rate
        self.lock = threading.Lock()
        self.results = []
        # The phones' own failures to get a login code from the platform's side (the simulator's
        # control endpoint, not the service): counted apart, they are no answer of the service.
        self.phone = collections.Counter()
        self.ledger = {"scan": [], "application": [], "report": []}  # (time, identifying data)
        self.red = queue.Queue()
        # Login codes the phones got from the platform before, exchanged at the service while the
        # platform cannot give new ones (absent): the service's answer is what is recorded.
        self.codes = queue.Queue()
        for _ in range(40):
            openid = helpers.unique("f")
            r = requests.post(helpers.sim_base(st) + "/sim/jscode", json={"openid": openid}, timeout=10)
            self.codes.put((r.json()["code"], openid))
        # Accounts logged in, by openid: the relatives each applied for since its own person, -1
        # while it has none.
        self.accounts = collections.OrderedDict()
        self.sim_full = False
        self.delegation_limit = int(ini_value(st.conf_path, "rules", "delegation_limit") or 5)
        self._stop = threading.Event()
        self._ts = []
        s, pid = helpers.new_person(st)
        cp = helpers.checkpoint(st, name=helpers.unique("faults-mall"))
        self.device = helpers.device_token(st, cp)
        self.qr = helpers.qr_text(s, st, pid)

    def _note(self, who, t, kind, what=None):
        done = time.monotonic()
        with self.lock:
            self.results.append((who, t, kind, done - t))
            if what is not None:
                self.ledger[who].append((done, what))

    def _pace(self, nxt, period):
        nxt = max(nxt + period, time.monotonic())
        self._stop.wait(max(0.0, nxt - time.monotonic()))
        return nxt

    def _scans(self):
        body = {"qr": self.qr, "direction": "in", "temperature": 36.5}
        with requests.Session() as s:
            s.headers["Authorization"] = "Bearer " + self.device
            nxt = time.monotonic()
            while not self._stop.is_set():
                t = time.monotonic()
                try:
                    r = s.post(self.st.url("/api/v1/scans"), json=body, timeout=10)
                    if r.status_code == 200:
                        self._note("scan", t, "ok", int(r.json()["scan_id"]))
                    else:
                        self._note("scan", t, kind_of(r))
                except requests.RequestException as e:
                    self._note("scan", t, type(e).__name__)
                nxt = self._pace(nxt, self.scan_period)

    def _login(self, openid=None):
        """A mini-program login as helpers.login_mp makes it, the service's answer recorded: the
        code from the platform's side (the phone), then the exchange at the service. A new user
        unless openid names one made before."""
        openid = openid or helpers.unique("f")
        t = time.monotonic()
        try:
            r = requests.post(helpers.sim_base(self.st) + "/sim/jscode", json={"openid": openid}, timeout=10)
            code = r.json()["code"]
        except (requests.RequestException, KeyError, ValueError) as e:
            refused = isinstance(e, (KeyError, ValueError))
            with self.lock:
                self.phone[f"/sim/jscode {type(e).__name__}" + (f" {r.status_code}" if refused else "")] += 1
                if refused and r.status_code == 409:
                    self.sim_full = True  # its table of users is full: users made before log in again
            try:
                code, openid = self.codes.get_nowait()
            except queue.Empty:
                self._note("login", t, "no login code left")
                return None
        t = time.monotonic()
        try:
            r = requests.post(self.st.url("/api/v1/login/miniprogram"), json={"code": code}, timeout=15)
        except requests.RequestException as e:
            self._note("login", t, type(e).__name__)
            return None
        if r.status_code != 200:
            self._note("login", t, kind_of(r))
            return None
        self._note("login", t, "ok")
        s = requests.Session()
        s.headers["Authorization"] = "Bearer " + r.json()["token"]
        s.openid = openid
        return s

    def _account_again(self):
        """(openid, for itself) of an account made before that may still apply: one without its
        own person first, else the one that applied for the fewest relatives; or (None, True)."""
        with self.lock:
            left = [(n, o) for o, n in self.accounts.items() if n < self.delegation_limit]
            n, openid = min(left) if left else (-1, None)
            return openid, n < 0

    def _apps(self, n):
        i = n
        nxt = time.monotonic()
        while not self._stop.is_set():
            if self.app_period:
                nxt = self._pace(nxt, self.app_period)
                if self._stop.is_set():
                    break
            i += 1
            red = i % 2 == 0
            mixed = self.relatives and i % 2 == 1
            again, for_self = self._account_again() if self.sim_full or mixed else (None, True)
            s = self._login(again)
            if s is None:
                self._stop.wait(0.2)
                continue
            with self.lock:
                self.accounts.setdefault(s.openid, -1)
            kw = {}
            if not for_self:
                s.own_person = True
                kw = dict(for_="relative", relationship="child")
            t = time.monotonic()
            try:
                r = helpers.apply(s, self.st, symptoms="cough" if red else "none", **kw)
            except (AssertionError, requests.RequestException, KeyError, ValueError) as e:
                # The verification before the application (the platform's face check) failed.
                self._note("verification", t, f"verification {failed_step(e)}")
                self._stop.wait(0.2)
                continue
            if r.status_code == 201:
                pid = r.json()["person"]["id"]
                self._note("application", t, "ok", pid)
                with self.lock:
                    self.accounts[s.openid] += 1
                if red:
                    self.red.put((s, pid))
            else:
                self._note("application", t, kind_of(r))
                with self.lock:  # what the service knows better than the client's count
                    if kind_of(r).endswith(" DELEGATION_LIMIT"):
                        self.accounts[s.openid] = self.delegation_limit
                    elif kind_of(r).endswith(" SELF_EXISTS"):
                        self.accounts[s.openid] = max(0, self.accounts[s.openid])

    def _reports(self):
        nxt = time.monotonic()
        while not self._stop.is_set():
            try:
                s, pid = self.red.get(timeout=0.5)
            except queue.Empty:
                continue
            t = time.monotonic()
            try:
                r = s.post(self.st.url(f"/api/v1/persons/{pid}/reports"),
                           json={"symptoms": ["none"], "temperature": 36.6}, timeout=10)
                if r.status_code == 201:
                    self._note("report", t, "ok", pid)
                else:
                    self._note("report", t, kind_of(r))
                    if r.status_code >= 500 or r.status_code == 429:
                        self.red.put((s, pid))  # not filed: the person files again later
            except requests.RequestException as e:
                self._note("report", t, type(e).__name__)
                self.red.put((s, pid))
            nxt = self._pace(nxt, self.report_period)

    def start(self):
        self._ts = [threading.Thread(target=self._scans, daemon=True) for _ in range(self.scan_threads)]
        self._ts += [threading.Thread(target=self._apps, args=(n,), daemon=True) for n in range(self.app_threads)]
        self._ts.append(threading.Thread(target=self._reports, daemon=True))
        for t in self._ts:
            t.start()

    def stop(self):
        self._stop.set()
        for t in self._ts:
            t.join(timeout=30)

    def tally(self):
        """Every answer counted by client and kind: {(who, kind): n}."""
        with self.lock:
            return collections.Counter((r[0], r[2]) for r in self.results)

    def between(self, t0, t1, who=None):
        with self.lock:
            return [r for r in self.results if t0 <= r[1] < t1 and (who is None or r[0] == who)]

    def acked_between(self, t0, t1):
        with self.lock:
            return {k: [x for (t, x) in v if t0 <= t < t1] for k, v in self.ledger.items()}


def found(st, who, ids):
    """How many of the acknowledged writes of one kind the database holds."""
    n = 0
    ids = list(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        if who == "scan":
            q = f"SELECT COUNT(*) FROM scans WHERE id IN ({','.join(str(int(x)) for x in chunk)})"
        else:
            names = ",".join("'" + x.replace("'", "") + "'" for x in set(chunk))
            if who == "application":
                q = f"SELECT COUNT(*) FROM persons WHERE public_id IN ({names})"
            else:  # one report per red person in a run
                q = ("SELECT COUNT(*) FROM health_reports h JOIN persons p ON p.id = h.person_id "
                     f"WHERE p.public_id IN ({names})")
        n += int(st.sql(q)[0][0])
    return n


def photos_missing(st):
    """Persons whose photo file the photo store does not hold (half-written applications)."""
    photos = os.path.join(st.dir, "data", "photos")
    have = set(os.listdir(photos)) if os.path.isdir(photos) else set()
    rows = st.sql("SELECT public_id, photo_file, created_at FROM persons")
    return [(r[0], r[2]) for r in rows if r[1] not in have]
