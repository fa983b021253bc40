"""Focus sessions through the API, on SQLite and PostgreSQL: goals, check-off,
completion with achievements, history totals, who may see what, and the
server closing a session its player walked away from."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from functions.security import new_id
from functions.sessions import close_abandoned
from functions.tables import FocusSession
from virtubar import keys, wire

GOALS = ["Write the intro", "Answer email", "Plan tomorrow"]


async def focus_room(client, who) -> str:
    r = await client.post("/api/rooms", json={"name": "Deep work", "template": "focus"}, headers=who["headers"])
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def enter(client, who, room_id: str) -> None:
    r = await client.post("/api/rooms/join", json={"roomId": room_id}, headers=who["headers"])
    assert r.status_code == 200, r.text


async def start(client, who, room_id: str, goals=GOALS, **extra):
    return await client.post("/api/sessions", json={"roomId": room_id, "goals": goals} | extra, headers=who["headers"])


@pytest.fixture
async def ada_in_room(client, player):
    ada = await player("Ada")
    room_id = await focus_room(client, ada)
    await enter(client, ada, room_id)
    return ada, room_id


async def in_app(client, fn, *args):
    """Run ``fn`` on the app's own event loop (its database pool lives there)."""
    return await asyncio.to_thread(client.blocking_portal.call, fn, *args)


async def room_events(node_bus, room_id: str) -> list:
    """The focus events published on the room's streams (as a node reads them)."""
    found = [d for d in await node_bus.read(0.05) if d.room == room_id]
    decoder = msgspec.json.Decoder(wire.ServerMessage)
    return [decoder.decode(d.data).payload for d in found]


async def test_a_session_starts_with_goals_is_checked_off_and_completes_with_achievements(client, ada_in_room):
    ada, room_id = ada_in_room
    r = await start(client, ada, room_id)
    assert r.status_code == 201, r.text
    session = r.json()
    assert [g["text"] for g in session["goals"]] == GOALS and session["status"] == "open"

    r = await client.put(
        f"/api/sessions/{session['id']}", json={"done": [True, True, True], "progress": 70}, headers=ada["headers"]
    )
    assert r.status_code == 200 and r.json()["progress"] == 70
    assert [g["done"] for g in r.json()["goals"]] == [True, True, True]

    r = await client.post(f"/api/sessions/{session['id']}/complete", headers=ada["headers"])
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "completed" and done["endedAt"]
    assert set(done["achievements"]) == {"first_session", "all_goals_done"}
    assert (await client.get(f"/api/sessions/{session['id']}", headers=ada["headers"])).json() == done

    again = await client.post(f"/api/sessions/{session['id']}/complete", headers=ada["headers"])
    assert again.status_code == 409
    late = await client.put(f"/api/sessions/{session['id']}", json={"progress": 5}, headers=ada["headers"])
    assert late.status_code == 409


