"""Self-hosting: the compose file is valid against the Compose Specification
(no Docker engine needed), starts things in a safe order with health checks,
and the image's roles are the ones ``virtubar --help`` offers."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "infra/compose.yaml"
BIN = Path(sys.executable).parent
VALIDATE = ["check-jsonschema", "--builtin-schema", "vendor.compose-spec"]  # + the file; as in docs/operators.md
ENGINE_SERVICES = {"postgres", "redis", "objects", "buckets", "coturn", "client"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def validate(path: Path) -> subprocess.CompletedProcess:
    """The command docs/operators.md gives for checking an edited compose file."""
    return subprocess.run(
        [str(BIN / VALIDATE[0]), *VALIDATE[1:], str(path)],
        capture_output=True,
        text=True,
    )


def cli_roles() -> set[str]:
    run = subprocess.run([sys.executable, "-m", "launcher.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    return set(re.findall(r"^ {4}(\w+) {2,}", run.stdout, re.M))


def test_the_compose_file_follows_the_compose_specification():
    run = validate(COMPOSE)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_validator_refuses_a_broken_compose_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text().replace("    healthcheck: &edge-health", "    helthcheck: &edge-health"))
    assert validate(broken).returncode != 0


def test_every_part_of_the_cloud_shape_is_a_service(compose):
    services = compose["services"]
    assert ENGINE_SERVICES | {"migrate", "api", "edge-1", "edge-2", "sfu"} <= set(services)
    roles = {name: s["command"][0] for name, s in services.items() if s.get("image", "").startswith("virtubar:")}
    assert roles == {"migrate": "migrate", "api": "api", "edge-1": "edge", "edge-2": "edge", "sfu": "sfu"}
    edges = {services[n]["environment"]["VIRTUBAR_EDGE_URL"] for n in ("edge-1", "edge-2")}
    assert len(edges) == 2, "each edge node must announce its own URL"
    assert services["sfu"]["network_mode"] == "host" and services["coturn"]["network_mode"] == "host"
    assert "--use-auth-secret" in services["coturn"]["command"]
    assert "--denied-peer-ip=172.16.0.0-172.31.255.255" in services["coturn"]["command"]  # not into Docker's networks


def test_long_running_services_have_health_checks(compose):
    for name, service in compose["services"].items():
        if name not in ("migrate", "buckets"):  # one-shot jobs
            assert service["healthcheck"]["test"][0] == "CMD", name


def test_start_order_database_then_migrate_then_api_then_front_door(compose):
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["api"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["api"]["depends_on"]["buckets"] == {"condition": "service_completed_successfully"}
    assert services["buckets"]["depends_on"] == {"objects": {"condition": "service_healthy"}}
    for name in ("api", "edge-1", "edge-2", "sfu"):
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}, name
    front = services["client"]["depends_on"]
    assert all(front[n] == {"condition": "service_healthy"} for n in ("api", "edge-1", "edge-2", "sfu"))


def test_no_secret_is_in_the_compose_file_and_every_variable_is_in_the_example_env():
    text = COMPOSE.read_text()
    used = set(re.findall(r"\$\{(\w+)", text))
    example = {
        line.split("=")[0]
        for line in (ROOT / "infra/selfhost.env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert used - {"VIRTUBAR_VERSION"} <= example, used - example
    for secret in ("VIRTUBAR_TOKEN_SECRET", "VIRTUBAR_TURN_SECRET", "POSTGRES_PASSWORD", "S3_SECRET_KEY"):
        assert f"${{{secret}:?" in text, f"{secret} must be required, never defaulted"
        assert re.search(rf"^{secret}=$", (ROOT / "infra/selfhost.env.example").read_text(), re.M)


def test_the_image_roles_are_the_commands_roles():
    dockerfile = (ROOT / "infra/Dockerfile").read_text()
    assert re.search(r'^ENTRYPOINT \["virtubar"\]$', dockerfile, re.M)
    labelled = set(re.search(r'io\.virtubar\.roles="([^"]+)"', dockerfile).group(1).split())
    assert labelled == cli_roles() - {"schema"}  # schema is a developer tool, not a role to run
    assert re.search(r"^CMD \[\"(\w+)\"\]$", dockerfile, re.M).group(1) in labelled
    assert "-c infra/constraints.txt" in dockerfile


def test_the_front_door_routes_each_edge_and_the_sfu(compose):
    caddy = (ROOT / "infra/Caddyfile").read_text()
    for path, upstream in (("/edge-1/*", "edge-1:8080"), ("/edge-2/*", "edge-2:8080"), ("/api/*", "api:8080")):
        assert re.search(rf"handle {re.escape(path)} {{\s*reverse_proxy {upstream}", caddy), path
    sfu = compose["services"]["sfu"]["command"]
    assert "reverse_proxy host.docker.internal:8443" in caddy and sfu[sfu.index("--port") + 1] == "8443"
