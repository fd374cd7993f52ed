"""Running as a service: what `make install` puts down (systemd units, a sample nginx site, a
logrotate file) checked with the programs that read them, and a master started as root that drops
to [app] user before its workers exist and reopens its log file on SIGUSR1 (driven by logrotate).

No service manager runs here: the units are checked offline (`systemd-analyze verify` and
`security --offline=true`) in the DESTDIR root they were installed into. The tests run as root
(asserted below) and make a system user of their own, HQR_IT_USER, when it is missing."""
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess

import pytest
import requests

import helpers as h
from conftest import ROOT, children_of
from private_stack import private_stack, set_ini

USER = os.environ.get("HQR_IT_USER", "hqr-it")
PREFIX = "/usr/local"
UNITS = ("hqr-fcgi.service", "hqr-jobs.service", "hqr-jobs.timer")


def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, **kw)


@pytest.fixture(scope="module")
def destdir(tmp_path_factory):
    """`make install` into a temporary root, as a package build does."""
    root = str(tmp_path_factory.mktemp("destdir"))
    p = run(["make", "-s", "--no-print-directory", "install", f"DESTDIR={root}", f"PREFIX={PREFIX}",
             "BUILD=" + os.environ.get("HQR_BUILD", "build")], cwd=ROOT, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    return root


def unit_path(destdir, name):
    return os.path.join(destdir, PREFIX.lstrip("/"), "lib/systemd/system", name)


def directives(path):
    """KEY -> [values] of a unit file (a key may repeat)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and line[0] not in "#;[" and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k.strip(), []).append(v.strip())
    return out


@pytest.fixture(scope="module")
def unit_root(destdir):
    """The DESTDIR root with what any target root has besides our files: systemd's own units
    (sysinit.target and the rest the default dependencies name) and /bin/kill (ExecReload)."""
    os.makedirs(os.path.join(destdir, "lib/systemd"), exist_ok=True)
    os.makedirs(os.path.join(destdir, "bin"), exist_ok=True)
    shutil.copytree("/lib/systemd/system", os.path.join(destdir, "lib/systemd/system"),
                    symlinks=True, dirs_exist_ok=True)
    shutil.copy2("/bin/kill", os.path.join(destdir, "bin/kill"))
    return destdir


def test_make_install_puts_down_units_site_logrotate_and_config(destdir):
    for name in UNITS:
        assert os.path.isfile(unit_path(destdir, name)), name
    assert os.path.isfile(os.path.join(destdir, PREFIX.lstrip("/"), "lib/sysusers.d/hqr.conf"))
    assert os.path.isfile(os.path.join(destdir, "etc/logrotate.d/hqr"))
    site = os.path.join(destdir, PREFIX.lstrip("/"), "share/hqr/nginx/hqr-site.conf")
    with open(site, encoding="utf-8") as f:
        assert "@" + "DATADIR@" not in f.read()
    # The integrators' contract and its reference page, as `make` built them.
    share = os.path.join(destdir, PREFIX.lstrip("/"), "share/hqr")
    with open(os.path.join(share, "openapi.json"), "rb") as a, open(os.path.join(ROOT, "openapi.json"), "rb") as b:
        assert a.read() == b.read(), "the installed openapi.json is not the repository's"
    assert oct(os.stat(os.path.join(share, "openapi.json")).st_mode & 0o777) == "0o644"
    with open(os.path.join(share, "docs", "index.html"), encoding="utf-8") as f:
        page = f.read()
    assert "<title>Health QR code service" in page, page[:300]
    # Every script and stylesheet the page names is installed beside it.
    for name in re.findall(r'(?:src|href)="([^":/?#]+\.(?:js|css))"', page):
        assert os.path.isfile(os.path.join(share, "docs", name)), name
    conf = os.path.join(destdir, "etc/hqr/hqr.conf")
    assert oct(os.stat(conf).st_mode & 0o777) == "0o640"
    p = run([os.path.join(destdir, PREFIX.lstrip("/"), "bin/hqr-fcgi"), "-t", "-c", conf])
    # The installed configuration names its secret files; only the missing file stops it.
    assert "/etc/hqr/secrets/db_password" in p.stderr, p.stderr


def locations(text):
    """The `location [modifier] path` lines of an nginx configuration, as (modifier, path)."""
    return set(re.findall(r"^\s*location\s+(?:(=|\^~|~\*?)\s+)?(\S+)\s*\{", text, flags=re.M))


def test_the_installed_site_has_every_location_of_the_development_server(destdir):
    """A path the development front door serves (nginx/nginx.conf.in, which every integration test
    runs behind) that the installed site lacks would be a 404 only in production: the place page
    residents scan (/p/) was one."""
    with open(os.path.join(ROOT, "nginx", "nginx.conf.in"), encoding="utf-8") as f:
        dev = locations(f.read())
    with open(os.path.join(destdir, PREFIX.lstrip("/"), "share/hqr/nginx/hqr-site.conf"), encoding="utf-8") as f:
        site = locations(f.read())
    assert ("^~", "/p/") in dev and ("", "/api/") in dev, sorted(dev)  # the parse sees both kinds
    missing = sorted(dev - site)
    assert not missing, f"locations of nginx/nginx.conf.in missing from conf/nginx/hqr-site.conf.in: {missing}"


def test_units_pass_systemd_analyze_verify(unit_root):
    p = run(["systemd-analyze", "verify", f"--root={unit_root}", *UNITS])
    assert p.returncode == 0 and p.stdout == "" and p.stderr == "", p.stdout + p.stderr


@pytest.mark.parametrize("unit", ["hqr-fcgi.service", "hqr-jobs.service"])
def test_units_score_ok_or_better_in_systemd_analyze_security(unit_root, unit):
    p = run(["systemd-analyze", "security", "--offline=true", f"--root={unit_root}", unit])
    assert p.returncode == 0, p.stderr
    m = re.search(r"Overall exposure level for " + re.escape(unit) + r": ([0-9.]+) (\w+)", p.stdout)
    assert m, p.stdout
    assert m.group(2) in ("PERFECT", "SAFE", "OK"), p.stdout
    assert float(m.group(1)) < 5.0


def test_the_master_unit_runs_as_its_user_with_the_listed_hardening(destdir):
    d = directives(unit_path(destdir, "hqr-fcgi.service"))
    assert d["User"] == ["hqr"] and d["Group"] == ["hqr"]
    assert d["ExecStart"] == [f"{PREFIX}/bin/hqr-fcgi -c /etc/hqr/hqr.conf"]
    assert d["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                       ("PrivateTmp", "yes"), ("CapabilityBoundingSet", ""),
                       ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6")):
        assert d[key] == [value], key
    assert "@system-service" in d["SystemCallFilter"]
    assert d["ReadWritePaths"] == ["/run/hqr /var/lib/hqr /var/log/hqr"]
    with open(os.path.join(destdir, PREFIX.lstrip("/"), "lib/sysusers.d/hqr.conf"), encoding="utf-8") as f:
        assert re.search(r"^u hqr ", f.read(), re.M)


def test_the_timer_runs_after_local_midnight_and_at_the_reminder_hour(destdir):
    d = directives(unit_path(destdir, "hqr-jobs.timer"))
    assert d["Unit"] == ["hqr-jobs.service"] and d["Persistent"] == ["true"]
    utc = []
    for spec in d["OnCalendar"]:
        p = run(["systemd-analyze", "calendar", spec], env={**os.environ, "TZ": "UTC"})
        assert p.returncode == 0, p.stderr
        m = re.search(r"Next elapse: \w+ \d{4}-\d\d-\d\d (\d\d:\d\d:\d\d) UTC", p.stdout)
        assert m, p.stdout
        utc.append(m.group(1))
    # Asia/Shanghai is UTC+8: 00:05 local is 16:05 UTC; the reminder hour 20 is 12:05 UTC.
    assert sorted(utc) == ["12:05:00", "16:05:00"]


def test_tests_run_as_root():
    # The privilege drop and the user made below need it; say so rather than skip.
    assert os.geteuid() == 0, "the service tests start a master as root: run them as root"


@pytest.fixture(scope="module")
def test_user():
    try:
        pw = pwd.getpwnam(USER)
    except KeyError:
        p = run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                 "--shell", "/usr/sbin/nologin", USER])
        assert p.returncode == 0, p.stderr
        pw = pwd.getpwnam(USER)
    assert pw.pw_uid != 0
    return pw


@pytest.fixture(scope="module")
def dropped(test_user):
    """A private stack whose master is started as root with [app] user set and [log] file in a
    directory of its own (as /var/log/hqr)."""
    with private_stack() as s:
        s.sh("app-stop")
        # Every application host (on the cluster, host 2 has its own directory and configuration,
        # and nginx sends it half the calls): each runs as the user, with a log directory of its own.
        hosts = [(s.dir, s.conf_path)]
        if "HOST2_DIR" in s.env:
            hosts.append((s.env["HOST2_DIR"], os.path.join(s.env["HOST2_DIR"], "hqr.conf")))
        for hdir, conf in hosts:
            hlog = os.path.join(hdir, "svclog")
            os.makedirs(hlog, mode=0o755)
            set_ini(conf, "app", "user", USER)
            set_ini(conf, "log", "file", os.path.join(hlog, "app.log"))
            # The user's: its data and keys, and (for a reload) its configuration and secrets.
            os.chown(conf, test_user.pw_uid, test_user.pw_gid)
            for d in ("data", "keys", "secrets"):
                for base, dirs, files in os.walk(os.path.join(hdir, d)):
                    for n in [base] + [os.path.join(base, x) for x in dirs + files]:
                        os.chown(n, test_user.pw_uid, test_user.pw_gid)
        logdir = os.path.join(s.dir, "svclog")
        s.sh("app-start")
        # app-start returns once the socket exists; the workers are forked just after.
        h.wait_until(lambda: len(s.worker_pids()) == s.configured_workers(), 30, "the configured workers")
        s.logdir = logdir
        s.user = test_user
        yield s


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def test_a_master_started_as_root_runs_master_and_workers_as_the_configured_user(dropped):
    u = dropped.user
    master = dropped.master_pid()
    workers = dropped.worker_pids()
    assert len(workers) == dropped.configured_workers()
    groups = sorted(str(g) for g in os.getgrouplist(u.pw_name, u.pw_gid))
    for pid in [master] + workers:
        st = proc_status(pid)
        assert st["Uid"] == [str(u.pw_uid)] * 4, (pid, st["Uid"])
        assert st["Gid"] == [str(u.pw_gid)] * 4, (pid, st["Gid"])
        assert sorted(st["Groups"]) == groups, (pid, st["Groups"])
        # No capability left and none to be had again: root cannot come back.
        assert int(st["CapEff"][0], 16) == 0 and int(st["CapPrm"][0], 16) == 0, st
        assert st["NoNewPrivs"] == ["1"]
    sock = os.stat(os.path.join(dropped.dir, "run", "hqr.sock"))
    assert (sock.st_uid, sock.st_gid) == (u.pw_uid, u.pw_gid)
    with open(os.path.join(dropped.logdir, "app.log"), encoding="utf-8") as f:
        assert f"running as user {USER}" in f.read()


def test_the_dropped_workers_serve_and_write_photos_as_the_user(dropped):
    assert requests.get(dropped.url("/readyz"), timeout=10).status_code == 200
    _, pid = h.new_person(dropped)
    owners = set()
    for base, _, files in os.walk(os.path.join(dropped.dir, "data")):
        owners.update(os.stat(os.path.join(base, n)).st_uid for n in files)
    assert owners == {dropped.user.pw_uid}, owners


def test_an_unknown_user_stops_the_master_with_a_clear_message(dropped, tmp_path):
    conf = tmp_path / "hqr.conf"
    shutil.copy(dropped.conf_path, conf)
    set_ini(str(conf), "app", "user", "no-such-user-hqr")
    p = dropped.run_bin("hqr-fcgi", "-t", "-c", str(conf))
    assert p.returncode == 1
    assert "config key [app] user: no such user no-such-user-hqr" in p.stderr


def test_logrotate_and_sigusr1_move_every_process_to_the_new_file(dropped, destdir, tmp_path):
    """The installed logrotate file, run for real on this stack's log directory: it moves the
    file away, creates the new one for the user, and its postrotate signals the master (here
    with kill, as systemctl has no service manager to ask)."""
    with open(os.path.join(destdir, "etc/logrotate.d/hqr"), encoding="utf-8") as f:
        text = f.read()
    assert re.search(r"systemctl kill --kill-whom=main --signal=SIGUSR1 hqr-fcgi\.service", text)
    master = dropped.master_pid()
    text = text.replace("/var/log/hqr/", dropped.logdir + "/")
    text = text.replace("create 0640 hqr hqr", f"create 0640 {USER} {USER}")
    text = re.sub(r"systemctl kill [^\n]*", f"kill -USR1 {master}", text)
    conf = tmp_path / "logrotate.conf"
    conf.write_text(text)
    log, old = os.path.join(dropped.logdir, "app.log"), os.path.join(dropped.logdir, "app.log.1")
    p = run(["logrotate", "-f", "-s", str(tmp_path / "state"), str(conf)])
    assert p.returncode == 0, p.stdout + p.stderr
    assert os.path.exists(old)
    workers = dropped.worker_pids()

    def new_lines():
        with open(log, encoding="utf-8") as f:
            return f.read()
    # The master and each worker say so in the new file: each reopened it in its own process.
    h.wait_until(lambda: all(f'"pid":{pid},' in new_lines() and "log file reopened" in new_lines()
                             for pid in [master] + workers), 10, "every process's reopening in the new log")
    st = os.stat(log)
    assert st.st_uid == dropped.user.pw_uid
    # Later lines (a reload here) go to the new file only.
    os.kill(master, signal.SIGHUP)
    h.wait_until(lambda: "reloaded" in new_lines(), 10, "the reload's line in the new log")
    with open(old, encoding="utf-8") as f:
        assert "reloaded" not in f.read()
    h.wait_until(lambda: len(children_of(master)) == dropped.configured_workers(), 10, "the workers after the reload")


def test_the_sample_nginx_site_serves_the_service(dropped, destdir, tmp_path):
    """The installed site, with its paths pointed at this stack and a self-signed certificate,
    in a real nginx over TLS."""
    share = os.path.join(destdir, PREFIX.lstrip("/"), "share/hqr")
    with open(os.path.join(share, "nginx/hqr-site.conf"), encoding="utf-8") as f:
        site = f.read()
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        port = so.getsockname()[1]
    crt, key = tmp_path / "site.pem", tmp_path / "site.key"
    p = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
             "/CN=hqr.example.org", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(crt)])
    assert p.returncode == 0, p.stderr
    # Only the TLS server is exercised: the redirecting one would need port 80.
    site = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", site, flags=re.S)
    assert "listen 80" not in site
    site = (site.replace(f"{PREFIX}/share/hqr", share)
            .replace("/run/hqr/hqr.sock", os.path.join(dropped.dir, "run", "hqr.sock"))
            .replace("/etc/ssl/certs/hqr.example.org.pem", str(crt))
            .replace("/etc/ssl/private/hqr.example.org.key", str(key))
            .replace("/var/log/nginx/", str(tmp_path) + "/")
            .replace("listen 443 ssl http2 backlog=4096;", f"listen 127.0.0.1:{port} ssl http2 backlog=4096;")
            .replace("listen [::]:443 ssl http2 backlog=4096;", ""))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "tmp").mkdir()
    main = f"""user root root;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}/tmp/body;
    fastcgi_temp_path {tmp_path}/tmp/fastcgi;
    proxy_temp_path {tmp_path}/tmp/proxy;
    uwsgi_temp_path {tmp_path}/tmp/uwsgi;
    scgi_temp_path {tmp_path}/tmp/scgi;
    include {tmp_path}/site.conf;
}}
"""
    (tmp_path / "nginx.conf").write_text(main)
    t = run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"])
    assert t.returncode == 0, t.stderr
    proc = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"https://127.0.0.1:{port}"
        h.wait_until(lambda: _get(base + "/healthz", crt) == 200, 10, "nginx's TLS /healthz")
        r = requests.get(base + "/readyz", verify=str(crt), timeout=10)
        assert r.status_code == 200 and r.headers.get("X-Request-Id")
        r = requests.get(base + "/index.html", verify=str(crt), timeout=10)
        assert r.status_code == 200 and "Content-Security-Policy" in r.headers
        r = requests.get(base + "/api/v1/nope", verify=str(crt), timeout=10)
        assert r.status_code == 404 and r.json()["error"]["code"]
        # The front door as in development: nginx's own errors are JSON, a scan takes 4 KB.
        r = requests.request("TRACE", base + "/api/v1/login", verify=str(crt), timeout=10)
        assert r.status_code == 405 and r.json()["error"]["code"] == "METHOD_NOT_ALLOWED", r.text
        assert r.json()["request_id"] == r.headers["X-Request-Id"]
        r = requests.post(base + "/api/v1/scans", data=b"x" * 4097, verify=str(crt), timeout=10,
                          headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "TOO_LARGE", r.text
        r = requests.get(base + "/api/v1/login?x=" + "a" * 9000, verify=str(crt), timeout=10)
        assert r.status_code == 414 and r.json()["error"]["code"] == "URI_TOO_LONG", r.text
        # The reference page, from the installed files, under its own policy; the contract the
        # service serves is the installed one.
        r = requests.get(base + "/docs", verify=str(crt), timeout=10, allow_redirects=False)
        assert r.status_code == 301 and r.headers["Location"].endswith("/docs/"), r.headers
        r = requests.get(base + "/docs/", verify=str(crt), timeout=10)
        assert r.status_code == 200 and "<title>Health QR code service" in r.text, r.text[:300]
        assert "worker-src 'self' blob:" in r.headers["Content-Security-Policy"], r.headers
        for name in re.findall(r'src="([^":/?#]+\.js)"', r.text):
            js = requests.get(base + "/docs/" + name, verify=str(crt), timeout=10)
            assert js.status_code == 200 and len(js.content) > 0, name
        r = requests.get(base + "/api/v1/openapi.json", verify=str(crt), timeout=10)
        with open(os.path.join(share, "openapi.json"), "rb") as f:
            assert r.status_code == 200 and r.content == f.read()
        # The URL a place code's poster holds opens the place page, and an unknown one the same
        # page with 404 (not nginx's own page).
        url = h.last_line(h.hqrctl(dropped, "place-code", "add", "--checkpoint", str(h.checkpoint(dropped))))
        token = url.rsplit("/", 1)[1]
        r = requests.get(base + "/p/" + token, verify=str(crt), timeout=10)
        assert r.status_code == 200 and "/place.js" in r.text, (r.status_code, r.text[:300])
        assert "Content-Security-Policy" in r.headers, r.headers
        r = requests.get(base + "/p/AAAAAAAAAAAAAAAAAAAAAA", verify=str(crt), timeout=10)
        assert r.status_code == 404 and "/place.js" in r.text, (r.status_code, r.text[:300])
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _get(url, crt):
    try:
        return requests.get(url, verify=str(crt), timeout=2).status_code
    except requests.RequestException:
        return None
