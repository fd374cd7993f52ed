"""The pages of nginx/html in real headless Chromium on a phone viewport, in Chinese (the default)
and in English: tests/browser/client.mjs drives the resident's page (log in through the
simulator's consent page, apply for oneself and for a relative, the code page, the daily report,
the relative's card to print, log out), scanner.mjs the checkpoint's scanner page with a
keyboard-style scanner, camera.mjs the same page reading codes with a fake camera; then what they
did is checked in the database, and the printed card is read back from its PDF. words.mjs checks
that every code word of the service has Chinese and English words. Screenshots of every page go to
$HQR_BUILD/screenshots/."""
import datetime
import random
import subprocess

import pytest
from PIL import Image

import helpers as h
from helpers import run_node
from hqr1 import B45

LANGS = ["zh-CN", "en"]


def test_every_code_word_of_the_service_has_chinese_and_english_words():
    out = run_node("words.mjs")
    # The error table alone has over thirty words; the field codes and reasons as many again.
    assert out["words"] > 80 and out["missing"] == [], out


@pytest.mark.parametrize("lang", LANGS)
def test_a_resident_uses_the_pages_from_login_to_the_printed_card(stack, tmp_path, lang):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(h.jpeg_photo())
    out = run_node("client.mjs", BASE=stack.base, PHOTO=str(photo), LANG_UNDER_TEST=lang)
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
    # The printed card: one A6 page (105 x 148 mm) holding the card alone, whose QR, read back from
    # the printed page, is the relative's paper code: a checkpoint knows the person by it (and, the
    # relative being red, turns it away).
    info = subprocess.run(["pdfinfo", out["pdf"]], stdout=subprocess.PIPE, text=True, check=True).stdout
    assert "Pages:           1" in info, info
    w, hgt = [float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x ")]
    assert abs(w - 297.6) < 2 and abs(hgt - 419.5) < 2, info
    text = subprocess.run(["pdftotext", out["pdf"], "-"], stdout=subprocess.PIPE, text=True, check=True).stdout
    assert "须同时出示有效身份证件" in text and "Valid only with an ID card" in text, text
    # The printed date is today's in the city's zone (the service's [app] timezone), labelled in
    # the page's language.
    from zoneinfo import ZoneInfo
    zone = ZoneInfo(stack.conf()["app"]["timezone"])
    today = {datetime.datetime.now(zone).date().isoformat(),
             (datetime.datetime.now(zone) - datetime.timedelta(minutes=5)).date().isoformat()}
    assert out["cardDate"] in today, (out["cardDate"], today)
    assert out["cardDate"] in text and ("打印日期" if lang == "zh-CN" else "Printed") in text, text
    # Nothing but the card is printed: not the page's hint, its buttons or the language switch.
    for shown_on_screen_only in ("交给持码人", "give it to the holder", "English", "中文", "返回", "Back"):
        assert shown_on_screen_only not in text, text
    png = tmp_path / "card"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", out["pdf"], str(png)], check=True)
    read = subprocess.run(["zbarimg", "--raw", "-q", str(png) + ".png"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    assert read.returncode == 0, read.stderr
    qr = read.stdout.strip()
    assert qr.startswith("HQR1:"), qr
    mall = h.checkpoint(stack, kind="public_place", type_="mall")
    r = h.scan(stack, h.device_token(stack, mall), qr)
    assert r.status_code == 200, r.text
    a = r.json()
    assert (a["verdict"], a["reasons"], a["person"]["name_masked"][0]) == ("deny", ["RED_CODE"], "张"), a
    pid = stack.sql(f"SELECT id FROM persons WHERE public_id = '{out['relative']}'")[0][0]
    assert stack.sql(f"SELECT person_id FROM scans WHERE id = {int(a['scan_id'])}") == [[pid]]
    # Each page's first view stays within 60 KB.
    assert all(0 < n <= 60 * 1024 for n in out["sizes"].values()), out["sizes"]


@pytest.mark.parametrize("lang", LANGS)
def test_checkpoint_staff_scan_codes_with_the_scanner_page(stack, lang):
    mall = h.checkpoint(stack, kind="public_place", type_="mall")
    community = h.checkpoint(stack, kind="community", type_="community")
    green_s, green = h.new_person(stack)
    red_s, red = h.new_person(stack, symptoms="cough")
    paper_s, paper = h.new_person(stack)
    out = run_node("scanner.mjs", BASE=stack.base, MALL_TOKEN=h.device_token(stack, mall),
                   COMMUNITY_TOKEN=h.device_token(stack, community), LANG_UNDER_TEST=lang,
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


def y4m_of(png_path, out_path, frames=6):
    """A short y4m clip (640x480, 4:2:0) showing the image on white, for Chromium's fake camera."""
    qr = Image.open(png_path).convert("RGBA")
    side = 420
    qr = qr.resize((side, side), Image.NEAREST)
    canvas = Image.new("RGB", (640, 480), (255, 255, 255))
    canvas.paste(qr, ((640 - side) // 2, (480 - side) // 2), qr)
    y, cb, cr = canvas.convert("YCbCr").split()
    cb = cb.resize((320, 240), Image.BILINEAR)
    cr = cr.resize((320, 240), Image.BILINEAR)
    frame = b"FRAME\n" + y.tobytes() + cb.tobytes() + cr.tobytes()
    with open(out_path, "wb") as f:
        f.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n" + frame * frames)


def test_the_scanner_page_reads_codes_with_the_camera(stack, tmp_path):
    mall = h.checkpoint(stack, kind="public_place", type_="mall")
    token = h.device_token(stack, mall)
    # A real phone code, as its holder's page shows it, in front of the camera.
    s, pid = h.new_person(stack)
    r = s.get(stack.url(f"/api/v1/persons/{pid}/code.png"), timeout=10)
    assert r.status_code == 200
    (tmp_path / "code.png").write_bytes(r.content)
    y4m_of(tmp_path / "code.png", tmp_path / "code.y4m")
    out = run_node("camera.mjs", BASE=stack.base, TOKEN=token, VIDEO=str(tmp_path / "code.y4m"),
                   EXPECT="allow", REASON="", SHOT="camera-allow-zh")
    # The browser's own detector where it has one, else the vendored decoder (Debian's Chromium
    # on Linux has none: this reads the code with jsQR).
    assert out["decoder"] == ("BarcodeDetector" if out["detector"] else "jsQR"), out
    row = stack.sql(f"SELECT checkpoint_id, verdict, person_id FROM scans WHERE id = {int(out['scan_id'])}")
    person = stack.sql(f"SELECT id FROM persons WHERE public_id = '{pid}'")[0][0]
    assert row == [[str(mall), "0", person]], row
    # A forged code (the right prefix, no valid seal) in front of the camera: denied, and recorded.
    rnd = random.Random(7)
    forged = "HQR1:" + "".join(rnd.choice(B45) for _ in range(146))
    subprocess.run(["qrencode", "-s", "8", "-o", str(tmp_path / "forged.png"), forged], check=True)
    y4m_of(tmp_path / "forged.png", tmp_path / "forged.y4m")
    out = run_node("camera.mjs", BASE=stack.base, TOKEN=token, VIDEO=str(tmp_path / "forged.y4m"),
                   EXPECT="deny", REASON="无有效健康码：不得进入。", SHOT="camera-deny-zh")
    row = stack.sql(f"SELECT checkpoint_id, person_id FROM scans WHERE id = {int(out['scan_id'])}")
    assert row == [[str(mall), "NULL"]], row
