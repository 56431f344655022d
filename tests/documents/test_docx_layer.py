"""The DOCX layer as a whole: independent validation, python-docx as the only OOXML writer,
and the one publishing step (review in memory, one protocol fetch, one path rule)."""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import RENDERED_NAMES, Rendered
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st
from openxml_audit import OpenXmlValidator
from support import invoke

import nbesok
import nbesok.documents.docx.review
from nbesok.archive.root import Archive
from nbesok.core.paths import package_templates_dir

SOURCE = Path(nbesok.__file__).parent


@pytest.fixture(scope="module", params=[False, True], ids=["permissive", "strict"])
def validator(request: pytest.FixtureRequest) -> OpenXmlValidator:
    return OpenXmlValidator(strict=request.param)


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_open_xml_sdk_rules_find_no_error_in_any_output(
    rendered: Rendered, validator: OpenXmlValidator, name: str
) -> None:
    result = validator.validate(rendered.docx(name))

    # The permissive profile reports schema violations as warnings: neither is allowed.
    assert (result.error_count, result.warning_count) == (0, 0), [
        error.description for error in result.errors
    ]


def test_the_validator_does_find_a_broken_document(
    rendered: Rendered, validator: OpenXmlValidator, tmp_path: Path
) -> None:
    """A control: the same check on a document with an element Word does not know."""
    document = docx.Document(str(rendered.docx(RENDERED_NAMES[0])))
    document.paragraphs[0]._p.get_or_add_pPr().append(OxmlElement("w:finnsInte"))
    broken = tmp_path / "trasig.docx"
    document.save(str(broken))

    result = validator.validate(broken)
    assert result.error_count + result.warning_count > 0


def test_every_output_carries_the_parts_word_expects(rendered: Rendered) -> None:
    for name in RENDERED_NAMES:
        with zipfile.ZipFile(rendered.docx(name)) as package:
            parts = set(package.namelist())
        assert {"word/fontTable.xml", "word/theme/theme1.xml", "word/styles.xml"} <= parts


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module that is not a docstring."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_ooxml_is_built_as_strings() -> None:
    """python-docx builds every element: no ``<w:…`` markup in nbesok's code."""
    found = [
        f"{path.relative_to(SOURCE)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line, text in _string_literals(path)
        if "<w:" in text or "<Relationship" in text or "<cp:" in text
    ]

    assert found == []


