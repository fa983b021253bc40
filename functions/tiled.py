"""A Tiled map as a VirtuBar world (the conventions are in ``docs/worlds.md``).

Pure: given the map pytiled-parser read (``functions/tiledfiles.py`` reads
the upload safely) and the bytes of the tileset images uploaded with it,
``convert`` returns the world document and the images to keep as assets,
or raises ``MapError`` listing every part it cannot map, each naming its
layer and object, so an author fixes them all in one round.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

import msgspec
from pytiled_parser import ObjectLayer, TiledMap, TileLayer
from pytiled_parser.layer import ImageLayer, LayerGroup
from pytiled_parser.tiled_object import Point, Rectangle, Tile, TiledObject
from pytiled_parser.tileset import Tileset

from virtubar.world import DEFAULT_AUDIO, MAX_WORLD_BYTES, TEMPLATES, WorldError, parse_world

GID_MASK = 0x0FFFFFFF  # Tiled keeps flip and rotation flags in the top four bits of a gid
ORIENTATIONS = ("orthogonal", "isometric")
ZONE_TYPES = tuple(DEFAULT_AUDIO)
RULES = ("proximity", "zone", "room", "none")
PLACED_KINDS = ("seat", "door", "whiteboard", "screen", "jukebox", "portal", "table", "counter", "dancefloor", "plant")
KINDS = ("zone", "spawn", *PLACED_KINDS)
EXCLUSIVE_BY_DEFAULT = ("seat", "door")
MAP_PROPERTIES = ("name", "cellSize", "hearingRadius", "maxSpeed", "height")
_IDENT = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_IMAGE_MAGIC = (
    ("image/png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ("image/webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
)


def image_type(data: bytes) -> str | None:
    """PNG, JPEG or WebP by their bytes (never by a name), else None."""
    return next((kind for kind, magic in _IMAGE_MAGIC if magic(data)), None)


@dataclass(frozen=True)
class Limits:
    tiles: int
    objects: int
    asset_bytes: int


class MapError(ValueError):
    """The map cannot be used; ``problems`` are (part, why) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))
        self.problems = problems


@dataclass
class Converted:
    world: dict
    assets: dict[str, tuple[bytes, str]]  # sha256 -> (bytes, content type)


@dataclass
class _Work:
    """What the conversion has gathered so far, and what it could not map."""

    tiled: TiledMap
    cell: float
    problems: list[tuple[str, str]] = field(default_factory=list)
    walls: set[tuple[int, int]] = field(default_factory=set)
    zones: list[dict] = field(default_factory=list)
    objects: list[dict] = field(default_factory=list)
    spawns: list[tuple[str, float, float]] = field(default_factory=list)
    drawn: list[dict] = field(default_factory=list)

    def refuse(self, part: str, why: str) -> None:
        self.problems.append((part, why))


def _object_part(layer: str, obj: TiledObject) -> str:
    named = f" {obj.name!r}" if obj.name else ""
    return f"layer {layer!r} object {obj.id}{named}"


def _flat_layers(layers: list, prefix: str = "") -> list[tuple[str, Any]]:
    """Every layer with its path (a group's layers as ``group/layer``)."""
    out: list[tuple[str, Any]] = []
    for layer in layers:
        name = f"{prefix}{layer.name}"
        if isinstance(layer, LayerGroup):
            out += _flat_layers(layer.layers or [], f"{name}/")
        else:
            out.append((name, layer))
    return out


def _tileset_of(tiled: TiledMap, gid: int) -> Tileset | None:
    firsts = [f for f in tiled.tilesets if f <= gid]
    if not firsts:
        return None
    tileset = tiled.tilesets[max(firsts)]
    return tileset if gid - tileset.firstgid < tileset.tile_count else None


def _tile_collides(tileset: Tileset, local_id: int) -> bool:
    tile = (tileset.tiles or {}).get(local_id)
    return bool(tile is not None and (tile.properties or {}).get("collides") is True)


