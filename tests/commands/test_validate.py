"""``nbesok validate``: the real archive, a table of bad inputs, --strict, paths, summary."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import COMPLETE_VISIT, SMALL_PROTOCOL

from nbesok.cli import cli

WriteTree = Callable[[Path, Mapping[str, str | bytes]], list[Path]]

SUMMARY = re.compile(
    r"^(\d+) fel(?: och|,) (\d+) varning(?:ar)?"
    r"(?: och (\d+) notering(?:ar)?)? i (\d+) fil(?:er)?\.$"
)

VISIT = COMPLETE_VISIT  # its line numbers are listed under it in support.py

PROTOCOL = SMALL_PROTOCOL  # its line numbers are listed under it in support.py

SMALL_VISIT = """\
protokoll: liten
verksamhet: Café Kungsgatan
besöksdatum: 2024-03-05
ledamöter:
  - Anna Andersson (S)
  - Bo Berg (M)
  - Cia Carlsson (V)
  - Dan Dahl (SD)
tjänstepersoner: [Eva Ek]
svar:
  forsta: Svar.
  andra: Svar.
"""

V = "visits/x.yaml"
P = "protocols/liten.yaml"
S = "visits/s.yaml"


def edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced once; fails loudly if ``old`` is not there."""
    assert text.count(old) == 1, f"{old!r} ska finnas exakt en gång"
    return text.replace(old, new)


def visit(old: str, new: str) -> dict[str, str | bytes]:
    return {V: edit(VISIT, old, new)}


def small(old: str = "", new: str = "", protocol: str = PROTOCOL) -> dict[str, str | bytes]:
    text = edit(SMALL_VISIT, old, new) if old else SMALL_VISIT
    return {P: protocol, S: text}


@dataclass(frozen=True)
class Case:
    files: dict[str, str | bytes]
    target: str
    where: str  # the exact start of the finding: "path:line:col: fel|varning: key: "
    message: str  # a distinctive part of the Swedish message
    exit_code: int = 1
    findings: int = 1  # how many findings the whole run reports
    extra: tuple[str, ...] = field(default=())  # more fragments of the same message


