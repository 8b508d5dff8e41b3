"""Findings: what screening found, where, and a masked excerpt that never shows the value."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "card": "[CARD]",
    "iban": "[IBAN]",
    "ip": "[IP]",
    "address": "[ADDRESS]",
    "name": "[NAME]",
}
"""Typed placeholders for redacted values; any other kind becomes ``[KIND]``."""


@dataclass(frozen=True)
class Finding:
    """One thing screening found.

    ``record`` is the record key, ``field`` a JSON pointer into the record
    (``/turns/3/text``, ``/image``), ``start``/``end`` the character span in
    that string (``None`` for media and record-level findings), ``excerpt`` the
    masked value and ``action`` what was done: ``blocked``, ``redacted``,
    ``dropped``, ``reported`` or ``stripped``. ``origin`` is where the record
    came from in the partner's files (``data.jsonl:12``).
    """

    record: str
    field: str
    kind: str
    start: int | None
    end: int | None
    excerpt: str
    action: str
    origin: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as a JSON-safe dict."""
        return asdict(self)


def placeholder(kind: str) -> str:
    """The typed placeholder that replaces a redacted value of ``kind``.

    >>> placeholder("email"), placeholder("kennitala")
    ('[EMAIL]', '[KENNITALA]')
    """
    return PLACEHOLDERS.get(kind, f"[{kind.upper()}]")


def _mask_run(text: str, keep_start: int, keep_end: int) -> str:
    """Star every letter and digit of ``text`` but the first/last few; keep punctuation."""
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    keep = set(positions[:keep_start]) | set(positions[len(positions) - keep_end:] if keep_end
                                              else [])
    return "".join(ch if (i in keep or not ch.isalnum()) else "*" for i, ch in enumerate(text))


def _budget(n: int) -> tuple[int, int]:
    """How many letters/digits to keep at each end of a value with ``n`` of them."""
    if n >= 16:
        return 2, 2
    if n >= 8:
        return 1, 1
    if n >= 4:
        return 1, 0
    return 0, 0


def _initial(word: str) -> bool:
    """True when a word's initial may show: three or more letters, starting with one."""
    return word[:1].isalpha() and sum(ch.isalnum() for ch in word) >= 3


def mask(value: str, kind: str = "") -> str:
    """Mask a found value so that an excerpt shows its shape but not the value.

    At most a quarter of its letters and digits (never more than four) stay
    visible; punctuation and spacing stay, so a maintainer can tell a kennitala
    from a phone number. An email keeps at most two letters of its local part and
    its top-level domain; a name or address keeps the initial of each word of
    three or more letters, and no digit.

    >>> mask("jon.jonsson@example.is", "email")
    'jo***@***.is'
    >>> mask("120174-3389", "kennitala")
    '1*****-***9'
    >>> mask("Jón Jónsson", "name")
    'J** J******'
    """
    value = value.strip()
    if kind == "email" and "@" in value:
        local, _, domain = value.rpartition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        shown = local[:2] if len(local) >= 8 else local[:1] if len(local) >= 4 else ""
        return f"{shown}***@***" + (f".{tld}" if tld and len(tld) <= 6 else "")
    if kind in ("name", "address"):
        return " ".join(_mask_run(word, 1 if _initial(word) else 0, 0)
                        for word in value.split(" "))
    n = sum(ch.isalnum() for ch in value)
    start, end = _budget(n)
    return _mask_run(value, start, end)
