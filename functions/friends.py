"""Friends: requests, accepting, declining, removing; where a friend is
now; the profile card's friendship and mutual friends. A block overrides a
friendship: blocking ends it (``functions/safety.py``), a blocked pair can
send no request, and a friend shows up nowhere once either blocked the other.

Where a friend is comes from shared state: the rooms they were admitted to
(``keys.user_rooms``, written at each join) checked against the room's live
members. I see the room only if I may enter it (public or mine, not banned
from it, its owner has not blocked me) and my friend is not inside a
private zone; otherwise only that they are online."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from functions.context import Services
from functions.db import is_unique_violation
from functions.models import (
    FriendOut,
    FriendRequestIn,
    FriendRequestOut,
    FriendRoom,
    FriendsOut,
    FriendState,
    PersonRef,
    ProfileCardOut,
)
from functions.problems import ApiError
from functions.sanctions import active_ban, blocked_ids
from functions.tables import Friendship, Room, User, World
from functions.users import load_user, worn_look
from virtubar import keys, wire
from virtubar.tokens import Claims
from virtubar.world import Zone

MAX_FRIENDS = 500
MAX_PENDING = 100  # requests a player has sent that are still unanswered
USER_ROOMS_TTL_S = 12 * 3600


def pair_of(a: str, b: str) -> str:
    return ":".join(sorted((a, b)))


async def remember_room(services: Services, user_id: str, room_id: str) -> None:
    """Note the room a player was admitted to, for friends looking for them."""
    await services.state.put(keys.user_rooms(user_id), room_id, b"", USER_ROOMS_TTL_S)


async def end_friendship(a: str, b: str) -> None:
    """A block ends the pair's friendship and any request between them."""
    await Friendship.delete().where(Friendship.pair == pair_of(a, b))


def _other(row: dict, me: str) -> str:
    return row["addressee"] if row["requester"] == me else row["requester"]


async def friend_ids(user_id: str, blocked: set[str] | None = None) -> set[str]:
    """Accepted friends, never one blocked either way (``blocked``: the
    user's ``blocked_ids`` where the caller has them already)."""
    rows = await Friendship.select(Friendship.requester, Friendship.addressee).where(
        ((Friendship.requester == user_id) | (Friendship.addressee == user_id)) & Friendship.accepted_at.is_not_null()
    )
    if not rows:
        return set()
    return {_other(r, user_id) for r in rows} - (blocked if blocked is not None else await blocked_ids(user_id))


async def _private_zone(world_id: str, zone_id: str) -> bool:
    """Whether ``zone_id`` is a space of its own (its audio stays inside,
    as ``realtime_edge/spaces.py`` decides); an unknown zone counts as private."""
    world = await World.select(World.document).where(World.id == world_id).first()
    document = world["document"] if world else None
    if isinstance(document, str):
        document = msgspec.json.decode(document)
    for raw in (document or {}).get("zones", []):
        if raw.get("id") == zone_id:
            return msgspec.convert(raw, Zone).audio_rule == "zone"
    return True


async def _may_see(viewer: str, room: dict, blocked: set[str]) -> bool:
    """Whether the viewer may enter the room (so may be told a friend is there)."""
    if not room["public"] and room["owner"] != viewer:
        return False
    if room["owner"] in blocked:
        return False
    return await active_ban(viewer, room["id"]) is None


async def where_is(services: Services, viewer: str, friend: str, blocked: set[str]) -> tuple[bool, dict | None]:
    """(online, the room the viewer may be shown or None)."""
    for room_id in await services.state.members(keys.user_rooms(friend)):
        data = (await services.state.members(keys.room_members(room_id))).get(friend)
        if not data:  # gone, or only a place held for a join that never came
            continue
        member = msgspec.json.decode(data, type=wire.Member)
        room = await Room.select().where(Room.id == room_id).first()
        if room is None or not await _may_see(viewer, room, blocked):
            return True, None
        if member.zoneId is not None and await _private_zone(room["world"], member.zoneId):
            return True, None
        return True, room
    return False, None


async def friend_rooms(services: Services, viewer: str, blocked: set[str]) -> set[str]:
    """The rooms the viewer may be shown a friend in (quick-join prefers
    them); ``blocked``: the viewer's ``blocked_ids``."""
    found = set()
    for friend in await friend_ids(viewer, blocked):
        _, room = await where_is(services, viewer, friend, blocked)
        if room is not None:
            found.add(room["id"])
    return found


async def _pair(a: str, b: str) -> dict | None:
    return await Friendship.select().where(Friendship.pair == pair_of(a, b)).first()


def _state(row: dict | None, me: str, blocked: bool) -> FriendState:
    if blocked:
        return "blocked"
    if row is None:
        return "none"
    if row["accepted_at"] is not None:
        return "friends"
    return "outgoing" if row["requester"] == me else "incoming"


async def _names(ids: set[str]) -> dict[str, dict]:
    if not ids:
        return {}
    return {r["id"]: r for r in await User.select().where(User.id.is_in(list(ids)))}


