"""Licence and pathway gate: only open licences on the open pathway are published."""

from __future__ import annotations

from ..errors import RefusedError, Where
from ..licenses import OPEN_LICENSES as _HUB_NAMES

OPEN_LICENSES: frozenset[str] = frozenset(_HUB_NAMES)
"""SPDX ids the archive publishes under (one list for the whole archive: ``archive.licenses``)."""

_BY_LOWER = {spdx.lower(): spdx for spdx in OPEN_LICENSES}


def check_license(dataset_id: str, spdx_id: str | None, pathway: str | None) -> str:
    """Return the canonical SPDX id when ``spdx_id`` is open and ``pathway`` is ``open``.

    The SPDX id is matched without regard to case (``cc-by-4.0`` is ``CC-BY-4.0``).
    Raises :class:`~archive.errors.RefusedError` for the private pathway (or any
    pathway but ``open``) and for a closed, unknown or missing licence.

    >>> check_license("demo", "cc-by-4.0", "open")
    'CC-BY-4.0'
    """
    where = Where(dataset=dataset_id)
    if pathway != "open":
        raise RefusedError(
            f"the dataset is on the {pathway or 'unstated'} pathway; only the open pathway is "
            "published", where,
            hint="private datasets never reach the public hub or site")
    canonical = _BY_LOWER.get((spdx_id or "").strip().lower())
    if canonical is None:
        raise RefusedError(
            f"licence {spdx_id or '(none)'!s} is not an open licence the archive publishes",
            where, hint=f"ask the partner for one of: {', '.join(sorted(OPEN_LICENSES))}")
    return canonical
