"""A room on this node: its members' peers, their speakers' loudness, and the
fan-out from each speaker to the outlets of those who hear them.

``reselect`` runs the pure selection for every listener; the node calls it
on a short tick (loudness changes) and the feed methods (``move``, ``mute``,
``block``) call it at once, so a move takes effect before its next packet.
"""

from __future__ import annotations

import time
from collections import defaultdict

from sfu_node.forwarding import Outlet, tap
from sfu_node.listenerscape import Listenerscape
from sfu_node.metrics import Metrics
from sfu_node.peer import Peer
from sfu_node.selection import LevelMeter, ranked
from virtubar.world import World


class Room:
    def __init__(self, room_id: str, world: World, metrics: Metrics, max_speakers: int = 3) -> None:
        self.id = room_id
        self.scape = Listenerscape(world, max_speakers)
        self.metrics = metrics
        self.peers: dict[str, Peer] = {}
        self.meters: dict[str, LevelMeter] = {}
        self._sinks: dict[str, list[Outlet]] = {}

    # the position and moderation feed (the bus calls these) ---------------

    def move(self, user_id: str, x: float, z: float) -> None:
        self.scape.update(user_id, x, z)
        self.reselect()

    def mute(self, user_id: str, muted: bool = True) -> None:
        self.scape.mute(user_id, muted)
        self.reselect()

    def block(self, by: str, target: str, blocked: bool = True) -> None:
        self.scape.block(by, target, blocked)
        self.reselect()

    def forget(self, user_id: str) -> None:
        """The member left the room (presence): no position, no mutes, no blocks."""
        self.scape.remove(user_id)
        self.reselect()

    # peers ----------------------------------------------------------------

    def admit(self, peer: Peer) -> Peer | None:
        """Add ``peer``; returns the member's previous peer, if any, to close."""
        previous = self.peers.pop(peer.user_id, None)
        self.peers[peer.user_id] = peer
        return previous

    def publish(self, user_id: str, receivers: list) -> None:
        """Take a member's tracks: tap each receiver; meter and forward audio."""
        metrics, sinks = self.metrics, self._sinks

        def count(packet, arrival: float) -> None:
            metrics.received(len(packet.payload))

        for receiver in receivers:  # video is taken (never decoded) but not forwarded yet
            if receiver.track.kind == "audio":
                tap(receiver, self._forwarder(user_id))
            else:
                tap(receiver, count, mime_type="video/vp8")

    def _forwarder(self, user_id: str):
        meter = self.meters.setdefault(user_id, LevelMeter())
        metrics, sinks = self.metrics, self._sinks

        def forward(packet, arrival: float) -> None:
            payload = packet.payload
            metrics.received(len(payload))
            level = packet.extensions.audio_level
            level = level[1] if level is not None else None
            meter.add(level, arrival)
            for outlet in sinks.get(user_id, ()):
                outlet.feed(payload, packet.timestamp, level, arrival, packet.marker)

        return forward

    def leave(self, peer: Peer) -> None:
        if self.peers.get(peer.user_id) is peer:
            del self.peers[peer.user_id]
            self.meters.pop(peer.user_id, None)
        self.reselect()

    # selection ------------------------------------------------------------

    def reselect(self, now: float | None = None) -> int:
        """Apply every listener's selection; returns how many listeners'
        sets changed."""
        now = time.perf_counter() if now is None else now
        order = ranked({uid: meter.loudness(now) for uid, meter in self.meters.items()})
        changes = 0
        for peer in self.peers.values():
            before = [o.speaker for o in peer.outlets]
            peer.show(self.scape.selection(peer.user_id, order))
            if [o.speaker for o in peer.outlets] != before:
                changes += 1
        if changes:
            self.metrics.selection_changes += changes
            self._rebuild_sinks()
        return changes

    def _rebuild_sinks(self) -> None:
        sinks: dict[str, list[Outlet]] = defaultdict(list)
        for peer in self.peers.values():
            for outlet in peer.outlets:
                if outlet.speaker is not None:
                    sinks[outlet.speaker].append(outlet)
        self._sinks.clear()  # in place: the taps hold this dict
        self._sinks.update(sinks)
