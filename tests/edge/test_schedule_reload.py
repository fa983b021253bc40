"""A scheduled focus session survives a data loss of shared state: the API
and a real edge process share one redis-server; after a FLUSHALL the
session's copy for the edge is gone with the functions' marker, the next
schedule request (the client reads the schedule each minute) hands it over
again, and the room's timer still starts by itself at the scheduled time,
with no new RSVP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import redis.asyncio as redis

from functions import create_app as create_api
from infra.localservices import free_port, start_redis
from tests.edge.client import Client
from tests.edge.conftest import ORIGIN, SECRET, EdgeProcess
from tests.sfu.conftest import serving
from virtubar import keys
from virtubar.focus import SCHEDULE_LOADED
from virtubar.moderation import mark_loaded
from virtubar.registry import NodeInfo, Registry
from virtubar.settings import Settings
from virtubar.state import RedisState


async def test_after_a_flushall_a_scheduled_session_comes_back_and_starts_by_itself(tmp_path):
    service = start_redis(tmp_path / "redis")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}"
    api = create_api(Settings(data=tmp_path / "api", port=port, redis_url=service.url, token_secret=SECRET,
                              host="127.0.0.1", requests_per_minute=100_000, signups_per_hour=100_000).completed())
    await api.state["services"].db.migrate()
    server, task = await serving(api, port)
    edge = EdgeProcess(service.url, tmp_path, VIRTUBAR_API_URL=f"{api_url}/api", VIRTUBAR_EDGE_TIMER_MINUTE_MS="1000")
    state = RedisState(service.url)
    socket = None
    try:
        async with httpx.AsyncClient(base_url=api_url, timeout=10) as http:
            async def sign_in(name: str) -> dict:
                me = (await http.post("/api/auth/anonymous", json={"displayName": name})).json()
                return {"Authorization": f"Bearer {me['accessToken']}"}

            host, ada = await sign_in("Host"), await sign_in("Ada")
            body = {"name": "Study Hall", "template": "focus"}
            room = (await http.post("/api/rooms", json=body, headers=host)).json()
            starts = datetime.now(UTC) + timedelta(seconds=8)
            r = await http.post("/api/schedule", headers=host, json={
                "roomId": room["id"], "title": "Morning sprint", "startsAt": starts.isoformat(), "duration": 2})
            assert r.status_code == 201, r.text
            session = r.json()
            assert (await http.post(f"/api/schedule/{session['id']}/rsvp", headers=ada)).status_code == 200
            # a voice node as the join needs one (none runs here: this test is about the timer)
            await Registry(state).announce(NodeInfo(id="sfu-1", kind="sfu", url="ws://sfu-1.test/sfu", region="local",
                                                    capacity=100))
            for _ in range(100):  # until the edge node has announced itself
                joined = await http.post("/api/rooms/join", json={"roomId": room["id"]}, headers=ada)
                if joined.status_code != 503:
                    break
                await asyncio.sleep(0.2)
            assert joined.status_code == 200, joined.text
            ticket = joined.json()
            socket = await Client.connect(ticket["edgeUrl"], origin=ORIGIN)
            await socket.join(room["id"], ticket["realtimeToken"])

            flushing = redis.Redis.from_url(service.url)
            await flushing.flushall()  # the data loss: the session's copy and the marker are gone
            await flushing.aclose()
            await mark_loaded(state, "not what this test is about")  # the sanctions have their own rebuild
            assert not await state.members(keys.room_schedule(room["id"]))

            page = (await http.get("/api/schedule", headers=ada)).json()  # the client's next look at the schedule
            assert [s["title"] for s in page["items"]] == ["Morning sprint"]
            assert session["id"] in await state.members(keys.room_schedule(room["id"]))
            assert await state.members(SCHEDULE_LOADED)

            started = await socket.wait("timer_started", timeout=20)
            assert (started["type"], started["title"]) == ("work", "Morning sprint")
            assert abs(started["endsAtServerMs"] - (int(starts.timestamp() * 1000) + 2000)) < 1000
            await asyncio.sleep(1.0)
            assert len(socket.events("timer_started")) == 1
    finally:
        if socket is not None:
            await socket.close()
        await state.close()
        edge.stop()
        server.stop()
        await asyncio.wait_for(task, 10)
        service.stop()
