"""The room's jukebox: ``queue_track``, ``vote``, ``dj`` and ``pause_music`` in; ``music_state``
(what plays since when, the queue, the votes) to everyone in the room, and
the same in ``room_state`` for a member who joins mid-song.

The jukebox lives in shared state (``keys.room_jukebox``), changed only by
a ``swap`` against the value just read, as the focus timer is
(``features/timer.py``): any node serves it, two nodes changing it at once
cannot both win, and a node's death loses nothing. When a track runs out,
every node hosting the room notices at its housekeeping pass (``watch``)
and the swap picks the one that starts the next track and tells the room.

A track's title and duration come from the room's catalog, which the
functions mirror into shared state (``keys.room_music``) when the library
changes and each time a player opens it; a client names only a track id.
A track not in the catalog (a mirror lost with the shared state) is refused
with ``unknown_track``: the client reads the library again, which rebuilds
the mirror, and queues once more. With nothing queued, each member in the
DJ rotation in turn plays one of their own uploads (the catalog names each
track's uploader); with no DJ, the room's default playlist plays (mirrored
with the catalog). The room's owner and moderators pause and resume it: a
paused track holds its place and keeps the next one from starting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from realtime_edge.connection import Conn
from realtime_edge.entries import Spot
from realtime_edge.feature import Edge, Feature, Route, Rule
from realtime_edge.features import jukebox_rules as rules
from realtime_edge.logs import log
from realtime_edge.ratelimit import Budget
from realtime_edge.room import Room
from realtime_edge.zones import zone_id
from virtubar import keys, wire
from virtubar.focus import TimerPolicy
from virtubar.state import SharedState

NAME = "jukebox"
QUEUES = Budget(0.5, burst=3.0)
"""A track every two seconds, three in a burst."""
VOTES = Budget(1.0, burst=5.0)
_TRACK = msgspec.json.Decoder(wire.TrackInfo)
_IDS = msgspec.json.Decoder(list[str])
_POLICY = msgspec.json.Decoder(TimerPolicy)


@dataclass
class Seen:
    """What this node knows of the room's music (``room.data["jukebox"]``):
    re-read from shared state every few seconds, kept current by the events."""

    jukebox: rules.Jukebox = field(default_factory=rules.Jukebox)
    catalog: dict[str, wire.TrackInfo] = field(default_factory=dict)
    playlist: list[str] = field(default_factory=list)

    def library(self) -> rules.Library:
        return rules.Library(playlist=[self.catalog[t] for t in self.playlist if t in self.catalog],
                             tracks=list(self.catalog.values()))


def _seen(room: Room) -> Seen:
    seen = room.data.get(NAME)
    if not isinstance(seen, Seen):
        seen = room.data[NAME] = Seen()
    return seen


async def _catalog(state: SharedState, room_id: str) -> tuple[dict[str, wire.TrackInfo], list[str]]:
    catalog, playlist = {}, []
    for member, data in (await state.members(keys.room_music(room_id))).items():
        try:
            if member == keys.MUSIC_PLAYLIST:
                playlist = _IDS.decode(data)
            else:
                info = _TRACK.decode(data)
                catalog[info.trackId] = info
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            log("bad_music_catalog", room=room_id, member=member, error=str(e))
    return catalog, playlist


async def load(state: SharedState, room_id: str) -> Seen:
    catalog, playlist = await _catalog(state, room_id)
    return Seen(rules.decode(await state.get(keys.room_jukebox(room_id))), catalog, playlist)


async def _change(edge: Edge, room: Room, make: Callable[[rules.Jukebox], rules.Jukebox | str]
                  ) -> tuple[rules.Jukebox, rules.Jukebox | str]:
    """Read the jukebox, make the new one, swap it in if nobody changed it
    meanwhile (tried again a few times): (the one read, the one now in place or why not)."""
    key, seen = keys.room_jukebox(room.id), _seen(room)
    cur = seen.jukebox
    for _ in range(3):
        raw = await edge.state.get(key)
        cur = seen.jukebox = rules.decode(raw)
        new = make(cur)
        if isinstance(new, str):
            return cur, new
        data = rules.encode(new)
        if await edge.state.swap(key, raw or "", data, rules.ttl_s(new, wire.now_ms())) == data:
            seen.jukebox = new
            return cur, new
    return cur, "the jukebox changed meanwhile: try again"


def voters(room: Room) -> set[str]:
    """The members by the jukebox: in its zone (all the room's members if
    it stands in none, or nobody is there)."""
    box = next((o for o in room.world.objects if o.kind == "jukebox"), None)
    zone = zone_id(room.world, box.x, box.z) if box is not None else None
    near = {m.userId for m in room.zone_members(zone)} if zone is not None else set()
    return near or set(room.members)


async def queue_track(edge: Edge, conn: Conn, p: wire.QueueTrack) -> None:
    room, _ = conn.joined()
    seen = _seen(room)
    seen.catalog, seen.playlist = await _catalog(edge.state, room.id)
    track = seen.catalog.get(p.trackId)
    if track is None:
        edge.refuse(conn, "unknown_track", "this track is not in the room's library: read the library again", p.name)
        return
    _, new = await _change(edge, room, lambda cur: rules.queue(cur, track, conn.user_id, wire.now_ms()))
    if isinstance(new, str):
        edge.refuse(conn, "bad_music", new, p.name)
    else:
        await edge.announce(room.id, rules.music_state(room.id, new, wire.now_ms()))


async def vote(edge: Edge, conn: Conn, p: wire.Vote) -> None:
    room, _ = conn.joined()
    seen, by_box = _seen(room), voters(room)

    def apply(cur: rules.Jukebox) -> rules.Jukebox | str:
        if p.vote == "up":
            return rules.up(cur, p.trackId, conn.user_id)
        return rules.skip(cur, p.trackId, conn.user_id, by_box, wire.now_ms(), seen.library())

    before, new = await _change(edge, room, apply)
    if isinstance(new, str):
        edge.refuse(conn, "bad_music", new, p.name)
        return
    if before.playing is not None and (new.playing is None or new.playing.startedAtMs != before.playing.startedAtMs):
        log("track_skipped", room=room.id, track=before.playing.trackId)
    await edge.announce(room.id, rules.music_state(room.id, new, wire.now_ms()))


async def watch(edge: Edge, room: Room) -> None:
    """Starts the next track when one ran out (or the playlist when the
    jukebox is silent); whichever node's swap wins tells the room."""
    seen, now = _seen(room), wire.now_ms()
    library = seen.library()
    if not rules.due(seen.jukebox, now, library):
        return

    def next_track(cur: rules.Jukebox) -> rules.Jukebox | str:
        at = wire.now_ms()
        return rules.advance(cur, rules.end_of(cur, at), library) if rules.due(cur, at, library) else "done"

    _, new = await _change(edge, room, next_track)
    if not isinstance(new, str):
        await edge.announce(room.id, rules.music_state(room.id, new, wire.now_ms()))


