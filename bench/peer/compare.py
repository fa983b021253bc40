"""Side-by-side medians of one peer run (bench/peer/run.sh): for each load
shape, ours and the peer's median over the runs the generator did not flag
as disturbed by other processes (all runs when every one was), and their
ratio. Ratios from one run are the figure we quote: the machine is shared,
and both sides meet the same noise."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# (title, key, digits, better) — better: which way is good for us, for the reader's eye
METRICS = (
    ("delivered/s", "delivered_per_s", 0),
    ("delivery ratio", "delivery_ratio", 4),
    ("p50 ms", "lat_p50_ms", 1),
    ("p99 ms", "lat_p99_ms", 1),
    ("server CPU % (both nodes)", "server_cpu_pct_total", 1),
    ("delivered/s per server core", "delivered_per_server_core_s", 0),
)


def shape_of(label: str) -> tuple[str, str]:
    """("ours", "1x100@10") from "ours 1x100@10 r2"."""
    side, shape, *_ = label.split()
    return side, shape


def medians(rows: list[dict]) -> dict[str, dict[str, tuple[float | None, int, int]]]:
    """shape -> side -> key -> (median, runs used, runs in all)."""
    runs: dict[str, dict[str, list[dict]]] = {}
    for r in rows:
        side, shape = shape_of(r["label"])
        runs.setdefault(shape, {}).setdefault(side, []).append(r)
    out: dict[str, dict[str, tuple[float | None, int, int]]] = {}
    for shape, sides in runs.items():
        for side, rs in sides.items():
            clean = [r for r in rs if not r.get("contaminated")] or rs
            for _, key, _ in METRICS:
                values = [r[key] for r in clean if r.get(key) is not None]
                out.setdefault(shape, {})[f"{side}:{key}"] = (
                    statistics.median(values) if values else None, len(clean), len(rs))
    return out


def shown(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(rows: list[dict]) -> str:
    m = medians(rows)
    lines = ["| shape | metric | ours | peer | ours / peer |", "|---|---|---|---|---|"]
    for shape, cells in m.items():
        ours_n, peer_n = cells.get("ours:lat_p50_ms", (None, 0, 0)), cells.get("peer:lat_p50_ms", (None, 0, 0))
        runs = f"{shape} (n={ours_n[1]}/{ours_n[2]}, {peer_n[1]}/{peer_n[2]})"
        for title, key, digits in METRICS:
            ours, peer = cells.get(f"ours:{key}", (None,))[0], cells.get(f"peer:{key}", (None,))[0]
            ratio = f"{ours / peer:.2f}" if ours is not None and peer else "-"
            lines.append(f"| {runs} | {title} | {shown(ours, digits)} | {shown(peer, digits)} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("results", type=Path, help="A.jsonl of one run")
    ap.add_argument("--write", action="store_true", help="append the table to docs/benchmarks.md")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.results.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if "rate_hz" in r]
    text = table(rows)
    print(text)
    if args.write:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True).stdout.strip()
        times = sorted(r["ts"] for r in rows)
        when = f"{datetime.now(UTC):%d %b %Y}, {times[0][11:16]}–{times[-1][11:16]} UTC"
        with (REPO / "docs" / "benchmarks.md").open("a") as doc:
            doc.write(f"\n### The edge against the Socket.IO peer in one run ({when}, {commit})\n\n"
                      "`bench/peer/run.sh`: two nodes and redis-server each side, the same generator, points "
                      "interleaved (ours, peer); medians over the runs not flagged as disturbed "
                      "(n = runs used / runs).\n\n" + text + "\n")


if __name__ == "__main__":
    main()
