"""Decoding what the edge, presence and the functions publish (pure), and
applying it to a room through a real in-process bus and state."""

import asyncio

import msgspec
from aiortc import RTCPeerConnection

from sfu_node import feed
from sfu_node.metrics import Metrics
from sfu_node.peer import Peer
from sfu_node.presence import Platform, room_world
from sfu_node.room import Room
from virtubar import keys, wire
from virtubar.bus import LocalBus, LocalStreams
from virtubar.moderation import AccountClosed, BlocksChanged, ModerationLifted, SanctionInfo, encode_control
from virtubar.state import LocalState
from virtubar.world import default_world


def durable(event) -> bytes:
    return msgspec.json.encode(wire.envelope(event))


def batch(*moves) -> bytes:
    return msgspec.json.encode(
        [wire.envelope(wire.AvatarTransformBroadcast(userId=u, seq=1, x=x, y=0, z=z, rotY=0)) for u, x, z in moves]
    )


def sanction(**kw) -> bytes:
    return msgspec.json.encode(SanctionInfo(reason="r", **kw))


def test_a_move_batch_places_every_member_in_it():
    assert feed.room_facts(batch(("ann", 1, 2), ("bob", 3, 4)), durable=False) == [
        feed.Moved("ann", 1, 2),
        feed.Moved("bob", 3, 4),
    ]


def test_joins_and_leaves_from_the_durable_stream_chat_is_ignored():
    member = wire.Member(userId="ann", displayName="Ann", avatarId="a", x=5, z=6)
    assert feed.room_facts(durable(wire.MemberJoined(member=member)), True) == [feed.Joined("ann", 5, 6)]
    assert feed.room_facts(durable(wire.MemberLeft(userId="ann")), True) == [feed.Left("ann")]
    chat = wire.ChatBroadcast(messageId="1-0", userId="ann", text="hi")
    assert feed.room_facts(durable(chat), True) == []


def test_garbage_on_the_bus_is_no_fact():
    assert feed.room_facts(b"{nope", True) == []
    assert feed.room_facts(b'[{"v":1}]', False) == []
    assert feed.control_fact(b"[]") is None


def test_control_events_become_voice_facts():
    mute = wire.ModerationAction(type="mutedByMod", userId="ann", roomId="r1")
    assert feed.control_fact(encode_control(mute)) == feed.Sanctioned("ann", "r1")
    kick = wire.ModerationAction(type="kicked", userId="ann", roomId="r1")
    assert feed.control_fact(encode_control(kick)) == feed.Removed("ann", "r1")
    ban = wire.ModerationAction(type="banned", userId="ann")
    assert feed.control_fact(encode_control(ban)) == feed.Removed("ann", None)
    lifted = ModerationLifted(type="mute", userId="ann")
    assert feed.control_fact(encode_control(lifted)) == feed.Sanctioned("ann", None)
    assert feed.control_fact(encode_control(BlocksChanged(userId="bob"))) == feed.BlocksReload("bob")
    assert feed.control_fact(encode_control(AccountClosed(userId="cy"))) == feed.Removed("cy", None)


def test_presence_positions_skip_reservations_and_garbage():
    ann = msgspec.json.encode(wire.Member(userId="ann", displayName="Ann", avatarId="a", x=1, z=2))
    assert feed.positions({"ann": ann, "seat": b"", "bad": b"{"}) == [feed.Moved("ann", 1, 2)]


def test_only_a_voice_or_all_mute_in_force_here_silences_the_voice():
    now = 1_000_000
    assert feed.voice_muted([sanction(kind="mute", channels="voice")], "r1", now)
    assert feed.voice_muted([sanction(kind="mute")], "r1", now)
    assert not feed.voice_muted([sanction(kind="mute", channels="chat")], "r1", now)
    assert not feed.voice_muted([sanction(kind="mute", room="r2")], "r1", now)
    assert not feed.voice_muted([sanction(kind="mute", expiresAtMs=now - 1)], "r1", now)
    assert not feed.voice_muted([sanction(kind="ban"), b"junk"], "r1", now)


async def test_the_room_world_is_the_published_one_else_the_bar():
    state = LocalState()
    assert (await room_world(state, "r1")).template == default_world("bar").template
    office = default_world("office")
    await state.put(keys.room_setup("r1"), "world", msgspec.json.encode(office), 60)
    assert (await room_world(state, "r1")).template == "office"
    await state.put(keys.room_setup("r2"), "world", b"{not a world", 60)
    assert (await room_world(state, "r2")).template == "bar"


class Setup:
    def __init__(self) -> None:
        self.state, self.streams = LocalState(), LocalStreams()
        self.edge = LocalBus(self.streams)
        self.rooms: dict[str, Room] = {}
        self.platform = Platform(self.state, LocalBus(self.streams), self.rooms)
        self.platform.bus.reading = True  # as the node's read loop, from the start
        self.room = self.rooms["r1"] = Room("r1", default_world("bar"), Metrics())
        self.removed: list[str] = []
        self.platform.on_removed = lambda room, user: self.removed.append(user)

    def join(self, user: str) -> Peer:
        peer = Peer(user, RTCPeerConnection(), lambda event: None)
        self.room.admit(peer)
        return peer

    async def settle(self) -> None:
        for d in await self.platform.bus.read(0.2):
            await self.platform.apply(d.room, d.data, d.durable)


