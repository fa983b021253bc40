"""Load generator: codec-free aiortc members of one room, in this process.

``speak``: publishers sending pre-encoded Opus every 20 ms; writes when each
started. ``listen``: subscribers counting the packets received in a time
window and each packet's end-to-end latency (publisher send → receipt), by
matching the payload (forwarded verbatim) to its place in the publisher's
sequence.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path

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

    members = []
    for i in range(args.count):
        m = VoiceClient(
            args.url,
            args.room,
            tokens.issue("voice", f"{args.prefix}{i}", room=args.room, platform="desktop"),
            raw=True,
        )
        members.append(m)
    for m in members:  # one at a time: a burst of DTLS handshakes starves the node
        await m.connect()
        for _ in range(200):
            if m.pc.connectionState == "connected":
                break
            await asyncio.sleep(0.05)
        count_at_dtls(m, on_packet(m))
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
    parser.add_argument("--window", type=Path, required=True, help="a file the orchestrator writes: [start, stop]")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    tokens = TokenIssuer(args.secret)
    asyncio.run(speak(args, tokens) if args.role == "speak" else listen(args, tokens))


if __name__ == "__main__":
    main()
