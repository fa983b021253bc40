"""Load generator: codec-free aiortc members of one room, in this process.

``speak``: publishers sending pre-encoded Opus every 20 ms; writes when each
started. ``listen``: subscribers counting the packets received in a time
window. Most count RTP at the socket without decrypting it (the RTP header
is in the clear), so a process of 50 stays far lighter than the node; the
first ``--sample`` of each process decrypt and measure each packet's
end-to-end latency (publisher send → receipt) by matching the payload
(forwarded verbatim) to its place in the publisher's sequence. A starved
listener process answers the node's ICE consent checks late, and after six
misses (about 30 s) the node drops it: the generator must not be the
bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

import aioice.ice
from aiortc.rtp import RtpPacket

from tests.sfu.client import VoiceClient
from tests.sfu.media import encode_opus
from virtubar.tokens import TokenIssuer

PACKETS = 500  # 10 s of distinct Opus packets, looped
PTIME = 0.02


def write_json(path: Path, value) -> None:
    """Write whole or not at all: other processes poll for this file."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(value))
    partial.replace(path)


async def watch_lag(name: str, every_s: float = 5.0, step_s: float = 0.05) -> None:
    """Log how late this process's event loop wakes (the worst per
    ``every_s``): a consent check unanswered within 0.5 s counts as a miss."""
    worst, since = 0.0, time.monotonic()
    while True:
        asked = time.monotonic()
        await asyncio.sleep(step_s)
        worst = max(worst, time.monotonic() - asked - step_s)
        if time.monotonic() - since >= every_s:
            print(f"{time.strftime('%H:%M:%S')} {name} loop lag max {worst * 1000:.0f} ms", file=sys.stderr, flush=True)
            worst, since = 0.0, time.monotonic()


def opus_loop() -> list[bytes]:
    """Distinct packets (a slowly changing tone), so a payload names its place."""
    packets: list[bytes] = []
    for freq in range(300, 800, 10):
        packets += encode_opus(freq, PACKETS // 50)
    return packets


async def speak(args, tokens: TokenIssuer) -> None:
    opus = opus_loop()
    ids = [f"{args.prefix}{i}" for i in range(args.count)]
    members = [
        VoiceClient(
            args.url, args.room, tokens.issue("voice", uid, room=args.room, platform="desktop"), opus=opus, raw=True
        )
        for uid in ids
    ]
    for m in members:
        await m.connect()
    await asyncio.sleep(0.5)
    write_json(args.out, {uid: m.spoke_at for uid, m in zip(ids, members, strict=True)})
    while not args.window.exists():  # the run ends when the last window is set
        await asyncio.sleep(0.2)
    await asyncio.sleep(max(0.0, json.loads(args.window.read_text())[1] - time.time()))


def count_at_dtls(member: VoiceClient, record) -> None:
    """Take decrypted RTP straight from the member's DTLS transport, before
    aiortc parses and routes it: the load generator must stay cheaper than
    the node it measures."""
    dtls = member.pc.getTransceivers()[0].receiver.transport
    mids: dict[int, str] = {}

    async def handle_rtp_data(data: bytes, arrival_time_ms: int) -> None:
        ssrc = int.from_bytes(data[8:12], "big")
        mid = mids.get(ssrc)
        if mid is None:
            mid = mids[ssrc] = RtpPacket.parse(data, dtls._rtp_header_extensions_map).extensions.mid
        offset = 12 + 4 * (data[0] & 0x0F)
        if data[0] & 0x10:
            offset += 4 + 4 * int.from_bytes(data[offset + 2 : offset + 4], "big")
        record(mid, data[offset:])

    dtls._handle_rtp_data = handle_rtp_data


def count_at_socket(member: VoiceClient, record) -> None:
    """Count the member's RTP as it leaves the socket, undecrypted, reading
    every queued datagram at each wake-up (asyncio reads one per loop turn);
    STUN (consent), DTLS and RTCP go on to aiortc as usual."""
    protocol = member.pc.getTransceivers()[0].receiver.transport.transport._connection._nominated[1].protocol
    original, sock = protocol.datagram_received, protocol.transport._sock

    def datagram_received(data: bytes, addr) -> None:
        while True:
            if 127 < data[0] < 192 and not 191 < data[1] < 209:  # RTP, not RTCP (RFC 5761)
                record()
            else:
                original(data, addr)
            try:
                data, addr = sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return

    protocol.datagram_received = datagram_received


async def listen(args, tokens: TokenIssuer) -> None:
    started = json.loads(args.starts.read_text())
    index = {payload: i for i, payload in enumerate(opus_loop())}
    received, latencies, unmatched = 0, [], 0
    window = [float("inf"), 0.0]  # wall clock, set by the orchestrator

    def on_packet(member: VoiceClient):
        def record(mid: str, payload: bytes) -> None:
            nonlocal received, unmatched
            if not window[0] <= time.time() < window[1]:
                return
            received += 1
            owner, idx = member.owners.get(mid), index.get(payload)
            if owner not in started or idx is None:
                unmatched += 1
                return
            now = time.monotonic()
            n = round(((now - started[owner]) / PTIME - idx) / PACKETS)
            latencies.append(now - (started[owner] + (n * PACKETS + idx) * PTIME))

        return record

    def count() -> None:
        nonlocal received
        if window[0] <= time.time() < window[1]:
            received += 1

    members = []
    for i in range(args.count):
        m = VoiceClient(
            args.url,
            args.room,
            tokens.issue("voice", f"{args.prefix}{i}", room=args.room, platform="desktop"),
            raw=True,
        )
        members.append(m)
    for i, m in enumerate(members):  # one at a time: a burst of DTLS handshakes starves the node
        await m.connect()
        for _ in range(200):
            if m.pc.connectionState == "connected":
                break
            await asyncio.sleep(0.05)
        if m.pc.connectionState != "connected":
            continue
        if i < args.sample:
            count_at_dtls(m, on_packet(m))
        else:
            count_at_socket(m, count)
    Path(f"{args.out}.ready").touch()
    while not args.window.exists():
        await asyncio.sleep(0.1)
    window[:] = json.loads(args.window.read_text())
    await asyncio.sleep(max(0.0, window[1] - time.time()) + 0.2)
    connected = sum(1 for m in members if m.pc.connectionState == "connected")
    args.out.write_text(
        json.dumps({"received": received, "unmatched": unmatched, "connected": connected, "latencies": latencies})
    )
    await asyncio.gather(*(m.close() for m in members), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["speak", "listen"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--room", default="bench")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--starts", type=Path, help="listen: the speakers' start times")
    parser.add_argument("--sample", type=int, default=2, help="listen: how many decrypt and time each packet")
    parser.add_argument("--window", type=Path, required=True, help="a file the orchestrator writes: [start, stop]")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    # aioice gives up on the node after 6 consent checks in a row unanswered
    # within 0.5 s (no retransmission): on a loaded machine the members' own
    # checks fail while the node is busy, and a member that gives up takes
    # its stream with it. The node's checks on the members stay stock.
    aioice.ice.CONSENT_FAILURES = 1_000_000
    tokens = TokenIssuer(args.secret)
    asyncio.run(run(args, tokens))


async def run(args, tokens: TokenIssuer) -> None:
    watcher = asyncio.create_task(watch_lag(f"{args.role} {args.prefix}"))
    try:
        await (speak(args, tokens) if args.role == "speak" else listen(args, tokens))
    finally:
        watcher.cancel()


if __name__ == "__main__":
    main()
