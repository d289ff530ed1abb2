"""In-process counters and a latency histogram, rendered in Prometheus text format.

Kept dependency-free and tiny: a bot on a small VPS should not need a metrics library to
answer "how many questions, how many answered, how fast".
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

LATENCY_BUCKETS_MS: tuple[float, ...] = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)


@dataclass
class Histogram:
    buckets: Sequence[float]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    samples: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += 1
        self.total += value
        self.samples += 1


class Metrics:
    """Thread-safe counters (questions, answered, digests sent, errors) and answer latency."""

    COUNTERS: tuple[tuple[str, str], ...] = (
        ("questions_total", "Questions received"),
        ("answered_total", "Questions answered with a source"),
        ("declined_total", "Questions the articles do not answer"),
        ("digests_sent_total", "Digest messages delivered"),
        ("notices_sent_total", "New-content notices delivered"),
        ("reloads_total", "Successful reloads"),
        ("reload_failures_total", "Reloads refused for invalid content"),
        ("errors_total", "Unhandled errors while handling updates"),
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters = {name: 0 for name, _ in self.COUNTERS}
        self.latency = Histogram(LATENCY_BUCKETS_MS)

    def inc(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counters[name] = self._counters.get(name, 0) + amount

    def value(self, name: str) -> int:
        with self._lock:
            return self._counters.get(name, 0)

    def observe_answer(self, answered: bool, latency_ms: float) -> None:
        with self._lock:
            self._counters["questions_total"] += 1
            self._counters["answered_total" if answered else "declined_total"] += 1
            self.latency.observe(latency_ms)

    def render(self, extra: Iterable[tuple[str, str, float]] = ()) -> str:
        """Prometheus text exposition format (version 0.0.4)."""
        lines: list[str] = []
        with self._lock:
            for name, help_text in self.COUNTERS:
                lines += [
                    f"# HELP newsbot_{name} {help_text}",
                    f"# TYPE newsbot_{name} counter",
                    f"newsbot_{name} {self._counters[name]}",
                ]
            total = self._counters["questions_total"]
            ratio = self._counters["answered_total"] / total if total else 0.0
            lines += [
                "# HELP newsbot_answered_ratio Share of questions answered",
                "# TYPE newsbot_answered_ratio gauge",
                f"newsbot_answered_ratio {ratio:.4f}",
                "# HELP newsbot_answer_latency_ms Time to answer a question",
                "# TYPE newsbot_answer_latency_ms histogram",
            ]
            for bound, count in zip(self.latency.buckets, self.latency.counts, strict=True):
                lines.append(f'newsbot_answer_latency_ms_bucket{{le="{bound:g}"}} {count}')
            lines += [
                f'newsbot_answer_latency_ms_bucket{{le="+Inf"}} {self.latency.samples}',
                f"newsbot_answer_latency_ms_sum {self.latency.total:.3f}",
                f"newsbot_answer_latency_ms_count {self.latency.samples}",
            ]
        for name, help_text, value in extra:
            lines += [
                f"# HELP newsbot_{name} {help_text}",
                f"# TYPE newsbot_{name} gauge",
                f"newsbot_{name} {value:g}",
            ]
        return "\n".join(lines) + "\n"
