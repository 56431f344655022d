"""Pictures in a Word document: an inline drawing with its alternative text.

python-docx embeds the picture (its image part, relationship and ``w:inline``); the
alt text goes to the drawing's description (``wp:docPr/@descr``), which Word shows as
the picture's alternative text and LibreOffice carries into the tagged PDF as the
Figure's ``/Alt``. No title is set: LibreOffice would put "title - description" in
``/Alt``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from docx.oxml import OxmlElement
from docx.shared import Emu

from nbesok.archive.pictures import SCREEN_DPI, Picture

if TYPE_CHECKING:
    from docx.document import Document

_EMU_PER_TWIP = 635
_EMU_PER_INCH = 914400


def picture_run(
    document: Document, picture: Picture, alt: str, *, max_width: int, max_height: int
) -> Any:
    """A ``w:r`` holding ``picture`` inline, at its natural size or scaled down to fit
    ``max_width`` × ``max_height`` twips, with ``alt`` as its description."""
    dpi = picture.dpi if picture.dpi > 0 else SCREEN_DPI
    width = picture.width / dpi * _EMU_PER_INCH
    height = picture.height / dpi * _EMU_PER_INCH
    scale = min(
        1.0,
        max_width * _EMU_PER_TWIP / max(width, 1),
        max_height * _EMU_PER_TWIP / max(height, 1),
    )
    inline = document.part.new_pic_inline(
        io.BytesIO(picture.data), Emu(round(width * scale)), Emu(round(height * scale))
    )
    description = inline.docPr
    description.set("name", picture.name)
    description.set("descr", alt)
    for properties in inline.iter("{*}cNvPr"):
        properties.set("name", picture.name)
        properties.set("descr", alt)
    run = OxmlElement("w:r")
    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    run.append(drawing)
    return run
