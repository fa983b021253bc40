"""Moderators act through function endpoints; every action is audited and
announced on the control stream the edges and SFUs read."""

import asyncio
import uuid
from datetime import UTC, datetime

import msgspec
from litestar.testing import AsyncTestClient

import functions.auditlog
import functions.moderation
from functions import create_app
from virtubar import keys, wire
from virtubar.bus import LocalBus
from virtubar.moderation import SYNC_PATH, ModerationLifted, SanctionInfo, decode_control, loaded
from virtubar.state import LocalState


async def staff(client, role="moderator", admin=None):
    """A registered moderator (granted by a fresh admin) or the admin itself."""
    if admin is None:
        r = await client.post(
            "/api/auth/register", json={"email": "boss@example.org", "username": "boss", "password": "a long password"}
        )
        admin = r.json() | {"headers": {"Authorization": f"Bearer {r.json()['accessToken']}"}}
    if role == "admin":
        return admin
    r = await client.post("/api/auth/anonymous", json={"displayName": "Mod"})
    mod = r.json()
    grant = await client.post(
        "/api/admin/roles",
        json={"userId": mod["user"]["id"], "role": "moderator", "reason": "trusted regular"},
        headers=admin["headers"],
    )
    assert grant.status_code == 200 and grant.json()["role"] == "moderator"
    return mod | {"headers": {"Authorization": f"Bearer {mod['accessToken']}"}}


async def act(client, who, **body):
    return await client.post("/api/moderation/actions", json={"reason": "be kind"} | body, headers=who["headers"])


async def control_events(bus: LocalBus) -> list:
    return [decode_control(d.data) for d in await bus.read(0.05) if d.room is None]


async def room_of(client, owner) -> str:
    r = await client.post("/api/rooms", json={"name": "Pub", "template": "bar"}, headers=owner["headers"])
    return r.json()["id"]


async def test_kick_reaches_the_control_stream_and_the_audit_log(client, player, node_bus):
    mod, troll = await staff(client), await player("Troll")
    room = await room_of(client, mod)
    r = await act(client, mod, type="kick", userId=troll["user"]["id"], roomId=room, reason="spamming")
    assert r.status_code == 201
    assert wire.ModerationAction(type="kicked", reason="spamming", userId=troll["user"]["id"], roomId=room) in (
        await control_events(node_bus)
    )
    log = (await client.get("/api/moderation/audit", headers=mod["headers"])).json()
    entry = log["items"][0]
    assert (entry["action"], entry["targetUserId"], entry["actorId"], entry["reason"], entry["roomId"]) == (
        "kick",
        troll["user"]["id"],
        mod["user"]["id"],
        "spamming",
        room,
    )
    assert {e["action"] for e in log["items"]} == {"kick", "role_moderator"}


async def test_a_banned_player_gets_403_with_reason_and_expiry_at_join(client, player):
    mod, troll = await staff(client), await player("Troll")
    room = await room_of(client, mod)
    r = await act(client, mod, type="ban", userId=troll["user"]["id"], roomId=room, durationS=3600, reason="slurs")
    assert r.status_code == 201 and r.json()["expiresAt"]
    denied = await client.post("/api/rooms/join", json={"roomId": room}, headers=troll["headers"])
    assert denied.status_code == 403
    assert "slurs" in denied.json()["detail"] and "until" in denied.json()["detail"]
    # A room ban keeps them out of that room only: quick-join finds them another.
    other = await client.post("/api/rooms/join", json={"template": "bar"}, headers=troll["headers"])
    assert other.status_code == 200 and other.json()["roomId"] != room


async def test_a_global_ban_keeps_the_player_out_of_every_room(client, player):
    mod, troll = await staff(client), await player()
    await act(client, mod, type="ban", userId=troll["user"]["id"], reason="raids")
    r = await client.post("/api/rooms/join", json={"template": "bar"}, headers=troll["headers"])
    assert r.status_code == 403 and "every room" in r.json()["detail"] and "permanently" in r.json()["detail"]


async def test_a_timed_ban_expires_and_unban_lifts_early(client, player):
    mod, troll = await staff(client), await player()
    room = await room_of(client, mod)
    await act(client, mod, type="ban", userId=troll["user"]["id"], roomId=room, durationS=1)
    assert (await client.post("/api/rooms/join", json={"roomId": room}, headers=troll["headers"])).status_code == 403
    await asyncio.sleep(1.1)
    assert (await client.post("/api/rooms/join", json={"roomId": room}, headers=troll["headers"])).status_code == 200
    await act(client, mod, type="ban", userId=troll["user"]["id"], roomId=room)
    assert (await act(client, mod, type="unban", userId=troll["user"]["id"], roomId=room)).status_code == 201
    assert (await client.post("/api/rooms/join", json={"roomId": room}, headers=troll["headers"])).status_code == 200
    assert (await act(client, mod, type="unban", userId=troll["user"]["id"], roomId=room)).status_code == 404


