"""docs/operators.md gives the commands the tests run, and names only
flags, services and roles that exist."""

import re
from pathlib import Path

import yaml

from infra import cloudlocal
from tests.cloud.test_selfhost import VALIDATE, cli_roles
from tests.cloud.test_template import LINT

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs/operators.md").read_text()


def test_the_guide_gives_the_commands_the_tests_run():
    assert " ".join(LINT) in GUIDE
    assert " ".join([*VALIDATE, "infra/compose.yaml"]) in GUIDE
    assert "bash infra/cloud-local.sh" in GUIDE and "python -m infra.cloudlocal" in GUIDE
    assert "exec .venv/bin/python -m infra.cloudlocal" in (ROOT / "infra/cloud-local.sh").read_text()
    browser_suite = (ROOT / "infra/cloud-e2e.sh").read_text()
    assert "bash infra/cloud-e2e.sh" in GUIDE and "python -m infra.cloudlocal" in browser_suite
    assert "npm run e2e:server" in browser_suite


def test_the_guides_self_hosting_commands_are_the_compose_files_own():
    header = [line.lstrip("# ").split("  #")[0].strip() for line in (ROOT / "infra/compose.yaml").read_text()
              .splitlines() if line.startswith("#   ")]
    assert header and all(command in GUIDE for command in header), header


def test_cloud_local_flags_in_the_guide_exist():
    source = Path(cloudlocal.__file__).read_text()
    lines = [line for line in GUIDE.splitlines() if "cloud-local.sh --" in line]
    flags = {flag for line in lines for flag in re.findall(r"--[a-z-]+", line)}
    assert flags
    for flag in flags:
        assert f'add_argument("{flag}"' in source, flag


def test_services_and_roles_named_in_the_guide_exist():
    services = set(yaml.safe_load((ROOT / "infra/compose.yaml").read_text())["services"])
    for name in re.findall(r"`(postgres|redis|objects|migrate|api|edge-\d|sfu|coturn|client)`", GUIDE):
        assert name in services, name
    roles = set(re.findall(r"docker run IMAGE (\w+)", GUIDE))
    assert roles == cli_roles() - {"schema"}
    for metric in re.findall(r"`(virtubar_(?:edge|sfu)_[a-z_]+)", GUIDE):
        folder = "realtime_edge" if "_edge_" in metric else "sfu_node"
        assert any(metric in p.read_text() for p in (ROOT / folder).glob("*.py")), metric
