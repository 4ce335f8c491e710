"""Helpers shared by the Python GUI tests (monkey.py, render_sessions.py)."""


def rss_mb(pid):
    """Resident memory of process `pid` in MB, 0 when it cannot be read (the process is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return 0
