"""Without a provider configured, the sign-in screen offers none and the routes say so."""


async def test_no_provider_no_button_and_a_clear_404(client):
    assert (await client.get("/api/auth/oidc")).json() == {"enabled": False}
    r = await client.post("/api/auth/oidc/start")
    assert r.status_code == 404 and "not configured" in r.json()["detail"]
