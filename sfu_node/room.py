"""A room on this node: its members' peers, their speakers' loudness, and the
fan-out from each speaker to the outlets of those who hear them. Video
follows the voice: a listener sees the cameras of the speakers it hears
(the office's proximity bubbles), starting at a key frame the room asks for.

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
from virtubar.lifecycle import spawn
from virtubar.world import World

KEYFRAME_GAP_S = 0.3


class Room:
    def __init__(self, room_id: str, world: World, metrics: Metrics, max_speakers: int = 3) -> None:
        self.id = room_id
        self.scape = Listenerscape(world, max_speakers)
        self.metrics = metrics
        self.peers: dict[str, Peer] = {}
        self.meters: dict[str, LevelMeter] = {}
        self.cameras: dict[str, list] = {}  # speaker → [video receiver, its SSRC once seen]
        self._sinks: dict[str, dict[str, list[Outlet]]] = {"audio": {}, "video": {}}
        self._keyframe_asked: dict[str, float] = {}

    # the position and moderation feed (presence.Platform calls these) -----

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
        peer.on_keyframe_request = self.request_keyframe
        return previous

    def publish(self, user_id: str, receivers: list) -> None:
        """Take a member's tracks: tap each receiver; meter audio, forward both."""
        for receiver in receivers:
            if receiver.track.kind == "audio":
                tap(receiver, self._forwarder(user_id))
            else:
                self.cameras[user_id] = [receiver, None]
                tap(receiver, self._video_forwarder(user_id), mime_type="video/vp8")

    def _forwarder(self, user_id: str):
        meter = self.meters.setdefault(user_id, LevelMeter())
        metrics, sinks = self.metrics, self._sinks["audio"]

        def forward(packet, arrival: float) -> None:
            payload = packet.payload
            metrics.received(len(payload))
            level = packet.extensions.audio_level
            level = level[1] if level is not None else None
            meter.add(level, arrival)
            for outlet in sinks.get(user_id, ()):
                outlet.feed(payload, packet.timestamp, level, arrival, packet.marker)

        return forward

    def _video_forwarder(self, user_id: str):
        metrics, sinks, camera = self.metrics, self._sinks["video"], self.cameras[user_id]

        def forward(packet, arrival: float) -> None:
            camera[1] = packet.ssrc
            metrics.received(len(packet.payload))
            for outlet in sinks.get(user_id, ()):
                outlet.feed(packet.payload, packet.timestamp, None, arrival, packet.marker)

        return forward

    def request_keyframe(self, user_id: str, now: float | None = None) -> bool:
        """Ask ``user_id``'s camera for a key frame (a PLI), at most every
        ``KEYFRAME_GAP_S``: for a new viewer or a viewer's own PLI."""
        camera = self.cameras.get(user_id)
        now = time.monotonic() if now is None else now
        if camera is None or camera[1] is None or now - self._keyframe_asked.get(user_id, -1e9) < KEYFRAME_GAP_S:
            return False
        self._keyframe_asked[user_id] = now
        spawn(camera[0]._send_rtcp_pli(camera[1]))
        return True

    def leave(self, peer: Peer) -> None:
        if self.peers.get(peer.user_id) is peer:
            del self.peers[peer.user_id]
            self.meters.pop(peer.user_id, None)
            self.cameras.pop(peer.user_id, None)
        self.reselect()

    # selection ------------------------------------------------------------

    def reselect(self, now: float | None = None) -> int:
        """Apply every listener's selection; returns how many listeners'
        sets changed."""
        now = time.perf_counter() if now is None else now
        order = ranked({uid: meter.loudness(now) for uid, meter in self.meters.items()})
        changes = 0
        for peer in self.peers.values():
            audio = self.scape.selection(peer.user_id, order)
            changed = peer.show(audio, [sid for sid in audio if sid in self.cameras])
            for outlet in changed:
                if outlet.kind == "video" and outlet.speaker is not None:
                    self.request_keyframe(outlet.speaker)
            changes += bool(changed)
        if changes:
            self.metrics.selection_changes += changes
            self._rebuild_sinks()
        return changes

    def _rebuild_sinks(self) -> None:
        sinks: dict[str, dict[str, list[Outlet]]] = {"audio": defaultdict(list), "video": defaultdict(list)}
        for peer in self.peers.values():
            for outlet in peer.outlets:
                if outlet.speaker is not None:
                    sinks[outlet.kind][outlet.speaker].append(outlet)
        for kind, by_speaker in sinks.items():
            self._sinks[kind].clear()  # in place: the taps hold these dicts
            self._sinks[kind].update(by_speaker)
