"""What two application hosts share (make test-cluster only, DESIGN §14): this file is collected
only against the cluster (conftest.py's collect_ignore), because a single stack has one host and
nothing of it to check there.

Photos are files under [app] data_dir, not rows: both hosts write and read one photo store
(scripts/cluster.sh gives them one directory, as production mounts one shared file system on every
host). A photo uploaded through one host is served, byte for byte, through the other. Which host
nginx sent a request to is read in its access log (the upstream of the request's X-Request-Id)."""
import os
import uuid

import pytest

from conftest import read_ini
from helpers import access_line, apply, jpeg_photo, login_mp, png_photo


@pytest.fixture(autouse=True)
def two_hosts(stack):
    if "HOST2_DIR" not in stack.env:
        pytest.fail("this file checks the cluster's two hosts: run it with HQR_CLUSTER=1", pytrace=False)


def host_socket(stack, n):
    d = stack.dir if n == 1 else stack.env["HOST2_DIR"]
    return "unix:" + os.path.join(d, "run", "hqr.sock")


def upstream_of(stack, request_id):
    """The upstream nginx sent the request with this id to ("" when it answered itself)."""
    return access_line(stack, request_id)["upstream"]


def rid():
    return "two-" + uuid.uuid4().hex


def test_both_hosts_are_configured_with_one_photo_store(stack):
    conf2 = os.path.join(stack.env["HOST2_DIR"], "hqr.conf")
    stores = {read_ini(c)["app"]["data_dir"] for c in (stack.conf_path, conf2)}
    assert len(stores) == 1, stores
    (store,) = stores
    assert os.path.isdir(store)


def test_a_photo_uploaded_through_one_host_is_served_by_the_other(stack):
    hosts = {host_socket(stack, 1): 1, host_socket(stack, 2): 2}
    s = login_mp(stack)
    seen = set()
    for photo, ctype, for_ in ((jpeg_photo(seed=71), "image/jpeg", "self"),
                               (png_photo(seed=72), "image/png", "relative")):
        upload = rid()
        kw = {"relationship": "child"} if for_ == "relative" else {}
        r = apply(s, stack, photo=photo, for_=for_, headers={"X-Request-Id": upload}, **kw)
        assert r.status_code == 201, r.text
        pid = r.json()["person"]["id"]
        wrote = upstream_of(stack, upload)
        assert wrote in hosts, wrote
        # nginx takes turns between the hosts: within a few requests one goes to the other host.
        for _ in range(8):
            fetch = rid()
            g = s.get(stack.url(f"/api/v1/persons/{pid}/photo"), headers={"X-Request-Id": fetch}, timeout=10)
            read = upstream_of(stack, fetch)
            assert read in hosts, read
            if read != wrote:
                break
        assert read != wrote, f"every fetch went to host {hosts[wrote]}"
        assert g.status_code == 200, g.text
        assert g.headers["Content-Type"] == ctype
        assert g.content == photo
        seen.add((hosts[wrote], hosts[read]))
    print(f"(written by host, served by host): {sorted(seen)}")