CASES = [
    # --- reading YAML: scalars, duplicates, anchors, tags, encodings, documents
    # --- one-line fields (a name, a place, a number) refuse line breaks
    pytest.param(
        Case(
            visit("verksamhet: Arbetslik aktivitet\n", 'verksamhet: "Arbetslik\\nBesöksdatum"\n'),
            V,
            f"{V}:2:13: fel: verksamhet: ",
            "”Arbetslik / Besöksdatum” står på flera rader; skriv det på en rad",
        ),
        id="verksamhet-on-two-lines",
    ),
    pytest.param(
        Case(
            visit("  - Eva Ek\n", "  - |\n    Eva Ek\n    Bo Berg\n"),
            V,
            f"{V}:10:5: fel: tjänstepersoner[1]: ",
            "står på flera rader",
        ),
        id="tjansteperson-on-two-lines",
    ),
    pytest.param(
        Case(
            visit("besöksdatum: 2023-06-07\n", "besöksdatum: 2023-06-07\nverksamhet: Igen\n"),
            V,
            f"{V}:4:1: fel: verksamhet: ",
            "nyckeln ”verksamhet” förekommer två gånger (rad 2 och rad 4)",
        ),
        id="duplicate-key-names-both-lines",
    ),
    pytest.param(
        Case(
            visit(
                "  handlingsplaner: Svar.\n",
                "  handlingsplaner: Svar.\n  individens-behov: Igen.\n",
            ),
            V,
            f"{V}:14:3: fel: svar.individens-behov: ",
            "förekommer två gånger (rad 12 och rad 14)",
        ),
        id="duplicate-answer-key",
    ),
    pytest.param(
        Case(
            visit("verksamhet: Arbetslik aktivitet", "verksamhet: &namn Arbetslik aktivitet"),
            V,
            f"{V}:2:13: fel: ",
            "ankare (&namn) används inte i nbesok",
            extra=("citattecken",),
        ),
        id="anchor",
    ),
    pytest.param(
        Case(
            visit("  ovrig-information: Svar.", "  ovrig-information: *namn"),
            V,
            f"{V}:17:22: fel: ",
            "alias (*namn) används inte i nbesok",
        ),
        id="alias",
    ),
    pytest.param(
        Case(
            visit(
                "verksamhet: Arbetslik aktivitet",
                'verksamhet: !!python/object/apply:os.system ["echo hej"]',
            ),
            V,
            f"{V}:2:13: fel: ",
            "python/object/apply:os.system” tillåts inte",
            extra=("taggen",),
        ),
        id="python-tag",
    ),
    pytest.param(
        Case(
            {V: edit(VISIT, "Arbetslik aktivitet", "Café").encode("cp1252")},
            V,
            f"{V}:2:16: fel: ",
            "filen är inte UTF-8 (tecknet ”é” ser ut att vara Windows-1252/ANSI)",
            extra=("spara filen som UTF-8",),
        ),
        id="cp1252",
    ),
    pytest.param(
        Case(
            {V: VISIT.encode("utf-16")},
            V,
            f"{V}:1:1: fel: ",
            "filen är sparad som UTF-16; spara den som UTF-8",
        ),
        id="utf16",
    ),
    pytest.param(
        Case({V: "# bara en kommentar\n"}, V, f"{V}:1:1: fel: ", "filen är tom"),
        id="empty-file",
    ),
    pytest.param(
        Case(
            {V: "- protokoll: arbetslik-aktivitet-2023\n"},
            V,
            f"{V}:1:1: fel: ",
            "filen innehåller en lista; den ska vara en mappning",
        ),
        id="top-level-list",
    ),
    pytest.param(
        Case(
            {V: VISIT + "---\n" + VISIT},
            V,
            f"{V}:18:1: fel: ",
            "filen innehåller flera YAML-dokument",
        ),
        id="several-documents",
    ),
    # --- YAML syntax: say when quoting helps
    pytest.param(
        Case(
            visit("verksamhet: Arbetslik aktivitet", "verksamhet: Kl 10: möte"),
            V,
            f"{V}:2:18: fel: ",
            "kolon följt av mellanslag mitt i ett värde; sätt värdet inom citattecken",
        ),
        id="colon-in-value-needs-quotes",
    ),
    pytest.param(
        Case(
            visit("verksamhet: Arbetslik aktivitet", "verksamhet:Arbetslik aktivitet"),
            V,
            f"{V}:2:12: fel: ",
            "mellanslag saknas efter kolon",
        ),
        id="no-space-after-colon",
    ),
    pytest.param(
        Case(
            visit("verksamhet: Arbetslik aktivitet", '\tverksamhet: "Arbetslik aktivitet"'),
            V,
            f"{V}:2:1: fel: ",
            "tabbtecken i indraget",
        ),
        id="tab-indentation",
    ),
    pytest.param(
        Case(
            visit("verksamhet: Arbetslik aktivitet", 'verksamhet: "Arbetslik aktivitet'),
            V,
            f"{V}:2:13: fel: ",
            "texten inom citattecken som börjar här avslutas aldrig",
        ),
        id="unclosed-quote",
    ),
    # --- models: dates, unknown keys, missing keys, vocabularies
    pytest.param(
        Case(
            visit("besöksdatum: 2023-06-07", "besöksdatum: 7 juni 2023"),
            V,
            f"{V}:3:14: fel: besöksdatum: ",
            "ogiltigt datum ”7 juni 2023”; skriv datum som ÅÅÅÅ-MM-DD",
        ),
        id="bad-date",
    ),
    pytest.param(
        Case(
            visit("besöksdatum: 2023-06-07", "besöksdatum: 2023-02-30"),
            V,
            f"{V}:3:14: fel: besöksdatum: ",
            "datumet ”2023-02-30” finns inte i kalendern",
            extra=("ÅÅÅÅ-MM-DD",),
        ),
        id="date-not-in-calendar",
    ),
    pytest.param(
        Case(
            visit("ledamöter:", "ledamoter:"),
            V,
            f"{V}:4:1: fel: ledamoter: ",
            "okänd nyckel ”ledamoter”; menade du ”ledamöter”?",
        ),
        id="unknown-key-suggests-nearest",
    ),
    pytest.param(
        Case(
            visit("  - Bo Berg (M)", "  - namn: Bo Berg\n    partí: M"),
            V,
            f"{V}:7:5: fel: ledamöter[2].partí: ",
            "okänd nyckel ”partí”; menade du ”parti”?",
        ),
        id="unknown-nested-key",
    ),
    pytest.param(
        Case(
            visit("protokoll: arbetslik-aktivitet-2023\n", ""),
            V,
            f"{V}:1:1: fel: protokoll: ",
            "nyckeln ”protokoll” saknas; lägg till den",
        ),
        id="missing-key-points-at-parent",
    ),
    pytest.param(
        Case(
            {
                V: VISIT + "uppföljning:\n  - punkt: Ringa tillbaka\n    status: klar\n",
            },
            V,
            f"{V}:19:5: fel: uppföljning[1].ansvarig: ",
            "nyckeln ”ansvarig” saknas",
        ),
        id="missing-nested-key-points-at-item",
    ),
    pytest.param(
        Case(
            {
                V: VISIT
                + "uppföljning:\n  - punkt: Ringa tillbaka\n    ansvarig: Nämnden\n"
                + "    status: pågår\n",
            },
            V,
            f"{V}:21:13: fel: uppföljning[1].status: ",
            "ogiltigt värde ”pågår”; tillåtna värden är ”ej påbörjad”, ”påbörjad” eller ”klar”",
        ),
        id="bad-follow-up-status",
    ),
    pytest.param(
        Case(
            visit("  - Bo Berg (M)", "  - Bo Berg (Moderaterna)"),
            V,
            f"{V}:6:5: fel: ledamöter[2].parti: ",
            "ogiltig partibeteckning ”Moderaterna”",
        ),
        id="bad-party-code",
    ),
    pytest.param(
        Case(
            visit("  - Bo Berg (M)", "  - namn: Bo Berg\n    grupp: mitten"),
            V,
            f"{V}:7:12: fel: ledamöter[2].grupp: ",
            "tillåtna värden är ”majoritet” eller ”opposition”",
        ),
        id="bad-group",
    ),
    pytest.param(
        Case(
            visit("verksamhet: Arbetslik aktivitet", "verksamhet:"),
            V,
            f"{V}:2:12: fel: verksamhet: ",
            "värdet saknas; skriv text",
        ),
        id="empty-required-value",
    ),
    pytest.param(
        Case(
            visit("besöksdatum: 2023-06-07\n", "besöksdatum: 2023-06-07\nhemsida: www.iaf.se\n"),
            V,
            f"{V}:4:10: fel: hemsida: ",
            "”www.iaf.se” är ingen webbadress",
        ),
        id="bad-web-address",
    ),
    pytest.param(
        Case(
            {P: edit(PROTOCOL, "        till_nämnden: true", "        till_nämnden: ja")},
            P,
            f"{P}:16:23: fel: avsnitt[1].frågor[2].till_nämnden: ",
            "ska vara true eller false (nu: ”ja”)",
        ),
        id="protocol-bad-flag",
    ),
    pytest.param(
        Case(
            {P: edit(PROTOCOL, "  majoritet: 2", "  majoritet: två")},
            P,
            f"{P}:5:14: fel: sammansättning.majoritet: ",
            "ska vara ett heltal",
        ),
        id="protocol-bad-number",
    ),
    # --- checks across files
    pytest.param(
        Case(
            visit("protokoll: arbetslik-aktivitet-2023", "protokoll: arbetslik-aktivitet-2024"),
            V,
            f"{V}:1:12: fel: protokoll: ",
            "protokollet ”arbetslik-aktivitet-2024” finns inte i protocols/; "
            "menade du ”arbetslik-aktivitet-2023”?",
        ),
        id="unknown-protocol-suggests-nearest",
    ),
    pytest.param(
        Case(
            visit("  handlingsplaner: Svar.", "  handlingsplaner: Svar.\n  handlingsplan: Mer."),
            V,
            f"{V}:14:3: fel: svar.handlingsplan: ",
            "protokollet ”arbetslik-aktivitet-2023” har ingen fråga ”handlingsplan”; "
            "menade du ”handlingsplaner”?",
        ),
        id="unknown-answer-key-suggests-nearest",
    ),
    pytest.param(
        Case(
            {P: edit(PROTOCOL, "      - id: andra", "      - id: forsta")},
            P,
            f"{P}:14:13: fel: avsnitt[1].frågor[2].id: ",
            "fråge-id ”forsta” används redan på rad 12",
        ),
        id="duplicate-question-id",
    ),
    pytest.param(
        Case(
            {P: edit(PROTOCOL, "      - id: andra", "      - id: Andra frågan")},
            P,
            f"{P}:14:13: fel: avsnitt[1].frågor[2].id: ",
            "”Andra frågan” är inte ett giltigt id; använd små bokstäver a–z",
        ),
        id="question-id-not-slug",
    ),
    pytest.param(
        Case(
            small(protocol=edit(PROTOCOL, "titel: Liten mall\n", "")),
            S,
            f"{S}:1:12: fel: protokoll: ",
            "protokollet ”liten” innehåller fel; rätta det först",
        ),
        id="visit-of-broken-protocol",
    ),
    # --- warnings: exit 0 unless --strict
    pytest.param(
        Case(
            visit("  samarbete-kommunen: Svar.", "  samarbete-kommunen:"),
            V,
            f"{V}:14:22: varning: svar.samarbete-kommunen: ",
            "frågan är obesvarad: ”Hur ser samarbetet med andra verksamheter",
            exit_code=0,
        ),
        id="unanswered-question",
    ),
    pytest.param(
        Case(
            visit("  samarbete-kommunen: Svar.\n", ""),
            V,
            f"{V}:11:1: varning: svar.samarbete-kommunen: ",
            "frågan är obesvarad",
            exit_code=0,
        ),
        id="missing-answer-points-at-svar",
    ),
    pytest.param(
        Case(
            visit("tjänstepersoner:\n  - Eva Ek", "tjänstepersoner: []"),
            V,
            f"{V}:9:18: varning: tjänstepersoner: ",
            "ej ifyllt: inga tjänstepersoner angivna",
            exit_code=0,
        ),
        id="officials-not-filled-in",
    ),
    pytest.param(
        Case(
            visit("  - Dan Dahl (KD)\n", ""),
            V,
            f"{V}:5:3: notering: ledamöter: ",
            "3 ledamöter deltog; mallen anger 2 från majoriteten och 2 från oppositionen, alltså 4",
            exit_code=0,
        ),
        id="composition-count-without-majority-parties",
    ),
    pytest.param(
        Case(
            small("  - Cia Carlsson (V)", "  - Cia Carlsson (C)"),
            S,
            f"{S}:5:3: notering: ledamöter: ",
            "3 från majoriteten och 1 från oppositionen deltog; mallen anger 2 från "
            "majoriteten och 2 från oppositionen",
            exit_code=0,
        ),
        id="composition-from-majority-parties",
    ),
    pytest.param(
        Case(
            small(
                "  - Dan Dahl (SD)",
                "  - namn: Dan Dahl\n    parti: SD\n    grupp: majoritet",
            ),
            S,
            f"{S}:5:3: notering: ledamöter: ",
            "3 från majoriteten och 1 från oppositionen deltog",
            exit_code=0,
        ),
        id="composition-group-overrides-party",
    ),
    pytest.param(
        Case(
            small("tjänstepersoner: [Eva Ek]", "tjänstepersoner: [Eva Ek, Fia Fors]"),
            S,
            f"{S}:9:18: notering: tjänstepersoner: ",
            "2 tjänstepersoner deltog; mallen anger 1",
            exit_code=0,
        ),
        id="composition-officials",
    ),
    pytest.param(
        Case(
            visit("besöksdatum: 2023-06-07", "besöksdatum: 2999-01-01"),
            V,
            f"{V}:3:14: varning: besöksdatum: ",
            "besöksdatumet 2999-01-01 ligger i framtiden",
            exit_code=0,
            findings=2,  # and outside the protocol's season
        ),
        id="date-in-future",
    ),
    pytest.param(
        Case(
            visit("besöksdatum: 2023-06-07", "besöksdatum: 2025-09-15"),
            V,
            f"{V}:3:14: varning: besöksdatum: ",
            "besöksdatumet 2025-09-15 ligger utanför protokollets period 2023 "
            "(2023-01-01–2023-12-31)",
            exit_code=0,
            extra=("välj protokollet för den säsongen",),
        ),
        id="date-outside-the-protocol-season",
    ),
    # --- YAML traps of a non-programmer
    pytest.param(
        Case(
            visit(
                "  handlingsplaner: Svar.\n",
                "  handlingsplaner: Första stycket.\n\n    Andra stycket.\n",
            ),
            V,
            f"{V}:13:20: varning: svar.handlingsplaner: ",
            "texten står på flera rader utan ”|”, så radbrytningar, stycken och listor försvinner",
            exit_code=0,
            extra=("skriv ”|” efter nyckeln (”handlingsplaner: |”)",),
        ),
        id="answer-on-several-lines-without-pipe",
    ),
    pytest.param(
        Case(
            visit("  handlingsplaner: Svar.\n", "  handlingsplaner: >\n    - en\n    - två\n"),
            V,
            f"{V}:13:20: varning: svar.handlingsplaner: ",
            "texten står på flera rader utan ”|”",
            exit_code=0,
        ),
        id="answer-folded-with-greater-than",
    ),
    pytest.param(
        Case(
            visit("  handlingsplaner: Svar.\n", "  handlingsplaner: Svar.\n  - en punkt\n"),
            V,
            f"{V}:14:3: fel: ",
            "en lista kan inte fortsätta texten i ”handlingsplaner” som börjar på nyckelns rad",
            extra=("skriv ”|” efter nyckeln (”handlingsplaner: |”)",),
        ),
        id="list-under-an-answer-on-the-key-line",
    ),
    # Found by the long fuzzing run: the end of the file was reported on a line after
    # the last one, which no editor shows.
    pytest.param(
        Case(
            {V: "{"},
            V,
            f"{V}:1:2: fel: ",
            "filen tar slut efter ett ”[” eller ”{” som aldrig stängs",
        ),
        id="only-an-opening-brace",
    ),
    pytest.param(
        Case(
            {V: VISIT + "diarienummer: [\n"},
            V,
            f"{V}:{VISIT.count(chr(10)) + 1}:16: fel: ",
            "filen tar slut efter ett ”[” eller ”{” som aldrig stängs",
        ),
        id="an-unclosed-bracket-at-the-end",
    ),
    pytest.param(
        Case(
            visit("  handlingsplaner: Svar.\n", "  handlingsplaner:\n    - en\n    - två\n"),
            V,
            f"{V}:14:5: fel: svar.handlingsplaner: ",
            "ska vara text; skriv ”|” efter nyckeln (”handlingsplaner: |”)",
        ),
        id="answer-written-as-a-yaml-list",
    ),
    pytest.param(
        Case(
            {"visits/2023-06-08-x.yaml": VISIT},
            "visits/2023-06-08-x.yaml",
            "visits/2023-06-08-x.yaml:3:14: varning: besöksdatum: ",
            "filnamnet börjar med 2023-06-08 men besöksdatum är 2023-06-07",
            exit_code=0,
            extra=("byt namn på filen till ”2023-06-07-x.yaml”",),
        ),
        id="file-name-date-differs",
    ),
    pytest.param(
        Case(
            {
                V: VISIT
                + "uppföljning:\n  - punkt: Redovisa platserna\n"
                + "    ansvarig: Arbetsmarknadsnämnden\n    senast: 2023-05-01\n"
            },
            V,
            f"{V}:21:13: varning: uppföljning[1].senast: ",
            "senast 2023-05-01 ligger före besöket 2023-06-07",
            exit_code=0,
        ),
        id="due-before-the-visit",
    ),
    pytest.param(
        Case(
            {
                V: VISIT
                + "uppföljning:\n  - punkt: Redovisa platserna\n"
                + "    ansvarig: Arbetsmarknadsnämnden\n"
                + "    från: 2023-06-07-arbetslik-aktivitett\n"
            },
            V,
            f"{V}:21:11: varning: uppföljning[1].från: ",
            "punkten säger att den kommer från besöket ”2023-06-07-arbetslik-aktivitett”",
            exit_code=0,
            extra=("menade du ”2023-06-07-arbetslik-aktivitet”?",),
        ),
        id="carried-from-an-unknown-visit",
    ),
]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def counts(result: Result) -> tuple[int, int, int]:
    """Errors, warnings and files of the summary line, which must end the output."""
    last = result.stdout.splitlines()[-1] if result.stdout else ""
    if last.startswith("Inga fel i "):
        return 0, 0, int(last.split()[3])
    summary = SUMMARY.fullmatch(last)
    assert summary is not None, result.output
    errors, warnings, _, files = summary.groups()
    return int(errors), int(warnings), int(files)