class FriendsController(Controller):
    path = "/friends"
    tags = ["friends"]

    @get("/", summary="My friends (online, and where when I may know), and open requests")
    async def list_friends(self, services: NamedDependency[Services], caller: NamedDependency[Claims]) -> FriendsOut:
        me = caller.sub
        blocked = await blocked_ids(me)
        rows = await Friendship.select().where((Friendship.requester == me) | (Friendship.addressee == me))
        rows = [r for r in rows if _other(r, me) not in blocked]
        people = await _names({_other(r, me) for r in rows})
        friends, incoming, outgoing = [], [], []
        for r in sorted(rows, key=lambda r: people[_other(r, me)]["display_name"].lower()):
            other = people[_other(r, me)]
            if r["accepted_at"] is None:
                request = FriendRequestOut(userId=other["id"], displayName=other["display_name"],
                                           state=_state(r, me, False), createdAt=r["created_at"])
                (outgoing if r["requester"] == me else incoming).append(request)
                continue
            online, room = await where_is(services, me, other["id"], blocked)
            friends.append(FriendOut(
                userId=other["id"], displayName=other["display_name"], look=worn_look(other), online=online,
                room=FriendRoom(id=room["id"], name=room["name"], template=room["template"]) if room else None,
                since=r["accepted_at"],
            ))
        friends.sort(key=lambda f: not f.online)  # online first, by name within
        return FriendsOut(friends=friends, incoming=incoming, outgoing=outgoing)

    @post("/requests", status_code=HTTP_201_CREATED, summary="Ask a player to be friends (theirs pending: accepts it)")
    async def request(self, caller: NamedDependency[Claims], data: JSONBody[FriendRequestIn]) -> FriendRequestOut:
        me, them = caller.sub, data.userId
        if them == me:
            raise ApiError(422, "You cannot befriend yourself.")
        target = await load_user(them)
        if them in await blocked_ids(me):
            raise ApiError(403, "One of you blocked the other: no friend requests between you.")
        row = await _pair(me, them)
        if row is None:
            sent = await Friendship.count().where((Friendship.requester == me) & Friendship.accepted_at.is_null())
            if sent >= MAX_PENDING:
                raise ApiError(429, f"At most {MAX_PENDING} unanswered friend requests; wait for some answers.")
            await _room_for_one_more(me)
            try:
                await Friendship.insert(Friendship(pair=pair_of(me, them), requester=me, addressee=them))
            except Exception as e:  # the same pair asked at the same moment: the first request stands
                if not is_unique_violation(e):
                    raise
        elif row["accepted_at"] is None and row["addressee"] == me:  # they asked first: this is a yes
            await _room_for_one_more(me)
            await Friendship.update({Friendship.accepted_at: datetime.now(UTC)}).where(Friendship.pair == row["pair"])
        row = await _pair(me, them)
        if row is None:
            raise ApiError(409, "The request was withdrawn meanwhile.")
        return FriendRequestOut(userId=them, displayName=target["display_name"], state=_state(row, me, False),
                                createdAt=row["created_at"])

    @post("/requests/{user_id:str}/accept", status_code=200, summary="Accept a player's friend request")
    async def accept(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], user_id: FromPath[str]
    ) -> FriendOut:
        me = caller.sub
        row = await _pair(me, user_id)
        if row is None or row["accepted_at"] is not None or row["addressee"] != me:
            raise ApiError(404, "This player has not asked you to be friends.")
        blocked = await blocked_ids(me)
        if user_id in blocked:
            raise ApiError(403, "One of you blocked the other: no friendship between you.")
        await _room_for_one_more(me)
        now = datetime.now(UTC)
        await Friendship.update({Friendship.accepted_at: now}).where(Friendship.pair == row["pair"])
        other = await load_user(user_id)
        online, room = await where_is(services, me, user_id, blocked)
        return FriendOut(userId=user_id, displayName=other["display_name"], look=worn_look(other), online=online,
                         room=FriendRoom(id=room["id"], name=room["name"], template=room["template"]) if room else None,
                         since=now)

    @post("/requests/{user_id:str}/decline", status_code=HTTP_204_NO_CONTENT, summary="Decline a friend request")
    async def decline(self, caller: NamedDependency[Claims], user_id: FromPath[str]) -> None:
        gone = await Friendship.delete().where(
            (Friendship.pair == pair_of(caller.sub, user_id)) & (Friendship.addressee == caller.sub)
            & Friendship.accepted_at.is_null()
        ).returning(Friendship.pair)
        if not gone:
            raise ApiError(404, "This player has not asked you to be friends.")

    @delete("/{user_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Remove a friend, or withdraw my request")
    async def remove(self, caller: NamedDependency[Claims], user_id: FromPath[str]) -> None:
        row = await _pair(caller.sub, user_id)
        if row is None or (row["accepted_at"] is None and row["requester"] != caller.sub):
            raise ApiError(404, "You are not friends with this player and have not asked them.")
        await Friendship.delete().where(Friendship.pair == row["pair"])

    @get("/card/{user_id:str}", summary="A player's profile card: our friendship and the friends we share")
    async def card(self, caller: NamedDependency[Claims], user_id: FromPath[str]) -> ProfileCardOut:
        me = caller.sub
        them = await load_user(user_id)
        blocked = await blocked_ids(me)
        mutual = (await friend_ids(me) & await friend_ids(user_id)) - blocked if user_id != me else set()
        people = await _names(mutual)
        return ProfileCardOut(
            userId=user_id, displayName=them["display_name"], role=them["role"], look=worn_look(them),
            friendship=_state(await _pair(me, user_id), me, user_id in blocked),
            mutualFriends=sorted((PersonRef(userId=p["id"], displayName=p["display_name"]) for p in people.values()),
                                 key=lambda p: p.displayName.lower()),
        )


async def _room_for_one_more(user_id: str) -> None:
    if len(await friend_ids(user_id)) >= MAX_FRIENDS:
        raise ApiError(409, f"You have {MAX_FRIENDS} friends, the most there can be; remove one first.")
