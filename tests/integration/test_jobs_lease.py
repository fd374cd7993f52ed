"""The daily job runs once across application hosts (DESIGN §14): a run holds the job's lease row
(job_leases), and a run that finds it held by another host's live run leaves at once, doing
nothing; a lease that ran out (a run that died) is taken over. Against the cluster (make
test-cluster) the rows are certified by Galera, so two hosts claiming at once cannot both win."""
import datetime
import os
import socket
import subprocess
import time
from zoneinfo import ZoneInfo

import requests

from conftest import read_ini
from helpers import apply, hqrctl, login_mp, sim_base


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


def host_confs(stack):
    """Each application host's config: in the cluster host 1's and host 2's (each connects to its own
    Galera node first), on one stack its only one, used twice."""
    if "HOST2_DIR" in stack.env:
        return [stack.conf_path, os.path.join(stack.env["HOST2_DIR"], "hqr.conf")]
    return [stack.conf_path, stack.conf_path]


def test_daily_job_started_on_both_hosts_at_once_runs_once(stack):
    """Cron starts `hqrctl jobs daily` on every host at the same minute: one run claims the lease
    and does the job, the other finds it held by that run (named by its pid) and does nothing. The
    run that holds the lease is kept busy by a platform that takes 2.5 s to accept a reminder (a red
    code of this test is due one), so the two runs overlap whatever order they start in."""
    confs = host_confs(stack)
    if "HOST2_DIR" in stack.env:  # two hosts, two Galera nodes: the claims race through both
        ports = {read_ini(c)["database"]["port"] for c in confs}
        assert len(ports) == 2, ports
    s = login_mp(stack)
    r = apply(s, stack, symptoms="cough")
    assert r.status_code == 201, r.text
    assert r.json()["code"]["color"] == "red", r.json()
    today = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    fault = requests.post(sim_base(stack) + "/sim/faults", json={
        "endpoint": "/cgi-bin/message/template/send", "kind": "delay", "delay_ms": 2500, "count": 1},
        timeout=10)
    assert fault.status_code == 201, fault.text
    try:
        runs = [subprocess.Popen([stack.bin("hqrctl"), "-c", c, "jobs", "daily", "--date", today],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in confs]
        outs = [p.communicate(timeout=300) for p in runs]
    finally:
        requests.delete(sim_base(stack) + "/sim/faults", timeout=10)
    assert [p.returncode for p in runs] == [0, 0], outs
    did = [i for i, (out, _) in enumerate(outs) if "daily job for" in out]
    assert len(did) == 1, outs
    ran, other = did[0], 1 - did[0]
    assert "done:" in outs[ran][0], outs[ran]
    assert f"the daily job is running elsewhere ({socket.gethostname()}:{runs[ran].pid}," in outs[other][0], outs
    assert "done:" not in outs[other][0] and "reminders:" not in outs[other][0], outs[other]
    # The job's work was done once: the red code's holder got one reminder, and the lease is free.
    msgs = requests.get(sim_base(stack) + "/sim/messages", timeout=10).json()
    assert len([m for m in msgs if m["touser"] == s.openid and m["template_id"] == "tmpl_reminder"]) == 1
    assert lease(stack)[1] == 0
