"""The daily job runs once across application hosts (DESIGN §14): a run holds the job's lease row
(job_leases), and a run that finds it held by another host's live run leaves at once, doing
nothing; a lease that ran out (a run that died) is taken over. Against the cluster (make
test-cluster) the rows are certified by Galera, so two hosts claiming at once cannot both win."""
import socket
import subprocess
import time

from helpers import hqrctl


def lease(stack):
    (row,) = stack.sql("SELECT holder, lease_until FROM job_leases WHERE name = 'daily'")
    return row[0], int(row[1])


def test_a_held_lease_keeps_a_second_run_out_and_a_run_out_lease_is_taken_over(stack):
    now = int(time.time())
    stack.sql(f"UPDATE job_leases SET holder = 'other-host:4242', lease_until = {now + 600} WHERE name = 'daily'")
    try:
        p = hqrctl(stack, "jobs", "daily")
        assert "the daily job is running elsewhere (other-host:4242" in p.stdout, p.stdout
        assert "daily job for" not in p.stdout, p.stdout  # nothing of the job ran
        assert lease(stack) == ("other-host:4242", now + 600)
    finally:
        # The other run died an hour ago: its lease has run out.
        stack.sql(f"UPDATE job_leases SET lease_until = {now - 3600} WHERE name = 'daily'")
    p = hqrctl(stack, "jobs", "daily")
    assert "daily job for" in p.stdout and "done:" in p.stdout, p.stdout
    holder, until = lease(stack)
    # This run held it (its host and pid) and released it when it ended.
    assert holder != "other-host:4242" and ":" in holder, holder
    assert until == 0
    # Released: the next run goes ahead at once.
    p = hqrctl(stack, "jobs", "daily")
    assert "done:" in p.stdout, p.stdout


def test_a_lease_of_a_run_killed_on_this_host_is_taken_over_at_once(stack):
    # A run of this host that is gone (killed mid-run): its pid no longer exists.
    p = subprocess.Popen(["true"])
    p.wait()
    dead = f"{socket.gethostname()}:{p.pid}"
    now = int(time.time())
    stack.sql(f"UPDATE job_leases SET holder = '{dead}', lease_until = {now + 600} WHERE name = 'daily'")
    r = hqrctl(stack, "jobs", "daily")
    assert f"the daily job's last run ({dead}) died: taking over" in r.stdout, r.stdout
    assert "done:" in r.stdout, r.stdout
    assert lease(stack)[1] == 0
