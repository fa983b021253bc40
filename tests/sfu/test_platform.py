"""An SFU on shared state and a bus, over the network: positions from the
edge's streams and presence, voice mutes and kicks from the control stream."""

import asyncio
import time

import msgspec

from sfu_node.presence import WORLD_POLL_S
from tests.sfu.client import VoiceClient
from tests.sfu.media import encode_opus
from tests.sfu.test_voice import until
from virtubar import keys, wire
from virtubar.moderation import SanctionInfo, encode_control
from virtubar.world import default_world, to_json


def present(user: str, x: float, z: float) -> bytes:
    return msgspec.json.encode(wire.Member(userId=user, displayName=user, avatarId="a", x=x, z=z))


def moves(*moved) -> bytes:
    return msgspec.json.encode(
        [wire.envelope(wire.AvatarTransformBroadcast(userId=u, seq=1, x=x, y=0, z=z, rotY=0)) for u, x, z in moved]
    )


async def pair(sfu, room: str = "room-1"):
    for user, x in (("ann", 3), ("bob", 5)):
        await sfu.state.put(keys.room_members(room), user, present(user, x, 3), 60)
    ann = VoiceClient(sfu.url, room, sfu.voice_token("ann", room), opus=encode_opus(440, 10))
    bob = VoiceClient(sfu.url, room, sfu.voice_token("bob", room), raw=True)
    await ann.connect()
    await bob.connect()
    await until(lambda: bob.received_from("ann") > 10)
    return ann, bob


async def stops_within(bob, seconds: float) -> None:
    """Nothing from ann reaches bob ``seconds`` after now (and after that)."""
    asked = time.monotonic()
    await asyncio.sleep(seconds + 0.5)
    assert max(bob.last_packet_at.values()) < asked + seconds
    assert not bob.mids_of("ann")


async def test_positions_seeded_from_presence_then_moves_on_the_bus_steer_selection(platform_sfu):
    sfu = platform_sfu
    ann, bob = await pair(sfu)
    try:
        await sfu.edge.publish("room-1", moves(("bob", 16, 11)), durable=False)  # 15.6 m away
        await stops_within(bob, 1.0)
        await sfu.edge.publish("room-1", moves(("bob", 4, 4)), durable=False)
        await until(lambda: bob.received_from("ann") > 0 and bob.mids_of("ann"), timeout=3)
        await sfu.edge.publish("room-1", msgspec.json.encode(wire.envelope(wire.MemberLeft(userId="ann"))))
        await stops_within(bob, 1.0)
    finally:
        await asyncio.gather(ann.close(), bob.close())


async def test_the_room_hears_by_its_published_world(platform_sfu):
    sfu = platform_sfu
    office = default_world("office")
    await sfu.state.put(keys.room_setup("room-1"), "world", msgspec.json.encode(office), 60)
    ann, bob = await pair(sfu)
    try:
        assert sfu.node.rooms["room-1"].scape.world == office
    finally:
        await asyncio.gather(ann.close(), bob.close())


async def test_a_voice_mute_stops_the_member_within_a_second_a_chat_mute_does_not(platform_sfu):
    sfu = platform_sfu
    ann, bob = await pair(sfu)
    mute = encode_control(wire.ModerationAction(type="mutedByMod", userId="ann", roomId="room-1"))
    try:
        chat_only = SanctionInfo(kind="mute", reason="spam", channels="chat")
        await sfu.state.put(keys.user_sanctions("ann"), "s1", msgspec.json.encode(chat_only), 60)
        await sfu.edge.publish_control(mute)
        await asyncio.sleep(1.0)  # a voice mute would have taken effect by now
        before = bob.received_from("ann")
        await until(lambda: bob.received_from("ann") > before + 25, timeout=3)  # half a second more voice

        voice = SanctionInfo(kind="mute", reason="shouting", channels="voice")
        await sfu.state.put(keys.user_sanctions("ann"), "s2", msgspec.json.encode(voice), 60)
        await sfu.edge.publish_control(mute)
        await stops_within(bob, 1.0)
    finally:
        await asyncio.gather(ann.close(), bob.close())


