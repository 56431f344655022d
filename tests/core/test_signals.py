"""A signal stops everything a render started, tidily.

A CI timeout sends SIGTERM, a closed terminal SIGHUP, Ctrl-C SIGINT. Whatever arrives,
and whenever, no worker or LibreOffice outlives nbesok, no temporary file is left,
every document already written is whole, and nbesok exits with 128 + the signal.
The renders run as real processes in a session of their own, so the test can see
every process they started.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from nbesok.documents.record import RECORD

REAL = "visits/2023-06-07-arbetslik-aktivitet.yaml"
VISITS = 80  # enough for the pool of workers and several seconds of work


def add_visits(archive: Path) -> None:
    text = (archive / REAL).read_text("utf-8")
    for number in range(VISITS):
        day = f"2023-05-{number % 28 + 1:02d}"
        copy = text.replace("besöksdatum: 2023-06-07", f"besöksdatum: {day}")
        (archive / "visits" / f"{day}-besok-{number:02d}.yaml").write_text(copy, "utf-8")


def start(archive: Path, *args: str, temporary: Path | None = None) -> subprocess.Popen[bytes]:
    """nbesok render in a session of its own; ``temporary`` its TMPDIR."""
    environment = {**os.environ, "CI": "1"}
    if temporary is not None:
        environment.update(TMPDIR=str(temporary), TMP=str(temporary), TEMP=str(temporary))
    return subprocess.Popen(
        [sys.executable, "-m", "nbesok", "render", *args, "--out", "out"],
        cwd=archive,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: all its workers are findable
    )


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "det väntade hände aldrig"
        time.sleep(0.02)


def processes(where: Callable[[int, str], bool]) -> list[str]:
    """Live processes (pid and command line) for which ``where(group, command line)``;
    the command line ends with the process's working folder."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
            command = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            command += " " + os.readlink(f"/proc/{name}/cwd")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and where(int(fields[2]), command):
            found.append(f"{name}: {command}")
    return found


def converting(archive: Path) -> Callable[[int, str], bool]:
    return lambda _, command: ".nbesok-pdf-" in command and command.endswith(str(archive))


def temporary_files(out: Path) -> list[str]:
    return sorted(
        path.name for path in out.iterdir() if path.name.startswith(".") and path.name != RECORD
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("number", "to_group"),
    [(signal.SIGTERM, False), (signal.SIGHUP, True), (signal.SIGINT, False)],
    ids=["sigterm", "sighup-to-the-terminal-s-group", "sigint-to-nbesok-alone"],
)
def test_a_signal_mid_batch_stops_every_worker_and_leaves_whole_files(
    archive: Path, number: int, to_group: bool
) -> None:
    add_visits(archive)
    out = archive / "out"
    render = start(archive)
    group = render.pid
    try:
        wait_for(lambda: out.is_dir() and len(list(out.glob("*.docx"))) >= 4)
        assert len(processes(lambda pgid, _: pgid == group)) >= 2, "inga arbetsprocesser"
        if to_group:
            os.killpg(group, number)
        else:
            os.kill(render.pid, number)
        _, stderr = render.communicate(timeout=60)
    finally:
        if render.poll() is None:
            os.killpg(group, signal.SIGKILL)

    assert render.returncode == 128 + number, stderr.decode()
    assert "avbrutet" in stderr.decode()
    assert "Traceback" not in stderr.decode()
    time.sleep(0.2)
    assert processes(lambda pgid, _: pgid == group) == []
    assert temporary_files(out) == []
    written = sorted(out.glob("*.docx"))
    assert 4 <= len(written) < VISITS + 2
    for path in written:
        docx.Document(str(path))  # whole: python-docx opens every one


def pipe_of(command: str) -> Path:
    """The socket LibreOffice 7.4 makes in /tmp for the profile on its command line."""
    found = re.search(r"-env:UserInstallation=(\S+)", command)
    assert found, command
    digest = hashlib.md5(found.group(1).encode("utf-16-le"), usedforsecurity=False).digest()
    hashed = "".join(f"{byte:x}" for byte in digest)
    return Path("/tmp") / f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{hashed}"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_signal_while_libreoffice_converts_stops_it_too(
    archive: Path, libreoffice: Path, tmp_path: Path
) -> None:
    """Nothing LibreOffice makes outlives the run: no process, no lu*.tmp in the
    temporary folder, no OSL_PIPE socket in /tmp (LibreOffice puts it there whatever
    TMPDIR says), no folder of nbesok's own."""
    add_visits(archive)
    out = archive / "out"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    render = start(
        archive, "--format", "pdf", "--libreoffice", str(libreoffice), temporary=temporary
    )
    pipes: list[Path] = []

    def pipes_made() -> bool:
        """LibreOffice runs (in the archive, writing to a folder of its own in out/) and
        has made its socket."""
        commands = [c for c in processes(converting(archive)) if "UserInstallation" in c]
        pipes[:] = [pipe_of(command) for command in commands]
        return bool(pipes) and all(pipe.exists() for pipe in pipes)

    try:
        wait_for(pipes_made, seconds=120)
        time.sleep(0.5)
        os.kill(render.pid, signal.SIGTERM)
        _, stderr = render.communicate(timeout=60)
    finally:
        if render.poll() is None:
            os.killpg(render.pid, signal.SIGKILL)

    assert render.returncode == 128 + signal.SIGTERM, stderr.decode()
    time.sleep(0.5)
    assert processes(converting(archive)) == []
    assert temporary_files(out) == []
    # Jinja's cache of compiled templates is meant to stay; nothing else may.
    left = sorted(path.name for path in temporary.iterdir() if not path.name.startswith("_jinja2"))
    assert left == []
    assert [pipe for pipe in pipes if pipe.exists()] == []
    assert list(out.glob("*.pdf")) == []  # all or nothing: the batch's PDFs never came
