"""The layout rule: services import the contract package, never each other;
the contract package imports no service and not the launcher above them,
not even inside a function; every setting is documented."""

import ast
import re
from pathlib import Path

from realtime_edge.config import EdgeConfig
from sfu_node.config import SfuConfig
from virtubar.settings import Settings, env_names

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("functions", "realtime_edge", "sfu_node")
ABOVE_THE_CONTRACT = (*SERVICES, "launcher")


def imports_of(path: Path) -> set[str]:
    """The top-level package of every absolute import anywhere in the file
    (module level, in functions, in branches), both ``import x`` and
    ``from x import y``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def forbidden_imports(folder: Path, forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    """File (relative to the repository) -> the forbidden packages it imports."""
    hits = {}
    for path in sorted(folder.rglob("*.py")):
        bad = imports_of(path) & set(forbidden)
        if bad:
            hits[str(path.relative_to(folder.parent))] = bad
    return hits


def test_no_service_imports_another_service():
    for service in SERVICES:
        others = tuple(s for s in SERVICES if s != service)
        assert forbidden_imports(ROOT / service, others) == {}, service


def test_the_contract_package_imports_no_service_and_not_the_launcher():
    assert forbidden_imports(ROOT / "virtubar", ABOVE_THE_CONTRACT) == {}


def test_the_rule_sees_imports_hidden_in_functions(tmp_path):
    """What the old cli.py and embedded.py did: import a service only when a
    function runs. The rule must catch it in either import form."""
    contract = tmp_path / "virtubar"
    contract.mkdir()
    (contract / "starter.py").write_text(
        "def create_app():\n"
        "    from functions import create_app as api\n"
        "    if True:\n"
        "        import sfu_node.app\n"
        "    return api\n"
    )
    (contract / "fine.py").write_text("from virtubar.wire import Join\nimport msgspec\n")
    assert forbidden_imports(contract, ABOVE_THE_CONTRACT) == {"virtubar/starter.py": {"functions", "sfu_node"}}


def test_the_launcher_is_the_one_package_that_imports_every_service():
    assert set(SERVICES) <= set().union(*(imports_of(p) for p in (ROOT / "launcher").glob("*.py")))


def backticked(readme: str) -> set[str]:
    return set(re.findall(r"`([A-Z0-9_]+)`", (ROOT / readme).read_text()))


def test_every_setting_is_in_its_readmes_configuration_table():
    """Each loader's variables, as the loader reads them, are documented
    (the edge's README names them without the ``VIRTUBAR_EDGE_`` prefix)."""
    common = env_names(Settings)
    assert {"VIRTUBAR_REDIS_CLUSTER", "VIRTUBAR_TOKEN_PREVIOUS_SECRETS"} <= common
    assert common <= backticked("README.md"), common - backticked("README.md")
    edge = {n.removeprefix(EdgeConfig.env_prefix) for n in env_names(EdgeConfig)}
    assert {"TICK_HZ", "SEND_QUEUE"} <= edge and "DRAIN_ON_SIGNAL" not in edge
    assert edge <= backticked("realtime_edge/README.md"), edge - backticked("realtime_edge/README.md")
    sfu = env_names(SfuConfig)
    assert sfu == {"VIRTUBAR_SFU_ICE_ADDRESSES"}
    assert sfu <= backticked("sfu_node/README.md")
