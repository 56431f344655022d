"""Word numbering for Markdown lists: one list in Word for each outermost list.

LibreOffice's tagged PDF nests a list inside the item it belongs to only when both are
levels of one Word list (one ``w:num``); a nested list with a ``w:num`` of its own
became a sibling list in the tag tree and cut its parent list in two. So an outermost
list gets one ``w:num``, and the lists nested in it are its deeper levels (``w:ilvl``),
which restart after each item of the level above, as Markdown's do. A list whose
levels mix kinds (numbers with bullets inside) gets an abstract definition of its own,
its levels taken from the reference's bullet and numbered lists.

A nested list that one ``w:num`` cannot express (a numbered list starting at another
number than 1, or a kind that differs from an earlier list at the same depth) keeps a
``w:num`` of its own, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from docx.oxml.ns import qn
from markdown_it.tree import SyntaxTreeNode

if TYPE_CHECKING:
    from docx.document import Document

    from nbesok.documents.docx.reference import Reference

ListKind = Literal["bullet", "decimal"]
_LISTS = {"bullet_list": "bullet", "ordered_list": "decimal"}


@dataclass(frozen=True)
class Placement:
    """Where a Markdown list's items go: a Word list (``numId``) and a level in it."""

    num_id: int
    level: int


def kind_of(node: SyntaxTreeNode) -> ListKind:
    return "bullet" if node.type == "bullet_list" else "decimal"


def start_of(node: SyntaxTreeNode) -> int:
    return int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 1


class ListNumbering:
    """The numbering of one document's lists, added to its numbering part as needed."""

    def __init__(self, document: Document, reference: Reference) -> None:
        self._document = document
        self._reference = reference
        self._part: Any = None
        self._mixed: dict[tuple[ListKind, ...], int] = {}  # kinds per level → abstractNumId

    def place(self, outermost: SyntaxTreeNode) -> dict[int, Placement]:
        """Placements of ``outermost`` and of every list nested in it, by ``id(node)``."""
        nested = list(_nested(outermost, 0))
        levels = self._reference.list_definition(kind_of(outermost)).levels
        kinds: list[ListKind] = []
        for node, depth in nested:
            if depth == len(kinds) and depth < levels:
                kinds.append(kind_of(node))
        num_id = self._new_num(self._abstract(tuple(kinds)), start_of(outermost))
        placements: dict[int, Placement] = {}
        for node, depth in nested:
            joins = depth < len(kinds) and kind_of(node) == kinds[depth]
            if joins and (depth == 0 or start_of(node) == 1):
                placements[id(node)] = Placement(num_id, depth)
            else:
                definition = self._reference.list_definition(kind_of(node))
                level = min(depth, definition.levels - 1)
                own = self._new_num(definition.abstract_num_id, start_of(node), level)
                placements[id(node)] = Placement(own, level)
        return placements

    def _numbering(self) -> Any:
        if self._part is None:
            self._part = self._document.part.numbering_part.element
        return self._part

    def _new_num(self, abstract_num_id: int, start: int, level: int = 0) -> int:
        """A new ``w:num`` of the definition, its ``level`` starting at ``start``."""
        num = self._numbering().add_num(abstract_num_id)
        num.add_lvlOverride(ilvl=level).add_startOverride(start)
        return int(num.numId)

    def _abstract(self, kinds: tuple[ListKind, ...]) -> int:
        """The abstract definition for lists whose levels are of ``kinds``."""
        first = self._reference.list_definition(kinds[0])
        if all(kind == kinds[0] for kind in kinds):
            return first.abstract_num_id
        found = self._mixed.get(kinds)
        if found is None:
            found = self._mixed[kinds] = self._mixed_abstract(kinds)
        return found

    def _mixed_abstract(self, kinds: tuple[ListKind, ...]) -> int:
        numbering = self._numbering()
        abstracts = numbering.findall(qn("w:abstractNum"))
        by_id = {int(a.get(qn("w:abstractNumId"))): a for a in abstracts}
        new_id = max(by_id, default=-1) + 1
        base = by_id[self._reference.list_definition(kinds[0]).abstract_num_id]
        mixed = base.__copy__()
        mixed.set(qn("w:abstractNumId"), str(new_id))
        for child in mixed.findall(qn("w:nsid")) + mixed.findall(qn("w:tmpl")):
            mixed.remove(child)
        name = mixed.find(qn("w:name"))
        if name is not None:
            name.set(qn("w:val"), "Blandad lista " + "-".join(kinds))
        for level, kind in enumerate(kinds):
            if kind == kinds[0]:
                continue
            other = by_id[self._reference.list_definition(kind).abstract_num_id]
            replacement = other.find(f"{qn('w:lvl')}[@{qn('w:ilvl')}='{level}']")
            current = mixed.find(f"{qn('w:lvl')}[@{qn('w:ilvl')}='{level}']")
            if replacement is not None and current is not None:
                current.addprevious(replacement.__copy__())
                mixed.remove(current)
        # Word wants every abstract definition before the first list that uses one.
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(mixed)
        else:
            numbering.append(mixed)
        return new_id


def _nested(node: SyntaxTreeNode, depth: int) -> Iterator[tuple[SyntaxTreeNode, int]]:
    """``node`` (a list) and the lists inside its items, with their depth, in order."""
    yield node, depth
    for descendant in _lists_below(node):
        yield from _nested(descendant, depth + 1)


def _lists_below(node: SyntaxTreeNode) -> Iterator[SyntaxTreeNode]:
    """The nearest lists inside ``node``'s children (not inside those lists)."""
    for child in node.children:
        if child.type in _LISTS:
            yield child
        else:
            yield from _lists_below(child)
