"""Property-based: whatever schemathesis derives from our OpenAPI schema,
valid or subtly invalid, the API never answers with a 5xx."""

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode


def test_no_input_makes_the_api_fail_on_our_side(embedded):
    url, _ = embedded
    token = httpx.post(f"{url}/api/auth/anonymous", json={}).json()["accessToken"]
    schema = schemathesis.openapi.from_url(f"{url}/api/schema/openapi.json")
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def never_a_server_error(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"

        never_a_server_error()
        checked.append(operation.label)
    assert len(checked) >= 14, checked