async def test_only_the_owner_reads_or_changes_a_session(client, player, ada_in_room):
    ada, room_id = ada_in_room
    session = (await start(client, ada, room_id)).json()
    bob = await player("Bob")
    for r in (
        await client.get(f"/api/sessions/{session['id']}", headers=bob["headers"]),
        await client.put(f"/api/sessions/{session['id']}", json={"progress": 50}, headers=bob["headers"]),
        await client.post(f"/api/sessions/{session['id']}/complete", headers=bob["headers"]),
    ):
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    mine = (await client.get(f"/api/sessions/{session['id']}", headers=ada["headers"])).json()
    assert mine["progress"] == 0 and mine["status"] == "open"
    assert (await client.get("/api/sessions/history", headers=bob["headers"])).json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"goals": [f"goal {i}" for i in range(11)]}, "goals"),
        ({"goals": ["x" * 201]}, "goals"),
        ({"goals": ["   "]}, "goals"),
        ({"goals": ["line\nbreak"]}, "goals"),
        ({"goals": "not a list"}, "goals"),
        ({"shareGoals": "yes"}, "shareGoals"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_goals_get_problem_json_and_start_nothing(client, ada_in_room, body, field):
    ada, room_id = ada_in_room
    r = await client.post("/api/sessions", json={"roomId": room_id} | body, headers=ada["headers"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"].startswith(field) for e in r.json()["errors"])
    assert (await client.get("/api/sessions/history", headers=ada["headers"])).json()["total"] == 0


async def test_bad_updates_get_problem_json_and_change_nothing(client, ada_in_room):
    ada, room_id = ada_in_room
    session = (await start(client, ada, room_id)).json()
    url = f"/api/sessions/{session['id']}"
    for body in ({"progress": 101}, {"progress": -1}, {"done": [True]}, {"done": [True] * 11}, {"goals": []}):
        r = await client.put(url, json=body, headers=ada["headers"])
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(url, headers=ada["headers"])).json() == session
    assert (await client.put(url, content=b"{not json", headers=ada["headers"])).status_code == 400
    r = await client.get("/api/sessions/history?utcOffsetMin=5000", headers=ada["headers"])
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


async def test_a_session_needs_the_player_in_an_existing_room_and_only_one_is_open(client, player, ada_in_room):
    ada, room_id = ada_in_room
    assert (await start(client, ada, "f" * 32)).status_code == 404
    bob = await player("Bob")
    assert (await start(client, bob, room_id)).status_code == 409  # never joined it
    first = await start(client, ada, room_id)
    assert first.status_code == 201
    second = await start(client, ada, room_id, goals=["another"])
    assert second.status_code == 409 and first.json()["id"] in second.json()["detail"]


async def test_others_see_counts_unless_the_owner_shares_the_text(client, ada_in_room, node_bus, state):
    ada, room_id = ada_in_room
    await node_bus.subscribe(room_id)
    session = (await start(client, ada, room_id)).json()
    await client.put(f"/api/sessions/{session['id']}", json={"done": [True, False, False]}, headers=ada["headers"])
    started, updated = await room_events(node_bus, room_id)
    assert isinstance(started, wire.FocusSessionStarted) and isinstance(updated, wire.FocusSessionUpdated)
    assert (started.session.goalCount, started.session.doneCount, started.session.goals) == (3, 0, None)
    assert (updated.session.goalCount, updated.session.doneCount, updated.session.goals) == (3, 1, None)
    assert started.session.userId == ada["user"]["id"] and started.session.done is None
    # what a late joiner's room_state is built from
    kept = (await state.members(keys.room_focus_sessions(room_id)))[ada["user"]["id"]]
    assert b"Write the intro" not in kept and msgspec.json.decode(kept)["doneCount"] == 1

    await client.put(f"/api/sessions/{session['id']}", json={"shareGoals": True}, headers=ada["headers"])
    (shared,) = await room_events(node_bus, room_id)
    assert shared.session.goals == GOALS and shared.session.done == [True, False, False]

    await client.post(f"/api/sessions/{session['id']}/complete", headers=ada["headers"])
    (completed,) = await room_events(node_bus, room_id)
    assert isinstance(completed, wire.FocusSessionCompleted) and completed.completed
    assert completed.achievements == ["first_session"]
    assert ada["user"]["id"] not in await state.members(keys.room_focus_sessions(room_id))


async def test_a_session_left_behind_is_closed_after_the_grace_not_completed(
    client, app, ada_in_room, node_bus, state
):
    ada, room_id = ada_in_room
    services = app.state["services"]
    grace = timedelta(seconds=services.settings.session_grace_s)
    session = (await start(client, ada, room_id)).json()
    await node_bus.subscribe(room_id)
    t0 = datetime.now(UTC)

    # still in the room long after the grace: stays open
    assert await in_app(client, close_abandoned, services, t0 + 3 * grace) == 0
    # leaves; back within the grace would have kept it
    await state.drop(keys.room_members(room_id), ada["user"]["id"])
    assert await in_app(client, close_abandoned, services, t0 + 3 * grace + grace / 2) == 0
    assert (await client.get(f"/api/sessions/{session['id']}", headers=ada["headers"])).json()["status"] == "open"
    # gone for longer than the grace: closed, not completed, the room is told
    assert await in_app(client, close_abandoned, services, t0 + 4 * grace + timedelta(seconds=1)) == 1
    closed = (await client.get(f"/api/sessions/{session['id']}", headers=ada["headers"])).json()
    assert closed["status"] == "abandoned" and closed["achievements"] == []
    ended = datetime.fromisoformat(closed["endedAt"])
    assert abs(ended - (t0 + 3 * grace)) < timedelta(seconds=5)  # when she was last seen
    (event,) = await room_events(node_bus, room_id)
    assert isinstance(event, wire.FocusSessionCompleted) and event.completed is False
    assert ada["user"]["id"] not in await state.members(keys.room_focus_sessions(room_id))
    assert await in_app(client, close_abandoned, services, t0 + 10 * grace) == 0  # announced once
    history = (await client.get("/api/sessions/history", headers=ada["headers"])).json()
    assert history["totals"]["sessionsCompleted"] == 0


async def test_a_players_next_request_closes_their_forgotten_session(client, ada_in_room, state):
    """Where no housekeeping runs (Lambda), the player's next visit closes it."""
    ada, room_id = ada_in_room
    session = (await start(client, ada, room_id)).json()
    await state.drop(keys.room_members(room_id), ada["user"]["id"])
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    forgotten = FocusSession.update({FocusSession.seen_at: long_ago}).where(FocusSession.id == session["id"])
    await in_app(client, forgotten.run)
    history = (await client.get("/api/sessions/history", headers=ada["headers"])).json()
    assert history["items"][0]["status"] == "abandoned"
    await enter(client, ada, room_id)
    assert (await start(client, ada, room_id, goals=["fresh start"])).status_code == 201


async def _completed(client, user_id: str, room_id: str, ended: datetime, minutes: int) -> None:
    insert = FocusSession.insert(
        FocusSession(
            id=new_id(),
            user=user_id,
            room=room_id,
            status="completed",
            started_at=ended - timedelta(minutes=minutes),
            seen_at=ended,
            ended_at=ended,
        )
    )
    await in_app(client, insert.run)


async def test_history_is_newest_first_and_adds_up_the_week_and_the_streak(client, ada_in_room):
    ada, room_id = ada_in_room
    me = ada["user"]["id"]
    now = datetime.now(UTC)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    # today and the two days before: a 3-day streak; a gap; one the week before
    for days_ago, minutes in ((0, 25), (1, 50), (2, 25), (4, 30), (9, 45)):
        await _completed(client, me, room_id, now - timedelta(days=days_ago, minutes=1), minutes)
    expected_week = sum(m for d, m in ((0, 25), (1, 50), (2, 25), (4, 30), (9, 45))
                        if now - timedelta(days=d, minutes=1) >= monday)
    r = await client.get("/api/sessions/history?limit=2", headers=ada["headers"])
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 5 and len(body["items"]) == 2
    assert body["totals"] == {"focusedMinutesThisWeek": expected_week, "sessionsCompleted": 5, "streakDays": 3}
    newest = [datetime.fromisoformat(i["endedAt"]) for i in body["items"]]
    assert newest == sorted(newest, reverse=True) and newest[0] > now - timedelta(minutes=2)
    page2 = (await client.get("/api/sessions/history?limit=2&offset=2", headers=ada["headers"])).json()
    assert len(page2["items"]) == 2 and not {i["id"] for i in page2["items"]} & {i["id"] for i in body["items"]}

    # a fourth session today earns the streak and the four-a-day badges
    for i in range(2):
        await _completed(client, me, room_id, now - timedelta(minutes=2 + i), 25)
    session = (await start(client, ada, room_id, goals=[])).json()
    done = (await client.post(f"/api/sessions/{session['id']}/complete", headers=ada["headers"])).json()
    assert set(done["achievements"]) == {"streak_3", "four_today"}
