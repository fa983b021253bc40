"""The room as the SFU hears it: where each member stands (and so its zone),
moderator mutes and blocks, and in an event room who is on stage (the DJ
playing now, members in a stage zone: heard and seen room-wide,
``virtubar/stage.py``). The edge's presence feeds it through the bus;
tests drive it directly. It holds state only; ``selection`` decides."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

from sfu_node.selection import DEFAULT_MAX_SPEAKERS, Feed, Placement, select, select_video
from virtubar.signaling import Source
from virtubar.world import World


class Listenerscape:
    def __init__(self, world: World, max_speakers: int = DEFAULT_MAX_SPEAKERS) -> None:
        if max_speakers < 1:
            raise ValueError("a listener must be able to hear at least one speaker")
        self.world = world
        self.max_speakers = max_speakers
        self.placements: dict[str, Placement] = {}
        self.muted: set[str] = set()
        self.blocks: dict[str, set[str]] = {}
        self.event = False  # an event room: its DJ and its stage zones reach the whole room
        self.dj: str | None = None
        self.version = 0  # grows on every change that can alter a selection

    def update(self, user_id: str, x: float, z: float) -> Placement:
        """Place a member; its zone (and audio and video rules) comes from the world."""
        if not (math.isfinite(x) and math.isfinite(z)) or not self.world.inside(x, z):
            raise ValueError(f"position ({x}, {z}) is outside the world")
        zone = self.world.zone_at(x, z)
        placement = (
            Placement(user_id, x, z, zone.id, zone.audio_rule, zone.video_rule) if zone else Placement(user_id, x, z)
        )
        if self.event and (user_id == self.dj or (zone is not None and zone.type == "stage")):
            placement = replace(placement, rule="room", video="room")
        if self.placements.get(user_id) != placement:
            self.placements[user_id] = placement
            self.version += 1
        return placement

    def stage(self, event: bool, dj: str | None) -> bool:
        """Whether the room is an event room and who its DJ is now; True
        when that changed (everyone is placed again)."""
        if (event, dj) == (self.event, self.dj):
            return False
        self.event, self.dj = event, dj
        self.rebuild(self.world)
        return True

    def rebuild(self, world: World) -> None:
        """The room's world changed: re-place everyone in it (zones and rules
        follow); a member now outside it is unplaced until its next move."""
        self.world = world
        for user_id, p in list(self.placements.items()):
            try:
                self.update(user_id, p.x, p.z)
            except ValueError:
                del self.placements[user_id]
        self.version += 1

    def remove(self, user_id: str) -> None:
        if self.placements.pop(user_id, None) is not None:
            self.version += 1
        self.muted.discard(user_id)
        self.blocks.pop(user_id, None)

    def mute(self, user_id: str, muted: bool = True) -> None:
        """A moderator's mute: nobody receives the member while muted."""
        (self.muted.add if muted else self.muted.discard)(user_id)
        self.version += 1

    def block(self, by: str, target: str, blocked: bool = True) -> None:
        """``by`` blocks ``target``: neither receives the other."""
        if by == target:
            raise ValueError("a member cannot block themself")
        targets = self.blocks.setdefault(by, set())
        (targets.add if blocked else targets.discard)(target)
        self.version += 1

    def selection(self, listener_id: str, loudest_first: Iterable[str]) -> list[str]:
        """The speakers ``listener_id`` receives; nobody for an unplaced member."""
        listener = self.placements.get(listener_id)
        if listener is None:
            return []
        speakers = (p for sid in loudest_first if (p := self.placements.get(sid)) is not None)
        return select(
            listener,
            speakers,
            radius=self.world.hearingRadius,
            n=self.max_speakers,
            muted=self.muted,
            blocks=self.blocks,
        )

    def videos(self, viewer_id: str, feeds: Iterable[Feed]) -> list[Feed]:
        """The ``(user, source)`` video feeds ``viewer_id`` receives from
        ``feeds`` (loudest first); nothing for an unplaced member."""
        viewer = self.placements.get(viewer_id)
        if viewer is None:
            return []
        placed: Iterable[tuple[Placement, Source]] = (
            (p, source) for uid, source in feeds if (p := self.placements.get(uid)) is not None
        )
        return select_video(viewer, placed, radius=self.world.hearingRadius, blocks=self.blocks)
