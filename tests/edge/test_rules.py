"""The rules players notice, each through a real socket: rate limit, seq
order, position correction, exclusive seats, zones, moderation, idle
timeout."""

from __future__ import annotations

import asyncio
import time

import msgspec
import pytest

from tests.edge.client import Client
from virtubar import keys, wire
from virtubar.bus import RedisStreamsBus
from virtubar.moderation import ModerationLifted, SanctionInfo, encode_control
from virtubar.state import RedisState
from virtubar.world import default_world, parse_world, to_json


@pytest.fixture
async def player(edge, issuer, room):
    opened: list[Client] = []

    async def make(user: str, platform: str = "desktop", url: str | None = None) -> Client:
        client = await Client.connect(url or edge.url)
        opened.append(client)
        await client.join(room, issuer.issue("realtime", user, room=room, platform=platform, name=user.title()))
        return client

    yield make
    for client in opened:
        await client.close()


def move(room: str, seq: int, x: float, z: float) -> dict:
    return {"roomId": room, "seq": seq, "x": x, "y": 0.0, "z": z, "rotY": 0.0}


async def settle(client: Client, room: str) -> None:
    """Round-trip a heartbeat and wait two ticks so relayed moves have landed."""
    await client.send("heartbeat", roomId=room, clientTimeMs=0)
    await client.wait("heartbeat_ack")
    await asyncio.sleep(0.2)


def last_seq(client: Client, user: str) -> int:
    return max(e["seq"] for e in client.events("avatar_transform_broadcast", userId=user))


async def dropped_for_rate(edge) -> float:
    import httpx

    async with httpx.AsyncClient() as http:
        page = (await http.get(f"{edge.http}/metrics")).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in page.splitlines()
               if line.startswith('virtubar_edge_dropped_total{reason="rate_limit"}'))


@pytest.mark.parametrize(("platform", "rate"), [("desktop", 20), ("mobile", 15)])
async def test_moves_over_the_platform_rate_are_dropped(edge, player, room, platform, rate):
    ann = await player("ann", platform)
    bob = await player("bob")
    before = await dropped_for_rate(edge)
    started = time.monotonic()
    for seq in range(1, 61):  # a burst of 60 tiny steps, as fast as the socket takes them
        await ann.send("avatar_transform", **move(room, seq, 10.5 + seq * 0.001, 7.5))
    await ann.send("heartbeat", roomId=room, clientTimeMs=0)
    await ann.wait("heartbeat_ack")  # the node has handled all 60
    elapsed = time.monotonic() - started
    allowed = rate / 4 + rate * elapsed + 1  # the burst allowance plus what refilled meanwhile
    dropped = await dropped_for_rate(edge) - before
    assert dropped >= 60 - allowed and dropped > 0, (dropped, elapsed)
    await bob.wait("avatar_transform_broadcast", userId="ann")  # what was allowed still moves ann
    await asyncio.sleep(0.5)
    await ann.send("avatar_transform", **move(room, 100, 10.6, 7.5))
    await bob.wait("avatar_transform_broadcast", seq=100)


async def test_stale_and_out_of_order_seq_are_ignored(player, room):
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("avatar_transform", **move(room, 10, 10.6, 7.5))
    await bob.wait("avatar_transform_broadcast", seq=10)
    await asyncio.sleep(0.1)
    await ann.send("avatar_transform", **move(room, 5, 10.7, 7.5))  # older than 10
    await ann.send("avatar_transform", **move(room, 10, 10.7, 7.5))  # a repeat
    await settle(ann, room)
    await ann.send("avatar_transform", **move(room, 11, 10.8, 7.5))
    await bob.wait("avatar_transform_broadcast", seq=11)
    assert [e["seq"] for e in bob.events("avatar_transform_broadcast", userId="ann")] == [10, 11]


