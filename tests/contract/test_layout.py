"""The layout rule: services import the contract package, never each other;
every setting is documented."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("functions", "realtime_edge", "sfu_node")


def imported_packages(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_no_service_imports_another_service():
    for service in SERVICES:
        folder = ROOT / service
        if folder.exists():
            others = set(SERVICES) - {service}
            assert not imported_packages(folder) & others, service


def test_the_contract_package_imports_no_service_at_module_level():
    for path in (ROOT / "virtubar").glob("*.py"):
        top_level = [n for n in ast.parse(path.read_text()).body if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = {getattr(n, "module", None) or n.names[0].name for n in top_level}
        assert not {n.split(".")[0] for n in names if n} & set(SERVICES), path.name


def test_every_setting_is_in_the_readmes_configuration_table():
    read = set(re.findall(r'_(?:env|flag)\("([A-Z0-9_]+)"', (ROOT / "virtubar/settings.py").read_text()))
    table = set(re.findall(r"`VIRTUBAR_([A-Z0-9_]+)`", (ROOT / "README.md").read_text()))
    assert {"REDIS_CLUSTER", "TOKEN_PREVIOUS_SECRETS"} <= read
    assert read <= table, read - table
