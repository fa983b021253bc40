"""The node's counters, rendered as Prometheus text for ``/metrics``."""

from __future__ import annotations

from bisect import bisect_left

LATENCY_BUCKETS_S = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25)


class Metrics:
    def __init__(self) -> None:
        self.packets_in = 0
        self.bytes_in = 0
        self.packets_out = 0
        self.bytes_out = 0
        self.selection_changes = 0
        self.shed = 0  # incoming RTP dropped because the node fell behind (intake.py)
        self._latency = [0] * (len(LATENCY_BUCKETS_S) + 1)
        self._latency_sum = 0.0

    def received(self, size: int) -> None:
        self.packets_in += 1
        self.bytes_in += size

    def forwarded(self, packets: int, size: int, latency_s: float) -> None:
        """One incoming packet (``size`` bytes of payload) sent to ``packets``
        subscribers, the last ``latency_s`` after it arrived: one histogram
        observation per incoming packet, not per subscriber, keeps the
        metrics off the per-subscriber path."""
        self.packets_out += packets
        self.bytes_out += packets * size
        self._latency[bisect_left(LATENCY_BUCKETS_S, latency_s)] += 1
        self._latency_sum += latency_s

    def render(self, *, peers: int, tracks: int, outlets: int, rooms: int) -> str:
        lines = [
            "# TYPE virtubar_sfu_peers gauge",
            f"virtubar_sfu_peers {peers}",
            "# TYPE virtubar_sfu_rooms gauge",
            f"virtubar_sfu_rooms {rooms}",
            "# TYPE virtubar_sfu_tracks gauge",
            f'virtubar_sfu_tracks{{direction="in"}} {tracks}',
            f'virtubar_sfu_tracks{{direction="out"}} {outlets}',
            "# TYPE virtubar_sfu_packets_total counter",
            f'virtubar_sfu_packets_total{{direction="in"}} {self.packets_in}',
            f'virtubar_sfu_packets_total{{direction="out"}} {self.packets_out}',
            "# TYPE virtubar_sfu_bytes_total counter",
            f'virtubar_sfu_bytes_total{{direction="in"}} {self.bytes_in}',
            f'virtubar_sfu_bytes_total{{direction="out"}} {self.bytes_out}',
            "# TYPE virtubar_sfu_selection_changes_total counter",
            f"virtubar_sfu_selection_changes_total {self.selection_changes}",
            "# TYPE virtubar_sfu_shed_total counter",
            f"virtubar_sfu_shed_total {self.shed}",
            "# HELP virtubar_sfu_forwarding_latency_seconds packet arrival to its hand-off to a subscriber's sender",
            "# TYPE virtubar_sfu_forwarding_latency_seconds histogram",
        ]
        total = 0
        for bound, count in zip((*map(str, LATENCY_BUCKETS_S), "+Inf"), self._latency, strict=True):
            total += count
            lines.append(f'virtubar_sfu_forwarding_latency_seconds_bucket{{le="{bound}"}} {total}')
        lines += [
            f"virtubar_sfu_forwarding_latency_seconds_sum {self._latency_sum:.6f}",
            f"virtubar_sfu_forwarding_latency_seconds_count {total}",
        ]
        return "\n".join(lines) + "\n"
