"""A measured shim on python-docx: where a new child element goes, found in one pass.

python-docx inserts a child element (``w:keepNext`` into a ``w:pPr``, ``w:rStyle``
into a ``w:rPr`` …) before the first of its possible successors that the parent has,
with ``first_child_found_in(*successors)``: one ``find()`` per successor tag, up to
thirty of them, each after turning the tag's prefix into its namespace. For the few
children such an element has, one walk over them does the same work for a fraction of
the cost: the writer of nbesok spends about an eighth of its time in that method
(1.1 ms of 9.5 ms per visit protocol, built and saved).

The shim's method returns exactly what python-docx's does: the child of the earliest
tag in ``tagnames`` that the element has, the first such child if there are several,
wherever it stands among the others. It is installed only for the python-docx
versions it was checked against (:data:`CHECKED_VERSIONS`); tests/test_docx_layer.py
compares it with python-docx's own method and fails when it is not installed, so that
an upgrade is looked at rather than silently slower. The same change is proposed to
python-docx in benchmarks/upstream/, with the measurement.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# python-docx versions whose BaseOxmlElement.first_child_found_in the shim replaces.
CHECKED_VERSIONS = frozenset({"1.2.0"})


@lru_cache(maxsize=512)
def _tag_ranks(tagnames: tuple[str, ...]) -> dict[str, int]:
    """Clark-notation tag → its first position in ``tagnames``."""
    from docx.oxml.ns import qn

    ranks: dict[str, int] = {}
    for rank, tagname in enumerate(tagnames):
        ranks.setdefault(qn(tagname), rank)
    return ranks


def first_child_found_in(self: Any, *tagnames: str) -> Any:
    """First child with a tag in ``tagnames`` (an earlier tag wins), or None."""
    ranks = _tag_ranks(tagnames)
    found = None
    found_rank = len(tagnames)
    for child in self.iterchildren():
        rank = ranks.get(child.tag)
        if rank is not None and rank < found_rank:
            found, found_rank = child, rank
            if rank == 0:
                break
    return found


first_child_found_in.nbesok_shim = True  # type: ignore[attr-defined]


def install() -> bool:
    """Install the shim if the installed python-docx is one it was checked against;
    whether it is installed. Installing twice changes nothing."""
    import docx
    from docx.oxml.xmlchemy import BaseOxmlElement

    current = BaseOxmlElement.__dict__.get("first_child_found_in")
    if getattr(current, "nbesok_shim", False):
        return True
    if getattr(docx, "__version__", None) not in CHECKED_VERSIONS or current is None:
        return False
    _REPLACED.append(current)
    BaseOxmlElement.first_child_found_in = first_child_found_in  # type: ignore[method-assign]
    return True


_REPLACED: list[Any] = []  # python-docx's own method, once replaced (for the tests)


def python_docx_method() -> Any:
    """python-docx's own ``first_child_found_in``, installed or not."""
    from docx.oxml.xmlchemy import BaseOxmlElement

    return _REPLACED[0] if _REPLACED else BaseOxmlElement.__dict__["first_child_found_in"]
