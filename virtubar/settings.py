"""Configuration from environment variables, with defaults for the embedded
mode. Every variable is listed in the README's Configuration table.

Each default is written once, as the field's default: ``read_env`` reads a
settings Struct field by field from ``<env_prefix><FIELD_NAME>`` and converts
the text to the field's type, so the common settings here, the edge's
(``realtime_edge/config.py``) and the SFU's (``sfu_node/config.py``) cannot
drift from their defaults or read a variable two ways.
"""

from __future__ import annotations

import os
import secrets
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, ClassVar, TypeVar

import msgspec
from msgspec import Meta, Struct, field

from virtubar.datafiles import private_folder

NOT_FROM_ENV = Meta(extra={"from_env": False})
"""Marks a field set by code (an entry point), never by the environment."""

Port = Annotated[int, Meta(ge=1, le=65535)]
PositiveInt = Annotated[int, Meta(ge=1)]
NonNegativeInt = Annotated[int, Meta(ge=0)]
Positive = Annotated[float, Meta(gt=0)]
NonNegative = Annotated[float, Meta(ge=0)]

_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")

S = TypeVar("S", bound=Struct)


class SettingError(ValueError):
    """A variable whose text is not a value of its setting; names the variable."""


def _parts(annotation: object) -> tuple[object, tuple[object, ...]]:
    """The bare type of a field and its ``Annotated`` metadata."""
    if typing.get_origin(annotation) is Annotated:
        base, *extras = typing.get_args(annotation)
        return base, tuple(extras)
    return annotation, ()


def _from_env(extras: tuple[object, ...]) -> bool:
    return not any(isinstance(m, Meta) and (m.extra or {}).get("from_env") is False for m in extras)


def env_names(cls: type[Struct]) -> set[str]:
    """Every variable ``read_env(cls)`` reads (for the documentation check)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return {
        cls.env_prefix + f.name.upper()  # type: ignore[attr-defined]
        for f in msgspec.structs.fields(cls)
        if _from_env(_parts(hints[f.name])[1])
    }


def _convert(name: str, raw: str, annotation: object) -> object:
    base, _ = _parts(annotation)
    if base is bool:
        value = raw.strip().lower()
        if value not in _TRUE + _FALSE:
            raise SettingError(f"{name} must be true or false, not {raw!r}")
        return value in _TRUE
    if base is Path:
        return Path(raw)
    if typing.get_origin(base) is list:
        text: object = [v.strip() for v in raw.split(",") if v.strip()]
    else:
        text = raw.strip()
    try:
        return msgspec.convert(text, annotation, strict=False)
    except msgspec.ValidationError as e:
        raise SettingError(f"{name}={raw!r} is not a valid setting: {e}") from None


def read_env(cls: type[S], environ: Mapping[str, str] | None = None) -> S:
    """``cls`` with each field read from its variable when set (and not
    empty), else the field's default. A value that does not convert is a
    ``SettingError`` naming the variable, and nothing is half-read."""
    environ = os.environ if environ is None else environ
    hints = typing.get_type_hints(cls, include_extras=True)
    values = {}
    for f in msgspec.structs.fields(cls):
        annotation = hints[f.name]
        if not _from_env(_parts(annotation)[1]):
            continue
        name = cls.env_prefix + f.name.upper()  # type: ignore[attr-defined]
        raw = environ.get(name, "")
        if raw.strip():
            values[f.name] = _convert(name, raw, annotation)
    return cls(**values)


class Settings(Struct, kw_only=True):
    """What every service shares; read from ``VIRTUBAR_<FIELD>``."""

    env_prefix: ClassVar[str] = "VIRTUBAR_"

    host: str = "127.0.0.1"
    port: Port = 8080
    data: Path = Path(".virtubar")
    public_url: str = ""
    database_url: str = ""
    redis_url: str = ""
    redis_cluster: bool = False
    token_secret: str = ""
    token_previous_secrets: list[str] = field(default_factory=list)
    region: str = "local"
    stun_urls: list[str] = field(default_factory=list)
    turn_urls: list[str] = field(default_factory=list)
    turn_secret: str = ""
    turn_ttl_s: PositiveInt = 3600
    allowed_origins: list[str] = field(default_factory=list)
    admin_emails: list[str] = field(default_factory=list)
    edge_url: str = ""
    sfu_url: str = ""
    node_capacity: NonNegativeInt = 0  # players a node takes; 0: from its memory and open files
    reservation_s: Positive = 60.0
    s3_bucket: str = ""
    requests_per_minute: PositiveInt = 300
    signups_per_hour: PositiveInt = 20
    guests_per_hour: PositiveInt = 200
    guests_per_device_per_hour: PositiveInt = 20
    login_attempts_per_10_min: PositiveInt = 20
    forwarded_hops: NonNegativeInt = 0
    s3_endpoint_url: str = ""
    s3_region: str = ""
    metrics_token: str = ""
    kick_cooldown_s: NonNegative = 300.0
    api_url: str = ""  # where nodes reach the API; PUBLIC_URL/api unless set
    session_grace_s: Positive = 120.0
    track_max_bytes: PositiveInt = 20 * 1024 * 1024  # the largest music track a room accepts
    board_update_max_bytes: PositiveInt = 8192  # one whiteboard update (a stroke's batch)
    board_max_bytes: PositiveInt = 2 * 1024 * 1024  # a whole whiteboard, its stored updates and snapshot
    board_compact_every: PositiveInt = 200  # stored updates of a board folded into its snapshot
    map_max_bytes: PositiveInt = 8 * 1024 * 1024  # a Tiled map import: the map, its tilesets and images together
    map_max_tiles: PositiveInt = 65_536  # tiles of an imported map, all its tile layers counted
    map_max_objects: PositiveInt = 1024  # objects of an imported map
    asset_max_bytes: PositiveInt = 1024 * 1024  # one world asset (a tileset image)
    oidc_issuer: str = ""  # an OpenID Connect provider's issuer URL: enables "Sign in with <oidc_name>"
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "OpenID"  # the provider's name on the sign-in button
    retention_closed_reports_days: NonNegativeInt = 0  # 0: kept for good
    retention_evidence_days: NonNegativeInt = 0
    retention_focus_sessions_days: NonNegativeInt = 0
    slide_max_bytes: PositiveInt = 4 * 1024 * 1024  # one upload to a screen's deck: an image or a PDF
    slide_pdf_max_pages: PositiveInt = 50  # pages of one uploaded PDF deck, each drawn as a slide

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``VIRTUBAR_*``; fill what the embedded mode can derive."""
        return read_env(cls).completed()

    def completed(self) -> Settings:
        """Derive the public URL, the API's URL, the database URL, the origin allowlist and
        (embedded mode only) a token secret kept in the data folder."""
        self.data = self.data.resolve()
        self.admin_emails = [e.lower() for e in self.admin_emails]
        if not self.public_url:
            self.public_url = f"http://{self.host}:{self.port}"
        if not self.api_url:
            self.api_url = self.public_url + "/api"
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data / 'virtubar.sqlite3'}"
        if not self.allowed_origins:
            self.allowed_origins = [self.public_url]
        if not self.token_secret:
            self.token_secret = _kept_secret(self.data / "token-secret")
        return self

    @property
    def ws_base(self) -> str:
        return "ws" + self.public_url.removeprefix("http")


def _kept_secret(path: Path) -> str:
    """A secret generated once and kept (mode 0600) in the data folder."""
    if path.exists():
        return path.read_text().strip()
    private_folder(path.parent)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value
