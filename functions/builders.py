"""Who may change a room's world: its owner, admins, and the players the
owner lets build. Every world write (``PATCH /api/rooms/{id}`` with a
world, a map import, a restore) asks ``may_build``; only the owner
changes the list, and each change is an audit line."""

from __future__ import annotations

from collections.abc import Sequence

from functions.auditlog import audit
from functions.problems import ApiError, FieldError
from functions.tables import RoomBuilder, User
from virtubar.tokens import Claims


async def builders_of(room_ids: Sequence[str]) -> dict[str, list[str]]:
    """Each room's builders, in the order they were let in."""
    found: dict[str, list[str]] = {r: [] for r in room_ids}
    if room_ids:
        rows = await RoomBuilder.select(RoomBuilder.room, RoomBuilder.user).where(
            RoomBuilder.room.is_in(list(room_ids))).order_by(RoomBuilder.created_at)
        for row in rows:
            if row["user"] not in found[row["room"]]:  # a guest merged into a builder account may leave a twin
                found[row["room"]].append(row["user"])
    return found


async def may_build(caller: Claims, row: dict) -> None:
    if row["owner"] == caller.sub or caller.role == "admin":
        return
    if not await RoomBuilder.exists().where((RoomBuilder.room == row["id"]) & (RoomBuilder.user == caller.sub)):
        raise ApiError(403, "Only the room's owner, an admin or a player the owner lets build can change its world.")


def _owner_only(caller: Claims, row: dict) -> None:
    if row["owner"] != caller.sub:
        raise ApiError(403, "Only the room's owner chooses who may build in it.")


async def set_builders(caller: Claims, row: dict, wanted: Sequence[str]) -> bool:
    """Make the room's builders exactly ``wanted``; whether anything changed.
    Players who do not exist and the owner themself are refused by name."""
    _owner_only(caller, row)
    wanted = list(dict.fromkeys(wanted))
    known = {u["id"] for u in await User.select(User.id).where(User.id.is_in(wanted or [""]))}
    errors = [FieldError(field=f"builders[{i}]", message="no such player") for i, u in enumerate(wanted)
              if u not in known]
    errors += [FieldError(field=f"builders[{i}]", message="the owner builds already") for i, u in enumerate(wanted)
               if u == row["owner"]]
    if errors:
        raise ApiError(422, "These players cannot be made builders.", errors)
    before = (await builders_of([row["id"]]))[row["id"]]
    added, removed = [u for u in wanted if u not in before], [u for u in before if u not in wanted]
    if not added and not removed:
        return False
    if removed:
        await RoomBuilder.delete().where((RoomBuilder.room == row["id"]) & RoomBuilder.user.is_in(removed))
    if added:
        await RoomBuilder.insert(*[RoomBuilder(room=row["id"], user=u) for u in added])
    await audit(caller.sub, "builders_changed", "the owner changed who may build", room=row["id"],
                added=added, removed=removed)
    return True
