"""openapi.json, the integrators' contract, held to the service: every route of the route table and
nothing else, who may call each as the table says, the error words of the error table exactly, a
clean lint, the document the service serves, the reference page in Chromium under its policy, and
a request signed with `hqrctl sign-request` sent with curl as README shows. (conftest.py also
validates every JSON answer of the whole suite against the document.)"""
import hashlib
import hmac
import json
import os
import re
import subprocess
import time

import contract
import helpers as h

ROOT = contract.ROOT
CITIZEN = [{"sessionCookie": []}, {"miniProgramBearer": []}]
CONTRACT = contract.Contract()
INTEGRATOR = {"integratorKey": [], "integratorTimestamp": [], "integratorNonce": [], "integratorSignature": []}


def ops():
    return {(m, t): op for m, t, op in CONTRACT.operations()}


def test_every_route_of_the_table_is_in_the_document_and_nothing_else():
    table = {(r["method"], r["pattern"]): r for r in contract.routes()}
    doc = ops()
    missing = sorted(f"{m} {p} ({table[(m, p)]['name']})" for m, p in set(table) - set(doc))
    extra = sorted(f"{m} {p}" for m, p in set(doc) - set(table))
    assert not missing, ("routes of fcgi/api/routes.c missing from openapi.json (add each under paths, "
                         f"operationId = the route's name): {missing}")
    assert not extra, f"operations of openapi.json that fcgi/api/routes.c does not have: {extra}"
    wrong = sorted(f"{m} {p}: operationId {doc[(m, p)].get('operationId')!r}, route name {r['name']!r}"
                   for (m, p), r in table.items() if doc[(m, p)].get("operationId") != r["name"])
    assert not wrong, f"each operationId is its route's name in routes.c: {wrong}"


def expected_security(r):
    auth = r["auth"]
    if auth in ("AUTH_ANY", "AUTH_LOOPBACK"):
        return []
    if auth in ("AUTH_CITIZEN", "AUTH_HOLDER"):
        return CITIZEN
    if auth == "AUTH_SCANNER":
        return [{"deviceBearer": []}, INTEGRATOR]
    if auth == "AUTH_INTEGRATOR":
        return [INTEGRATOR]
    if auth == "AUTH_ADMIN":
        return [{"staffBearer": r["roles"]}]
    raise AssertionError(f"{r['name']}: an auth kind the test does not know: {auth}")


def test_who_may_call_each_operation_is_as_the_route_table_says():
    doc = ops()
    wrong = []
    for r in contract.routes():
        op = doc[(r["method"], r["pattern"])]
        got = [{k: sorted(v) for k, v in req.items()} for req in op.get("security", [None])]
        if got != expected_security(r):
            wrong.append(f"{r['method']} {r['pattern']} ({r['auth']} {r['roles']}): security {got}, "
                         f"expected {expected_security(r)}")
    assert not wrong, "\n".join(wrong)
    schemes = CONTRACT.doc["components"]["securitySchemes"]
    assert schemes["sessionCookie"] == {**schemes["sessionCookie"], "type": "apiKey", "in": "cookie",
                                        "name": "hqr_session"}
    for name, header in (("integratorKey", "X-HQR-Key"), ("integratorTimestamp", "X-HQR-Timestamp"),
                         ("integratorNonce", "X-HQR-Nonce"), ("integratorSignature", "X-HQR-Signature")):
        assert (schemes[name]["in"], schemes[name]["name"]) == ("header", header)
    for role in ("officer", "investigator", "operator"):
        assert f"`{role}`" in schemes["staffBearer"]["description"], role


