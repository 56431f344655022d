"""Hostile inputs: the case table, and the few cases that need more than a table row.

Every case checks the same promises (DESIGN.md, "Rules that hold everywhere"): the
exit code, a Swedish message that names the file and the line, no traceback, nothing
written except the expected outputs, and earlier outputs left byte-identical.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import IO, Any

import docx
import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import Rendered

import nbesok.documents.compose
from nbesok.cli import cli
from nbesok.commands.render import RECORD

from .cases import BILLION_LAUGHS, CASES, PROTOCOL, REAL, REAL_OUT, VISIT, Case, Content, X, edit

ARCHIVE = "arkiv"  # the archive fixture's folder inside tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def content_bytes(content: Content) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    return content()


def snapshot(root: Path) -> dict[str, str]:
    """Every file, folder and symbolic link below ``root`` with a fingerprint of its content."""
    state: dict[str, str] = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                state[relative] = "link to " + os.readlink(path)
            elif path.is_dir():
                state[relative] = "folder"
            elif not path.is_file():
                state[relative] = "special file"  # a FIFO would block a read
            else:
                state[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def changes(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Paths created, changed or removed between two snapshots."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def document_text(path: Path) -> str:
    """A written document as its reader sees it: a .docx through python-docx."""
    if path.suffix != ".docx":
        return path.read_text("utf-8")
    from nbesok.documents.docx.text import document_texts

    return "\n".join(document_texts(docx.Document(str(path))))


def assert_no_crash(result: Result) -> None:
    assert "Traceback" not in result.output, result.output
    assert "internt fel" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def prepare(archive: Path, rendered: Rendered, case: Case) -> None:
    if case.prerender:
        shutil.copytree(rendered.out, archive / "out")
    for relative, content in case.files.items():
        path = archive / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content_bytes(content))
    if case.setup is not None:
        case.setup(archive)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, in_archive: Path, rendered: Rendered, tmp_path: Path) -> None:
    prepare(in_archive, rendered, case)
    before = snapshot(tmp_path)

    result = invoke(*case.args)

    after = snapshot(tmp_path)
    assert result.exit_code == case.exit_code, result.output
    assert_no_crash(result)
    lines = result.output.splitlines()
    assert any(line.startswith(case.where) and case.message in line for line in lines), (
        f"ingen rad börjar med ”{case.where}” och innehåller ”{case.message}”:\n{result.output}"
    )
    for text in case.absent:
        assert text not in result.output
    allowed = {f"{ARCHIVE}/{path}" for path in (*case.outputs, "out", f"out/{RECORD}")}
    assert changes(before, after) <= allowed, "fler filer skrevs eller ändrades än väntat"
    for path in case.outputs:
        assert (in_archive / path).is_file()
    for relative, texts in case.inside.items():
        written = document_text(in_archive / relative)
        for text in texts:
            assert text in written, f"{relative} saknar ”{text}”"
    for relative, texts in case.lacks.items():
        written = document_text(in_archive / relative)
        for text in texts:
            assert text not in written, f"{relative} innehåller ”{text}”"
    if case.followup:
        followup = invoke(*case.followup)
        assert followup.exit_code == 0, followup.output
        assert ": fel: " not in followup.output, followup.output


def test_the_table_is_large_and_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)


# --- a "billion laughs" file is refused at its first anchor, fast and in little memory


def test_billion_laughs_is_rejected_quickly_in_little_memory(in_archive: Path) -> None:
    (in_archive / X).write_text(BILLION_LAUGHS, encoding="utf-8")
    assert invoke("validate", REAL).exit_code == 0  # imports everything before measuring

    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = invoke("validate", X)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert result.exit_code == 1
    assert result.output.startswith(f"{X}:1:5: fel: ankare (&l0) används inte i nbesok")
    assert seconds < 1.0
    assert peak < 20 * 1024 * 1024


# --- a !!python tag never runs code, wherever it stands

PAYLOADS = {
    "value": "extra: !!python/object/apply:os.system [{command}]\n",
    "key": "!!python/object/apply:os.system [{command}]: x\n",
    "list-item": "extra:\n  - !!python/object/apply:os.system [{command}]\n",
    "new-object": "extra: !!python/object/new:subprocess.Popen [[sh, -c, {command}]]\n",
    "environment": "extra: !!python/object/apply:os.putenv [NBESOK_KORDES, ja]\n",
}


def _command(marker: Path) -> str:
    return f'"touch {marker}"'


def _environment_variable_set() -> bool:
    """Whether NBESOK_KORDES reached the process environment (os.putenv bypasses os.environ)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('NBESOK_KORDES', ''))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return child.stdout.strip() != ""