def notes(result: Result) -> int:
    """The notes of the summary line (informative findings that never fail a run)."""
    summary = SUMMARY.fullmatch(result.stdout.splitlines()[-1])
    return int(summary.group(3) or 0) if summary else 0


def finding_lines(result: Result) -> list[str]:
    """The findings of a run: every stdout line before the summary line."""
    lines = result.stdout.splitlines()
    assert lines, result.output
    assert SUMMARY.match(lines[-1]) or lines[-1].startswith("Inga fel i "), result.output
    return lines[:-1]


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def test_the_real_archive_validates(in_archive: Path) -> None:
    result = invoke("validate")

    assert result.exit_code == 0, result.output
    assert counts(result) == (0, 0, 5)
    # What remains are notes: the real visiting groups differ from the templates' rule.
    assert notes(result) == 3
    assert all(": notering: " in line for line in finding_lines(result))
    assert result.stderr == ""


@pytest.mark.parametrize(
    "text", [VISIT, SMALL_VISIT], ids=["arbetslik-aktivitet", "liten-med-majoritet"]
)
def test_the_baselines_of_the_table_are_clean(
    in_archive: Path, write_tree: WriteTree, text: str
) -> None:
    write_tree(in_archive, {P: PROTOCOL, V: text})

    result = invoke("validate", V, P)

    assert result.exit_code == 0, result.output
    assert result.stdout == "Inga fel i 2 filer.\n"


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_at_its_place(
    in_archive: Path, write_tree: WriteTree, case: Case
) -> None:
    write_tree(in_archive, case.files)

    result = invoke("validate", case.target)

    assert_no_traceback(result)
    assert result.exit_code == case.exit_code, result.output
    lines = finding_lines(result)
    assert len(lines) == case.findings, result.stdout
    matching = [line for line in lines if line.startswith(case.where)]
    assert matching, f"ingen rad börjar med {case.where!r}:\n{result.stdout}"
    for fragment in (case.message, *case.extra):
        assert fragment in matching[0], matching[0]
    errors, warnings, files = counts(result)
    assert (errors > 0) == (case.exit_code == 1)
    assert errors + warnings + notes(result) == case.findings
    assert files == 1


