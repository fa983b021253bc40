"""Scoped, short-lived JWTs (RFC 8725): one pinned algorithm, an issuer, and
an audience per kind, so a realtime token can never be used as a voice or API
token, and a room-scoped token never opens another room.

Key rotation: every token names its key in the header (``kid``, derived from
the key, so every service agrees without configuring ids). Tokens are signed
with the current key; verification also accepts the previous keys
(VIRTUBAR_TOKEN_PREVIOUS_SECRETS) so tokens issued just before a rotation
keep working until they expire. A token whose ``kid`` names no accepted key
is refused (``token_unknown_key``); one without a ``kid`` (issued before key
ids existed) is accepted if any accepted key verifies it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Literal

import jwt
import msgspec
from msgspec import Struct

from virtubar.settings import Settings
from virtubar.wire import AvatarLook, Platform

ALGORITHM = "HS256"
Kind = Literal["api", "realtime", "voice", "node"]  # node: an edge or SFU calling the functions
Role = Literal["player", "moderator", "admin"]


class Claims(Struct, kw_only=True, omit_defaults=True):
    iss: str
    aud: Kind
    sub: str
    role: Role = "player"
    exp: int
    iat: int
    jti: str
    name: str = ""
    avatar: str = ""  # the member's look (``names.avatar_id``); absent in tokens from before it existed
    look: AvatarLook | None = None  # the whole avatar (``wire.AvatarLook``); absent in older tokens
    anon: bool = False
    room: str | None = None
    platform: Platform | None = None


class TokenError(Exception):
    """A token that must not be honoured; ``code`` is stable for clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def key_id(secret: str) -> str:
    """The ``kid`` of a key: a short one-way digest, safe to show."""
    return hashlib.sha256(b"virtubar-token-key:" + secret.encode()).hexdigest()[:16]


class TokenIssuer:
    """Issues tokens of every kind with the current key; verifies them with
    the current or a previous key."""

    def __init__(self, secret: str, issuer: str = "virtubar", ttl: dict[str, int] | None = None,
                 previous: list[str] | tuple[str, ...] = ()) -> None:
        for key in (secret, *previous):
            if len(key) < 32:
                raise ValueError("every token secret (current and previous) must be at least 32 characters")
        self._secret = secret
        self.kid = key_id(secret)
        self._keys = {key_id(k): k for k in (*previous, secret)}
        self.issuer = issuer
        self.ttl = {"api": 900, "realtime": 300, "voice": 300, "node": 60} | (ttl or {})

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenIssuer:
        """A realtime token lives no longer than the place its join reserved
        (``reservation_s``, at most 300 s): a valid one always has its place,
        so an old token cannot enter a room that filled up meanwhile."""
        realtime = max(1, min(300, int(settings.reservation_s)))
        return cls(settings.token_secret, previous=settings.token_previous_secrets, ttl={"realtime": realtime})

    def issue(
        self,
        kind: Kind,
        sub: str,
        *,
        role: Role = "player",
        name: str = "",
        avatar: str = "",
        look: AvatarLook | None = None,
        anon: bool = False,
        room: str | None = None,
        platform: Platform | None = None,
    ) -> str:
        if kind in ("realtime", "voice") and (room is None or platform is None):
            raise ValueError(f"a {kind} token needs a room and a platform")
        now = int(time.time())
        claims = Claims(
            iss=self.issuer,
            aud=kind,
            sub=sub,
            role=role,
            name=name,
            avatar=avatar,
            look=look,
            anon=anon,
            iat=now,
            exp=now + self.ttl[kind],
            jti=uuid.uuid4().hex,
            room=room,
            platform=platform,
        )
        return jwt.encode(msgspec.to_builtins(claims), self._secret, algorithm=ALGORITHM, headers={"kid": self.kid})

    def verify(self, token: str, kind: Kind, *, room: str | None = None) -> Claims:
        """The token's claims, or ``TokenError`` (expired, forged, signed with
        a key no longer accepted, wrong kind or room)."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            if kid is not None and kid not in self._keys:  # PyJWT has checked it is a string
                raise TokenError("token_unknown_key", f"the token is signed with a key that is no longer accepted "
                                 f"(kid {str(kid)[:32]!r}); sign in again")
            keys = [self._keys[kid]] if kid is not None else list(self._keys.values())
            raw = self._decode(token, kind, keys)
            claims = msgspec.convert(raw, Claims)
        except jwt.ExpiredSignatureError as e:
            raise TokenError("token_expired", "the token has expired") from e
        except (jwt.InvalidTokenError, msgspec.ValidationError) as e:
            raise TokenError("token_invalid", f"the token is not valid: {e}") from e
        if room is not None and claims.room != room:
            raise TokenError("token_wrong_room", "the token is for another room")
        return claims

    def _decode(self, token: str, kind: Kind, keys: list[str]) -> dict:
        """Claims verified with the first of ``keys`` whose signature matches."""
        *others, last = keys
        for key in others:
            try:
                return self._decode(token, kind, [key])
            except jwt.InvalidSignatureError:
                continue
        return jwt.decode(token, last, algorithms=[ALGORITHM], audience=kind, issuer=self.issuer,
                          options={"require": ["exp", "iat", "sub", "jti", "aud", "iss"]})


def new_secret() -> str:
    return secrets.token_urlsafe(48)
