"""/metrics is what Prometheus accepts: `promtool check metrics` (Debian's prometheus package)
finds nothing to complain about, after traffic that fills every family (successes, errors,
unmatched paths, the latency histogram)."""
import subprocess

import requests


def test_promtool_accepts_metrics_after_varied_traffic(stack):
    for path in ("/healthz", "/readyz", "/api/v1/keys", "/api/v1/no-such-route", "/api/v1/me"):
        requests.get(stack.url(path), timeout=10)
    requests.post(stack.url("/api/v1/scans"), json={"qr": "x"}, timeout=10)
    texts = stack.metrics_texts()
    # The families promtool is to judge are there, with samples (on the host that served each
    # request: nginx shares them out between the cluster's hosts).
    for needle in ('hqr_requests_total{route="healthz",status="200"}', 'status="401"',
                   'route="unmatched"', '# TYPE hqr_request_duration_seconds histogram',
                   'le="+Inf"', "hqr_db_errors_total ", "hqr_worker_restarts_total "):
        assert any(needle in text for text in texts), needle
    for text in texts:  # every host's exposition, as a scraper reads each
        p = subprocess.run(["promtool", "check", "metrics"], input=text, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        assert p.returncode == 0 and p.stdout == "" and p.stderr == "", p.stdout + p.stderr


def test_promtool_refuses_what_it_should():
    # The check above can fail: a counter without _total, as /metrics once might have had.
    bad = "# HELP hqr_x A counter.\n# TYPE hqr_x counter\nhqr_x 1\n"
    p = subprocess.run(["promtool", "check", "metrics"], input=bad, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    assert p.returncode != 0 and "_total" in p.stdout + p.stderr
