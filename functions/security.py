"""Passwords (argon2id), refresh-token rotation with reuse detection, and the
``caller`` dependency that turns a Bearer access token into claims."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar import Request
from litestar.di import NamedDependency

from functions.context import Services
from functions.problems import ApiError
from functions.tables import RefreshToken
from virtubar import keys
from virtubar.state import SharedState
from virtubar.tokens import Claims, TokenError

REFRESH_TTL = timedelta(days=30)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_id() -> str:
    return uuid.uuid4().hex


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_refresh(user_id: str, family: str | None = None) -> str:
    """A new refresh token ``<id>.<secret>``; only the secret's hash is kept."""
    token_id, secret = new_id(), secrets.token_urlsafe(32)
    await RefreshToken.insert(
        RefreshToken(
            id=token_id,
            user=user_id,
            family=family or new_id(),
            secret_hash=_digest(secret),
            expires_at=datetime.now(UTC) + REFRESH_TTL,
        )
    )
    return f"{token_id}.{secret}"


async def _find(token: str) -> dict | None:
    token_id, _, secret = token.partition(".")
    if not secret or len(token_id) != 32:
        return None
    row = await RefreshToken.select().where(RefreshToken.id == token_id).first()
    if row is None or not hmac.compare_digest(row["secret_hash"], _digest(secret)):
        return None
    return row


async def rotate_refresh(token: str) -> tuple[str, str]:
    """Spend a refresh token: ``(user_id, new token)``. Presenting a token
    that was already rotated means it leaked: the whole family is revoked."""
    row = await _find(token)
    if row is None or row["revoked"]:
        raise ApiError(401, "The refresh token is not valid.")
    if row["rotated_at"] is not None:
        await revoke_family(row["family"])
        raise ApiError(401, "The refresh token was already used; every session of this sign-in is revoked.")
    if row["expires_at"] <= datetime.now(UTC):
        raise ApiError(401, "The refresh token has expired.")
    spent = (
        await RefreshToken.update({RefreshToken.rotated_at: datetime.now(UTC)})
        .where((RefreshToken.id == row["id"]) & RefreshToken.rotated_at.is_null())
        .returning(RefreshToken.id)
    )
    if not spent:  # a concurrent refresh won the race: treat as reuse
        await revoke_family(row["family"])
        raise ApiError(401, "The refresh token was already used; every session of this sign-in is revoked.")
    return row["user"], await issue_refresh(row["user"], row["family"])


async def revoke_family_of(token: str) -> None:
    if (row := await _find(token)) is not None:
        await revoke_family(row["family"])


async def revoke_family(family: str) -> None:
    await RefreshToken.update({RefreshToken.revoked: True}).where(RefreshToken.family == family)


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def caller(request: Request, services: NamedDependency[Services]) -> Claims:
    """The signed-in caller; 401 without a valid access token."""
    token = bearer(request)
    if token is None:
        raise ApiError(
            401, "Sign in first: send 'Authorization: Bearer <accessToken>'.", headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        claims = services.tokens.verify(token, "api")
    except TokenError as e:
        raise ApiError(401, e.message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from e
    if await revoked(services.state, claims.sub, claims.iat):
        raise ApiError(401, "This sign-in was revoked; sign in again.",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return claims


async def revoked(state: SharedState, user_id: str, issued_at: int) -> bool:
    """Whether a token issued at ``issued_at`` (seconds) to ``user_id`` was
    revoked (``privacy.revoke_tokens``: the account was erased or merged)."""
    mark = (await state.members(keys.user_revoked(user_id))).get("at")
    return mark is not None and issued_at <= int(mark)
