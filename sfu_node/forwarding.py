"""Encoded media out of the SFU, never through a codec: each subscriber-side
track is an ``Outlet`` that writes RTP itself. How it sits on aiortc, and
why: ``docs/sfu-forwarding.md``; the aiortc parts it uses are in
``aiortc_hooks``."""

from __future__ import annotations

from collections.abc import Callable

from aiortc.rtcrtpsender import random_sequence_number

from sfu_node import aiortc_hooks, rtp
from sfu_node.rtp import FIRST_BYTE, HEADER
from sfu_node.selection import SILENCE, Feed
from sfu_node.tasks import spawn

CLOCK_RATES = {"audio": 48_000, "video": 90_000}
HISTORY = 256  # video packets kept per outlet for NACK retransmission


class Outlet:
    """One subscriber-side track, fed with the encoded packets of whichever
    feed (``(user, mic | camera | screen)``) is assigned to it, sent at
    once: RTP header with the subscriber's SSRC, payload type, sequence and
    extension ids, one SRTP protect and one ``sendto`` on the ICE pair; no
    coroutine per packet.

    aiortc's own RTP loop for the sender idles; its RTCP loop keeps sending
    sender reports from the counters the wire updates. Switching speakers
    rebases the RTP timestamp so the subscriber's jitter buffer sees one
    continuous stream. Packets fed before the transport connects are dropped.
    """

    def __init__(
        self,
        transceiver,
        on_keyframe_request: Callable[[Feed], object] | None = None,
        listener: str | None = None,
    ) -> None:
        self.transceiver = transceiver
        self.kind = transceiver.kind
        self.listener = listener  # whose outlet (for the log)
        self.carries: Feed | None = None
        self._clock_rate = CLOCK_RATES[self.kind]
        self._video = self.kind == "video"
        self._need_keyframe = self._video  # a switched video stream starts at a keyframe
        self._history: dict[int, bytes] = {}
        self._offset: int | None = None  # speaker timestamp → outgoing timestamp
        self._last_out = 0
        self._last_at = 0.0
        self._seq = random_sequence_number()
        self._wire = None  # (transmit, payload type, SSRC, extension block per audio level)
        self._on_keyframe_request = on_keyframe_request
        if self._video:
            aiortc_hooks.idle_sender(transceiver.sender, self.kind, self._retransmit, self._ask_keyframe)
        else:
            aiortc_hooks.idle_sender(transceiver.sender, self.kind)

    def assign(self, feed: Feed | None) -> bool:
        """Feed this outlet from ``feed`` (None: idle). True if it changed."""
        if feed == self.carries:
            return False
        self.carries = feed
        self._offset = None
        self._need_keyframe = self._video
        return True

    def feed(self, payload: bytes, timestamp: int, level: int | None, arrival: float, marker: int = 0) -> bool:
        """Send one packet of the assigned feed; True if it went out (the
        room counts them for the metrics once per incoming packet)."""
        wire = self._wire or self._connect()
        if wire is None:
            return False
        transmit, pt, ssrc, extensions = wire
        if self._need_keyframe:
            if not rtp.vp8_keyframe_start(payload):
                self._ask_keyframe()  # the first ask can miss (no SSRC seen yet, not yet connected)
                return False
            self._need_keyframe = False
        if self._offset is None:  # a new speaker: continue the stream's timeline
            gap = int((arrival - self._last_at) * self._clock_rate) if self._last_at else 0
            self._offset = (self._last_out + max(gap, 1) - timestamp) & 0xFFFFFFFF
            marker |= not self._video  # audio: a talkspurt starts
        out = (timestamp + self._offset) & 0xFFFFFFFF
        seq = self._seq
        plain = (
            HEADER.pack(FIRST_BYTE, pt | (marker << 7), seq, out, ssrc)
            + extensions[SILENCE if level is None else level]
            + payload
        )
        if self._video:
            self._history[seq % HISTORY] = plain
        if not transmit(plain, len(payload), out):
            return False
        self._seq = (seq + 1) & 0xFFFF
        self._last_out, self._last_at = out, arrival
        return True

    def _ask_keyframe(self) -> None:
        """Ask the publisher of this outlet's feed for a key frame (the room
        rate-limits): a viewer's PLI, or this outlet waiting for one."""
        if self.carries and self._on_keyframe_request:
            self._on_keyframe_request(self.carries)

    async def _retransmit(self, seq: int) -> None:
        """A subscriber's NACK: send the packet again if still kept."""
        plain = self._history.get(seq % HISTORY)
        if plain is not None and self._wire is not None and rtp.sequence_number(plain) == seq:
            self._wire[0](plain)

    def _relay(self, sending) -> None:
        spawn(sending, "sending a packet over TURN", member=self.listener)

    def _connect(self):
        """Once the subscriber's transport is up: its wire, payload type,
        SSRC and the header extensions (one block per audio level)."""
        wire = aiortc_hooks.open_wire(self.transceiver, self._relay)
        if wire is None:
            return None
        ids = wire.extension_ids
        blocks = rtp.level_blocks(ids.get(rtp.MID_URI), wire.mid.encode(), ids.get(rtp.LEVEL_URI))
        self._wire = (wire.transmit, wire.payload_type, wire.ssrc, blocks)
        return self._wire
