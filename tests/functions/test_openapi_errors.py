"""The OpenAPI document tells a client what errors look like: every
operation lists its problem+json responses with the shape the API sends
(functions/problems.py), and no error shape the API never sends."""

from __future__ import annotations


def resolve(spec: dict, schema: dict) -> dict:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


async def test_every_operation_documents_its_errors_as_problem_json(client):
    spec = (await client.get("/api/schema/openapi.json")).json()
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert len(operations) >= 14
    for path, method, op in operations:
        errors = {int(status): response for status, response in op["responses"].items() if int(status) >= 400}
        assert 500 in errors, (method, path, sorted(errors))
        for status, response in errors.items():
            assert list(response["content"]) == ["application/problem+json"], (method, path, status)
            shape = resolve(spec, response["content"]["application/problem+json"]["schema"])
            assert {"status", "title", "detail"} <= set(shape["required"]), (method, path, status)
            assert "status_code" not in shape["properties"], (method, path, status)


async def test_operations_with_input_list_the_refusals_they_can_meet(client):
    spec = (await client.get("/api/schema/openapi.json")).json()
    create_room = spec["paths"]["/api/rooms"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "422", "429"} <= set(create_room)
    health = spec["paths"]["/api/health"]["get"]["responses"]  # not rate limited
    assert set(health) == {"200", "500"}


async def test_the_docs_page_loads_its_script_from_this_origin(client):
    page = await client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/vendor/scalar/standalone.js">' in page.text
    assert 'data-url="/api/schema/openapi.json"' in page.text
    assert "http://" not in page.text and "https://" not in page.text
