"""What moderation looks like to the parts that enforce it.

The functions decide (bans, mutes, kick cool-downs, blocks) and keep the
truth in the database; they mirror what is active into shared state
(``keys.user_sanctions``, ``keys.user_blocks``) for nodes that admit a player
later, and announce each change on the control stream for nodes that hold
the player now. Shared state is only a copy: the functions write all of it
again from the database at start and whenever ``keys.SANCTIONS_LOADED`` is
missing, and nodes admit nobody while it is (``Admission``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Literal, Union

import msgspec
from msgspec import Struct

from virtubar import keys, wire
from virtubar.state import LocalState, SharedState
from virtubar.tokens import TokenIssuer

Kind = Literal["ban", "mute", "kick"]  # kick: the cool-down a kick leaves before the player may rejoin the room
Lifted = Literal["ban", "mute"]
Channels = Literal["chat", "voice", "all"]
PERMANENT_TTL_S = 365 * 24 * 3600
SYNC_PATH = "/internal/sanctions/sync"  # under the API's base URL (``Settings.api_url``)
RELOAD_RETRY_MS = 2000
log = logging.getLogger(__name__)


class SanctionInfo(Struct, kw_only=True, omit_defaults=True):
    kind: Kind
    reason: str
    room: str | None = None  # None: every room
    channels: Channels = "all"
    expiresAtMs: int | None = None  # None: permanent

    def applies(self, room_id: str, now_ms: int) -> bool:
        return (self.room is None or self.room == room_id) and (self.expiresAtMs is None or self.expiresAtMs > now_ms)

    def silences(self, channel: Literal["chat", "voice"]) -> bool:
        return self.kind == "mute" and self.channels in (channel, "all")

    @property
    def keeps_out(self) -> bool:
        return self.kind in ("ban", "kick")

    def refusal(self) -> wire.AuthError:
        """What a node answers a join this sanction keeps out."""
        if self.kind == "kick":
            back = datetime.fromtimestamp((self.expiresAtMs or 0) / 1000, UTC).isoformat(timespec="seconds")
            message = f"a moderator removed you from this room; you may return at {back}: {self.reason}"
            return wire.AuthError(code="kicked", message=message)
        return wire.AuthError(code="banned", message=f"a moderator banned you: {self.reason}")


_SANCTION = msgspec.json.Decoder(SanctionInfo)


def in_force(mirrored: Iterable[bytes], room_id: str, now_ms: int) -> list[SanctionInfo]:
    """The mirrored sanctions (``keys.user_sanctions`` data) in force in the
    room; one that does not decode is skipped."""
    found = []
    for data in mirrored:
        try:
            info = _SANCTION.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            continue
        if info.applies(room_id, now_ms):
            found.append(info)
    return found


async def mark_loaded(state: SharedState, generation: str) -> None:
    """Say that shared state holds every sanction and block of the database."""
    await state.put(keys.SANCTIONS_LOADED, "generation", generation.encode(), PERMANENT_TTL_S)


async def loaded(state: SharedState) -> bool:
    return bool(await state.members(keys.SANCTIONS_LOADED))


def ask_api(api_url: str, tokens: TokenIssuer, node_id: str) -> Callable[[], Awaitable[None]]:
    """A node's request that the functions reload the sanctions (it cannot
    read the database); raises when the API does not answer 2xx."""

    def post() -> None:
        token = tokens.issue("node", node_id)
        request = urllib.request.Request(
            api_url.rstrip("/") + SYNC_PATH, method="POST", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    return lambda: asyncio.to_thread(post)


class Admission:
    """May a node admit a member? Bans and kick cool-downs in force, read
    from shared state; refused with ``reconnect`` while that state is not
    known to hold the database's sanctions.

    Why fail closed: shared Redis can lose its data under running nodes (a
    failover without persistence, a flush), and with it every ban. The
    functions' marker ``keys.SANCTIONS_LOADED`` goes with it, so a node that
    finds it missing asks the API to reload (``ask``) and, until the marker
    is back, answers joins with a retryable ``reconnect``: a banned player's
    old token is never honoured meanwhile. In-process state (the embedded
    mode) lives and dies with the process whose API reloaded it at start, so
    there ``ask`` is None and no marker is needed.
    """

    def __init__(
        self,
        state: SharedState,
        ask: Callable[[], Awaitable[None]] | None = None,
        *,
        wait_s: float = 5.0,
        retry_s: float = 2.0,
    ) -> None:
        self.state, self._ask, self.wait_s, self.retry_s = state, ask, wait_s, retry_s
        self._asking: asyncio.Task | None = None
        self._next_ask = 0.0

    @classmethod
    def for_node(cls, state: SharedState, api_url: str, tokens: TokenIssuer, node_id: str) -> Admission:
        return cls(state, None if isinstance(state, LocalState) else ask_api(api_url, tokens, node_id))

    async def check(
        self, user_id: str, room_id: str
    ) -> tuple[wire.AuthError | wire.Reconnect | None, list[SanctionInfo]]:
        """The refusal to send (None: admit) and the sanctions in force in the room."""
        if not await self.ready():
            return wire.Reconnect(delayMs=RELOAD_RETRY_MS, reason="moderation is reloading; try again shortly"), []
        found = in_force((await self.state.members(keys.user_sanctions(user_id))).values(), room_id, wire.now_ms())
        out = min((s for s in found if s.keeps_out), key=lambda s: s.kind != "ban", default=None)  # a ban first
        return (out.refusal() if out else None), found

    async def ready(self) -> bool:
        if self._ask is None or await loaded(self.state):
            return True
        if self._asking is None and time.monotonic() >= self._next_ask:
            self._asking = asyncio.create_task(self._ask_once(self._ask))
        if self._asking is not None:
            await asyncio.wait({self._asking}, timeout=self.wait_s)
        return await loaded(self.state)

    async def _ask_once(self, ask: Callable[[], Awaitable[None]]) -> None:
        try:
            await ask()
            log.info("asked the API to reload the sanctions into shared state")
        except Exception as e:
            log.warning("asking the API to reload the sanctions failed: %r", e)
        finally:
            self._next_ask = time.monotonic() + self.retry_s
            self._asking = None


def mask_words(text: str, words: list[str]) -> str:
    """``text`` with each listed word (whole words, any case) starred out."""
    if not words:
        return text
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda m: "*" * len(m.group(0)), text)


class ModerationLifted(wire.Event):
    """Control stream: a mute or ban ended early (unmute / unban)."""

    name = "moderation_lifted"
    type: Lifted
    userId: str
    roomId: str | None = None


class BlocksChanged(wire.Event):
    """Control stream: ``userId`` blocked or unblocked someone; nodes reload
    ``keys.user_blocks(userId)``."""

    name = "blocks_changed"
    userId: str


class AccountClosed(wire.Event):
    """Control stream: ``userId``'s tokens were revoked (the account was
    erased, or a guest merged into an account); nodes close its sockets."""

    name = "account_closed"
    userId: str


CONTROL_EVENTS: tuple[type[wire.Event], ...] = (wire.ModerationAction, ModerationLifted, BlocksChanged, AccountClosed)
_ENVELOPES: dict[type[wire.Event], type[Struct]] = {
    e: wire.ENVELOPES.get(e) or wire.envelope_type(e) for e in CONTROL_EVENTS
}
ControlMessage = Union[tuple(_ENVELOPES.values())]
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(ControlMessage)


def encode_control(event: wire.Event) -> bytes:
    """A control-stream entry: the event in the protocol's envelope."""
    return _encoder.encode(_ENVELOPES[type(event)](v=1, ts=wire.now_ms(), payload=event))


def decode_control(data: bytes) -> wire.Event:
    """The control event in ``data``; ``msgspec`` errors for anything else."""
    return _decoder.decode(data).payload