def _tile_layer(work: _Work, name: str, layer: TileLayer) -> None:
    props = dict(layer.properties or {})
    collides = props.pop("collides", False)
    for key in props:
        work.refuse(f"layer {name!r}", f"unknown property {key!r} (a tile layer knows only 'collides')")
    if not isinstance(collides, bool):
        work.refuse(f"layer {name!r}", "property 'collides' must be a bool")
        collides = False
    width, depth = work.tiled.map_size.width, work.tiled.map_size.height
    rows = layer.data or []
    if len(rows) != depth or any(len(r) != width for r in rows):
        work.refuse(f"layer {name!r}", f"has no {width} x {depth} tiles (an infinite or damaged layer)")
        return
    unknown: dict[int, tuple[int, int]] = {}
    flat: list[int] = []
    for row_no, row in enumerate(rows):
        for col, raw in enumerate(row):
            flat.append(raw)
            gid = raw & GID_MASK
            if gid == 0:
                continue
            tileset = _tileset_of(work.tiled, gid)
            if tileset is None:
                unknown.setdefault(gid, (col, row_no))
            elif collides or _tile_collides(tileset, gid - tileset.firstgid):
                work.walls.add((col, row_no))
    for gid, (col, row_no) in sorted(unknown.items()):
        work.refuse(f"layer {name!r} tile ({col}, {row_no})", f"gid {gid} is in no tileset of the map")
    work.drawn.append({"name": name[:80] or "layer", "data": flat})


def _area(work: _Work, obj: TiledObject) -> tuple[float, float, float, float] | None:
    """The object's (x, z, w, d) in metres; None for a shape we do not map."""
    tw, th = work.tiled.tile_size.width, work.tiled.tile_size.height
    iso = work.tiled.orientation == "isometric"
    ux, uz = (th, th) if iso else (tw, th)  # isometric maps keep object pixels in tile-height units on both axes
    x, y = obj.coordinates.x, obj.coordinates.y
    w, h = obj.size.width, obj.size.height
    if isinstance(obj, Tile):  # a tile object stands on its bottom-left corner (isometric: on its point)
        if iso:
            w = h = 0
        else:
            y -= h
    elif isinstance(obj, Point):
        w = h = 0
    elif not isinstance(obj, Rectangle):
        return None
    c = work.cell
    return x / ux * c, y / uz * c, w / ux * c, h / uz * c


def _ident(work: _Work, part: str, value: Any, fallback: str) -> str:
    ident = fallback if value is None else value
    if not isinstance(ident, str) or not _IDENT.match(ident):
        work.refuse(part, f"id {ident!r} is not 1-40 letters, digits, '_', '.' or '-'")
        return fallback
    return ident


def _choice(work: _Work, part: str, props: dict, key: str, allowed: tuple[str, ...]) -> str | None:
    value = props.pop(key, None)
    if value is not None and value not in allowed:
        work.refuse(part, f"property {key!r} is {value!r}; use one of {', '.join(allowed)}")
        return None
    return value


def _zone(work: _Work, part: str, obj: TiledObject, props: dict, area: tuple[float, float, float, float]) -> None:
    x, z, w, d = area
    if w <= 0 or d <= 0:
        work.refuse(part, "a zone must be a rectangle with a size")
        return
    zone: dict[str, Any] = {
        "id": _ident(work, part, props.pop("id", None), f"zone-{obj.id}"),
        "name": (obj.name or f"Zone {obj.id}")[:80],
        "type": _choice(work, part, props, "zoneType", ZONE_TYPES) or "open",
        "shape": {"x": max(x, 0.0), "z": max(z, 0.0), "w": w, "d": d},
    }
    for key in ("audio", "video"):
        if (rule := _choice(work, part, props, key, RULES)) is not None:
            zone[key] = rule
    capacity = props.pop("capacity", None)
    if capacity is not None:
        if isinstance(capacity, bool) or not isinstance(capacity, int | float) or capacity != int(capacity) \
                or not 1 <= capacity <= 10_000:
            work.refuse(part, f"property 'capacity' is {capacity!r}; use a whole number from 1 to 10000")
        else:
            zone["capacity"] = int(capacity)
    work.zones.append(zone)


