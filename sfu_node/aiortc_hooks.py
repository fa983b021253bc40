"""Every private part of aiortc, aioice and asyncio the SFU relies on, and
nowhere else in ``sfu_node``: the rest of the node calls the small named
functions below. Why each hook exists and what it replaces:
``docs/sfu-forwarding.md``.

The hooks were written against aiortc 1.16.0 and aioice 0.13.0; importing
this module with other versions fails at once (``check_versions``), and
``tests/sfu/test_aiortc_hooks.py`` fails if a hooked attribute disappears
or a hooked method's signature changes (``HOOKED_METHODS``). Hooks on the
per-packet path hand back closures built once per connection, so the
forwarding loop calls no extra layer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import aioice
import aioice.ice
import aiortc
from aioice.ice import Connection, StunProtocol
from aiortc import RTCPeerConnection, RTCRtpTransceiver, clock
from aiortc.codecs import CODECS, HEADER_EXTENSIONS
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtcicetransport import RTCIceTransport
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters
from aiortc.rtcrtpreceiver import RTCRtpReceiver, StreamStatistics
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.rtp import RtpPacket

AIORTC_VERSION = "1.16.0"
AIOICE_VERSION = "0.13.0"
SR_EVERY = 32  # packets between updates of a sender report's clock pair
log = logging.getLogger(__name__)

# (owner, method, its parameters as written for these versions)
HOOKED_METHODS: list[tuple[object, str, list[str]]] = [
    (RTCRtpReceiver, "_handle_rtp_packet", ["self", "packet", "arrival_time_ms"]),  # replaced: tap
    (RTCRtpReceiver, "_send_rtcp_pli", ["self", "media_ssrc"]),  # called: send_pli
    (RTCRtpSender, "_next_encoded_frame", ["self", "codec"]),  # replaced: idle_sender
    (RTCRtpSender, "_retransmit", ["self", "sequence_number"]),  # replaced: idle_sender
    (RTCRtpSender, "_send_keyframe", ["self"]),  # replaced: idle_sender
    (StreamStatistics, "__init__", ["self", "clockrate"]),  # built: tap
    (StreamStatistics, "add", ["self", "packet"]),  # called: tap
    (StunProtocol, "datagram_received", ["self", "data", "addr"]),  # wrapped: read_in_batches
    (StunProtocol, "send_data", ["self", "data", "addr"]),  # called: open_wire (TURN pairs)
    (StunProtocol, "error_received", ["self", "exc"]),  # called: read_in_batches
    (RTCPeerConnection, "createOffer", ["self"]),  # called with swapped defaults: offer_as_negotiated
    (aioice.ice, "get_host_addresses", ["use_ipv4", "use_ipv6"]),  # replaced: gather_host_candidates_on
]
# Attributes read or written (instance attributes: the test builds the objects)
HOOKED_ATTRIBUTES: dict[type, list[str]] = {
    RTCRtpReceiver: ["_RTCRtpReceiver__codecs", "_RTCRtpReceiver__remote_streams"],
    RTCRtpSender: [
        "_ssrc",
        "_RTCRtpSender__packet_count",
        "_RTCRtpSender__octet_count",
        "_RTCRtpSender__ntp_timestamp",
        "_RTCRtpSender__rtp_timestamp",
    ],
    RTCRtpTransceiver: ["_codecs", "_headerExtensions"],
    RTCDtlsTransport: ["_tx_srtp"],
    RTCIceTransport: ["_connection"],
    Connection: ["_nominated", "_protocols", "_queue"],
}


def check_versions(aiortc_version: str = aiortc.__version__, aioice_version: str = aioice.__version__) -> None:
    """Refuse to run on versions the hooks were not written for: a changed
    private part fails silently (a receive loop that stops, a sender report
    that lies), so guessing is worse than not starting."""
    found = {"aiortc": aiortc_version, "aioice": aioice_version}
    wanted = {"aiortc": AIORTC_VERSION, "aioice": AIOICE_VERSION}
    wrong = [f"{name}=={wanted[name]} (found {found[name]})" for name in wanted if found[name] != wanted[name]]
    if wrong:
        raise ImportError("sfu_node's aiortc hooks need " + ", ".join(wrong) + ": see docs/sfu-forwarding.md")


check_versions()


# receiving ------------------------------------------------------------------

PacketSink = Callable[[RtpPacket, float], None]


def tap(receiver: RTCRtpReceiver, sink: PacketSink, mime_type: str = "audio/opus") -> None:
    """Send every ``mime_type`` RTP packet ``receiver`` gets to
    ``sink(packet, arrival)`` (``arrival`` from ``time.perf_counter``)
    instead of its decoder; other codecs are dropped. Receiver statistics are
    kept so the publisher still gets receiver reports. After each packet the
    loop gets a turn: aiortc works a connection's queued packets off without
    yielding, and one packet fans out to every listener (200 x ~16 µs), so a
    backlog would otherwise hold up every other socket and timer."""
    hooked: Any = receiver  # private parts: not in aiortc's types
    codecs = hooked._RTCRtpReceiver__codecs  # filled by receive()
    streams = hooked._RTCRtpReceiver__remote_streams  # read by _run_rtcp for receiver reports

    async def handle_rtp_packet(packet: RtpPacket, arrival_time_ms: int = 0) -> None:
        stats = streams.get(packet.ssrc)
        if stats is None:
            codec = codecs.get(packet.payload_type)
            if codec is None or codec.mimeType.lower() != mime_type:
                return
            stats = streams[packet.ssrc] = StreamStatistics(codec.clockRate)
        stats.add(packet)
        try:
            sink(packet, time.perf_counter())
        except Exception:  # never let a fault end the publisher's receive loop
            log.exception("forwarding a packet of SSRC %d failed", packet.ssrc)
        await asyncio.sleep(0)

    hooked._handle_rtp_packet = handle_rtp_packet


def send_pli(receiver: RTCRtpReceiver, ssrc: int) -> Coroutine:
    """A picture loss indication to the publisher of ``receiver``'s stream ``ssrc``."""
    return receiver._send_rtcp_pli(ssrc)


