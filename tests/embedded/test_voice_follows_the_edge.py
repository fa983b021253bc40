"""Voice follows the edge, end to end: two players join the office,
open the edge and the SFU; B hears A while near, walks away on the edge and
stops hearing A within a second, walks back and hears A again."""

import asyncio
import math
import time

from websockets.asyncio.client import connect

from tests.embedded.test_join_flow import envelope, next_event, quick_join
from tests.sfu.client import VoiceClient
from tests.sfu.media import encode_opus
from tests.sfu.test_voice import until

STEP_M, STEP_S = 0.3, 0.1  # 3 m/s: well inside the office's 5 m/s


async def walk(ws, room_id: str, start: tuple[float, float], to: tuple[float, float], seq: int,
               on_step=lambda x, z: None) -> int:
    """Send the edge one step every ``STEP_S`` from ``start`` to ``to``."""
    (x0, z0), (x1, z1) = start, to
    steps = max(1, math.ceil(math.dist(start, to) / STEP_M))
    for i in range(1, steps + 1):
        x, z = x0 + (x1 - x0) * i / steps, z0 + (z1 - z0) * i / steps
        seq += 1
        await ws.send(envelope("avatar_transform", {"roomId": room_id, "seq": seq, "x": x, "y": 0, "z": z,
                                                    "rotY": 0, "anim": "walk"}))
        on_step(x, z)
        await asyncio.sleep(STEP_S)
    return seq


async def test_b_stops_hearing_a_within_a_second_of_walking_away_on_the_edge(embedded):
    url, _ = embedded
    ada, bo = quick_join(url, "Ada", "office"), quick_join(url, "Bo", "office")
    assert ada["roomId"] == bo["roomId"]
    room_id, bo_id = ada["roomId"], bo["me"]["user"]["id"]
    async with connect(ada["edgeUrl"], origin=url) as ws_a, connect(bo["edgeUrl"], origin=url) as ws_b:
        await ws_a.send(envelope("join_room", {"roomId": room_id, "token": ada["realtimeToken"]}))
        await next_event(ws_a, "room_state")
        await ws_b.send(envelope("join_room", {"roomId": room_id, "token": bo["realtimeToken"]}))
        state = await next_event(ws_b, "room_state")
        spots = {m["userId"]: (m["x"], m["z"]) for m in state["members"]}
        a_at, b_at = spots[ada["me"]["user"]["id"]], spots[bo_id]
        assert math.dist(a_at, b_at) < 4  # the office's hearing radius: the two spawn near
        ann = VoiceClient(ada["sfuUrl"], room_id, ada["voiceToken"], opus=encode_opus(440, 10))
        bob = VoiceClient(bo["sfuUrl"], room_id, bo["voiceToken"], raw=True)
        try:
            await ann.connect()
            await bob.connect()
            await until(lambda: bob.received_from(ada["me"]["user"]["id"]) > 25)

            away = (b_at[0], 11.0)  # up the open floor, ~8.5 m from A
            left_at: list[float] = []

            def out_of_range(x: float, z: float) -> None:
                if not left_at and math.dist((x, z), a_at) > 4.5:
                    left_at.append(time.monotonic())

            seq = await walk(ws_b, room_id, b_at, away, 0, out_of_range)
            await asyncio.sleep(1.5)
            assert left_at and max(bob.last_packet_at.values()) < left_at[0] + 1.0
            assert not bob.mids_of(ada["me"]["user"]["id"])

            heard = sum(bob.packets.values())
            await walk(ws_b, room_id, away, b_at, seq)
            await until(lambda: sum(bob.packets.values()) > heard + 25, timeout=5)
            assert bob.mids_of(ada["me"]["user"]["id"])
        finally:
            await asyncio.gather(ann.close(), bob.close())
