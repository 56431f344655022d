"""The ``nbesok`` command: glue between click and the library.

Each command reads its options, calls one library function and prints the result.
Library modules are imported inside the commands so that ``nbesok --help`` starts as
fast as click itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

import click

from nbesok import __version__, clitext

if TYPE_CHECKING:
    from pathlib import Path

    from nbesok.errors import Finding
    from nbesok.publish import Outcome

clitext.install()
# nbesok uses no pydantic plugins; looking for them reads every installed package's
# metadata, about 20 ms of a one-visit render.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


class _IsoDate(click.ParamType[date]):
    name = "ÅÅÅÅ-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            if len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"”{value}” är inget datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2023-06-07", param, ctx)


ISO_DATE = _IsoDate()


class _LazyPath(click.ParamType["Path"]):
    """A path argument; pathlib is imported only when a command runs, not for --help."""

    name = "sökväg"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        from pathlib import Path

        return value if isinstance(value, Path) else Path(value)


PATH = _LazyPath()


class _Nbesok(click.Group):
    """Turns every library error into located lines on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from nbesok.errors import NbesokError
        from nbesok.processes import Stopped, stop_on_signals

        try:
            with stop_on_signals():
                return super().invoke(ctx)
        except NbesokError as error:
            for found in error.findings:
                click.echo(found.format(), err=True)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("nbesok: avbrutet", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # The reader of the output has gone (”nbesok validate | head -1”): stop
            # quietly, as a writer to a closed pipe does, with 128 + SIGPIPE.
            _silence_stdout()
            ctx.exit(141)
        except Stopped as stop:
            # Everything was stopped and tidied on the way here; finished files are whole.
            click.echo(f"nbesok: avbrutet ({stop.name})", err=True)
            ctx.exit(stop.exit_code)
        except Exception as error:  # the one place that catches everything
            _internal_error(ctx, error)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's final flush
    does not fail on the closed pipe as well."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _internal_error(ctx: click.Context, error: Exception) -> NoReturn:
    if ctx.params.get("debug") or os.environ.get("NBESOK_DEBUG"):
        import traceback

        traceback.print_exc()
    click.echo(
        f"nbesok: internt fel ({type(error).__name__}); detta är ett fel i nbesok, inte i dina "
        "filer. Kör kommandot igen med ”nbesok --debug …” och skicka utskriften till "
        "utvecklarna.",
        err=True,
    )
    ctx.exit(1)


@click.group(
    cls=_Nbesok,
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[FLAGGOR]",
    subcommand_metavar="KOMMANDO [ARGUMENT]...",
)
@click.version_option(__version__, "--version", prog_name="nbesok")
@click.option("--debug", is_flag=True, help="Visa hela felutskriften vid interna fel.")
def cli(debug: bool) -> None:
    """Dokumentera nämndbesök: protokoll och besök som YAML, dokument som DOCX och Markdown.

    Kommandona letar upp arkivet (mappen med nbesok.yaml) från den aktuella mappen
    och uppåt, som git gör.

    \b
    Exempel:
      nbesok validate
      nbesok new --protokoll arbetslik-aktivitet-2023 \\
                 --verksamhet "Arbetslik aktivitet" --datum 2023-06-07
      nbesok render visits/2018-10-17-idrott-och-service.yaml
    """


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("paths", nargs=-1, type=PATH, metavar="[SÖKVÄGAR]...")
@click.option("--strict", is_flag=True, help="Behandla varningar som fel (slutkod 1).")
def validate(paths: tuple[Path, ...], strict: bool) -> None:
    """Kontrollera protokoll och besök; skriv varje fynd som fil:rad:kolumn.

    Utan sökvägar kontrolleras hela arkivet. Sökvägar kan vara filer eller mappar.
    Slutkod 1 om något fel hittas (med --strict även vid varningar).

    \b
    Exempel:
      nbesok validate
      nbesok validate visits/2023-06-07-arbetslik-aktivitet.yaml
    """
    from nbesok.archive import archive_of
    from nbesok.checks import archive_files, validate_files
    from nbesok.errors import summary_line

    archive = archive_of(paths)
    report = validate_files(archive, archive_files(archive, paths), date.today())
    for found in report.findings:
        click.echo(found.format())
    click.echo(summary_line(report.files, report.findings))
    if report.errors or (strict and report.warnings):
        sys.exit(1)


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("directory", type=PATH, default=".", metavar="[MAPP]")
@click.option("--kommun", "municipality", required=True, metavar="NAMN", help="Kommunens namn.")
@click.option(
    "--förvaltning",
    "administration",
    required=True,
    metavar="NAMN",
    help="Förvaltningen som skriver tjänsteskrivelserna.",
)
@click.option(
    "--nämnd", "committee", required=True, metavar="NAMN", help="Nämnden som besöken görs för."
)
@click.option(
    "--med-referens",
    "with_reference",
    is_flag=True,
    help="Lägg också en kopia av referens.docx i templates/, att ge kommunens utseende.",
)
def init(
    directory: Path, municipality: str, administration: str, committee: str, with_reference: bool
) -> None:
    """Starta ett nytt arkiv i MAPP (standard: den aktuella mappen).

    Skapar nbesok.yaml med alla inställningar, protocols/ med ett första protokoll att
    utgå från, visits/, templates/ med en README om egna mallar, schemas/ för
    redigerare, .gitignore, .gitattributes och en pre-commit-konfiguration som kör
    ”nbesok validate”. Kör ”git init” om mappen inte redan är ett git-förråd. Inget
    som redan finns skrivs över.

    \b
    Exempel:
      nbesok init nambesok --kommun "Linköpings kommun" \\
                  --förvaltning "Utbildningsförvaltningen" --nämnd "Bildningsnämnden"
    """
    from nbesok.paths import display_path
    from nbesok.starter import Names, start_archive

    names = Names(municipality, administration, committee)
    started = start_archive(directory, names, date.today(), with_reference=with_reference)
    click.echo(f"Skapade ett arkiv i {display_path(started.root.resolve())}:")
    for path in started.created:
        click.echo(f"  {display_path(path)}")
    for path in started.kept:
        click.echo(f"  {display_path(path)} (fanns redan och lämnades orörd)")
    git = {
        "initierat": "Skapade ett git-förråd (git init).",
        "finns redan": "Mappen ligger redan i ett git-förråd.",
        "saknas": "git finns inte på datorn; installera git och kör ”git init” här.",
        "misslyckades": "git init misslyckades; kör det själv i mappen.",
    }
    click.echo(git[started.git])
    click.echo("Nästa steg:")
    if str(directory) not in (".", ""):
        click.echo(f"  cd {display_path(directory)}")
    click.echo(
        f'  nbesok new --protokoll {started.protocol_id} --verksamhet "Verksamhetens namn" '
        f"--datum {date.today().isoformat()}"
    )


@cli.command(options_metavar="[FLAGGOR]")
@click.option(
    "--protokoll",
    "protocol_id",
    required=True,
    metavar="ID",
    help="Protokollets id (filnamnet i protocols/ utan .yaml).",
)
@click.option(
    "--verksamhet", "operation", required=True, metavar="TEXT", help="Den verksamhet som besöks."
)
@click.option("--datum", "visit_date", required=True, type=ISO_DATE, help="Besöksdatum.")
def new(protocol_id: str, operation: str, visit_date: date) -> None:
    """Skapa en ny besöksfil att fylla i, med frågorna som kommentarer.

    Filen heter visits/<datum>-<verksamhet>.yaml. En befintlig fil skrivs aldrig över.
    Har verksamheten besökts förut följer de uppföljningspunkter som inte är klara med,
    märkta med vilket besök de kommer från.

    \b
    Exempel:
      nbesok new --protokoll arbetslik-aktivitet-2023 \\
                 --verksamhet "Arbetslik aktivitet" --datum 2023-06-07
    """
    from nbesok.archive import open_archive
    from nbesok.paths import display_path
    from nbesok.scaffold import create_visit

    created = create_visit(open_archive(), protocol_id, operation, visit_date)
    for warning in created.warnings:
        click.echo(warning.format(), err=True)
    click.echo(f"Skapade {display_path(created.path)}")
    if created.carried:
        items = "öppen punkt" if created.carried == 1 else "öppna punkter"
        click.echo(f"{created.carried} {items} från tidigare besök fördes över till uppföljning.")


@cli.command("import", options_metavar="[FLAGGOR]")
@click.argument("files", nargs=-1, required=True, type=PATH, metavar="FIL.docx…")
@click.option(
    "--protokoll",
    "protocol_id",
    metavar="ID",
    help="Protokollet dokumentet följer (standard: formulärets eget, annars det vars "
    "frågor dokumentet har flest av).",
)
@click.option(
    "--verksamhet", "operation", metavar="TEXT", help="Verksamheten, om dokumentet inte anger den."
)
@click.option(
    "--datum", "visit_date", type=ISO_DATE, help="Besöksdatum, om dokumentet inte anger det."
)
@click.option(
    "--tillåt-personnummer",
    "allow_personnummer",
    is_flag=True,
    help="Importera trots att texten innehåller personnummer (ta sedan bort dem).",
)
def import_(
    files: tuple[Path, ...],
    protocol_id: str | None,
    operation: str | None,
    visit_date: date | None,
    allow_personnummer: bool,
) -> None:
    """Gör besöksfiler av ifyllda Word-blanketter och gamla Word-protokoll.

    Skriver visits/<datum>-<verksamhet>.yaml för varje fil, som ”nbesok new” skulle ha
    döpt den; en befintlig fil skrivs aldrig över. En mapp betyder alla .docx-filer i
    den. En blankett från ”nbesok render protocols/…” läses fält för fält. I ett
    gammalt protokoll känns frågorna igen på sin text och besöksuppgifterna på sina
    rubriker (Verksamhet:, Besöksdatum: …). Text som inte hör till någon fråga hamnar
    under oplacerat, med en varning.

    \b
    Exempel:
      nbesok import ifylld-blankett.docx
      nbesok import gamla/ --protokoll arbetsmarknad-och-integration-2018-19
    """
    from nbesok.archive import open_archive
    from nbesok.errors import NbesokError, UsageError
    from nbesok.inputs import expand_paths
    from nbesok.paths import display_path
    from nbesok.word_import import create_from_word

    archive = open_archive()
    documents = expand_paths(files, ".docx", keep_missing=True)
    failed = 0
    for path in documents:
        try:
            created = create_from_word(
                archive,
                path,
                protocol_id=protocol_id,
                operation=operation,
                visit_date=visit_date,
                allow_personnummer=allow_personnummer,
            )
        except UsageError:
            raise
        except NbesokError as error:
            failed += 1
            for found in error.findings:
                click.echo(found.format(), err=True)
            continue
        for warning in created.warnings:
            click.echo(warning.format(), err=True)
        click.echo(f"Skapade {display_path(created.path)} av {display_path(path)}")
        if created.carried:
            items = "öppen punkt" if created.carried == 1 else "öppna punkter"
            click.echo(
                f"  {created.carried} {items} från tidigare besök fördes över till uppföljning."
            )
        if created.unplaced:
            pieces, them = ("stycke", "det") if created.unplaced == 1 else ("stycken", "dem")
            click.echo(
                f"  {created.unplaced} {pieces} hörde inte till någon fråga och ligger under "
                f"oplacerat i filen; flytta {them} till rätt svar."
            )
    if failed:
        click.echo(f"{failed} av {len(documents)} filer kunde inte importeras.", err=True)
        raise SystemExit(1)


@cli.command("new-protocol", options_metavar="[FLAGGOR]")
@click.argument("new_id", metavar="ID")
@click.option(
    "--from",
    "from_id",
    required=True,
    metavar="ID",
    help="Protokollet att utgå från (filnamnet i protocols/ utan .yaml).",
)
@click.option(
    "--period", required=True, metavar="PERIOD", help="Den nya säsongen: 2025 eller 2025/26."
)
def new_protocol(new_id: str, from_id: str, period: str) -> None:
    """Gör nästa säsongs protokoll av ett tidigare, med samma frågor och fråge-id.

    Skriver protocols/ID.yaml; en befintlig fil skrivs aldrig över. Besök som redan
    gjorts behåller sitt gamla protokoll.

    \b
    Exempel:
      nbesok new-protocol arbetslik-aktivitet-2024 --from arbetslik-aktivitet-2023 \\
                          --period 2024
    """
    from nbesok.archive import open_archive
    from nbesok.paths import display_path
    from nbesok.protocol_copy import copy_protocol

    copied = copy_protocol(open_archive(), new_id, from_id, period)
    click.echo(f"Skapade {display_path(copied.path)}")
    if copied.old_mentions:
        click.echo("Kontrollera raderna som fortfarande nämner den förra perioden:")
        for number, line in copied.old_mentions:
            click.echo(f"  {display_path(copied.path)}:{number}: {line}")


@cli.command(options_metavar="[FLAGGOR]")
@click.option(
    "--out",
    "folder",
    type=PATH,
    metavar="MAPP",
    help="Mapp att skriva till (standard: schemas/ i arkivet).",
)
def schema(folder: Path | None) -> None:
    """Skriv JSON-scheman för besöks- och protokollfiler, för redigerare.

    Besöksfilerna pekar på schemat med en rad ”# yaml-language-server: $schema=…”,
    så att t.ex. VS Code föreslår och kontrollerar nycklarna.

    \b
    Exempel:
      nbesok schema
    """
    from nbesok.archive import SCHEMAS, open_archive
    from nbesok.paths import display_path
    from nbesok.schema import write_schemas

    target = folder if folder is not None else open_archive().root / SCHEMAS
    for path in write_schemas(target):
        click.echo(f"Skrev {display_path(path)}")


def _document_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every command that writes documents shares."""
    options = [
        click.option(
            "--format",
            "formats",
            default="md,docx",
            show_default=True,
            metavar="FORMAT",
            help="Kommaseparerade format: md, docx, pdf (PDF/A-2b, kräver LibreOffice).",
        ),
        click.option(
            "--out",
            "out_dir",
            type=PATH,
            metavar="MAPP",
            help="Mapp för dokumenten (standard: out/ i arkivet).",
        ),
        click.option(
            "--libreoffice",
            type=PATH,
            metavar="SÖKVÄG",
            help="LibreOffice-programmet för pdf (standard: NBESOK_LIBREOFFICE eller soffice).",
        ),
        click.option(
            "--tillåt-personnummer",
            "allow_personnummer",
            is_flag=True,
            help="Skriv dokumentet trots att texten innehåller personnummer.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("paths", nargs=-1, type=PATH, metavar="[SÖKVÄGAR]...")
@_document_options
@click.option(
    "--utan-hjälptext", "without_guidance", is_flag=True, help="Utelämna frågornas hjälptexter."
)
@click.option(
    "--per",
    type=ISO_DATE,
    help="Datum som försenade uppföljningspunkter räknas mot (standard: besöksdatum).",
)
def render(
    paths: tuple[Path, ...],
    formats: str,
    out_dir: Path | None,
    libreoffice: Path | None,
    allow_personnummer: bool,
    without_guidance: bool,
    per: date | None,
) -> None:
    """Gör dokument: besök blir protokoll, protokoll blir blanketter.

    Utan sökvägar renderas alla besök i visits/. Utfilerna får samma namn som
    indatafilen (t.ex. out/2018-10-17-idrott-och-service.docx) och skrivs så att en
    avbruten körning aldrig lämnar en halvskriven fil.

    \b
    Exempel:
      nbesok render visits/2018-10-17-idrott-och-service.yaml
      nbesok render protocols/arbetslik-aktivitet-2023.yaml --format docx
      nbesok render --out dokument/
    """
    from nbesok.archive import archive_of
    from nbesok.publish import parse_formats
    from nbesok.render import Options, render_batch

    archive = archive_of(paths)
    options = Options(
        parse_formats(formats),
        guidance=not without_guidance,
        allow_personnummer=allow_personnummer,
        per=per,
        libreoffice=libreoffice,
    )
    with _progress_bar() as advance:
        outcome = render_batch(
            archive,
            paths,
            options=options,
            out_dir=out_dir if out_dir is not None else archive.root / "out",
            today=date.today(),
            progress=advance,
            waiting=_tell_waiting,
        )
    _report_outcome(outcome)


def _tell_waiting(folder: Path) -> None:
    from nbesok.paths import display_path

    click.echo(
        f"nbesok: väntar på en annan körning av nbesok som skriver i {display_path(folder)}/ …",
        err=True,
    )


def _report_outcome(outcome: Outcome) -> None:
    """What render and report did: findings on stderr, files written, exit 1 on errors."""
    from nbesok.paths import display_path

    for found in outcome.findings:
        click.echo(found.format(), err=True)
    for path in outcome.written:
        click.echo(f"Skrev {display_path(path)}")
    if outcome.unchanged:
        state = "oförändrat" if outcome.unchanged == 1 else "oförändrade"
        click.echo(f"{outcome.unchanged} dokument var {state} och skrevs inte om.")
    if outcome.failed:
        sys.exit(1)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when a person watches; silent in pipes and CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    bars: list[Any] = []

    def advance(done: int, total: int) -> None:
        if not bars:
            bars.append(click.progressbar(length=total, label="Renderar", file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(done - bars[0].pos)

    try:
        yield advance
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("visits", nargs=-1, type=PATH, metavar="[BESÖK]...")
@click.option(
    "--protokoll",
    "protocol_id",
    metavar="ID",
    help="Sammanställ alla besök enligt detta protokoll.",
)
@click.option(
    "--period", metavar="PERIOD", help="Sammanställ alla besök under perioden, t.ex. 2018/19."
)
@click.option(
    "--per", "per", type=ISO_DATE, help="Datum som försenade punkter räknas mot (standard: i dag)."
)
@click.option(
    "--datum",
    "document_date",
    type=ISO_DATE,
    help="Tjänsteskrivelsens datum (standard: --per, annars i dag).",
)
@click.option(
    "--handläggare",
    "official",
    metavar="NAMN",
    help="Handläggaren i huvudet (standard: besökets första tjänsteperson).",
)
@click.option(
    "--förslag",
    "proposals",
    multiple=True,
    metavar="TEXT",
    help="Förslag till beslut (kan upprepas); ersätter arkivets standard.",
)
@_document_options
def report(
    visits: tuple[Path, ...],
    protocol_id: str | None,
    period: str | None,
    per: date | None,
    document_date: date | None,
    official: str | None,
    proposals: tuple[str, ...],
    formats: str,
    out_dir: Path | None,
    libreoffice: Path | None,
    allow_personnummer: bool,
) -> None:
    """Skriv tjänsteskrivelse om besök, eller sammanställ en hel säsong.

    Med besöksfiler: en tjänsteskrivelse (huvud med kommun, förvaltning, datum,
    diarienummer, handläggare och nämnd; Förslag till beslut, Ärende, Uppföljning,
    Beslutsunderlag). Med --period: en sammanställning av alla besök med besöksdatum
    under perioden (2024 är kalenderåret, 2018/19 är 1 juli–30 juni); med --protokoll:
    alla besök enligt protokollet. Alla siffror räknas fram ur besöksfilerna.

    \b
    Exempel:
      nbesok report visits/2023-06-07-arbetslik-aktivitet.yaml --per 2023-12-31
      nbesok report --period 2018/19 --per 2019-06-30
      nbesok report --protokoll arbetslik-aktivitet-2023 --förslag "Informationen noteras."
    """
    from nbesok.archive import archive_of
    from nbesok.publish import parse_formats
    from nbesok.report import write_report

    archive = archive_of(visits)
    outcome = write_report(
        archive,
        visits,
        protocol_id=protocol_id,
        period=period,
        per=per or date.today(),
        proposals=proposals,
        formats=parse_formats(formats),
        out_dir=out_dir if out_dir is not None else archive.root / "out",
        today=date.today(),
        day=document_date,
        official=official,
        allow_personnummer=allow_personnummer,
        libreoffice=libreoffice,
        waiting=_tell_waiting,
    )
    _report_outcome(outcome)


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("paths", nargs=-1, type=PATH, metavar="[SÖKVÄGAR]...")
def granska(paths: tuple[Path, ...]) -> None:
    """Granska tillgängligheten i renderade Word-dokument (.docx).

    Kontrollerar dokumentspråk, titel, rubriknivåer, tabellrubriker, alternativtext
    och att färg aldrig ensam bär betydelse. Utan sökvägar granskas out/ i arkivet.
    Slutkod 1 om något fel hittas.

    \b
    Exempel:
      nbesok granska
      nbesok granska out/2023-06-07-arbetslik-aktivitet.docx
    """
    from nbesok.archive import open_archive
    from nbesok.docx.review import docx_files, review_paths, summary_line

    files = docx_files(list(paths) or [open_archive().root / "out"])
    findings = review_paths(files)
    for found in findings:
        click.echo(found.format())
    click.echo(summary_line(len(files), findings))
    if any(found.is_error for found in findings):
        sys.exit(1)


OVERDUE_EXIT = 3  # followup --strict: overdue items exist (1 is bad input, 2 bad usage)


@cli.command(options_metavar="[FLAGGOR]")
@click.option(
    "--per", type=ISO_DATE, help="Datum som försenade punkter räknas mot (standard: i dag)."
)
@click.option("--verksamhet", "operation", metavar="TEXT", help="Bara verksamheter med texten.")
@click.option("--ansvarig", "responsible", metavar="TEXT", help="Bara ansvariga med texten.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["ej påbörjad", "påbörjad", "klar"]),
    help="Bara punkter med denna status (kan upprepas; standard: de som inte är klara).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help="table för terminalen, csv (semikolon, UTF-8) för kalkylblad.",
)
@click.option(
    "--strict",
    is_flag=True,
    help=f"Slutkod {OVERDUE_EXIT} om någon punkt är försenad, för schemalagda körningar.",
)
def followup(
    per: date | None,
    operation: str | None,
    responsible: str | None,
    statuses: tuple[str, ...],
    output_format: str,
    strict: bool,
) -> None:
    """Lista uppföljningspunkter som inte är klara, i hela arkivet, försenade först.

    En punkt som förts över till ett senare besök visas en gång, som den står där.
    Slutkod 0; med --strict 3 om någon punkt har passerat sitt slutdatum. En besöksfil
    som inte går att läsa, eller en rad som skulle visa ett personnummer, sägs på
    stderr och saknas i listan (slutkod 1 om inget är försenat).

    \b
    Exempel:
      nbesok followup
      nbesok followup --per 2025-11-30 --ansvarig Arbetsmarknadsnämnden
      nbesok followup --format csv > punkter.csv
    """
    from nbesok.archive import open_archive
    from nbesok.listing import OPEN, Filters, csv_text, open_items, summary, table_lines
    from nbesok.models import Status

    day = per or date.today()
    chosen = frozenset(Status(value) for value in statuses) or OPEN
    listing = open_items(open_archive(), day, Filters(operation, responsible, chosen))
    items = listing.items
    _report_problems(listing.problems)
    if output_format == "csv":
        click.echo(csv_text(items, day), nl=False)
    else:
        if items:
            for line in table_lines(items, day):
                click.echo(line)
            click.echo()
        click.echo(summary(items, day))
    # Overdue items are what a scheduled run watches for: an unrelated broken file must
    # not hide them behind exit code 1.
    if strict and any(item.overdue(day) for item in items):
        sys.exit(OVERDUE_EXIT)
    if listing.problems:
        sys.exit(1)


def _report_problems(problems: Sequence[Finding]) -> None:
    """Findings that kept something out of a listing, on stderr, and what that means."""
    for found in problems:
        click.echo(found.format(), err=True)
    if problems:
        click.echo(
            "nbesok: det som felen gäller saknas i listan; rätta filerna och kör igen.",
            err=True,
        )


@cli.command(options_metavar="[FLAGGOR]")
@click.argument("operation", metavar="VERKSAMHET")
@click.option(
    "--per", type=ISO_DATE, help="Datum som försenade punkter räknas mot (standard: i dag)."
)
def history(operation: str, per: date | None) -> None:
    """Visa besöken hos en verksamhet över tid, med deras uppföljningspunkter.

    \b
    Exempel:
      nbesok history "Arbetslik aktivitet"
    """
    from nbesok.archive import open_archive
    from nbesok.listing import history_lines

    lines, problems = history_lines(open_archive(), operation, per or date.today())
    _report_problems(problems)
    for line in lines:
        click.echo(line)
    if problems:
        sys.exit(1)


def main() -> None:
    """The console script.

    It ends the process with os._exit once output is flushed: every file was written
    and closed by then, and tearing down the interpreter's modules (pydantic, lxml,
    jinja2 …) took about a sixth of a one-document render.
    """
    try:
        cli(prog_name="nbesok")
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError):  # e.g. `nbesok validate | head`
            code = code or 1
    os._exit(code)
