"""The follow-up report (services/follow_up_report) as a PDF, drawn with fpdf2.

The text is set in Source Sans Pro, a font under the SIL Open Font License that arrives with
the `font-source-sans-pro` package (pip alone, nothing fetched at run time) and is embedded
in the file, so å, ä, ö and the rest of Latin, Greek and Cyrillic, dashes, curly quotes, €
and … print as typed. A character the font has no glyph for (an emoji, say) is printed as
"?", and invisible joiners and variation selectors are dropped, so no text can break the
file. Indicator charts are drawn with lines and text on the same scale as the pages' SVG
charts (charts.axes). Headings are in the reader's language, which the file also declares.
"""

import logging
import unicodedata
from datetime import date
from functools import cache
from importlib import resources

from flask_babel import format_date
from flask_babel import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from brott.i18n import current_locale, date_text, datetime_text
from brott.models import STATUS_LABELS
from brott.services import charts
from brott.services.follow_up_report import (
    ActionOutcome,
    FollowUpReport,
    IndicatorSection,
    MeasureSection,
    Standing,
)

# fpdf2 subsets the embedded font with fontTools, which logs every step at INFO: dozens of
# lines per PDF in the app's log, none of them news
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_PACKAGE = "font_source_sans_pro"
FONT_FILES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}
FAMILY = "SourceSans"
MISSING = "?"
DROPPED = {"Cc", "Cf", "Mn", "Me"}  # control, format (joiners), combining marks
TEXT_SIZE, SMALL_SIZE = 10, 8.5
LINE = 5.0  # mm per line of body text
CHART_HEIGHT = 62.0  # mm
KEEP_TOGETHER = 40.0  # mm: a heading goes to the next page unless this much follows it


def _font_path(style: str) -> str:
    return str(resources.files(FONT_PACKAGE) / "files" / FONT_FILES[style])


