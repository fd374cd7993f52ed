"""The thin client in real headless Chromium (tests/browser/client.mjs drives it like a resident:
log in through the simulator's consent page, apply for oneself and for a relative, see the codes,
file a daily report, log out), then what it did is checked in the database."""
import json
import os
import subprocess

import helpers as h

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_a_resident_uses_the_thin_client_from_login_to_daily_report(stack, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(h.jpeg_photo())
    p = subprocess.run(["node", os.path.join(ROOT, "tests", "browser", "client.mjs")],
                       env=dict(os.environ, BASE=stack.base, PHOTO=str(photo)),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180)
    lines = p.stdout.strip().splitlines()
    assert p.returncode == 0 and lines, (p.returncode, p.stdout[-3000:], p.stderr[-3000:])
    out = json.loads(lines[-1])
    assert out["ok"] is True, out
    # The account the browser logged in with holds both persons: itself and a parent.
    rows = stack.sql("SELECT p.public_id, h.role FROM holders h JOIN persons p ON p.id = h.person_id "
                     f"JOIN accounts a ON a.id = h.account_id WHERE a.openid = '{out['openid']}' ORDER BY h.role")
    assert sorted(r[0] for r in rows) == sorted([out["self"], out["relative"]]), rows
    # The relative's report of today is stored; its code is red, the resident's green.
    colors = dict(stack.sql("SELECT p.public_id, c.color FROM persons p JOIN codes c ON c.person_id = p.id "
                            f"WHERE p.public_id IN ('{out['self']}', '{out['relative']}')"))
    assert colors == {out["self"]: "1", out["relative"]: "2"}, colors
    reports = stack.sql("SELECT COUNT(*) FROM health_reports r JOIN persons p ON p.id = r.person_id "
                        f"WHERE p.public_id = '{out['relative']}'")
    assert reports == [["1"]], reports
    # Logging out deleted the session from the store.
    live = stack.sql("SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id "
                     f"WHERE a.openid = '{out['openid']}'")
    assert live == [["0"]], live
