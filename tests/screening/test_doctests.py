"""The examples in the screening modules' docstrings run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import archive.screening

MODULES = sorted(m.name for m in pkgutil.iter_modules(archive.screening.__path__,
                                                      "archive.screening."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
