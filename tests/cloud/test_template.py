"""The AWS SAM template: cfn-lint passes, and the facts an operator relies on
hold (no secret in the file, the mangum handler, private encrypted buckets,
TLS everywhere data moves, the URLs in the Outputs)."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parents[2]
LINT = ["cfn-lint", "template.yaml"]  # the command docs/operators.md gives


@pytest.fixture(scope="module")
def template() -> dict:
    found, errors = decode(str(ROOT / "template.yaml"))
    assert not errors, errors
    return found


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {name: r.get("Properties", {}) for name, r in template["Resources"].items() if r["Type"] == kind}


def strings(node, key: str = ""):
    """Every (key, string) leaf of the template; a value inside an intrinsic
    function (``!Sub`` ...) is reported under the property that holds it."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, key if k.startswith("Fn::") else k)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v, key)
    elif isinstance(node, str):
        yield key, node


def test_cfn_lint_passes_with_no_errors_or_warnings():
    run = subprocess.run([str(Path(sys.executable).parent / LINT[0]), *LINT[1:]], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_function_is_the_mangum_handler_on_python_312_in_the_vpc(template):
    functions = resources(template, "AWS::Serverless::Function")
    assert functions
    defaults = template["Globals"]["Function"]
    assert defaults["Runtime"] == "python3.12" and defaults["VpcConfig"]["SubnetIds"]
    for name, props in functions.items():
        scheduled = name == "RetentionFunction"  # the daily retention sweep, not an API
        assert props["Handler"] == f"functions.lambda_handler.{'retention' if scheduled else 'handler'}", name
        assert props.get("Runtime", "python3.12") == "python3.12", name
        assert "VpcConfig" not in props, f"{name} must stay in the VPC of the Globals"
        assert [e["Type"] for e in props["Events"].values()] == ["Schedule" if scheduled else "HttpApi"], name
    env = defaults["Environment"]["Variables"]
    assert env["VIRTUBAR_S3_BUCKET"] == {"Ref": "EvidenceBucket"}  # the evidence store the API presigns for
    handler = (ROOT / "functions/lambda_handler.py").read_text()
    assert re.search(r"^handler = Mangum\(", handler, re.M)
    assert re.search(r"^from functions.retention import handler as retention", handler, re.M)
    assert "RetentionFunction" in functions


def test_the_retention_sweep_runs_daily_with_the_retention_settings(template):
    (event,) = template["Resources"]["RetentionFunction"]["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "rate(1 day)"
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    for days in ("CLOSED_REPORTS", "EVIDENCE", "FOCUS_SESSIONS"):
        assert f"VIRTUBAR_RETENTION_{days}_DAYS" in env


def test_no_secret_is_written_in_the_template(template):
    secretish = re.compile(r"(SECRET|PASSWORD|AUTHTOKEN|DATABASE_URL|REDIS_URL)", re.I)
    checked = 0
    for key, value in strings([template["Globals"], template["Resources"]]):
        if secretish.search(key) and key not in ("SecretArn", "SecretId", "GenerateStringKey", "SecretStringTemplate"):
            checked += 1
            assert "{{resolve:secretsmanager:" in value or "{{resolve:ssm-secure:" in value, (key, value)
    assert checked >= 8  # DB master password, Redis AUTH, the URLs, token and TURN secrets
    for name, props in resources(template, "AWS::SecretsManager::Secret").items():
        literal = props.get("SecretString")
        assert "GenerateSecretString" in props or "{{resolve:secretsmanager:" in str(literal), name
    text = (ROOT / "template.yaml").read_text()
    assert not re.search(r"://[^/\s:@{]+:[^@\s{}$]+@", text), "a URL with an inline password"


def test_containers_read_secrets_from_secrets_manager_not_plain_environment(template):
    for name, task in resources(template, "AWS::ECS::TaskDefinition").items():
        for container in task["ContainerDefinitions"]:
            plain = {e["Name"] for e in container.get("Environment", [])}
            assert not plain & {"VIRTUBAR_TOKEN_SECRET", "VIRTUBAR_REDIS_URL", "VIRTUBAR_DATABASE_URL"}, name
            assert container.get("Secrets"), name


def test_every_role_uses_the_redis_cluster_and_accepts_the_previous_token_keys(template):
    """ElastiCache runs in cluster mode, and a token key rotation needs every
    verifier to know the previous keys (docs/operators.md)."""
    api = template["Globals"]["Function"]["Environment"]["Variables"]
    assert api["VIRTUBAR_REDIS_CLUSTER"] == "true"
    assert api["VIRTUBAR_TOKEN_PREVIOUS_SECRETS"] == {"Fn::Sub": "{{resolve:secretsmanager:${TokenPreviousSecrets}}}"}
    edge = template["Resources"]["EdgeTask"]["Properties"]["ContainerDefinitions"][0]
    assert {"Name": "VIRTUBAR_REDIS_CLUSTER", "Value": "true"} in edge["Environment"]
    assert {"Name": "VIRTUBAR_TOKEN_PREVIOUS_SECRETS", "ValueFrom": {"Ref": "TokenPreviousSecrets"}} in edge["Secrets"]
    data = template["Resources"]["SfuLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    script = data["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert "-e VIRTUBAR_REDIS_CLUSTER=true" in script
    assert 'VIRTUBAR_TOKEN_PREVIOUS_SECRETS="$(secret ${TokenPreviousSecrets})"' in script
    assert "GenerateSecretString" in template["Resources"]["TokenPreviousSecrets"]["Properties"]


def test_buckets_are_private_encrypted_and_have_lifecycle_rules(template):
    buckets = resources(template, "AWS::S3::Bucket")
    assert {"AssetsBucket", "UploadsBucket", "EvidenceBucket", "ClientBucket"} <= set(buckets)
    for name, props in buckets.items():
        assert all(props["PublicAccessBlockConfiguration"].values()), name
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], name
        assert props["LifecycleConfiguration"]["Rules"], name
    policies = {p["Bucket"]["Ref"]: p for p in resources(template, "AWS::S3::BucketPolicy").values()}
    for name in buckets:
        statements = policies[name]["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in str(s) for s in statements), name


def test_data_stores_are_private_encrypted_and_pooled(template):
    (db,) = resources(template, "AWS::RDS::DBInstance").values()
    assert db["StorageEncrypted"] and db["PubliclyAccessible"] is False and db["DeletionProtection"]
    (proxy,) = resources(template, "AWS::RDS::DBProxy").values()
    assert proxy["EngineFamily"] == "POSTGRESQL" and proxy["RequireTLS"]
    url_secret = template["Resources"]["DatabaseUrlSecret"]["Properties"]["SecretString"]["Fn::Sub"]
    assert "${DatabaseProxy.Endpoint}" in url_secret  # Lambda connects through the proxy
    (redis,) = resources(template, "AWS::ElastiCache::ReplicationGroup").values()
    assert redis["TransitEncryptionEnabled"] and redis["AtRestEncryptionEnabled"]
    assert redis["CacheParameterGroupName"].endswith(".cluster.on") and redis["NumNodeGroups"] == {"Ref": "RedisShards"}
    assert template["Resources"]["RedisUrlSecret"]["Properties"]["SecretString"]["Fn::Sub"].startswith("rediss://")


def test_the_edge_runs_on_fargate_behind_an_https_alb_and_scales(template):
    (service,) = resources(template, "AWS::ECS::Service").values()
    assert service["LaunchType"] == "FARGATE"
    edge = template["Resources"]["EdgeTask"]["Properties"]["ContainerDefinitions"][0]
    assert edge["Command"][0] == "edge"
    assert {"Name": "VIRTUBAR_EDGE_URL", "Value": {"Fn::Sub": "wss://edge.${DomainName}/ws"}} in edge["Environment"]
    (lb,) = resources(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    assert lb["Type"] == "application"  # an ALB carries WebSockets
    (listener,) = resources(template, "AWS::ElasticLoadBalancingV2::Listener").values()
    assert listener["Protocol"] == "HTTPS"
    policies = resources(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    metrics = str(policies)
    assert "ECSServiceAverageCPUUtilization" in metrics and "ActiveConnectionCount" in metrics


def test_the_sfu_group_has_public_udp_and_runs_the_sfu_and_coturn(template):
    (group,) = resources(template, "AWS::AutoScaling::AutoScalingGroup").values()
    assert group["MinSize"] == {"Ref": "SfuNodes"}
    ingress = template["Resources"]["SfuSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert any(r["IpProtocol"] == "udp" and r["CidrIp"] == "0.0.0.0/0" and r["ToPort"] == 65535 for r in ingress)
    data = template["Resources"]["SfuLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    script = data["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert "--network host" in script and '"${ImageUri}" sfu ' in script
    assert "--use-auth-secret" in script and "VIRTUBAR_SFU_URL=" in script and "VIRTUBAR_REGION=${Region}" in script
    assert 'VIRTUBAR_STUN_URLS="stun:$PUBLIC_IP:3478"' in script  # candidates with the public address
    assert "--denied-peer-ip=10.0.0.0-10.255.255.255" in script and "169.254.0.0" in script  # no relay into the VPC


def test_outputs_name_the_urls_an_operator_needs(template):
    outputs = template["Outputs"]
    assert {"ClientUrl", "ApiUrl", "EdgeUrl", "TurnUrl", "MigrateCommand", "ClientBucketName"} <= set(outputs)
    assert outputs["EdgeUrl"]["Value"]["Fn::Sub"].startswith("wss://")


def test_the_lambda_build_installs_only_pinned_packages():
    pins = {
        line.split("==")[0].lower()
        for line in (ROOT / "infra/constraints.txt").read_text().splitlines()
        if "==" in line
    }
    wanted = [
        re.split(r"[\[=<>]", line)[0].lower()
        for line in (ROOT / "infra/lambda/requirements.txt").read_text().splitlines()
        if line and not line.startswith(("#", "-"))
    ]
    assert wanted and set(wanted) <= pins, set(wanted) - pins
    assert "build-ApiFunction:" in (ROOT / "infra/lambda/Makefile").read_text()


def test_the_lambda_build_carries_every_package_the_api_imports():
    """A module missing from infra/lambda/requirements.txt breaks only in AWS."""
    provided_by = {"argon2": "argon2-cffi", "jwt": "pyjwt", "asyncpg": "piccolo", "botocore": "aioboto3",
                   "pytiled_parser": "pytiled-parser"}
    local_only = {"functions", "virtubar"}  # the launcher, which imports every service, is not shipped
    wanted = {
        re.split(r"[\[=<>]", line)[0].lower()
        for line in (ROOT / "infra/lambda/requirements.txt").read_text().splitlines()
        if line and not line.startswith(("#", "-"))
    }
    sources = [*(ROOT / "functions").glob("*.py"), *(ROOT / "virtubar").glob("*.py")]
    for path in sources:
        if path.name == "serve.py":  # granian's entry point, not the handler's
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module.split(".")[0]]
            else:
                continue
            for module in set(modules) - set(sys.stdlib_module_names) - local_only:
                assert provided_by.get(module, module) in wanted, f"{path.name} imports {module}"