@cache
def _glyphs() -> frozenset[int]:
    """The characters the font has glyphs for (both styles have the same set)."""
    with TTFont(_font_path(""), lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """`text` as the font can print it: composed (NFC), invisible format characters and
    stray combining marks dropped, any other character without a glyph shown as "?"."""
    glyphs = _glyphs()
    kept = []
    for char in unicodedata.normalize("NFC", text):
        if ord(char) in glyphs or char == "\n":
            kept.append(char)
        elif char == "\t":
            kept.append(" ")
        elif unicodedata.category(char) not in DROPPED:
            kept.append(MISSING)
    return "".join(kept)


class _Pdf(FPDF):
    """A4 pages with the report's title and the page number in the footer."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        for style in FONT_FILES:
            self.add_font(FAMILY, style, _font_path(style))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", SMALL_SIZE)
        self.set_text_color(90)
        page = _("Page %(page)d of %(pages)s", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, printable(f"{self.footer_text} · {page}"), align="R")
        self.set_text_color(0)

    # --- text ----------------------------------------------------------------------------

    def heading(self, text: str, level: int) -> None:
        """A heading, with a bookmark; it moves to a new page rather than end one."""
        size = {0: 18, 1: 14, 2: 12, 3: 10.5}[level]
        self.room_for(KEEP_TOGETHER if level <= 2 else 4 * LINE)
        if self.get_y() > self.t_margin + 1:
            self.ln(2 if level == 3 else 4)
        if level <= 2:
            self.start_section(printable(text), level=level, strict=False)
        self.set_font(FAMILY, "B", size)
        self.lines(size * 0.5, text)
        self.ln(1)

    def room_for(self, height: float) -> None:
        """Go on to a new page unless `height` fits on this one."""
        if self.will_page_break(height):
            self.add_page()

    def lines(self, height: float, text: str) -> None:
        """`text` from the current position to the right margin, wrapped, left-aligned."""
        self.multi_cell(0, height, printable(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, *, bold: bool = False, size: float = TEXT_SIZE) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.lines(LINE * size / TEXT_SIZE, text)

    def muted(self, text: str) -> None:
        self.set_text_color(90)
        self.paragraph(text, size=SMALL_SIZE + 0.5)
        self.set_text_color(0)

    def item(self, text: str, detail: str = "") -> None:
        """A bulleted line, with an optional smaller line under it."""
        self.set_font(FAMILY, "", TEXT_SIZE)
        self.set_x(self.l_margin + 3)
        self.lines(LINE, f"• {text}")
        if detail:
            self.set_x(self.l_margin + 6)
            self.set_text_color(70)
            self.set_font(FAMILY, "", SMALL_SIZE + 0.5)
            self.lines(LINE * 0.9, detail)
            self.set_text_color(0)

    # --- a chart ---------------------------------------------------------------------------

    def chart(self, section: IndicatorSection) -> None:
        """The indicator's values as a line against its dashed target and its baseline."""
        indicator = section.indicator
        points = [(p.on_date, p.value) for p in section.points]
        scale = charts.axes(points, indicator.baseline, indicator.target)
        self.room_for(CHART_HEIGHT + 4)
        top = self.get_y() + 2
        x0, x1 = self.l_margin + 14, self.w - self.r_margin - 2
        y0, y1 = top + 4, top + CHART_HEIGHT - 14
        span = max((scale.x_max - scale.x_min).days, 1)

        def x(day: date) -> float:
            return x0 + (x1 - x0) * (day - scale.x_min).days / span

        def y(value: float) -> float:
            return y1 - (y1 - y0) * (value - scale.y_min) / (scale.y_max - scale.y_min)

        self.set_font(FAMILY, "", 7)
        self.set_line_width(0.2)
        for i in range(round((scale.y_max - scale.y_min) / scale.step) + 1):
            value = scale.y_min + i * scale.step
            self.set_draw_color(charts.GRID)
            self.line(x0, y(value), x1, y(value))
            label = printable(charts.number(value))
            self.text(x0 - 1.5 - self.get_string_width(label), y(value) + 1, label)
        for day in scale.date_ticks:
            label = printable(format_date(day, "short"))
            self.text(x(day) - self.get_string_width(label) / 2, y1 + 4, label)
        self.set_draw_color(charts.TEXT)
        self.line(x0, y1, x1, y1)
        self.line(x0, y0, x0, y1)
        self._rule(charts.BASELINE, 0.3, y(indicator.baseline), x0, x1)
        self._rule(charts.TARGET, 0.5, y(indicator.target), x0, x1, dashed=True)
        if points:
            self.set_draw_color(charts.LINE)
            self.set_fill_color(charts.LINE)
            self.set_line_width(0.6)
            self.polyline([(x(d), y(v)) for d, v in points])
            for day, value in points:
                self.circle(x(day), y(value), 0.8, style="F")
        else:
            self.text(x0 + 4, (y0 + y1) / 2, printable(_("No values yet.")))
        legend = y1 + 9
        for i, (colour, width, dashed, label) in enumerate(
            (
                (charts.LINE, 0.6, False, _("Value")),
                (charts.TARGET, 0.5, True, _("Target")),
                (charts.BASELINE, 0.3, False, _("Baseline")),
            )
        ):
            left = x0 + i * 35
            self._rule(colour, width, legend - 1, left, left + 8, dashed=dashed)
            self.text(left + 10, legend, printable(label))
        self.set_draw_color(0)
        self.set_line_width(0.2)
        self.set_y(top + CHART_HEIGHT)

    def _rule(
        self, colour: str, width: float, at: float, x0: float, x1: float, dashed: bool = False
    ) -> None:
        self.set_draw_color(colour)
        self.set_line_width(width)
        if dashed:
            self.set_dash_pattern(dash=2.5, gap=1.5)
        self.line(x0, at, x1, at)
        self.set_dash_pattern()


def render(report: FollowUpReport) -> bytes:
    """The report as a PDF document."""
    title = _("Follow-up report")
    period = _(
        "%(start)s – %(end)s",
        start=date_text(report.period.start),
        end=date_text(report.period.end),
    )
    pdf = _Pdf(f"{report.council.name} · {title} {period}")
    pdf.set_title(printable(f"{title}: {report.council.name}, {period}"))
    pdf.set_subject(printable(report.summary.text()))
    pdf.set_author(printable(report.council.name))
    pdf.set_creator("Brott")
    pdf.set_lang(current_locale())
    pdf.add_page()
    pdf.heading(title, 0)
    pdf.paragraph(report.council.name, bold=True, size=12)
    pdf.paragraph(_("Period: %(period)s", period=period))
    pdf.muted(_("Values and statuses as of %(day)s.", day=date_text(report.as_of)))
    pdf.heading(_("The promise in summary"), 1)
    pdf.paragraph(report.summary.text() if report.measures else _("The council has no measures."))
    _problems(pdf, report)
    pdf.heading(_("Measures"), 1)
    for section in report.measures:
        _measure(pdf, section)
    return bytes(pdf.output())


def _problems(pdf: _Pdf, report: FollowUpReport) -> None:
    pdf.heading(_("Problems and the measures that address them"), 1)
    if not report.problems:
        pdf.muted(_("No problems of the situation analysis are recorded."))
    for found in report.problems:
        problem = found.problem
        pdf.heading(problem.title, 3)
        if problem.place is not None:
            pdf.muted(_("Place: %(place)s", place=problem.place.name))
        if problem.description:
            pdf.paragraph(problem.description)
        for section in found.measures:
            latest = section.latest_assessment
            pdf.item(
                _measure_title(section),
                latest.judgement_label if latest else _("Not judged in the period"),
            )
        if not found.measures:
            pdf.muted(_("No measure addresses this problem."))


def _measure_title(section: MeasureSection) -> str:
    number = section.measure.number
    return f"{number}. {section.measure.title}" if number else section.measure.title


def _standing(standing: Standing | None) -> str:
    if standing is None:
        return _("not yet created")
    return _(
        "%(status)s, %(progress)d%%",
        status=STATUS_LABELS[standing.status],
        progress=standing.progress,
    )


def _measure(pdf: _Pdf, section: MeasureSection) -> None:
    measure = section.measure
    pdf.heading(_measure_title(section), 2)
    if measure.owners:
        pdf.muted(_("Owners: %(names)s", names=", ".join(u.name for u in measure.owners)))
    pdf.paragraph(
        _(
            "At the start of the period: %(start)s. At its end: %(end)s.",
            start=_standing(section.at_start),
            end=_standing(section.at_end),
        )
    )
    pdf.heading(_("Status history"), 3)
    for entry in section.journal:
        changes = []
        if entry.status_changed and entry.old_status and entry.new_status:
            changes.append(
                _(
                    "Status: %(old)s → %(new)s",
                    old=STATUS_LABELS[entry.old_status],
                    new=STATUS_LABELS[entry.new_status],
                )
            )
        if entry.progress_changed:
            changes.append(
                _("Progress: %(old)s%% → %(new)s%%", old=entry.old_progress, new=entry.new_progress)
            )
        author = entry.author.name if entry.author else _("Unknown")
        headline = " · ".join([datetime_text(entry.created_at), author, *changes])
        pdf.item(headline, entry.comment)
    if not section.journal:
        pdf.muted(_("No change of status or progress in the period."))
    if section.indicators:  # the heading stays with the first chart
        pdf.room_for(CHART_HEIGHT + 6 * LINE)
    pdf.heading(_("Indicators"), 3)
    for found in section.indicators:
        indicator = found.indicator
        unit = f" ({indicator.unit})" if indicator.unit else ""
        pdf.room_for(CHART_HEIGHT + 3 * LINE)  # the name and its line stay with the chart
        pdf.paragraph(f"{indicator.name}{unit}", bold=True)
        pdf.muted(
            _(
                "Target %(target)s, baseline %(baseline)s · %(direction)s · %(source)s",
                target=charts.number(indicator.target),
                baseline=charts.number(indicator.baseline),
                direction=indicator.direction_label,
                source=indicator.source_label,
            )
        )
        pdf.chart(found)
    if not section.indicators:
        pdf.muted(_("The measure has no indicators."))
    pdf.heading(_("EST decisions and actions"), 3)
    for outcome in section.decisions + section.other_actions:
        pdf.item(outcome.action.title, _action_detail(outcome))
    if not section.decisions and not section.other_actions:
        pdf.muted(_("No EST decision or action for this measure in the period."))
    pdf.muted(
        _(
            "Situation notes filed under the measure in the period: %(count)d",
            count=section.notes_filed,
        )
    )
    pdf.heading(_("Scorecard"), 3)
    for assessment in section.assessments:
        pdf.item(
            _(
                "%(start)s – %(end)s: %(judgement)s",
                start=date_text(assessment.period_start),
                end=date_text(assessment.period_end),
                judgement=assessment.judgement_label,
            ),
            assessment.justification,
        )
        if assessment.indicators:
            pdf.muted(
                _(
                    "Rests on: %(names)s",
                    names=", ".join(i.name for i in assessment.indicators),
                )
            )
    if not section.assessments:
        pdf.muted(_("Not judged in the period"))


def _action_detail(outcome: ActionOutcome) -> str:
    action = outcome.action
    origin = (
        _("EST meeting of %(day)s", day=datetime_text(action.meeting.starts_at, "yyyy-MM-dd"))
        if action.meeting is not None
        else action.origin_label
    )
    parts = [
        origin,
        action.owner.name,
        _("due %(day)s", day=date_text(action.due_date)),
        outcome.state.label,
    ]
    if action.closed_at is not None:
        parts.append(_("closed %(day)s", day=datetime_text(action.closed_at, "yyyy-MM-dd")))
    if action.status_comment:
        parts.append(action.status_comment)
    return " · ".join(parts)
