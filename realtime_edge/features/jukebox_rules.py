"""The jukebox's rules, apart from any I/O: what queueing, voting and a
track running out do to the jukebox (``realtime_edge/features/jukebox.py``
keeps it in shared state and tells the room).

Each change returns the new jukebox, or a sentence saying why not. Times
are the server's clock in ms; a track's duration always comes from the
catalog the functions mirrored (``keys.room_music``), never from a client.
"""

from __future__ import annotations

import msgspec
from msgspec import Struct

from virtubar import wire

MAX_QUEUE = 50
MAX_QUEUED_EACH = 3
_SPARE_MS = 3_600_000  # how long the jukebox is kept in shared state past its last change's track


class Entry(Struct, kw_only=True, omit_defaults=True):
    trackId: str
    title: str
    durationMs: int
    by: str | None = None
    up: list[str] = []
    atMs: int = 0


class Playing(Struct, kw_only=True, omit_defaults=True):
    trackId: str
    title: str
    durationMs: int
    startedAtMs: int
    by: str | None = None
    skips: list[str] = []
    pausedAtMs: int | None = None  # paused since then: the track holds its place


class Jukebox(Struct, kw_only=True, omit_defaults=True):
    playing: Playing | None = None
    queue: list[Entry] = []
    playlistNext: int = 0  # where the default playlist goes on when nobody queued anything
    djs: list[str] = []  # the DJ rotation, the next DJ first
    djPlayed: dict[str, int] = {}  # how many of each DJ's uploads played: they take turns through their own


_DECODER = msgspec.json.Decoder(Jukebox)


def decode(raw: str | None) -> Jukebox:
    if not raw:
        return Jukebox()
    try:
        return _DECODER.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return Jukebox()


def encode(jb: Jukebox) -> str:
    return msgspec.json.encode(jb).decode()


def ttl_s(jb: Jukebox, now: int) -> float:
    ends = left(jb.playing, now) + now if jb.playing else now
    return max(ends - now, 0) / 1000 + _SPARE_MS / 1000


def left(p: Playing, now: int) -> int:
    """How long the track playing has still to play (held while paused)."""
    return p.startedAtMs + p.durationMs - (p.pausedAtMs if p.pausedAtMs is not None else now)


def pause(jb: Jukebox, paused: bool, now: int) -> Jukebox | str:
    """Pause the track playing where it is, or resume it from there: its
    start moves by the time it was paused, so every client's position holds."""
    p = jb.playing
    if p is None:
        return "nothing is playing"
    if paused == (p.pausedAtMs is not None):
        return "the music is paused already" if paused else "the music is playing already"
    if paused:
        return msgspec.structs.replace(jb, playing=msgspec.structs.replace(p, pausedAtMs=now))
    held = now - (p.pausedAtMs or now)
    return msgspec.structs.replace(jb, playing=msgspec.structs.replace(p, startedAtMs=p.startedAtMs + held,
                                                                       pausedAtMs=None))


def _entry(track: wire.TrackInfo, by: str | None, now: int) -> Entry:
    return Entry(trackId=track.trackId, title=track.title, durationMs=track.durationMs, by=by, atMs=now)


def _play(e: Entry, at: int) -> Playing:
    return Playing(trackId=e.trackId, title=e.title, durationMs=e.durationMs, startedAtMs=at, by=e.by)


def queue(jb: Jukebox, track: wire.TrackInfo, by: str, now: int) -> Jukebox | str:
    """Add a track at the queue's end; it plays at once if nothing does."""
    if any(e.trackId == track.trackId for e in jb.queue):
        return "this track is queued already: vote it up instead"
    if len(jb.queue) >= MAX_QUEUE:
        return f"the queue is full ({MAX_QUEUE} tracks)"
    if sum(e.by == by for e in jb.queue) >= MAX_QUEUED_EACH:
        return f"you have {MAX_QUEUED_EACH} tracks in the queue already"
    entry = _entry(track, by, now)
    if jb.playing is None:
        return msgspec.structs.replace(jb, playing=_play(entry, now))
    return msgspec.structs.replace(jb, queue=[*jb.queue, entry])


def up(jb: Jukebox, track_id: str, voter: str) -> Jukebox | str:
    """One up-vote per member and track; the queue is ordered by up-votes,
    then by when each track was queued."""
    if not any(e.trackId == track_id for e in jb.queue):
        return "this track is not in the queue"
    entries = [
        msgspec.structs.replace(e, up=sorted({*e.up, voter})) if e.trackId == track_id else e for e in jb.queue
    ]
    entries.sort(key=lambda e: (-len(e.up), e.atMs))
    return msgspec.structs.replace(jb, queue=entries)


def skip(jb: Jukebox, track_id: str, voter: str, voters: set[str], now: int, library: Library) -> Jukebox | str:
    """A skip vote on the track playing; more than half of ``voters`` (the
    members by the jukebox) voting skip moves on to the next track now."""
    if jb.playing is None or jb.playing.trackId != track_id:
        return "this track is not playing"
    skips = sorted({*jb.playing.skips, voter})
    counted = len(set(skips) & voters)
    if 2 * counted > len(voters):
        return advance(jb, now, library)
    return msgspec.structs.replace(jb, playing=msgspec.structs.replace(jb.playing, skips=skips))


