"""Licences: the SPDX ids the archive publishes under, and their Hub names."""

from __future__ import annotations

OPEN_LICENSES: dict[str, str] = {
    "CC0-1.0": "cc0-1.0",
    "CC-BY-3.0": "cc-by-3.0",
    "CC-BY-4.0": "cc-by-4.0",
    "CC-BY-SA-3.0": "cc-by-sa-3.0",
    "CC-BY-SA-4.0": "cc-by-sa-4.0",
    "ODC-By-1.0": "odc-by",
    "ODbL-1.0": "odbl",
    "PDDL-1.0": "pddl",
    "CDLA-Permissive-2.0": "cdla-permissive-2.0",
    "CDLA-Sharing-1.0": "cdla-sharing-1.0",
    "MIT": "mit",
    "Apache-2.0": "apache-2.0",
}
"""Open licences accepted on the open pathway: SPDX id -> the Hub's ``license`` value."""


def hub_license(spdx_id: str) -> str:
    """Return the Hub's name for an accepted SPDX id (``other`` if the Hub has none)."""
    return OPEN_LICENSES.get(spdx_id, "other")


def is_open(spdx_id: str) -> bool:
    """True when ``spdx_id`` is on the archive's allow-list of open licences."""
    return spdx_id in OPEN_LICENSES
