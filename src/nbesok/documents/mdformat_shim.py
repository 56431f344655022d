"""A measured shim on mdformat's text renderer: no entity search in text without ``&``.

mdformat 1.0 escapes an ``&`` that starts a character reference in every text node,
with ``re_char_reference().sub(r"\\\\\\g<0>", text)``. The pattern lists all 2,231 HTML5
entity names: compiling it takes about 15 ms per process, and because the replacement
is a template string, Python's ``re`` looks the template up in its cache on every
call, hashing the whole compiled pattern to do so (about 30 µs a call, some 3 ms per
nbesok document). A text without ``&`` cannot match, since the pattern starts with
one: the shim hands such a text back as it is, and every other text to mdformat's own
pattern, so the ``.md`` is the same byte for byte.

mdformat has no public option for this; the hook is a name in its private module
``mdformat.renderer._context``. So the shim is installed only for the mdformat versions
it was checked against (:data:`CHECKED_VERSIONS`), only while that name is still
mdformat's own function, and tests/test_published_markdown.py fails when it is not
installed, so that an upgrade is looked at rather than silently slower. The change is
proposed upstream in benchmarks/upstream/ with the measurement.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# mdformat versions whose text renderer calls re_char_reference() as the shim expects.
CHECKED_VERSIONS = frozenset({"1.0.0"})


class _AmpersandFirst:
    """Stands in for mdformat's compiled pattern: ``sub`` looks for ``&`` first."""

    def __init__(self, pattern: Callable[[], re.Pattern[str]]) -> None:
        self._pattern = pattern  # mdformat's own, compiled when first needed

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        if "&" not in string:
            return string
        return self._pattern().sub(repl, string, count)


def install() -> bool:
    """Install the shim if the installed mdformat is one it was checked against; whether
    it is installed. Installing twice changes nothing."""
    import mdformat
    from mdformat.renderer import _context, _util

    hook = getattr(_context, "re_char_reference", None)
    if getattr(hook, "nbesok_shim", False):
        return True
    original = getattr(_util, "re_char_reference", None)
    if mdformat.__version__ not in CHECKED_VERSIONS or hook is None or hook is not original:
        return False
    stand_in = _AmpersandFirst(original)

    def re_char_reference() -> _AmpersandFirst:
        return stand_in

    re_char_reference.nbesok_shim = True  # type: ignore[attr-defined]
    _context.re_char_reference = re_char_reference  # type: ignore[attr-defined,assignment]
    return True
