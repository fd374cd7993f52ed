"""The contract (openapi.json) as the suite holds the live service to it.

Contract.check_request() judges one JSON request body against the operation's requestBody schema:
conftest.py requires that a request failing it was refused with a 4xx (a test sending a malformed
body on purpose), so that the document never says less than the service accepts.
Contract.check() judges one answer of the service: the route must be in the document, its status
listed for the operation, its content type one the document gives for that status, and a JSON body
valid against the document's schema for that route and status (JSON Schema draft 2020-12, Debian's
python3-jsonschema). conftest.py calls it on every answer the integration suite receives; each
problem names the route, the status and the field, and where in openapi.json to fix it.

The route table (fcgi/api/routes.c) and the error table (fcgi/http/err.c) are read here too, for
the tests that hold the document to them (test_contract.py).
"""
import json
import os
import re

from jsonschema import Draft202012Validator, RefResolver
from jsonschema.exceptions import best_match

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "openapi.json")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def pointer(*parts):
    """A JSON pointer into openapi.json (as `openapi.json#/paths/~1api~1v1~1scans/post`)."""
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def media(content_type):
    """application/json from 'application/json; charset=utf-8'."""
    return (content_type or "").split(";")[0].strip().lower()


class Contract:
    def __init__(self, path=DOC):
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        self.resolver = RefResolver.from_schema(self.doc)
        self._validators = {}
        # Concrete paths before templated ones (/verifications/callback before /verifications/{id}).
        self.paths = []
        for template, item in self.doc["paths"].items():
            rx = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            self.paths.append((template.count("{"), template, rx, item))
        self.paths.sort(key=lambda p: (p[0], p[1]))
        self.seen = set()  # (METHOD, template, status) of the answers judged against an operation

    # --- lookups -------------------------------------------------------------------------------
    def deref(self, obj):
        """Follows a $ref of the document (response, parameter...) to its object."""
        while isinstance(obj, dict) and "$ref" in obj:
            _, obj = self.resolver.resolve(obj["$ref"])
        return obj

    def find(self, path):
        """(template, path item) of a request path, or (None, None)."""
        for _, template, rx, item in self.paths:
            if rx.match(path):
                return template, item
        return None, None

    def operations(self):
        """(METHOD, template, operation) of every operation of the document."""
        for template, item in self.doc["paths"].items():
            for m in METHODS:
                if m in item:
                    yield m.upper(), template, item[m]

    def validator(self, ref):
        v = self._validators.get(ref)
        if v is None:
            v = Draft202012Validator({"$ref": ref}, resolver=self.resolver)
            self._validators[ref] = v
        return v

    # --- judging an answer ----------------------------------------------------------------------
    def check(self, method, path, status, content_type, body):
        """Problems (strings) with one answer; [] when it is as the document says."""
        method = method.upper()
        if method in ("HEAD", "OPTIONS"):
            return []
        mt = media(content_type)
        is_json = mt == "application/json" and len(body) > 0
        template, item = self.find(path)
        where = f"{method} {path} answered {status}"
        if template is None or method.lower() not in item:
            # Not a route of the document: only the service's error shape may come back (404, 405,
            # nginx's own errors), and no JSON success.
            if not is_json:
                return []
            if status < 400:
                return [f"{where} with JSON, but the document has no {method} {template or path}: "
                        f"add the route to openapi.json (paths)"]
            return self._validate(where + " (a route not in the document)", "#/components/schemas/Error",
                                  body)
        op = item[method.lower()]
        opref = pointer("paths", template, method.lower())
        self.seen.add((method, template, status))
        where = f"{method} {template} (operationId {op.get('operationId')}) answered {status}"
        responses = op.get("responses", {})
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX" \
            if f"{str(status)[0]}XX" in responses else "default" if "default" in responses else None
        if key is None:
            return [f"{where}, a status the document does not list for it: add \"{status}\" to "
                    f"openapi.json{opref}/responses (listed: {', '.join(sorted(responses))})"]
        resp = self.deref(responses[key])
        content = resp.get("content") or {}
        if len(body) == 0:
            return []
        if mt not in content:
            return [f"{where} with Content-Type {mt or '(none)'}, which the document does not give for "
                    f"this status: openapi.json{opref}/responses/{key}/content has "
                    f"{', '.join(sorted(content)) or 'nothing'}"]
        if mt != "application/json":
            return []
        schema = content[mt].get("schema")
        if schema is None:
            return []
        if "$ref" in responses[key]:
            ref = responses[key]["$ref"] + "/content/" + mt.replace("/", "~1") + "/schema"
        else:
            ref = pointer("paths", template, method.lower(), "responses", key, "content", mt, "schema")
        return self._validate(f"{where} (schema {ref})", ref, body)

    # --- judging a request ----------------------------------------------------------------------
    def check_request(self, method, path, content_type, body):
        """Problems (strings) with one JSON request body sent to a documented operation, judged
        against its requestBody schema; [] when it is valid, None when there is nothing to judge
        (no body, not JSON, not an operation of the document, or one that takes no JSON)."""
        method = method.upper()
        if not body or media(content_type) != "application/json":
            return None
        template, item = self.find(path)
        if template is None or method.lower() not in item:
            return None
        req = item[method.lower()].get("requestBody")
        if req is None:
            return None
        if "$ref" in req:
            ref = req["$ref"]
            req = self.deref(req)
            base = ref + "/content/application~1json/schema"
        else:
            base = pointer("paths", template, method.lower(), "requestBody", "content", "application/json",
                           "schema")
        if "application/json" not in req.get("content", {}) or "schema" not in req["content"]["application/json"]:
            return None
        if isinstance(body, str):
            body = body.encode("utf-8")
        return self._validate(f"{method} {template} (operationId {item[method.lower()].get('operationId')}) "
                              f"request body (schema {base})", base, body)

    def _validate(self, where, ref, body):
        try:
            doc = json.loads(body)
        except ValueError as e:
            return [f"{where}: the body is not JSON ({e}): {body[:200]!r}"]
        errors = sorted(self.validator(ref).iter_errors(doc), key=lambda e: list(e.absolute_path))
        if not errors:
            return []
        lines = []
        for e in errors[:8]:
            e = best_match([e]) if e.context else e
            field = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
            keyword = "/".join(str(p) for p in e.absolute_schema_path)
            lines.append(f"at {field}: {e.message} (schema keyword path {keyword})")
        if len(errors) > 8:
            lines.append(f"and {len(errors) - 8} more")
        return [f"{where}:\n      " + "\n      ".join(lines)]


