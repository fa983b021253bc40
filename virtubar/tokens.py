"""Scoped, short-lived JWTs (RFC 8725): one pinned algorithm, an issuer, and
an audience per kind, so a realtime token can never be used as a voice or API
token, and a room-scoped token never opens another room."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Literal

import jwt
import msgspec
from msgspec import Struct

from virtubar.wire import Platform

ALGORITHM = "HS256"
Kind = Literal["api", "realtime", "voice"]
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
    anon: bool = False
    room: str | None = None
    platform: Platform | None = None


class TokenError(Exception):
    """A token that must not be honoured; ``code`` is stable for clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TokenIssuer:
    """Issues and verifies tokens of every kind with one key."""

    def __init__(self, secret: str, issuer: str = "virtubar", ttl: dict[str, int] | None = None) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must be at least 32 characters")
        self._secret = secret
        self.issuer = issuer
        self.ttl = {"api": 900, "realtime": 300, "voice": 300} | (ttl or {})

    def issue(
        self,
        kind: Kind,
        sub: str,
        *,
        role: Role = "player",
        name: str = "",
        anon: bool = False,
        room: str | None = None,
        platform: Platform | None = None,
    ) -> str:
        if kind != "api" and (room is None or platform is None):
            raise ValueError(f"a {kind} token needs a room and a platform")
        now = int(time.time())
        claims = Claims(
            iss=self.issuer,
            aud=kind,
            sub=sub,
            role=role,
            name=name,
            anon=anon,
            iat=now,
            exp=now + self.ttl[kind],
            jti=uuid.uuid4().hex,
            room=room,
            platform=platform,
        )
        return jwt.encode(msgspec.to_builtins(claims), self._secret, algorithm=ALGORITHM)

    def verify(self, token: str, kind: Kind, *, room: str | None = None) -> Claims:
        """The token's claims, or ``TokenError`` (expired, forged, wrong kind or room)."""
        try:
            raw = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=kind,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "jti", "aud", "iss"]},
            )
            claims = msgspec.convert(raw, Claims)
        except jwt.ExpiredSignatureError as e:
            raise TokenError("token_expired", "the token has expired") from e
        except (jwt.InvalidTokenError, msgspec.ValidationError) as e:
            raise TokenError("token_invalid", f"the token is not valid: {e}") from e
        if room is not None and claims.room != room:
            raise TokenError("token_wrong_room", "the token is for another room")
        return claims


def new_secret() -> str:
    return secrets.token_urlsafe(48)
