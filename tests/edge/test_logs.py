"""The edge's log lines are JSON in the one shape of the API's and the SFU's,
naming the room and the member as ``roomId``/``userId``."""

from __future__ import annotations

import asyncio
import json

from tests.edge.client import Client


async def test_a_join_and_a_leave_are_logged_with_room_and_user(start_edge, issuer, room):
    edge = start_edge("websockets")
    client = await Client.connect(edge.url)
    await client.join(room, issuer.issue("realtime", "ada", room=room, platform="desktop", name="Ada"))
    await client.close()

    def lines() -> list[dict]:
        return [json.loads(line) for line in edge.log.read_text().splitlines() if line.startswith("{")]

    for _ in range(100):  # the leave is logged once the server saw the close
        if any(line["event"] == "member_left" for line in lines()):
            break
        await asyncio.sleep(0.1)
    mine = {line["event"]: line for line in lines() if line.get("roomId") == room}
    assert mine["member_joined"]["userId"] == "ada" and mine["member_left"]["userId"] == "ada"
    for line in mine.values():
        assert line["logger"] == "realtime_edge" and line["level"] == "info" and line["time"].endswith("Z")
