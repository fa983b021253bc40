"""Who each listener hears and sees: pure selection, apart from any I/O.

A speaker's zone decides who may hear it (the zone's audio rule), the
listener's zone decides what reaches it (a meeting room is private both ways),
moderator mutes and blocks (either way) remove a speaker, and only the ``n``
loudest audible speakers are forwarded, so a listener costs O(n), not
O(people in the room).

Cameras and screen shares follow the zones' video rules the same way (the
office's open floor: within the hearing radius; a meeting or focus room: its
whole zone, a grid; a stage: the room; ``none``: nobody), loudest first, at
most ``MAX_CAMERAS`` tiles and ``MAX_SCREENS`` shares per viewer. Blocks cut
video too; a moderator's voice mute does not.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from virtubar.signaling import Source

SILENCE = 127  # RFC 6464: the level is -dBov, 0 loudest .. 127 silence
DEFAULT_MAX_SPEAKERS = 3
MAX_CAMERAS = 9  # a 3 x 3 grid per viewer
MAX_SCREENS = 2
Feed = tuple[str, Source]  # (user id, mic | camera | screen): what an outlet carries


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a member stands: position, zone and that zone's audio and video rules."""

    user_id: str
    x: float
    z: float
    zone_id: str | None = None
    rule: str = "proximity"  # audio: proximity | zone | room | none
    video: str = "proximity"  # the same choices, for cameras and screens


def _reaches(to: Placement, to_rule: str, source: Placement, rule: str, radius: float) -> bool:
    if to.user_id == source.user_id or rule == "none":
        return False
    if rule == "room":  # a stage reaches the whole room
        return True
    if rule == "zone" or to_rule == "zone":
        return source.zone_id == to.zone_id
    if to_rule == "none":  # a quiet room gets only the stage
        return False
    dx, dz = to.x - source.x, to.z - source.z
    return dx * dx + dz * dz <= radius * radius


def audible(listener: Placement, speaker: Placement, radius: float) -> bool:
    """Whether ``listener`` may hear ``speaker`` by the world's audio rules."""
    return _reaches(listener, listener.rule, speaker, speaker.rule, radius)


def visible(viewer: Placement, publisher: Placement, radius: float) -> bool:
    """Whether ``viewer`` may see ``publisher``'s camera or screen by the video rules."""
    return _reaches(viewer, viewer.video, publisher, publisher.video, radius)


def ranked(loudness: Mapping[str, float]) -> list[str]:
    """Speakers loudest first (ties by id, so selection is stable)."""
    return sorted(loudness, key=lambda user_id: (-loudness[user_id], user_id))


def select(
    listener: Placement,
    speakers: Iterable[Placement],
    *,
    radius: float,
    n: int = DEFAULT_MAX_SPEAKERS,
    muted: AbstractSet[str] = frozenset(),
    blocks: Mapping[str, AbstractSet[str]] | None = None,
) -> list[str]:
    """The ids of at most ``n`` speakers ``listener`` receives, taken in the
    given order (loudest first, see ``ranked``)."""
    blocks = blocks or {}
    mine = blocks.get(listener.user_id, frozenset())
    chosen: list[str] = []
    for speaker in speakers:
        if len(chosen) >= n:
            break
        sid = speaker.user_id
        if sid in muted or sid in mine or listener.user_id in blocks.get(sid, frozenset()):
            continue
        if audible(listener, speaker, radius):
            chosen.append(sid)
    return chosen


def select_video(
    viewer: Placement,
    feeds: Iterable[tuple[Placement, Source]],
    *,
    radius: float,
    cameras: int = MAX_CAMERAS,
    screens: int = MAX_SCREENS,
    blocks: Mapping[str, AbstractSet[str]] | None = None,
) -> list[Feed]:
    """The ``(user id, source)`` video feeds ``viewer`` receives, taken from
    ``feeds`` (publisher, ``camera`` | ``screen``) in the given order
    (loudest first): at most ``cameras`` cameras and ``screens`` screens."""
    blocks = blocks or {}
    mine = blocks.get(viewer.user_id, frozenset())
    room = {"camera": cameras, "screen": screens}
    chosen: list[Feed] = []
    for publisher, source in feeds:
        pid = publisher.user_id
        if not room.get(source) or pid in mine or viewer.user_id in blocks.get(pid, frozenset()):
            continue
        if visible(viewer, publisher, radius):
            chosen.append((pid, source))
            room[source] -= 1
    return chosen


class LevelMeter:
    """A speaker's loudness (0 silent .. 127 loud) averaged over the last
    ``window_s`` seconds of RFC 6464 levels, so one loud packet does not
    steal a slot and a speaker whose packets stop fades to silence."""

    __slots__ = ("_samples", "_sum", "window_s")

    def __init__(self, window_s: float = 0.5) -> None:
        self.window_s = window_s
        self._samples: deque[tuple[float, int]] = deque()
        self._sum = 0

    def add(self, level: int | None, now: float) -> None:
        loud = SILENCE - min(max(level if level is not None else SILENCE, 0), SILENCE)
        self._samples.append((now, loud))
        self._sum += loud
        self._expire(now)

    def loudness(self, now: float) -> float:
        self._expire(now)
        return self._sum / len(self._samples) if self._samples else 0.0

    def _expire(self, now: float) -> None:
        samples, horizon = self._samples, now - self.window_s
        while samples and samples[0][0] < horizon:
            self._sum -= samples.popleft()[1]