async def test_positions_are_seeded_from_presence_then_follow_the_bus():
    s = Setup()
    ann = msgspec.json.encode(wire.Member(userId="ann", displayName="Ann", avatarId="a", x=3, z=3))
    await s.state.put(keys.room_members("r1"), "ann", ann, 60)
    await s.state.put(keys.room_members("r1"), "bob", b"", 60)  # a reservation
    await s.platform.opened(s.room)
    assert set(s.room.scape.placements) == {"ann"}
    await s.edge.publish("r1", batch(("ann", 10, 10), ("bob", 4, 3)), durable=False)
    await s.settle()
    assert (s.room.scape.placements["ann"].x, s.room.scape.placements["bob"].x) == (10, 4)
    await s.edge.publish("r1", durable(wire.MemberLeft(userId="ann")))
    await s.settle()
    assert set(s.room.scape.placements) == {"bob"}
    await s.platform.closed("r1")
    await s.edge.publish("r1", batch(("bob", 9, 9)), durable=False)
    await s.settle()
    assert s.room.scape.placements["bob"].x == 4  # no longer followed


async def test_a_voice_mute_silences_a_chat_mute_does_not_and_lifting_restores():
    s = Setup()
    for user in ("ann", "bob"):
        s.join(user)
        s.room.move(user, 3 + (user == "bob"), 3)
    await s.platform.opened(s.room)
    assert s.room.scape.selection("bob", ["ann"]) == ["ann"]
    await s.state.put(keys.user_sanctions("ann"), "m1", sanction(kind="mute", channels="chat"), 60)
    await s.edge.publish_control(encode_control(wire.ModerationAction(type="mutedByMod", userId="ann")))
    await s.settle()
    assert s.room.scape.selection("bob", ["ann"]) == ["ann"]
    await s.state.put(keys.user_sanctions("ann"), "m2", sanction(kind="mute", channels="voice"), 60)
    await s.edge.publish_control(encode_control(wire.ModerationAction(type="mutedByMod", userId="ann")))
    await s.settle()
    assert s.room.scape.selection("bob", ["ann"]) == []
    await s.state.drop(keys.user_sanctions("ann"), "m2")
    await s.edge.publish_control(encode_control(ModerationLifted(type="mute", userId="ann", roomId="r1")))
    await s.settle()
    assert s.room.scape.selection("bob", ["ann"]) == ["ann"]


async def test_blocks_load_at_join_and_reload_on_change_both_ways():
    s = Setup()
    for user in ("ann", "bob"):
        s.join(user)
        s.room.move(user, 3 + (user == "bob"), 3)
    await s.state.put(keys.user_blocks("bob"), "ann", b"", 60)
    await s.platform.admitted(s.room, "bob")
    assert s.room.scape.selection("bob", ["ann"]) == [] and s.room.scape.selection("ann", ["bob"]) == []
    await s.platform.opened(s.room)
    await s.state.drop(keys.user_blocks("bob"), "ann")
    await s.edge.publish_control(encode_control(BlocksChanged(userId="bob")))
    await s.settle()
    assert s.room.scape.selection("bob", ["ann"]) == ["ann"] and s.room.scape.selection("ann", ["bob"]) == ["bob"]


async def test_a_kick_here_ends_the_session_a_kick_elsewhere_does_not():
    s = Setup()
    s.join("ann")
    await s.platform.opened(s.room)
    await s.edge.publish_control(encode_control(wire.ModerationAction(type="kicked", userId="ann", roomId="r2")))
    await s.edge.publish_control(encode_control(wire.ModerationAction(type="kicked", userId="eve", roomId="r1")))
    await s.settle()
    assert s.removed == []
    await s.edge.publish_control(encode_control(wire.ModerationAction(type="banned", userId="ann")))
    await s.settle()
    assert s.removed == ["ann"]
    await asyncio.gather(*(p.close() for p in s.room.peers.values()))


async def test_across_redis_a_room_follows_another_nodes_moves_and_control(redis_url):
    """The cloud mode: the SFU's own Redis state and streams bus, the edge and
    the functions on other connections."""
    from virtubar.bus import RedisStreamsBus
    from virtubar.state import RedisState

    state, edge, mine = RedisState(redis_url), RedisStreamsBus(redis_url), RedisStreamsBus(redis_url)
    rooms = {"rx": Room("rx", default_world("bar"), Metrics())}
    platform = Platform(state, mine, rooms)
    room = rooms["rx"]
    peer = Peer("ann", RTCPeerConnection(), lambda event: None)
    room.admit(peer)
    runner = asyncio.create_task(platform.run())
    try:
        await state.put(
            keys.room_members("rx"),
            "ann",
            msgspec.json.encode(wire.Member(userId="ann", displayName="Ann", avatarId="a", x=3, z=3)),
            60,
        )
        await platform.opened(room)
        assert room.scape.placements["ann"].x == 3
        await edge.publish("rx", batch(("ann", 7, 3), ("bob", 8, 3)), durable=False)
        await state.put(keys.user_sanctions("ann"), "s1", sanction(kind="mute", channels="voice"), 60)
        await edge.publish_control(encode_control(wire.ModerationAction(type="mutedByMod", userId="ann")))
        for _ in range(100):
            if "ann" in room.scape.muted and room.scape.placements["ann"].x == 7:
                break
            await asyncio.sleep(0.05)
        assert room.scape.placements["ann"].x == 7 and room.scape.placements["bob"].x == 8
        assert "ann" in room.scape.muted
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await peer.close()
        await asyncio.gather(state.close(), edge.close(), mine.close())
