"""Back up and restore: `hqrctl backup DIR` copies a running stack (the database with
mariadb-backup, the keys, the encrypted photos, a manifest of sizes and SHA-256); `hqrctl restore
DIR` puts it into a stopped, empty instance made with `stack.sh init`, which then starts on it: the
person, the code, the scans, the audit log and the citizen's session are there, and the paper code
printed before the backup scans `allow`. A damaged backup and a non-empty or running instance are
refused with a clear message. Against the cluster (make test-cluster) the instances are clusters
(`cluster.sh init`): host 1 backs up node 1, and a restore goes into node 1, from which the
cluster starts again (the other nodes take its state by SST)."""
import hashlib
import json
import os
import tempfile

import pytest
import requests

import helpers as h
from private_stack import private_stack


def bearer(token):
    return {"Authorization": "Bearer " + token}


def ctl(s, *args):
    return s.run_bin("hqrctl", "-c", s.conf_path, *args, timeout=300)


def datadir(s):
    """The database's datadir of an instance (a cluster's: node 1's, which its host 1 backs up
    and restores into), from the server's configuration file."""
    with open(s.db_cnf, encoding="utf-8") as f:
        for line in f:
            if line.startswith("datadir="):
                return line.split("=", 1)[1].strip()
    raise AssertionError(f"no datadir in {s.db_cnf}")


@pytest.fixture(scope="module")
def world():
    """An instance with a person, a printed paper code, scans and audited staff calls, and a
    backup of it taken while it runs; a scan made after the backup too."""
    with private_stack() as a, tempfile.TemporaryDirectory(prefix="hqr-bk-") as tmp:
        photo = h.jpeg_photo(seed=7)
        session, pid = h.new_person(a, photo=photo)
        paper = h.qr_text(session, a, pid, paper=True)
        cp = h.checkpoint(a)
        device = h.device_token(a, cp)
        r = h.scan(a, device, paper)
        assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
        r = h.scan(a, device, h.qr_text(session, a, pid), direction="out", temperature=None)
        assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
        investigator = h.admin_token(a, "investigator")
        operator = h.admin_token(a, "operator")
        r = requests.get(a.url(f"/api/v1/admin/persons/{pid}/history"), headers=bearer(investigator), timeout=10)
        assert r.status_code == 200, r.text
        history = r.json()
        assert len(history["scans"]) == 2, history
        audited_rid = r.headers["X-Request-Id"]

        backup = os.path.join(tmp, "backup")
        p = ctl(a, "backup", backup)
        assert p.returncode == 0, p.stdout + p.stderr
        # After the backup: not in the restored copy.
        r = h.scan(a, device, paper)
        assert r.status_code == 200, r.text
        after_scan = r.json()["scan_id"]
        yield {
            "a": a, "tmp": tmp, "backup": backup, "session": session, "pid": pid, "paper": paper,
            "photo": photo, "device": device, "investigator": investigator, "operator": operator,
            "history": history, "audited_rid": audited_rid, "after_scan": after_scan,
            "backup_out": p.stdout,
        }


