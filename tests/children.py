"""Child processes the crash tests start and kill (kill -9 at a random moment, then look at what the journal kept).

Only processes a test started itself are ever signalled, by their PID.
"""
from __future__ import annotations

import os
import signal
import subprocess


def sigkill(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """What a crash does to the app: SIGKILL, then wait until the kernel has reaped it (its locks are gone)."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=timeout)


def reap(proc: subprocess.Popen) -> None:
    """For a `finally`: a child still running (a failed assertion before its kill) is killed; its pipes are closed."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
