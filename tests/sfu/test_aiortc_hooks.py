"""The private aiortc, aioice and asyncio parts ``sfu_node/aiortc_hooks.py``
stands on are still there, shaped as the hooks expect: a library upgrade
that moves one fails here, not as silence in a live room."""

import asyncio
import asyncio.selector_events
import inspect
import socket
from collections import deque
from types import SimpleNamespace

import aioice
import aioice.ice
import aiortc
import aiortc.rtcpeerconnection
import pytest
from aiortc import RTCPeerConnection, RTCRtpTransceiver, RTCSessionDescription
from aiortc.codecs import CODECS, HEADER_EXTENSIONS
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtcicetransport import RTCIceTransport
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.sdp import SessionDescription as ParsedSdp

from sfu_node import aiortc_hooks
from sfu_node.rtp import LEVEL_URI, MID_URI


def test_the_installed_versions_are_the_ones_the_hooks_were_written_for():
    assert (aiortc.__version__, aioice.__version__) == (aiortc_hooks.AIORTC_VERSION, aiortc_hooks.AIOICE_VERSION)
    aiortc_hooks.check_versions()
    with pytest.raises(ImportError, match=r"aiortc==1\.16\.0 \(found 1\.17\.0\)"):
        aiortc_hooks.check_versions("1.17.0", aioice.__version__)
    with pytest.raises(ImportError, match=r"aioice==0\.13\.0 \(found 0\.14\.0\)"):
        aiortc_hooks.check_versions(aiortc.__version__, "0.14.0")


@pytest.mark.parametrize(
    ("owner", "name", "parameters"),
    aiortc_hooks.HOOKED_METHODS,
    ids=[f"{getattr(o, '__name__', o)}.{n}" for o, n, _ in aiortc_hooks.HOOKED_METHODS],
)
def test_each_hooked_method_is_there_with_its_signature(owner, name, parameters):
    assert list(inspect.signature(getattr(owner, name)).parameters) == parameters


async def test_each_hooked_attribute_is_there_on_the_objects_aiortc_builds():
    pc = RTCPeerConnection()
    try:
        transceiver = pc.addTransceiver("audio", direction="sendonly")
        dtls = transceiver.sender.transport
        built = {
            RTCRtpReceiver: transceiver.receiver,
            RTCRtpSender: transceiver.sender,
            RTCRtpTransceiver: transceiver,
            RTCDtlsTransport: dtls,
            RTCIceTransport: dtls.transport,
            aioice.ice.Connection: dtls.transport._connection,
        }
        assert set(aiortc_hooks.HOOKED_ATTRIBUTES) == set(built)
        for cls, names in aiortc_hooks.HOOKED_ATTRIBUTES.items():
            for name in names:
                assert hasattr(built[cls], name), f"{cls.__name__}.{name} is gone"
        connection = built[aioice.ice.Connection]
        assert isinstance(connection._queue._queue, deque) and isinstance(connection._nominated, dict)
    finally:
        await pc.close()


def test_aiortc_still_calls_the_methods_the_sfu_replaces_by_their_names():
    """A replaced method is only a hook while aiortc looks it up by name on
    the instance: receive, idle sending, NACK, PLI and the counters aiortc's
    sender reports read."""
    handle_rtp_data = inspect.getsource(RTCDtlsTransport._handle_rtp_data)
    assert "receiver._handle_rtp_packet(packet, arrival_time_ms=arrival_time_ms)" in handle_rtp_data
    assert "await self._next_encoded_frame(codec)" in inspect.getsource(RTCRtpSender._run_rtp)
    rtcp = inspect.getsource(RTCRtpSender._handle_rtcp_packet)
    assert "await self._retransmit(seq)" in rtcp and "self._send_keyframe()" in rtcp
    sender_rtcp = inspect.getsource(RTCRtpSender._run_rtcp)
    for counter in ("__ntp_timestamp", "__rtp_timestamp", "__packet_count", "__octet_count"):
        assert f"self.{counter}" in sender_rtcp
    assert "self.__remote_streams" in inspect.getsource(RTCRtpReceiver._run_rtcp)
    assert "get_host_addresses(" in inspect.getsource(aioice.ice.Connection.gather_candidates)


def test_the_datagram_path_intake_reads_around_is_unchanged():
    stun = inspect.getsource(aioice.ice.StunProtocol.datagram_received)
    assert "self.receiver.data_received(data, self.local_candidate.component)" in stun
    assert "self._queue.put_nowait((data, component))" in inspect.getsource(aioice.ice.Connection.data_received)
    assert "self._protocols += host_protocols" in inspect.getsource(aioice.ice.Connection)
    assert "self._nominated.get(component)" in inspect.getsource(aioice.ice.Connection.sendto)
    read = inspect.getsource(asyncio.selector_events._SelectorDatagramTransport._read_ready)
    assert "self._sock.recvfrom(self.max_size)" in read


async def test_a_datagram_transport_exposes_its_socket():
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0))
    try:
        assert isinstance(transport._sock, socket.socket)
    finally:
        transport.close()


