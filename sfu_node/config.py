"""SFU-only settings, from ``VIRTUBAR_SFU_*`` environment variables (read by
the one loader of ``virtubar/settings.py``: the defaults below are the only
ones)."""

from __future__ import annotations

from typing import ClassVar

from msgspec import Struct, field

from virtubar.settings import read_env


class SfuConfig(Struct, kw_only=True):
    env_prefix: ClassVar[str] = "VIRTUBAR_SFU_"

    ice_addresses: list[str] = field(default_factory=list)
    """Local IPs to gather ICE host candidates on; empty = every interface
    but loopback."""

    @classmethod
    def from_env(cls) -> SfuConfig:
        return read_env(cls)
