"""Pictures in the archive: files in ``bilder/``, shown from answers and summaries.

An answer or a summary (any Markdown value of a visit or protocol) shows a picture as
``![Vad bilden visar](bilder/processbild.png)``. The file lives in the archive's
``bilder/`` folder; the text in brackets is its alternative text, which a screen reader
reads in its place and is required. The DOCX and the PDF embed the file (the alt text
as the picture's description, and as ``/Alt`` in the PDF's tag tree), and the
published ``.md`` links the same file.

Each picture is checked where it is named (``validate``, and before any document is
made): a path inside ``bilder/``, a file that exists, a PNG or JPEG by its content (not
its name), at most :data:`MAX_BYTES` and :data:`MAX_PIXELS`, and an alt text. The text a
picture carries in its metadata (a PNG's text chunks, a JPEG's EXIF description and
comments) is published with the file, so :func:`metadata_texts` hands it to the
personnummer guard.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser only when a picture is read
    from markdown_it.token import Token

FOLDER = "bilder"
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; Pillow's own alarm is at 89 million
FORMATS = {"PNG": "PNG", "JPEG": "JPEG"}
_EXAMPLE = "![Vad bilden visar](bilder/fil.png)"
_LOOKS_LIKE_IMAGE = re.compile(r"!\[")
SCREEN_DPI = 96  # a picture that says nothing of its resolution is shown at screen size


@dataclass(frozen=True)
class Picture:
    """A picture file to embed: its bytes, name and size in pixels and dots per inch."""

    source: str  # as the Markdown names it: bilder/processbild.png
    name: str
    data: bytes
    width: int
    height: int
    dpi: float = SCREEN_DPI


@dataclass(frozen=True)
class Reference:
    """A picture a Markdown value names: where, what file, with what alt text."""

    line: int  # 0-based, within the value
    source: str
    alt: str


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


def references(text: str) -> list[Reference]:
    """The pictures ``text`` shows, in order."""
    if not _LOOKS_LIKE_IMAGE.search(text):
        return []
    from nbesok.archive import markup

    found: list[Reference] = []
    for token in markup.parser().parse(text):
        if token.type != "inline":
            continue
        line = token.map[0] if token.map else 0
        for child in _images(token):
            alt = "".join(
                c.content for c in child.children or [] if c.type in ("text", "code_inline")
            )
            found.append(Reference(line, str(child.attrs.get("src", "")), alt.strip()))
    return found


def _images(token: Token) -> Iterator[Token]:
    for child in token.children or []:
        if child.type == "image":
            yield child


def problems(text: str, root: Path) -> list[Problem]:
    """What is wrong with the pictures ``text`` names, against the archive at ``root``."""
    found: list[Problem] = []
    for reference in references(text):
        message = _problem(reference, root)
        if message:
            found.append(Problem(reference.line, message))
    return found


def _problem(reference: Reference, root: Path) -> str:
    source = reference.source
    if not reference.alt:
        return (
            f"bilden ”{source}” saknar alternativtext, som en skärmläsare läser i stället "
            f"för bilden; skriv vad den visar mellan hakparenteserna: {_EXAMPLE}"
        )
    try:
        _load(source, root)
    except PictureError as error:
        return str(error)
    return ""


class PictureError(Exception):
    """A picture that cannot be shown; the message says why and what would be right."""


def path_of(source: str, root: Path) -> Path:
    """The file ``source`` names, inside ``root/bilder``; PictureError otherwise."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", source, re.IGNORECASE):
        raise PictureError(
            f"bilden ”{source}” är en webbadress; lägg filen i {FOLDER}/ och skriv {_EXAMPLE}"
        )
    normal = posixpath.normpath(source.replace("\\", "/"))
    if source.startswith("/") or not normal.startswith(f"{FOLDER}/") or ".." in normal.split("/"):
        raise PictureError(
            f"bilden ”{source}” ska ligga i arkivets mapp {FOLDER}/; skriv {_EXAMPLE}"
        )
    folder = (root / FOLDER).resolve()
    path = root / normal
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        raise PictureError(
            f"bilden ”{source}” pekar ut ur {FOLDER}/ (symbolisk länk); lägg en riktig fil där"
        ) from None
    if not path.is_file():
        raise PictureError(f"bilden ”{source}” finns inte; lägg filen i {FOLDER}/")
    return path


def _load(source: str, root: Path) -> Picture:
    from PIL import Image, UnidentifiedImageError

    path = path_of(source, root)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise PictureError(
            f"bilden ”{source}” är {size / 1024 / 1024:.1f} MB, mer än tillåtna "
            f"{MAX_BYTES // 1024 // 1024} MB; spara den mindre (t.ex. 1600 bildpunkter bred)"
        )
    data = path.read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            width, height = image.size
            dpi = image.info.get("dpi", (0, 0))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PictureError(
            f"bilden ”{source}” går inte att läsa som bild; spara den som PNG eller JPEG"
        ) from None
    if kind not in FORMATS:
        raise PictureError(
            f"bilden ”{source}” är {kind or 'ett okänt format'}; bara PNG och JPEG kan "
            "bäddas in i PDF/A, så spara den som PNG eller JPEG"
        )
    if width * height > MAX_PIXELS:
        raise PictureError(
            f"bilden ”{source}” har {width}×{height} bildpunkter, fler än "
            f"{MAX_PIXELS // 1_000_000} miljoner; spara den mindre"
        )
    resolution = float(dpi[0]) if isinstance(dpi, tuple) and dpi and dpi[0] else 0.0
    return Picture(source, path.name, data, width, height, resolution)


def load(text: str, root: Path) -> dict[str, Picture]:
    """The pictures a document's Markdown names, by the name it uses; PictureError for
    the first that cannot be shown."""
    pictures: dict[str, Picture] = {}
    for reference in references(text):
        if reference.source not in pictures:
            pictures[reference.source] = _load(reference.source, root)
    return pictures


def metadata_texts(picture: Picture) -> list[str]:
    """The text a picture file carries: a PNG's text chunks, a JPEG's comment and the
    EXIF texts (description, artist, comments). It is published with the picture."""
    from PIL import Image

    texts: list[str] = []
    with Image.open(io.BytesIO(picture.data)) as image:
        texts += [str(value) for value in getattr(image, "text", {}).values()]
        comment = image.info.get("comment")
        if isinstance(comment, str | bytes):
            texts.append(_decoded(comment))
        exif = image.getexif()
        for values in (exif, exif.get_ifd(_EXIF_IFD)):
            texts += [_decoded(v) for v in values.values() if isinstance(v, str | bytes)]
    return [text for text in texts if text.strip()]


_EXIF_IFD = 0x8769  # where EXIF keeps UserComment and the like


def _decoded(value: str | bytes) -> str:
    if isinstance(value, str):
        return value
    return value.decode("utf-8", errors="replace")
