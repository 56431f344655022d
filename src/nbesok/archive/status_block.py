"""Write a visit file's ``status`` block and leave every other byte of the file alone.

The user's YAML is otherwise never rewritten: ``godkänn`` and ``fastställ`` are the
one exception, and they change only this block. The file is edited as text: the
block is found through the parser's line numbers (the ``status:`` line and the
indented lines under it), replaced by a freshly written one, or added at the end of
the file when there is none. Comments, quoting, key order, the byte order mark and
the line breaks (LF or CR LF) outside the block stay exactly as they were; comments
inside the block are not kept. The new text is parsed again and must give the same
visit with the new review before it replaces the file, atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from nbesok.archive.loading import Loaded, parse_visit_text
from nbesok.archive.models import Review, Visit
from nbesok.archive.yamlfile import decode_utf8, parse_yaml, read_file_bytes
from nbesok.core.errors import LoadError, NbesokError
from nbesok.core.output import replace_file

KEY = "status"
_BOM = b"\xef\xbb\xbf"
_COMMENT = "  # skrivs av nbesok godkänn och nbesok fastställ"


@dataclass(frozen=True)
class VisitText:
    """A visit file's bytes as read, the text they decode to, and the visit."""

    path: Path
    raw: bytes
    loaded: Loaded[Visit]


def read_visit_text(path: Path) -> VisitText:
    """Read ``path`` once: the bytes that will be edited are the bytes validated."""
    raw = read_file_bytes(path)
    return VisitText(path, raw, parse_visit_text(decode_utf8(raw, path), path))


def block_lines(review: Review, newline: str = "\n") -> str:
    """The ``status`` block as nbesok writes it (DESIGN's layout)."""
    lines = [f"{KEY}:{_COMMENT}"]
    if review.approvals:
        lines.append("  godkänd:")
        for approval in review.approvals:
            lines.append(f"    - av: {_scalar(approval.by)}")
            lines.append(f"      datum: {approval.date.isoformat()}")
            if approval.content is not None:
                lines.append(f"      innehåll: {approval.content}")
    if review.adoption is not None:
        adoption = review.adoption
        lines += [
            "  fastställd:",
            f"    av: {_scalar(adoption.by)}",
            f"    datum: {adoption.date.isoformat()}",
            f"    innehåll: {adoption.content}",
        ]
    return newline.join(lines) + newline


def _scalar(text: str) -> str:
    """``text`` plain where nbesok's reader gives it back unchanged, else JSON-quoted
    (a JSON string is a valid YAML double-quoted scalar)."""
    try:
        plain = parse_yaml(f"v: {text}\n", Path("<status>")).data
    except NbesokError:
        plain = None
    if plain == {"v": text} and text == text.strip() and "#" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def with_review(source: VisitText, review: Review) -> bytes:
    """The file's bytes with its status block replaced by ``review`` (or added)."""
    raw = source.raw
    bom = _BOM if raw.startswith(_BOM) else b""
    text = raw[len(bom) :].decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    block = block_lines(review, newline)
    found = source.loaded.document.keys.get((KEY,))
    if found is None:
        before = text if not text or text.endswith(("\n", "\r")) else text + newline
        return bom + (before + block).encode("utf-8")
    line, column = found
    if column != 1:
        raise LoadError.at(
            source.path,
            "status-blocket kan bara skrivas i en fil vars nycklar börjar i första kolumnen; "
            "flytta nycklarna till radens början",
            line=line,
            column=column,
            key=KEY,
        )
    start = line - 1
    end = start + 1
    # The block's value: the lines indented under the key (blank lines inside it too).
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t")):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key belong to the file, not the block
    if end == len(lines) and not lines[-1].endswith(("\n", "\r")):
        block = block.removesuffix(newline)  # the file had no final line break; keep that
    edited = "".join([*lines[:start], block, *lines[end:]])
    return bom + edited.encode("utf-8")


def write_review(source: VisitText, review: Review) -> Loaded[Visit]:
    """Replace the file's status block with ``review``, atomically; the visit as written.

    The edited text must parse to the same visit with the new review, else nothing is
    written (a guard against a block the line-based edit misjudged).
    """
    data = with_review(source, review)
    written = parse_visit_text(decode_utf8(data, source.path), source.path)
    expected = source.loaded.model.model_copy(update={"review": review})
    if written.model != expected:
        raise LoadError.at(
            source.path,
            "status-blocket kunde inte skrivas utan att ändra något annat i filen; filen "
            "lämnades orörd. Skriv status-blocket för hand enligt README",
            key=KEY,
        )
    replace_file(source.path, data)
    return written
