"""One load-generator process: ``count`` clients on real sockets.

Each client joins its room, then (``--mode move``) sends ``avatar_transform``
at ``hz`` with ``seq`` = its send time in ms, so any receiver knows the
send -> receive latency of every transform it gets. Prints one JSON line of
counts, a latency histogram (1 ms buckets), its own CPU time, the seqs each
of its clients sent and, per receiver and sender, how many transforms
arrived and the newest seq (``run.py`` tells superseded from lost with them).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import resource
import sys
import time
from collections import Counter

import msgspec
import websockets

from virtubar.tokens import TokenIssuer


class _Payload(msgspec.Struct):
    userId: str = ""
    seq: int = 0


class _Env(msgspec.Struct):
    """Only what the generator reads: typed decoding skips the rest cheaply."""

    t: str
    payload: _Payload


_Frame = list[_Env] | _Env
_decode = msgspec.json.Decoder(_Frame)
_mp = msgspec.msgpack.Decoder(_Frame)
_any = msgspec.json.Decoder()
_any_mp = msgspec.msgpack.Decoder()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Stats:
    def __init__(self) -> None:
        self.sent = 0
        self.received = 0
        self.frames = 0
        self.bytes_in = 0
        self.hist = [0] * 2001
        self.late = [0] * 2001  # how late each send left (ms): the generator's own delay, included in latency
        self.joined = 0
        self.failed: Counter[str] = Counter()  # why clients did not get through, by reason
        self.corrections = 0
        self.sends: dict[str, list[int]] = {}  # sender -> seqs sent in the window
        self.seen: dict[str, dict[str, list[int]]] = {}  # receiver -> sender -> [count, newest seq]


async def run_client(i: int, args, issuer: TokenIssuer, stats: Stats, start: asyncio.Event, window: list[int]):
    url = args.urls[i % len(args.urls)]
    room = f"bench-{i % args.rooms}"
    me = f"u{i}"
    token = issuer.issue("realtime", me, room=room, platform="desktop", name=me)
    binary = args.binary
    try:
        ws = await websockets.connect(
            url,
            subprotocols=["virtubar.msgpack"] if binary else None,
            max_size=2**24,
            compression=None,
            ping_interval=None,
            open_timeout=60,
        )
    except Exception as e:
        stats.failed[f"connect: {e!r}"[:120]] += 1
        return
    join = {"v": 1, "t": "join_room", "ts": now_ms(), "payload": {"roomId": room, "token": token}}
    await ws.send(msgspec.msgpack.encode(join) if binary else msgspec.json.encode(join).decode())
    decode = _mp.decode if binary else _decode.decode
    spawn = None
    while spawn is None:
        env = (_any_mp if binary else _any).decode(await ws.recv())
        if isinstance(env, dict) and env["t"] == "room_state":
            spawn = next(m for m in env["payload"]["members"] if m["userId"] == me)
    stats.joined += 1

    seen = stats.seen.setdefault(me, {})
    sends = stats.sends.setdefault(me, [])

    async def receive() -> None:
        try:
            async for frame in ws:
                stats.frames += 1
                stats.bytes_in += len(frame)
                data = decode(frame)
                if not isinstance(data, list):
                    if data.t == "position_correction":
                        stats.corrections += 1
                    continue
                t = now_ms()
                for env in data:
                    p = env.payload
                    if env.t == "avatar_transform_broadcast" and p.userId != me:
                        seq = p.seq
                        mark = seen.get(p.userId)
                        if window[0] <= seq < window[1] and (mark is None or seq > mark[1]):
                            # a client applies only newer seqs (docs/protocol.md): repeats would not count
                            stats.received += 1
                            stats.hist[min(2000, max(0, t - seq))] += 1
                            if mark is None:
                                seen[p.userId] = [1, seq]
                            else:
                                mark[0] += 1
                                mark[1] = seq
        except websockets.ConnectionClosed:
            pass

    reader = asyncio.create_task(receive())
    await start.wait()
    if args.mode == "move":
        period = 1.0 / args.hz
        phase = (i % 17) / 17 * 2 * math.pi
        next_at = time.monotonic() + (i % 97) / 97 * period
        last_seq = 0
        while now_ms() < window[1]:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            late = int((time.monotonic() - next_at) * 1000)
            # a client that fell behind sends its latest state, not a burst of stale ones
            next_at = max(next_at + period, time.monotonic())
            seq = max(last_seq + 1, now_ms())
            last_seq = seq
            x = spawn.get("x", 0.0) + 0.15 * math.sin(phase + seq / 500)
            msg = {
                "v": 1,
                "t": "avatar_transform",
                "ts": seq,
                "payload": {
                    "roomId": room,
                    "seq": seq,
                    "x": x,
                    "y": 0.0,
                    "z": spawn.get("z", 0.0),
                    "rotY": 0.0,
                    "anim": "walk",
                },
            }
            await ws.send(msgspec.msgpack.encode(msg) if binary else msgspec.json.encode(msg).decode())
            if window[0] <= seq < window[1]:
                stats.late[min(2000, late)] += 1
                stats.sent += 1
                sends.append(seq)
        await asyncio.sleep(args.drain)
    else:
        await asyncio.sleep(max(0.0, (window[1] - now_ms()) / 1000))
    await ws.close()
    reader.cancel()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--urls", type=lambda s: s.split(","), required=True)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--total", type=int, required=True)
    ap.add_argument("--rooms", type=int, default=1)
    ap.add_argument("--hz", type=float, default=20)
    ap.add_argument("--start-at", type=float, required=True, help="unix time when moving starts")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--drain", type=float, default=1.0)
    ap.add_argument("--mode", choices=["move", "idle"], default="move")
    ap.add_argument("--binary", action="store_true")
    ap.add_argument("--secret", required=True)
    args = ap.parse_args()
    issuer = TokenIssuer(args.secret)
    stats = Stats()
    start = asyncio.Event()
    window = [int(args.start_at * 1000) + 1000, int((args.start_at + args.seconds) * 1000)]
    tasks = []
    for i in range(args.first, args.first + args.count):
        tasks.append(asyncio.create_task(run_client(i, args, issuer, stats, start, window)))
        if len(tasks) % 50 == 0:
            await asyncio.sleep(0.01)
    await asyncio.sleep(max(0.0, args.start_at - time.time()))
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start.set()
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, BaseException):
            stats.failed[repr(result)[:120]] += 1
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    out = {k: getattr(stats, k) for k in ("sent", "received", "frames", "bytes_in", "joined", "failed", "corrections")}
    out |= {"hist": stats.hist, "late": stats.late, "cpu_s": cpu, "rss_kb": cpu1.ru_maxrss}
    out |= {"sends": stats.sends, "seen": stats.seen}
    sys.stdout.write(msgspec.json.encode(out).decode() + "\n")


if __name__ == "__main__":
    asyncio.run(main())
