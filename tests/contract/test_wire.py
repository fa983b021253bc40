"""The protocol's original events kept exactly: every event's name and payload
fields (docs/protocol.md)."""

import json

import msgspec
import pytest

from virtubar import wire

SEED_001 = {
    "join_room": {"roomId", "user"},
    "heartbeat": {"roomId", "clientTimeMs", "lastSeq"},
    "avatar_transform": {"roomId", "seq", "x", "y", "z", "rotY", "anim", "speaking"},
    "local_chat": {"roomId", "text", "mode"},
    "emote": {"roomId", "emoteId"},
    "room_state": {"roomId", "serverTimeMs", "members"},
    "member_joined": {"member"},
    "member_left": {"userId"},
    "avatar_transform_broadcast": {"userId", "seq", "x", "y", "z", "rotY", "anim", "speaking"},
    "chat_broadcast": {"userId", "text", "messageId"},
    "moderation_action": {"type", "reason"},
}


def test_every_seed_001_event_exists_with_all_its_fields():
    events = {e.name: e for e in wire.CLIENT_EVENTS + wire.SERVER_EVENTS}
    for name, fields in SEED_001.items():
        assert fields <= set(events[name].__struct_fields__), name
    assert {"userId", "displayName", "avatarId", "x", "y", "z", "rotY", "anim"} <= set(wire.Member.__struct_fields__)
    assert set(wire.UserRef.__struct_fields__) == {"userId", "displayName", "avatarId"}


def test_a_seed_001_json_message_decodes_and_the_envelope_round_trips():
    raw = {
        "v": 1,
        "t": "avatar_transform",
        "ts": 1710000000000,
        "payload": {
            "roomId": "r1",
            "seq": 7,
            "x": 1.5,
            "y": 0,
            "z": -2,
            "rotY": 3.1,
            "anim": "dance",
            "speaking": True,
        },
    }
    msg = wire.server_codec().decode(json.dumps(raw))
    assert msg.payload == wire.AvatarTransform(
        roomId="r1", seq=7, x=1.5, y=0, z=-2, rotY=3.1, anim="dance", speaking=True
    )
    assert json.loads(msgspec.json.encode(msg)) == {**raw, "payload": {**raw["payload"], "y": 0.0, "z": -2.0}}


def test_server_events_encode_to_the_seed_envelope_in_json_and_msgpack():
    payload = wire.ChatBroadcast(userId="u", text="hi", messageId="1-0")
    for binary, loads in ((False, json.loads), (True, msgspec.msgpack.decode)):
        out = loads(wire.Codec(wire.ServerMessage, binary).encode(payload, ts=5))
        assert out == {
            "v": 1,
            "t": "chat_broadcast",
            "ts": 5,
            "payload": {"userId": "u", "text": "hi", "messageId": "1-0"},
        }


def test_a_batch_frame_is_a_list_of_envelopes_the_client_codec_reads():
    moves = [wire.AvatarTransformBroadcast(userId=u, seq=1, x=0, y=0, z=0, rotY=0) for u in "ab"]
    frame = wire.server_codec().encode_many(moves, ts=9)
    decoded = wire.client_codec().decode(frame)
    assert [m.payload.userId for m in decoded] == ["a", "b"] and all(m.ts == 9 for m in decoded)


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"v": 1, "t": "local_chat", "ts": 1, "payload": {"roomId": "r", "text": ""}}, "$.payload.text"),
        ({"v": 1, "t": "local_chat", "ts": 1, "payload": {"roomId": "r", "text": "x" * 241}}, "$.payload.text"),
        ({"v": 1, "t": "emote", "ts": 1, "payload": {"roomId": "r", "emoteId": "rude"}}, "$.payload.emoteId"),
        ({"v": 2, "t": "heartbeat", "ts": 1, "payload": {"roomId": "r", "clientTimeMs": 1}}, "$.v"),
        ({"v": 1, "t": "teleport", "ts": 1, "payload": {}}, "$.t"),
        (
            {
                "v": 1,
                "t": "avatar_transform",
                "ts": 1,
                "payload": {"roomId": "r", "seq": 1, "x": 1e9, "y": 0, "z": 0, "rotY": 0},
            },
            "$.payload.x",
        ),
        (
            {
                "v": 1,
                "t": "avatar_transform",
                "ts": 1,
                "payload": {"roomId": "r", "seq": -1, "x": 0, "y": 0, "z": 0, "rotY": 0},
            },
            "$.payload.seq",
        ),
    ],
)
def test_invalid_messages_are_rejected_naming_the_field(raw, where):
    with pytest.raises(msgspec.ValidationError, match=rf"at `{where.replace('$', '[$]')}`"):
        wire.server_codec().decode(json.dumps(raw))


def test_chat_of_exactly_240_characters_is_accepted():
    raw = {"v": 1, "t": "local_chat", "ts": 1, "payload": {"roomId": "r", "text": "é" * 240, "mode": "room"}}
    assert wire.server_codec().decode(json.dumps(raw)).payload.mode == "room"


def test_schema_command_writes_a_json_schema_of_every_message(tmp_path):
    from launcher.cli import main

    out = tmp_path / "wire.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text())
    names = {
        d["properties"]["t"]["enum"][0]
        for d in schema["$defs"].values()
        if "t" in d.get("properties", {}) and "enum" in d["properties"]["t"]
    }
    assert names == {e.name for e in wire.CLIENT_EVENTS + wire.SERVER_EVENTS}
    assert "World" in schema["$defs"]
