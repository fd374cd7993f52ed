"""Check-ins at a place code (DESIGN §11) with wrk, against the stack scripts/bench.sh started:
one person a request, each request another account (its bearer session and its own person, seeded
in SQL), so that neither the per-account limit nor the 5-minute repeat answers instead of a write;
each run at a fresh place code. Three runs, each beside its own /healthz ceiling and a device's
scans, and the median of each kind's ratios is reported; then, per served request of each kind
(medians of the runs), what it cost: the CPU time of the database server and of the application's
workers, the statements the database ran and its fsyncs (where the gap between the kinds comes from)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import api_bench as ab  # noqa: E402
import helpers  # noqa: E402

STATUS = ("Com_stmt_execute", "Com_commit", "Innodb_data_fsyncs")
PAIRS = 60000  # accounts, each holding one person; a run of 8 s sends far fewer


def seed(st):
    """PAIRS accounts, each with a bearer session (token "bplace" + 37 digits) and its own green
    person (public id "bplace" + 16 digits); once per database."""
    if st.sql("SELECT COUNT(*) FROM persons WHERE public_id LIKE 'bplace%'")[0][0] == str(PAIRS):
        return
    st.sql(f"""SET time_zone = '+00:00';
INSERT INTO accounts (openid, created_at) SELECT CONCAT('bench-place-', seq), UTC_TIMESTAMP() FROM seq_1_to_{PAIRS};
INSERT INTO persons (public_id, code_ref, id_type, id_index, name_masked, id_masked, phone_masked, name_enc, id_enc,
  phone_enc, address_enc, photo_file, photo_type, paper_serial, created_at)
  SELECT CONCAT('bplace', LPAD(seq, 16, '0')), 5764607523034234880 + seq, 1,
  UNHEX(SHA2(CONCAT('bench-place-person-', seq), 256)), '测*', '110***********0000', '138****0000', x'00', x'00',
  x'00', x'00', 'bench', 1, 1, UTC_TIMESTAMP() FROM seq_1_to_{PAIRS};
INSERT INTO codes (person_id, color, reason, since, version)
  SELECT id, 1, 'NONE', UTC_TIMESTAMP(), 1 FROM persons WHERE public_id LIKE 'bplace%';
INSERT INTO holders (account_id, person_id, role, created_at)
  SELECT a.id, p.id, 1, UTC_TIMESTAMP() FROM accounts a
  JOIN persons p ON p.public_id = CONCAT('bplace', LPAD(SUBSTRING(a.openid, 13), 16, '0'))
  WHERE a.openid LIKE 'bench-place-%';
INSERT INTO sessions (id_hash, account_id, kind, created_at, last_seen, expires_at)
  SELECT UNHEX(SHA2(CONCAT('bplace', LPAD(SUBSTRING(openid, 13), 37, '0')), 256)), id, 2, UTC_TIMESTAMP(),
  UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY FROM accounts WHERE openid LIKE 'bench-place-%';""")


def procs(st):
    """The database server's and the application workers' process ids."""
    with open(os.path.join(st.dir, "db", "mysqld.pid")) as f:
        db = [int(f.read())]
    with open(os.path.join(st.dir, "run", "hqr.pid")) as f:
        app = int(f.read())
    with open(f"/proc/{app}/task/{app}/children") as f:
        return {"db": db, "workers": [int(x) for x in f.read().split()]}


def cost(st, ps):
    """CPU seconds of each group of processes, and the database's status counters, now."""
    out = {}
    for k, pids in ps.items():
        t = 0
        for p in pids:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            t += int(fields[11]) + int(fields[12])  # utime, stime
        out[k] = t / os.sysconf("SC_CLK_TCK")
    names = ",".join(f"'{n}'" for n in STATUS)
    for name, value in st.sql(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})"):
        out[name] = int(value)
    return out


def measured(st, ps, url, script):
    """One wrk run: (served/s, p99, non-2xx) and the cost per served request of each counter."""
    before = cost(st, ps)
    fig = ab.wrk(url, script)
    after = cost(st, ps)
    served = fig[0] * ab.DUR
    return fig, {k: (after[k] - before[k]) / served if served else 0 for k in before}