@pytest.mark.parametrize(("to", "reason"), [((25.0, 7.5), "bounds"), ((10.5, 2.5), "wall"), ((13.5, 7.5), "speed")])
async def test_impossible_moves_are_corrected_for_the_sender_only(player, room, to, reason):
    ann = await player("ann")  # spawns at (10.5, 7.5) in the bar
    bob = await player("bob")
    await ann.send("avatar_transform", **move(room, 1, *to))
    fix = await ann.wait("position_correction")
    assert fix == {"seq": 1, "x": 10.5, "y": 0.0, "z": 7.5, "reason": reason}
    await settle(ann, room)
    assert bob.events("avatar_transform_broadcast", userId="ann") == []
    assert bob.events("position_correction") == []


async def test_an_exclusive_seat_holds_one_member(player, room, put_world):
    world = to_json(default_world("bar"))
    world["spawns"] = [{"x": 4.5, "z": 5.5}, {"x": 6.0, "z": 5.5}]  # just behind stool-1 and stool-2
    await put_world(room, parse_world(world))
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("avatar_transform", **move(room, 1, 4.5, 4.9))
    await asyncio.sleep(0.1)
    await ann.send("avatar_transform", **move(room, 2, 4.5, 4.1))  # sits on stool-1
    await bob.wait("avatar_transform_broadcast", seq=2)
    await bob.send("avatar_transform", **move(room, 1, 5.6, 5.0))
    await asyncio.sleep(0.15)
    await bob.send("avatar_transform", **move(room, 2, 4.8, 4.2))  # onto stool-1 too
    fix = await bob.wait("position_correction")
    assert (fix["reason"], fix["x"], fix["z"]) == ("occupied", 5.6, 5.0)
    await asyncio.sleep(0.15)
    await bob.send("avatar_transform", **move(room, 3, 6.0, 4.2))  # stool-2 is free
    await ann.wait("avatar_transform_broadcast", userId="bob", seq=3)
    assert bob.events("position_correction") == [fix]


@pytest.fixture
async def office(room, put_world):
    """The office, with the second member spawning on the floor just east of
    meeting room A's door (x 10.5, z 5.5)."""
    world = to_json(default_world("office"))
    world["spawns"] = [{"x": 15.5, "z": 19.5}, {"x": 12.5, "z": 5.5}, {"x": 15.5, "z": 21.5}]
    await put_world(room, parse_world(world))
    return room


async def test_a_meeting_room_keeps_its_moves_but_not_its_member_list(player, office):
    room = office
    ann = await player("ann")
    bob = await player("bob")
    cat = await player("cat")
    assert {m["zoneId"] for m in cat.events("room_state")[0]["members"]} == {"floor"}
    # bob walks west through the door into meeting room A (x 1..10, z 1..9), 0.4 m every 0.1 s
    spawn = bob.events("room_state")[0]["members"][-1]
    x, z = spawn["x"], spawn["z"]
    assert (x, z, spawn["zoneId"]) == (12.5, 5.5, "floor")
    for seq in range(1, 11):
        x = round(x - 0.4, 2)
        await asyncio.sleep(0.1)
        await bob.send("avatar_transform", **move(room, seq, x, z))
    assert bob.events("position_correction") == [], [(c["seq"], c["reason"]) for c in bob.events("position_correction")]
    changed = await ann.wait("zone_changed", userId="bob")
    assert changed == {"userId": "bob", "zoneId": "meeting-a", "previousZoneId": "floor"}
    snapshot = await bob.wait("room_state", zoneId="meeting-a")
    # everyone is still listed, by name; those outside without where they stand
    placed = {m["userId"]: (m.get("x", 0) > 0, m.get("zoneId")) for m in snapshot["members"]}
    assert placed == {"ann": (False, "floor"), "bob": (True, "meeting-a"), "cat": (False, "floor")}
    await settle(bob, room)
    seen_by_ann = len(ann.events("avatar_transform_broadcast", userId="bob"))
    await bob.send("avatar_transform", **move(room, seq + 1, x - 1, z))  # inside the meeting room
    await ann.send("avatar_transform", **move(room, 1, 15.6, 19.5))  # on the floor
    await cat.wait("avatar_transform_broadcast", userId="ann")
    await bob.wait("avatar_transform_broadcast", seq=seq + 1, userId="bob")
    await settle(ann, room)
    assert len(ann.events("avatar_transform_broadcast", userId="bob")) == seen_by_ann
    assert len(cat.events("avatar_transform_broadcast", userId="bob")) == seen_by_ann
    assert bob.events("avatar_transform_broadcast", userId="ann") == []
    # zone chat stays in the zone; room chat reaches everyone
    await bob.send("local_chat", roomId=room, text="meeting only", mode="zone")
    await bob.send("local_chat", roomId=room, text="hello all", mode="room")
    await ann.wait("chat_broadcast", text="hello all")
    assert [c["text"] for c in ann.events("chat_broadcast")] == ["hello all"]
    await bob.send("emote", roomId=room, emoteId="wave")
    await bob.wait("emote_broadcast")
    await settle(ann, room)
    assert ann.events("emote_broadcast") == []