def _case(param: object) -> Case:
    value = getattr(param, "values", (None,))[0]
    assert isinstance(value, Case)
    return value


WARNING_CASES = [
    pytest.param(_case(param), id=param.id)
    for param in CASES
    if _case(param).exit_code == 0 and ": varning: " in _case(param).where
]
NOTE_CASES = [
    pytest.param(_case(param), id=param.id)
    for param in CASES
    if ": notering: " in _case(param).where
]


@pytest.mark.parametrize("case", WARNING_CASES)
def test_strict_turns_warnings_into_exit_1(
    in_archive: Path, write_tree: WriteTree, case: Case
) -> None:
    write_tree(in_archive, case.files)

    result = invoke("validate", "--strict", case.target)

    assert result.exit_code == 1, result.output
    assert any(line.startswith(case.where) for line in finding_lines(result))


@pytest.mark.parametrize("case", NOTE_CASES)
def test_strict_does_not_fail_on_a_note(
    in_archive: Path, write_tree: WriteTree, case: Case
) -> None:
    write_tree(in_archive, case.files)

    result = invoke("validate", "--strict", case.target)

    assert result.exit_code == 0, result.output
    assert any(line.startswith(case.where) for line in finding_lines(result))
    assert notes(result) >= 1


def test_strict_passes_the_real_archive(in_archive: Path) -> None:
    result = invoke("validate", "--strict")

    assert result.exit_code == 0, result.output
    assert counts(result)[:2] == (0, 0)


