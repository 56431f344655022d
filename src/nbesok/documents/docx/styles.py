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
# LibreOffice's own name for a block quote: its tagged PDF makes such a paragraph a
# BlockQuote. Word's "Quote" became LibreOffice's "Quote" element, role-mapped to P,
# which remaps a standard structure type (PDF/UA 7.1). Word shows the alias, Citat.
QUOTE = "Quotations"
LEGACY_QUOTE = "Quote"  # a municipality's older reference may have only Word's name
CODE = "Kod"
DIVIDER = "Avdelare"
# LibreOffice's own names: its tagged PDF makes a cell in "Table Heading" a header
# cell (TH), also in the first column of a table of labels and values.
TABLE_TEXT = "Table Contents"
TABLE_HEADING = "Table Heading"
TABLE = "Tabell"
STACKED_TABLE = "Staplad tabell"  # a table too wide for its words, as label/value pairs
HYPERLINK = "Hyperlink"
EMPHASIS = "Emphasis"
STRONG = "Strong"
STRONG_EMPHASIS = "Strong Emphasis"  # ***text***: a run has one character style
STRIKETHROUGH = "Struken"
HEADER = "Header"
PLACEHOLDER = "Placeholder Text"
# Masking (nbesok.documents.redaction): a masked passage and its ground in the internal copy, the
# placeholder in the public one, and the sekretessmarkering at the top.
MASKED = "Maskerad uppgift"
MASK_GROUND = "Maskeringsgrund"
MARKING = "Sekretessmarkering"


def aligned(style: str, align: str) -> str:
    """The style of a table cell aligned ``right`` or ``center`` (GFM's ``---:``)."""
    return f"{style} {ALIGNMENTS[align]}" if align in ALIGNMENTS else style


ALIGNMENTS = {"right": "Right", "center": "Center"}


def heading(level: int) -> str:
    """``Heading 1`` … ``Heading 6``; deeper Markdown headings use level 6."""
    return f"Heading {min(max(level, 1), 6)}"


_BUILTIN = frozenset(
    {
        TITLE,
        SUBTITLE,
        BODY_TEXT,
        LIST_PARAGRAPH,
        HYPERLINK,
        EMPHASIS,
        STRONG,
        HEADER,
        PLACEHOLDER,
    }
)  # Table Contents and Table Heading are LibreOffice's, not Word's

# A4 in twips with 2.5 cm margins; the text width places the header's right tab stop.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 11906, 16838, 1418
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TEXT_HEIGHT = PAGE_HEIGHT - 2 * MARGIN

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
    align: Literal["right", "center"] | None = None
    strike: bool = False
    keep_with_next: bool = False
    keep_lines: bool = False
    outline_level: int | None = None  # 0 for Heading 1
    bottom_border: tuple[str, int] | None = None  # (colour, width in eighths of a point)
    kerning: int | None = None
    right_tab: int | None = None  # a right-aligned tab stop at this position


@dataclass(frozen=True)
class TableLook:
    """A table style's lines and where its headers are: the first row (a table of
    columns) or the first column (labels and their values)."""

    lines: Literal["grid", "horizontal", "none"] = "grid"
    line_color: str = "auto"
    header: Literal["row", "column"] = "row"
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
    aliases: str | None = None  # another name Word shows (Citat for Quotations)

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


def _character(
    name: str, style_id: str, look: Look, link: str | None = None, based_on: str | None = None
) -> Style:
    return Style(
        name,
        style_id,
        "character",
        based_on=based_on or "DefaultParagraphFont",
        link=link,
        look=look,
    )


