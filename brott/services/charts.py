"""Charts drawn on the server as inline SVG: no script, nothing fetched, the same numbers in
a table beside it.

A chart of an indicator shows its values over time as a line with points, the target as a
dashed line and the baseline as a thin one. The SVG carries its scale (`data-x-min`,
`data-x-max` as ISO dates, `data-y-min`, `data-y-max`, `data-plot` as the plot's left, top,
right and bottom), so a test can map every point back to its date and value.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from brott import clock

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 48  # margins around the plot
NUMBER_FORMAT = "#,##0.##"
LINE, TARGET, BASELINE, GRID, TEXT = "#1d5fa8", "#a34a00", "#555555", "#dddddd", "#222222"


@dataclass(frozen=True)
class Row:
    on_date: date
    value: str
    target: str


@dataclass(frozen=True)
class Chart:
    svg: Markup
    rows: list[Row]


def number(value: float) -> str:
    """A number as the reader's language writes it (Swedish: 12,5 and 1 250)."""
    return format_decimal(value, format=NUMBER_FORMAT)


@dataclass(frozen=True)
class Axes:
    """An indicator chart's scale: the dates it spans, the values it spans with the step
    between grid lines, and the dates labelled; the SVG and the PDF report draw from it."""

    x_min: date
    x_max: date
    y_min: float
    y_max: float
    step: float
    date_ticks: list[date]


def axes(points: list[tuple[date, float]], baseline: float, target: float) -> Axes:
    """The scale of the chart of `points` with its baseline and target."""
    x_min, x_max = _date_range([day for day, _value in points])
    y_min, y_max, step = _value_range([v for _day, v in points] + [baseline, target])
    ticks = _date_ticks([day for day, _value in points] or [x_min, x_max])
    return Axes(x_min, x_max, y_min, y_max, step, ticks)


def indicator_chart(
    chart_id: str,
    name: str,
    unit: str,
    points: list[tuple[date, float]],
    baseline: float,
    target: float,
) -> Chart:
    """The chart of an indicator's values against its target and baseline, and its table."""
    rows = [Row(day, number(value), number(target)) for day, value in points]
    return Chart(_svg(chart_id, name, unit, points, baseline, target), rows)


def _svg(
    chart_id: str,
    name: str,
    unit: str,
    points: list[tuple[date, float]],
    baseline: float,
    target: float,
) -> Markup:
    scale = axes(points, baseline, target)
    x_min, x_max = scale.x_min, scale.x_max
    y_min, y_max, step = scale.y_min, scale.y_max, scale.step
    x0, y0, x1, y1 = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    span_days = (x_max - x_min).days

    def x(day: date) -> float:
        return round(x0 + (x1 - x0) * (day - x_min).days / span_days, 2)

    def y(value: float) -> float:
        return round(y1 - (y1 - y0) * (value - y_min) / (y_max - y_min), 2)

    unit_text = f" ({unit})" if unit else ""
    summary = _(
        "%(name)s over time: %(count)d values, target %(target)s, baseline %(baseline)s.",
        name=name,
        count=len(points),
        target=number(target),
        baseline=number(baseline),
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" class="chart" aria-labelledby="{chart_id}-title" '
        f'data-x-min="{x_min.isoformat()}" data-x-max="{x_max.isoformat()}" '
        f'data-y-min="{y_min!r}" data-y-max="{y_max!r}" data-plot="{x0} {y0} {x1} {y1}" '
        f'font-family="sans-serif" font-size="13">',
        f'<title id="{chart_id}-title">{escape(summary)}</title>',
    ]
    # the value axis: grid lines with their numbers
    ticks = round((y_max - y_min) / step)
    for i in range(ticks + 1):
        value = y_min + i * step
        parts.append(
            f'<line x1="{x0}" x2="{x1}" y1="{y(value)}" y2="{y(value)}" stroke="{GRID}"/>'
            f'<text x="{x0 - 6}" y="{y(value) + 4}" text-anchor="end" fill="{TEXT}">'
            f"{escape(number(value))}</text>"
        )
    parts.append(f'<text x="{x0}" y="{TOP - 8}" fill="{TEXT}">{escape(name + unit_text)}</text>')
    # the time axis: the first and last date, and some between when there is room
    for day in scale.date_ticks:
        parts.append(
            f'<text x="{x(day)}" y="{y1 + 20}" text-anchor="middle" fill="{TEXT}">'
            f"{escape(format_date(day, 'short'))}</text>"
        )
    parts.append(
        f'<line x1="{x0}" x2="{x1}" y1="{y1}" y2="{y1}" stroke="{TEXT}"/>'
        f'<line x1="{x0}" x2="{x0}" y1="{y0}" y2="{y1}" stroke="{TEXT}"/>'
    )
    parts.append(
        f'<line class="baseline" x1="{x0}" x2="{x1}" y1="{y(baseline)}" y2="{y(baseline)}" '
        f'stroke="{BASELINE}" stroke-width="1.5"/>'
        f'<line class="target" x1="{x0}" x2="{x1}" y1="{y(target)}" y2="{y(target)}" '
        f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="8 5"/>'
    )
    legend_y = HEIGHT - 10
    parts.append(
        f'<line x1="{x0}" x2="{x0 + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="{LINE}" stroke-width="2.5"/>'
        f'<text x="{x0 + 30}" y="{legend_y}" fill="{TEXT}">{escape(_("Value"))}</text>'
        f'<line x1="{x0 + 110}" x2="{x0 + 134}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="8 5"/>'
        f'<text x="{x0 + 140}" y="{legend_y}" fill="{TEXT}">{escape(_("Target"))}</text>'
        f'<line x1="{x0 + 230}" x2="{x0 + 254}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="{BASELINE}" stroke-width="1.5"/>'
        f'<text x="{x0 + 260}" y="{legend_y}" fill="{TEXT}">{escape(_("Baseline"))}</text>'
    )
    if points:
        line = " ".join(f"{x(day)},{y(value)}" for day, value in points)
        parts.append(
            f'<polyline class="values" points="{line}" fill="none" stroke="{LINE}" '
            f'stroke-width="2.5"/>'
        )
        for day, value in points:
            label = f"{format_date(day, 'short')}: {number(value)}{unit_text}"
            parts.append(
                f'<circle class="point" cx="{x(day)}" cy="{y(value)}" r="4" fill="{LINE}">'
                f"<title>{escape(label)}</title></circle>"
            )
    else:
        parts.append(
            f'<text x="{(x0 + x1) / 2}" y="{(y0 + y1) / 2}" text-anchor="middle" '
            f'fill="{TEXT}">{escape(_("No values yet."))}</text>'
        )
    parts.append("</svg>")
    svg = "".join(parts)
    return Markup(svg)  # nosec B704 — every text in it went through escape above


def _date_range(days: list[date]) -> tuple[date, date]:
    if not days:
        today = clock.today()
        return today - timedelta(days=30), today
    first, last = min(days), max(days)
    if first == last:  # one value: in the middle of a month
        return first - timedelta(days=15), last + timedelta(days=15)
    return first, last


def _value_range(values: list[float]) -> tuple[float, float, float]:
    """The value axis from 0 (or below) to a round number above the largest value."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1
    raw = (high - low) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _date_ticks(days: list[date], most: int = 5) -> list[date]:
    unique = sorted(set(days))
    if len(unique) <= most:
        return unique
    stride = (len(unique) - 1) / (most - 1)
    return [unique[round(i * stride)] for i in range(most)]
