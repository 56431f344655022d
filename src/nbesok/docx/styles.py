"""The styles of nbesok's reference document, as data.

One list describes every style nbesok's documents use: its name (what Word shows and
what the writer asks the reference for), its kind, and its look in the shipped
reference. ``scripts/build_reference_docx.py`` builds ``referens.docx`` from it, and the
writer takes the style names from here, so the two never disagree. A municipality
changes the look in Word; only the names matter to nbesok.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

StyleKind = Literal["paragraph", "character", "table"]

# Names the Markdown writer uses for Markdown's own constructs.
TITLE = "Title"
SUBTITLE = "Subtitle"
BODY_TEXT = "Body Text"
LIST_PARAGRAPH = "List Paragraph"
QUOTE = "Quote"
CODE = "Kod"
DIVIDER = "Avdelare"
TABLE_TEXT = "Tabelltext"
TABLE_HEADING = "Tabellrubrik"
TABLE = "Tabell"
HYPERLINK = "Hyperlink"
EMPHASIS = "Emphasis"
STRONG = "Strong"
HEADER = "Header"


def heading(level: int) -> str:
    """``Heading 1`` … ``Heading 6``; deeper Markdown headings use level 6."""
    return f"Heading {min(max(level, 1), 6)}"


_BUILTIN = frozenset(
    {TITLE, SUBTITLE, BODY_TEXT, LIST_PARAGRAPH, QUOTE, HYPERLINK, EMPHASIS, STRONG, HEADER}
)

# A4 in twips with 2.5 cm margins; the text width places the header's right tab stop.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 11906, 16838, 1418
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN

BODY_FONT = "Arial"
CODE_FONT = "Courier New"
BODY_SIZE = 11
LIGHT_LINE = "BFBFBF"


@dataclass(frozen=True)
class Look:
    """How a style looks in the shipped reference (sizes in points, spacing in twips)."""

    size: float | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None
    font: str | None = None
    underline: bool = False
    shading: str | None = None  # fill colour of a character style (traffic lights)
    space_before: int | None = None
    space_after: int | None = None
    indent_left: int | None = None
    indent_right: int | None = None
    align_right: bool = False
    keep_with_next: bool = False
    keep_lines: bool = False
    outline_level: int | None = None  # 0 for Heading 1
    bottom_border: tuple[str, int] | None = None  # (colour, width in eighths of a point)
    kerning: int | None = None
    right_tab: int | None = None  # a right-aligned tab stop at this position


@dataclass(frozen=True)
class TableLook:
    """A table style's lines and header row."""

    line_color: str = "auto"
    vertical_lines: bool = True
    header_shading: str | None = None


@dataclass(frozen=True)
class Style:
    name: str
    style_id: str
    kind: StyleKind
    based_on: str | None = None  # a style id
    next_style: str | None = None
    link: str | None = None
    hidden: bool = False
    look: Look = Look()
    table: TableLook | None = None

    @property
    def builtin(self) -> bool:
        """One of Word's own styles (Word shows these names translated, e.g. Rubrik 1)."""
        return self.name in _BUILTIN or self.name.startswith("Heading ")

    @property
    def what(self) -> str:
        return {"paragraph": "stycke", "character": "tecken", "table": "tabell"}[self.kind]


def _heading(level: int, size: float, before: int, after: int, italic: bool = False) -> Style:
    return Style(
        heading(level),
        f"Heading{level}",
        "paragraph",
        based_on="Normal",
        next_style="BodyText",
        look=Look(
            size=size,
            bold=True,
            italic=italic,
            space_before=before,
            space_after=after,
            keep_with_next=True,
            keep_lines=True,
            outline_level=level - 1,
        ),
    )


def _paragraph(name: str, style_id: str, look: Look = Look(), **options: str) -> Style:
    based_on = options.pop("based_on", "BodyText")
    return Style(name, style_id, "paragraph", based_on=based_on, look=look, **options)  # type: ignore[arg-type]


