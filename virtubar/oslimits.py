"""The machine's limits a node lives within. Every open socket is an open
file: Debian's default soft limit of 1,024 would stop an edge node near a
thousand players although the hard limit allows far more, so a node raises
its soft limit to the hard one when it starts."""

from __future__ import annotations

import resource


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