def place_code(st, cp):
    p = st.run_bin("hqrctl", "-c", st.conf_path, "place-code", "add", "--checkpoint", str(cp))
    assert p.returncode == 0, p.stderr
    return p.stdout.strip().splitlines()[-1].rsplit("/", 1)[1]


def checkin_script(token):
    half = PAIRS // 2
    return ab.lua_headers({"Content-Type": "application/json"}, "POST") + f"""
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
i = 0
request = function()
  i = i + 1
  local n = (tid - 1) * {half} + (i % {half}) + 1  -- each of wrk's two threads its own accounts
  wrk.headers["Authorization"] = "Bearer bplace" .. string.format("%037d", n)
  wrk.body = '{{"persons":["bplace' .. string.format("%016d", n) .. '"],"direction":"in"}}'
  return wrk.format(nil, "/api/v1/places/{token}/checkins")
end
"""


def main():
    st = ab.Stack()
    seed(st)
    cp = helpers.checkpoint(st, name=helpers.unique("bench-place"))
    # A device's scans at the same checkpoint, for the side-by-side ratio.
    s, pid = helpers.new_person(st)
    dev = helpers.device_token(st, cp)
    scan = ab.lua_headers({"Authorization": "Bearer " + dev, "Content-Type": "application/json"}, "POST",
                          '{"qr":"%s","direction":"in","temperature":36.5}' % helpers.qr_text(s, st, pid))
    ab.wrk(f"{ab.BASE}/api/v1/scans", scan, dur=2)  # warm-up: the committers prepare their statements
    ab.wrk(ab.BASE + "/", checkin_script(place_code(st, cp)), dur=2)
    ps = procs(st)
    runs, per = [], {"check-ins": [], "scans": []}
    for _ in range(3):
        ceil = ab.wrk(f"{ab.BASE}/healthz")[0]
        sc, c = measured(st, ps, f"{ab.BASE}/api/v1/scans", scan)
        per["scans"].append(c)
        token = place_code(st, cp)
        # A resident checks in right after the page's GET, which touched the session (at most once
        # a minute): the check-in itself does not write the session again.
        st.sql("SET time_zone = '+00:00'; UPDATE sessions s JOIN accounts a ON a.id = s.account_id "
               "SET s.last_seen = UTC_TIMESTAMP() WHERE a.openid LIKE 'bench-place-%'")
        ci, c = measured(st, ps, ab.BASE + "/", checkin_script(token))
        per["check-ins"].append(c)
        runs.append((ci, sc, ceil))
    ci_r = sorted(r[0][0] / r[2] for r in runs if r[2])
    sc_r = sorted(r[1][0] / r[2] for r in runs if r[2])
    mid = sorted(runs, key=lambda r: r[0][0] / r[2] if r[2] else 0)[1]
    (rps, p99, bad), ceil = mid[0], mid[2]
    rows = st.sql("SELECT COUNT(*) FROM scans WHERE place_code_id IS NOT NULL")[0][0]
    print(f"{'place check-ins (1 person, durable)':<34} {rps:10.2f} req/s  p99 {p99:>8}  ratio to FastCGI "
          f"{rps / ceil:.2f}  non-2xx {bad}  target >= the scans' {sc_r[1]:.2f} (medians of 3 runs, each beside "
          f"its own /healthz ceiling: check-ins {', '.join(f'{x:.2f}' for x in ci_r)}; scans "
          f"{', '.join(f'{x:.2f}' for x in sc_r)}); {rows} check-in rows written", flush=True)

    def med(kind, k):
        return sorted(c[k] for c in per[kind])[1]

    print("  per served request (medians of 3): " + "; ".join(
        f"{kind} database CPU {med(kind, 'db') * 1e6:.0f} us, workers' CPU {med(kind, 'workers') * 1e6:.0f} us, "
        f"statements {med(kind, 'Com_stmt_execute') + med(kind, 'Com_commit'):.2f}, "
        f"fsyncs {med(kind, 'Innodb_data_fsyncs'):.2f}" for kind in ("check-ins", "scans")), flush=True)


if __name__ == "__main__":
    main()
