"""The data folder holds the database, the token secret and report
evidence: only the account that runs VirtuBar may read it. Folders we create
are 0700 and files 0600, whatever the process's umask."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> None:
    """Create ``path`` and any missing parent, each 0700; folders that
    already exist keep their mode (they may be the operator's)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is masked by the umask


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and only its owner can read or write it
    (an existing file, e.g. a database from an older release, is tightened)."""
    private_folder(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    os.chmod(path, FILE_MODE)
