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
