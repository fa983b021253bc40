"""A room on this node: its members' peers, their speakers' loudness, and the
fan-out from each feed (a member's mic, camera or screen) to the outlets of
those who receive it. Who gets which video follows the world's video rules
(``selection.select_video``); a viewer's stream starts at a key frame the
room asks the publisher for.

``reselect`` runs the pure selection for every listener; the node calls it
on a short tick (loudness changes) and the feed methods (``move``, ``mute``,
``block``) call it at once, so a move takes effect before its next packet.
"""

from __future__ import annotations

import time
from collections import defaultdict

from aiortc.rtcrtpreceiver import RTCRtpReceiver

from sfu_node import aiortc_hooks
from sfu_node.forwarding import Outlet
from sfu_node.intake import drain
from sfu_node.listenerscape import Listenerscape
from sfu_node.metrics import Metrics
from sfu_node.peer import Peer
from sfu_node.selection import Feed, LevelMeter, ranked
from sfu_node.tasks import spawn
from virtubar.signaling import Source
from virtubar.world import World

KEYFRAME_GAP_S = 0.3


class Room:
    def __init__(self, room_id: str, world: World, metrics: Metrics, max_speakers: int = 3) -> None:
        self.id = room_id
        self.scape = Listenerscape(world, max_speakers)
        self.metrics = metrics
        self.peers: dict[str, Peer] = {}
        self.meters: dict[str, LevelMeter] = {}
        self.videos: dict[Feed, list] = {}  # (user, camera | screen) → [receiver, its SSRC once seen]
        self._sinks: dict[str, dict[Feed, list[Outlet]]] = {"audio": {}, "video": {}}
        self._keyframe_asked: dict[Feed, float] = {}
        self._generation = 0  # grows when members or their published tracks change
        self._applied: tuple | None = None  # what the last reselect read

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

    def rewrite(self, world: World) -> None:
        """The room's world was republished: zones and rules follow at once."""
        self.scape.rebuild(world)
        self.reselect()

    def stage(self, event: bool, dj: str | None) -> None:
        """An event room's DJ (or the room's event setting) changed."""
        if self.scape.stage(event, dj):
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
        peer.room_id = self.id
        self._generation += 1
        return previous

    def publish(self, user_id: str, tracks: list[tuple[RTCRtpReceiver, Source]], sending: set[Source]) -> None:
        """Take a member's offer: tap each new receiver (meter audio, forward
        both; a newer track of a source replaces the older), read its
        sockets in batches (``intake``) and forget the videos it no longer
        sends (a camera switched off), so viewers' tiles are released at
        once."""
        self._generation += 1
        for key in [k for k in self.videos if k[0] == user_id and k[1] not in sending]:
            del self.videos[key]
        for receiver, source in tracks:
            drain(aiortc_hooks.ice_connection(receiver), self.metrics)
            if receiver.track.kind == "audio":
                aiortc_hooks.tap(receiver, self._forwarder(user_id))
            else:
                feed = self.videos[(user_id, source)] = [receiver, None]
                aiortc_hooks.tap(receiver, self._video_forwarder((user_id, source), feed), mime_type="video/vp8")

    def _forwarder(self, user_id: str):
        meter = self.meters.setdefault(user_id, LevelMeter())
        metrics, sinks = self.metrics, self._sinks["audio"]
        key: Feed = (user_id, "mic")

        def forward(packet, arrival: float) -> None:
            payload, timestamp, marker = packet.payload, packet.timestamp, packet.marker
            metrics.received(len(payload))
            level = packet.extensions.audio_level
            level = level[1] if level is not None else None
            meter.add(level, arrival)
            _fan_out(sinks.get(key, ()), metrics, payload, timestamp, level, arrival, marker)

        return forward

    def _video_forwarder(self, key: Feed, feed: list):
        metrics, sinks, videos = self.metrics, self._sinks["video"], self.videos

        def forward(packet, arrival: float) -> None:
            if videos.get(key) is not feed:  # replaced by a newer track, or its member left
                return
            feed[1] = packet.ssrc
            payload, timestamp, marker = packet.payload, packet.timestamp, packet.marker
            metrics.received(len(payload))
            _fan_out(sinks.get(key, ()), metrics, payload, timestamp, None, arrival, marker)

        return forward

    def request_keyframe(self, key: Feed, now: float | None = None) -> bool:
        """Ask the publisher of video feed ``key`` for a key frame (a PLI), at
        most every ``KEYFRAME_GAP_S``: for a new viewer or a viewer's own PLI."""
        feed = self.videos.get(key)
        now = time.monotonic() if now is None else now
        if feed is None or feed[1] is None or now - self._keyframe_asked.get(key, -1e9) < KEYFRAME_GAP_S:
            return False
        self._keyframe_asked[key] = now
        spawn(aiortc_hooks.send_pli(feed[0], feed[1]), f"asking for a {key[1]} key frame", room=self.id, member=key[0])
        return True

    def leave(self, peer: Peer) -> None:
        self._generation += 1
        if self.peers.get(peer.user_id) is peer:
            del self.peers[peer.user_id]
            self.meters.pop(peer.user_id, None)
            for key in [k for k in self.videos if k[0] == peer.user_id]:
                del self.videos[key]
        self.reselect()

    # selection ------------------------------------------------------------

    def reselect(self, now: float | None = None) -> int:
        """Apply every listener's selection; returns how many listeners'
        sets changed. Skipped while nothing it reads changed (the loudness
        order, positions, mutes and blocks, members, video feeds, outlets)
        and no listener waits for outlets: most ticks change nothing."""
        now = time.perf_counter() if now is None else now
        order = ranked({uid: meter.loudness(now) for uid, meter in self.meters.items()})
        rank = {uid: i for i, uid in enumerate(order)}
        feeds = sorted(self.videos, key=lambda k: (rank.get(k[0], len(rank)), k))  # loudest first
        peers = self.peers.values()
        inputs = (self._generation, self.scape.version, order, feeds, sum(len(p.outlets) for p in peers))
        if inputs == self._applied and not any(p.waiting for p in peers):
            return 0
        self._applied = inputs
        changes = 0
        for peer in peers:
            audio: list[Feed] = [(sid, "mic") for sid in self.scape.selection(peer.user_id, order)]
            changed = peer.show(audio, self.scape.videos(peer.user_id, feeds) if feeds else [])
            for outlet in changed:
                if outlet.kind == "video" and outlet.carries is not None:
                    self.request_keyframe(outlet.carries)
            changes += bool(changed)
        if changes:
            self.metrics.selection_changes += changes
            self._rebuild_sinks()
        return changes

    def _rebuild_sinks(self) -> None:
        sinks: dict[str, dict[Feed, list[Outlet]]] = {"audio": defaultdict(list), "video": defaultdict(list)}
        for peer in self.peers.values():
            for outlet in peer.outlets:
                if outlet.carries is not None:
                    sinks[outlet.kind][outlet.carries].append(outlet)
        for kind, by_speaker in sinks.items():
            self._sinks[kind].clear()  # in place: the taps hold these dicts
            self._sinks[kind].update(by_speaker)


def _fan_out(outlets, metrics: Metrics, payload: bytes, timestamp: int, level, arrival: float, marker: int) -> None:
    """One incoming packet to each outlet; the metrics once per packet."""
    sent = 0
    for outlet in outlets:
        sent += outlet.feed(payload, timestamp, level, arrival, marker)
    if sent:
        metrics.forwarded(sent, len(payload), time.perf_counter() - arrival)
