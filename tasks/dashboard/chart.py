"""The outcomes-over-time chart as inline SVG geometry (no script, no library): stacked bars, one per bucket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocations.outcome import OutcomeKind

if TYPE_CHECKING:
    from allocations.state.timeline import Bucket, Timeline

WIDTH, HEIGHT, TOP = 960, 120, 8  # the SVG's user units; it scales to the page's width
STACKED = tuple(kind.value for kind in OutcomeKind)  # bottom to top
COLOURS = {"applied": "#198754", "duplicate": "#6c757d", "ignored": "#adb5bd", "dead-lettered": "#dc3545"}


@dataclass(frozen=True)
class Segment:
    """One series' part of one bar."""

    series: str
    count: int
    y: float
    height: float
    colour: str


@dataclass(frozen=True)
class Bar:
    """One bucket: where it is drawn, its label, its stacked segments, and the dead letters parked in it."""

    x: float
    width: float
    label: str
    total: int
    parked: int
    segments: list[Segment]


def bars(timeline: Timeline) -> list[Bar]:
    """The bars of ``timeline``, scaled so the tallest fills the chart."""
    tallest = max([b.total for b in timeline.buckets] + [1])
    slot = WIDTH / max(len(timeline.buckets), 1)
    drawn = []
    for index, bucket in enumerate(timeline.buckets):
        y = float(HEIGHT)
        segments = []
        for series in STACKED:
            count = bucket.counts.get(series, 0)
            height = (HEIGHT - TOP) * count / tallest
            y -= height
            if count:
                segments.append(Segment(series, count, round(y, 2), round(height, 2), COLOURS[series]))
        drawn.append(
            Bar(
                round(index * slot + slot * 0.1, 2),
                round(slot * 0.8, 2),
                label(timeline, bucket),
                bucket.total,
                bucket.counts.get("parked", 0),
                segments,
            )
        )
    return drawn


def label(timeline: Timeline, bucket: Bucket) -> str:
    """``14:00`` for an hour, ``Mon 02 Jun`` for a day (UTC)."""
    return bucket.start.strftime("%H:00" if timeline.span == "24h" else "%a %d %b")
