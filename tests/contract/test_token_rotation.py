"""Token key rotation (docs/operators.md, "Token key"): tokens name their key
(``kid``); the current key signs, the previous keys still verify, a key
dropped from the list stops verifying, and HS256 stays the only algorithm."""

import time

import jwt
import pytest
from litestar.testing import AsyncTestClient

from functions import create_app
from virtubar.settings import Settings
from virtubar.tokens import TokenError, TokenIssuer, key_id, new_secret

OLD, NEW, NEWER = new_secret(), new_secret(), new_secret()


def claims() -> dict:
    now = int(time.time())
    return {"iss": "virtubar", "aud": "api", "sub": "u1", "exp": now + 60, "iat": now, "jti": "j1"}


def test_a_token_names_the_key_that_signed_it():
    token = TokenIssuer(NEW).issue("api", "u1")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "typ": "JWT", "kid": key_id(NEW)}
    assert NEW[:8] not in header["kid"]


def test_after_rotation_a_token_signed_with_the_previous_key_still_verifies():
    before = TokenIssuer(OLD).issue("realtime", "u1", room="r1", platform="desktop")
    rotated = TokenIssuer(NEW, previous=[OLD])
    assert rotated.verify(before, "realtime", room="r1").sub == "u1"
    assert jwt.get_unverified_header(rotated.issue("api", "u1"))["kid"] == key_id(NEW)  # the new key signs


def test_a_token_signed_with_a_key_no_longer_listed_is_refused_clearly():
    before = TokenIssuer(OLD).issue("api", "u1")
    with pytest.raises(TokenError) as refused:
        TokenIssuer(NEWER, previous=[NEW]).verify(before, "api")
    assert refused.value.code == "token_unknown_key"
    assert "no longer accepted" in refused.value.message and "sign in again" in refused.value.message


@pytest.mark.parametrize("kid", ["0123456789abcdef", ""])
def test_a_token_with_an_unknown_kid_is_refused_even_if_a_listed_key_signed_it(kid):
    token = jwt.encode(claims(), NEW, algorithm="HS256", headers={"kid": kid})
    with pytest.raises(TokenError) as refused:
        TokenIssuer(NEW, previous=[OLD]).verify(token, "api")
    assert refused.value.code == "token_unknown_key"


def test_a_token_without_kid_verifies_with_any_accepted_key_and_no_other():
    """Tokens issued before key ids existed keep working through a rotation."""
    bare_old, bare_other = jwt.encode(claims(), OLD, algorithm="HS256"), jwt.encode(claims(), NEWER, algorithm="HS256")
    issuer = TokenIssuer(NEW, previous=[OLD])
    assert issuer.verify(bare_old, "api").sub == "u1"
    with pytest.raises(TokenError) as refused:
        issuer.verify(bare_other, "api")
    assert refused.value.code == "token_invalid"


def test_the_algorithm_stays_pinned_for_previous_keys():
    for forged in (jwt.encode(claims(), OLD, algorithm="HS512", headers={"kid": key_id(OLD)}),
                   jwt.encode(claims(), None, algorithm="none", headers={"kid": key_id(OLD)})):
        with pytest.raises(TokenError) as refused:
            TokenIssuer(NEW, previous=[OLD]).verify(forged, "api")
        assert refused.value.code == "token_invalid"


def test_a_short_previous_secret_is_a_clear_error():
    with pytest.raises(ValueError, match="current and previous"):
        TokenIssuer(NEW, previous=["too-short"])


async def test_the_api_configured_from_the_environment_honours_the_rotation(monkeypatch, tmp_path):
    monkeypatch.setenv("VIRTUBAR_DATA", str(tmp_path))
    monkeypatch.setenv("VIRTUBAR_TOKEN_SECRET", NEWER)
    monkeypatch.setenv("VIRTUBAR_TOKEN_PREVIOUS_SECRETS", f"{NEW}, ")
    app = create_app(Settings.from_env())
    await app.state["services"].db.migrate()
    async with AsyncTestClient(app) as client:
        me = (await client.post("/api/auth/anonymous", json={"displayName": "Ada"})).json()
        user = me["user"]["id"]
        for secret, status in ((NEWER, 200), (NEW, 200), (OLD, 401)):
            token = TokenIssuer(secret).issue("api", user)
            r = await client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == status, (secret, r.text)
        assert "no longer accepted" in r.json()["detail"]