def test_a_clean_file_passes_strict(in_archive: Path, write_tree: WriteTree) -> None:
    write_tree(in_archive, {V: VISIT})

    result = invoke("validate", "--strict", V)

    assert result.exit_code == 0, result.output
    assert result.stdout == "Inga fel i 1 fil.\n"


def test_folders_as_paths(in_archive: Path) -> None:
    result = invoke("validate", "protocols", "visits/2018-10-17-idrott-och-service.yaml")

    assert result.exit_code == 0, result.output
    assert counts(result)[::2] == (0, 3)
    assert {line.split(":")[0] for line in finding_lines(result)} <= {
        "visits/2018-10-17-idrott-och-service.yaml"
    }


def test_a_folder_with_one_bad_file_fails_and_names_only_that_file(
    in_archive: Path, write_tree: WriteTree
) -> None:
    write_tree(in_archive, {V: edit(VISIT, "ledamöter:", "ledamoter:")})

    result = invoke("validate", "visits")

    assert result.exit_code == 1
    assert counts(result)[::2] == (1, 3)
    errors = [line for line in finding_lines(result) if ": fel: " in line]
    assert errors == [f"{V}:4:1: fel: ledamoter: okänd nyckel ”ledamoter”; menade du ”ledamöter”?"]


def test_findings_are_collected_across_files_not_stopped_at_the_first(
    in_archive: Path, write_tree: WriteTree
) -> None:
    write_tree(
        in_archive,
        {
            "visits/a.yaml": edit(VISIT, "besöksdatum: 2023-06-07", "besöksdatum: 2023-13-01"),
            "visits/b.yaml": "protokoll: a\nprotokoll: b\n",
        },
    )

    result = invoke("validate")

    assert result.exit_code == 1
    errors = [line for line in finding_lines(result) if ": fel: " in line]
    assert [line.split(": fel: ")[0] for line in errors] == [
        "visits/a.yaml:3:14",
        "visits/b.yaml:2:1",
    ]
    assert counts(result)[::2] == (2, 7)


