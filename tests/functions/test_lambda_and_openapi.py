"""The same API as an AWS Lambda function (mangum) and its OpenAPI 3.1."""

import asyncio
import importlib
import json
import re


def http_api_v2_event(method: str, path: str, token: str, query: str = "") -> dict:
    """An API Gateway HTTP API (payload format 2.0) event, as AWS sends it."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "cookies": [],
        "headers": {
            "authorization": f"Bearer {token}",
            "host": "abc123.execute-api.eu-west-1.amazonaws.com",
            "user-agent": "curl/8.5.0",
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
        },
        "queryStringParameters": dict(p.split("=") for p in query.split("&") if p) or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123",
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:03:00:00 +0000",
            "timeEpoch": 1795316400000,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "curl/8.5.0",
            },
        },
        "body": None,
        "isBase64Encoded": False,
    }


class LambdaContext:
    function_name = "virtubar-api"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


async def test_mangum_handler_answers_an_http_api_v2_event_for_get_rooms(settings, client, player, monkeypatch):
    me = await player()
    await client.post("/api/rooms", json={"name": "Lambda Bar", "template": "bar"}, headers=me["headers"])
    monkeypatch.setenv("VIRTUBAR_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VIRTUBAR_TOKEN_SECRET", settings.token_secret)
    monkeypatch.setenv("VIRTUBAR_DATA", str(settings.data))
    import functions.lambda_handler

    handler = importlib.reload(functions.lambda_handler).handler

    def invoke(event: dict) -> dict:  # a Lambda runtime thread: its own event loop
        asyncio.set_event_loop(asyncio.new_event_loop())
        return handler(event, LambdaContext())

    response = await asyncio.to_thread(
        invoke, http_api_v2_event("GET", "/api/rooms", me["accessToken"], "template=bar")
    )
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert [r["name"] for r in body["items"]] == ["Lambda Bar"]
    denied = await asyncio.to_thread(invoke, http_api_v2_event("GET", "/api/rooms", "junk"))
    assert denied["statusCode"] == 401 and denied["headers"]["content-type"].startswith("application/problem+json")


async def test_openapi_is_3_1_and_covers_every_route(client, app):
    r = await client.get("/api/schema/openapi.json")
    spec = r.json()
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    served = {
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method)
        for route in app.routes
        if route.path.startswith("/api/") and not route.path.startswith(("/api/schema", "/api/docs"))
        for method in getattr(route, "methods", ())
        if method not in ("HEAD", "OPTIONS")
    }
    assert served and served <= documented
    assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    docs = await client.get("/api/schema")
    assert docs.status_code == 200 and "VirtuBar API" in docs.text