def test_request_bodies_are_the_route_tables_kinds_and_limits():
    doc = ops()
    wrong = []
    kinds = {"BODY_JSON": ["application/json"], "BODY_OPTIONAL_JSON": ["application/json"],
             "BODY_MULTIPART": ["multipart/form-data"], "BODY_RAW": None, "BODY_XML": None}
    for r in contract.routes():
        op = doc[(r["method"], r["pattern"])]
        body = CONTRACT.deref(op.get("requestBody"))
        where = f"{r['method']} {r['pattern']} ({r['body']}, {r['limit']} bytes)"
        if r["body"] == "BODY_NONE":
            if body is not None:
                wrong.append(f"{where}: takes no body, the document has one")
            continue
        if body is None:
            wrong.append(f"{where}: the document has no requestBody")
            continue
        want = kinds[r["body"]]
        if want is not None and sorted(body["content"]) != want:
            wrong.append(f"{where}: content {sorted(body['content'])}, expected {want}")
        if body.get("required", False) != (r["body"] != "BODY_OPTIONAL_JSON"):
            wrong.append(f"{where}: required is {body.get('required', False)}")
        if r["members_ignored"] != ("its members are ignored" in body.get("description", "")):
            wrong.append(f"{where}: the description must say 'its members are ignored' exactly when the row "
                         "says NOMEMBERS")
        if f"At most {r['limit']} bytes" not in body.get("description", ""):
            wrong.append(f"{where}: its description must say 'At most {r['limit']} bytes'")
        # Every status a body route can answer before its handler runs (a raw body takes any type).
        for st in ("411", "413") + (("415",) if r["body"] != "BODY_RAW" else ()):
            if st not in op["responses"]:
                wrong.append(f"{where}: no {st} answer")
    assert not wrong, "\n".join(wrong)


# What each validator of fcgi/http/valid.c and the routes' own accepts (a value of n bytes) and
# refuses whatever its length, as the C code reads: the document's schema must agree.
FIELD_SAMPLES = {
    "valid_next": (lambda n: "/" + "a" * (n - 1), ["", "a/b", "//host", "/\\host", "/a b", "/a\u00e9", "/a\x7f"]),
    "valid_login_code": (lambda n: "aZ09-_"[:n] + "a" * max(0, n - 6), ["", "a b", "a+b", "a.b", "a=b"]),
    "valid_time": (lambda n: "1" * n, []),
    "valid_text": (lambda n: "a" * n, [""]),
}
# Validators that bound the value themselves (a name in characters, a word of a list, a JSON
# list): the table's byte bound only caps the raw value at its body's bound, so it must hold
# every documented value (a character is up to 4 bytes) and every documented word.
OWN_BOUND = {"valid_raw", "valid_public_id", "valid_person_name", "valid_phone", "valid_address", "valid_verification_id",
             "valid_doc_type", "valid_verify_type", "decl_valid_symptoms", "decl_valid_temperature", "decl_valid_yes_no",
             "decl_valid_truthful", "valid_cp_kind", "valid_cp_type", "valid_label", "valid_reason",
             "valid_scan_qr", "valid_scan_direction", "valid_scan_temperature", "valid_scan_visitor",
             "valid_checkpoint_ref", "valid_item_list",
             "valid_direction", "valid_place_label", "valid_row_id", "valid_page_size"}


def body_properties(op):
    """{name: (schema, required)} of an operation's request body: its properties, and those of
    each branch of a oneOf (required there only in that branch: not required)."""
    content = CONTRACT.deref(op["requestBody"])["content"]
    body = CONTRACT.deref(next(iter(content.values()))["schema"])
    found = {}
    for branch in [body] + [CONTRACT.deref(b) for b in body.get("oneOf", [])]:
        for n, sch in branch.get("properties", {}).items():
            found.setdefault(n, (CONTRACT.deref(sch), n in body.get("required", [])))
    return found


