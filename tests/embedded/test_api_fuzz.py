"""Property-based: whatever schemathesis derives from our OpenAPI schema,
valid or subtly invalid, the API never answers with a 5xx, and every answer
is one the document declares for that operation (status, content type and
body shape: errors are problem+json as documented)."""

from collections import Counter

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)


def operations(url: str):
    schema = schemathesis.openapi.from_url(f"{url}/api/schema/openapi.json")
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return [result.ok() for result in schema.get_all_operations()]


def signed_in(url: str) -> dict[str, str]:
    token = httpx.post(f"{url}/api/auth/anonymous", json={}).json()["accessToken"]
    return {"Authorization": f"Bearer {token}"}


def test_no_input_makes_the_api_fail_on_our_side(embedded):
    url, _ = embedded
    headers = signed_in(url)
    checked = []
    for operation in operations(url):

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def never_a_server_error(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"

        never_a_server_error()
        checked.append(operation.label)
    assert len(checked) >= 14, checked


def test_every_answer_is_declared_in_the_openapi_document(embedded):
    url, _ = embedded
    headers = signed_in(url)
    seen: Counter[int] = Counter()
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    for operation in operations(url):

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def as_documented(case):
            response = case.call(headers=headers)
            seen[response.status_code] += 1
            case.validate_response(response, checks=checks)

        as_documented()
    assert {200, 201, 404, 422} <= set(seen), seen  # successes and errors were both compared
