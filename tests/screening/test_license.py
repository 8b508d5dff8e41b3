"""The licence and pathway gate."""

from __future__ import annotations

import pytest

from archive.errors import RefusedError
from archive.screening import OPEN_LICENSES, check_license


@pytest.mark.parametrize("spdx", sorted(OPEN_LICENSES))
def test_open_licences_pass(spdx: str) -> None:
    assert check_license("essays", spdx, "open") == spdx
    assert check_license("essays", spdx.lower(), "open") == spdx


@pytest.mark.parametrize("spdx", ["CC-BY-NC-4.0", "CC-BY-ND-4.0", "proprietary", "", None,
                                  "LicenseRef-partner", "GPL-3.0-only"])
def test_closed_or_unknown_licences_are_refused(spdx: str | None) -> None:
    with pytest.raises(RefusedError) as caught:
        check_license("essays", spdx, "open")
    assert "dataset essays" in str(caught.value) and "CC-BY-4.0" in str(caught.value)


@pytest.mark.parametrize("pathway", ["private", None, "Open", "internal"])
def test_only_the_open_pathway_is_published(pathway: str | None) -> None:
    with pytest.raises(RefusedError, match="pathway"):
        check_license("essays", "CC-BY-4.0", pathway)


def test_allow_list_has_the_data_licences() -> None:
    assert {"CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODbL-1.0", "PDDL-1.0",
            "CDLA-Permissive-2.0"} <= OPEN_LICENSES
    assert not {s for s in OPEN_LICENSES if "-NC" in s or "-ND" in s}
