"""JSON Schema export of the realtime contract, for the client's types."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

from virtubar.wire import ClientMessage, ServerMessage
from virtubar.world import World


def wire_schema() -> dict:
    (client, server, world), components = msgspec.json.schema_components(
        [ClientMessage, ServerMessage, World], ref_template="#/$defs/{name}"
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "VirtuBar realtime wire contract (docs/protocol.md)",
        "oneOf": [client, server],
        "properties": {"clientMessage": client, "serverMessage": server, "world": world},
        "$defs": components,
    }


def write_schema(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(wire_schema(), indent=1, sort_keys=True) + "\n")
    return path
