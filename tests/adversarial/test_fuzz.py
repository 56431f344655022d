"""Fuzzing: mutated real visits and protocols never crash nbesok.

The only allowed outcomes are success or nbesok's own error with every finding
located in the input. The runs here are bounded and derandomized so that CI is
stable; ``benchmarks/fuzz_long.py`` runs thousands of mutants.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import nbesok.documents
from nbesok.errors import finding

from .fuzzing import (
    SOURCES,
    Mutant,
    Mutation,
    copy_archive,
    mutants,
    mutate,
    run_cli,
    run_library,
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

    monkeypatch.setattr(nbesok.documents, "render_template", crash)
    source = "visits/2018-10-17-idrott-och-service.yaml"

    outcome = run_library(fuzz_archive, source, SOURCES[source])

    assert outcome.failure is not None
    assert "KeyError" in outcome.failure