def _character(name: str, style_id: str, look: Look, link: str | None = None) -> Style:
    return Style(name, style_id, "character", based_on="DefaultParagraphFont", link=link, look=look)


STYLES: tuple[Style, ...] = (
    Style(
        TITLE,
        "Title",
        "paragraph",
        based_on="Normal",
        next_style="BodyText",
        look=Look(size=18, bold=True, space_before=0, space_after=240, kerning=28),
    ),
    _heading(1, 14, 360, 120),
    _heading(2, 12, 240, 120),
    _heading(3, 11, 240, 60),
    _heading(4, 11, 200, 60, italic=True),
    # Levels 5 and 6: answers' own sub-headings inside a season compilation.
    _heading(5, 10, 160, 40),
    _heading(6, 10, 160, 40, italic=True),
    _paragraph(BODY_TEXT, "BodyText", Look(space_before=0, space_after=160), based_on="Normal"),
    _paragraph(LIST_PARAGRAPH, "ListParagraph", Look(space_before=0, space_after=60)),
    _paragraph(
        QUOTE,
        "Quote",
        Look(italic=True, color="404040", indent_left=567, indent_right=567),
        next_style="BodyText",
    ),
    Style(
        HEADER,
        "Header",
        "paragraph",
        based_on="Normal",
        hidden=True,
        look=Look(size=9, right_tab=TEXT_WIDTH),
    ),
    _paragraph("Hjälptext", "Hjalptext", Look(italic=True, color="595959")),
    _paragraph("Följdfråga", "Foljdfraga", Look(indent_left=284)),
    _paragraph("Svar", "Svar"),
    _paragraph(
        "Skrivutrymme",
        "Skrivutrymme",
        Look(space_before=0, space_after=1400, bottom_border=(LIGHT_LINE, 4)),
    ),
    _paragraph("Fältetikett", "Faltetikett", Look(bold=True, keep_with_next=True)),
    # The case number of a tjänsteskrivelse, right-aligned above the title as on paper.
    _paragraph("Diarienummer", "Diarienummer", Look(size=10, align_right=True)),
    _paragraph(TABLE_TEXT, "Tabelltext", Look(space_before=40, space_after=40), based_on="Normal"),
    _paragraph(TABLE_HEADING, "Tabellrubrik", Look(bold=True), based_on="Tabelltext"),
    _paragraph(
        CODE,
        "Kod",
        Look(font=CODE_FONT, size=10, space_before=0, space_after=160),
        based_on="Normal",
        link="KodChar",
    ),
    _paragraph(
        DIVIDER,
        "Avdelare",
        Look(space_before=0, space_after=240, bottom_border=("auto", 6)),
        based_on="Normal",
        next_style="BodyText",
    ),
    _character(HYPERLINK, "Hyperlink", Look(color="0563C1", underline=True)),
    _character(EMPHASIS, "Emphasis", Look(italic=True)),
    _character(STRONG, "Strong", Look(bold=True)),
    _character("Kod Char", "KodChar", Look(font=CODE_FONT, size=10), link="Kod"),
    _character("Status klar", "StatusKlar", Look(shading="C6EFCE")),
    _character("Status påbörjad", "StatusPaborjad", Look(shading="FFEB9C")),
    _character("Status ej påbörjad", "StatusEjPaborjad", Look(shading="FFC7CE")),
    Style(
        TABLE,
        "Tabell",
        "table",
        based_on="TableNormal",
        look=Look(bold=True),
        table=TableLook(header_shading="F2F2F2"),
    ),
    Style(
        "Besöksuppgifter",
        "Besoksuppgifter",
        "table",
        based_on="TableNormal",
        look=Look(bold=True),
        table=TableLook(line_color=LIGHT_LINE, vertical_lines=False),
    ),
)


def style_named(name: str) -> Style:
    """The shipped definition of the style called ``name``."""
    return next(style for style in STYLES if style.name == name)