def ice_connection(receiver: RTCRtpReceiver) -> Connection:
    """The aioice connection ``receiver``'s media arrives on."""
    return receiver.transport.transport._connection


def read_in_batches(connection: Connection, batch: int, shed: Callable[[deque, bytes], None]) -> None:
    """Read each host socket of ``connection`` up to ``batch`` datagrams per
    wake-up (asyncio reads one per loop turn), from now on; again: no
    change. Before each datagram is parsed, while the connection's queue for
    aiortc is not empty, ``shed(queue, datagram)`` may drop what waits there
    (the queue holds ``(data, component)``, ``None`` at its end)."""
    queue: Any = connection._queue
    pending = queue._queue  # asyncio.Queue's deque: read without a coroutine
    for protocol in connection._protocols:
        if type(protocol) is StunProtocol and "datagram_received" not in vars(protocol):
            _batch_reads(protocol, pending, batch, shed)


def _batch_reads(protocol: StunProtocol, pending: deque, batch: int, shed: Callable[[deque, bytes], None]) -> None:
    sock = getattr(protocol.transport, "_sock", None)
    if sock is None:  # another event loop's transport: keep its own reads
        log.warning("cannot batch reads on %r", protocol.transport)
        return
    parse = protocol.datagram_received

    def datagram_received(data: bytes, addr) -> None:
        for _ in range(batch):
            if pending:
                shed(pending, data)
            parse(data, addr)
            try:
                data, addr = sock.recvfrom(2048)  # WebRTC datagrams stay under the path MTU
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                protocol.error_received(exc)
                return

    hooked: Any = protocol  # a plain function where aioice has a method
    hooked.datagram_received = datagram_received


def gather_host_candidates_on(addresses: list[str]) -> None:
    """Gather ICE host candidates only on ``addresses`` (aioice otherwise
    takes every interface but loopback). Process-wide: aioice has no
    per-connection setting, and the node owns its ICE."""
    if addresses:
        aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=True: list(addresses)


# sending --------------------------------------------------------------------


class _Silent(MediaStreamTrack):
    """The placeholder an aiortc sender needs to run; never read."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    async def recv(self):  # pragma: no cover - the outlet replaces the read
        await asyncio.Future()


async def _never(codec) -> None:
    """The sender's own RTP loop idles here: the outlet sends instead."""
    await asyncio.Future()


def idle_sender(
    sender: RTCRtpSender,
    kind: str,
    retransmit: Callable[[int], Coroutine] | None = None,
    keyframe: Callable[[], None] | None = None,
) -> None:
    """Keep ``sender``'s RTCP (sender reports, NACK and PLI from the
    subscriber) while its own RTP loop idles; a subscriber's NACK calls
    ``retransmit(sequence)``, its PLI/FIR ``keyframe()``."""
    sender.replaceTrack(_Silent(kind))
    hooked: Any = sender  # plain functions where aiortc has methods
    hooked._next_encoded_frame = _never
    if retransmit is not None:
        hooked._retransmit = retransmit
    if keyframe is not None:
        hooked._send_keyframe = keyframe


