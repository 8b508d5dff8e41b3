"""Hubs a release is published to: a local directory, or the Hugging Face Hub."""

from __future__ import annotations

from pathlib import Path

from .base import Hub, RemoteFile

DEFAULT_ORG = "archive"


def open_hub(spec: str | Path | None) -> Hub:
    """Open a hub from ``--hub``: ``hf://ORG`` for the Hugging Face Hub, else a directory."""
    text = str(spec) if spec else "hub"
    if text.startswith("hf://"):
        from .hf import HfHub

        return HfHub(text.removeprefix("hf://").strip("/"))
    from .local import LocalHub

    return LocalHub(Path(text), org=DEFAULT_ORG)


__all__ = ["Hub", "RemoteFile", "open_hub"]
