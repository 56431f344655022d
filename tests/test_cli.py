"""The ``nbesok`` command as a whole: Swedish help, version, usage errors, internal errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import nbesok
import nbesok.commands.validate
from nbesok.cli import cli

COMMANDS = sorted(cli.commands)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def test_the_issue_s_commands_exist() -> None:
    assert {"new", "schema", "validate"} <= set(COMMANDS)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_command_has_swedish_help_with_an_example(command: str) -> None:
    result = invoke(*command.split(), "--help")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Användning: nbesok {command}".rstrip() + " ")
    assert "Exempel:" in result.stdout
    assert f"nbesok {command}" in result.stdout.split("Exempel:")[1]
    assert "Flaggor:" in result.stdout
    assert "-h, --help  " in result.stdout
    assert "Visa den här hjälpen och avsluta." in result.stdout
    for english in ("Usage:", "Options:", "Show this message", "[required]", "[default:"):
        assert english not in result.stdout, english


def test_short_help_flag(in_archive: Path) -> None:
    assert invoke("validate", "-h").stdout == invoke("validate", "--help").stdout


def test_version() -> None:
    result = invoke("--version")

    assert result.exit_code == 0
    assert result.stdout == f"nbesok, version {nbesok.__version__}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--okänd"], "fel: Okänd flagga '--okänd'."),
        (["validate", "--stirct"], "fel: Okänd flagga '--stirct'."),
        (["valdate"], "fel: Okänt kommando 'valdate'."),
        (["schema", "extra"], "fel: Oväntat extra argument (extra)"),
    ],
)
def test_usage_errors_exit_2_in_swedish(in_archive: Path, args: list[str], message: str) -> None:
    result = invoke(*args)

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Användning: nbesok")
    assert "Se ”nbesok" in result.stderr and "--help” för hjälp." in result.stderr
    assert message in result.stderr


def test_an_option_without_its_value_is_a_usage_error(in_archive: Path) -> None:
    # click reports this while parsing, before it knows the command's usage line.
    result = invoke("new", "--protokoll")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "fel: Flaggan '--protokoll' kräver ett värde." in result.stderr


def test_no_command_shows_the_usage(in_archive: Path) -> None:
    result = invoke()

    assert result.exit_code == 2
    assert "Användning: nbesok [FLAGGOR] KOMMANDO [ARGUMENT]..." in result.output


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("trasig kontroll")


def test_an_internal_error_is_reported_without_traceback(
    in_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nbesok.commands.validate, "validate_files", boom)

    result = invoke("validate")

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "trasig kontroll" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith("nbesok: internt fel (RuntimeError); detta är ett fel i nbesok")
    assert "nbesok --debug" in result.stderr


def test_debug_shows_the_traceback_of_an_internal_error(
    in_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nbesok.commands.validate, "validate_files", boom)

    result = invoke("--debug", "validate")

    assert result.exit_code == 1
    assert "Traceback (most recent call last):" in result.stderr
    assert "RuntimeError: trasig kontroll" in result.stderr
    assert "internt fel (RuntimeError)" in result.stderr


def test_the_debug_environment_variable_also_shows_the_traceback(
    in_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nbesok.commands.validate, "validate_files", boom)
    monkeypatch.setenv("NBESOK_DEBUG", "1")

    result = invoke("validate")

    assert result.exit_code == 1
    assert "RuntimeError: trasig kontroll" in result.stderr


def test_bad_input_never_needs_debug(in_archive: Path) -> None:
    (in_archive / "visits" / "x.yaml").write_bytes(b"\xff\xfe\x00")

    result = invoke("--debug", "validate", "visits/x.yaml")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout.startswith("visits/x.yaml:1:1: fel: filen är sparad som UTF-16")


def test_python_m_nbesok_runs_the_cli(repo_root: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "nbesok", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=repo_root,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == f"nbesok, version {nbesok.__version__}\n"


def test_output_into_a_closed_pipe_ends_quietly(in_archive: Path) -> None:
    """”nbesok followup | head -1”: once the reader has gone, nbesok stops without an
    internal error, with 128 + SIGPIPE as a writer to a closed pipe does."""
    import os

    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", "nbesok", "followup", "--per", "2030-01-01"],
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=in_archive,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)
    assert result.returncode == 141, result.stderr.decode("utf-8")
    assert result.stderr == b""