class Wire(NamedTuple):
    """A connected subscriber track: what to write in each RTP header and
    ``transmit(rtp, octets=0, timestamp=0) -> bool``, which SRTP-protects
    and sends one packet (False: no ICE pair yet) and, with ``octets``,
    counts it for the sender reports aiortc keeps sending."""

    payload_type: int
    ssrc: int
    mid: str
    extension_ids: dict[str, int]
    transmit: Callable[..., bool]


def open_wire(transceiver: RTCRtpTransceiver, relay: Callable[[Coroutine], object]) -> Wire | None:
    """The wire of ``transceiver``'s sender once its transport is connected
    (else None). A packet on a relayed (TURN) pair goes through ``relay``
    (its framing is asynchronous); on a host pair straight to ``sendto``."""
    sender: Any = transceiver.sender  # its report counters are private: not in aiortc's types
    dtls = sender.transport
    if dtls is None or dtls.state != "connected" or not transceiver._codecs:
        return None
    payload_type = transceiver._codecs[0].payloadType
    if payload_type is None:  # negotiated codecs always have one
        return None
    protect = dtls._tx_srtp.protect
    nominated = dtls.transport._connection._nominated

    def transmit(plain: bytes, octets: int = 0, timestamp: int = 0) -> bool:
        pair = nominated.get(1)
        if pair is None:
            return False
        data = protect(plain)
        protocol = pair.protocol
        if type(protocol) is StunProtocol:
            protocol.transport.sendto(data, pair.remote_addr)
        else:
            relay(protocol.send_data(data, pair.remote_addr))
        if octets:  # a first sending, not a NACK's resend: count it as aiortc's sender would
            sender._RTCRtpSender__octet_count += octets
            count = sender._RTCRtpSender__packet_count = sender._RTCRtpSender__packet_count + 1
            if count % SR_EVERY == 1:
                sender._RTCRtpSender__ntp_timestamp = clock.current_ntp_time()
                sender._RTCRtpSender__rtp_timestamp = timestamp
        return True

    return Wire(
        payload_type=payload_type,
        ssrc=sender._ssrc,
        mid=transceiver.mid or "",
        extension_ids={ext.uri: ext.id for ext in transceiver._headerExtensions},
        transmit=transmit,
    )


# negotiating ----------------------------------------------------------------


def _has_negotiated(transceiver: RTCRtpTransceiver) -> bool:
    return transceiver.mid is not None and bool(transceiver._codecs)


@contextmanager
def _defaults(codecs: dict[str, list], extensions: dict[str, list]) -> Iterator[None]:
    saved = {kind: (CODECS[kind][:], HEADER_EXTENSIONS[kind][:]) for kind in ("audio", "video")}
    for kind, chosen in codecs.items():
        CODECS[kind][:] = chosen
    for kind, chosen in extensions.items():
        HEADER_EXTENSIONS[kind][:] = chosen
    try:
        yield
    finally:
        for kind, (codec_list, extension_list) in saved.items():
            CODECS[kind][:], HEADER_EXTENSIONS[kind][:] = codec_list, extension_list


async def offer_as_negotiated(pc: RTCPeerConnection):
    """``pc.createOffer()`` keeping the payload types and header extension
    ids already negotiated: aiortc renumbers every transceiver to its own
    defaults in a re-offer, which browsers refuse ("RTP extension ID
    reassignment not supported"). New extensions get ids unused in the
    bundle.

    aiortc builds an offer from its module-wide ``CODECS`` and
    ``HEADER_EXTENSIONS``; ``setCodecPreferences`` only filters that list
    (aiortc's own payload type numbers stay) and has no counterpart for
    header extensions, so it cannot keep a browser's numbering. The
    defaults are swapped for the call instead: ``createOffer`` never awaits
    (``tests/sfu/test_aiortc_hooks.py`` checks), so no other connection
    sees them."""
    negotiated = [t for t in pc.getTransceivers() if _has_negotiated(t)]
    ids: dict[str, int] = {}
    for transceiver in negotiated:
        for ext in transceiver._headerExtensions:
            ids.setdefault(ext.uri, ext.id)
    extensions = {}
    for kind in ("audio", "video"):
        for ext in HEADER_EXTENSIONS[kind]:
            if ext.uri not in ids:
                ids[ext.uri] = min(set(range(1, 15)) - set(ids.values()))
        extensions[kind] = [RTCRtpHeaderExtensionParameters(id=ids[e.uri], uri=e.uri) for e in HEADER_EXTENSIONS[kind]]
    codecs = {}
    for kind in ("audio", "video"):
        chosen = next((t._codecs for t in negotiated if t.kind == kind), None)
        if chosen:
            codecs[kind] = chosen
    with _defaults(codecs, extensions):
        return await pc.createOffer()