async def test_a_rejoin_inside_a_meeting_room_does_not_tell_outsiders_where(player, office):
    room = office
    ann = await player("ann")
    bob = await player("bob")  # (12.5, 5.5), just east of meeting room A's door
    x, z = 12.5, 5.5
    for seq in range(1, 11):  # into meeting room A
        x = round(x - 0.4, 2)
        await asyncio.sleep(0.1)
        await bob.send("avatar_transform", **move(room, seq, x, z))
    await ann.wait("zone_changed", userId="bob", zoneId="meeting-a")
    await asyncio.sleep(0.3)  # bob's last move is the room's
    ann.seen.clear()
    again = await player("bob")  # a second tab, or a reconnect before the first socket is gone
    assert again.events("room_state")[0]["zoneId"] == "meeting-a"
    joined = await ann.wait("member_joined")
    assert joined["member"]["displayName"] == "Bob" and joined["member"]["zoneId"] == "meeting-a"
    assert (joined["member"].get("x", 0), joined["member"].get("z", 0)) == (0, 0), joined
    cat = await player("cat")  # outside too, told in its room_state: bob listed without where
    listed = {m["userId"]: m for m in cat.events("room_state")[0]["members"]}
    assert (listed["bob"].get("x", 0), listed["bob"].get("z", 0)) == (0, 0)


async def test_local_chat_reaches_only_those_within_hearing(player, office):
    room = office
    ann = await player("ann")  # (15.5, 19.5) on the floor
    bob = await player("bob")  # (12.5, 5.5) on the floor too, 14 m away: beyond the 4 m hearing radius
    cat = await player("cat")  # (15.5, 21.5), 2 m from ann
    assert {m["zoneId"] for m in cat.events("room_state")[0]["members"]} == {"floor"}
    await ann.send("local_chat", roomId=room, text="psst", mode="local")
    await cat.wait("chat_broadcast", text="psst")
    await ann.wait("chat_broadcast", text="psst")
    await ann.send("local_chat", roomId=room, text="everyone on the floor", mode="zone")
    await bob.wait("chat_broadcast", text="everyone on the floor")
    assert [c["text"] for c in bob.events("chat_broadcast")] == ["everyone on the floor"]


async def test_a_local_line_is_replayed_only_to_those_who_could_hear_it(edge, issuer, player, office):
    room = office
    ann = await player("ann")  # (15.5, 19.5) on the floor
    bob = await player("bob")  # (12.5, 5.5) on the floor too, 14 m away: beyond the 4 m hearing radius
    cat = await player("cat")  # (15.5, 21.5), 2 m from ann
    await ann.send("local_chat", roomId=room, text="before", mode="room")
    mark = {c: (await c.wait("chat_broadcast", text="before"))["messageId"] for c in (bob, cat)}
    await ann.send("local_chat", roomId=room, text="psst", mode="local")
    await ann.send("local_chat", roomId=room, text="everyone on the floor", mode="zone")
    await cat.wait("chat_broadcast", text="everyone on the floor")
    await bob.wait("chat_broadcast", text="everyone on the floor")
    assert [c["text"] for c in bob.events("chat_broadcast")] == ["before", "everyone on the floor"]
    for user, old in (("bob", bob), ("cat", cat)):  # both come back where they were, asking for what they missed
        again = await Client.connect(edge.url)
        await again.join(room, issuer.issue("realtime", user, room=room, platform="desktop"), lastMessageId=mark[old])
        await again.wait("chat_broadcast", text="everyone on the floor")
        await settle(again, room)
        heard = [c["text"] for c in again.events("chat_broadcast")]
        assert heard == (["everyone on the floor"] if user == "bob" else ["psst", "everyone on the floor"]), user
        await again.close()


