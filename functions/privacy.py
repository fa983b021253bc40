"""What the server holds about a player, in one place: the export
(``GET /api/me/export``), the erasure (``DELETE /api/me``) and a guest's
data moving into the account it signs in to.

``HOLDINGS`` names every table column that points at a player and what
each of the three does with its rows; ``NOT_PERSONAL`` names the tables
with no such column. A contract test fails when a table is in neither, so a
new table cannot hold players' data that the export forgets or an erasure
leaves behind.

Erasure keeps moderation records (sanctions, reports, the audit log): the
player's row stays as a pseudonym (``deleted-<digest>``, nothing else of
theirs) so the records still name one party, and the audit log's actor and
target become that pseudonym. Every token dies: refresh tokens are deleted,
and a revocation mark in shared state (``keys.user_revoked``) refuses the
access and realtime tokens already handed out, at the API and at the
edge's join, while an ``AccountClosed`` control event closes the sockets
the player has open now.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import msgspec
from litestar import Controller, delete, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_204_NO_CONTENT
from piccolo.table import Table

from functions.context import Services
from functions.friends import pair_of
from functions.problems import ApiError
from functions.sanctions import announce
from functions.tables import (
    AuditEntry,
    Block,
    BoardSnapshot,
    BoardUpdate,
    Credential,
    EvidenceUpload,
    FocusSession,
    Friendship,
    InventoryItem,
    OidcLink,
    Playlist,
    RefreshToken,
    Report,
    Room,
    RoomBuilder,
    RoomObject,
    Rsvp,
    Sanction,
    ScheduledSession,
    SignInTicket,
    Slide,
    Track,
    User,
    UserPreferences,
    World,
    WorldVersion,
)
from virtubar import keys
from virtubar.moderation import AccountClosed
from virtubar.tokens import Claims

Erase = Literal["delete", "keep", "pseudonym", "unset"]


@dataclass(frozen=True)
class Holding:
    """A column naming a player. ``export``: the rows where it names me are
    in my export. ``erase``: what erasing me does to them (delete the rows,
    keep them pointing at my pseudonymous row, write the pseudonym into the
    column, or empty the column). ``hidden``: columns never exported
    (secrets)."""

    table: type[Table]
    column: str
    export: bool
    erase: Erase
    hidden: tuple[str, ...] = ()


HOLDINGS: tuple[Holding, ...] = (
    Holding(User, "id", True, "keep"),  # the row itself becomes the pseudonym
    Holding(Credential, "user", True, "delete", hidden=("password_hash",)),
    Holding(RefreshToken, "user", True, "delete", hidden=("secret_hash",)),
    Holding(OidcLink, "user", True, "delete"),
    Holding(SignInTicket, "user", False, "delete"),  # minutes-long sign-in steps
    Holding(UserPreferences, "user", True, "delete"),
    Holding(Block, "blocker", True, "delete"),
    Holding(Block, "blocked", False, "keep"),  # someone else's choice, kept for them
    Holding(Sanction, "user", True, "keep"),
    Holding(Sanction, "created_by", False, "keep"),
    Holding(Report, "reporter", True, "keep"),
    Holding(Report, "target", False, "keep"),  # reports against me are the reporter's, not mine to read
    Holding(Report, "resolved_by", False, "keep"),
    Holding(AuditEntry, "actor", False, "pseudonym"),
    Holding(AuditEntry, "target", False, "pseudonym"),
    Holding(FocusSession, "user", True, "delete"),
    Holding(ScheduledSession, "host", True, "keep"),  # the room's schedule, shown with the pseudonym
    Holding(Rsvp, "user", True, "delete"),
    Holding(Track, "uploader", True, "unset"),  # the room keeps its music
    Holding(Room, "owner", True, "unset"),  # the room stays, ownerless
    Holding(BoardUpdate, "author", False, "pseudonym"),  # strokes on a shared board stay on it
    Holding(Friendship, "requester", True, "delete"),  # a friendship ends with either player's account
    Holding(Friendship, "addressee", True, "delete"),
    Holding(InventoryItem, "user", True, "delete"),
    Holding(InventoryItem, "granted_by", False, "pseudonym"),  # the admin's grant stays on the other's item
    Holding(Slide, "uploader", True, "unset"),  # the screen keeps its deck
    Holding(WorldVersion, "created_by", False, "pseudonym"),  # the room's world history stays
    Holding(RoomBuilder, "user", True, "delete"),  # an erased player builds nowhere
)

NOT_PERSONAL: dict[type[Table], str] = {
    World: "world documents (a room's layout)",
    EvidenceUpload: "spent upload tickets: a key and a content type",
    Playlist: "a room's ordered track ids",
    RoomObject: "objects an owner placed; the room is the owner's row",
    BoardSnapshot: "a board's compacted content, no author",
}

NOT_STORED = {
    "chat": "Room chat is not kept in the database: a room's recent events (chat among them) stay in its stream "
    "for at most 10 minutes, for players who reconnect, then are gone.",
}


def pseudonym(user_id: str) -> str:
    """What an erased player is called in the records kept about them (32 characters, fits an id column)."""
    return "deleted-" + hashlib.sha256(b"virtubar-erased:" + user_id.encode()).hexdigest()[:24]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def export(user_id: str) -> dict:
    """Every row the export covers, by table, secrets left out."""
    tables: dict[str, list[dict]] = {}
    for h in HOLDINGS:
        if not h.export:
            continue
        rows = await h.table.select().where(getattr(h.table, h.column) == user_id)
        name = h.table._meta.tablename
        tables.setdefault(name, []).extend(
            {k: _plain(v) for k, v in row.items() if k not in h.hidden} for row in rows
        )
    return {
        "userId": user_id,
        "exportedAt": datetime.now(UTC).isoformat(),
        "tables": tables,
        "notStored": NOT_STORED,
    }


async def erase(services: Services, user_id: str) -> None:
    """Erase the player's personal data in one transaction, then revoke
    every token they hold and close their live sockets."""
    alias = pseudonym(user_id)
    now = datetime.now(UTC)
    async with services.db.transaction():
        for h in HOLDINGS:
            column = getattr(h.table, h.column)
            if h.erase == "delete":
                await h.table.delete().where(column == user_id)
            elif h.erase == "pseudonym":
                await h.table.update({column: alias}).where(column == user_id)
            elif h.erase == "unset":
                await h.table.update({column: None}).where(column == user_id)
        await User.update(
            {
                User.display_name: alias,
                User.username: None,
                User.email: None,
                User.avatar: "{}",
                User.avatar_config: None,
                User.anonymous: True,
                User.role: "player",
                User.deleted_at: now,
            }
        ).where(User.id == user_id)
    await revoke_tokens(services, user_id, now)


async def revoke_tokens(services: Services, user_id: str, at: datetime) -> None:
    """Refuse every access or realtime token issued to ``user_id`` up to
    ``at`` (kept as long as the longest-lived token), and close the
    player's live sockets now."""
    ttl = 2 * max(services.tokens.ttl.values())
    await services.state.put(keys.user_revoked(user_id), "at", str(int(at.timestamp())).encode(), ttl)
    await announce(services, AccountClosed(userId=user_id))


