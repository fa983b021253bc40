"""Preferences: kept per player, validated where they enter, and read by
quick-join to find a focus room of the player's work style."""

from __future__ import annotations

import pytest

from virtubar import keys

DEFAULTS = {
    "workStyle": None,
    "preferredCategories": [],
    "notifications": {"phaseEndSound": True, "browserNotification": False, "volume": 60},
    "accessibility": {"reducedMotion": False, "highContrast": False, "captions": False, "largerText": False},
    "music": {"on": True, "volume": 70},
}
MINE = {
    "workStyle": "music",
    "preferredCategories": ["focus", "office"],
    "notifications": {"phaseEndSound": False, "browserNotification": True, "volume": 20},
    "accessibility": {"reducedMotion": True, "highContrast": True, "captions": True, "largerText": False},
    "music": {"on": False, "volume": 35},
}


async def test_preferences_start_as_defaults_and_are_kept_per_player(client, player):
    ada, bob = await player("Ada"), await player("Bob")
    assert (await client.get("/api/users/preferences", headers=ada["headers"])).json() == DEFAULTS
    r = await client.put("/api/users/preferences", json=MINE, headers=ada["headers"])
    assert r.status_code == 200 and r.json() == MINE
    changed = MINE | {"workStyle": "quiet"}
    assert (await client.put("/api/users/preferences", json=changed, headers=ada["headers"])).json() == changed
    assert (await client.get("/api/users/preferences", headers=ada["headers"])).json() == changed
    assert (await client.get("/api/users/preferences", headers=bob["headers"])).json() == DEFAULTS
    assert (await client.get("/api/users/preferences")).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"workStyle": "loud"},
        {"preferredCategories": ["casino"]},
        {"notifications": {"volume": 101}},
        {"accessibility": {"reducedMotion": "sometimes"}},
        {"accessibility": {"blink": True}},
        {"music": {"volume": 101}},
        {"theme": "dark"},
    ],
)
async def test_bad_preferences_get_problem_json_and_change_nothing(client, player, body):
    ada = await player("Ada")
    await client.put("/api/users/preferences", json=MINE, headers=ada["headers"])
    r = await client.put("/api/users/preferences", json=body, headers=ada["headers"])
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/api/users/preferences", headers=ada["headers"])).json() == MINE


async def focus_room(client, who, style: str | None) -> str:
    body = {"name": f"{style} room", "template": "focus"} | ({"workStyle": style} if style else {})
    r = await client.post("/api/rooms", json=body, headers=who["headers"])
    assert r.status_code == 201 and r.json()["workStyle"] == style
    return r.json()["id"]


async def test_quick_join_prefers_a_focus_room_of_my_work_style(client, player, state):
    host = await player("Host")
    quiet = await focus_room(client, host, "quiet")
    music = await focus_room(client, host, "music")
    for i in range(3):  # the quiet room is fuller: fill-rooms-first alone would pick it
        await state.put(keys.room_members(quiet), f"someone-{i}", b"", 60)

    plain = await player("Plain")
    r = await client.post("/api/rooms/join", json={"template": "focus"}, headers=plain["headers"])
    assert r.json()["roomId"] == quiet

    ada = await player("Ada")
    await client.put("/api/users/preferences", json={"workStyle": "music"}, headers=ada["headers"])
    r = await client.post("/api/rooms/join", json={"template": "focus"}, headers=ada["headers"])
    assert r.status_code == 200 and r.json()["roomId"] == music

    # no room of her style has space: the fullest other one, rather than none
    await client.patch(f"/api/rooms/{music}", json={"capacity": 1}, headers=host["headers"])
    bea = await player("Bea")
    await client.put("/api/users/preferences", json={"workStyle": "music"}, headers=bea["headers"])
    r = await client.post("/api/rooms/join", json={"template": "focus"}, headers=bea["headers"])
    assert r.json()["roomId"] == quiet


async def test_a_room_made_by_quick_join_takes_the_players_work_style(client, player):
    ada = await player("Ada")
    await client.put("/api/users/preferences", json={"workStyle": "check-ins"}, headers=ada["headers"])
    r = await client.post("/api/rooms/join", json={"template": "focus"}, headers=ada["headers"])
    assert r.status_code == 200 and r.json()["room"]["workStyle"] == "check-ins"


async def test_a_room_owner_sets_and_changes_the_work_style(client, player):
    host = await player("Host")
    room = await focus_room(client, host, None)
    r = await client.patch(f"/api/rooms/{room}", json={"workStyle": "quiet"}, headers=host["headers"])
    assert r.status_code == 200 and r.json()["workStyle"] == "quiet"
    bad = await client.patch(f"/api/rooms/{room}", json={"workStyle": "noisy"}, headers=host["headers"])
    assert bad.status_code == 422
    assert (await client.get(f"/api/rooms/{room}", headers=host["headers"])).json()["workStyle"] == "quiet"
