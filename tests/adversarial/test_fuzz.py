"""Fuzzing: mutated real visits and protocols never crash nbesok.

The only allowed outcomes are success or nbesok's own error with every finding
located in the input. The runs here are bounded and derandomized so that CI is
stable; ``benchmarks/fuzz_long.py`` runs thousands of mutants.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nbesok.documents.compose
from nbesok.archive.root import Archive
from nbesok.core.errors import finding

from .fuzzing import (
    MARKDOWN_PAYLOADS,
    SOURCES,
    VISIT_SOURCES,
    GuardInput,
    MarkdownEdit,
    Mutant,
    Mutation,
    copy_archive,
    guard_inputs,
    lost_text,
    markdown_mutants,
    mutants,
    mutate,
    mutate_markdown,
    put_number,
    run_cli,
    run_guard,
    run_library,
    run_markdown,
    unlocated,
)

BOUNDED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def fuzz_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_archive(tmp_path_factory.mktemp("fuzz") / "arkiv")


@settings(BOUNDED, max_examples=150)
@given(mutant=mutants())
def test_the_library_takes_any_mutant(fuzz_archive: Path, mutant: Mutant) -> None:
    source, edits = mutant
    outcome = run_library(fuzz_archive, source, mutate(SOURCES[source], edits))
    assert outcome.failure is None, outcome.failure


@settings(BOUNDED, max_examples=60)
@given(mutant=markdown_mutants())
def test_no_markdown_in_an_answer_loses_text_or_structure(
    fuzz_archive: Path, mutant: tuple[str, list[MarkdownEdit]]
) -> None:
    source, edits = mutant
    outcome = run_markdown(fuzz_archive, source, mutate_markdown(SOURCES[source], edits))
    assert outcome.failure is None, outcome.failure


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_each_markdown_payload_alone_keeps_the_document(fuzz_archive: Path, payload: str) -> None:
    source = "visits/2023-06-07-arbetslik-aktivitet.yaml"
    edit = MarkdownEdit(target=0.0, at=0.5, payload=payload)

    outcome = run_markdown(fuzz_archive, source, mutate_markdown(SOURCES[source], [edit]))

    assert outcome.failure is None, outcome.failure


def test_a_swallowed_document_is_a_failure(fuzz_archive: Path) -> None:
    """The harness can fail: a document cut short after the first answer is caught."""
    import docx as python_docx

    from nbesok.archive.loading import load_visit

    source = fuzz_archive / "visits/2023-06-07-arbetslik-aktivitet.yaml"
    visit = load_visit(source).model
    protocol = Archive(fuzz_archive).protocol(visit.protocol).model
    cut = python_docx.Document()
    cut.add_heading(protocol.questions()[0].question, level=2)

    assert lost_text(visit, protocol, cut) is not None


@settings(BOUNDED, max_examples=40)
@given(number=guard_inputs(), source=st.sampled_from(VISIT_SOURCES))
def test_no_generated_personnummer_reaches_an_outlet(
    fuzz_archive: Path, number: GuardInput, source: str
) -> None:
    """Random valid numbers, with random separators, markup and invisible characters,
    in a random answer, summary or item of a real visit: refused by validate, stopped at
    the .md and every DOCX part, and there when allowed (issue 20)."""
    data = put_number(SOURCES[source], number)

    outcome = run_guard(fuzz_archive, source, data, number.digits)

    assert outcome.failure is None, f"{number.written!r}: {outcome.failure}"


@settings(BOUNDED, max_examples=25)
@given(mutant=mutants(max_mutations=2))
def test_the_command_line_takes_any_mutant(fuzz_archive: Path, mutant: Mutant) -> None:
    source, edits = mutant
    outcome = run_cli(fuzz_archive, source, mutate(SOURCES[source], edits))
    assert outcome.failure is None, outcome.failure


# --- the harness itself: it must be able to fail


def test_the_real_files_pass_unchanged(fuzz_archive: Path) -> None:
    for source, data in SOURCES.items():
        assert run_library(fuzz_archive, source, data).rejected is False, source


def test_a_mutant_with_an_error_is_rejected_with_a_location(fuzz_archive: Path) -> None:
    source = "visits/2023-06-07-arbetslik-aktivitet.yaml"
    edit = Mutation("new-key", at=0.0, other=0.0, payload="blå".encode(), key="färg")

    outcome = run_library(fuzz_archive, source, mutate(SOURCES[source], [edit]))

    assert outcome == type(outcome)(rejected=True, failure=None)


def test_an_unlocated_finding_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: b\nc: d\n", encoding="utf-8")

    assert unlocated([finding(path, "rad 2", line=2, column=4)], [path]) is None
    assert unlocated([finding(path, "hela filen")], [path]) is not None
    assert unlocated([finding(tmp_path / "y.yaml", "annan fil", line=2)], [path]) is not None
    assert unlocated([finding(path, "efter slutet", line=4, column=1)], [path]) is not None
    assert unlocated([finding(path, "efter raden", line=2, column=6)], [path]) is not None


def test_a_crash_is_a_failure(fuzz_archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> str:
        raise KeyError("nyckel")

    monkeypatch.setattr(nbesok.documents.compose, "render_template", crash)
    source = "visits/2018-10-17-idrott-och-service.yaml"

    outcome = run_library(fuzz_archive, source, SOURCES[source])

    assert outcome.failure is not None
    assert "KeyError" in outcome.failure