def _placed(work: _Work, part: str, kind: str, obj: TiledObject, props: dict,
            area: tuple[float, float, float, float]) -> None:
    x, z, w, d = area
    cell = work.cell
    placed: dict[str, Any] = {
        "id": _ident(work, part, props.pop("id", None), f"{kind}-{obj.id}"),
        "kind": kind,
        "x": x + w / 2 if w else x,
        "z": z + d / 2 if d else z,
        "w": w or cell,
        "d": d or cell,
    }
    if obj.rotation:
        placed["rot"] = math.radians(obj.rotation)
    exclusive = props.pop("exclusive", kind in EXCLUSIVE_BY_DEFAULT)
    if not isinstance(exclusive, bool):
        work.refuse(part, "property 'exclusive' must be a bool")
    elif exclusive:
        placed["exclusive"] = True
    label = props.pop("label", None) or obj.name or None
    if label is not None:
        placed["label"] = str(label)[:80]
    if kind == "portal":
        target = props.pop("target", None)
        if target is not None:
            placed["target"] = _ident(work, part, target, "")
    work.objects.append(placed)


def _object(work: _Work, layer: str, obj: TiledObject) -> None:
    part = _object_part(layer, obj)
    kind = (obj.class_ or "").strip().lower()
    if kind not in KINDS:
        work.refuse(part, f"type {obj.class_!r} is not one of {', '.join(KINDS)}" if kind
                    else f"has no type (class); give it one of {', '.join(KINDS)}")
        return
    area = _area(work, obj)
    if area is None:
        work.refuse(part, f"a {type(obj).__name__.lower()} cannot be a {kind}; draw a rectangle or a point")
        return
    props = dict(obj.properties or {})
    if kind == "zone":
        _zone(work, part, obj, props, area)
    elif kind == "spawn":
        x, z, w, d = area
        work.spawns.append((part, x + w / 2, z + d / 2))
    else:
        _placed(work, part, kind, obj, props, area)
    for key in props:
        work.refuse(part, f"unknown property {key!r} for a {kind}")


def _layers(work: _Work, limits: Limits) -> None:
    count = 0
    for name, layer in _flat_layers(work.tiled.layers):
        if isinstance(layer, TileLayer):
            _tile_layer(work, name, layer)
        elif isinstance(layer, ObjectLayer):
            for key in layer.properties or {}:
                work.refuse(f"layer {name!r}", f"unknown property {key!r} (an object layer has none)")
            count += len(layer.tiled_objects)
            if count > limits.objects:  # nothing more is read of a map over the limit
                raise MapError([(f"layer {name!r}", f"the map has more than {limits.objects} objects")])
            for obj in layer.tiled_objects:
                _object(work, name, obj)
        elif isinstance(layer, ImageLayer):
            work.refuse(f"layer {name!r}", "image layers are not supported; draw it with a tileset")
        else:
            work.refuse(f"layer {name!r}", f"a {type(layer).__name__} is not supported")


def _sheets(work: _Work, images: dict[str, bytes], limits: Limits) -> tuple[list[dict], dict]:
    sheets: list[dict] = []
    assets: dict[str, tuple[bytes, str]] = {}
    for firstgid, tileset in sorted(work.tiled.tilesets.items()):
        part = f"tileset {tileset.name!r}"
        if tileset.image is None:
            work.refuse(part, "a collection of images is not supported; use one tileset image")
            continue
        name = tileset.image.name
        data = images.get(name)
        if data is None:
            work.refuse(part, f"its image {name!r} was not uploaded with the map")
            continue
        if len(data) > limits.asset_bytes:
            work.refuse(part, f"its image {name!r} is larger than {limits.asset_bytes} bytes")
            continue
        kind = image_type(data)
        if kind is None:
            work.refuse(part, f"its image {name!r} is not PNG, JPEG or WebP")
            continue
        sha = hashlib.sha256(data).hexdigest()
        assets[sha] = (data, kind)
        sheets.append({"firstGid": firstgid, "asset": sha, "columns": max(tileset.columns, 1),
                       "count": tileset.tile_count, "tileWidth": tileset.tile_width,
                       "tileHeight": tileset.tile_height, "margin": tileset.margin, "spacing": tileset.spacing})
    return sheets, assets