STYLES: tuple[Style, ...] = (
    # The title is outline level 1, so that in a tagged PDF it is the first heading (H1),
    # as PDF/UA asks; the review still knows it as the title by its name.
    Style(
        TITLE,
        "Title",
        "paragraph",
        based_on="Normal",
        next_style="Subtitle",
        look=Look(size=18, bold=True, space_before=0, space_after=120, kerning=28, outline_level=0),
    ),
    Style(
        SUBTITLE,
        "Subtitle",
        "paragraph",
        based_on="Normal",
        next_style="BodyText",
        look=Look(size=12, color="404040", space_before=0, space_after=240),
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
        "Quotations",
        Look(italic=True, color="404040", indent_left=567, indent_right=567),
        next_style="BodyText",
        aliases="Citat",
    ),
    Style(
        HEADER,
        "Header",
        "paragraph",
        based_on="Normal",
        hidden=True,
        look=Look(size=9, right_tab=TEXT_WIDTH),
    ),
    # A kind of block quote, as the published .md shows it: a block quote directly
    # inside ::: Hjälptext takes this style, and the tagged PDF has a BlockQuote.
    _paragraph(
        "Hjälptext",
        "Hjalptext",
        Look(italic=True, color="595959", indent_left=0, indent_right=0, keep_with_next=True),
        based_on="Quotations",
    ),
    # A question's follow-up questions and guidance stay with its answer (or the room
    # to write it): LibreOffice left a heading and its guidance alone at a page's foot.
    _paragraph("Följdfråga", "Foljdfraga", Look(indent_left=284, keep_with_next=True)),
    _paragraph("Svar", "Svar"),
    # Room to write by hand on the blank form: the field's placeholder and the empty
    # lines after it (the template's rader), kept on one page so that no question gets
    # less room than another. No ruled lines: LibreOffice draws paragraph borders as
    # untagged content in a PDF (PDF/UA 7.1).
    _paragraph("Skrivutrymme", "Skrivutrymme", Look(keep_lines=True)),
    # Not bold itself: the label is **bold** in the template, so that the published .md
    # shows it too, and bold in both style and run would toggle off in Word.
    _paragraph("Fältetikett", "Faltetikett", Look(keep_with_next=True)),
    # The case number of a tjänsteskrivelse, right-aligned above the title as on paper.
    _paragraph("Diarienummer", "Diarienummer", Look(size=10, align="right")),
    # The closing of a tjänsteskrivelse: the handläggare's name, then the title.
    _paragraph(
        "Underskrift",
        "Underskrift",
        Look(space_before=480, space_after=0, keep_with_next=True, keep_lines=True),
    ),
    _paragraph(
        TABLE_TEXT, "TableContents", Look(space_before=40, space_after=40), based_on="Normal"
    ),
    _paragraph(TABLE_HEADING, "TableHeading", Look(bold=True), based_on="TableContents"),
    # Columns aligned right or centred in the Markdown (``---:``, ``:---:``).
    _paragraph(
        aligned(TABLE_TEXT, "right"),
        "TableContentsRight",
        Look(align="right"),
        based_on="TableContents",
    ),
    _paragraph(
        aligned(TABLE_TEXT, "center"),
        "TableContentsCenter",
        Look(align="center"),
        based_on="TableContents",
    ),
    _paragraph(
        aligned(TABLE_HEADING, "right"),
        "TableHeadingRight",
        Look(align="right"),
        based_on="TableHeading",
    ),
    _paragraph(
        aligned(TABLE_HEADING, "center"),
        "TableHeadingCenter",
        Look(align="center"),
        based_on="TableHeading",
    ),
    _paragraph(
        CODE,
        "Kod",
        Look(font=CODE_FONT, size=10, space_before=0, space_after=160),
        based_on="Normal",
        link="KodChar",
    ),
    # A thematic break is space, not a drawn line, for the same reason.
    _paragraph(
        DIVIDER,
        "Avdelare",
        Look(space_before=240, space_after=240),
        based_on="Normal",
        next_style="BodyText",
    ),
    # The sekretessmarkering (OSL 5 kap. 5 §) at the top of an internal copy, and the
    # notice of what a public copy left out: kept with the table of its parts.
    _paragraph(MARKING, "Sekretessmarkering", Look(keep_with_next=True)),
    # A line that introduces a table ("Status per …") stays on the table's page.
    _paragraph("Tabellinledning", "Tabellinledning", Look(keep_with_next=True)),
    # The documents a decision rests on: kept with their heading and each other, so that
    # the last of them never stands alone on a page.
    _paragraph(
        "Beslutsunderlag",
        "Beslutsunderlag",
        Look(space_before=0, space_after=60, keep_with_next=True, keep_lines=True),
        based_on="ListParagraph",
    ),
    _character(HYPERLINK, "Hyperlink", Look(color="0563C1", underline=True)),
    _character(EMPHASIS, "Emphasis", Look(italic=True)),
    _character(STRONG, "Strong", Look(bold=True)),
    _character(STRONG_EMPHASIS, "StrongEmphasis", Look(bold=True, italic=True), based_on="Strong"),
    _character(STRIKETHROUGH, "Struken", Look(strike=True)),
    # Word's own style for the grey "Skriv svaret här" in a form's content controls:
    # 4.95:1 against white, above WCAG's 4.5:1 (Word's own 808080 is 3.95:1).
    _character(PLACEHOLDER, "PlaceholderText", Look(color="707070")),
    _character("Kod Char", "KodChar", Look(font=CODE_FONT, size=10), link="Kod"),
    _character("Status klar", "StatusKlar", Look(shading="C6EFCE")),
    _character("Status påbörjad", "StatusPaborjad", Look(shading="FFEB9C")),
    _character("Status ej påbörjad", "StatusEjPaborjad", Look(shading="FFC7CE")),
    # A masked passage: grey behind the text; the ground after it says it in words.
    _character(MASKED, "MaskeradUppgift", Look(shading="E7E6E6")),
    _character(MASK_GROUND, "Maskeringsgrund", Look(size=9, color="595959")),
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
        table=TableLook(lines="horizontal", line_color=LIGHT_LINE, header="column"),
    ),
    # A table whose words cannot stand side by side: each row as labels and values,
    # the labels (the header's) in the first column.
    Style(
        STACKED_TABLE,
        "StapladTabell",
        "table",
        based_on="TableNormal",
        look=Look(bold=True),
        table=TableLook(lines="horizontal", line_color="808080", header="column"),
    ),
    # The head of a tjänsteskrivelse: municipality, date, case number, to whom.
    Style(
        "Dokumenthuvud",
        "Dokumenthuvud",
        "table",
        based_on="TableNormal",
        look=Look(bold=True),
        table=TableLook(lines="none", header="column"),
    ),
)


def style_named(name: str) -> Style:
    """The shipped definition of the style called ``name``."""
    return next(style for style in STYLES if style.name == name)
