"""Token scoping and the world format."""

import time

import jwt
import pytest

from virtubar.tokens import TokenError, TokenIssuer, new_secret
from virtubar.world import TEMPLATES, WorldError, default_world, parse_world, to_json


@pytest.fixture
def issuer():
    return TokenIssuer(new_secret())


def test_realtime_token_carries_room_platform_and_verifies_only_for_its_kind_and_room(issuer):
    token = issuer.issue("realtime", "u1", room="r1", platform="vr", role="moderator", name="Ada")
    claims = issuer.verify(token, "realtime", room="r1")
    assert (claims.sub, claims.room, claims.platform, claims.role, claims.aud) == (
        "u1",
        "r1",
        "vr",
        "moderator",
        "realtime",
    )
    assert claims.jti and claims.exp - claims.iat == 300
    with pytest.raises(TokenError) as e:
        issuer.verify(token, "realtime", room="r2")
    assert e.value.code == "token_wrong_room"
    with pytest.raises(TokenError):
        issuer.verify(token, "voice", room="r1")


def test_room_tokens_require_a_room_and_a_platform(issuer):
    with pytest.raises(ValueError):
        issuer.issue("voice", "u1")


def test_algorithm_is_pinned_and_expiry_enforced(issuer):
    now = time.time()
    claims = {"iss": "virtubar", "aud": "api", "sub": "u", "exp": now + 60, "iat": now, "jti": "j"}
    with pytest.raises(TokenError):
        issuer.verify(jwt.encode(claims, None, algorithm="none"), "api")
    with pytest.raises(TokenError):
        issuer.verify(jwt.encode(claims, issuer._secret, algorithm="HS512"), "api")
    with pytest.raises(TokenError) as e:
        issuer.verify(jwt.encode(claims | {"exp": now - 1}, issuer._secret, algorithm="HS256"), "api")
    assert e.value.code == "token_expired"
    with pytest.raises(TokenError):
        issuer.verify(jwt.encode(claims | {"iss": "evil"}, issuer._secret, algorithm="HS256"), "api")


def test_short_secrets_are_refused():
    with pytest.raises(ValueError):
        TokenIssuer("short")


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_ships_a_valid_default_world(template):
    world = default_world(template)
    assert world.template == template and world.version == 1
    for spawn in world.spawns:
        assert not world.is_wall(spawn.x, spawn.z) and world.zone_at(spawn.x, spawn.z) is not None


def test_zone_lookup_prefers_the_smallest_zone_and_walls_block():
    office = default_world("office")
    assert office.zone_at(5, 5).id == "meeting-a" and office.zone_at(5, 5).audio_rule == "zone"
    assert office.zone_at(15, 12).id == "floor" and office.zone_at(15, 12).audio_rule == "proximity"
    assert office.zone_at(25, 20).audio_rule == "room"  # the stage is heard by everyone
    assert office.is_wall(10.5, 3.5) and not office.is_wall(10.5, 5.5)  # meeting room wall and its door
    assert office.is_wall(-1, 5) and office.is_wall(5, 24.0)


def test_invalid_worlds_list_every_problem():
    doc = to_json(default_world("bar"))
    doc["grid"] = doc["grid"][:-1]
    with pytest.raises(WorldError, match="rows"):
        parse_world(doc)
    doc = to_json(default_world("bar"))
    doc["zones"].append(dict(doc["zones"][0]))
    doc["spawns"] = [{"x": 0.5, "z": 0.5}]
    with pytest.raises(WorldError) as e:
        parse_world(doc)
    assert any("duplicate id" in m for m in e.value.errors) and any("spawns[0]" in m for m in e.value.errors)
    with pytest.raises(WorldError, match="template"):
        parse_world(to_json(default_world("bar")) | {"template": "castle"})
    with pytest.raises(WorldError):
        parse_world(b"{" * 10)
