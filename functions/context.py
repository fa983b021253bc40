"""What every handler may need, built once per process and injected."""

from __future__ import annotations

from dataclasses import dataclass

from functions.assets import AssetStore
from functions.db import Database
from functions.evidence import EvidenceStore
from functions.slidefiles import SlideStore
from functions.trackfiles import TrackStore
from virtubar.bus import RoomBus
from virtubar.registry import Registry
from virtubar.settings import Settings
from virtubar.state import SharedState
from virtubar.tokens import TokenIssuer


@dataclass
class Services:
    settings: Settings
    db: Database
    state: SharedState
    registry: Registry
    tokens: TokenIssuer
    bus: RoomBus
    evidence: EvidenceStore
    tracks: TrackStore
    assets: AssetStore
    slides: SlideStore
