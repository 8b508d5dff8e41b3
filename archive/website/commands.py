"""``archive site build`` and ``archive site serve``; registered with ``cli.add_command``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..hub import open_hub

HUB_HELP = "The hub to read releases from: a directory (default ./hub) or hf://ORG."


@click.group()
def site() -> None:
    """Build or serve the public catalogue site (MkDocs).

    \b
    Example:
      archive site build --hub ./hub
      archive site serve --hub ./hub
    """


@site.command("build")
@click.option("--hub", default="hub", show_default=True, help=HUB_HELP)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where the HTML goes (default: site_dir of mkdocs.yml, public/).")
@click.pass_obj
def build(obj: Any, hub: str, out: Path | None) -> None:
    """Generate the pages from the entries and the hub's releases, then build the HTML.

    \b
    Example: archive site build --hub ./hub --out public
    """
    from . import build_site

    report = build_site(obj.root, open_hub(hub), out)
    for line in report.lines():
        click.echo(line)


@site.command("serve")
@click.option("--hub", default="hub", show_default=True, help=HUB_HELP)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port on 127.0.0.1.")
@click.pass_obj
def serve(obj: Any, hub: str, port: int) -> None:
    """Generate the pages, then serve the site locally, rebuilding when site/ changes.

    \b
    Example: archive site serve --hub ./hub --port 8000
    """
    from mkdocs.commands.serve import serve as mkdocs_serve

    from . import generate
    from .builder import CONFIG

    for line in generate(obj.root, open_hub(hub)).lines():
        click.echo(line)
    click.echo(f"serving on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    mkdocs_serve(config_file=str(Path(obj.root) / CONFIG), livereload=True,
                 dev_addr=f"127.0.0.1:{port}")