def test_hidden_files_in_folders_are_skipped(in_archive: Path, write_tree: WriteTree) -> None:
    write_tree(in_archive, {"visits/.utkast/x.yaml": "- inte ett besök\n"})

    result = invoke("validate", "visits")

    assert result.exit_code == 0, result.output
    assert ".utkast" not in result.stdout


def test_a_missing_file_is_a_finding(in_archive: Path) -> None:
    result = invoke("validate", "visits/finns-inte.yaml")

    assert result.exit_code == 1
    assert (
        result.stdout
        == "visits/finns-inte.yaml: fel: filen finns inte\n1 fel och 0 varningar i 1 fil.\n"
    )


def test_outside_an_archive_says_where_to_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = invoke("validate")

    assert_no_traceback(result)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "hittar inget arkiv: ingen nbesok.yaml här eller i någon mapp ovanför" in result.stderr


def test_validate_from_a_subfolder_finds_the_archive(
    in_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(in_archive / "visits")

    result = invoke("validate", "2018-10-17-idrott-och-service.yaml")

    assert result.exit_code == 0, result.output
    assert counts(result)[::2] == (0, 1)
    assert finding_lines(result)
    assert all(
        line.startswith("2018-10-17-idrott-och-service.yaml:") for line in finding_lines(result)
    )


def test_a_broken_settings_file_is_located(in_archive: Path, write_tree: WriteTree) -> None:
    # nbesok.yaml is read to open the archive, so its error ends the run before any
    # summary; it must still be located and free of tracebacks.
    write_tree(in_archive, {"nbesok.yaml": "kommun: Linköpings kommun\nkomun: Linköping\n"})

    result = invoke("validate")

    assert_no_traceback(result)
    assert result.exit_code == 1
    assert "nbesok.yaml:2:1: fel: komun: okänd nyckel ”komun”; menade du ”kommun”?" in (
        result.output.splitlines()
    )
