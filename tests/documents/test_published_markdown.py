"""The published ``.md`` reads the same in every viewer (GitHub-flavoured Markdown).

Four independent readers (tests/readers.py: cmark-gfm, markdown-it-py, mistune and
pandoc's ``gfm`` reader) must see the same headings, list items, table cells, quotes,
paragraphs and emphasis, and agree with the DOCX made from the same parse.

The front matter is taken off first, as git hosts do before they show the rest.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from conftest import RENDERED_NAMES, Rendered, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st
from readers import assert_same_in_every_reader, squash
from support import REPO_ROOT as REPO
from support import invoke

# Pandoc-only syntax and nbesok's Word markers: none may reach the published file.
PANDOC_ONLY = [
    (re.compile(r"^:::", re.MULTILINE), "fenced div"),
    (re.compile(r"\]\{[^}]*\}"), "span with attributes"),
    (re.compile(r"custom-style"), "custom-style"),
    (re.compile(r"^\^\[", re.MULTILINE), "inline note"),
    (re.compile(r"^\|\s*$", re.MULTILINE), "line block"),
]

# A visit that uses every kind of Markdown an answer may hold.
RICH_VISIT = {
    "visits/2023-09-14-rik-text.yaml": """\
        protokoll: arbetslik-aktivitet-2023
        verksamhet: Rik text
        besöksdatum: 2023-09-14
        ledamöter: [Anna Lund (V)]
        tjänstepersoner: [Robert Obing]
        svar:
          individens-behov: |
            Ett stycke med *kursiv*, **fet** och `kod`, en [länk](https://www.linkoping.se)
            och en rad\\
            med hård radbrytning.

            - första punkten
              - en punkt under den
                1. numrerad därunder
            - andra punkten med **fetstil**

            3. börjar på tre
            4. fortsätter

            > Ett citat från verksamheten.
            >
            > - med en lista

            # En egen rubrik

            | Enhet | Platser |
            |---|---:|
            | Produktion | 12 |
            | Café *Kungsgatan* | 4 |

            ```
            kodblock med * och _ som inte är betoning
            ```
          handlingsplaner: |
            Tecken som måste skyddas: 1. inte en lista, # inte en rubrik, * inte en punkt,
            [ ] ingen kryssruta, ~~en överstrykning (GFM)~~ och a_b_c.
        uppföljning:
          - punkt: Redovisa *platserna* | per enhet
            ansvarig: Arbetsmarknadsnämnden
            senast: 2023-12-31
            status: ej påbörjad
        """,
}


def docx_headings(path: Path) -> list[tuple[int, str]]:
    """(level, text) of the DOCX's Title and headings: Title is level 1, as in the PDF."""
    found: list[tuple[int, str]] = []
    for paragraph in docx.Document(str(path)).paragraphs:
        name = paragraph.style.name if paragraph.style is not None else ""
        if name == "Title":
            found.append((1, squash(paragraph.text)))
        elif name.startswith("Heading "):
            found.append((int(name.split()[1]), squash(paragraph.text)))
    return found


def docx_cells(path: Path) -> list[str]:
    cells: list[str] = []
    for table in docx.Document(str(path)).tables:
        for row in table.rows:
            cells += [squash(cell.text) for cell in row.cells]
    return cells


# The example archive: protocol, blank form, tjänsteskrivelse, compilation


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_every_reader_sees_the_same_document(rendered: Rendered, name: str) -> None:
    found = assert_same_in_every_reader(rendered.out / f"{name}.md")

    headings = [(int(kind[1]), text) for kind, *_, text in found if kind[0] == "h"]
    assert headings == [(level, text) for level, text in docx_headings(rendered.docx(name))]


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_no_pandoc_only_syntax_is_published(rendered: Rendered, name: str) -> None:
    text = (rendered.out / f"{name}.md").read_text("utf-8")

    for pattern, what in PANDOC_ONLY:
        assert not pattern.search(text), f"{name}.md innehåller {what}"


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_the_docx_tables_are_the_markdown_tables_or_its_labelled_lists(
    rendered: Rendered, name: str
) -> None:
    """Every DOCX table cell is in the .md: a table cell, or a "**Label:** value" item."""
    found = assert_same_in_every_reader(rendered.out / f"{name}.md")
    cells = {entry[-1] for entry in found if entry[0] in ("th", "td")}
    items = " | ".join(entry[-1] for entry in found if entry[0] == "li")

    for cell in docx_cells(rendered.docx(name)):
        assert cell in cells or f"{cell}:" in items or cell in items, (name, cell)


def test_status_is_text_in_every_reader(rendered: Rendered) -> None:
    found = assert_same_in_every_reader(rendered.out / "sammanstallning-2018-19.md")
    statuses = [entry[-1] for entry in found if entry[0] == "td"]

    assert {"ej påbörjad (försenad)", "påbörjad", "klar"} <= set(statuses)


def test_guidance_follow_up_questions_and_answers_stand_apart(rendered: Rendered) -> None:
    found = assert_same_in_every_reader(rendered.out / "2023-06-07-arbetslik-aktivitet.md")
    strong = [entry[-1] for entry in found if entry[0] == "strong"]
    quoted = [entry for entry in found if entry[0] == "p" and entry[2] == "quote1"]

    assert "Följdfrågor:" in strong and "Svar:" in strong and "Hjälptext:" in strong
    assert quoted and all(entry[-1] for entry in quoted)
    assert any(entry[-1].startswith("Hjälptext:") for entry in quoted)
    # No answer is quoted: only guidance is.
    assert not any("Heltidsaktiveringen" in entry[-1] for entry in quoted)


# A visit that uses all the Markdown an answer may hold


def test_a_rich_answer_reads_the_same_everywhere_and_as_in_word(
    in_archive: Path, runner: CliRunner
) -> None:
    write_tree(in_archive, RICH_VISIT)
    result = invoke(runner, "render", "visits/2023-09-14-rik-text.yaml")
    assert result.exit_code == 0, result.output
    report = invoke(
        runner, "report", "visits/2023-09-14-rik-text.yaml", "--per", "2024-01-01", "--utkast"
    )
    assert report.exit_code == 0, report.output

    for name in ("2023-09-14-rik-text", "2023-09-14-rik-text-uppfoljning"):
        path = in_archive / "out" / f"{name}.md"
        found = assert_same_in_every_reader(path)
        assert [(int(kind[1]), text) for kind, *_, text in found if kind[0] == "h"] == (
            docx_headings(in_archive / "out" / f"{name}.docx")
        )

    found = assert_same_in_every_reader(in_archive / "out" / "2023-09-14-rik-text.md")
    items = [entry[1:] for entry in found if entry[0] == "li"]
    assert ("ul", "quote0", "första punkten") in items
    assert ("ul>ul", "quote0", "en punkt under den") in items
    assert ("ul>ul>ol", "quote0", "numrerad därunder") in items
    assert ("ul", "quote1", "med en lista") in items
    assert ("em", "kursiv") in found and ("strong", "fetstil") in found
    assert ("td", "", "quote0", "Café Kungsgatan") in found
    assert ("em", "Kungsgatan") in found
    escaped = next(e for e in found if e[0] == "p" and e[-1].startswith("Tecken som"))
    assert escaped[-1] == (
        "Tecken som måste skyddas: 1. inte en lista, # inte en rubrik, * inte en punkt, "
        "[ ] ingen kryssruta, en överstrykning (GFM) och a_b_c."
    )
    table = [e[-1] for e in found if e[0] in ("th", "td")]
    assert "Redovisa *platserna* | per enhet" in table  # a punkt is plain text


def test_the_readme_excerpt_is_what_nbesok_writes(rendered: Rendered, repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text("utf-8")
    excerpt = re.search(r"<!-- utdrag: (\S+) -->\n```markdown\n(.*?)```", readme, re.DOTALL)
    assert excerpt is not None, "README saknar utdraget ur en publicerad .md"
    name, text = excerpt.groups()

    assert text in (rendered.out / name).read_text("utf-8")


# --- raw HTML in an answer is text, in the .md as in the DOCX (issue 20)

# Each hid what came after it, or itself, when the .md was shown as HTML.
HTML_ANSWERS = {
    "title": "Före <title> mitten.",
    "iframe": "<iframe>",
    "noscript": "<noscript>",
    "textarea": "<textarea>",
    "two-comments": "<!-- a --> <!-- b",
    "word-placeholder": "Skriv <<namn>> här.",
    "bold-tag": "Text <b>fet</b> text.",
    "lone-less-than": "a < b och x<y",
}


def html_visit(text: str) -> str:
    """The 2023 visit with ``text`` in an answer; an utkast again, since its content is
    no longer the content fastställd (its status block is left out)."""
    indented = "\n".join(f"    {line}" for line in text.split("\n"))
    visit = (REPO / "visits" / "2023-06-07-arbetslik-aktivitet.yaml").read_text("utf-8")
    visit = visit[: visit.index("\n# Exempel: godkännandena")] + "\n"
    return visit.replace(
        "  handlingsplaner: |\n",
        f"  handlingsplaner: |\n{indented}\n\n    Efter HTML-raden.\n\n",
        1,
    )


@pytest.mark.parametrize("text", HTML_ANSWERS.values(), ids=HTML_ANSWERS.keys())
def test_html_in_an_answer_is_the_same_text_in_every_reader_and_in_word(
    in_archive: Path, runner: CliRunner, text: str
) -> None:
    from readers import READERS, body, structure

    visit = in_archive / "visits" / "2023-06-07-arbetslik-aktivitet.yaml"
    visit.write_text(html_visit(text), encoding="utf-8")
    result = invoke(runner, "render", "visits/2023-06-07-arbetslik-aktivitet.yaml")
    assert result.exit_code == 0, result.output
    word = docx.Document(str(in_archive / "out" / "2023-06-07-arbetslik-aktivitet.docx"))
    word_text = [paragraph.text for paragraph in word.paragraphs]
    markdown = body((in_archive / "out" / "2023-06-07-arbetslik-aktivitet.md").read_text("utf-8"))

    # The DOCX shows it as it was written, as text (an HTML block that only ends at its
    # closing tag, like <textarea>, takes the next lines into its paragraph).
    shown = next(squash(t) for t in word_text if t.startswith(text.split("\n")[0]))
    for name, read in READERS.items():
        texts = [entry[-1] for entry in structure(read(markdown))]
        assert shown in texts, f"{name}: {texts}"
        assert any("Efter HTML-raden." in t for t in texts), name  # nothing swallowed
        assert any(t.startswith("Hur ser samarbetet") for t in texts), name


def test_validate_says_html_is_shown_as_text(in_archive: Path, runner: CliRunner) -> None:
    visit = in_archive / "visits" / "2023-06-07-arbetslik-aktivitet.yaml"
    visit.write_text(html_visit("Text <b>fet</b> text."), encoding="utf-8")

    result = invoke(runner, "validate", "visits/2023-06-07-arbetslik-aktivitet.yaml")

    assert result.exit_code == 0, result.output
    assert (
        "varning: svar.handlingsplaner: HTML ”<b>” visas som vanlig text i dokumenten"
        in result.output
    )


# mdformat's entity escaping, through nbesok's shim (nbesok/mdformat_shim.py)


def entity_hook() -> Any:
    """The name mdformat's text renderer calls for its entity pattern (private to it)."""
    from mdformat.renderer import _context

    return vars(_context)["re_char_reference"]


ENTITY_TEXTS = [
    "Ingen och-sats alls.",
    "AT&T och H&M",
    "&amp; &lt;tagg&gt; &nbsp;mellanrum",
    "&#45; och &#x2D; och &#X2d; och &#12345678;",
    "&okändentitet; &amp &; &#; &#x;",
    "Kostnad 5 & 6 %; &copy;&reg;",
    "\\&amp; redan skyddad",
]


def test_the_mdformat_shim_is_installed_for_the_installed_mdformat() -> None:
    """Fails when mdformat is upgraded: check mdformat's text renderer against
    nbesok/mdformat_shim.py, then add the version to CHECKED_VERSIONS."""
    import mdformat

    from nbesok.documents import mdformat_shim

    assert mdformat_shim.install(), (
        f"mdformat {mdformat.__version__} är inte kontrollerad mot nbesok/mdformat_shim.py"
    )
    assert mdformat.__version__ in mdformat_shim.CHECKED_VERSIONS
    assert getattr(entity_hook(), "nbesok_shim", False)
    assert mdformat_shim.install(), "installing twice changes nothing"


@pytest.mark.parametrize("text", ENTITY_TEXTS)
def test_the_shim_escapes_exactly_as_mdformat_does(text: str) -> None:
    from mdformat.renderer import _util

    from nbesok.documents import mdformat_shim

    mdformat_shim.install()
    original = _util.re_char_reference()
    assert entity_hook()().sub(r"\\\g<0>", text) == original.sub(r"\\\g<0>", text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="&#xX;amplt0123456789 gAZ\\", max_size=40))
def test_the_shim_escapes_any_text_as_mdformat_does(text: str) -> None:
    from mdformat.renderer import _util

    from nbesok.documents import mdformat_shim

    mdformat_shim.install()
    original = _util.re_char_reference()
    assert entity_hook()().sub(r"\\\g<0>", text) == original.sub(r"\\\g<0>", text)


def test_published_markdown_is_the_same_with_and_without_the_shim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mdformat.renderer import _context, _util

    from nbesok.archive import markup
    from nbesok.documents.gfm import published_markdown

    source = "---\ntitle: Prov\n---\n\n" + "\n\n".join(ENTITY_TEXTS) + "\n\n- AT&T\n- H&amp;M\n"
    tree = markup.parse(source)
    with_shim = published_markdown(tree, markup.properties(tree))
    assert getattr(entity_hook(), "nbesok_shim", False)
    monkeypatch.setattr(_context, "re_char_reference", _util.re_char_reference)
    monkeypatch.setattr("nbesok.documents.mdformat_shim.install", lambda: False)

    without = published_markdown(tree, markup.properties(tree))

    assert with_shim == without
    assert "AT&T" in without and "\\&amp;" in without  # the escaping did run


def test_the_shim_leaves_an_unchecked_mdformat_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import mdformat
    from mdformat.renderer import _context, _util

    from nbesok.documents import mdformat_shim

    monkeypatch.setattr(_context, "re_char_reference", _util.re_char_reference)
    monkeypatch.setattr(mdformat, "__version__", "99.0.0")

    assert not mdformat_shim.install()
    assert entity_hook() is _util.re_char_reference