async def merge_guest(services: Services, guest: str, account: str) -> None:
    """A guest signed in to an existing account: everything the guest's
    row holds moves to the account (history, blocks, reports, sanctions
    follow it too), then the guest's row and tokens are gone."""
    async with services.db.transaction():
        for table, column in ((UserPreferences, UserPreferences.user), (Credential, Credential.user)):
            if await table.exists().where(column == account):  # one per player: the account's wins
                await table.delete().where(column == guest)
        for row in await Rsvp.select().where(Rsvp.user == guest):  # its id is session id + player id
            await Rsvp.delete().where(Rsvp.id == row["id"])
            if not await Rsvp.exists().where(Rsvp.id == row["session"] + account):
                await Rsvp.insert(Rsvp(id=row["session"] + account, session=row["session"], user=account))
        await _move_keyed(guest, account)
        for h in HOLDINGS:
            if h.table is not User:
                column = getattr(h.table, h.column)
                await h.table.update({column: account}).where(column == guest)
        await User.delete().where(User.id == guest)
    await revoke_tokens(services, guest, datetime.now(UTC))


async def _move_keyed(guest: str, account: str) -> None:
    """Friendships and owned cosmetics have their players' ids in their
    keys: they move to the account as new rows; where the account already
    has the same friend or item, the account's row wins."""
    for row in await Friendship.select().where((Friendship.requester == guest) | (Friendship.addressee == guest)):
        await Friendship.delete().where(Friendship.pair == row["pair"])
        other = row["addressee"] if row["requester"] == guest else row["requester"]
        if other == account or await Friendship.exists().where(Friendship.pair == pair_of(account, other)):
            continue
        asked = row["requester"] == guest
        await Friendship.insert(Friendship(
            pair=pair_of(account, other), requester=account if asked else other, addressee=other if asked else account,
            accepted_at=row["accepted_at"], created_at=row["created_at"],
        ))
    for row in await InventoryItem.select().where(InventoryItem.user == guest):
        await InventoryItem.delete().where(InventoryItem.id == row["id"])
        key = f"{account}:{row['item']}"
        if not await InventoryItem.exists().where(InventoryItem.id == key):
            await InventoryItem.insert(InventoryItem(
                id=key, user=account, item=row["item"], granted_by=row["granted_by"], created_at=row["created_at"],
            ))


class ExportOut(msgspec.Struct, kw_only=True):
    userId: str
    exportedAt: str
    tables: dict[str, list[dict[str, Any]]]
    notStored: dict[str, str]


class PrivacyController(Controller):
    path = "/me"
    tags = ["privacy"]

    @get("/export", summary="Everything the server holds about me, as JSON")
    async def export_me(self, caller: NamedDependency[Claims]) -> ExportOut:
        return msgspec.convert(await export(caller.sub), ExportOut)

    @delete("/", status_code=HTTP_204_NO_CONTENT, summary="Erase my account: personal data gone, every token revoked")
    async def erase_me(self, services: NamedDependency[Services], caller: NamedDependency[Claims]) -> None:
        if await User.exists().where((User.id == caller.sub) & User.deleted_at.is_not_null()):
            raise ApiError(404, "This account is already erased.")
        await erase(services, caller.sub)
