"""Every construct real Word files keep text in comes back from ``nbesok import``: in
its place, or under ``oplacerat``, and with a warning where it is more than text.

The document is built by tests/word_constructs.py (python-docx, and Word's own XML
where python-docx has no API); each construct holds words found nowhere else in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt
from word_constructs import CONSTRUCTS, GONE, constructs_document

from nbesok.cli import cli

VISIT = Path("visits") / "2023-09-01-konstruktioner.yaml"


def nbesok(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def readable(markdown: str) -> str:
    """What a reader of the Markdown sees: its text, with each numbered list item's
    number before it, as CommonMark renders it."""
    words: list[str] = []
    numbers: list[int] = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "ordered_list_open":
            numbers.append(int(token.attrs.get("start", 1)))
        elif token.type == "bullet_list_open":
            numbers.append(0)
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            numbers.pop()
        elif token.type == "list_item_open" and numbers and numbers[-1]:
            words.append(f"{numbers[-1]}.")
            numbers[-1] += 1
        elif token.type == "inline":
            words.append(
                "".join(
                    child.content
                    for child in token.children or []
                    if child.type in ("text", "code_inline", "softbreak")
                )
            )
    return " ".join(" ".join(words).split())


@pytest.fixture
def imported(in_archive: Path, tmp_path: Path) -> tuple[Result, dict[str, Any]]:
    document = constructs_document(tmp_path / "konstruktioner.docx")
    result = nbesok("import", str(document))
    assert result.exit_code == 0, result.output
    visit = yaml.safe_load((in_archive / VISIT).read_text("utf-8"))
    return result, visit


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=[c.name for c in CONSTRUCTS])
def test_each_word_comes_back_in_its_place_with_its_warning(
    imported: tuple[Result, dict[str, Any]], construct: Any
) -> None:
    result, visit = imported
    kind, _, key = construct.place.partition(".")
    text = readable(visit[kind][key] if key else visit[kind])
    for word in construct.words:
        assert word in text, f"{word!r} saknas i {construct.place}: {text}"
    if construct.warning:
        warnings = [line for line in result.output.splitlines() if ": varning: " in line]
        assert any(construct.warning in line for line in warnings), result.output


def test_nothing_comes_back_twice_or_out_of_order(
    imported: tuple[Result, dict[str, Any]],
) -> None:
    _, visit = imported
    answer = readable(visit["svar"]["handlingsplaner"])
    everything = answer + " " + readable(visit["oplacerat"])
    for construct in CONSTRUCTS:
        for word in construct.words:
            if len(word) > 3:
                assert everything.count(word) == 1, word  # a text box's fallback, a nested table
    in_answer = [c.words[0] for c in CONSTRUCTS if c.place == "svar.handlingsplaner"]
    positions = [answer.index(word) for word in in_answer]
    assert positions == sorted(positions), in_answer
    for word in GONE:  # deleted and moved-away text is not part of the document
        assert word not in everything


def test_numbers_keep_their_values(imported: tuple[Result, dict[str, Any]]) -> None:
    _, visit = imported
    answer = visit["svar"]["handlingsplaner"]
    # Typed section numbers stay text; Word's list numbers go on after a paragraph.
    assert "1\\. Bakgrund" in answer and "2\\. Syfte" in answer
    assert "1. Första steget.\n2. Andra steget.\n\nMellan stegen" in answer
    assert "\n3. Tredje steget." in answer
    assert "# 3 Genomförande" in answer  # a heading numbered by Word, not a list item
    assert "- Vi behöver" not in answer and "– Vi behöver fler platser" in answer
    assert "&#32;" not in answer  # an empty cell


def test_the_visit_file_is_valid(imported: tuple[Result, dict[str, Any]]) -> None:
    validated = nbesok("validate", str(VISIT))
    assert validated.exit_code == 0, validated.output


def test_tables_nested_fifty_deep_come_out_once(in_archive: Path, tmp_path: Path) -> None:
    """Each level used to be read twice, so time doubled with depth (50 never ended)."""
    document = constructs_document(tmp_path / "djup.docx", nesting=50)
    result = nbesok("import", str(document))
    assert result.exit_code == 0, result.output
    visit = yaml.safe_load((in_archive / VISIT).read_text("utf-8"))
    answer = readable(visit["svar"]["handlingsplaner"])
    assert answer.count("Djupaste") == 1 and answer.count("nivå49") == 1