async def _hosts_music(edge: Edge, conn: Conn, room: Room) -> bool:
    """The room's owner (published in its setup with the timer's hosts) and moderators."""
    if conn.role in ("moderator", "admin"):
        return True
    setup = (await edge.state.members(keys.room_setup(room.id))).get("timer")
    try:
        hosts = _POLICY.decode(setup).hosts if setup else []
    except (msgspec.DecodeError, msgspec.ValidationError):
        hosts = []
    return conn.user_id in hosts


async def pause(edge: Edge, conn: Conn, p: wire.PauseMusic) -> None:
    room, _ = conn.joined()
    if not await _hosts_music(edge, conn, room):
        edge.refuse(conn, "hosts_only", "only the room's owner and moderators pause or resume the music", p.name)
        return
    _, new = await _change(edge, room, lambda cur: rules.pause(cur, p.paused, wire.now_ms()))
    if isinstance(new, str):
        edge.refuse(conn, "bad_music", new, p.name)
    else:
        log("music_paused" if p.paused else "music_resumed", room=room.id, user=conn.user_id)
        await edge.announce(room.id, rules.music_state(room.id, new, wire.now_ms()))


async def dj(edge: Edge, conn: Conn, p: wire.Dj) -> None:
    room, _ = conn.joined()
    seen = _seen(room)
    seen.catalog, seen.playlist = await _catalog(edge.state, room.id)
    library = seen.library()
    _, new = await _change(edge, room, lambda cur: rules.dj(cur, conn.user_id, p.join, library))
    if isinstance(new, str):
        edge.refuse(conn, "bad_music", new, p.name)
    else:
        await edge.announce(room.id, rules.music_state(room.id, new, wire.now_ms()))


def everyone(room: Room, event: wire.Event, at: Spot | None, listener: wire.Member) -> bool:
    return True


def learn(room: Room, event: wire.MusicState) -> None:
    seen = _seen(room)
    seen.jukebox = rules.learn(seen.jukebox, event)


def room_state(room: Room) -> dict:
    jb = _seen(room).jukebox
    if jb.playing is None and not jb.queue and not jb.djs:
        return {}
    return {"music": rules.music_state(room.id, jb, wire.now_ms())}


FEATURE = Feature(
    NAME,
    routes={
        wire.QueueTrack.name: Route(queue_track, QUEUES),
        wire.Vote.name: Route(vote, VOTES),
        wire.Dj.name: Route(dj, QUEUES),
        wire.PauseMusic.name: Route(pause, QUEUES),
    },
    rules=(Rule(wire.MusicState, everyone, durable=False, learn=learn),),
    load=load,
    room_state=room_state,
    watch=watch,
)
