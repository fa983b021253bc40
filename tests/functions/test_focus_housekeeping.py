"""The API's own housekeeping (long-running processes, e.g. the embedded
mode) closes a session whose player left, with nobody asking."""

from __future__ import annotations

import asyncio
import time

import pytest

from virtubar import keys


@pytest.fixture
def settings(settings):
    settings.session_grace_s = 1.0
    return settings


async def test_a_left_session_is_closed_in_the_background(client, player, state):
    ada = await player("Ada")
    room = (await client.post("/api/rooms", json={"name": "Deep", "template": "focus"}, headers=ada["headers"])).json()
    await client.post("/api/rooms/join", json={"roomId": room["id"]}, headers=ada["headers"])
    session = (await client.post("/api/sessions", json={"roomId": room["id"], "goals": ["essay"]},
                                 headers=ada["headers"])).json()
    await asyncio.sleep(2.5)  # present all along: stays open past the grace
    url = f"/api/sessions/{session['id']}"
    assert (await client.get(url, headers=ada["headers"])).json()["status"] == "open"

    await state.drop(keys.room_members(room["id"]), ada["user"]["id"])
    deadline = time.monotonic() + 15
    while (status := (await client.get(url, headers=ada["headers"])).json()["status"]) == "open":
        assert time.monotonic() < deadline, "still open long after the grace"
        await asyncio.sleep(0.25)
    assert status == "abandoned"


async def test_a_schedule_lost_by_shared_state_comes_back_with_nobody_asking(client, player, state):
    """A Redis restart loses the edge's copy of the scheduled sessions: the
    API's housekeeping hands it back, even when no player reads the schedule."""
    from tests.functions.test_rooms import make_room
    from tests.functions.test_schedules import schedule
    from virtubar.focus import SCHEDULE_LOADED

    host = await player("Host")
    room = await make_room(client, host, template="focus")
    made = (await schedule(client, host, room, title="Evening")).json()
    await state.drop(keys.room_schedule(room["id"]), made["id"])  # shared state lost it, marker and all
    await state.drop(SCHEDULE_LOADED, "generation")
    deadline = time.monotonic() + 15
    while made["id"] not in await state.members(keys.room_schedule(room["id"])):
        assert time.monotonic() < deadline, "the schedule was not handed back"
        await asyncio.sleep(0.25)
