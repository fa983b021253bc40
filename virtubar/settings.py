"""Configuration from environment variables, with defaults for the embedded
mode. Every variable is listed in the README's Configuration table."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from msgspec import Struct, field


def _env(name: str, default: str) -> str:
    return os.environ.get(f"VIRTUBAR_{name}", default)


def _flag(name: str) -> bool:
    """``true``/``false`` (also 1/0, yes/no); anything else is a clear error."""
    value = _env(name, "").strip().lower() or "false"
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"VIRTUBAR_{name} must be true or false, not {value!r}")
    return value in ("true", "1", "yes")


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class Settings(Struct, kw_only=True):
    host: str = "127.0.0.1"
    port: int = 8080
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
    turn_ttl_s: int = 3600
    allowed_origins: list[str] = field(default_factory=list)
    admin_emails: list[str] = field(default_factory=list)
    edge_url: str = ""
    sfu_url: str = ""
    node_capacity: int = 5000
    reservation_s: float = 60.0
    s3_bucket: str = ""
    requests_per_minute: int = 300
    signups_per_hour: int = 20
    login_attempts_per_10_min: int = 20
    forwarded_hops: int = 0
    s3_endpoint_url: str = ""
    s3_region: str = ""
    kick_cooldown_s: float = 300.0
    api_url: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``VIRTUBAR_*``; fill what the embedded mode can derive."""
        s = cls(
            host=_env("HOST", "127.0.0.1"),
            port=int(_env("PORT", "8080")),
            data=Path(_env("DATA", ".virtubar")).resolve(),
            public_url=_env("PUBLIC_URL", ""),
            database_url=_env("DATABASE_URL", ""),
            redis_url=_env("REDIS_URL", ""),
            redis_cluster=_flag("REDIS_CLUSTER"),
            token_secret=_env("TOKEN_SECRET", ""),
            token_previous_secrets=_list(_env("TOKEN_PREVIOUS_SECRETS", "")),
            region=_env("REGION", "local"),
            stun_urls=_list(_env("STUN_URLS", "")),
            turn_urls=_list(_env("TURN_URLS", "")),
            turn_secret=_env("TURN_SECRET", ""),
            turn_ttl_s=int(_env("TURN_TTL_S", "3600")),
            allowed_origins=_list(_env("ALLOWED_ORIGINS", "")),
            admin_emails=[e.lower() for e in _list(_env("ADMIN_EMAILS", ""))],
            edge_url=_env("EDGE_URL", ""),
            sfu_url=_env("SFU_URL", ""),
            node_capacity=int(_env("NODE_CAPACITY", "5000")),
            reservation_s=float(_env("RESERVATION_S", "60")),
            s3_bucket=_env("S3_BUCKET", ""),
            requests_per_minute=int(_env("REQUESTS_PER_MINUTE", "300")),
            signups_per_hour=int(_env("SIGNUPS_PER_HOUR", "20")),
            login_attempts_per_10_min=int(_env("LOGIN_ATTEMPTS_PER_10_MIN", "20")),
            forwarded_hops=int(_env("FORWARDED_HOPS", "0")),
            s3_endpoint_url=_env("S3_ENDPOINT_URL", ""),
            s3_region=_env("S3_REGION", ""),
            kick_cooldown_s=float(_env("KICK_COOLDOWN_S", "300")),
            api_url=_env("API_URL", ""),
        )
        return s.completed()

    def completed(self) -> Settings:
        """Derive the public URL, the database URL, the origin allowlist and
        (embedded mode only) a token secret kept in the data folder."""
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
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value
