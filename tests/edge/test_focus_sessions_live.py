"""Focus sessions reach the room live: the API publishes, a real edge node
relays over redis-server, and other players see counts, not goals."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from tests.edge.client import Client
from tests.edge.conftest import SECRET, eventually
from virtubar.settings import Settings


@pytest.fixture
async def api(redis_url, tmp_path):
    settings = Settings(data=tmp_path, redis_url=redis_url, token_secret=SECRET).completed()
    app = create_app(settings)
    await app.state["services"].db.migrate()
    async with AsyncTestClient(app) as client:
        yield client


async def sign_in(api, name: str) -> dict:
    r = await api.post("/api/auth/anonymous", json={"displayName": name})
    assert r.status_code == 201, r.text
    return r.json() | {"headers": {"Authorization": f"Bearer {r.json()['accessToken']}"}}


def shared_goals(ws: Client) -> list[str]:
    found = [e["session"]["goals"] for e in ws.events("focus_session_updated") if "goals" in e["session"]]
    assert found
    return found[0]


async def test_others_see_a_members_goal_counts_live_and_in_a_late_joiners_room_state(api, edge, issuer):
    ada, bob, cy = [await sign_in(api, n) for n in ("Ada", "Bob", "Cy")]
    r = await api.post("/api/rooms", json={"name": "Deep work", "template": "focus"}, headers=ada["headers"])
    room = r.json()["id"]
    sockets = []

    async def enter(who) -> Client:
        client = await Client.connect(edge.url)
        sockets.append(client)
        await client.join(room, issuer.issue("realtime", who["user"]["id"], room=room, platform="desktop", name="P"))
        return client

    try:
        ada_ws, bob_ws = await enter(ada), await enter(bob)
        r = await api.post(
            "/api/sessions", json={"roomId": room, "goals": ["essay", "email", "plan"]}, headers=ada["headers"]
        )
        assert r.status_code == 201, r.text
        session = r.json()
        started = await bob_ws.wait("focus_session_started", timeout=10)
        assert started["session"] | {"startedAtMs": 0} == {
            "sessionId": session["id"], "userId": ada["user"]["id"], "goalCount": 3, "doneCount": 0,
            "startedAtMs": 0,
        }
        await ada_ws.wait("focus_session_started", timeout=10)  # her own client hears it too

        await api.put(f"/api/sessions/{session['id']}", json={"done": [True, False, False]}, headers=ada["headers"])
        updated = await bob_ws.wait("focus_session_updated", timeout=10)
        assert (updated["session"]["doneCount"], "goals" in updated["session"]) == (1, False)

        cy_state = (await enter(cy)).events("room_state")[0]
        (seen,) = cy_state["focusSessions"]
        assert (seen["userId"], seen["goalCount"], seen["doneCount"], "goals" in seen) == (
            ada["user"]["id"], 3, 1, False)

        await api.put(f"/api/sessions/{session['id']}", json={"shareGoals": True}, headers=ada["headers"])
        assert await eventually(lambda: shared_goals(bob_ws), timeout=10) == ["essay", "email", "plan"]

        await api.post(f"/api/sessions/{session['id']}/complete", headers=ada["headers"])
        completed = await bob_ws.wait("focus_session_completed", timeout=10)
        assert completed["completed"] is True and completed["achievements"] == ["first_session"]
    finally:
        for client in sockets:
            await client.close()
