"""The house tracks: a few short loops the embedded mode synthesizes itself
(no downloaded media, nothing to license) so a fresh install's jukebox has
music before anyone uploads. They are in every room's library; their ids are
fixed, so a track in a playlist stays the same one across restarts.

They are made at build time (``virtubar house-tracks``, run by
``infra/bootstrap.sh`` and the image's build) into a folder the embedded
mode's start copies them from; synthesizing them there (a few seconds of
pure Python) is only the fallback for a build that skipped the step."""

from __future__ import annotations

import array
import hashlib
import io
import math
import wave
from pathlib import Path

from functions.tables import Track
from functions.trackfiles import LocalTracks

RATE = 22050
# (title, beats per minute, bass line in semitones from A2, seconds)
_LOOPS = (
    ("House Loop: Warm Up", 112, (0, 0, 7, 5), 24),
    ("House Loop: Neon Walk", 124, (0, 3, 5, 10), 24),
    ("House Loop: Last Call", 96, (0, -2, -4, -5), 24),
)


def track_id(title: str) -> str:
    return hashlib.sha256(f"virtubar house track {title}".encode()).hexdigest()[:32]


def synthesize(bpm: int, bass: tuple[int, ...], seconds: int) -> bytes:
    """A WAV loop: a soft bass note per beat, a click on the off-beat."""
    samples = array.array("h", bytes(2 * RATE * seconds))
    beat = 60 / bpm
    for i in range(len(samples)):
        t = i / RATE
        n, into = divmod(t, beat)
        freq = 110 * 2 ** (bass[int(n) % len(bass)] / 12)
        envelope = math.exp(-3 * into / beat)
        value = 0.45 * envelope * math.sin(2 * math.pi * freq * t) + 0.15 * envelope * math.sin(4 * math.pi * freq * t)
        off = into - beat / 2
        if 0 <= off < 0.02:
            value += 0.2 * math.sin(2 * math.pi * 3000 * off) * (1 - off / 0.02)
        samples[i] = int(12000 * value)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def build(folder: Path) -> list[Path]:
    """Write each house track missing from ``folder`` as ``<id>.wav``; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for title, bpm, bass, seconds in _LOOPS:
        path = folder / f"{track_id(title)}.wav"
        if not path.is_file():
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(synthesize(bpm, bass, seconds))
            partial.replace(path)
            written.append(path)
    return written


def _loop(built: Path | None, tid: str, bpm: int, bass: tuple[int, ...], seconds: int) -> bytes:
    made = built / f"{tid}.wav" if built is not None else None
    return made.read_bytes() if made is not None and made.is_file() else synthesize(bpm, bass, seconds)


async def ensure_house_tracks(store: LocalTracks, built: Path | None = None) -> None:
    """Keep the house tracks that are missing (from the store or the
    database): those made at build time in ``built``, else made now."""
    for title, bpm, bass, seconds in _LOOPS:
        tid = track_id(title)
        row = await Track.select(Track.id).where(Track.id == tid).first()
        if row is not None and store.path(tid).is_file():
            continue
        data = _loop(built, tid, bpm, bass, seconds)
        store.keep(tid, data)
        if row is None:
            await Track.insert(Track(id=tid, room=None, uploader=None, title=title, content_type="audio/wav",
                                     duration_ms=seconds * 1000, size=len(data), status="ready"))
