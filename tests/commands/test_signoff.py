"""The review steps of a visit: godkänn, fastställ and status, and what they guard.

godkänn and fastställ are the one place nbesok writes a user's YAML: these tests hold
them to changing the status block and nothing else, byte for byte, in files written
in every way a person writes them. The content hash is tested for what it must ignore
(comments, layout, item order) and what it must notice (any published change).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner, Result
from test_import import filled_form

from nbesok.archive.lifecycle import ReviewState, content_hash, review_status
from nbesok.archive.loading import load_visit, parse_visit_text
from nbesok.cli import cli

VISIT_2018 = "visits/2018-10-17-idrott-och-service.yaml"
VISIT_2023 = "visits/2023-06-07-arbetslik-aktivitet.yaml"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def ok(*args: str) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result


def without_status(path: Path) -> bytes:
    """The example visit as a draft: its text up to the status block and its comment."""
    text = path.read_bytes()
    return text[: text.index(b"# Exempel: godk")]


def draft(archive: Path, name: str = VISIT_2018) -> Path:
    path = archive / name
    path.write_bytes(without_status(path))
    return path


# The hash of the published content


def test_the_hash_ignores_comments_layout_and_item_order(archive: Path) -> None:
    path = draft(archive)
    original = load_visit(path).model
    text = path.read_text("utf-8")
    data = json.loads(json.dumps(yaml.safe_load(text), default=str))  # dates as written
    data["uppföljning"].reverse()
    data["ledamöter"] = [
        {"namn": "Roger Bandick", "parti": "S"},
        "Madelaine Erlandsson (M)",
        "Christoffer Rosendahl (C)",
    ]
    rewritten = yaml.safe_dump(data, allow_unicode=True, sort_keys=True, default_style='"')
    commented = "# En ny kommentar\n" + text.replace("svar:\n", "svar:  # svaren\n")

    for other in (rewritten, commented):
        assert content_hash(parse_visit_text(other, path).model) == content_hash(original)


def test_the_fastställda_example_hashes_stay_valid_as_the_vocabulary_grows(repo_root: Path) -> None:
    """Definition 1 hashed the visit's keys of its day. A key added later counts only
    when a visit gives it, so the example visits, fastställda before
    tillåtna_personnummer existed, keep their hashes; and that permission is no text of
    the visit, so giving it changes nothing either."""
    for path in sorted((repo_root / "visits").glob("*.yaml")):
        visit = load_visit(path).model
        assert visit.review is not None and visit.review.adoption is not None
        assert content_hash(visit) == visit.review.adoption.content, path.name
        text = path.read_text("utf-8") + "tillåtna_personnummer: [811228-9874]\n"
        allowing = parse_visit_text(text, path).model
        assert content_hash(allowing) == content_hash(visit)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Medarbetare på Idrott- och service slussas", "Medarbetare slussas"),
        ("  - Christoffer Rosendahl (C)\n", ""),
        ("senast: 2019-09-30", "senast: 2019-10-30"),
        ("besöksdatum: 2018-10-17", "besöksdatum: 2018-10-18"),
    ],
)
def test_the_hash_notices_every_published_change(archive: Path, old: str, new: str) -> None:
    path = draft(archive)
    text = path.read_text("utf-8")
    assert old in text

    changed = parse_visit_text(text.replace(old, new), path).model

    assert content_hash(changed) != content_hash(load_visit(path).model)


def test_the_example_visits_are_fastställda_with_their_own_content(repo_root: Path) -> None:
    for name in (VISIT_2018, VISIT_2023):
        visit = load_visit(repo_root / name).model
        status = review_status(visit)
        assert status.state is ReviewState.ADOPTED
        assert status.adoption is not None
        assert status.adoption.content == content_hash(visit)
        assert {a.by for a in status.current_approvals} == {m.display() for m in visit.members}
        assert [event.kind for event in status.events()][-1] == "fastställd"


# godkänn and fastställ touch the status block only


def _variants(text: bytes) -> dict[str, bytes]:
    """The same visit written as people and programs write it."""
    lines = text.decode("utf-8").split("\n")
    middle = lines.index("svar:")
    status_first = "\n".join(
        [
            *lines[:middle],
            "status:   # gammal kommentar i blocket",
            "  godkänd: []",
            "",
            "# En kommentar före svaren, som ska stå kvar.",
            *lines[middle:],
        ]
    ).encode("utf-8")
    return {
        "lf": text,
        "crlf": text.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + text,
        "utan-sista-radbrytning": text.rstrip(b"\n"),
        "status-mitt-i": status_first,
    }


VARIANTS = ["lf", "crlf", "bom", "utan-sista-radbrytning", "status-mitt-i"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_godkänn_and_fastställ_change_only_the_status_block(in_archive: Path, variant: str) -> None:
    path = in_archive / VISIT_2018
    path.write_bytes(_variants(without_status(path))[variant])
    before = path.read_bytes()

    ok("godkänn", VISIT_2018, "--av", "Roger Bandick", "--datum", "2018-10-24")
    ok("fastställ", VISIT_2018, "--av", "Anja Lindahl", "--datum", "2018-10-25")

    after = path.read_bytes()
    newline = b"\r\n" if variant == "crlf" else b"\n"
    block_start = after.index(b"\nstatus:") + 1  # the top-level key, not an item's status
    old_start = before.find(b"\nstatus:") + 1 or -1
    if old_start < 0:  # no block before: it is added at the end, the rest untouched
        assert after.startswith(before.rstrip(b"\n") if variant.startswith("utan") else before)
    else:  # the old block is replaced in place; the comment after it stays
        assert after[:block_start] == before[:old_start]
        old_end = before.index(b"# En kommentar")
        assert after.endswith(before[old_end:])
        assert b"gammal kommentar" not in after
    block = after[block_start:].split(b"\n# En kommentar")[0]
    assert all(
        line.startswith((b"status:", b"  ")) for line in block.split(newline) if line.strip()
    )
    if variant == "crlf":
        assert b"\n" not in after.replace(b"\r\n", b"")
    visit = load_visit(path).model
    assert review_status(visit).state is ReviewState.ADOPTED
    assert ok("validate", VISIT_2018).exit_code == 0


def test_the_file_keeps_its_permissions(in_archive: Path) -> None:
    path = draft(in_archive)
    path.chmod(0o640)

    ok("godkänn", VISIT_2018, "--av", "Roger Bandick", "--datum", "2018-10-24")

    assert path.stat().st_mode & 0o777 == 0o640


# What the commands refuse


def test_only_a_ledamot_of_the_visit_approves(in_archive: Path) -> None:
    path = draft(in_archive)
    before = path.read_bytes()

    result = invoke("godkänn", VISIT_2018, "--av", "Roger Bandik")

    assert result.exit_code == 2
    assert result.stderr == (
        "--av: fel: ”Roger Bandik” är ingen av besökets ledamöter; bara de som deltog i "
        "besöket godkänner anteckningarna (menade du ”Roger Bandick (S)”?)\n"
    )
    assert path.read_bytes() == before


def test_fastställ_needs_an_approval_of_the_content_as_it_is(in_archive: Path) -> None:
    path = draft(in_archive)
    refused = invoke("fastställ", VISIT_2018, "--av", "Anja Lindahl")
    assert refused.exit_code == 2
    assert "ingen ledamot har godkänt innehållet som det är nu" in refused.stderr

    ok("godkänn", VISIT_2018, "--av", "Roger Bandick", "--datum", "2018-10-24")
    path.write_text(path.read_text("utf-8").replace("Medarbetare på", "Medarbetarna på"), "utf-8")
    stale = invoke("fastställ", VISIT_2018, "--av", "Anja Lindahl")

    assert stale.exit_code == 2
    assert "(Roger Bandick (S) godkände en tidigare version)" in stale.stderr
    again = ok("godkänn", VISIT_2018, "--av", "Roger Bandick", "--datum", "2018-10-25")
    assert "Godkänt av Roger Bandick (S) 2018-10-25." in again.stdout
    review = yaml.safe_load(path.read_text("utf-8"))["status"]
    assert len(review["godkänd"]) == 1  # the approval of the earlier version gave way
    ok("fastställ", VISIT_2018, "--av", "Anja Lindahl", "--datum", "2018-10-26")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--datum", "2018-10-16"), "kan inte ligga före besöket 2018-10-17"),
        (("--datum", "2999-01-01"), "kan inte ligga i framtiden"),
    ],
)
def test_a_date_outside_the_visit_and_today_is_refused(
    in_archive: Path, args: tuple[str, ...], message: str
) -> None:
    draft(in_archive)

    result = invoke("godkänn", VISIT_2018, "--av", "Roger Bandick", *args)

    assert result.exit_code == 2
    assert message in result.stderr


def test_a_visit_with_errors_is_neither_approved_nor_fastställd(in_archive: Path) -> None:
    path = draft(in_archive)
    path.write_text(path.read_text("utf-8").replace("  handlingsplaner:", "  handlingsplan:"))
    before = path.read_bytes()

    result = invoke("godkänn", VISIT_2018, "--av", "Roger Bandick")

    assert result.exit_code == 1
    assert "fel: svar.handlingsplan: protokollet" in result.stderr
    assert "rätta felen ovan först" in result.stderr
    assert path.read_bytes() == before


def test_twice_is_no_change(in_archive: Path) -> None:
    path = in_archive / VISIT_2018
    before = path.read_bytes()

    result = ok("fastställ", VISIT_2018, "--av", "Anja Lindahl")

    assert result.stdout.startswith("Besöket fastställdes redan 2018-10-26 av Anja Lindahl")
    assert path.read_bytes() == before
    assert invoke("godkänn", VISIT_2018, "--av", "Roger Bandick").exit_code == 2


# validate checks the status block


def test_validate_names_a_status_that_does_not_fit_the_visit(in_archive: Path) -> None:
    path = in_archive / VISIT_2018
    text = path.read_text("utf-8").replace("- av: Roger Bandick (S)", "- av: Rolf Bandick (S)")
    path.write_text(text.replace("datum: 2018-10-26", "datum: 2018-10-16"), "utf-8")
    line = text.split("\n").index("    - av: Rolf Bandick (S)") + 1

    result = invoke("validate", VISIT_2018)

    assert result.exit_code == 1
    assert (
        f"{VISIT_2018}:{line}:11: fel: status.godkänd[1].av: ”Rolf Bandick (S)” är ingen av "
        "besökets ledamöter"
    ) in result.stdout
    assert "varning: status.fastställd.datum: fastställandet 2018-10-16 ligger före besöket" in (
        result.stdout
    )


def test_a_change_without_git_history_is_still_an_error_with_both_hashes(
    in_archive: Path,
) -> None:
    path = in_archive / VISIT_2023
    adopted = content_hash(load_visit(path).model)
    path.write_text(path.read_text("utf-8").replace("Heltidsaktiveringen", "Aktiveringen"))

    result = invoke("validate", VISIT_2023)

    assert result.exit_code == 1
    now = content_hash(load_visit(path).model)
    assert f"kontrollsumman var {adopted[7:19]}… och är nu {now[7:19]}…" in result.stdout
    assert "Den fastställda versionen finns inte i git" in result.stdout


# Documents and reports


def test_a_draft_is_marked_in_title_header_and_properties(in_archive: Path) -> None:
    draft(in_archive)

    ok("render", VISIT_2018, "--out", "ut")

    document = docx.Document(str(in_archive / "ut" / "2018-10-17-idrott-och-service.docx"))
    title = "UTKAST – Nämndbesök hos Idrott- och service 2018-10-17"
    assert document.core_properties.title == title
    assert document.core_properties.subject == title  # the header's SUBJECT field
    assert document.core_properties.content_status == "Utkast"
    header = document.sections[0].header._element.xml
    assert title in header
    assert document.paragraphs[0].text == title
    markdown = (in_archive / "ut" / "2018-10-17-idrott-och-service.md").read_text("utf-8")
    assert f'title: "{title}"' in markdown
    assert "-   **Status:** Utkast, inte godkänt av ledamöterna" in markdown
    assert "Kontrollsumma" not in markdown


def test_report_utkast_marks_the_tjänsteskrivelse(in_archive: Path) -> None:
    draft(in_archive)
    refused = invoke("report", VISIT_2018, "--per", "2019-01-01")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"{VISIT_2018}:1:1: fel: status: besöket är ett utkast")

    ok("report", VISIT_2018, "--per", "2019-01-01", "--utkast", "--out", "ut")

    name = "2018-10-17-idrott-och-service-uppfoljning"
    document = docx.Document(str(in_archive / "ut" / f"{name}.docx"))
    assert document.core_properties.title.startswith("UTKAST – Redovisning av nämndbesök")
    assert document.core_properties.content_status == "Utkast"
    markdown = (in_archive / "ut" / f"{name}.md").read_text("utf-8")
    assert "Idrott- och service 2018-10-17, utkast (2018-10-17-idrott-och-service.docx)" in (
        markdown
    )


def test_status_lists_visits_per_state_for_a_season(in_archive: Path) -> None:
    draft(in_archive, VISIT_2023)

    listed = ok("status").stdout.splitlines()
    season = ok("status", "--period", "2018/19").stdout.splitlines()

    header = ["Status", "Besöksdatum", "Verksamhet", "Godkänt", "Fastställt", "Fil"]
    assert listed[0].split() == header
    assert listed[2].split()[:2] == ["utkast", "2023-06-07"]
    assert listed[3].split()[:2] == ["fastställd", "2018-10-17"]
    assert listed[-1] == "2 besök: 1 utkast, 0 godkända och 1 fastställt."
    assert season[-1] == "1 besök under 2018/19: 0 utkast, 0 godkända och 1 fastställt."


# Import


def test_import_of_a_fastställd_protocol_keeps_its_review_and_of_a_form_gives_an_utkast(
    in_archive: Path,
) -> None:
    original = yaml.safe_load((in_archive / VISIT_2023).read_text("utf-8"))["status"]
    ok("render", VISIT_2023, "protocols/arbetslik-aktivitet-2023.yaml", "--out", "ut")
    (in_archive / VISIT_2023).unlink()

    ok("import", "ut/2023-06-07-arbetslik-aktivitet.docx")

    imported = yaml.safe_load((in_archive / VISIT_2023).read_text("utf-8"))
    assert imported["status"] == original
    assert ok("validate", VISIT_2023).stdout.count(": fel:") == 0
    assert review_status(load_visit(in_archive / VISIT_2023).model).is_adopted

    form, _expected = filled_form(in_archive)
    ok("import", str(form))
    from_form = in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml"
    assert "status" not in yaml.safe_load(from_form.read_text("utf-8"))
    assert review_status(load_visit(from_form).model).state is ReviewState.DRAFT


def test_the_review_steps_are_in_git_history(in_archive: Path) -> None:
    """git holds who did what: the commands leave a diff of the status block alone."""
    subprocess.run(["git", "init", "-q"], check=True)
    git = ["git", "-c", "user.name=Anja", "-c", "user.email=a@example.org"]
    draft(in_archive)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "Utkast"], check=True)

    ok("godkänn", VISIT_2018, "--av", "Roger Bandick", "--datum", "2018-10-24")

    diff = subprocess.run(
        ["git", "diff", "--numstat", "--", VISIT_2018], capture_output=True, check=True, text=True
    ).stdout.split()
    assert diff[:2] == ["5", "0"]  # the block of one approval added, nothing removed


def test_a_content_hash_is_no_personnummer() -> None:
    """A hash's hex digits can hold a run that passes the Luhn check (one in a generated
    season did); it is no number a person could read, in the YAML or in the fastställd
    protocol that shows it. Letters on both sides, so that only the hash rule keeps it
    out."""
    from nbesok.archive.personnummer import find_numbers

    digest = "sha256:" + "a" * 20 + "8112289874" + "b" * 34

    assert list(find_numbers(f"Kontrollsumma: {digest}")) == []
    assert list(find_numbers(digest.removeprefix("sha256:")))  # the same run, no hash
    assert [match.text for match in find_numbers(f"{digest} och 8112289874")] == ["8112289874"]
