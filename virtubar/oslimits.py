"""The machine's limits a node lives within. Every open socket is an open
file: Debian's default soft limit of 1,024 would stop an edge node near a
thousand players although the hard limit allows far more, so a node raises
its soft limit to the hard one when it starts. How many players a node
takes (``VIRTUBAR_NODE_CAPACITY``, advertised to the API that places
players) follows from its memory and open files unless the operator says."""

from __future__ import annotations

import resource
from pathlib import Path


def raise_open_files() -> int:
    """Raise this process's soft limit of open files to its hard limit
    (children started after inherit it); return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft == resource.RLIM_INFINITY or soft >= hard:
        return soft if soft != resource.RLIM_INFINITY else hard
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        return soft
    return hard


EDGE_PLAYER_BYTES = 32 * 1024
"""What a player costs an edge node: an idle socket measured 11-23 KB on the
default websockets server (``docs/benchmarks.md``), doubled for the
player's share of room state and send queues while they move."""
SFU_PLAYER_BYTES = 1024 * 1024
"""What a listener costs an SFU node: 118-187 MB for 200 listeners of three
speakers measured (``docs/benchmarks.md``), rounded up."""
MEMORY_SHARE = 0.5  # of the node's memory its players may take; the rest is the process and the OS
SPARE_FILES = 256  # open files kept for the bus, the database, logs and sockets being accepted


def node_capacity(memory_bytes: int, open_files: int, player_bytes: int) -> int:
    """How many players a node takes when its operator has not said: what
    half its memory holds at ``player_bytes`` each, and no more than its open
    files allow (a player is a socket, a file)."""
    by_memory = int(memory_bytes * MEMORY_SHARE) // player_bytes
    return max(1, min(by_memory, open_files - SPARE_FILES))


def memory_bytes(meminfo: Path = Path("/proc/meminfo"),
                 cgroup_limit: Path = Path("/sys/fs/cgroup/memory.max")) -> int:
    """The memory this process may use: its cgroup's limit (a container's
    or a systemd unit's) where one is set, else the machine's."""
    with open(meminfo) as lines:
        total = next(int(line.split()[1]) * 1024 for line in lines if line.startswith("MemTotal:"))
    try:
        limit = cgroup_limit.read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total


def open_files() -> int:
    """This process's soft limit of open files now (the entry points raised it)."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return 1 << 20 if soft == resource.RLIM_INFINITY else soft


def default_capacity(setting: int, player_bytes: int) -> int:
    """The node's capacity: the operator's setting, or else from the machine."""
    return setting or node_capacity(memory_bytes(), open_files(), player_bytes)