class Library(Struct, kw_only=True):
    """What the jukebox may play by itself: the default playlist, and each
    track's uploader (for the DJs), from the catalog the functions mirror."""

    playlist: list[wire.TrackInfo] = []
    tracks: list[wire.TrackInfo] = []

    def uploads_of(self, user: str) -> list[wire.TrackInfo]:
        return sorted((t for t in self.tracks if t.uploaderId == user), key=lambda t: t.trackId)


def due(jb: Jukebox, now: int, library: Library) -> bool:
    """Has the track playing run out, or is the jukebox silent with something to play?"""
    if jb.playing is None:
        return bool(jb.queue) or bool(library.playlist) or any(library.uploads_of(d) for d in jb.djs)
    return left(jb.playing, now) <= 0 and jb.playing.pausedAtMs is None


def _dj_turn(jb: Jukebox, at: int, library: Library) -> Jukebox | None:
    """The next DJ with an upload plays their next one; the rotation moves on."""
    for turn, dj in enumerate(jb.djs):
        uploads = library.uploads_of(dj)
        if not uploads:
            continue
        played = jb.djPlayed.get(dj, 0)
        rotation = [*jb.djs[turn + 1:], *jb.djs[:turn + 1]]
        return msgspec.structs.replace(jb, playing=_play(_entry(uploads[played % len(uploads)], dj, at), at),
                                       djs=rotation, djPlayed={**jb.djPlayed, dj: played + 1})
    return None


def advance(jb: Jukebox, at: int, library: Library) -> Jukebox:
    """The next track starts at ``at``: the queue's first, else the next
    DJ's, else the default playlist's next, else silence."""
    if jb.queue:
        return msgspec.structs.replace(jb, playing=_play(jb.queue[0], at), queue=jb.queue[1:])
    if (turn := _dj_turn(jb, at, library)) is not None:
        return turn
    if library.playlist:
        index = jb.playlistNext % len(library.playlist)
        return msgspec.structs.replace(jb, playing=_play(_entry(library.playlist[index], None, at), at),
                                       playlistNext=index + 1)
    return msgspec.structs.replace(jb, playing=None)


def dj(jb: Jukebox, user: str, join: bool, library: Library) -> Jukebox | str:
    """Join the rotation at its end (with an upload of one's own to play), or leave it."""
    if not join:
        if user not in jb.djs:
            return "you are not in the DJ rotation"
        return msgspec.structs.replace(jb, djs=[d for d in jb.djs if d != user])
    if user in jb.djs:
        return "you are in the DJ rotation already"
    if not library.uploads_of(user):
        return "upload a track first: a DJ plays their own uploads"
    if len(jb.djs) >= MAX_QUEUE:
        return "the DJ rotation is full"
    if jb.djs and jb.playing is not None and jb.playing.by == jb.djs[-1]:  # in line before the DJ playing now
        return msgspec.structs.replace(jb, djs=[*jb.djs[:-1], user, jb.djs[-1]])
    return msgspec.structs.replace(jb, djs=[*jb.djs, user])


def end_of(jb: Jukebox, now: int) -> int:
    """When the next track starts after a natural end: the end of the one
    before (so the room does not drift), unless that is long past."""
    if jb.playing is None:
        return now
    ended = jb.playing.startedAtMs + jb.playing.durationMs
    return ended if now - ended < 5000 else now


def music_state(room_id: str, jb: Jukebox, now: int) -> wire.MusicState:
    p = jb.playing
    playing = None if p is None else wire.NowPlaying(
        trackId=p.trackId, title=p.title, durationMs=p.durationMs, startedAtServerMs=p.startedAtMs,
        paused=p.pausedAtMs is not None, pausedAtServerMs=p.pausedAtMs, byUserId=p.by, skipBy=p.skips)
    queued = [wire.QueuedTrack(trackId=e.trackId, title=e.title, durationMs=e.durationMs, byUserId=e.by, upBy=e.up)
              for e in jb.queue]
    return wire.MusicState(roomId=room_id, nowPlaying=playing, queue=queued, serverTimeMs=now, djs=jb.djs)


def learn(jb: Jukebox, event: wire.MusicState) -> Jukebox:
    """What a node's copy takes from a ``music_state`` (its queue order as sent)."""
    p = event.nowPlaying
    playing = None if p is None else Playing(trackId=p.trackId, title=p.title, durationMs=p.durationMs,
                                             startedAtMs=p.startedAtServerMs, by=p.byUserId, skips=p.skipBy,
                                             pausedAtMs=p.pausedAtServerMs if p.paused else None)
    entries = [Entry(trackId=q.trackId, title=q.title, durationMs=q.durationMs, by=q.byUserId, up=q.upBy, atMs=i)
               for i, q in enumerate(event.queue)]
    return msgspec.structs.replace(jb, playing=playing, queue=entries, djs=event.djs)