@pytest.fixture
async def moderator(redis_url):
    """Does what the functions do for a moderator's action: mirror the
    sanction into shared state, then announce it on the control stream."""
    bus, state = RedisStreamsBus(redis_url), RedisState(redis_url)

    async def act(room: str, user: str, kind: str, channels: str = "all") -> None:
        if kind in ("banned", "mutedByMod"):
            info = SanctionInfo(kind="ban" if kind == "banned" else "mute", reason="test", room=room, channels=channels)
            await state.put(keys.user_sanctions(user), f"s-{kind}", msgspec.json.encode(info), 600)
        action = wire.ModerationAction(type=kind, reason="test", userId=user, roomId=room)
        await bus.publish_control(encode_control(action))

    async def lift(room: str, user: str, kind: str) -> None:
        await state.drop(keys.user_sanctions(user), f"s-{'banned' if kind == 'ban' else 'mutedByMod'}")
        await bus.publish_control(encode_control(ModerationLifted(type=kind, userId=user, roomId=room)))

    act.lift = lift
    yield act
    await bus.close()
    await state.close()


@pytest.mark.parametrize("kind", ["kicked", "banned"])
async def test_kick_and_ban_tell_then_close(edge, issuer, player, room, moderator, kind):
    ann = await player("ann")
    bob = await player("bob")
    await moderator(room, "ann", kind)
    assert (await ann.wait("moderation_action"))["type"] == kind
    assert await ann.wait_closed() == 4003
    await bob.wait("member_left", userId="ann")
    assert bob.events("moderation_action") == []
    again = await Client.connect(edge.url)  # back at once, with a token issued before the ban
    await again.send("join_room", roomId=room, token=issuer.issue("realtime", "ann", room=room, platform="desktop"))
    if kind == "banned":
        assert (await again.wait("auth_error"))["code"] == "banned"
        await moderator.lift(room, "ann", "ban")  # the ban is read at join: lifted, the next join works
        await again.send("join_room", roomId=room, token=issuer.issue("realtime", "ann", room=room, platform="desktop"))
    await again.wait("room_state")
    await again.close()


async def test_muted_members_chat_is_not_relayed(player, room, moderator):
    ann = await player("ann")
    bob = await player("bob")
    await moderator(room, "ann", "mutedByMod")
    await ann.wait("moderation_action", type="mutedByMod")  # told once the mute holds
    await ann.send("local_chat", roomId=room, text="can you hear me", mode="room")
    await ann.wait("error", code="muted")
    await bob.send("local_chat", roomId=room, text="bob speaks", mode="room")
    await ann.wait("chat_broadcast", text="bob speaks")
    await bob.wait("chat_broadcast", text="bob speaks")
    assert [c["text"] for c in bob.events("chat_broadcast")] == ["bob speaks"]
    await moderator.lift(room, "ann", "mute")
    for attempt in range(10):  # the lift reaches the node a moment later
        await ann.send("local_chat", roomId=room, text=f"back again {attempt}", mode="room")
        await asyncio.sleep(0.5)
        if bob.events("chat_broadcast")[1:]:
            break
    assert bob.events("chat_broadcast")[1]["text"].startswith("back again")


async def test_a_voice_only_mute_leaves_chat_alone(player, room, moderator):
    ann = await player("ann")
    bob = await player("bob")
    await moderator(room, "ann", "mutedByMod", channels="voice")
    await ann.wait("moderation_action", type="mutedByMod")
    await ann.send("local_chat", roomId=room, text="typing still works", mode="room")
    await bob.wait("chat_broadcast", text="typing still works")


