"""The world format: a versioned JSON document that every part reads.

Coordinates are metres on the ground plane: ``x`` grows east, ``z`` grows
south, ``y`` is up (the 3D bar's height). The collision grid has ``depth`` rows
of ``width`` cells, each ``cellSize`` metres: ``#`` is a wall, ``.`` floor.
Zones are rectangles; a point belongs to the smallest zone that contains it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

FORMAT_VERSION = 1
Template = Literal["bar", "office", "focus", "world"]
TEMPLATES: tuple[str, ...] = ("bar", "office", "focus", "world")
ZoneType = Literal["open", "meeting", "quiet", "stage", "focus", "private"]
AudioRule = Literal["proximity", "zone", "room", "none"]
VideoRule = AudioRule  # the same relations, for cameras and screen shares
ObjectKind = Literal[
    "seat", "door", "whiteboard", "screen", "jukebox", "portal", "table", "counter", "dancefloor", "plant"
]
Ident = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
Label = Annotated[str, Meta(min_length=1, max_length=80)]
Size = Annotated[int, Meta(ge=4, le=512)]
Metres = Annotated[float, Meta(ge=0, le=100_000)]

DEFAULT_AUDIO: dict[str, str] = {
    "open": "proximity",
    "meeting": "zone",
    "quiet": "none",
    "stage": "room",
    "focus": "zone",
    "private": "zone",
}
MAX_WORLD_BYTES = 512 * 1024


class Rect(Struct, kw_only=True):
    x: Metres
    z: Metres
    w: Annotated[float, Meta(gt=0, le=100_000)]
    d: Annotated[float, Meta(gt=0, le=100_000)]

    def contains(self, x: float, z: float) -> bool:
        return self.x <= x < self.x + self.w and self.z <= z < self.z + self.d

    @property
    def area(self) -> float:
        return self.w * self.d


class Zone(Struct, kw_only=True, omit_defaults=True):
    id: Ident
    name: Label
    type: ZoneType = "open"
    shape: Rect
    capacity: Annotated[int, Meta(ge=1, le=10_000)] | None = None
    audio: AudioRule | None = None
    video: VideoRule | None = None

    @property
    def audio_rule(self) -> str:
        return self.audio or DEFAULT_AUDIO[self.type]

    @property
    def video_rule(self) -> str:
        """Who sees a member's camera or screen: the zone's ``video``, else
        its type's default relation (a focus room is one grid; a quiet room
        shows nothing). An ``audio`` override does not change it."""
        return self.video or DEFAULT_AUDIO[self.type]


class WorldObject(Struct, kw_only=True, omit_defaults=True):
    id: Ident
    kind: ObjectKind
    x: Metres
    z: Metres
    rot: float = 0.0
    w: Annotated[float, Meta(gt=0, le=1_000)] = 1.0
    d: Annotated[float, Meta(gt=0, le=1_000)] = 1.0
    exclusive: bool = False
    label: Label | None = None
    target: Ident | None = None


class Point(Struct):
    x: Metres
    z: Metres


class Movement(Struct, kw_only=True):
    maxSpeed: Annotated[float, Meta(gt=0, le=100)] = 6.0


AssetId = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]
Pixels = Annotated[int, Meta(ge=1, le=4096)]


class TileSheet(Struct, kw_only=True):
    """A tileset image (an immutable asset, ``GET /api/assets/{asset}``) cut
    into ``columns`` x rows tiles; gids from ``firstGid`` name its tiles."""

    firstGid: Annotated[int, Meta(ge=1)]
    asset: AssetId
    columns: Annotated[int, Meta(ge=1, le=4096)]
    count: Annotated[int, Meta(ge=1, le=1_000_000)]
    tileWidth: Pixels
    tileHeight: Pixels
    margin: Annotated[int, Meta(ge=0, le=4096)] = 0
    spacing: Annotated[int, Meta(ge=0, le=4096)] = 0


class TileLayer(Struct, kw_only=True):
    """One drawn layer: ``width * depth`` gids row by row, 0 for no tile
    (Tiled's flip bits kept in the top three bits)."""

    name: Label
    data: list[Annotated[int, Meta(ge=0, le=2**32 - 1)]]


class Tilemap(Struct, kw_only=True):
    """How an imported map looks (``docs/worlds.md``); what it means for
    movement and hearing is in the grid, zones and objects."""

    orientation: Literal["orthogonal", "isometric"]
    tileWidth: Pixels
    tileHeight: Pixels
    sheets: Annotated[list[TileSheet], Meta(max_length=64)]
    layers: Annotated[list[TileLayer], Meta(max_length=64)]


class World(Struct, kw_only=True, omit_defaults=True):
    version: Literal[1] = FORMAT_VERSION
    template: Template
    name: Label
    units: Literal["m"] = "m"
    cellSize: Annotated[float, Meta(gt=0, le=10)] = 1.0
    width: Size
    depth: Size
    height: Annotated[float, Meta(ge=0, le=100)] = 3.0
    grid: list[Annotated[str, Meta(pattern=r"^[#.]+$")]]
    zones: Annotated[list[Zone], Meta(min_length=1, max_length=256)]
    objects: Annotated[list[WorldObject], Meta(max_length=2048)] = []
    spawns: Annotated[list[Point], Meta(min_length=1, max_length=256)]
    movement: Movement = msgspec.field(default_factory=Movement)
    hearingRadius: Annotated[float, Meta(gt=0, le=1_000)] = 6.0
    tilemap: Tilemap | None = None  # optional: worlds imported from Tiled maps

    @property
    def extent(self) -> tuple[float, float]:
        return self.width * self.cellSize, self.depth * self.cellSize

    def inside(self, x: float, z: float) -> bool:
        ex, ez = self.extent
        return 0 <= x < ex and 0 <= z < ez

    def is_wall(self, x: float, z: float) -> bool:
        """Walls and everything outside the world block movement."""
        if not self.inside(x, z):
            return True
        return self.grid[int(z // self.cellSize)][int(x // self.cellSize)] == "#"

    def zone_at(self, x: float, z: float) -> Zone | None:
        """The smallest zone containing the point (a meeting room inside an
        open floor wins), or None outside every zone."""
        best: Zone | None = None
        for zone in self.zones:
            if zone.shape.contains(x, z) and (best is None or zone.shape.area < best.shape.area):
                best = zone
        return best


class WorldError(ValueError):
    """A world document that cannot be used; ``errors`` lists each problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _check(world: World) -> list[str]:
    errors: list[str] = []
    if len(world.grid) != world.depth:
        errors.append(f"grid: has {len(world.grid)} rows, depth is {world.depth}")
    for i, row in enumerate(world.grid):
        if len(row) != world.width:
            errors.append(f"grid[{i}]: has {len(row)} cells, width is {world.width}")
    if errors:
        return errors
    ex, ez = world.extent
    seen: set[str] = set()
    for i, zone in enumerate(world.zones):
        if zone.id in seen:
            errors.append(f"zones[{i}].id: duplicate id {zone.id!r}")
        seen.add(zone.id)
        s = zone.shape
        if s.x + s.w > ex or s.z + s.d > ez:
            errors.append(f"zones[{i}].shape: extends outside the world ({ex} x {ez} m)")
    seen = set()
    for i, obj in enumerate(world.objects):
        if obj.id in seen:
            errors.append(f"objects[{i}].id: duplicate id {obj.id!r}")
        seen.add(obj.id)
        if not world.inside(obj.x, obj.z):
            errors.append(f"objects[{i}]: ({obj.x}, {obj.z}) is outside the world")
    if world.tilemap is not None:
        cells = world.width * world.depth
        for i, layer in enumerate(world.tilemap.layers):
            if len(layer.data) != cells:
                errors.append(f"tilemap.layers[{i}].data: has {len(layer.data)} tiles, width x depth is {cells}")
    for i, p in enumerate(world.spawns):
        if world.is_wall(p.x, p.z):
            errors.append(f"spawns[{i}]: ({p.x}, {p.z}) is in a wall or outside the world")
    return errors


def parse_world(data: bytes | str | dict) -> World:
    """Validate a world document; raise ``WorldError`` listing every problem."""
    try:
        if isinstance(data, dict):
            world = msgspec.convert(data, World)
        else:
            if len(data) > MAX_WORLD_BYTES:
                raise WorldError([f"the document is larger than {MAX_WORLD_BYTES} bytes"])
            world = msgspec.json.decode(data, type=World)
    except (msgspec.ValidationError, msgspec.DecodeError) as e:
        raise WorldError([str(e)]) from e
    if errors := _check(world):
        raise WorldError(errors)
    return world


def default_world(template: str) -> World:
    """The world that ships with the project for a template."""
    if template not in TEMPLATES:
        raise WorldError([f"unknown template {template!r}"])
    return parse_world(resources.files("virtubar.worlds").joinpath(f"{template}.json").read_bytes())


def world_json_schema() -> dict:
    return msgspec.json.schema(World)


def to_json(world: World) -> dict:
    return json.loads(msgspec.json.encode(world))