def test_the_documents_field_bounds_are_the_route_field_tables():
    """For every route with a field table (fcgi/http/fields.c, fields_admin.c, decl.c, scanin.c): each field
    is in the document (a query parameter for a route without a body, a property of its body
    otherwise), required
    as the table says, and its schema takes a value at the table's byte bound and refuses one
    byte more; an integer's range is the table's (and fits the bound in digits); the values the
    validator refuses are refused by the schema too."""
    from jsonschema import Draft202012Validator
    tables = contract.field_tables()
    doc = ops()
    wrong, checked = [], 0
    for r in contract.routes():
        if r["fields"] is None:
            continue
        op = doc[(r["method"], r["pattern"])]
        if r["body"] == "BODY_NONE":
            params = {p["name"]: p for p in map(CONTRACT.deref, op.get("parameters", [])) if p["in"] == "query"}
            found = {n: (p["schema"], p.get("required", False)) for n, p in params.items()}
        else:
            found = body_properties(op)
        for f in tables[r["fields"]]:
            where = f"{r['method']} {r['pattern']} field {f['name']} ({r['fields']}: {f['valid']}, {f['maxlen']} bytes)"
            if f["name"] not in found:
                wrong.append(f"{where}: not in the document")
                continue
            schema, required = found[f["name"]]
            v = Draft202012Validator(schema, resolver=CONTRACT.resolver)
            checked += 1
            if required != f["required"]:
                wrong.append(f"{where}: required {required} in the document, {f['required']} in the table")
            if f["valid"] == "valid_int":
                lo, hi = f["range"]
                top = schema.get("maximum", hi if hi == 2 ** 63 - 1 else None)  # no bound but the type's
                if (schema.get("type"), schema.get("minimum"), top) != ("integer", lo, hi):
                    wrong.append(f"{where}: schema {schema}, the table's range is {lo}..{hi}")
                if max(len(str(lo)), len(str(hi))) > f["maxlen"]:
                    wrong.append(f"{where}: the range {lo}..{hi} does not fit {f['maxlen']} bytes")
            elif f["valid"] == "valid_enum":
                if sorted(schema.get("enum", [])) != sorted(f["words"]):
                    wrong.append(f"{where}: enum {schema.get('enum')}, the table's words are {f['words']}")
            elif f["valid"] in FIELD_SAMPLES:
                sample, refused = FIELD_SAMPLES[f["valid"]]
                if not v.is_valid(sample(f["maxlen"])):
                    wrong.append(f"{where}: the schema refuses a valid value of {f['maxlen']} bytes")
                if v.is_valid(sample(f["maxlen"] + 1)):
                    wrong.append(f"{where}: the schema takes {f['maxlen'] + 1} bytes")
                for bad in refused:
                    if v.is_valid(bad):
                        wrong.append(f"{where}: the schema takes {bad!r}, which the validator refuses")
            elif f["valid"] in OWN_BOUND:
                if "maxLength" in schema and schema["maxLength"] * 4 > f["maxlen"]:
                    wrong.append(f"{where}: refuses some of the documented {schema['maxLength']} characters")
                for word in schema.get("enum", []):
                    if len(word.encode()) > f["maxlen"]:
                        wrong.append(f"{where}: refuses the documented word {word!r}")
            else:
                wrong.append(f"{where}: a validator this test does not know: add it to FIELD_SAMPLES or OWN_BOUND")
    assert checked >= 3, checked
    assert not wrong, "\n".join(wrong)


def test_the_error_enum_is_the_error_tables_words_exactly():
    words = contract.error_words()
    schemas = CONTRACT.doc["components"]["schemas"]
    enum = schemas["ErrorCode"]["enum"]
    assert len(enum) == len(set(enum)), "ErrorCode has a word twice"
    assert sorted(set(words) - set(enum)) == [], "words of fcgi/http/err.c missing from ErrorCode"
    assert sorted(set(enum) - set(words)) == [], "words in ErrorCode that fcgi/http/err.c does not produce"
    # Each status's answer names exactly the words of that status (405 only in ErrorCode: it is the
    # answer of a method a path does not take, no operation's).
    by_status = {}
    for w, st in words.items():
        by_status.setdefault(st, set()).add(w)
    for st, ws in sorted(by_status.items()):
        name = f"Error{st}"
        if st == 405:
            assert name not in schemas
            continue
        assert name in schemas, f"no schema {name} for the words {sorted(ws)}"
        got = set(schemas[name]["properties"]["error"]["properties"]["code"]["enum"])
        assert got == ws, f"{name}: {sorted(got)}, err.c has {sorted(ws)}"
    extra = sorted(k for k in schemas if re.fullmatch(r"Error\d{3}", k) and int(k[5:]) not in by_status)
    assert extra == [], f"error schemas of statuses err.c does not answer: {extra}"
    # nginx answers some errors itself, in the same shape and with words of the same table.
    with open(os.path.join(ROOT, "nginx", "nginx.conf.in"), encoding="utf-8") as f:
        nginx_words = set(re.findall(r'\{"error":\{"code":"([A-Z_]+)"', f.read()))
    assert nginx_words and nginx_words <= set(words), sorted(nginx_words - set(words))


