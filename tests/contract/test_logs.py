"""The one log shape: every service's lines are JSON with event, level,
time and the ids of the request or connection they belong to."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from virtubar import logs


@pytest.fixture
def lines():
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logs.JsonLines())
    loggers = [logging.getLogger(name) for name in ("virtubar", "sfu_node")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_a_line_has_event_level_time_ids_and_fields(lines):
    with logs.scope(requestId="r-1", userId="ada"):
        logs.log("room_opened", seats=4, where={"x": 1})
    logs.log("outside")
    inside, outside = lines()
    assert inside["event"] == "room_opened" and inside["level"] == "info" and inside["time"].endswith("Z")
    assert (inside["requestId"], inside["userId"], inside["seats"], inside["where"]) == ("r-1", "ada", 4, {"x": 1})
    assert "requestId" not in outside and "userId" not in outside


def test_a_standard_logging_call_is_written_in_the_same_shape(lines):
    """The SFU's ``log.exception(...)`` lines, within a member's session."""
    async def session():
        logs.bind(roomId="bar-1", userId="bob")
        try:
            raise ValueError("bad offer")
        except ValueError:
            logging.getLogger("sfu_node.session").exception("signal from %s failed", "bob")

    asyncio.run(session())
    (line,) = lines()
    assert line["event"] == "signal from bob failed" and line["level"] == "error"
    assert (line["roomId"], line["userId"], line["logger"]) == ("bar-1", "bob", "sfu_node.session")
    assert "ValueError: bad offer" in line["error"]


def test_ids_bound_later_do_not_reach_tasks_started_earlier(lines):
    """A room's loop started by its first member does not log as that member."""
    async def main():
        logs.bind(roomId="bar-2")
        go = asyncio.Event()

        async def room_loop():
            await go.wait()
            logs.log("room_tick")

        loop = asyncio.create_task(room_loop())
        logs.bind(userId="cy")
        logs.log("member_admitted")
        go.set()
        await loop

    asyncio.run(main())
    by_event = {line["event"]: line for line in lines()}
    assert by_event["member_admitted"]["userId"] == "cy" and by_event["member_admitted"]["roomId"] == "bar-2"
    assert "userId" not in by_event["room_tick"] and by_event["room_tick"]["roomId"] == "bar-2"


def test_an_unknown_id_is_refused():
    with pytest.raises(ValueError, match="log ids are requestId, userId, roomId; not room"):
        logs.bind(room="bar-1")


def test_setup_writes_every_service_package_once():
    logs.setup()
    logs.setup()
    for name in logs.PACKAGES:
        handlers = [h for h in logging.getLogger(name).handlers if isinstance(h.formatter, logs.JsonLines)]
        assert len(handlers) == 1, name
