"""Bar charts laid out on the server: pure functions from data to SVG geometry.

No Django and no I/O here; templates draw the shapes (see ``portal/home.html``), so a chart
works without JavaScript and its numbers can be tested directly.
"""

import math
from dataclasses import dataclass

# Drawing units of the SVG viewBox; the image scales to its container.
# The margins leave room for text up to 22 units high (portal.css, on narrow screens).
WIDTH, HEIGHT = 640, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 8, 32, 36
BAR_SHARE = 0.7  # of each slot; the rest is the gap between bars
MAX_AXIS_LABELS = 10  # more four-digit years than this would overlap at the chart's width
MAX_VALUE_LABELS = 20  # above this many bars, value labels over each bar would overlap


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    centre: float
    # The bar's whole slot, full plot height: a target for a link that is easy to hit even
    # where the bar is short or empty.
    slot_x: float
    slot_width: float
    show_label: bool  # whether the axis shows this bar's label
    minor_label: bool  # a label that narrow screens leave out (every other one shown)
    show_value: bool  # whether the value is written above the bar


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    baseline: float
    bars: tuple
    ticks: tuple

    @property
    def plot_height(self):
        return round(self.baseline - self.top, 2)

    @property
    def first_label(self):
        return self.bars[0].label if self.bars else ""

    @property
    def last_label(self):
        return self.bars[-1].label if self.bars else ""


def fill_missing_years(counts):
    """[(year, count)] sorted by year, with every year between the first and last present
    (0 where `counts` has none), so a time axis never hides a gap. Empty in, empty out."""
    counts = dict(counts)
    if not counts:
        return []
    return [(year, counts.get(year, 0)) for year in range(min(counts), max(counts) + 1)]


def nice_step(maximum, max_ticks=5):
    """The smallest of 1, 2, 5, 10, 20, 50... that covers `maximum` in at most `max_ticks` steps."""
    if maximum <= max_ticks:
        return 1
    magnitude = 10 ** math.floor(math.log10(maximum / max_ticks))
    for multiple in (1, 2, 5):
        if math.ceil(maximum / (multiple * magnitude)) <= max_ticks:
            return multiple * magnitude
    return 10 * magnitude


def bar_chart(points, width=WIDTH, height=HEIGHT):
    """Lay out one bar per (label, value) in `points`, in order, values from 0 up.

    Returns a `BarChart`: bars with their rectangles in SVG coordinates (y grows downwards),
    and ticks for horizontal grid lines at round numbers from 0 to the top of the scale.
    """
    points = list(points)
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, baseline = MARGIN_TOP, height - MARGIN_BOTTOM
    highest = max((value for _, value in points), default=0)
    step = nice_step(max(highest, 1))
    scale_top = step * math.ceil(max(highest, 1) / step)
    plot_height = baseline - top

    def y_of(value):
        return round(baseline - value / scale_top * plot_height, 2)

    slot = (right - left) / len(points) if points else 0
    bar_width = slot * BAR_SHARE
    label_every = max(1, math.ceil(len(points) / MAX_AXIS_LABELS))
    bars = tuple(
        Bar(
            label=str(label),
            value=value,
            x=round(left + i * slot + (slot - bar_width) / 2, 2),
            y=y_of(value),
            width=round(bar_width, 2),
            height=round(baseline - y_of(value), 2),
            centre=round(left + (i + 0.5) * slot, 2),
            slot_x=round(left + i * slot, 2),
            slot_width=round(slot, 2),
            show_label=i % label_every == 0,
            minor_label=i % (2 * label_every) != 0,
            show_value=value > 0 and len(points) <= MAX_VALUE_LABELS,
        )
        for i, (label, value) in enumerate(points)
    )
    ticks = tuple(Tick(value=v, y=y_of(v)) for v in range(0, scale_top + 1, step))
    return BarChart(width, height, left, right, top, baseline, bars, ticks)