def test_every_operation_answers_with_documented_responses():
    wrong = []
    for m, t, op in CONTRACT.operations():
        codes = sorted(op["responses"])
        if not any(c[0] in "23" for c in codes):
            wrong.append(f"{m} {t}: no 2XX or 3XX answer")
        for c, resp in op["responses"].items():
            resp = CONTRACT.deref(resp)
            if c[0] in "45" and "application/json" not in resp.get("content", {}):
                wrong.append(f"{m} {t} {c}: an error answer without the JSON error shape")
            if "X-Request-Id" not in resp.get("headers", {}):
                wrong.append(f"{m} {t} {c}: X-Request-Id not documented")
    assert not wrong, "\n".join(wrong)


def test_the_checker_names_the_route_status_and_field_that_broke():
    """What conftest.py's hook reports when an answer and the document disagree."""
    bad = CONTRACT.check("POST", "/api/v1/scans", 200, "application/json; charset=utf-8",
                         json.dumps({"scan_id": 7, "verdict": "allow", "reasons": [], "color": "green",
                                     "person": None, "checks": [], "server_time": "2026-12-07T03:04:05Z"}).encode())
    assert len(bad) == 1, bad
    assert "POST /api/v1/scans (operationId scans) answered 200" in bad[0], bad
    assert "at $.scan_id: 7 is not of type 'string'" in bad[0], bad
    bad = CONTRACT.check("GET", "/api/v1/persons/q1w2e3r4t5y6u7i8o9p0aA/code", 409, "application/json", b"{}")
    assert "answered 409, a status the document does not list" in bad[0], bad
    assert "#/paths/~1api~1v1~1persons~1{id}~1code/get/responses" in bad[0], bad
    bad = CONTRACT.check("GET", "/api/v1/keys", 401, "application/json",
                         b'{"error":{"code":"NOT_FOUND","message":"x"},"request_id":"r"}')
    assert "answered 401, a status the document does not list" in bad[0], bad
    bad = CONTRACT.check("POST", "/api/v1/scans", 401, "application/json",
                         b'{"error":{"code":"NOT_FOUND","message":"x"},"request_id":"r"}')
    assert "at $.error.code: 'NOT_FOUND' is not one of" in bad[0], bad
    bad = CONTRACT.check("GET", "/api/v1/nowhere/x", 200, "application/json", b'{"place":{}}')
    assert "the document has no GET /api/v1/nowhere/x" in bad[0], bad
    bad = CONTRACT.check("GET", "/api/v1/persons/q1w2e3r4t5y6u7i8o9p0aA/code.png", 200, "text/html", b"<p>")
    assert "Content-Type text/html, which the document does not give" in bad[0], bad
    assert CONTRACT.check("GET", "/api/v1/no-such-route", 404, "application/json",
                          b'{"error":{"code":"NOT_FOUND","message":"no such resource"},"request_id":"r"}') == []
    assert CONTRACT.check("GET", "/index.html", 200, "text/html", b"<html>") == []


def test_the_request_checker_names_the_operation_and_field_a_body_breaks():
    """What conftest.py's hook judges of each JSON request body (a body the document refuses must
    have been refused with a 4xx)."""
    bad = CONTRACT.check_request("POST", "/api/v1/scans", "application/json; charset=utf-8",
                                 b'{"qr": "HQR1:X", "direction": "sideways"}')
    assert len(bad) == 1, bad
    assert "POST /api/v1/scans (operationId scans) request body" in bad[0], bad
    assert "at $.direction: 'sideways' is not one of ['in', 'out']" in bad[0], bad
    bad = CONTRACT.check_request("POST", "/api/v1/scans", "application/json", b'{"qr": "HQR1:X"')
    assert "the body is not JSON" in bad[0], bad
    bad = CONTRACT.check_request("POST", "/api/v1/scans", "application/json", "[]")
    assert "is not of type 'object'" in bad[0], bad
    assert CONTRACT.check_request("POST", "/api/v1/scans", "application/json",
                                  b'{"qr": "HQR1:X", "direction": "in", "temperature": 36.5}') == []
    # Nothing to judge: no body, another type, a route the document lacks, one without a body.
    assert CONTRACT.check_request("POST", "/api/v1/scans", "application/json", b"") is None
    assert CONTRACT.check_request("POST", "/api/v1/applications", "multipart/form-data; boundary=x", b"--x") is None
    assert CONTRACT.check_request("POST", "/api/v1/nowhere", "application/json", b"{}") is None
    assert CONTRACT.check_request("POST", "/api/v1/logout", "application/json", b"{}") is None


