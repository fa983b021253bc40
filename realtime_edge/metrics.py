"""Prometheus text metrics, hand-written: counters, gauges, one histogram."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

FANOUT_BUCKETS_MS = (1, 2, 5, 10, 20, 50, 100, 250, 1000)


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


class Metrics:
    def __init__(self) -> None:
        self.counters: dict[str, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
        self.gauges: dict[str, Callable[[], float]] = {}
        self.help: dict[str, str] = {}
        self._hist = [0] * (len(FANOUT_BUCKETS_MS) + 1)
        self._hist_sum = 0.0

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Counters take at most one label, so its items need no sorting."""
        self.counters[name][tuple(labels.items())] += amount

    def gauge(self, name: str, read: Callable[[], float], help: str) -> None:
        self.gauges[name] = read
        self.help[name] = help

    def observe_fanout_ms(self, ms: float) -> None:
        for i, bound in enumerate(FANOUT_BUCKETS_MS):
            if ms <= bound:
                self._hist[i] += 1
                break
        else:
            self._hist[-1] += 1
        self._hist_sum += ms

    def render(self) -> str:
        out: list[str] = []
        for name, read in self.gauges.items():
            out += [f"# HELP {name} {self.help[name]}", f"# TYPE {name} gauge", f"{name} {read()}"]
        for name, series in self.counters.items():
            out.append(f"# TYPE {name} counter")
            out += [f"{name}{_labels(dict(labels))} {v:g}" for labels, v in series.items()]
        name = "virtubar_edge_fanout_latency_ms"
        out += [f"# HELP {name} publish to send, per bus entry", f"# TYPE {name} histogram"]
        total = 0
        for bound, n in zip(FANOUT_BUCKETS_MS, self._hist, strict=False):
            total += n
            out.append(f'{name}_bucket{{le="{bound}"}} {total}')
        total += self._hist[-1]
        out += [f'{name}_bucket{{le="+Inf"}} {total}', f"{name}_sum {self._hist_sum:g}", f"{name}_count {total}"]
        return "\n".join(out) + "\n"