def test_the_python_tag_payload_is_live(tmp_path: Path) -> None:
    """The control: an unsafe loader would run the payload, so the next test can fail."""
    marker = tmp_path / "kördes"

    yaml.unsafe_load(PAYLOADS["value"].format(command=_command(marker)))

    assert marker.exists()


@pytest.mark.parametrize("command", ["validate", "render"])
@pytest.mark.parametrize("place", sorted(PAYLOADS))
def test_python_tags_run_no_code(
    in_archive: Path, tmp_path: Path, place: str, command: str
) -> None:
    marker = tmp_path / "kördes"
    payload = PAYLOADS[place].format(command=_command(marker))
    (in_archive / X).write_text(VISIT + payload, encoding="utf-8")
    protocol = in_archive / "protocols" / "liten.yaml"
    protocol.write_text(PROTOCOL + payload, encoding="utf-8")

    for target in (X, "protocols/liten.yaml"):
        result = invoke(command, target, *(("--out", "out") if command == "render" else ()))
        assert result.exit_code == 1, result.output
        assert_no_crash(result)
        assert f"{target}:" in result.output
        assert "fel: taggen ”tag:yaml.org,2002:python/object/" in result.output
    time.sleep(0.2)  # a Popen payload would run asynchronously
    assert not marker.exists()
    assert not _environment_variable_set()


# --- a render killed or interrupted mid-write leaves the previous documents intact


KILLED_RENDER = """\
import os, sys, time

marker = sys.argv[1]
real_fdopen = os.fdopen


class HalfThenHang:
    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()

    def write(self, data):
        self.stream.write(data[: len(data) // 2])
        self.stream.flush()
        open(marker, "w").close()
        time.sleep(120)

    def flush(self):
        self.stream.flush()

    def fileno(self):
        return self.stream.fileno()


def fdopen(fd, mode="r", *args, **kwargs):
    stream = real_fdopen(fd, mode, *args, **kwargs)
    return HalfThenHang(stream) if "w" in mode else stream


os.fdopen = fdopen
from nbesok.cli import main

sys.argv = ["nbesok", "render", sys.argv[2], "--out", "out"]
main()
"""


def _changed_real_visit(archive: Path) -> None:
    path = archive / REAL
    path.write_text(path.read_text(encoding="utf-8") + "# ändrad\n", encoding="utf-8")


def _assert_previous_outputs(archive: Path, rendered: Rendered) -> None:
    for relative in REAL_OUT:
        assert (archive / relative).read_bytes() == (rendered.archive / relative).read_bytes()
    docx.Document(str(archive / REAL_OUT[1]))  # still opens
    (archive / REAL_OUT[0]).read_text(encoding="utf-8")