async def test_a_member_muted_before_joining_is_never_heard(platform_sfu):
    sfu = platform_sfu
    await sfu.state.put(
        keys.user_sanctions("ann"), "s1", msgspec.json.encode(SanctionInfo(kind="mute", reason="r", channels="all")), 60
    )
    for user, x in (("ann", 3), ("bob", 5)):
        await sfu.state.put(keys.room_members("room-1"), user, present(user, x, 3), 60)
    ann = VoiceClient(sfu.url, "room-1", sfu.voice_token("ann"), opus=encode_opus(440, 10))
    bob = VoiceClient(sfu.url, "room-1", sfu.voice_token("bob"), raw=True)
    try:
        await ann.connect()
        await bob.connect()
        await until(lambda: sfu.node.metrics.packets_in > 50)  # a second of ann's voice reached the SFU
        assert bob.received_from("ann") == 0 and sfu.node.metrics.packets_out == 0
    finally:
        await asyncio.gather(ann.close(), bob.close())


async def test_a_kicked_member_loses_its_voice_session(platform_sfu):
    sfu = platform_sfu
    ann, bob = await pair(sfu)
    try:
        await sfu.edge.publish_control(
            encode_control(wire.ModerationAction(type="kicked", userId="ann", roomId="room-1"))
        )
        await until(lambda: "ann" not in sfu.node.rooms["room-1"].peers, timeout=3)
        await until(lambda: ann._ws.close_code is not None, timeout=3)
        assert ann._ws.close_code == 4003
        await stops_within(bob, 1.0)
    finally:
        await asyncio.gather(ann.close(), bob.close())
    assert "room-1" not in sfu.node.rooms


async def test_a_world_republished_mid_room_is_picked_up_by_the_live_room(platform_sfu):
    sfu = platform_sfu
    ann, bob = await pair(sfu)  # the bar, 2 m apart: bob hears ann
    hushed = to_json(default_world("bar"))
    hushed["hearingRadius"] = 1.0
    try:
        await sfu.state.put(keys.room_setup("room-1"), "world", b"{not a world", 60)
        await asyncio.sleep(2.5)  # a broken document keeps the room's world
        assert sfu.node.rooms["room-1"].scape.world == default_world("bar")
        await sfu.state.put(keys.room_setup("room-1"), "world", msgspec.json.encode(hushed), 60)
        await stops_within(bob, WORLD_POLL_S + 0.5)
        assert sfu.node.rooms["room-1"].scape.world.hearingRadius == 1.0
    finally:
        await asyncio.gather(ann.close(), bob.close())


async def test_in_an_event_room_the_dj_playing_now_is_heard_across_the_room(platform_sfu):
    from realtime_edge.features import jukebox_rules

    sfu = platform_sfu
    ann, bob = await pair(sfu)
    set_by_ann = jukebox_rules.Jukebox(
        playing=jukebox_rules.Playing(trackId="t1", title="Loop", durationMs=60_000,
                                      startedAtMs=wire.now_ms(), by="ann"),
        djs=["bob", "ann"])
    try:
        await sfu.edge.publish("room-1", moves(("bob", 16, 11)), durable=False)  # 15.6 m away
        await stops_within(bob, 1.0)
        await sfu.state.swap(keys.room_jukebox("room-1"), "", jukebox_rules.encode(set_by_ann), 60)
        await asyncio.sleep(WORLD_POLL_S + 0.5)  # not an event room: a DJ is heard like anyone
        assert not bob.mids_of("ann")
        await sfu.state.put(keys.room_setup("room-1"), "event", b"true", 60)
        await until(lambda: bool(bob.mids_of("ann")), timeout=WORLD_POLL_S + 3)
        mark = bob.received_from("ann")
        await until(lambda: bob.received_from("ann") > mark + 10, timeout=3)
    finally:
        await asyncio.gather(ann.close(), bob.close())