def manifest(backup):
    with open(os.path.join(backup, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def test_the_backup_holds_database_keys_photos_and_a_true_manifest(world):
    m = manifest(world["backup"])
    assert m["format"] == 1
    assert m["versions"]["schema"].endswith(".sql") and "MariaDB" in m["versions"]["server"]
    assert m["versions"]["mariadb_backup"]
    paths = {f["path"] for f in m["files"]}
    assert "db/xtrabackup_info" in paths and any(p.startswith("db/hqr/") for p in paths)
    assert any(p.startswith("keys/") for p in paths)
    assert any(p.startswith("data/photos/") for p in paths)
    assert "secrets/db_password" in paths
    on_disk = set()
    for base, _, files in os.walk(world["backup"]):
        for n in files:
            on_disk.add(os.path.relpath(os.path.join(base, n), world["backup"]))
    assert on_disk - {"manifest.json"} == paths
    for f in m["files"]:
        with open(os.path.join(world["backup"], f["path"]), "rb") as fh:
            data = fh.read()
        assert len(data) == f["size"] and hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
    # The photo is stored encrypted: its bytes are nowhere in the backup's photo store.
    for p in paths:
        if p.startswith("data/"):
            with open(os.path.join(world["backup"], p), "rb") as fh:
                assert world["photo"][100:164] not in fh.read()
    assert os.stat(world["backup"]).st_mode & 0o077 == 0
    assert os.stat(os.path.join(world["backup"], "manifest.json")).st_mode & 0o077 == 0


def test_restore_refuses_a_running_instance(world):
    p = ctl(world["a"], "restore", world["backup"], "--force")
    assert p.returncode == 1
    assert "is running" in p.stderr and "stop" in p.stderr, p.stderr


@pytest.fixture(scope="module")
def empty_target(world):
    """An instance made with `stack.sh init`: its configuration, no data."""
    target = os.path.join(world["tmp"], "empty")
    with private_stack(target, start=False) as b:
        b.sh("init")
        b.load_env()
        yield b


@pytest.mark.parametrize("damage", ["flip a photo byte", "truncate a table", "drop a key", "add a file"])
def test_restore_refuses_a_damaged_backup_before_touching_anything(world, empty_target, damage):
    """The backup itself is damaged for the time of one restore, then put back as it was."""
    bk = world["backup"]
    files = manifest(bk)["files"]
    if damage == "flip a photo byte":
        path = next(f["path"] for f in files if f["path"].startswith("data/photos/"))
        want = f"{path} does not match its SHA-256 in the manifest"
    elif damage == "truncate a table":
        path = next(f["path"] for f in files if f["path"].startswith("db/hqr/") and f["size"] > 0)
        want = f"{path} has 0 bytes"
    elif damage == "drop a key":
        path = next(f["path"] for f in files if f["path"].startswith("keys/"))
        want = f"{path} is missing"
    else:
        path = "data/extra"
        want = "the manifest lists"
    full = os.path.join(bk, path)
    saved = None
    if os.path.exists(full):
        with open(full, "rb") as f:
            saved = f.read()
    try:
        if damage == "flip a photo byte":
            with open(full, "r+b") as f:
                f.seek(40)
                f.write(bytes([saved[40] ^ 1]))
        elif damage == "truncate a table":
            os.truncate(full, 0)
        elif damage == "drop a key":
            os.unlink(full)
        else:
            with open(full, "wb") as f:
                f.write(b"x")
        p = ctl(empty_target, "restore", bk)
    finally:
        if saved is None:
            os.unlink(full)
        else:
            with open(full, "wb") as f:
                f.write(saved)
            os.chmod(full, 0o600)
    assert p.returncode == 1
    assert want in p.stderr and "refusing to restore" in p.stderr, p.stderr
    # Nothing was written: the instance is still empty.
    assert not os.path.exists(datadir(empty_target))
    assert os.listdir(os.path.join(empty_target.dir, "keys")) == []


@pytest.fixture(scope="module")
def restored(world):
    """A fresh instance (`stack.sh init`), the backup restored into it, then started; the
    original is stopped first, as after the loss of its machine."""
    world["a"].sh("stop")
    target = os.path.join(world["tmp"], "restored")
    with private_stack(target, start=False) as b:
        b.sh("init")
        b.load_env()
        p = ctl(b, "restore", world["backup"])
        assert p.returncode == 0, p.stdout + p.stderr
        assert "restored" in p.stdout
        b.restore_out = p.stdout
        b.sh("start", timeout=180)
        b.load_env()
        yield b


def test_the_restored_instance_has_the_person_code_and_photo(world, restored):
    s = requests.Session()
    s.headers.update(world["session"].headers)  # the citizen's session was in the database
    r = s.get(restored.url(f"/api/v1/persons/{world['pid']}"), timeout=10)
    assert r.status_code == 200, r.text
    r = s.get(restored.url(f"/api/v1/persons/{world['pid']}/code"), timeout=10)
    assert r.status_code == 200 and r.json()["color"] == "green", r.text
    r = s.get(restored.url(f"/api/v1/persons/{world['pid']}/photo"), timeout=10)
    assert r.status_code == 200 and r.content == world["photo"]


def test_the_restored_instance_has_the_scan_history_and_audit_log(world, restored):
    r = requests.get(restored.url(f"/api/v1/admin/persons/{world['pid']}/history"),
                     headers=bearer(world["investigator"]), timeout=10)
    assert r.status_code == 200, r.text
    # The scans up to the backup, and not the one made after it.
    assert r.json()["scans"] == world["history"]["scans"] and len(r.json()["scans"]) == 2
    r = requests.get(restored.url("/api/v1/admin/audit"), params={"limit": "200"},
                     headers=bearer(world["operator"]), timeout=10)
    assert r.status_code == 200, r.text
    assert world["audited_rid"] in {e["request_id"] for e in r.json()["entries"]}


def test_the_paper_code_printed_before_the_backup_scans_allow(world, restored):
    r = h.scan(restored, world["device"], world["paper"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "allow" and body["checks"] == ["ID_DOCUMENT"], body


def test_restore_refuses_a_non_empty_instance_unless_forced(world, restored):
    restored.sh("stop")
    p = ctl(restored, "restore", world["backup"])
    assert p.returncode == 1
    assert "is not empty" in p.stderr and "--force" in p.stderr, p.stderr
    p = ctl(restored, "restore", world["backup"], "--force")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "moved" in p.stdout and "aside" in p.stdout
    db = os.path.dirname(datadir(restored))
    aside = [n for n in os.listdir(db) if ".before-restore-" in n]
    assert aside, os.listdir(db)
    restored.sh("start", timeout=180)
    r = h.scan(restored, world["device"], world["paper"])
    assert r.status_code == 200 and r.json()["verdict"] == "allow", r.text