def test_a_render_killed_mid_write_leaves_the_previous_files(
    in_archive: Path, rendered: Rendered, tmp_path: Path
) -> None:
    shutil.copytree(rendered.out, in_archive / "out")
    _changed_real_visit(in_archive)
    script = tmp_path / "killed_render.py"
    script.write_text(KILLED_RENDER, encoding="utf-8")
    marker = tmp_path / "mitt-i-skrivningen"
    before = snapshot(in_archive)

    child = subprocess.Popen(
        [sys.executable, str(script), str(marker), REAL],
        cwd=in_archive,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.communicate()[1].decode()
            assert time.monotonic() < deadline, "renderingen kom aldrig till skrivningen"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()

    _assert_previous_outputs(in_archive, rendered)
    leftovers = changes(before, snapshot(in_archive))
    assert all(Path(path).name.startswith(".") and path.endswith(".tmp") for path in leftovers)
    again = invoke("render", REAL, "--out", "out")
    assert again.exit_code == 0, again.output
    docx.Document(str(in_archive / REAL_OUT[1]))


def test_an_interrupted_render_leaves_no_temporary_file(
    in_archive: Path, rendered: Rendered, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(rendered.out, in_archive / "out")
    _changed_real_visit(in_archive)
    real_fdopen = os.fdopen

    class HalfThenInterrupted:
        """A file that takes half the bytes, then meets Ctrl-C."""

        def __init__(self, stream: IO[bytes]) -> None:
            self.stream = stream

        def __enter__(self) -> HalfThenInterrupted:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def write(self, data: bytes) -> int:
            self.stream.write(data[: len(data) // 2])
            raise KeyboardInterrupt

    interrupted: list[int] = []

    def fdopen(descriptor: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        stream = real_fdopen(descriptor, mode, *args, **kwargs)
        if "w" not in mode or interrupted:
            return stream
        interrupted.append(descriptor)
        return HalfThenInterrupted(stream)

    monkeypatch.setattr(os, "fdopen", fdopen)  # as nbesok.core.output calls it
    before = snapshot(tmp_path)

    result = invoke("render", REAL, "--out", "out")

    assert result.exit_code == 130
    assert "nbesok: avbrutet" in result.output
    _assert_previous_outputs(in_archive, rendered)
    assert changes(before, snapshot(tmp_path)) <= {f"{ARCHIVE}/out/{RECORD}"}


# --- one error type to the top: anything else is a short "internt fel"


def _boom(*args: object, **kwargs: object) -> str:
    raise ZeroDivisionError("division by zero")


@pytest.mark.parametrize("debug", [False, True], ids=["normal", "debug"])
def test_an_internal_error_in_render(
    in_archive: Path,
    rendered: Rendered,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    debug: bool,
) -> None:
    shutil.copytree(rendered.out, in_archive / "out")
    _changed_real_visit(in_archive)
    monkeypatch.setattr(nbesok.documents.compose, "render_template", _boom)
    before = snapshot(tmp_path)

    result = invoke(*(["--debug"] if debug else []), "render", REAL, "--out", "out")

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert "nbesok: internt fel (ZeroDivisionError)" in result.stderr
    assert "nbesok --debug" in result.stderr
    if debug:
        assert "Traceback (most recent call last):" in result.stderr
        assert "ZeroDivisionError: division by zero" in result.stderr
    else:
        assert result.stderr.startswith("nbesok: internt fel (ZeroDivisionError); ")
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 1
    _assert_previous_outputs(in_archive, rendered)
    assert changes(before, snapshot(tmp_path)) <= {f"{ARCHIVE}/out/{RECORD}"}


# --- line separators pasted from the web: never an error at a line the editor lacks


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["LS", "PS", "NEL"])
def test_a_pasted_line_separator_is_not_misplaced(in_archive: Path, separator: str) -> None:
    text = edit(
        VISIT,
        "  individens-behov: Svar.",
        f"  individens-behov: |\n    Text från webben{separator}med radavgränsare.",
    )
    (in_archive / X).write_text(text, encoding="utf-8")

    result = invoke("validate", X)

    assert_no_crash(result)
    errors = [line for line in result.output.splitlines() if ": fel: " in line]
    assert all(line.startswith(f"{X}:13:") for line in errors), result.output
    if result.exit_code:
        assert f"U+{ord(separator):04X}" in errors[0]


# --- a template that doubles a string until memory runs out


MEMORY_BOMB = """\
{% set ns = namespace(text="xx") %}
{% for i in range(40) %}{% set ns.text = ns.text ~ ns.text %}{% endfor %}
{{ ns.text | length }}
"""

LIMITED_RENDER = """\
import resource, sys

limit = 2 * 1024 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from nbesok.cli import main

sys.argv = ["nbesok", "render", sys.argv[1], "--out", "out", "--format", "md"]
main()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
def test_a_template_memory_bomb_is_a_located_error(in_archive: Path, tmp_path: Path) -> None:
    """Run in a child limited to 2 GB, so that the test cannot exhaust the machine."""
    (in_archive / "templates").mkdir(exist_ok=True)
    (in_archive / "templates" / "protokoll.md.j2").write_text(MEMORY_BOMB, encoding="utf-8")

    child = subprocess.run(
        [sys.executable, "-c", LIMITED_RENDER, REAL],
        cwd=in_archive,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert child.returncode == 1, child.stderr
    assert "internt fel" not in child.stderr, child.stderr
    assert child.stderr.startswith("templates/protokoll.md.j2:2:"), child.stderr
    assert not (in_archive / "out" / "2023-06-07-arbetslik-aktivitet.md").exists()