def test_render_reviews_the_document_in_memory(
    in_archive: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review after a render never reads the written file back from disk."""

    def from_disk(path: Path) -> list[object]:
        raise AssertionError(f"granskningen läste {path} från disk")

    monkeypatch.setattr(nbesok.documents.docx.review, "review_file", from_disk)
    (in_archive / "templates" / "protokoll.md.j2").write_text(
        '---\ntitle: "Prov"\nlang: sv-SE\n---\n\n# Frågor\n\n### Hoppar över en nivå\n', "utf-8"
    )

    result = invoke(runner, "render", "visits/2018-10-17-idrott-och-service.yaml")

    assert result.exit_code == 0, result.output
    assert "rubriknivån hoppar från Heading 1 till Heading 3" in result.output


def test_each_protocol_is_fetched_once_per_visit(
    in_archive: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[str] = []
    original = Archive.protocol

    def counting(self: Archive, protocol_id: str) -> object:
        fetched.append(protocol_id)
        return original(self, protocol_id)

    monkeypatch.setattr(Archive, "protocol", counting)

    result = invoke(runner, "render", "visits/", "--format", "md")

    assert result.exit_code == 0, result.output
    assert sorted(fetched) == ["arbetslik-aktivitet-2023", "arbetsmarknad-och-integration-2018-19"]


def test_folders_are_never_searched_below_their_own_files(
    in_archive: Path, runner: CliRunner
) -> None:
    """One rule for validate, render, report and granska: a folder means its own files."""
    nested = in_archive / "visits" / "gamla"
    nested.mkdir()
    (nested / "trasig.yaml").write_text("inte: ett besök\n", "utf-8")
    (in_archive / "out" / "arkiv").mkdir(parents=True)
    (in_archive / "out" / "arkiv" / "trasig.docx").write_text("ingen docx", "utf-8")

    validated = invoke(runner, "validate", "visits")
    rendered = invoke(runner, "render", "visits", "--format", "md")
    reported = invoke(runner, "report", "visits", "--format", "md")
    reviewed = invoke(runner, "granska", "out")

    for result in (validated, rendered, reported, reviewed):
        assert result.exit_code == 0, result.output
        assert "gamla" not in result.output and "trasig" not in result.output
    assert "Inga tillgänglighetsproblem i 0 filer." in reviewed.output


def test_a_docx_from_the_writer_opens_from_bytes_alone(rendered: Rendered) -> None:
    data = rendered.docx(RENDERED_NAMES[0]).read_bytes()

    style = docx.Document(io.BytesIO(data)).paragraphs[0].style
    assert style is not None and style.name == "Title"


def test_the_example_archive_s_templates_folder_is_the_packaged_defaults(repo_root: Path) -> None:
    """templates/ shows a reader what an archive's own folder holds; it must not drift."""
    for name in ("README.md", "referens.docx"):
        assert (repo_root / "templates" / name).read_bytes() == (
            package_templates_dir() / name
        ).read_bytes(), f"templates/{name}: kör scripts/build_reference_docx.py"


def test_the_templates_readme_names_every_style(repo_root: Path) -> None:
    from nbesok.documents.docx.styles import STYLES, Style

    text = (package_templates_dir() / "README.md").read_text("utf-8")

    def named(style: Style) -> bool:
        if style.name.startswith("Heading "):
            return "Heading 1–6" in text
        return style.name in text or style.name.lower() in text

    assert [style.name for style in STYLES if not named(style)] == []


def test_a_logo_in_the_reference_header_reaches_every_document(
    in_archive: Path, runner: CliRunner, validator: OpenXmlValidator
) -> None:
    """A municipality puts its logo in referens.docx's header (templates/README.md)."""
    from PIL import Image

    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (0, 94, 158)).save(logo, format="PNG")
    reference = docx.Document(str(in_archive / "templates" / "referens.docx"))
    header = reference.sections[0].header
    header.paragraphs[0].insert_paragraph_before().add_run().add_picture(
        io.BytesIO(logo.getvalue()), width=docx.shared.Mm(30)
    )
    reference.save(str(in_archive / "templates" / "referens.docx"))

    visit = "visits/2023-06-07-arbetslik-aktivitet.yaml"
    result = invoke(runner, "render", visit, "--format", "docx")
    assert result.exit_code == 0, result.output

    path = in_archive / "out" / "2023-06-07-arbetslik-aktivitet.docx"
    written_header = docx.Document(str(path)).sections[0].header
    (blip,) = written_header._element.xpath(".//a:blip")
    image = written_header.part.related_parts[blip.get(qn("r:embed"))]
    assert image.blob == logo.getvalue()
    fields = " ".join(
        written_header._element.xpath(".//w:instrText/text() | .//w:fldSimple/@w:instr")
    )
    assert "PAGE" in fields and "NUMPAGES" in fields  # "2 (5)" is still there
    audit = validator.validate(path)
    assert (audit.error_count, audit.warning_count) == (0, 0)


# The shim on python-docx's child placement (nbesok/docx/oxml_shim.py)

_SOME_TAGS = ("w:pStyle", "w:keepNext", "w:keepLines", "w:spacing", "w:ind", "w:jc", "w:rPr")


def test_the_oxml_shim_is_installed_for_the_installed_python_docx() -> None:
    """Fails when python-docx is upgraded: check its BaseOxmlElement against
    nbesok/docx/oxml_shim.py, then add the version to CHECKED_VERSIONS."""
    from docx.oxml.xmlchemy import BaseOxmlElement

    from nbesok.documents.docx import oxml_shim

    assert oxml_shim.install(), (
        f"python-docx {docx.__version__} är inte kontrollerad mot nbesok/docx/oxml_shim.py"
    )
    assert getattr(BaseOxmlElement.first_child_found_in, "nbesok_shim", False)
    assert oxml_shim.install(), "installing twice changes nothing"


@settings(max_examples=400, deadline=None)
@given(
    children=st.lists(st.sampled_from((*_SOME_TAGS, "comment")), max_size=8),
    wanted=st.lists(st.sampled_from(_SOME_TAGS), max_size=7),
)
def test_the_oxml_shim_finds_the_child_python_docx_finds(
    children: list[str], wanted: list[str]
) -> None:
    """Any children in any order (also out of the schema's order, repeated, or with a
    comment among them), any tags asked for: the very same element, or None."""
    from lxml import etree

    from nbesok.documents.docx import oxml_shim

    oxml_shim.install()
    parent = OxmlElement("w:pPr")
    for tag in children:
        parent.append(etree.Comment("x") if tag == "comment" else OxmlElement(tag))
    found = parent.first_child_found_in(*wanted)

    assert found is oxml_shim.python_docx_method()(parent, *wanted)


def test_the_oxml_shim_leaves_an_unchecked_python_docx_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from docx.oxml.xmlchemy import BaseOxmlElement

    from nbesok.documents.docx import oxml_shim

    original = oxml_shim.python_docx_method()
    monkeypatch.setattr(BaseOxmlElement, "first_child_found_in", original)
    monkeypatch.setattr(docx, "__version__", "99.0.0")

    assert not oxml_shim.install()
    assert BaseOxmlElement.__dict__["first_child_found_in"] is original