async def test_the_rooms_chat_filter_masks_words(player, room, put_world, redis_url):
    state = RedisState(redis_url)
    await state.put(keys.room_setup(room), "chatFilter", msgspec.json.encode(["darn"]), 600)
    await state.close()
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("local_chat", roomId=room, text="Darn, that was close", mode="room")
    assert (await bob.wait("chat_broadcast"))["text"] == "****, that was close"


async def test_a_silent_client_is_dropped(start_edge, issuer, room):
    node = start_edge(VIRTUBAR_EDGE_IDLE_TIMEOUT_S="1.5")
    ann = await Client.connect(node.url)
    await ann.join(room, issuer.issue("realtime", "ann", room=room, platform="desktop"))
    bob = await Client.connect(node.url)
    await bob.join(room, issuer.issue("realtime", "bob", room=room, platform="desktop"))
    for _ in range(8):  # bob keeps talking, ann stays silent
        await bob.send("heartbeat", roomId=room, clientTimeMs=0)
        await asyncio.sleep(0.5)
    assert await ann.wait_closed() == 4000
    await bob.wait("member_left", userId="ann")
    assert bob.closed_with is None
    await bob.close()


async def test_in_a_crowded_zone_far_moves_come_less_often(start_edge, issuer, room, put_world):
    node = start_edge(VIRTUBAR_EDGE_AOI_ZONE_SIZE="2", VIRTUBAR_EDGE_AOI_EVERY="4")
    world = to_json(default_world("bar"))
    world["spawns"] = [{"x": 1.5, "z": 12.5}, {"x": 2.5, "z": 12.5}, {"x": 18.5, "z": 1.5}]  # ann, bob near; cat far
    await put_world(room, parse_world(world))
    clients = []
    for user in ("ann", "bob", "cat"):
        client = await Client.connect(node.url)
        await client.join(room, issuer.issue("realtime", user, room=room, platform="desktop"))
        clients.append(client)
    ann, bob, cat = clients
    for seq in range(1, 41):  # 2 s of small steps at 20 Hz
        await ann.send("avatar_transform", **move(room, seq, 1.5 + (seq % 2) * 0.05, 12.5))
        await asyncio.sleep(0.05)
    await settle(ann, room)
    near, far = len(bob.events("avatar_transform_broadcast")), len(cat.events("avatar_transform_broadcast"))
    assert near >= 20 and 0 < far <= near / 2, (near, far)
    for seq in range(41, 45):  # single steps, then standing still: far viewers still get where she stopped
        await ann.send("avatar_transform", **move(room, seq, 1.5 + (seq % 2) * 0.05, 12.5))
        await cat.wait("avatar_transform_broadcast", userId="ann", seq=seq, timeout=1.0)
        await asyncio.sleep(0.3)
    for client in clients:
        await client.close()


async def test_status_reaches_the_room_and_later_joiners(player, room):
    ann = await player("ann")
    bob = await player("bob")
    await ann.send("set_status", roomId=room, status="break")
    assert await bob.wait("status_changed") == {"userId": "ann", "status": "break"}
    await settle(ann, room)
    cat = await player("cat")
    members = {m["userId"]: m for m in cat.events("room_state")[0]["members"]}
    assert members["ann"]["status"] == "break"


async def test_blocked_players_do_not_see_each_others_chat_or_emotes(player, room, redis_url):
    state = RedisState(redis_url)
    await state.put(keys.user_blocks("ann"), "bob", b"", 600)  # ann blocked bob, as the functions mirror it
    ann = await player("ann")
    bob = await player("bob")
    cat = await player("cat")
    await bob.send("local_chat", roomId=room, text="from bob", mode="room")
    await bob.send("emote", roomId=room, emoteId="wave")
    await ann.send("local_chat", roomId=room, text="from ann", mode="room")
    await cat.wait("chat_broadcast", text="from ann")
    await cat.wait("emote_broadcast", userId="bob")
    await state.close()
    await settle(ann, room)
    await settle(bob, room)
    assert [c["text"] for c in ann.events("chat_broadcast")] == ["from ann"]
    assert ann.events("emote_broadcast") == []
    assert [c["text"] for c in bob.events("chat_broadcast")] == ["from bob"]
