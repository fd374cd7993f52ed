"""A whole stack of its own (MariaDB, simulator, hqr-fcgi, nginx) for tests that change how the
service runs (its user, its log file) or start one on restored data: started and stopped with
scripts/stack.sh like the session's stack of conftest.py, never sharing its directory."""
import contextlib
import os
import shutil
import tempfile

from conftest import Stack, kill_survivors


def set_ini(path, section, key, value):
    """Replaces KEY's value inside [SECTION] of an INI file (the key must be there)."""
    out, cur, done = [], None, False
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if s.startswith("[") and s.endswith("]"):
                cur = s[1:-1]
            elif cur == section and "=" in s and s.split("=", 1)[0].strip() == key:
                line, done = f"{key} = {value}\n", True
            out.append(line)
    assert done, f"[{section}] {key} not in {path}"
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(out)


def stop(s):
    """Stops every process of s; kills what survives; returns the survivors (for an assert)."""
    pids = s.all_pids()
    s.sh("stop", check=False, timeout=120)
    return kill_survivors(pids)


@contextlib.contextmanager
def private_stack(directory=None, start=True):
    """Yields a Stack in its own directory (made here unless given), started unless start is
    False; stops it and removes the directory afterwards (HQR_KEEP=1 keeps it)."""
    build = os.environ.get("HQR_BUILD", "build")
    made = directory is None
    directory = directory or tempfile.mkdtemp(prefix="hqr-own-")
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o755)
    s = Stack(directory, build)
    try:
        if start:
            s.sh("start", timeout=180)
            s.load_env()
        yield s
    finally:
        survivors = stop(s) if os.path.exists(os.path.join(directory, "stack.env")) else []
        if made and os.environ.get("HQR_KEEP") != "1":
            shutil.rmtree(directory, ignore_errors=True)
        assert not survivors, f"processes survived stack.sh stop: {survivors}"
