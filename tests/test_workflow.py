"""A municipality starts an archive, runs two seasons and follows up: all through the CLI.

From an empty folder: init, new, validate and render; then a second season: a copied
protocol, a new visit that carries over the open items, the open-items list, the
verksamhet's history and the season compilation. Every expected figure is computed
here from the YAML files the commands wrote.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner, Result

from nbesok.cli import OVERDUE_EXIT, cli
from nbesok.core.paths import package_templates_dir

NAMES = ("--kommun", "Linköpings kommun", "--förvaltning", "Socialförvaltningen")
COMMITTEE = ("--nämnd", "Äldrenämnden")
OPERATION = "Hemtjänsten Ryd"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def read(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def fill(path: Path, answers: dict[str, str], items: list[dict[str, Any]] | None = None) -> None:
    """What a tjänsteperson does by hand: names, answers and follow-up items."""
    data = read(path)
    data["ledamöter"] = ["Anna Lund (V)", "Per Holm (SD)", "Eva Ek (S)", "Bo Berg (M)"]
    data["tjänstepersoner"] = ["Robert Obing"]
    data["svar"] = answers
    if items is not None:
        data["uppföljning"] = items
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def question_ids(protocol: Path) -> list[str]:
    return [q["id"] for part in read(protocol)["avsnitt"] for q in part["frågor"]]


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_two_seasons_from_an_empty_folder(empty: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    year = date.today().year
    first_day = date.today().isoformat()

    # Season one: an archive, a visit, a document.
    started = ok("init", "arkiv", *NAMES, *COMMITTEE)
    archive = empty / "arkiv"
    assert f"nbesok new --protokoll nambesok-{year}" in started.stdout
    monkeypatch.chdir(archive)
    assert ok("validate", "--strict").stdout == "Inga fel i 2 filer.\n"

    created = ok(
        "new", "--protokoll", f"nambesok-{year}", "--verksamhet", OPERATION, "--datum", first_day
    )
    first = archive / "visits" / f"{first_day}-hemtjansten-ryd.yaml"
    assert created.stdout == f"Skapade visits/{first.name}\n"
    assert '#     ansvarig: "Äldrenämnden"' in first.read_text("utf-8")  # the committee
    protocol = archive / "protocols" / f"nambesok-{year}.yaml"
    answers = {qid: f"Svar på {qid}.\n\n- en punkt\n- en till\n" for qid in question_ids(protocol)}
    due = date.today() + timedelta(days=30)
    fill(
        first,
        answers,
        [
            {
                "punkt": "Redovisa vikarieläget",
                "ansvarig": "Äldrenämnden",
                "senast": due.isoformat(),
                "status": "påbörjad",
            },
            {"punkt": "Se över nyckelhanteringen", "ansvarig": OPERATION, "status": "ej påbörjad"},
            {
                "punkt": "Rapportera sjukfrånvaron",
                "ansvarig": OPERATION,
                "senast": due.isoformat(),
                "status": "klar",
            },
        ],
    )
    assert ok("validate", "--strict").stdout == "Inga fel i 3 filer.\n"
    rendered = ok("render")
    assert rendered.stdout.splitlines() == ["Skrev 2 filer för 1 dokument i out/."]
    document = docx.Document(str(archive / "out" / f"{first.stem}.docx"))
    assert document.core_properties.title == f"UTKAST – Nämndbesök hos {OPERATION} {first_day}"
    assert document.core_properties.content_status == "Utkast"

    # The review: a draft does not reach the committee until its ledamöter approve it
    # and the handläggare fastställer it.
    visit_file = f"visits/{first.name}"
    refused = run("report", visit_file, "--per", first_day)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"{visit_file}:1:1: fel: status: besöket är ett utkast")
    assert f'nbesok godkänn {visit_file} --av "Anna Lund"' in refused.stderr
    assert not (archive / "out" / f"{first.stem}-uppfoljning.docx").exists()
    assert ok("status").stdout.splitlines()[2].split()[:5] == [
        "utkast",
        first_day,
        *OPERATION.split(),
        "0",
    ]
    text_before = first.read_bytes()
    approved = ok("godkänn", visit_file, "--av", "anna lund", "--av", "Bo Berg (M)")
    assert approved.stdout.splitlines()[-1] == (
        "2 av 4 ledamöter har godkänt; kvar: Per Holm (SD), Eva Ek (S)."
    )
    assert first.read_bytes().startswith(text_before)  # only a status block was added
    assert ok("status").stdout.splitlines()[2].startswith("godkänd")
    ok("fastställ", visit_file, "--av", "Robert Obing")
    review = read(first)["status"]
    assert [entry["av"] for entry in review["godkänd"]] == ["Anna Lund (V)", "Bo Berg (M)"]
    assert review["fastställd"]["av"] == "Robert Obing"
    assert str(review["fastställd"]["datum"]) == first_day
    ok("report", visit_file, "--per", first_day)
    letter = (archive / "out" / f"{first.stem}-uppfoljning.md").read_text("utf-8")
    assert "UTKAST" not in letter
    assert f"{OPERATION} {first_day}, fastställt {first_day} ({first.stem}.docx)" in letter
    ok("render", visit_file)
    document = docx.Document(str(archive / "out" / f"{first.stem}.docx"))
    assert document.core_properties.title == f"Nämndbesök hos {OPERATION} {first_day}"
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert f"Anna Lund (V) {first_day} och Bo Berg (M) {first_day}" in cells
    assert f"Robert Obing {first_day}" in cells

    # A change after fastställd: validate names it, from the fastställda version in git.
    git = ["git", "-c", "user.name=Robert Obing", "-c", "user.email=ro@example.org"]
    subprocess.run([*git, "add", "-A"], check=True, capture_output=True)
    subprocess.run([*git, "commit", "-qm", "Fastställt"], check=True, capture_output=True)
    adopted_text = first.read_text("utf-8")
    question = question_ids(protocol)[0]
    first.write_text(adopted_text.replace(f"Svar på {question}.", "Ett annat svar."), "utf-8")
    changed = run("validate")
    assert changed.exit_code == 1
    assert (
        "fel: status.fastställd.innehåll: innehållet har ändrats sedan det fastställdes "
        f"{first_day} av Robert Obing: svar.{question} (jämfört med den fastställda versionen"
    ) in changed.stdout
    assert "Filen har också ändringar som inte är incheckade." in changed.stdout
    assert run("report", visit_file).exit_code == 1
    first.write_text(adopted_text, "utf-8")  # changed back: fastställd again
    assert ok("validate", "--strict").stdout == "Inga fel i 3 filer.\n"

    # Season two: the protocol copied, the next visit with the items still open.
    next_year = year + 1
    copied = ok(
        "new-protocol",
        f"nambesok-{next_year}",
        "--from",
        f"nambesok-{year}",
        "--period",
        str(next_year),
    )
    second_protocol = archive / "protocols" / f"nambesok-{next_year}.yaml"
    assert copied.stdout.startswith(f"Skapade protocols/{second_protocol.name}\n")
    assert question_ids(second_protocol) == question_ids(protocol)
    assert str(read(second_protocol)["period"]) == str(next_year)
    assert read(first)["protokoll"] == f"nambesok-{year}"  # the visit keeps its version

    second_day = date(next_year, 2, 1).isoformat()
    carried = ok(
        "new",
        "--protokoll",
        f"nambesok-{next_year}",
        "--verksamhet",
        "hemtjänsten  ryd",
        "--datum",
        second_day,
    )
    second = archive / "visits" / f"{second_day}-hemtjansten-ryd.yaml"
    open_before = [item for item in read(first)["uppföljning"] if item["status"] != "klar"]
    assert carried.stdout.splitlines()[1] == (
        f"{len(open_before)} öppna punkter från tidigare besök fördes över till uppföljning."
    )
    new_visit = read(second)
    assert new_visit["verksamhet"] == OPERATION  # spelled as the archive already spells it
    assert [(i["punkt"], i["status"], i["från"]) for i in new_visit["uppföljning"]] == [
        (item["punkt"], item["status"], first.stem) for item in open_before
    ]
    # Next season's news: one carried item done, one still open, one new item.
    items = new_visit["uppföljning"]
    items[0]["status"] = "klar"
    items.append(
        {
            "punkt": "Följ upp nattpatrullen",
            "ansvarig": "Äldrenämnden",
            "senast": date(next_year, 3, 1).isoformat(),
            "status": "ej påbörjad",
        }
    )
    fill(second, answers, items)
    checked = run("validate")
    assert checked.exit_code == 0, checked.output
    # The carried item without a date is not "due before the visit"; a future visit may be.
    assert "ligger före besöket" not in checked.stdout

    # Open items at a glance, computed from the YAML: the latest state of each item.
    per = date(next_year, 3, 15)
    latest = [*[i for i in read(second)["uppföljning"]]]
    expected_open = [i for i in latest if i["status"] != "klar"]
    expected_late = [i for i in expected_open if i.get("senast") and str(i["senast"]) < str(per)]
    listed = ok("followup", "--per", per.isoformat())
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["Senast", "Status", "Verksamhet", "Ansvarig", "Punkt"]
    rows = lines[2 : 2 + len(expected_open)]
    assert [
        row.endswith(tuple(i["punkt"] for i in expected_open)) or "(tidigare:" in row
        for row in rows
    ] == [True] * len(expected_open)
    assert "(försenad)" in rows[0]  # overdue first
    assert lines[-1] == (
        f"{len(expected_open)} punkter, varav {len(expected_late)} "
        f"{'försenad' if len(expected_late) == 1 else 'försenade'} per {per.isoformat()}."
    )
    table = list(
        csv.DictReader(
            io.StringIO(
                ok("followup", "--per", per.isoformat(), "--format", "csv").stdout.removeprefix(
                    "\ufeff"
                )
            ),
            delimiter=";",
        )
    )
    assert sorted(row["punkt"] for row in table) == sorted(i["punkt"] for i in expected_open)
    history_row = next(row for row in table if row["punkt"] == "Se över nyckelhanteringen")
    assert history_row["tidigare"] == f"ej påbörjad {first_day}"
    assert history_row["fil"] == f"visits/{second.name}"
    assert run("followup", "--per", per.isoformat(), "--strict").exit_code == OVERDUE_EXIT
    assert run("followup", "--per", second_day, "--strict").exit_code == 0

    story = ok("history", OPERATION.upper(), "--per", per.isoformat()).stdout
    assert story.startswith(f"{OPERATION}: 2 besök, {first_day}–{second_day}\n")
    assert f"Redovisa vikarieläget (Äldrenämnden) → följs upp vid besöket {second_day}" in story

    # The season compilation counts each item once, in its latest state.
    # The next season's visit lies ahead, so its compilation can only be a draft yet.
    assert run("report", "--period", str(next_year), "--per", per.isoformat()).exit_code == 1
    ok(
        "report",
        "--period",
        str(next_year),
        "--per",
        per.isoformat(),
        "--format",
        "md,docx",
        "--utkast",
    )
    compiled = (archive / "out" / f"sammanstallning-{next_year}.md").read_text("utf-8")
    assert f"# UTKAST – Sammanställning av nämndbesök {next_year}" in compiled
    done = sum(i["status"] == "klar" for i in latest)
    assert (
        f"Under {next_year} genomfördes 1 nämndbesök hos 1 verksamhet. Vid besöken noterades "
        f"{len(latest)} punkter att följa upp"
    ) in compiled
    assert f"och {done} klar" in compiled
    assert f"Se över nyckelhanteringen (tidigare: ej påbörjad {first_day})" in compiled


def test_init_never_overwrites(empty: Path) -> None:
    (empty / ".gitignore").write_text("*.tmp\n", "utf-8")

    result = ok("init", ".", *NAMES, *COMMITTEE)

    assert ".gitignore (fanns redan och lämnades orörd)" in result.stdout
    assert (empty / ".gitignore").read_text("utf-8") == "*.tmp\n"
    settings = (empty / "nbesok.yaml").read_bytes()
    again = run("init", ".", "--kommun", "Annan", "--förvaltning", "Annan", "--nämnd", "Annan")
    assert again.exit_code == 1
    assert "här finns redan ett arkiv; init skriver aldrig över något" in again.output
    assert (empty / "nbesok.yaml").read_bytes() == settings


def test_a_fresh_archive_is_complete(empty: Path) -> None:
    result = ok("init", "nytt", *NAMES, *COMMITTEE, "--med-referens")
    root = empty / "nytt"
    packaged = package_templates_dir()

    settings = read(root / "nbesok.yaml")
    assert settings == {
        "kommun": "Linköpings kommun",
        "förvaltning": "Socialförvaltningen",
        "nämnd": "Äldrenämnden",
        "förslag_till_beslut": ["Informationen noteras."],
        "publik": False,
        "sekretessgrunder": {},
    }
    text = (root / "nbesok.yaml").read_text("utf-8")
    assert all("\n# " in text.split(f"\n{key}:")[0][-200:] for key in settings)  # commented
    assert (root / "templates" / "README.md").read_bytes() == (packaged / "README.md").read_bytes()
    assert (root / "templates" / "referens.docx").read_bytes() == (
        packaged / "referens.docx"
    ).read_bytes()
    assert (root / ".gitignore").read_text("utf-8").splitlines()[-1] == "out/"
    attributes = (root / ".gitattributes").read_text("utf-8")
    assert "*.yaml text eol=lf" in attributes and "*.docx binary" in attributes
    assert "*.pdf binary" in attributes
    hooks = read(root / ".pre-commit-config.yaml")["repos"][0]["hooks"]
    assert hooks[0]["entry"] == "nbesok validate"
    assert (root / "visits").is_dir() and (root / "schemas" / "besok.schema.json").is_file()
    if shutil.which("git"):
        assert (root / ".git").is_dir()
        assert "Skapade ett git-förråd" in result.stdout


def test_init_needs_the_names(empty: Path) -> None:
    result = run("init", "x", "--kommun", "Linköpings kommun")

    assert result.exit_code == 2
    assert "--förvaltning" in result.output
    assert not (empty / "x").exists()


def test_the_project_publishes_its_pre_commit_hook(repo_root: Path) -> None:
    (hook,) = read(repo_root / ".pre-commit-hooks.yaml")
    scripts = read_toml(repo_root / "pyproject.toml")["project"]["scripts"]

    assert hook["id"] == "nbesok-validate"
    assert hook["entry"].split()[0] in scripts
    assert hook["entry"].split()[1:] == ["validate"]
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False


def read_toml(path: Path) -> Any:
    import tomllib

    return tomllib.loads(path.read_text("utf-8"))


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("render",),
        ("report", "--period", "2024"),
        ("new", "--protokoll", "x", "--verksamhet", "X", "--datum", "2024-01-01"),
        ("new-protocol", "y", "--from", "x", "--period", "2025"),
        ("followup",),
        ("history", "X"),
    ],
)
def test_outside_an_archive_every_command_says_how_to_start_one(
    empty: Path, command: tuple[str, ...]
) -> None:
    result = run(*command)

    assert result.exit_code == 1, result.output
    assert "hittar inget arkiv" in result.output
    assert "”nbesok init”" in result.output


def test_a_path_finds_its_archive_from_its_own_folder(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "någon-annanstans"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    visit = archive / "visits" / "2018-10-17-idrott-och-service.yaml"

    rendered = ok("render", str(visit), "--format", "md")
    checked = ok("validate", str(visit))

    assert (archive / "out" / "2018-10-17-idrott-och-service.md").is_file()
    assert not (elsewhere / "out").exists()
    assert rendered.stdout == f"Skrev 1 fil för 1 dokument i {archive / 'out'}/.\n"
    assert checked.stdout.splitlines()[-1].endswith("i 1 fil.")


def test_an_empty_settings_file_is_an_archive_with_warnings(empty: Path) -> None:
    (empty / "nbesok.yaml").write_text("# tomt än så länge\n", "utf-8")

    result = ok("validate")

    warned = [
        line.split(": varning: ")[1].split(":")[0] for line in result.stdout.splitlines()[:-1]
    ]
    assert warned == ["kommun", "förvaltning", "nämnd"]
    assert result.stdout.splitlines()[-1] == "0 fel och 3 varningar i 1 fil."


def test_new_protocol_refuses_what_it_cannot_do(in_archive: Path) -> None:
    bad_id = run(
        "new-protocol", "Ny_Mall", "--from", "arbetslik-aktivitet-2023", "--period", "2024"
    )
    unknown = run("new-protocol", "ny", "--from", "arbetslik-aktivitet-2032", "--period", "2024")
    bad_period = run("new-protocol", "ny", "--from", "arbetslik-aktivitet-2023", "--period", "HT24")
    taken = run(
        "new-protocol",
        "arbetsmarknad-och-integration-2018-19",
        "--from",
        "arbetslik-aktivitet-2023",
        "--period",
        "2024",
    )

    assert bad_id.exit_code == 2 and "små bokstäver a–z" in bad_id.output
    assert unknown.exit_code == 1 and "menade du ”arbetslik-aktivitet-2023”?" in unknown.output
    assert bad_period.exit_code == 2 and "”HT24” är ingen period" in bad_period.output
    assert taken.exit_code == 1 and "finns redan och skrivs inte över; välj ett annat id" in (
        taken.output
    )
    assert sorted(p.name for p in (in_archive / "protocols").iterdir()) == [
        "arbetslik-aktivitet-2023.yaml",
        "arbetsmarknad-och-integration-2018-19.yaml",
    ]


def test_new_protocol_moves_the_title_and_drops_the_old_dates(in_archive: Path) -> None:
    source = in_archive / "protocols" / "arbetsmarknad-och-integration-2018-19.yaml"
    source.write_text(
        source.read_text("utf-8").replace(
            'period: "2018/19"\n', 'period: "2018/19"\ngäller_från: 2018-08-01\n'
        ),
        "utf-8",
    )

    ok("new-protocol", "arbetsmarknad-2019-20", "--from", source.stem, "--period", "2019/2020")

    copy = read(in_archive / "protocols" / "arbetsmarknad-2019-20.yaml")
    original = read(source)
    assert copy["period"] == "2019/20"
    assert copy["titel"] == original["titel"].replace("2018/19", "2019/20")
    assert "gäller_från" not in copy
    assert copy["avsnitt"] == original["avsnitt"]
    assert copy["inledning"] == original["inledning"]
    ok("validate", "protocols/arbetsmarknad-2019-20.yaml")
    # Line for line the source, but for the period, the title and the old dates.
    written = (in_archive / "protocols" / "arbetsmarknad-2019-20.yaml").read_text("utf-8")
    expected = [
        line.replace("2018/19", "2019/20") if line.startswith(("titel:", "period:")) else line
        for line in source.read_text("utf-8").splitlines()
        if not line.startswith("gäller_från:")
    ]
    assert written.splitlines()[2:] == expected


def test_new_protocol_keeps_the_source_files_comments_and_style(in_archive: Path) -> None:
    """Not a YAML dump: numbers, flags, quotes and comments stay as they were written."""
    source = in_archive / "protocols" / "arbetslik-aktivitet-2023.yaml"
    original = source.read_text("utf-8")
    assert "  majoritet: 2\n" in original and "till_nämnden: true" in original
    ok("new-protocol", "arbetslik-aktivitet-2024", "--from", source.stem, "--period", "2024")
    written = (in_archive / "protocols" / "arbetslik-aktivitet-2024.yaml").read_text("utf-8")
    assert written.splitlines()[:2] == [
        "# Protokoll för 2024, kopierat från protocols/arbetslik-aktivitet-2023.yaml "
        "(period 2023).",
        "# Frågornas id är desamma, så svaren går att jämföra mellan säsongerna.",
    ]
    assert (
        written.splitlines()[2:]
        == original.replace('period: "2023"\n', 'period: "2024"\n').splitlines()
    )


def test_followup_filters_by_verksamhet_ansvarig_and_status(in_archive: Path) -> None:
    visit = read(in_archive / "visits" / "2023-06-07-arbetslik-aktivitet.yaml")
    items = visit["uppföljning"]

    by_responsible = ok("followup", "--ansvarig", "förvaltningen", "--format", "csv").stdout
    done = ok("followup", "--status", "klar", "--format", "csv").stdout
    by_operation = ok("followup", "--verksamhet", "idrott", "--format", "csv").stdout

    def punkter(text: str) -> list[str]:
        rows = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
        return sorted(row["punkt"] for row in rows)

    assert punkter(by_responsible) == sorted(
        i["punkt"]
        for i in items
        if "förvaltningen" in i["ansvarig"].lower() and i["status"] != "klar"
    )
    other = read(in_archive / "visits" / "2018-10-17-idrott-och-service.yaml")["uppföljning"]
    assert punkter(done) == sorted(i["punkt"] for i in [*items, *other] if i["status"] == "klar")
    assert punkter(by_operation) == sorted(i["punkt"] for i in other if i["status"] != "klar")


def test_history_of_an_unknown_verksamhet_suggests_the_nearest(in_archive: Path) -> None:
    result = run("history", "Arbetslik aktivitett")

    assert result.exit_code == 1
    assert "inga besök hos ”Arbetslik aktivitett”" in result.output
    assert "menade du ”Arbetslik aktivitet”?" in result.output


def test_history_takes_part_of_a_name(in_archive: Path) -> None:
    one = ok("history", "arbetslik")  # the only verksamhet whose name has it
    assert one.stdout.startswith("Arbetslik aktivitet: 1 besök, 2023-06-07\n")
    source = in_archive / "visits" / "2023-06-07-arbetslik-aktivitet.yaml"
    for name, operation in (("lindo-forskola", "Lindö förskola"), ("lindo-skola", "Lindö skola")):
        text = source.read_text("utf-8").replace(
            "verksamhet: Arbetslik aktivitet", f"verksamhet: {operation}"
        )
        (in_archive / "visits" / f"2023-06-07-{name}.yaml").write_text(text, "utf-8")
    several = run("history", "Lindö")
    assert several.exit_code == 1
    assert (
        "inga besök hos ”Lindö” i visits/; menade du ”Lindö förskola” eller ”Lindö skola”?"
        in several.output
    )
    nothing = run("history", "Xyzzy")
    assert nothing.exit_code == 1
    assert "inga besök hos ”Xyzzy” i visits/. Verksamheter i arkivet: " in nothing.output
    assert nothing.output.rstrip().endswith(".")
