"""Every statement of the service prepares against the migrated schema, and a schema that
refuses one (a migration not run, a table moved away) makes /readyz answer 503 until it is
back: the load balancer stops sending traffic to a host that would fail requests."""
import time

import pytest

from helpers import hqrctl


def test_every_statement_prepares_against_the_migrated_schema(stack):
    p = hqrctl(stack, "migrate", "--check")
    assert "statements prepare against the schema" in p.stdout


def kill_app_connections(stack):
    """Ends the application's database connections on every server (each host of the cluster is
    connected to its own node), so that its threads connect (and prepare their statements) again
    on their next request."""
    for cnf in stack.db_cnfs():
        for (cid,) in stack.sql("SELECT id FROM information_schema.processlist "
                                "WHERE db = 'hqr' AND id <> CONNECTION_ID() AND command <> 'Daemon'", cnf):
            try:
                stack.sql(f"KILL CONNECTION {int(cid)}", cnf)
            except RuntimeError:
                pass  # it ended on its own meanwhile


def readyz_statuses(stack, http, n):
    """The statuses of n /readyz calls (they land on different worker threads)."""
    return [http.get(stack.url("/readyz"), timeout=10).status_code for _ in range(n)]


# A table of statements prepared at connect (reminders), and one only lazily prepared statements
# use (refusals: a verification's and a relative application's, prepared on their first use): a
# readiness check judges both.
@pytest.mark.parametrize("table", ["reminders", "refusals"], ids=["prepared-at-connect", "prepared-lazily"])
def test_readyz_fails_while_a_statement_does_not_prepare(stack, http, table):
    assert http.get(stack.url("/readyz"), timeout=10).status_code == 200
    stack.sql(f"RENAME TABLE {table} TO {table}_moved")
    try:
        kill_app_connections(stack)
        statuses = readyz_statuses(stack, http, 8)
        assert 200 not in statuses, statuses
        r = http.get(stack.url("/readyz"), timeout=10)
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "UNAVAILABLE"
        p = hqrctl(stack, "migrate", "--check", check=False)
        assert p.returncode == 1
        assert table in p.stderr
    finally:
        stack.sql(f"RENAME TABLE {table}_moved TO {table}")
    # Back: the statements prepare on the next readiness check, without a restart.
    end = time.monotonic() + 10
    while time.monotonic() < end and readyz_statuses(stack, http, 4) != [200] * 4:
        time.sleep(0.1)
    assert readyz_statuses(stack, http, 8) == [200] * 8
