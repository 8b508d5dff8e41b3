"""The ``archive`` command: a thin layer over the library.

Each command parses its arguments, calls one library function and prints what it did.
This is the only place that turns errors into exit codes: an :class:`ArchiveError`
prints one line and exits 1; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .entries import Registry
from .errors import ArchiveError
from .hub import open_hub
from .website.commands import site

if TYPE_CHECKING:
    from .entries import Entry
    from .parallel import Engine

HUB_HELP = "Where to publish: a directory (default ./hub) or hf://ORG for the Hugging Face Hub."
FORCE_HELP = "Publish into a repo that exists but was not made by the archive."
WORKERS_HELP = "Processes that screen records (default: every core); same bytes for any N."
ENGINE_HELP = "Where records are screened: local processes, or Ray (pip install '.[ray]')."
ADDRESS_HELP = "With --engine ray: a running cluster (auto, or ray://HEAD:10001)."
PROGRESS_HELP = "Show a progress bar of the records (default: when stderr is a terminal)."


def engine_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers``, ``--engine``, ``--address`` and ``--progress``; the command reads them
    back with :func:`chosen_engine` or :func:`engine_showing`."""
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        ctx.meta[f"engine.{param.name}"] = value

    for option in (
            click.option("--progress/--no-progress", default=None, help=PROGRESS_HELP,
                         expose_value=False, callback=callback),
            click.option("--address", help=ADDRESS_HELP, expose_value=False, callback=callback),
            click.option("--engine", "kind", type=click.Choice(["local", "ray"]),
                         default="local", show_default=True, help=ENGINE_HELP,
                         expose_value=False, callback=callback),
            click.option("--workers", type=click.IntRange(1, 256), default=os.cpu_count() or 1,
                         show_default="all cores", help=WORKERS_HELP, expose_value=False,
                         callback=callback)):
        command = option(command)
    return command


def chosen_engine() -> Engine:
    """The engine the command line asked for (see :func:`engine_options`)."""
    from .parallel import Engine

    meta = click.get_current_context().meta
    if meta.get("engine.address") and meta.get("engine.kind") != "ray":
        raise click.UsageError("--address needs --engine ray")
    return Engine(workers=meta["engine.workers"], kind=meta["engine.kind"],
                  address=meta.get("engine.address"))


@contextlib.contextmanager
def engine_showing(entry: Entry) -> Iterator[Engine]:
    """:func:`chosen_engine`, counting its records on a progress bar (out of those the
    form declares, with their rate and the time left) on standard error when that is a
    terminal or ``--progress`` asks; the bar is gone when the run ends, leaving the
    command's line (or its error's)."""
    engine = chosen_engine()
    show = click.get_current_context().meta.get("engine.progress")
    if not (sys.stderr.isatty() if show is None else show):
        yield engine
        return
    from tqdm import tqdm

    declared = int(entry.form["size"]["records"])
    with tqdm(total=declared, desc=entry.id, unit=" records", unit_scale=declared >= 10_000,
              leave=False, dynamic_ncols=True, mininterval=0.5, file=sys.stderr) as bar:

        def tick(records: int) -> None:
            try:
                bar.update(records)
            except OSError:  # a terminal gone or a broken pipe must not stop the run
                bar.disable = True

        yield dataclasses.replace(engine, progress=tick)


class Context:
    def __init__(self, root: Path, debug: bool) -> None:
        self.root, self.debug = root, debug
        self.registry = Registry(root)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The archive checkout (holds datacards/ and schemas/).")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.version_option(package_name="dataset-archive")
@click.pass_context
def cli(ctx: click.Context, root: Path, debug: bool) -> None:
    """Take partner datasets from form to screened, versioned releases on a hub.

    \b
    Example:
      archive intake examples/icelandic-english-essays/form.yaml \\
          --data examples/icelandic-english-essays/data
      archive approve icelandic-english-essays --by "A. Maintainer"
      archive release icelandic-english-essays --hub ./hub
    """
    ctx.obj = Context(root, debug)


