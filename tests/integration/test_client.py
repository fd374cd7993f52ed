"""The pages of nginx/html in real headless Chromium: tests/browser/client.mjs drives the resident's
page (log in through the simulator's consent page, apply for oneself and for a relative, see the
codes, file a daily report, log out), tests/browser/scanner.mjs the checkpoint's scanner page;
then what they did is checked in the database."""
import json
import os
import subprocess

import helpers as h

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_a_resident_uses_the_thin_client_from_login_to_daily_report(stack, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(h.jpeg_photo())
    out = run_node("client.mjs", BASE=stack.base, PHOTO=str(photo))
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
    # Another account asked to hold the resident's own code and the resident approved it in the
    # page: the delegate holds it now as a child, with its own verified person recorded.
    rows = stack.sql("SELECT h.role, h.relationship, h.delegate_person_id IS NOT NULL FROM holders h "
                     "JOIN persons p ON p.id = h.person_id JOIN accounts a ON a.id = h.account_id "
                     f"WHERE p.public_id = '{out['self']}' AND a.openid = '{out['delegate']}'")
    assert rows == [["2", "3", "1"]], rows
    assert stack.sql("SELECT d.status FROM delegations d JOIN persons p ON p.id = d.person_id "
                     f"WHERE p.public_id = '{out['self']}'") == [["1"]]
    assert stack.sql(f"SELECT COUNT(*) FROM audit_log WHERE action = 'delegation_approve' "
                     f"AND target = '{out['self']}'") == [["1"]]
    # Logging out deleted the session from the store.
    live = stack.sql("SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id "
                     f"WHERE a.openid = '{out['openid']}'")
    assert live == [["0"]], live


def run_node(script, **env):
    p = subprocess.run(["node", os.path.join(ROOT, "tests", "browser", script)], env=dict(os.environ, **env),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180)
    lines = p.stdout.strip().splitlines()
    assert p.returncode == 0 and lines, (p.returncode, p.stdout[-3000:], p.stderr[-3000:])
    out = json.loads(lines[-1])
    assert out["ok"] is True, out
    return out


def test_checkpoint_staff_scan_codes_with_the_scanner_page(stack):
    mall = h.checkpoint(stack, kind="public_place", type_="mall")
    community = h.checkpoint(stack, kind="community", type_="community")
    green_s, green = h.new_person(stack)
    red_s, red = h.new_person(stack, symptoms="cough")
    paper_s, paper = h.new_person(stack)
    out = run_node("scanner.mjs", BASE=stack.base, MALL_TOKEN=h.device_token(stack, mall),
                   COMMUNITY_TOKEN=h.device_token(stack, community),
                   GREEN_QR=h.qr_text(green_s, stack, green), RED_QR=h.qr_text(red_s, stack, red),
                   PAPER_QR=h.qr_text(paper_s, stack, paper, paper=True))
    # Every verdict the page showed is a recorded scan at the device's checkpoint.
    want = {**{i: mall for i in out["mall"]}, **{i: community for i in out["community"]}}
    rows = stack.sql("SELECT id, checkpoint_id, verdict, IF(visitor_enc IS NULL, 0, 1) FROM scans WHERE id IN (%s)"
                     % ",".join(str(int(i)) for i in want))
    assert {int(r[0]): int(r[1]) for r in rows} == {int(k): v for k, v in want.items()}, rows
    # The registered visit is stored sealed with its scan; the first attempt carried none.
    sealed = {r[0]: r[3] for r in rows}
    assert (sealed[out["community"][0]], sealed[out["community"][1]]) == ("0", "1"), rows
