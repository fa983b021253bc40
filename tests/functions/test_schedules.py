"""Scheduled focus sessions: a room's host schedules, players see them and
RSVP, the edge is handed each session in shared state; and the owner's
setting that only hosts control the room's timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from tests.functions.test_rooms import make_room
from virtubar import keys
from virtubar.focus import SCHEDULE_LOADED, ScheduledTimer, TimerPolicy


def at(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


async def schedule(client, who, room: dict, **fields):
    body = {"roomId": room["id"], "title": "Deep work", "startsAt": at(30)} | fields
    return await client.post("/api/schedule", json=body, headers=who["headers"])


async def test_a_host_schedules_a_session_players_see_it_and_the_edge_is_handed_it(client, player, state):
    host, ada = await player("Host"), await player("Ada")
    room = await make_room(client, host, name="Study Hall", template="focus", capacity=12)
    r = await schedule(client, host, room, title="Morning sprint", startsAt=at(60), duration=50, breakDuration=10,
                       cycles=2, capacity=8)
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["roomName"], made["hostId"], made["capacity"], made["going"]) == (
        "Study Hall", host["user"]["id"], 8, 0)
    starts, ends = datetime.fromisoformat(made["startsAt"]), datetime.fromisoformat(made["endsAt"])
    assert ends - starts == timedelta(minutes=110)  # 50 work, 10 break, 50 work
    await schedule(client, host, room, title="Later", startsAt=at(300), cycles=1)

    mirrored = await state.members(keys.room_schedule(room["id"]))
    session = msgspec.json.decode(mirrored[made["id"]], type=ScheduledTimer)
    assert (session.duration, session.breakDuration, session.cycles, session.title) == (50, 10, 2, "Morning sprint")
    assert session.startsAtMs == int(starts.timestamp() * 1000)

    for query in (f"?roomId={room['id']}", ""):
        page = (await client.get(f"/api/schedule{query}", headers=ada["headers"])).json()
        assert [s["title"] for s in page["items"]] == ["Morning sprint", "Later"]  # soonest first


async def test_rsvp_takes_a_place_once_until_the_session_is_full(client, player):
    host = await player("Host")
    room = await make_room(client, host, template="focus")
    made = (await schedule(client, host, room, capacity=2)).json()
    ada, bob, cat = await player("Ada"), await player("Bob"), await player("Cat")
    for who in (ada, ada, bob):
        r = await client.post(f"/api/schedule/{made['id']}/rsvp", headers=who["headers"])
        assert r.status_code == 200 and r.json()["attending"], r.text
    assert r.json()["going"] == 2
    full = await client.post(f"/api/schedule/{made['id']}/rsvp", headers=cat["headers"])
    assert full.status_code == 409 and "full" in full.json()["detail"]
    assert (await client.delete(f"/api/schedule/{made['id']}/rsvp", headers=bob["headers"])).status_code == 204
    assert (await client.post(f"/api/schedule/{made['id']}/rsvp", headers=cat["headers"])).status_code == 200
    listed = (await client.get(f"/api/schedule?roomId={room['id']}", headers=bob["headers"])).json()["items"][0]
    assert (listed["going"], listed["attending"]) == (2, False)


async def test_bad_schedules_get_problem_json_and_store_nothing(client, player, state):
    host, other = await player("Host"), await player("Other")
    room = await make_room(client, host, template="focus", capacity=12)
    bar = await make_room(client, host, template="bar")
    cases = [
        (host, room, {"startsAt": at(-30)}, 422, "startsAt"),
        (host, room, {"startsAt": at(60 * 24 * 100)}, 422, "startsAt"),
        (host, room, {"duration": 0}, 422, "duration"),
        (host, room, {"cycles": 13}, 422, "cycles"),
        (host, room, {"capacity": 13}, 422, "capacity"),
        (host, room, {"title": ""}, 422, "title"),
        (host, room, {"startsAt": "tomorrow"}, 422, "startsAt"),
        (host, bar, {}, 422, "roomId"),
        (other, room, {}, 403, None),
    ]
    for who, where, fields, status, field in cases:
        r = await schedule(client, who, where, **fields)
        assert r.status_code == status, (fields, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        if field:
            assert field in r.text, r.text
    assert (await client.get(f"/api/schedule?roomId={room['id']}", headers=host["headers"])).json()["items"] == []
    assert await state.members(keys.room_schedule(room["id"])) == {}
    missing = await client.post(f"/api/schedule/{'0' * 32}/rsvp", headers=host["headers"])
    assert missing.status_code == 404


async def test_the_host_cancels_a_session_and_the_edge_forgets_it(client, player, state):
    host, ada = await player("Host"), await player("Ada")
    room = await make_room(client, host, template="focus")
    made = (await schedule(client, host, room)).json()
    assert (await client.delete(f"/api/schedule/{made['id']}", headers=ada["headers"])).status_code == 403
    assert (await client.delete(f"/api/schedule/{made['id']}", headers=host["headers"])).status_code == 204
    assert await state.members(keys.room_schedule(room["id"])) == {}
    assert (await client.get("/api/schedule", headers=ada["headers"])).json()["items"] == []


async def test_the_owner_restricts_the_timer_to_hosts_and_the_edge_is_told(client, player, state, nodes):
    host, ada = await player("Host"), await player("Ada")
    room = await make_room(client, host, template="focus")
    assert room["timerHostsOnly"] is False
    r = await client.patch(f"/api/rooms/{room['id']}", json={"timerHostsOnly": True}, headers=host["headers"])
    assert r.status_code == 200 and r.json()["timerHostsOnly"] is True
    denied = await client.patch(f"/api/rooms/{room['id']}", json={"timerHostsOnly": False}, headers=ada["headers"])
    assert denied.status_code == 403
    joined = await client.post("/api/rooms/join", json={"roomId": room["id"]}, headers=ada["headers"])
    assert joined.status_code == 200, joined.text
    policy = msgspec.json.decode((await state.members(keys.room_setup(room["id"])))["timer"], type=TimerPolicy)
    assert policy == TimerPolicy(hostsOnly=True, hosts=[host["user"]["id"]])


async def test_a_lost_copy_for_the_edge_comes_back_at_the_next_schedule_read_without_a_new_rsvp(client, player, state):
    host, ada = await player("Host"), await player("Ada")
    room = await make_room(client, host, template="focus")
    made = (await schedule(client, host, room, title="Evening")).json()
    assert (await client.post(f"/api/schedule/{made['id']}/rsvp", headers=ada["headers"])).status_code == 200
    await state.drop(keys.room_schedule(room["id"]), made["id"])  # shared state lost it, marker and all
    await state.drop(SCHEDULE_LOADED, "generation")
    assert (await client.get("/api/schedule", headers=ada["headers"])).status_code == 200
    mirrored = await state.members(keys.room_schedule(room["id"]))
    assert msgspec.json.decode(mirrored[made["id"]], type=ScheduledTimer).title == "Evening"
    await state.drop(keys.room_schedule(room["id"]), made["id"])  # gone while the marker holds: not this path
    await client.get("/api/schedule", headers=ada["headers"])
    assert made["id"] not in await state.members(keys.room_schedule(room["id"]))