# --- the service's own tables -------------------------------------------------------------------

ROUTE_ROW = re.compile(
    r'\[(ROUTE_\w+)\]\s*=\s*\{\s*"([^"]+)",\s*"([A-Z]+)",\s*"([^"]+)",\s*(AUTH_\w+),\s*(BODY_\w+),\s*([^,]+),'
    r'\s*(NOFIELDS|NOMEMBERS|FIELDS\(\w+\)),\s*(\w+)\s*(?:,\s*([^}]*?))?\s*\}', re.S)


def routes():
    """The route table of fcgi/api/routes.c: dicts of enum, name, method, pattern, auth, body, limit
    (bytes, evaluated), fields (the name of its field table in fcgi/http/fields.c, or None),
    members_ignored (NOMEMBERS: an optional JSON object read for nothing), roles (words). Checked against the enum's size in routes.h."""
    with open(os.path.join(ROOT, "fcgi", "api", "routes.c"), encoding="utf-8") as f:
        src = f.read()
    with open(os.path.join(ROOT, "fcgi", "api", "routes.h"), encoding="utf-8") as f:
        hdr = f.read()
    enum = re.search(r"enum route_id \{(.*?)\};", hdr, re.S).group(1)
    names = [n for n in re.findall(r"\b(ROUTE_\w+)\b", enum) if n != "ROUTE__MAX"]
    table = src[src.index("routes[ROUTE__MAX]"):]
    rows = []
    for m in ROUTE_ROW.finditer(table):
        limit = re.sub(r"\b[A-Z][A-Z0-9_]+\b", lambda d: str(define(d.group(0))), m.group(7).strip())
        if not re.fullmatch(r"[0-9 *+()]+", limit):
            raise ValueError(f"routes.c: cannot read the body limit {m.group(7)!r} of {m.group(1)}")
        roles = m.group(10) or ""
        rows.append({"enum": m.group(1), "name": m.group(2), "method": m.group(3), "pattern": m.group(4),
                     "auth": m.group(5), "body": m.group(6), "limit": eval(limit),  # digits and * only
                     "fields": None if m.group(8) in ("NOFIELDS", "NOMEMBERS") else m.group(8)[len("FIELDS("):-1],
                     "members_ignored": m.group(8) == "NOMEMBERS",
                     "roles": sorted(w.lower() for w in re.findall(r"\b(OFFICER|INVESTIGATOR|OPERATOR)\b", roles))})
    if sorted(r["enum"] for r in rows) != sorted(names):
        missing = sorted(set(names) - {r["enum"] for r in rows})
        raise ValueError(f"routes.c: could not read the rows {missing} (their shape changed?); "
                         f"read {len(rows)} of {len(names)}")
    return rows


