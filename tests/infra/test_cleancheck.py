"""infra/cleancheck.sh, the end of a CI run: it fails when the run changed
the checkout or left a large folder in the temp dir, and passes otherwise."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CHECK = Path(__file__).resolve().parents[2] / "infra" / "cleancheck.sh"


@pytest.fixture
def checkout(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    (repo / ".gitignore").write_text("dist/\n")
    (repo / "README.md").write_text("hello\n")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=repo, check=True)
    temp = tmp_path / "temp"
    (temp / "there-before").mkdir(parents=True)
    return repo, temp


def check(repo: Path, temp: Path, before: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(CHECK)], cwd=repo, input="".join(f"{n}\n" for n in before),
                          env=os.environ | {"TMPDIR": str(temp)}, capture_output=True, text=True)


def big(folder: Path, mb: int) -> None:
    folder.mkdir()
    (folder / "blob").write_bytes(b"x" * (mb * 1024 * 1024))


def test_a_clean_run_passes(checkout):
    repo, temp = checkout
    (repo / "dist").mkdir()
    (repo / "dist" / "index.html").write_text("ignored build output")
    (temp / "small-new").mkdir()
    big(temp / "there-before" / "grown", 12)  # a folder that was there before is not the run's
    assert check(repo, temp, ["there-before"]).returncode == 0


def test_a_changed_tracked_file_or_new_file_fails(checkout):
    repo, temp = checkout
    (repo / "README.md").write_text("rewritten by a test\n")
    (repo / "screenshot.png").write_bytes(b"png")
    run = check(repo, temp, ["there-before"])
    assert run.returncode == 1
    assert "README.md" in run.stderr and "screenshot.png" in run.stderr


def test_a_new_folder_over_10_mb_in_the_temp_dir_fails(checkout):
    repo, temp = checkout
    big(temp / "virtubar-pg-left", 11)
    run = check(repo, temp, ["there-before"])
    assert run.returncode == 1 and "virtubar-pg-left" in run.stderr