def test_create_offer_reads_the_shared_defaults_and_never_awaits():
    """What makes swapping the defaults for one offer safe."""
    source = inspect.getsource(RTCPeerConnection.createOffer)
    assert "await" not in source.split("\n", 1)[1]  # the body, below "async def createOffer"
    assert "CODECS[transceiver.kind][:]" in source and "HEADER_EXTENSIONS[transceiver.kind][:]" in source
    assert aiortc.rtcpeerconnection.CODECS is CODECS and aiortc.rtcpeerconnection.HEADER_EXTENSIONS is HEADER_EXTENSIONS


def renumbered(sdp: str) -> str:
    """An aiortc offer numbered the way Chrome numbers it: Opus 111, the
    audio level extension 1, mid 4."""
    for old, new in (("extmap:1 ", "extmap:9 "), ("extmap:2 ", "extmap:1 "), ("extmap:9 ", "extmap:4 ")):
        sdp = sdp.replace("a=" + old, "a=" + new)
    return sdp.replace(" 96\r\n", " 111\r\n").replace(":96 ", ":111 ")


async def test_a_re_offer_keeps_the_members_numbering_and_leaves_aiortcs_defaults_alone():
    member, sfu = RTCPeerConnection(), RTCPeerConnection()
    defaults = ([c.payloadType for c in CODECS["audio"]], [(e.id, e.uri) for e in HEADER_EXTENSIONS["audio"]])
    try:
        member.addTransceiver("audio", direction="sendrecv")
        await member.setLocalDescription(await member.createOffer())
        offer = renumbered(member.localDescription.sdp)
        assert "a=rtpmap:111 opus" in offer and f"a=extmap:4 {MID_URI}" in offer
        await sfu.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await sfu.setLocalDescription(await sfu.createAnswer())
        sfu.addTransceiver("audio", direction="sendonly")  # a new outlet
        reoffer = ParsedSdp.parse((await aiortc_hooks.offer_as_negotiated(sfu)).sdp)
        for media in reoffer.media:
            assert [c.payloadType for c in media.rtp.codecs][:1] == [111]
            extensions = {e.uri: e.id for e in media.rtp.headerExtensions}
            assert extensions[MID_URI] == 4 and extensions[LEVEL_URI] == 1
        assert defaults == (
            [c.payloadType for c in CODECS["audio"]],
            [(e.id, e.uri) for e in HEADER_EXTENSIONS["audio"]],
        )
    finally:
        await asyncio.gather(member.close(), sfu.close())


class Socket:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def sendto(self, data: bytes, addr) -> None:
        self.sent.append(data)


def connected_transceiver(nominated: dict) -> SimpleNamespace:
    """What ``open_wire`` reads of a connected subscriber track, with SRTP
    as the identity and a host ICE pair whose socket keeps what is sent."""
    sender = SimpleNamespace(
        _ssrc=7,
        _RTCRtpSender__packet_count=0,
        _RTCRtpSender__octet_count=0,
        _RTCRtpSender__ntp_timestamp=0,
        _RTCRtpSender__rtp_timestamp=0,
    )
    ice = SimpleNamespace(_connection=SimpleNamespace(_nominated=nominated))
    sender.transport = SimpleNamespace(state="connected", _tx_srtp=SimpleNamespace(protect=bytes), transport=ice)
    extensions = [SimpleNamespace(uri=MID_URI, id=4), SimpleNamespace(uri=LEVEL_URI, id=1)]
    codecs = [SimpleNamespace(payloadType=111)]
    return SimpleNamespace(sender=sender, _codecs=codecs, _headerExtensions=extensions, mid="2")


async def test_a_wire_sends_on_the_nominated_pair_and_keeps_the_sender_report_counters():
    protocol = aioice.ice.StunProtocol(None)
    protocol.transport = Socket()
    nominated: dict = {}
    transceiver = connected_transceiver(nominated)
    wire = aiortc_hooks.open_wire(transceiver, relay=lambda sending: pytest.fail("a host pair is not relayed"))
    assert (wire.payload_type, wire.ssrc, wire.mid, wire.extension_ids) == (111, 7, "2", {MID_URI: 4, LEVEL_URI: 1})
    assert not wire.transmit(b"rtp-1", 80, 1000)  # no ICE pair yet: nothing sent, nothing counted
    nominated[1] = SimpleNamespace(protocol=protocol, remote_addr=("192.0.2.1", 5000))
    for i in range(40):
        assert wire.transmit(b"rtp", 80, 1000 + 960 * i)
    assert wire.transmit(b"nacked")  # a resend: sent, not counted again
    sender = transceiver.sender
    assert protocol.transport.sent == [b"rtp"] * 40 + [b"nacked"]
    assert (sender._RTCRtpSender__packet_count, sender._RTCRtpSender__octet_count) == (40, 3200)
    assert sender._RTCRtpSender__rtp_timestamp == 1000 + 960 * 32  # the clock pair of packet 33
    assert sender._RTCRtpSender__ntp_timestamp > 0
    assert aiortc_hooks.open_wire(SimpleNamespace(sender=SimpleNamespace(transport=None)), print) is None
