"""The blank form prints as a form: grey prompts, the same room for every question.

Read from the PDF as a reader gets it: poppler gives each word's box, the page rendered
to pixels gives its colour, so the prompts are measured as printed, not as intended.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import Rendered
from docx.enum.style import WD_STYLE_TYPE
from PIL import Image
from support import missing_tool

from nbesok.documents.templating import package_templates_dir

FORMS = ("arbetsmarknad-och-integration-2018-19", "arbetslik-aktivitet-2023")
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)
BOTTOM_MARGIN = 2.5 / 2.54 * 72  # points
CM = 72 / 2.54
DPI = 100


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(hex_colour: str, background: str = "FFFFFF") -> float:
    light, dark = sorted((luminance(hex_colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_coloured_text_style_has_at_least_4_5_to_1_against_white() -> None:
    styles = docx.Document(str(package_templates_dir() / "referens.docx")).styles
    colours = {
        style.name: str(style.font.color.rgb)
        for style in styles
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER)
        and style.font.color is not None
        and style.font.color.rgb is not None
    }

    assert "Placeholder Text" in colours
    low = {name: round(contrast(c), 2) for name, c in colours.items() if contrast(c) < 4.5}
    assert low == {}


def words(pdf: Path) -> list[tuple[int, float, list[tuple[float, float, float, float, str]]]]:
    """(page number, page height, words with their boxes) of every page."""
    if shutil.which("pdftotext") is None:
        missing_tool("pdftotext saknas: installera poppler-utils (apt-get install poppler-utils)")
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [
        (
            number,
            float(height),
            [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in WORD.findall(body)],
        )
        for number, (_, height, body) in enumerate(PAGE.findall(html), start=1)
    ]


def darkest(pdf: Path, page: int, box: tuple[float, float, float, float], tmp: Path) -> int:
    """The darkest grey level printed inside ``box`` (points) on ``page``."""
    stem = tmp / f"sida-{page}"
    subprocess.run(
        [
            *("pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-png", "-gray"),
            *("-singlefile", str(pdf), str(stem)),
        ],
        check=True,
    )
    with Image.open(stem.with_suffix(".png")) as image:
        scale = DPI / 72
        left, top, right, bottom = (v * scale for v in box)
        crop = image.convert("L").crop((left, top, right, bottom))
        low, _ = crop.getextrema()
        assert isinstance(low, int)
        return low


@pytest.mark.parametrize("name", FORMS)
def test_prompts_print_grey_and_labels_black(
    pdfs: dict[str, Path], name: str, tmp_path: Path
) -> None:
    pages = words(pdfs[name])
    page, _, found = next(p for p in pages if any(w[4] == "Anteckningar:" for w in p[2]))
    at = next(i for i, w in enumerate(found) if w[4] == "Anteckningar:")
    label = found[at]
    prompt = next(w for w in found[at:] if w[4] == "Skriv")

    grey = darkest(pdfs[name], page, prompt[:4], tmp_path)
    black = darkest(pdfs[name], page, label[:4], tmp_path)
    assert black < 40
    # 0x70, as the Placeholder Text style has it: visibly grey, 4.95:1 against white.
    assert 90 <= grey <= 130, grey


@pytest.mark.parametrize("name", FORMS)
def test_every_question_gets_the_same_room_to_write(pdfs: dict[str, Path], name: str) -> None:
    rooms: list[float] = []  # from the prompt to what is printed below it
    at_foot: list[float] = []  # from the prompt to the foot of the page, nothing between
    for _, height, found in words(pdfs[name]):
        for index, word in enumerate(found):
            if word[4] != "Skriv" or found[index + 1][4] != "svaret":
                continue
            below = [w[1] for w in found if w[1] > word[3] + 1]
            if below:
                rooms.append(min(below) - word[3])
            else:
                at_foot.append(height - BOTTOM_MARGIN - word[3])
    shown = [round(room / CM, 1) for room in rooms + at_foot]
    assert len(rooms) + len(at_foot) >= 5
    # Sixteen lines of about 0.45 cm: never cut short by the foot of a page.
    assert min(rooms + at_foot) >= 6.5 * CM, shown
    assert max(rooms) - min(rooms) <= 1 * CM, shown


def test_the_form_has_fields_for_the_summary_and_the_items(rendered: Rendered) -> None:
    document = docx.Document(str(rendered.docx(FORMS[1])))
    headings = [p.text for p in document.paragraphs if p.style and p.style.name == "Heading 1"]

    assert headings[-2:] == ["Sammanfattning", "Uppföljning"]
    assert [c.text for c in document.tables[-1].rows[0].cells] == [
        "Punkt",
        "Ansvarig",
        "Senast",
        "Status",
    ]
    assert len(document.tables[-1].rows) == 5
