"""Reading an uploaded Tiled map safely, before pytiled-parser sees it.

pytiled-parser reads files from a folder with the standard library's XML
parser and follows the paths a map names. So every file is first checked
here: XML without a DTD or entity (``defusedxml`` refuses them, so an entity
expansion bomb is never expanded), JSON that decodes, and every file a map
or tileset refers to must be one uploaded beside it, named without a folder.
Only then are the files written to a private temporary folder and parsed.
No archives are accepted (there is no zip to unpack).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from pytiled_parser import TiledMap, parse_map

from functions.tiled import MapError

FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_. -]{0,99}$")
MAP_SUFFIXES = (".tmj", ".json", ".tmx")
DATA_SUFFIXES = (".tsj", ".json", ".tsx")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def _is_xml(name: str, data: bytes) -> bool:
    return name.endswith((".tmx", ".tsx")) or data.lstrip()[:1] == b"<"


def _xml_refs(name: str, data: bytes, problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(what, file) every tileset, image and template the XML file names."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        problems.append((f"file {name!r}", f"DTDs and entities are not accepted in a map ({type(e).__name__})"))
        return []
    except ParseError as e:
        problems.append((f"file {name!r}", f"is not well-formed XML: {e}"))
        return []
    refs = [("tileset", t.attrib["source"]) for t in root.iter("tileset") if "source" in t.attrib]
    refs += [("image", i.attrib["source"]) for i in root.iter("image") if "source" in i.attrib]
    refs += [("template", o.attrib["template"]) for o in root.iter("object") if "template" in o.attrib]
    return refs


def _json_refs(node: Any) -> list[tuple[str, str]]:
    """(what, file) every tileset, image and template a JSON map or tileset names."""
    refs: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, what in (("source", "tileset"), ("image", "image"), ("template", "template")):
            if isinstance(node.get(key), str):
                refs.append((what, node[key]))
        for value in node.values():
            refs += _json_refs(value)
    elif isinstance(node, list):
        for value in node:
            refs += _json_refs(value)
    return refs


def _refs(name: str, data: bytes, problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if _is_xml(name, data):
        return _xml_refs(name, data, problems)
    try:
        return _json_refs(json.loads(data))
    except (ValueError, RecursionError) as e:
        problems.append((f"file {name!r}", f"is not valid JSON: {e}"))
        return []


def _check_names(map_name: str, files: dict[str, bytes]) -> list[tuple[str, str]]:
    problems = []
    for name in [map_name, *files]:
        if not FILE_NAME.match(name) or ".." in name:
            problems.append((f"file {name!r}", "a file name may hold letters, digits, ' ', '_', '.' and '-' only"))
    if not map_name.endswith(MAP_SUFFIXES):
        problems.append((f"file {map_name!r}", "the map must be a .tmj, .json or .tmx file"))
    for name in files:
        if not name.endswith(DATA_SUFFIXES + IMAGE_SUFFIXES):
            problems.append((f"file {name!r}", "only tilesets (.tsx, .tsj, .json) and images (.png, .jpg, .webp) "
                                               "may come with a map"))
    return problems


def read_map(map_name: str, map_data: bytes, files: dict[str, bytes]) -> tuple[TiledMap, dict[str, bytes]]:
    """The parsed map and the uploaded images by name; ``MapError`` naming
    every file that is unsafe, malformed or missing."""
    if problems := _check_names(map_name, files):
        raise MapError(problems)
    every = {map_name: map_data} | files
    for name, data in every.items():
        if name.endswith(IMAGE_SUFFIXES):
            continue
        for what, ref in _refs(name, data, problems):
            part = f"file {name!r}"
            if what == "template":
                problems.append((part, f"object templates ({ref!r}) are not supported; detach them in Tiled"))
            elif "/" in ref or "\\" in ref or ref not in every:
                problems.append((part, f"its {what} {ref!r} was not uploaded with it (upload it beside the map, "
                                       "named without a folder)"))
    if problems:
        raise MapError(problems)
    with tempfile.TemporaryDirectory(prefix="virtubar-map-") as folder:
        for name, data in every.items():
            (Path(folder) / name).write_bytes(data)
        try:
            tiled = parse_map(Path(folder) / map_name)
        except Exception as e:  # pytiled-parser raises what its parsers meet (KeyError, ValueError, ...)
            raise MapError([(f"file {map_name!r}", f"is not a Tiled map pytiled-parser can read "
                                                   f"({type(e).__name__}: {e})")]) from e
    images = {n: d for n, d in files.items() if n.endswith(IMAGE_SUFFIXES)}
    return tiled, images