def test_the_document_passes_redocly_lint():
    p = subprocess.run([os.path.join(ROOT, "tests", "contract", "node_modules", ".bin", "redocly"), "lint",
                        "--config", os.path.join(ROOT, "tests", "contract", "redocly.yaml"),
                        os.path.join(ROOT, "openapi.json")],
                       env=dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true"),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-5000:]
    assert "Your API description is valid" in p.stdout, p.stdout[-5000:]
    assert "warning" not in p.stdout.lower(), p.stdout[-5000:]


def test_the_service_serves_the_document_it_was_built_with(stack, http):
    r = http.get(stack.url("/api/v1/openapi.json"), timeout=10)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    with open(contract.DOC, "rb") as f:
        assert r.content == f.read(), "the served document is not the repository's openapi.json (rebuild)"
    assert r.json()["openapi"] == "3.1.0"


def test_the_reference_page_renders_in_chromium_under_its_policy(stack):
    out = h.run_node("docs.mjs", BASE=stack.base)
    assert out["title"].startswith("Health QR code service"), out
    assert out["hits"] >= 1, out
    # One method badge per operation at least (the page lists them all).
    assert out["operations"] >= len(list(CONTRACT.operations())), out


# --- signing with hqrctl sign-request, sending with curl (README, "Integrators") ----------------

def sign(stack, key, secret_file, method, path, body_file=None, *extra):
    args = ["sign-request", "--key", key, "--secret-file", str(secret_file), *extra, method, path]
    if body_file is not None:
        args.append(str(body_file))
    p = stack.run_bin("hqrctl", *args)  # no -c: an integrator has no service config
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert [ln.split(":", 1)[0] for ln in lines] == ["X-HQR-Key", "X-HQR-Timestamp", "X-HQR-Nonce",
                                                      "X-HQR-Signature"], p.stdout
    return p.stdout


def curl(stack, method, path, headers_file, body_file=None):
    """The request as README's curl line sends it; returns (status, content type, body)."""
    cmd = ["curl", "-s", "-X", method, stack.url(path), "-H", "Content-Type: application/json",
           "-H", f"@{headers_file}", "-o", "-", "-w", "\n%{http_code} %{content_type}"]
    if body_file is not None:
        cmd += ["--data-binary", f"@{body_file}"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    assert p.returncode == 0, p.stderr
    body, _, tail = p.stdout.rpartition(b"\n")
    status, _, ctype = tail.decode().partition(" ")
    # curl's answers are held to the document as well, and so is what it sent.
    assert CONTRACT.check(method, path, int(status), ctype, body) == []
    if body_file is not None and not 400 <= int(status) < 500:
        with open(body_file, "rb") as f:
            assert not CONTRACT.check_request(method, path, "application/json", f.read())
    return int(status), body


def integrator(stack, *checkpoints):
    args = ["integrator", "add", "--name", h.unique("integ")]
    for cp in checkpoints:
        args += ["--checkpoint", str(cp)]
    p = h.hqrctl(stack, *args)
    key = re.search(r"^key_id: (\S+)$", p.stdout, re.M).group(1)
    return key, h.last_line(p)


def test_a_request_signed_by_hqrctl_sign_request_is_accepted_and_a_tampered_one_refused(stack, tmp_path):
    cp = h.checkpoint(stack, kind="transport", type_="bus")
    key, secret = integrator(stack, cp)
    (tmp_path / "secret.txt").write_text(secret + "\n")  # as saved from integrator add's last line
    s, pid = h.new_person(stack)
    scan = {"qr": h.qr_text(s, stack, pid), "direction": "in", "temperature": 36.5, "checkpoint_id": cp}
    (tmp_path / "scan.json").write_text(json.dumps(scan))
    (tmp_path / "headers.txt").write_text(
        sign(stack, key, tmp_path / "secret.txt", "POST", "/api/v1/scans", tmp_path / "scan.json"))
    status, body = curl(stack, "POST", "/api/v1/scans", tmp_path / "headers.txt", tmp_path / "scan.json")
    assert status == 200, body
    answer = json.loads(body)
    assert (answer["verdict"], answer["color"]) == ("allow", "green"), answer
    assert stack.sql(f"SELECT checkpoint_id FROM scans WHERE id = {int(answer['scan_id'])}") == [[str(cp)]]
    # The same headers again: the nonce was used.
    status, body = curl(stack, "POST", "/api/v1/scans", tmp_path / "headers.txt", tmp_path / "scan.json")
    assert (status, json.loads(body)["error"]["code"]) == (401, "NONCE_REUSED"), body
    # Fresh headers for the body, another body sent: the signature does not verify.
    (tmp_path / "headers.txt").write_text(
        sign(stack, key, tmp_path / "secret.txt", "POST", "/api/v1/scans", tmp_path / "scan.json"))
    (tmp_path / "tampered.json").write_text(json.dumps({**scan, "temperature": 36.6}))
    status, body = curl(stack, "POST", "/api/v1/scans", tmp_path / "headers.txt", tmp_path / "tampered.json")
    assert (status, json.loads(body)["error"]["code"]) == (403, "SIGNATURE_INVALID"), body
    # Signed for another path, or too long ago: refused too.
    (tmp_path / "headers.txt").write_text(
        sign(stack, key, tmp_path / "secret.txt", "POST", "/api/v1/scans/batch", tmp_path / "scan.json"))
    status, body = curl(stack, "POST", "/api/v1/scans", tmp_path / "headers.txt", tmp_path / "scan.json")
    assert (status, json.loads(body)["error"]["code"]) == (403, "SIGNATURE_INVALID"), body
    (tmp_path / "headers.txt").write_text(
        sign(stack, key, tmp_path / "secret.txt", "POST", "/api/v1/scans", tmp_path / "scan.json",
             "--timestamp", str(int(time.time()) - 600)))
    status, body = curl(stack, "POST", "/api/v1/scans", tmp_path / "headers.txt", tmp_path / "scan.json")
    assert (status, json.loads(body)["error"]["code"]) == (401, "SIGNATURE_EXPIRED"), body
    # Nothing refused was recorded: the one scan of this checkpoint is the accepted one.
    assert stack.sql(f"SELECT COUNT(*) FROM scans WHERE checkpoint_id = {cp}") == [["1"]]


def test_sign_request_signs_as_the_service_checks(stack, tmp_path):
    """The exact signature for fixed inputs: METHOD, path with query, timestamp, nonce, body hash."""
    (tmp_path / "secret").write_text("a" * 64)
    (tmp_path / "body").write_bytes(b'{"scans":[]}')
    out = sign(stack, "ik_0123456789abcdef", tmp_path / "secret", "POST", "/api/v1/scans/batch?x=1",
               tmp_path / "body", "--timestamp", "1700000000", "--nonce", "n0nce-abc")
    canon = "POST\n/api/v1/scans/batch?x=1\n1700000000\nn0nce-abc\n" + hashlib.sha256(b'{"scans":[]}').hexdigest()
    want = hmac.new(b"a" * 64, canon.encode(), hashlib.sha256).hexdigest()
    assert out == (f"X-HQR-Key: ik_0123456789abcdef\nX-HQR-Timestamp: 1700000000\nX-HQR-Nonce: n0nce-abc\n"
                   f"X-HQR-Signature: {want}\n")
    # No body file: the empty body's hash.
    out = sign(stack, "ik_0123456789abcdef", tmp_path / "secret", "GET", "/api/v1/keys", None,
               "--timestamp", "1700000000", "--nonce", "n0nce-abc")
    canon = "GET\n/api/v1/keys\n1700000000\nn0nce-abc\n" + hashlib.sha256(b"").hexdigest()
    assert hmac.new(b"a" * 64, canon.encode(), hashlib.sha256).hexdigest() in out
    # Bad input is refused with a word on stderr, not signed.
    for args in (["--key", "short", "--secret-file", str(tmp_path / "secret"), "POST", "/x"],
                 ["--key", "ik_0123456789abcdef", "--secret-file", str(tmp_path / "none"), "POST", "/x"],
                 ["--key", "ik_0123456789abcdef", "--secret-file", str(tmp_path / "secret"), "POST", "x"],
                 ["--key", "ik_0123456789abcdef", "--secret-file", str(tmp_path / "secret"), "POST", "/x y"],
                 ["--key", "ik_0123456789abcdef", "--secret-file", str(tmp_path / "secret"), "POST", "/x\x01"],
                 ["--key", "ik_0123456789abcdef", "--secret-file", str(tmp_path / "secret"), "POST", "/\u00e9"],
                 ["--key", "ik_0123456789abcdef", "--secret-file", str(tmp_path / "secret"), "POST"]):
        p = stack.run_bin("hqrctl", "sign-request", *args)
        assert p.returncode != 0 and p.stdout == "" and p.stderr, (args, p.stdout, p.stderr)


def test_an_offline_batch_signed_by_hqrctl_is_recorded_once(stack, tmp_path):
    cp = h.checkpoint(stack, kind="transport", type_="coach")
    key, secret = integrator(stack, cp)
    (tmp_path / "secret.txt").write_text(secret + "\n")
    s, pid = h.new_person(stack)
    now = int(time.time())
    batch = {"scans": [
        {"client_id": "bus-7:0001", "scanned_at": now - 5, "qr": h.qr_text(s, stack, pid), "direction": "in",
         "temperature": 36.4, "checkpoint_id": cp},
        {"client_id": "bus-7:0002", "scanned_at": now - 2, "qr": "HQR1:NOT-A-CODE", "direction": "in",
         "temperature": 36.4, "checkpoint_id": cp},
    ]}
    (tmp_path / "batch.json").write_text(json.dumps(batch))
    for attempt in ("recorded", "duplicate"):
        (tmp_path / "headers.txt").write_text(
            sign(stack, key, tmp_path / "secret.txt", "POST", "/api/v1/scans/batch", tmp_path / "batch.json"))
        status, body = curl(stack, "POST", "/api/v1/scans/batch", tmp_path / "headers.txt", tmp_path / "batch.json")
        assert status == 200, body
        results = json.loads(body)["results"]
        assert [r["status"] for r in results] == [attempt, attempt], results
        assert [r["result"]["verdict"] for r in results] == ["allow", "deny"], results
    assert stack.sql(f"SELECT COUNT(*) FROM scans WHERE checkpoint_id = {cp}") == [["2"]]


# --- a method a path does not take: 405 with the path's documented methods ---------------------

PROBE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def concrete(template):
    """A request path for a template: each {parameter} a well-formed value no route names."""
    return re.sub(r"\{[^}]+\}", "Zq7x", template)


def test_every_undocumented_method_of_a_documented_path_is_405_with_the_documented_allow(stack):
    """Walks openapi.json's paths: every method of PROBE_METHODS that the path does not document
    answers 405, the service's JSON error METHOD_NOT_ALLOWED, and an Allow header listing exactly
    the methods the document gives for that path (a concrete path some templates share, as
    /api/v1/verifications/callback and /api/v1/verifications/{id}, takes the union)."""
    wrong, probed = [], 0
    for template in CONTRACT.doc["paths"]:
        path = concrete(template)
        documented = set()
        for _, t, rx, item in CONTRACT.paths:
            if rx.match(path):
                documented |= {m.upper() for m in item if m in contract.METHODS}
        for method in PROBE_METHODS:
            if method in documented:
                continue
            probed += 1
            headers = {"Content-Type": "application/json"} if method in ("POST", "PUT", "PATCH") else {}
            r = stack.raw(method, path, headers=headers, body=b"{}" if headers else None)
            where = f"{method} {path} (documented: {sorted(documented)})"
            if r.status_code != 405:
                wrong.append(f"{where}: answered {r.status_code} {r.text[:120]!r}")
                continue
            if not r.headers.get("Content-Type", "").startswith("application/json"):
                wrong.append(f"{where}: 405 with Content-Type {r.headers.get('Content-Type')}")
                continue
            if r.json()["error"]["code"] != "METHOD_NOT_ALLOWED":
                wrong.append(f"{where}: 405 with {r.json()}")
            allow = r.headers.get("Allow")
            got = sorted(m.strip() for m in (allow or "").split(",") if m.strip())
            if got != sorted(documented):
                wrong.append(f"{where}: Allow {allow!r}")
    assert probed > 100, probed
    assert not wrong, f"{len(wrong)} of {probed}:\n" + "\n".join(wrong)