FIELD_ROW = re.compile(r'\[[\w +]+\]\s*=\s*\{\s*"([^"]+)",\s*([^,]+),\s*([^,]+),\s*(\w+),\s*([^}]*?)\s*\}')
# The sources of the field tables (the declaration's rows are a macro of decl.h).
FIELD_SOURCES = [("http", "fields.c"), ("http", "fields_admin.c"), ("http", "fields_places.c"), ("http", "decl.c"),
                 ("http", "scanin.c"),
                 ("model", "person.c")]


def _number(expr):
    """A table's numeric expression: digits, *, + and #defines of fcgi/*/*.h (INT64_MAX known)."""
    expr = re.sub(r"\b[A-Z][A-Z0-9_]+\b",
                  lambda d: str(2 ** 63 - 1 if d.group(0) == "INT64_MAX" else define(d.group(0))), expr.strip())
    if not re.fullmatch(r"-?[0-9 *+()-]+", expr):
        raise ValueError(f"field tables: cannot read the number {expr!r}")
    return eval(expr)  # digits and operators only


def field_tables():
    """The field tables of fcgi/http/fields.c, fields_admin.c, fields_places.c, decl.c and scanin.c: {table: [dict name,
    required, maxlen, validator, range (min, max) or None, words or None, flags]}."""
    src = ""
    for folder, name in FIELD_SOURCES:
        with open(os.path.join(ROOT, "fcgi", folder, name), encoding="utf-8") as f:
            src += f.read() + "\n"
    with open(os.path.join(ROOT, "fcgi", "http", "decl.h"), encoding="utf-8") as f:
        macro = re.search(r"#define DECL_FIELD_ROWS\(base, bound\)(.*?)\n\n", f.read(), re.S).group(1)
    macro = macro.replace("\\\n", "\n")

    def rows_of(m):
        return macro.replace("(base) + ", "").replace("(bound)", m.group(2))
    src = re.sub(r"DECL_FIELD_ROWS\((\w+), ([^)]+)\)", rows_of, src)
    ranges = {m.group(1): (_number(m.group(2)), _number(m.group(3))) for m in
              re.finditer(r"static const struct range (\w+) = \{\s*([^,}]+),\s*([^,}]+?)\s*\}", src)}
    words = {m.group(1): re.findall(r'"([^"]*)"', m.group(2)) for m in
             re.finditer(r"(?:static )?const char \*const (\w+)\[\] = \{([^}]*)\}", src)}
    tables = {}
    for m in re.finditer(r"const struct field (\w+)\[\w+\] = \{(.*?)\n?\};", src, re.S):
        rows = []
        for r in FIELD_ROW.finditer(m.group(2)):
            arg = r.group(5).strip().lstrip("&")
            sub = re.fullmatch(r"(\w+)\[(\d+)\]", arg)  # the words of a list from an index on
            w = words[sub.group(1)][int(sub.group(2)):] if sub else words.get(arg)
            flags = {x.strip() for x in r.group(2).split("|")}
            rows.append({"name": r.group(1), "required": "F_REQ" in flags, "maxlen": _number(r.group(3)),
                         "valid": r.group(4), "range": ranges.get(arg), "words": w, "flags": flags})
        if len(rows) != m.group(2).count("] = {"):
            raise ValueError(f"field tables: could not read every row of {m.group(1)} (its shape changed?)")
        tables[m.group(1)] = rows
    return tables


def define(name):
    """The value of a numeric #define of fcgi/*/*.h (a route's limit may name one)."""
    import glob
    for path in sorted(glob.glob(os.path.join(ROOT, "fcgi", "*", "*.h"))):
        with open(path, encoding="utf-8") as f:
            m = re.search(r"^#define " + name + r"\s+\(?([0-9 *]+)\)?\s*(/\*.*)?$", f.read(), re.M)
        if m:
            return eval(m.group(1))  # digits and * only
    raise ValueError(f"no numeric #define {name} under fcgi/")


def error_words():
    """{word: status} of every error fcgi/http/err.c can produce (OK excepted), checked against
    the enum's size in err.h."""
    with open(os.path.join(ROOT, "fcgi", "http", "err.c"), encoding="utf-8") as f:
        src = f.read()
    with open(os.path.join(ROOT, "fcgi", "http", "err.h"), encoding="utf-8") as f:
        hdr = f.read()
    enum = re.search(r"enum err \{(.*?)\};", hdr, re.S).group(1)
    names = [n for n in re.findall(r"^\s*(ERR_\w+)", enum, re.M) if n != "ERR__MAX"]
    rows = re.findall(r'\[(ERR_\w+)\]\s*=\s*\{\s*(\d+),\s*"[^"]*",\s*"([A-Z0-9_]+)"', src)
    if sorted(r[0] for r in rows) != sorted(names):
        raise ValueError(f"err.c: read {len(rows)} rows of {len(names)} errors; the table's shape changed?")
    return {word: int(status) for name, status, word in rows if name != "ERR_OK"}
