"""No class over 300 lines, in the services or the client: a class a reader
cannot hold in mind is split by what its parts do (CONTRIBUTING.md)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 300


def test_no_python_class_is_over_the_limit():
    long = []
    for package in ("virtubar", "launcher", "functions", "realtime_edge", "sfu_node"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > LIMIT:
                    long.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert long == []


def test_no_client_class_is_over_the_limit():
    long = []
    for path in (ROOT / "client" / "src").rglob("*.ts"):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if m := re.match(r"(export )?(abstract )?class (\w+)", line):
                end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("}"))
                if end - i + 1 > LIMIT:
                    long.append(f"{path.relative_to(ROOT)}: {m.group(3)} ({end - i + 1} lines)")
    assert long == []
