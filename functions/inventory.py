"""Cosmetics: what a player owns and the look they wear. Everyone owns the
starter set; other items are granted by the server (an admin here). Only
owned items can be worn, checked where the look enters, so the look a room
shows (carried by the realtime token) is always one its member owns."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from functions.auditlog import audit
from functions.context import Services
from functions.models import GrantIn, GrantOut, InventoryOut, ItemOut
from functions.moderation import current_role
from functions.problems import ApiError, FieldError
from functions.tables import InventoryItem, User
from functions.users import load_user, worn_look
from virtubar.tokens import Claims
from virtubar.wire import AvatarLook

# item id -> (display name, in the starter set). "none" (no hair, no hat) is never an item.
CATALOGUE: dict[str, tuple[str, bool]] = {
    "hair:short": ("Short hair", True),
    "hair:long": ("Long hair", True),
    "hair:bun": ("Bun", False),
    "hair:mohawk": ("Mohawk", False),
    "outfit:tee": ("T-shirt", True),
    "outfit:hoodie": ("Hoodie", True),
    "outfit:suit": ("Suit", False),
    "outfit:dress": ("Dress", False),
    "hat:cap": ("Cap", True),
    "hat:beanie": ("Beanie", False),
    "hat:tophat": ("Top hat", False),
    "hat:crown": ("Crown", False),
}
STARTER = frozenset(item for item, (_, starter) in CATALOGUE.items() if starter)
SLOTS = ("hair", "outfit", "hat")


def items_worn(look: AvatarLook) -> dict[str, str]:
    """The catalogue items a look uses, by slot (bare head and hair need none)."""
    worn = {slot: f"{slot}:{getattr(look, slot)}" for slot in SLOTS}
    return {slot: item for slot, item in worn.items() if not item.endswith(":none")}


def unowned(look: AvatarLook, owned: frozenset[str]) -> list[FieldError]:
    """Why the look cannot be worn: one error per item not owned (pure)."""
    return [
        FieldError(field=slot, message=f"you do not own {CATALOGUE[item][0]} ({item})")
        for slot, item in items_worn(look).items()
        if item not in owned
    ]


async def owned_items(user_id: str) -> frozenset[str]:
    rows = await InventoryItem.select(InventoryItem.item).where(InventoryItem.user == user_id)
    return STARTER | {r["item"] for r in rows}


def _inventory(owned: frozenset[str], look: AvatarLook) -> InventoryOut:
    return InventoryOut(
        items=[
            ItemOut(id=item, slot=item.split(":")[0], name=name, starter=starter, owned=item in owned)  # type: ignore[arg-type]
            for item, (name, starter) in CATALOGUE.items()
        ],
        look=look,
    )


class InventoryController(Controller):
    path = "/inventory"
    tags = ["inventory"]

    @get("/", summary="Every cosmetic, which I own, and the look I wear")
    async def mine(self, caller: NamedDependency[Claims]) -> InventoryOut:
        return _inventory(await owned_items(caller.sub), worn_look(await load_user(caller.sub)))

    @put("/look", summary="Wear a look: owned items only (the room sees it from my next join)")
    async def wear(self, caller: NamedDependency[Claims], data: JSONBody[AvatarLook]) -> AvatarLook:
        row = await load_user(caller.sub)
        errors = unowned(data, await owned_items(caller.sub))
        if errors:
            raise ApiError(403, "You can only wear items you own; nothing was changed.", errors)
        # The older avatar (model and two colours) follows, for clients that draw only the avatar id.
        legacy = {"model": data.body, "colors": {"body": data.outfitColour, "accent": data.hatColour},
                  "accessories": ["hat"] if data.hat != "none" else []}
        await User.update(
            {User.avatar_config: msgspec.json.encode(data).decode(), User.avatar: msgspec.json.encode(legacy).decode()}
        ).where(User.id == row["id"])
        return worn_look(await load_user(caller.sub))


class GrantsController(Controller):
    path = "/admin/inventory"
    tags = ["inventory"]

    @post("/grants", status_code=HTTP_201_CREATED, summary="Give a player a cosmetic (admins; audited)")
    async def grant(
        self, services: NamedDependency[Services], caller: NamedDependency[Claims], data: JSONBody[GrantIn]
    ) -> GrantOut:
        if await current_role(caller) != "admin":
            raise ApiError(403, "Only an admin can grant items.")
        if data.itemId not in CATALOGUE:
            raise ApiError(422, f"There is no item {data.itemId!r}.",
                           [FieldError(field="itemId", message="no such item")])
        await load_user(data.userId)
        key = f"{data.userId}:{data.itemId}"
        row = await InventoryItem.select().where(InventoryItem.id == key).first()
        if row is None and data.itemId not in STARTER:
            async with services.db.transaction():  # the item and its audit line, never one without the other
                await InventoryItem.insert(
                    InventoryItem(id=key, user=data.userId, item=data.itemId, granted_by=caller.sub)
                )
                await audit(caller.sub, "grant_item", data.reason, data.userId, item=data.itemId)
            row = await InventoryItem.select().where(InventoryItem.id == key).first()
        granted = row["created_at"] if row else datetime.now(UTC)  # a starter item: owned all along
        return GrantOut(userId=data.userId, itemId=data.itemId, grantedAt=granted)
