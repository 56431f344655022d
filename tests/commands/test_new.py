"""``nbesok new``: file names, refusal to overwrite, and the new → validate round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nbesok.archive.loading import load_visit
from nbesok.cli import cli
from nbesok.core.names import MAX_SLUG

PROTOCOLS = ["arbetslik-aktivitet-2023", "arbetsmarknad-och-integration-2018-19"]
# A date inside each protocol's season.
IN_SEASON = {
    "arbetslik-aktivitet-2023": "2023-09-14",
    "arbetsmarknad-och-integration-2018-19": "2018-11-20",
}


def new(protocol: str, operation: str, when: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["new", "--protokoll", protocol, "--verksamhet", operation, "--datum", when],
        prog_name="nbesok",
    )


def visit_files(root: Path) -> set[str]:
    """Every file below ``visits/``, hidden ones included (a left-over temp file shows)."""
    return {path.relative_to(root).as_posix() for path in (root / "visits").rglob("*")}


def all_files(root: Path) -> set[Path]:
    return {path for path in root.parent.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    ("operation", "file_name"),
    [
        ("Arbetslik aktivitet", "2024-05-02-arbetslik-aktivitet.yaml"),
        ("Idrott- och service", "2024-05-02-idrott-och-service.yaml"),
        ("Åtgärd för öar", "2024-05-02-atgard-for-oar.yaml"),
        ("ÅTGÄRD FÖR ÖAR", "2024-05-02-atgard-for-oar.yaml"),
        ("Café Kungsgatan 12", "2024-05-02-cafe-kungsgatan-12.yaml"),
        ("../../x", "2024-05-02-x.yaml"),
        ("/etc/x", "2024-05-02-etc-x.yaml"),
        ("..\\..\\Windows\\x", "2024-05-02-windows-x.yaml"),
        ("CON", "2024-05-02-con.yaml"),
        ("  Kl 10: ”möte” #1  ", "2024-05-02-kl-10-mote-1.yaml"),
    ],
)
def test_new_names_the_file_by_date_and_a_safe_slug(
    in_archive: Path, operation: str, file_name: str
) -> None:
    before = all_files(in_archive)

    result = new("arbetslik-aktivitet-2023", operation, "2024-05-02")

    assert result.exit_code == 0, result.output
    # A verksamhet visited before also gets a line about the items carried over.
    assert result.stdout.splitlines()[0] == f"Skapade visits/{file_name}"
    assert result.stderr == ""
    assert all_files(in_archive) - before == {in_archive / "visits" / file_name}
    assert load_visit(in_archive / "visits" / file_name).model.operation == operation
    # The archive may be any municipality's: no example address of one in particular.
    assert "linkoping.se" not in (in_archive / "visits" / file_name).read_text("utf-8")


def test_a_very_long_name_gives_a_bounded_slug_without_separators(in_archive: Path) -> None:
    before = all_files(in_archive)

    result = new("arbetslik-aktivitet-2023", "Ä" * 300, "2024-05-02")

    assert result.exit_code == 0, result.output
    (created,) = all_files(in_archive) - before
    assert created.parent == in_archive / "visits"
    slug = created.name.removeprefix("2024-05-02-").removesuffix(".yaml")
    assert slug == "a" * MAX_SLUG
    assert MAX_SLUG <= 60
    assert result.stdout == f"Skapade visits/{created.name}\n"


@pytest.mark.parametrize("operation", ["...", "///", "””", "   "])
def test_a_name_without_letters_is_a_usage_error(in_archive: Path, operation: str) -> None:
    before = visit_files(in_archive)

    result = new("arbetslik-aktivitet-2023", operation, "2024-05-02")

    assert result.exit_code == 2
    assert "ger inget filnamn; verksamheten behöver bokstäver eller siffror" in result.stderr
    assert "Traceback" not in result.output
    assert visit_files(in_archive) == before


def test_new_refuses_to_overwrite(in_archive: Path) -> None:
    existing = in_archive / "visits" / "2023-06-07-arbetslik-aktivitet.yaml"
    original = existing.read_bytes()
    before = visit_files(in_archive)

    result = new("arbetslik-aktivitet-2023", "Arbetslik aktivitet", "2023-06-07")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "visits/2023-06-07-arbetslik-aktivitet.yaml: fel: finns redan och skrivs inte över; "
        "ta bort filen eller välj ett annat datum\n"
    )
    assert existing.read_bytes() == original
    assert visit_files(in_archive) == before


def test_new_refuses_to_overwrite_its_own_scaffold(in_archive: Path) -> None:
    first = new("arbetslik-aktivitet-2023", "Ny verksamhet", "2024-05-02")
    target = in_archive / "visits" / "2024-05-02-ny-verksamhet.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "# mina anteckningar\n", "utf-8")
    edited = target.read_bytes()

    second = new("arbetsmarknad-och-integration-2018-19", "Ny  verksamhet!", "2024-05-02")

    assert first.exit_code == 0
    assert second.exit_code == 1
    assert "finns redan och skrivs inte över" in second.stderr
    assert target.read_bytes() == edited


def test_unknown_protocol_suggests_the_nearest(in_archive: Path) -> None:
    before = visit_files(in_archive)

    result = new("arbetslik-aktivitet-2022", "Arbetslik aktivitet", "2024-05-02")

    assert result.exit_code == 1
    assert result.stderr == (
        "protocols: fel: protokollet ”arbetslik-aktivitet-2022” finns inte i protocols/; "
        "menade du ”arbetslik-aktivitet-2023”?\n"
    )
    assert visit_files(in_archive) == before


def test_unknown_protocol_far_from_all_lists_them(in_archive: Path) -> None:
    result = new("skola", "Arbetslik aktivitet", "2024-05-02")

    assert result.exit_code == 1
    assert "protokollet ”skola” finns inte i protocols/" in result.stderr
    assert (
        "Protokoll i arkivet: arbetslik-aktivitet-2023, arbetsmarknad-och-integration-2018-19."
        in result.stderr
    )


def test_a_protocol_id_cannot_reach_outside_protocols(in_archive: Path) -> None:
    # A visit file is valid YAML: read as a protocol it gives a dozen confusing messages
    # about a protocol's keys. The id must be refused as an id before any file is read.
    before = visit_files(in_archive)

    result = new("../visits/2018-10-17-idrott-och-service", "X", "2024-05-02")

    assert result.exit_code in (1, 2), result.output
    assert visit_files(in_archive) == before
    assert "”../visits/2018-10-17-idrott-och-service”" in result.stderr
    assert "titel" not in result.stderr


@pytest.mark.parametrize("when", ["2024-5-2", "2024-02-30", "02-05-2024", "igår", "20240502"])
def test_a_bad_date_is_a_usage_error(in_archive: Path, when: str) -> None:
    before = visit_files(in_archive)

    result = new("arbetslik-aktivitet-2023", "Arbetslik aktivitet", when)

    assert result.exit_code == 2
    assert "Användning: nbesok new [FLAGGOR]" in result.stderr
    assert (
        f"fel: Ogiltigt värde för '--datum': ”{when}” är inget datum; skriv ÅÅÅÅ-MM-DD"
        in result.stderr
    )
    assert visit_files(in_archive) == before


def test_a_missing_option_is_a_usage_error(in_archive: Path) -> None:
    result = CliRunner().invoke(
        cli, ["new", "--verksamhet", "X", "--datum", "2024-05-02"], prog_name="nbesok"
    )

    assert result.exit_code == 2
    assert "fel: Flagga saknas '--protokoll'." in result.stderr


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_new_then_validate_leaves_only_unfilled_warnings(in_archive: Path, protocol: str) -> None:
    day = IN_SEASON[protocol]  # a date outside the protocol's season is a warning of its own
    created = new(protocol, "Arbetslik aktivitet", day)
    assert created.exit_code == 0, created.output
    path = f"visits/{day}-arbetslik-aktivitet.yaml"

    result = CliRunner().invoke(cli, ["validate", path], prog_name="nbesok")

    assert result.exit_code == 0, result.output
    *findings, summary = result.stdout.splitlines()
    questions = load_visit(in_archive / path).model.answers
    assert len(findings) == len(questions) + 2
    for line in findings:
        assert line.startswith(f"{path}:"), line
        assert ": varning: " in line, line
        assert "frågan är obesvarad" in line or "ej ifyllt" in line, line
    assert summary == f"0 fel och {len(findings)} varningar i 1 fil."


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_scaffold_has_one_empty_answer_per_question(in_archive: Path, protocol: str) -> None:
    from nbesok.archive.loading import load_protocol

    new(protocol, "Arbetslik aktivitet", "2024-05-02")
    path = in_archive / "visits" / "2024-05-02-arbetslik-aktivitet.yaml"

    visit = load_visit(path).model
    questions = load_protocol(in_archive / "protocols" / f"{protocol}.yaml").model.questions()
    text = path.read_text(encoding="utf-8")

    assert text.startswith("# yaml-language-server: $schema=../schemas/besok.schema.json\n")
    assert visit.protocol == protocol
    assert visit.date.isoformat() == "2024-05-02"
    assert list(visit.answers) == [question.id for question in questions]
    assert all(answer == "" for answer in visit.answers.values())
    for question in questions:
        # Each question is shown above its answer, as a comment the user can read.
        assert f"  # Fråga: {question.question[:40]}" in text


def test_the_whole_archive_still_validates_after_new(in_archive: Path) -> None:
    new("arbetslik-aktivitet-2023", "Åtgärd för öar", IN_SEASON["arbetslik-aktivitet-2023"])

    plain = CliRunner().invoke(cli, ["validate"], prog_name="nbesok")
    strict = CliRunner().invoke(cli, ["validate", "--strict"], prog_name="nbesok")

    assert plain.exit_code == 0, plain.output
    assert plain.stdout.splitlines()[-1].startswith("0 fel, ")
    assert plain.stdout.splitlines()[-1].endswith(" i 6 filer.")
    new_file = [line for line in plain.stdout.splitlines() if "atgard-for-oar" in line]
    assert len(new_file) == 6 + 2  # six unanswered questions, no members, no officials
    assert strict.exit_code == 1
