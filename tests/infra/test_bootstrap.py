"""infra/bootstrap.sh checks versions, not only presence. No clean Debian
can be started here, so each case runs the real script in ``--check`` mode
(it prints the install steps instead of running them) with stub ``python3``
and ``node`` on a PATH of its own; a stub ``apt-get`` records any real call."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS = ["bash", "sh", "env", "id", "sed", "ls", "find", "head", "cat", "dirname", "printf", "chmod", "rm", "touch"]


@pytest.fixture
def machine(tmp_path):
    """A checkout holding only the installer, and an empty bin folder for PATH."""
    checkout = tmp_path / "checkout"
    (checkout / "infra").mkdir(parents=True)
    shutil.copy(REPO / "infra" / "bootstrap.sh", checkout / "infra")
    (checkout / "pyproject.toml").touch()
    (checkout / "infra" / "constraints.txt").touch()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    stub(bin_dir, "apt-get", f'echo "apt-get $*" >> {tmp_path}/apt-calls; exit 1')
    stub(bin_dir, "systemctl", f'echo "systemctl $*" >> {tmp_path}/apt-calls; exit 1')
    return checkout, bin_dir, tmp_path / "apt-calls"


def stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def python3(bin_dir: Path, version: str, venv: bool = True) -> None:
    ensurepip = "echo pip 23.0.1" if venv else "echo No module named ensurepip >&2; exit 1"
    stub(bin_dir, "python3", (
        'case "$*" in\n'
        f'  --version) echo "Python {version}" ;;\n'
        f'  "-m ensurepip --version") {ensurepip} ;;\n'
        '  *) exit 0 ;;\n'
        'esac'))


def node(bin_dir: Path, version: str) -> None:
    stub(bin_dir, "node", f'[ "$1" = --version ] && echo v{version}')


def bootstrap(checkout: Path, bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": str(bin_dir), "HOME": str(checkout), "POLICY_RC_D": str(checkout / "policy-rc.d")}
    return subprocess.run(["/bin/bash", str(checkout / "infra" / "bootstrap.sh"), "--check", *args],
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("version", ["18.19.0", "20.18.1", "21.7.3", "22.11.0"])
def test_a_node_too_old_for_vite_stops_with_the_command_that_fixes_it(machine, version):
    checkout, bin_dir, apt_calls = machine
    python3(bin_dir, "3.11.2")
    node(bin_dir, version)
    run = bootstrap(checkout, bin_dir)
    assert run.returncode == 3, run.stdout + run.stderr
    assert f"node is {version.rsplit('.', 1)[0]}" in run.stderr and "20.19+ or 22.12+" in run.stderr
    assert "npm install -g node@22" in run.stderr
    assert "would run: python3 -m venv" not in run.stdout  # stopped before anything else
    assert not apt_calls.exists()


@pytest.mark.parametrize("version", ["20.19.0", "20.20.2", "22.12.0", "24.1.0"])
def test_a_supported_node_passes(machine, version):
    checkout, bin_dir, _ = machine
    python3(bin_dir, "3.11.2")
    node(bin_dir, version)
    run = bootstrap(checkout, bin_dir)
    assert run.returncode == 0, run.stderr
    assert "would run: python3 -m venv .venv" in run.stdout
    assert "would run: .venv/bin/virtubar house-tracks" in run.stdout  # the embedded mode's music, made at build time


def test_python_without_venv_gets_python3_venv_installed_first(machine):
    checkout, bin_dir, apt_calls = machine
    python3(bin_dir, "3.11.2", venv=False)
    node(bin_dir, "20.19.0")
    run = bootstrap(checkout, bin_dir)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    install = next(i for i, line in enumerate(lines) if "apt-get" in line and " install " in line)
    assert lines[install].split()[-1] == "python3-venv"
    assert "DPkg::Lock::Timeout=" in lines[install]
    assert install < lines.index("would run: python3 -m venv .venv")
    assert not apt_calls.exists()


def test_python_with_venv_installs_no_system_package(machine):
    checkout, bin_dir, _ = machine
    python3(bin_dir, "3.12.3")
    node(bin_dir, "22.12.0")
    run = bootstrap(checkout, bin_dir)
    assert run.returncode == 0 and "apt-get" not in run.stdout, run.stdout


def test_an_old_python_stops_with_a_clear_message(machine):
    checkout, bin_dir, _ = machine
    python3(bin_dir, "3.9.2")
    node(bin_dir, "20.19.0")
    run = bootstrap(checkout, bin_dir)
    assert run.returncode == 2
    assert "needs Python 3.11 or newer; python3 is 3.9" in run.stderr


def test_missing_node_and_test_servers_are_installed_with_their_services_kept_off(machine):
    checkout, bin_dir, apt_calls = machine
    python3(bin_dir, "3.11.2")
    run = bootstrap(checkout, bin_dir, "--test")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    install = next(line for line in out.splitlines() if "apt-get" in line and " install " in line)
    for package in ("nodejs", "npm", "redis-server", "coturn", "chromium"):  # PostgreSQL: found in /usr/lib
        assert f" {package}" in install, install
    assert out.index("exit 101") < out.index(install)  # policy-rc.d: no service starts while installing
    for service in ("redis-server", "coturn"):
        assert f"would run: systemctl disable --quiet {service}" in out  # nor at boot
    assert "systemctl disable --quiet chromium" not in out
    assert not apt_calls.exists()
