"""Names made from the user's words: safe file-name parts, and the nearest known name."""

from __future__ import annotations

import difflib
import re
import unicodedata

MAX_SLUG = 60
# The end of a public copy's name (--publik): ``2023-06-07-x`` → ``2023-06-07-x-publik``.
PUBLIC_SUFFIX = "-publik"
_TRANSLITERATION = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o", "æ": "ae", "ø": "o", "ß": "ss"}
)
_FOLD = str.maketrans("åäöé", "aaoe")


def slugify(text: str) -> str:
    """A safe file-name part: ASCII letters, digits and hyphens, at most 60 characters.

    å/ä/ö become a/a/o (as in the archive's question ids), other accents are dropped,
    and anything else – slashes, dots, spaces – becomes a hyphen, so the result can
    never name another folder.
    """
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:MAX_SLUG].rstrip("-")


def nearest(word: str, candidates: list[str]) -> str | None:
    """The candidate closest to ``word`` (case, å/ä/ö, ``_`` and ``-`` folded), if any is close."""
    folded = {fold(candidate): candidate for candidate in candidates}
    if fold(word) in folded:
        return folded[fold(word)]
    matches = difflib.get_close_matches(fold(word), list(folded), n=1, cutoff=0.6)
    return folded[matches[0]] if matches else None


def fold(text: str) -> str:
    """``Ledamöter`` and ``ledamoter`` alike: how a name is compared for a suggestion."""
    return text.lower().translate(_FOLD).replace("_", "").replace("-", "")