async def test_mute_is_mirrored_for_nodes_and_unmute_announced(client, player, node_bus, state):
    mod, loud = await staff(client), await player()
    room = await room_of(client, mod)
    await act(client, mod, type="mute", userId=loud["user"]["id"], roomId=room, channels="voice", durationS=600)
    (info,) = (await state.members(keys.user_sanctions(loud["user"]["id"]))).values()
    info = msgspec.json.decode(info, type=SanctionInfo)
    assert info.kind == "mute" and info.silences("voice") and not info.silences("chat") and info.room == room
    await act(client, mod, type="unmute", userId=loud["user"]["id"], roomId=room)
    assert await state.members(keys.user_sanctions(loud["user"]["id"])) == {}
    events = await control_events(node_bus)
    assert events[-1] == ModerationLifted(type="mute", userId=loud["user"]["id"], roomId=room)
    assert events[-2].type == "mutedByMod"


async def test_room_owners_moderate_their_own_room_only(client, player):
    owner, guest = await player("Owner"), await player("Guest")
    mine = await room_of(client, owner)
    theirs = await room_of(client, guest)
    assert (await act(client, owner, type="kick", userId=guest["user"]["id"], roomId=mine)).status_code == 201
    assert (await act(client, owner, type="kick", userId=guest["user"]["id"], roomId=theirs)).status_code == 403
    assert (await act(client, owner, type="ban", userId=guest["user"]["id"])).status_code == 403


async def test_players_cannot_read_the_audit_log_or_the_queue_or_grant_roles(client, player):
    me, other = await player(), await player()
    assert (await client.get("/api/moderation/audit", headers=me["headers"])).status_code == 403
    assert (await client.get("/api/moderation/reports", headers=me["headers"])).status_code == 403
    r = await client.post(
        "/api/admin/roles",
        json={"userId": other["user"]["id"], "role": "moderator", "reason": "me"},
        headers=me["headers"],
    )
    assert r.status_code == 403


async def test_a_demoted_moderator_loses_power_at_once(client, player):
    admin = await staff(client, "admin")
    mod = await staff(client, admin=admin)
    await client.post(
        "/api/admin/roles",
        json={"userId": mod["user"]["id"], "role": "player", "reason": "left"},
        headers=admin["headers"],
    )
    assert (await client.get("/api/moderation/audit", headers=mod["headers"])).status_code == 403


async def test_only_admins_act_on_admins_and_nobody_on_themselves(client, player):
    admin = await staff(client, "admin")
    mod = await staff(client, admin=admin)
    assert (await act(client, mod, type="ban", userId=admin["user"]["id"])).status_code == 403
    assert (await act(client, mod, type="mute", userId=mod["user"]["id"])).status_code == 422


async def test_control_stream_entries_are_seed_001_envelopes(client, player, node_bus):
    mod, troll = await staff(client), await player()
    await act(client, mod, type="ban", userId=troll["user"]["id"], reason="x")
    raw = [d.data for d in await node_bus.read(0.05) if d.room is None][-1]
    envelope = msgspec.json.decode(raw)
    assert set(envelope) == {"v", "t", "ts", "payload"} and envelope["t"] == "moderation_action"


async def test_a_failing_audit_insert_leaves_no_sanction_mirror_or_announce(client, player, node_bus, state,
                                                                            monkeypatch):
    mod, troll = await staff(client), await player("Troll")
    room, troll_id = await room_of(client, mod), troll["user"]["id"]
    taken = (await client.get("/api/moderation/audit", headers=mod["headers"])).json()["items"][0]["id"]
    ids = iter([uuid.uuid4().hex, taken])  # the sanction's id, then the audit line's: one the log already holds
    monkeypatch.setattr(functions.moderation, "new_id", lambda: next(ids))
    monkeypatch.setattr(functions.auditlog, "new_id", lambda: next(ids))  # the audit line's writer
    assert (await act(client, mod, type="ban", userId=troll_id, roomId=room, reason="slurs")).status_code == 500
    monkeypatch.undo()
    assert (await client.post("/api/rooms/join", json={"roomId": room}, headers=troll["headers"])).status_code == 200
    assert await state.members(keys.user_sanctions(troll_id)) == {}
    assert await control_events(node_bus) == []
    log = (await client.get("/api/moderation/audit", headers=mod["headers"])).json()["items"]
    assert [e["action"] for e in log] == ["role_moderator"]