@cli.command()
@click.argument("form", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder holding the partner's data files.")
@click.option("--replace", is_flag=True, help="Record the form again over an existing entry.")
@pass_ctx
def intake(obj: Context, form: Path, data: Path, replace: bool) -> None:
    """Record a partner's submission form as a new dataset entry.

    \b
    Example: archive intake form.yaml --data ./partner-files
    """
    entry = obj.registry.intake(form, data, replace=replace)
    click.echo(f"{entry.id}: recorded as submitted in {entry.directory}")


@cli.command()
@click.argument("dataset")
@click.option("--by", "by", required=True, help="Who approves it.")
@pass_ctx
def approve(obj: Context, dataset: str, by: str) -> None:
    """Approve a submitted dataset for publication.

    \b
    Example: archive approve icelandic-english-essays --by "A. Maintainer"
    """
    entry = obj.registry.approve(dataset, by)
    click.echo(f"{entry.id}: approved by {by}")


@cli.command()
@click.argument("dataset")
@pass_ctx
def validate(obj: Context, dataset: str) -> None:
    """Read and validate every record of a dataset, writing nothing.

    \b
    Example: archive validate icelandic-english-essays
    """
    from .pipeline import scratch_path
    from .pipeline import validate as run

    entry = obj.registry.get(dataset)
    counts = run(entry, scratch_path(obj.root, entry))
    parts = ", ".join(f"{split} {n:,}" for split, n in counts.items())
    click.echo(f"{dataset}: {sum(counts.values()):,} valid records ({parts})")


@cli.command()
@click.argument("dataset")
@engine_options
@pass_ctx
def screen(obj: Context, dataset: str) -> None:
    """Screen a dataset alone: personal information, languages, duplicates, media.

    Prints the summary; the full list of findings (masked) goes to .archive/reports/.

    \b
    Example: archive screen harbour-conversations
    """
    from .pipeline import screen as run

    with engine_showing(obj.registry.get(dataset)) as engine:
        summary, path = run(obj.registry, dataset, engine=engine)
    counts = summary["counts"]
    kinds = summary["findings"]["by_kind"]
    click.echo(f"{dataset}: {counts['records_screened']:,} records screened, "
               f"{counts['records_published']:,} would be published")
    click.echo("  personal information: " + (", ".join(
        f"{k} {n:,}" for k, n in sorted(kinds.items())) or "none found"))
    click.echo("  languages: " + ", ".join(f"{k} {v:.0%}" for k, v in sorted(
        summary["language"]["detected"].items())))
    click.echo(f"  duplicates: {counts['exact_duplicates']:,} exact, "
               f"{counts['near_duplicates']:,} near; media checked: {counts['media_checked']:,}")
    click.echo(f"  full findings: {path}")


@cli.command()
@click.argument("dataset")
@click.option("--hub", default="hub", show_default=True, help=HUB_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Build folder (default build/ID/VERSION).")
@engine_options
@pass_ctx
def build(obj: Context, dataset: str, hub: str, out: Path | None) -> None:
    """Build a release folder (shards, checksums, card) without publishing it.

    \b
    Example: archive build icelandic-english-essays
    """
    from .pipeline import build_dir, build_for

    entry = obj.registry.get(dataset)
    out = out or build_dir(obj.root, entry)
    with engine_showing(entry) as engine:
        release = build_for(obj.registry, open_hub(hub), entry, out, engine=engine)
    click.echo(f"{dataset} v{entry.version}: built {release.records:,} records in {out}")


@cli.command()
@click.argument("dataset")
@click.option("--hub", default="hub", show_default=True, help=HUB_HELP)
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
              help="The built release folder (default build/ID/VERSION).")
@click.option("--dry-run", is_flag=True, help="Print the plan; send nothing.")
@click.option("--card-only", is_flag=True,
              help="Republish only the card (README.md, croissant.json): no data, no tag.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@pass_ctx
def publish(obj: Context, dataset: str, hub: str, folder: Path | None, dry_run: bool,
            card_only: bool, force: bool) -> None:
    """Publish a built release: one commit and a version tag.

    \b
    Example: archive publish icelandic-english-essays --hub hf://my-org --dry-run
    """
    from .pipeline import publish_build, republish_card

    target = open_hub(hub)
    if card_only:
        plan = republish_card(obj.registry, target, dataset)
    else:
        plan = publish_build(obj.registry, target, dataset, folder, dry_run=dry_run,
                             force=force)
    for line in plan.lines():
        click.echo(line)


@cli.command()
@click.argument("dataset", required=False)
@click.option("--all", "all_", is_flag=True, help="Release every approved dataset not yet "
              "published at its version.")
@click.option("--hub", default="hub", show_default=True, help=HUB_HELP)
@click.option("--version", "version", help="Release this version (X.Y.Z) and record it.")
@click.option("--dry-run", is_flag=True, help="Build, then print the plan; send nothing.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@engine_options
@pass_ctx
def release(obj: Context, dataset: str | None, all_: bool, hub: str, version: str | None,
            dry_run: bool, force: bool) -> None:
    """Validate, screen, build and publish a release.

    \b
    Examples:
      archive release icelandic-english-essays --hub ./hub
      archive release --all --hub hf://my-org
    """
    from .pipeline import pending, release_one

    if bool(dataset) == all_:
        raise click.UsageError("name one DATASET or pass --all")
    target = open_hub(hub)
    ids = [e.id for e in pending(obj.registry, target)] if all_ else [dataset]
    if all_ and not ids:
        click.echo("every approved dataset is published at its version; nothing to do")
    for dataset_id in ids:
        with engine_showing(obj.registry.get(dataset_id)) as engine:
            outcome = release_one(obj.registry, target, dataset_id, version=version,
                                  dry_run=dry_run, force=force, engine=engine)
        if dry_run and outcome.plan:
            for line in outcome.plan.lines():
                click.echo(line)
        else:
            click.echo(outcome.line())


@cli.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify(path: Path) -> None:
    """Check a release folder against its checksums and recorded counts.

    \b
    Example: archive verify hub/archive/icelandic-english-essays/v1.0.0
    """
    from .verify import verify_folder

    release = verify_folder(path)
    click.echo(f"{release.dataset} v{release.version}: OK, every checksum and all "
               f"{release.records:,} records match")


@cli.group()
def card() -> None:
    """Check and preview dataset cards (what contributors edit in datacards/).

    \b
    Example: archive card check datacards/
    """


@card.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@pass_ctx
def card_check(obj: Context, paths: tuple[Path, ...]) -> None:
    """Lint cards and entries: sections, links, HTML, metadata, personal information.

    Prints one line per problem (file:line: what is wrong (fix: how)) and exits 1 if
    there is any. With no PATHS, checks every card under datacards/.

    \b
    Example: archive card check datacards/icelandic-english-essays/card.md
    """
    from .cardcheck import check_paths
    from .screening import pii_in_text

    problems = check_paths(paths or [obj.registry.cards], find_pii=pii_in_text)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise SystemExit(1)
    click.echo(f"{len(paths) or 'all'} path(s) checked: no problems")


@card.command("render")
@click.argument("dataset")
@click.option("--hub", default="hub", show_default=True, help=HUB_HELP)
@pass_ctx
def card_render(obj: Context, dataset: str, hub: str) -> None:
    """Print the card exactly as it would be published now, from the latest release.

    \b
    Example: archive card render icelandic-english-essays > preview.md
    """
    from .pipeline import render_card

    click.echo(render_card(obj.registry, open_hub(hub), dataset), nl=False)


cli.add_command(site)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the run like Ctrl-C: clean-up (locks, partial folders) runs."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: run the CLI, turning archive errors into one line and exit code 1."""
    debug = "--debug" in sys.argv
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("aborted; nothing was published by this run", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ArchiveError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: say so, briefly
        if debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                   "traceback, and please report it)", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
