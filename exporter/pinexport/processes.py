"""Whether a process still runs: how leftovers of a killed run (a CSV export's temporary directory, a test's
throwaway PostgreSQL server) are told from those of a run still at work."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (also when it belongs to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