async def test_a_kick_keeps_the_player_out_of_that_room_for_the_cool_down(client, player, state, settings):
    mod, troll = await staff(client), await player("Troll")
    room, other, troll_id = await room_of(client, mod), await room_of(client, mod), troll["user"]["id"]
    r = await act(client, mod, type="kick", userId=troll_id, roomId=room, reason="spamming")
    assert r.status_code == 201
    back = datetime.fromisoformat(r.json()["expiresAt"])
    assert abs((back - datetime.now(UTC)).total_seconds() - settings.kick_cooldown_s) < 30
    denied = await client.post("/api/rooms/join", json={"roomId": room}, headers=troll["headers"])
    assert denied.status_code == 403 and denied.headers["content-type"].startswith("application/problem+json")
    assert "may return at" in denied.json()["detail"] and "spamming" in denied.json()["detail"]
    assert settings.kick_cooldown_s - 30 < int(denied.headers["retry-after"]) <= settings.kick_cooldown_s
    assert (await client.post("/api/rooms/join", json={"roomId": other}, headers=troll["headers"])).status_code == 200
    (info,) = (await state.members(keys.user_sanctions(troll_id))).values()
    info = msgspec.json.decode(info, type=SanctionInfo)
    assert info.kind == "kick" and info.room == room and info.keeps_out and info.refusal().code == "kicked"


async def test_the_api_writes_every_sanction_and_block_into_empty_shared_state_at_start(
    client, player, settings, nodes
):
    mod, troll, loud, ann, bob = await staff(client), await player(), await player(), await player(), await player()
    room = await room_of(client, mod)
    await act(client, mod, type="ban", userId=troll["user"]["id"], reason="raids")
    await act(client, mod, type="mute", userId=loud["user"]["id"], roomId=room, channels="chat", durationS=600)
    await act(client, mod, type="ban", userId=ann["user"]["id"], roomId=room)
    await act(client, mod, type="unban", userId=ann["user"]["id"], roomId=room)  # lifted: not written back
    await client.post("/api/blocks", json={"userId": bob["user"]["id"]}, headers=ann["headers"])
    fresh = LocalState()  # what a restart (embedded) or a data loss (Redis) leaves
    async with AsyncTestClient(create_app(settings, fresh)):
        assert await loaded(fresh)
        banned, muted = [
            [msgspec.json.decode(d, type=SanctionInfo) for d in (await fresh.members(keys.user_sanctions(u))).values()]
            for u in (troll["user"]["id"], loud["user"]["id"])
        ]
        assert [(s.kind, s.room) for s in banned] == [("ban", None)]
        assert [(s.kind, s.room, s.channels) for s in muted] == [("mute", room, "chat")]
        assert 590_000 < muted[0].expiresAtMs - wire.now_ms() <= 600_000  # a timed one keeps its end
        assert await fresh.members(keys.user_sanctions(ann["user"]["id"])) == {}
        assert set(await fresh.members(keys.user_blocks(ann["user"]["id"]))) == {bob["user"]["id"]}


async def test_the_sync_rebuilds_what_shared_state_lost_for_nodes_only(client, player, state, tokens):
    mod, troll = await staff(client), await player()
    await act(client, mod, type="ban", userId=troll["user"]["id"], reason="raids")
    (sanction,) = await state.members(keys.user_sanctions(troll["user"]["id"]))
    await state.drop(keys.user_sanctions(troll["user"]["id"]), sanction)  # lost with its marker
    await state.drop(keys.SANCTIONS_LOADED, "generation")
    sync = "/api" + SYNC_PATH
    assert (await client.post(sync)).status_code == 401
    assert (await client.post(sync, headers=troll["headers"])).status_code == 401  # a player's token is no node's
    node = {"Authorization": f"Bearer {tokens.issue('node', 'edge-1')}"}
    r = await client.post(sync, headers=node)
    assert r.status_code == 200 and r.json() == {"rebuilt": True}
    assert set(await state.members(keys.user_sanctions(troll["user"]["id"]))) == {sanction}
    assert (await client.post(sync, headers=node)).json() == {"rebuilt": False}
