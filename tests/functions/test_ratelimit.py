"""Abuse limits at the door: per IP and per user, shared through shared
state, answered with 429 and Retry-After."""

import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from functions.ratelimit import Rule, client_ip, counters


@pytest.fixture
async def strict(settings, state, nodes):
    settings.signups_per_hour = 3
    settings.guests_per_hour = 3
    settings.requests_per_minute = 5
    settings.login_attempts_per_10_min = 4
    app = create_app(settings, state)
    await app.state["services"].db.migrate()
    async with AsyncTestClient(app) as c:
        yield c


async def test_guest_sign_in_is_limited_per_ip_with_retry_after(strict):
    for _ in range(3):
        assert (await strict.post("/api/auth/anonymous")).status_code == 201
    r = await strict.post("/api/auth/anonymous")
    assert r.status_code == 429 and r.headers["content-type"] == "application/problem+json"
    assert 3500 <= int(r.headers["retry-after"]) <= 3600
    assert r.json()["detail"].startswith("Too many guests have joined from your network in the last hour.")
    assert (await strict.get("/api/health")).status_code == 200  # health checks are never limited


async def test_fifty_guests_behind_one_address_all_get_in_and_the_refusal_is_a_sentence(settings, state, nodes):
    settings.requests_per_minute = 100_000
    app = create_app(settings, state)  # the default guest limit: 200 an hour per address
    await app.state["services"].db.migrate()
    async with AsyncTestClient(app) as c:
        codes = []
        for _ in range(50):  # fifty browsers: each its own device cookie
            c.cookies.clear()
            codes.append((await c.post("/api/auth/anonymous")).status_code)
        assert codes == [201] * 50
    settings.guests_per_hour = 50
    app = create_app(settings, state)
    async with AsyncTestClient(app) as c:
        r = await c.post("/api/auth/anonymous")
    assert r.status_code == 429
    assert r.json()["detail"] == ("Too many guests have joined from your network in the last hour. "
                                  "Try again in 60 minutes, or sign in with an account.")


async def test_guests_are_counted_per_browser_too_by_a_signed_device_cookie(settings, state, nodes):
    settings.requests_per_minute = 100_000
    settings.guests_per_device_per_hour = 3
    app = create_app(settings, state)
    await app.state["services"].db.migrate()
    async with AsyncTestClient(app) as c:
        first = await c.post("/api/auth/anonymous")
        assert first.status_code == 201 and "HttpOnly" in first.headers["set-cookie"]
        device = c.cookies["vb_device"]
        codes = [(await c.post("/api/auth/anonymous")).status_code for _ in range(3)]
        assert codes == [201, 201, 429]  # the same browser, a fourth guest within the hour
        assert c.cookies["vb_device"] == device
        r = await c.post("/api/auth/anonymous")
        assert r.json()["detail"] == ("Too many guests have joined from this browser in the last hour. "
                                      "Try again in 60 minutes, or sign in with an account.")
        c.cookies.clear()  # another browser behind the same address
        assert (await c.post("/api/auth/anonymous")).status_code == 201
        assert c.cookies["vb_device"] != device
        c.cookies.clear()
        forged = device.split(".")[0] + "." + "0" * 32  # a made-up signature is no device: counted afresh
        c.cookies.set("vb_device", forged, path="/api/auth")
        r = await c.post("/api/auth/anonymous")
        assert r.status_code == 201 and "vb_device=" in r.headers["set-cookie"]


async def test_requests_are_limited_per_user(strict):
    me = (await strict.post("/api/auth/anonymous")).json()
    h = {"Authorization": f"Bearer {me['accessToken']}"}
    codes = [(await strict.get("/api/rooms", headers=h)).status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]


async def test_password_guessing_is_limited_per_ip_with_retry_after(strict):
    guess = {"login": "someone", "password": "not the password"}
    codes = [(await strict.post("/api/auth/login", json=guess)).status_code for _ in range(5)]
    assert codes == [401] * 4 + [429]
    r = await strict.post("/api/auth/login", json=guess)
    assert r.status_code == 429 and 500 <= int(r.headers["retry-after"]) <= 600


async def test_a_second_instance_on_the_same_state_shares_the_count(settings, state, nodes, strict):
    for _ in range(3):
        await strict.post("/api/auth/anonymous")
    other = create_app(settings, state)
    async with AsyncTestClient(other) as c:
        assert (await c.post("/api/auth/anonymous")).status_code == 429


def test_rules_pick_counters_by_path_method_and_identity():
    rules = (Rule("signup", 1, 60, "ip", "POST", ("/api/auth/anonymous",)), Rule("user", 1, 60, "user"))
    assert [k for _, k in counters(rules, "POST", "/api/auth/anonymous", "1.2.3.4", None)] == ["{rate:signup:1.2.3.4}"]
    assert [k for _, k in counters(rules, "GET", "/api/rooms", "1.2.3.4", "u1")] == ["{rate:user:u1}"]


def test_client_ip_trusts_only_the_configured_proxy_hops():
    scope = {"client": ("10.0.0.5", 1), "headers": [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.7")]}
    assert client_ip(scope, 0) == "10.0.0.5"
    assert client_ip(scope, 1) == "203.0.113.7"  # the spoofed first entry is ignored
