"""Fixtures: an isolated archive root, Hub environment and no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.entries import Registry

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the developer's Hub login, cache or token."""
    home = tmp_path_factory.mktemp("hf-home")
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(home / "datasets"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("HF_TOKEN", raising=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty archive checkout."""
    (tmp_path / "datacards").mkdir()
    return tmp_path


@pytest.fixture
def registry(root: Path) -> Registry:
    return Registry(root)


from tests.hubserver import hf_hub  # noqa: E402, F401 - the loopback Hub fixture