def _number(work: _Work, props: dict, key: str, default: float, lo: float, hi: float) -> float:
    value = props.pop(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo < value <= hi:
        work.refuse("map", f"property {key!r} must be a number above {lo} and at most {hi}")
        return default
    return float(value)


def _map_checks(tiled: TiledMap, limits: Limits) -> list[tuple[str, str]]:
    """What makes a map unusable before any layer is read."""
    problems = []
    if tiled.orientation not in ORIENTATIONS:
        problems.append(("map", f"orientation {tiled.orientation!r} is not supported; use orthogonal or isometric"))
    if tiled.infinite:
        problems.append(("map", "infinite maps are not supported; give the map a fixed size"))
    width, depth = tiled.map_size.width, tiled.map_size.height
    if not (4 <= width <= 512 and 4 <= depth <= 512):
        problems.append(("map", f"is {width} x {depth} tiles; each side must be 4 to 512"))
    tile_layers = sum(1 for _, layer in _flat_layers(tiled.layers) if isinstance(layer, TileLayer))
    if width * depth * max(tile_layers, 1) > limits.tiles:
        problems.append(("map", f"has {width * depth * tile_layers} tiles ({tile_layers} layers of "
                                f"{width} x {depth}); at most {limits.tiles} are accepted"))
    return problems


def _world(work: _Work, template: str, props: dict, sheets: list[dict], name: str) -> dict:
    tiled = work.tiled
    width, depth = int(tiled.map_size.width), int(tiled.map_size.height)
    grid = ["".join("#" if (c, r) in work.walls else "." for c in range(width)) for r in range(depth)]
    extent_x, extent_z = width * work.cell, depth * work.cell
    for part, x, z in work.spawns:
        inside = 0 <= x < extent_x and 0 <= z < extent_z
        if not inside or grid[int(z // work.cell)][int(x // work.cell)] == "#":
            work.refuse(part, f"the spawn point ({x:g}, {z:g}) is in a wall or outside the map")
    if not work.spawns:
        work.refuse("map", "has no spawn point; add an object of type 'spawn' on the floor")
    world: dict[str, Any] = {
        "version": 1, "template": template, "name": name, "cellSize": work.cell, "width": width, "depth": depth,
        "grid": grid,
        "zones": work.zones or [{"id": "floor", "name": name, "type": "open",
                                 "shape": {"x": 0, "z": 0, "w": extent_x, "d": extent_z}}],
        "objects": work.objects,
        "spawns": [{"x": x, "z": z} for _, x, z in work.spawns],
        "tilemap": {"orientation": tiled.orientation, "tileWidth": tiled.tile_size.width,
                    "tileHeight": tiled.tile_size.height, "sheets": sheets, "layers": work.drawn},
    }
    world["hearingRadius"] = _number(work, props, "hearingRadius", 6.0, 0, 1_000)
    world["height"] = _number(work, props, "height", 3.0, 0, 100)
    world["movement"] = {"maxSpeed": _number(work, props, "maxSpeed", 6.0, 0, 100)}
    for key in props:
        work.refuse("map", f"unknown property {key!r}; a map knows {', '.join(MAP_PROPERTIES)}")
    return world


def convert(tiled: TiledMap, images: dict[str, bytes], template: str, fallback_name: str,
            limits: Limits) -> Converted:
    """The world of ``tiled`` for a room of ``template``; ``MapError`` lists
    every part that cannot be mapped (nothing is partly converted)."""
    if template not in TEMPLATES:
        raise MapError([("template", f"unknown template {template!r}")])
    if problems := _map_checks(tiled, limits):
        raise MapError(problems)
    props = dict(tiled.properties or {})
    probe = _Work(tiled, 1.0)
    cell = _number(probe, props, "cellSize", 1.0, 0, 10)
    name = str(props.pop("name", None) or fallback_name or "Imported map")[:80]
    work = _Work(tiled, cell, problems=probe.problems)
    _layers(work, limits)
    sheets, assets = _sheets(work, images, limits)
    world = _world(work, template, props, sheets, name)
    if work.problems:
        raise MapError(work.problems)
    try:
        parse_world(world)
    except WorldError as e:
        raise MapError([("world", m) for m in e.errors]) from e
    if len(msgspec.json.encode(world)) > MAX_WORLD_BYTES:
        raise MapError([("map", f"its world document would be larger than {MAX_WORLD_BYTES} bytes; "
                                "use fewer or smaller layers")])
    return Converted(world, assets)
