"""A test run leaves nothing behind: the server fixtures delete what they
made when a test fails or the run is interrupted, and a run that leaves a
``virtubar-*`` folder in the temp dir fails. Each case is a real pytest
session in a subprocess with a temp dir of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def temp_dir():
    """A fresh temp dir the ``postgres`` user can reach (not under pytest's own, which is private)."""
    folder = Path(tempfile.mkdtemp(prefix="cleanup-check-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_session(temp_dir: Path, body: str) -> subprocess.CompletedProcess:
    tests = temp_dir / "suite"
    tests.mkdir()
    (tests / "test_case.py").write_text(body)
    env = os.environ | {"TMPDIR": str(temp_dir), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
         "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO), str(tests)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )


def made_by_servers(temp_dir: Path) -> list[str]:
    return sorted(p.name for p in temp_dir.glob("virtubar-*"))


def test_a_failing_test_leaves_no_server_folder(temp_dir):
    run = run_session(temp_dir, (
        "def test_fails(postgres_url, redis_url):\n"
        "    assert postgres_url.startswith('postgres://')\n"
        "    assert False, 'on purpose'\n"
    ))
    assert "1 failed" in run.stdout, run.stdout + run.stderr
    assert made_by_servers(temp_dir) == []


def test_an_interrupted_run_leaves_no_server_folder(temp_dir):
    run = run_session(temp_dir, (
        "import os, signal\n"
        "def test_interrupted(postgres_url):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
    ))
    assert run.returncode == pytest.ExitCode.INTERRUPTED, run.stdout + run.stderr
    assert made_by_servers(temp_dir) == []


def test_a_run_that_leaves_a_folder_behind_fails(temp_dir):
    run = run_session(temp_dir, (
        "from infra.localservices import scratch_dir\n"
        "def test_passes_but_litters():\n"
        "    scratch_dir('litter')\n"
    ))
    assert "1 passed" in run.stdout, run.stdout + run.stderr
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    assert "virtubar-litter-" in run.stdout
