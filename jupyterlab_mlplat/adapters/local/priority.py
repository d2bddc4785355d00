"""Scheduling priority of a workspace's processes.

A server starts under ``nice 10``: when thirty people start at once on two cores, the hub, the
proxy and the platform must keep answering while the servers import (bench/spawn_storm.py). Once
a server answers, that reason is gone, and a lowered priority would only make every sidebar
request wait behind any busy process on the machine (bench/sidebar_load.py measured the runs page
at p95 1.1 s at nice 10, 245 ms without). Only root may raise a priority again, which is why the
hub, not the server, does it.
"""

from __future__ import annotations

import contextlib

import psutil


def restore_priority(pid: int) -> int:
    """Give ``pid`` and everything under it the default priority (nice 0); the number of
    processes changed. Processes gone meanwhile, or not ours to change, are left as they are."""
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    changed = 0
    for process in tree:
        with contextlib.suppress(psutil.Error):
            if process.nice() > 0:
                process.nice(0)
                changed += 1
    return changed
