"""The client's TypeScript wire types are generated from virtubar/wire.py and
virtubar/world.py; the committed file must be what the generator writes now."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal, Union

import msgspec
import pytest

from virtubar import signaling, tsgen, wire

ROOT = Path(__file__).resolve().parents[2]


def test_committed_client_wire_types_are_the_contracts():
    committed = (ROOT / tsgen.DEFAULT_OUT).read_text()
    generated = tsgen.client_types()
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True), generated.splitlines(keepends=True), "committed", "generated", n=1
        )
    )
    assert not diff, f"{tsgen.DEFAULT_OUT} is stale: run `{tsgen.COMMAND}` from the repository root\n{diff}"


def test_chat_broadcast_carries_the_senders_zone_for_the_client():
    block = tsgen.client_types().split("export interface ChatBroadcast {", 1)[1].split("}", 1)[0]
    assert "  zoneId?: string | null;" in block.splitlines()


@pytest.mark.parametrize(
    ("payloads", "events"),
    [
        ("ClientPayloads", wire.CLIENT_EVENTS),
        ("ServerPayloads", wire.SERVER_EVENTS),
        ("ClientSignalPayloads", signaling.CLIENT_SIGNALS),
        ("SfuSignalPayloads", signaling.SFU_SIGNALS),
    ],
)
def test_every_event_of_each_direction_reaches_the_clients_payload_map(payloads, events):
    block = tsgen.client_types().split(f"export interface {payloads} {{\n", 1)[1].split("}", 1)[0]
    assert block.splitlines() == [f"  {e.name}: {e.__name__};" for e in events]


class _Ping(wire.Event):
    name = "ping"
    roomId: str
    count: int
    mood: Literal["calm", "loud"] = "calm"
    tags: list[str | int] = []
    note: str | None = None


class _Pong(wire.Event):
    name = "pong"
    userId: str


def _schema_of(*events: type[wire.Event]) -> dict:
    union = Union[tuple(wire.envelope_type(e) for e in events)]  # type: ignore[valid-type]  # built at run time
    (message,), defs = msgspec.json.schema_components([union], ref_template="#/$defs/{name}")
    return {"properties": {"clientMessage": message, "serverMessage": message}, "$defs": defs}


def test_a_field_added_to_an_event_reaches_the_client_optional_when_it_has_a_default():
    text = tsgen.typescript(_schema_of(_Ping, _Pong))
    ping = text.split("export interface _Ping {\n", 1)[1].split("}", 1)[0].splitlines()
    assert ping == [
        "  roomId: string;",
        "  count: number;",
        "  mood?: 'calm' | 'loud';",
        "  tags?: (string | number)[];",
        "  note?: string | null;",
    ]
    assert "  t: 'ping';" in text
    assert "export interface ServerPayloads {\n  ping: _Ping;\n  pong: _Pong;\n}" in text
    assert "export type ClientMessage = _PingEnvelope | _PongEnvelope;" in text


def test_a_schema_construct_without_a_typescript_translation_is_refused():
    with pytest.raises(tsgen.UnsupportedSchema, match="no TypeScript type"):
        tsgen.ts_type({"type": "frobnicate"})
