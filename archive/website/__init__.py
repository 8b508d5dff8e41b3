"""The public site: a static MkDocs (mkdocs-material) catalogue of the published datasets.

``build_site(root, hub, out)`` writes the generated pages (catalogue, a page per dataset,
pages by language and modality, the submission form) under ``site/generated/`` from the
dataset entries and the releases on the hub, then runs the MkDocs build. The CLI is the
``site`` command group in :mod:`archive.website.commands`.

Names are imported on first use, so ``archive --help`` does not load MkDocs, pyarrow and
``datasets`` just because the ``site`` group is registered.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..errors import SiteError

if TYPE_CHECKING:
    from .builder import SiteReport, build_site, generate
    from .commands import site

_NAMES = {"SiteReport": "builder", "build_site": "builder", "generate": "builder",
          "site": "commands"}

__all__ = ["SiteError", "SiteReport", "build_site", "generate", "site"]


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        return getattr(import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
