"""What the tests of the clm command share: where the command and the sources
are (CLM_EXE, CLM_SOURCE_DIR, set by CTest) and how to run it."""

import os
import subprocess

CLM = os.environ.get("CLM_EXE", "clm")
SRC = os.environ.get("CLM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def run(*args, check_status=None):
    """Runs `clm ARGS...`; with check_status, fails unless it exits with that status."""
    p = subprocess.run([CLM, *args], capture_output=True, text=True, timeout=120)
    if check_status is not None and p.returncode != check_status:
        raise AssertionError(f"clm {' '.join(args)} exited {p.returncode}, expected {check_status}\n"
                             f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p
