"""Build the nordic-scenes-captions example dataset: procedurally drawn images with captions.

Every picture is drawn with Pillow from simple shapes (no photograph, no person, no
camera), so it carries no EXIF, GPS or other metadata. Each scene's caption is written
from the same parameters that drew it, so it describes the picture truthfully. Most
captions are English; some are Icelandic, with ``language`` set to match.

Layout (Hugging Face ImageFolder):

    data/train/metadata.jsonl  + data/train/img-NNN.jpg|png
    data/test/metadata.jsonl   + data/test/img-NNN.jpg|png

Each metadata line: {"file_name", "id", "caption", "language", "metadata": {...}}.
All randomness comes from fixed seeds. Run ``python make_data.py``.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SEED = 20260101
COUNT = 30
TEST_IDS = {"img-004", "img-009", "img-013", "img-018", "img-022", "img-027"}
ICELANDIC_IDS = {
    "img-003",
    "img-007",
    "img-011",
    "img-013",
    "img-016",
    "img-020",
    "img-024",
    "img-027",
}
PNG_IDS = {"img-002", "img-008", "img-015", "img-021", "img-029"}
SIZES = ((640, 480), (480, 360), (400, 300), (320, 240), (560, 420))
SCALE = 2  # draw at twice the size, then downsample: cheap anti-aliasing

RGB = tuple[int, int, int]
Caption = tuple[str, str]  # (English, Icelandic)


# --------------------------------------------------------------------------- helpers


def gradient(img: Image.Image, top: RGB, bottom: RGB, y0: int = 0, y1: int | None = None) -> None:
    """Fill rows y0..y1 of ``img`` with a vertical gradient from ``top`` to ``bottom``."""
    w = img.width
    y1 = img.height if y1 is None else y1
    t = np.linspace(0.0, 1.0, y1 - y0)[:, None, None]
    rows = (1 - t) * np.array(top, float) + t * np.array(bottom, float)
    band = np.broadcast_to(rows, (y1 - y0, w, 3)).astype(np.uint8)
    img.paste(Image.fromarray(band, "RGB"), (0, y0))


def jitter(rng: random.Random, colour: RGB, amount: int = 12) -> RGB:
    r, g, b = (max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)
    return (r, g, b)


def stars(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, n: int) -> None:
    for _ in range(n):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.choice((1.0, 1.5, 2.0, 3.0)) * SCALE / 2
        shade = rng.randint(190, 255)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(shade, shade, min(255, shade + 20)))


def ridge(
    rng: random.Random,
    x0: float,
    x1: float,
    peak_x: float,
    peak_y: float,
    base_y: float,
    steps: int = 14,
) -> list[tuple[float, float]]:
    """A jagged mountain outline from (x0, base_y) over (peak_x, peak_y) to (x1, base_y)."""
    points = [(x0, base_y)]
    for i in range(1, steps):
        x = x0 + (x1 - x0) * i / steps
        left = (x - x0) / max(1.0, peak_x - x0)
        right = (x1 - x) / max(1.0, x1 - peak_x)
        frac = left if x <= peak_x else right
        y = base_y - (base_y - peak_y) * frac + rng.uniform(-0.04, 0.04) * (base_y - peak_y)
        points.append((x, y))
    points.insert(len(points) // 2 + 1, (peak_x, peak_y))
    points.sort()
    points.append((x1, base_y))
    return points


def glow(
    img: Image.Image,
    shape: Callable[[ImageDraw.ImageDraw], None],
    colour: RGB,
    blur: float,
    strength: float = 1.0,
) -> Image.Image:
    """Composite a blurred, coloured shape (drawn by ``shape`` on a mask) over ``img``."""
    mask = Image.new("L", img.size, 0)
    shape(ImageDraw.Draw(mask))
    mask = mask.filter(ImageFilter.GaussianBlur(blur))
    if strength != 1.0:
        mask = mask.point(lambda v: int(v * strength))
    return Image.composite(Image.new("RGB", img.size, colour), img, mask)


COLOURS_EN = {"red": "red", "blue": "blue", "yellow": "yellow"}
BOAT_RGB = {"red": (190, 40, 35), "blue": (35, 70, 160), "yellow": (230, 190, 40)}
BOAT_IS = {"red": "rauður", "blue": "blár", "yellow": "gulur"}
NUMBERS_EN = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}
NUMBERS_IS_NEUTER = {3: "Þrjú", 4: "Fjögur", 5: "Fimm", 6: "Sex"}
NUMBERS_IS_FEMININE = {2: "Tvær", 3: "Þrjár", 4: "Fjórar"}


# --------------------------------------------------------------------------- scenes
# Each scene draws on a canvas of size (w, h) and returns the (English, Icelandic) caption.


def sunset(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    horizon = int(h * rng.uniform(0.55, 0.62))
    palettes = [
        (
            (250, 150, 90),
            (245, 120, 150),
            (255, 200, 90),
            "orange and pink",
            "appelsínugulur og bleikur",
        ),
        ((120, 40, 110), (220, 70, 60), (255, 120, 60), "red and purple", "rauður og fjólublár"),
        ((250, 210, 120), (240, 160, 60), (255, 235, 150), "golden", "gullinn"),
    ]
    top, low, sun_rgb, sky_en, sky_is = palettes[variant % 3]
    gradient(img, top, low, 0, horizon)
    draw = ImageDraw.Draw(img)
    sx, r = w * rng.uniform(0.35, 0.65), h * rng.uniform(0.08, 0.12)
    draw.ellipse((sx - r, horizon - r, sx + r, horizon + r), fill=sun_rgb)
    gradient(img, (40, 50, 90), (15, 20, 45), horizon, h)
    draw = ImageDraw.Draw(img)
    for i in range(14):
        y = horizon + 4 * SCALE + i * (h - horizon) / 16
        half = r * (1.0 - i / 18) * rng.uniform(0.6, 1.0)
        draw.rectangle((sx - half, y, sx + half, y + 2 * SCALE), fill=jitter(rng, sun_rgb, 20))
    birds = variant == 1
    if birds:
        for _ in range(4):
            bx, by, s = rng.uniform(0.1, 0.9) * w, rng.uniform(0.12, 0.35) * h, 7 * SCALE
            draw.line(
                (bx - s, by - s / 2, bx, by, bx + s, by - s / 2), fill=(40, 20, 40), width=2 * SCALE
            )
    en = f"The sun setting over a calm sea, with its reflection on the water. The sky is {sky_en}."
    is_ = (
        f"Sólin sest við hafsbrún yfir lygnum sjó. Himinninn er {sky_is} "
        "og sólin speglast í haffletinum."
    )
    if birds:
        en += " A few seabirds fly across the sky."
        is_ += " Nokkrir sjófuglar fljúga yfir."
    return en, is_


def mountain(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    base = int(h * 0.72)
    gradient(img, (70, 130, 210), (170, 210, 240), 0, base)
    draw = ImageDraw.Draw(img)
    peaks = 2 if variant == 1 else 1
    spots = [0.5] if peaks == 1 else [0.3, 0.7]
    for px in spots:
        peak_x, peak_y = w * (px + rng.uniform(-0.05, 0.05)), h * rng.uniform(0.14, 0.24)
        half = w * (0.42 if peaks == 1 else 0.3)
        outline = ridge(rng, peak_x - half, peak_x + half, peak_x, peak_y, base)
        draw.polygon(outline, fill=jitter(rng, (105, 110, 125)))
        snow_line = peak_y + (base - peak_y) * rng.uniform(0.3, 0.4)
        cap = [(x, y) for x, y in outline if y <= snow_line]
        left = peak_x - (peak_x - outline[0][0]) * (snow_line - peak_y) / (base - peak_y)
        right = peak_x + (outline[-1][0] - peak_x) * (snow_line - peak_y) / (base - peak_y)
        teeth = [(right, snow_line)]
        for i in range(1, 6):
            x = right - (right - left) * i / 6
            teeth.append((x, snow_line + (10 if i % 2 else -4) * SCALE))
        teeth.append((left, snow_line))
        draw.polygon([(left, snow_line), *cap, *teeth], fill=(245, 248, 252))
    lake = variant == 2
    if lake:
        gradient(img, (60, 110, 170), (30, 70, 120), base, int(h * 0.86))
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, int(h * 0.86), w, h), fill=(80, 130, 60))
    else:
        draw.rectangle((0, base, w, h), fill=(95, 150, 70))
    subject_en = "Two snow-capped mountain peaks" if peaks == 2 else "A snow-capped mountain"
    subject_is = "Tveir snævi þaktir fjallstindar" if peaks == 2 else "Snævi þakið fjall"
    front_en = "a blue lake in front" if lake else "a green meadow in front"
    front_is = "með bláu stöðuvatni í forgrunni" if lake else "með grænu engi í forgrunni"
    return (
        f"{subject_en} under a clear blue sky, with {front_en}.",
        f"{subject_is} undir heiðbláum himni, {front_is}.",
    )


def house(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    ground = int(h * 0.68)
    gradient(img, (90, 150, 220), (190, 220, 245), 0, ground)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, ground, w, h), fill=(90, 160, 70))
    walls = [
        ((245, 245, 240), "white", "hvítt"),
        ((240, 205, 90), "yellow", "gult"),
        ((170, 205, 230), "light blue", "ljósblátt"),
    ][variant % 3]
    hx = w * rng.uniform(0.25, 0.4)
    hw, hh = w * 0.34, h * 0.26
    top = ground - hh + 6 * SCALE
    draw.rectangle((hx, top, hx + hw, ground + 6 * SCALE), fill=walls[0])
    draw.rectangle(
        (hx + hw * 0.7, top - hh * 0.55, hx + hw * 0.8, top - hh * 0.15), fill=(120, 60, 50)
    )
    draw.polygon(
        [(hx - hw * 0.08, top), (hx + hw / 2, top - hh * 0.75), (hx + hw * 1.08, top)],
        fill=(185, 35, 30),
    )
    draw.rectangle(
        (hx + hw * 0.42, top + hh * 0.4, hx + hw * 0.58, ground + 6 * SCALE), fill=(100, 60, 35)
    )
    for wx in (0.12, 0.72):
        x0, y0 = hx + hw * wx, top + hh * 0.25
        draw.rectangle(
            (x0, y0, x0 + hw * 0.16, y0 + hh * 0.28),
            fill=(60, 90, 130),
            outline=(250, 250, 250),
            width=2 * SCALE,
        )
    tree = variant != 1
    if tree:
        tx = hx + hw + w * rng.uniform(0.1, 0.18)
        draw.rectangle(
            (tx - 5 * SCALE, ground - hh * 0.5, tx + 5 * SCALE, ground + 8 * SCALE),
            fill=(95, 65, 40),
        )
        cr = hh * 0.45
        draw.ellipse(
            (tx - cr, ground - hh * 0.5 - 1.6 * cr, tx + cr, ground - hh * 0.5 + 0.3 * cr),
            fill=jitter(rng, (45, 115, 50)),
        )
    en = (
        f"A small {walls[1]} house with a red roof, a door and two windows, "
        "standing on green grass under a blue sky."
    )
    is_ = (
        f"Lítið {walls[2]} hús með rauðu þaki, hurð og tveimur gluggum "
        "á grænu grasi undir bláum himni."
    )
    if tree:
        en += " A green tree grows beside it."
        is_ += " Við hliðina á því stendur grænt tré."
    return en, is_


def lighthouse(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    sea = int(h * 0.7)
    gradient(img, (8, 12, 35), (30, 40, 80), 0, sea)
    draw = ImageDraw.Draw(img)
    stars(draw, rng, w, sea * 0.8, 70)
    moon = variant != 0
    if moon:
        mx, my, mr = w * 0.82, h * 0.18, h * 0.06
        draw.ellipse((mx - mr, my - mr, mx + mr, my + mr), fill=(240, 235, 200))
    gradient(img, (20, 30, 60), (5, 10, 25), sea, h)
    lx = w * rng.uniform(0.35, 0.55)
    base_w, top_w, tower_top = w * 0.1, w * 0.065, h * 0.28
    lamp_y = tower_top - h * 0.05

    def beams(d: ImageDraw.ImageDraw) -> None:
        spread = h * 0.08
        d.polygon([(lx, lamp_y), (0, lamp_y - spread), (0, lamp_y + spread)], fill=255)
        d.polygon([(lx, lamp_y), (w, lamp_y - spread * 0.6), (w, lamp_y + spread * 0.6)], fill=255)

    img.paste(glow(img, beams, (255, 225, 120), 6 * SCALE, 0.55))
    draw = ImageDraw.Draw(img)
    draw.polygon(
        [
            (lx - w * 0.2, h),
            (lx - w * 0.12, sea - h * 0.05),
            (lx + w * 0.1, sea - h * 0.07),
            (lx + w * 0.22, h),
        ],
        fill=(45, 42, 45),
    )
    ground = sea - h * 0.05
    draw.polygon(
        [
            (lx - base_w / 2, ground),
            (lx - top_w / 2, tower_top),
            (lx + top_w / 2, tower_top),
            (lx + base_w / 2, ground),
        ],
        fill=(235, 235, 230),
    )
    for k in (0.25, 0.6):
        y0, y1 = ground - (ground - tower_top) * k, ground - (ground - tower_top) * (k + 0.15)
        wa = base_w / 2 - (base_w - top_w) / 2 * k
        wb = base_w / 2 - (base_w - top_w) / 2 * (k + 0.15)
        draw.polygon(
            [(lx - wa, y0), (lx - wb, y1), (lx + wb, y1), (lx + wa, y0)], fill=(190, 35, 35)
        )
    draw.rectangle(
        (lx - top_w * 0.4, lamp_y - h * 0.03, lx + top_w * 0.4, tower_top), fill=(255, 230, 120)
    )
    draw.polygon(
        [
            (lx - top_w * 0.55, lamp_y - h * 0.03),
            (lx, lamp_y - h * 0.08),
            (lx + top_w * 0.55, lamp_y - h * 0.03),
        ],
        fill=(60, 60, 65),
    )
    en = (
        "A white lighthouse with red stripes on a rocky shore at night, "
        "its lamp shining beams of yellow light across a starry sky."
    )
    is_ = (
        "Hvítur viti með rauðum röndum á klettóttri strönd að nóttu til. "
        "Gult ljós vitans lýsir út yfir stjörnubjartan himin."
    )
    if moon:
        en += " The moon is up in the sky."
        is_ += " Tunglið er á lofti."
    return en, is_


def aurora(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    land = int(h * 0.75)
    gradient(img, (3, 6, 18), (15, 30, 50), 0, land)
    draw = ImageDraw.Draw(img)
    stars(draw, rng, w, land, 90)
    purple = variant == 1
    for band in range(rng.randint(2, 3)):
        y_mid = h * (0.22 + 0.13 * band) + rng.uniform(-10, 10) * SCALE
        amp, freq, phase = h * rng.uniform(0.04, 0.09), rng.uniform(1.2, 2.2), rng.uniform(0, 6.3)
        pts = [
            (x, y_mid + amp * math.sin(freq * 2 * math.pi * x / w + phase))
            for x in np.linspace(-20, w + 20, 60)
        ]

        def shape(d: ImageDraw.ImageDraw, pts=pts) -> None:
            d.line(pts, fill=255, width=int(h * 0.06))

        if purple:
            upper = [(x, y - h * 0.05) for x, y in pts]

            def top_shape(d: ImageDraw.ImageDraw, upper=upper) -> None:
                d.line(upper, fill=255, width=int(h * 0.04))

            img.paste(glow(img, top_shape, (170, 70, 190), 8 * SCALE, 0.6))
        img.paste(glow(img, shape, (60, 230, 120), 9 * SCALE, 0.85))
    draw = ImageDraw.Draw(img)
    outline = ridge(rng, -w * 0.1, w * 0.6, w * 0.25, h * 0.55, land + 4)
    outline += ridge(rng, w * 0.4, w * 1.1, w * 0.75, h * 0.6, land + 4)
    draw.polygon(outline[: len(outline) // 2], fill=(10, 12, 18))
    draw.polygon(outline[len(outline) // 2 :], fill=(12, 14, 20))
    lake = variant == 2
    draw.rectangle((0, land, w, h), fill=(20, 40, 60) if lake else (205, 215, 230))
    colour_en = "Green and purple" if purple else "Green"
    colour_is = "Græn og fjólublá" if purple else "Græn"
    ground_en = "a dark lake" if lake else "snow-covered ground"
    ground_is = "dimmt stöðuvatn" if lake else "snævi þakta jörð"
    return (
        f"{colour_en} northern lights in wavy bands across a dark starry sky, "
        f"above black mountains and {ground_en}.",
        f"{colour_is} norðurljós liðast í bylgjum yfir dimman, stjörnubjartan himin, "
        f"ofan við svört fjöll og {ground_is}.",
    )


def boat(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    horizon = int(h * 0.5)
    gradient(img, (110, 170, 230), (200, 225, 245), 0, horizon)
    draw = ImageDraw.Draw(img)
    coast = (
        [(0, horizon)]
        + [
            (x, horizon - h * (0.04 + 0.03 * math.sin(x / w * 7 + variant)))
            for x in np.linspace(0, w, 30)
        ]
        + [(w, horizon)]
    )
    draw.polygon(coast, fill=(80, 125, 75))
    gradient(img, (50, 110, 170), (25, 60, 110), horizon, h)
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.uniform(0, w), rng.uniform(horizon + 6, h)
        draw.line((x, y, x + rng.uniform(8, 24) * SCALE, y), fill=(120, 170, 210), width=SCALE)
    colour = ("red", "blue", "yellow")[variant % 3]
    bx, by, bw = w * rng.uniform(0.35, 0.55), h * 0.72, w * 0.3
    sail = variant != 1
    if sail:
        draw.line((bx, by - h * 0.02, bx, by - h * 0.42), fill=(90, 70, 50), width=3 * SCALE)
        draw.polygon(
            [(bx + 4, by - h * 0.4), (bx + 4, by - h * 0.06), (bx + bw * 0.42, by - h * 0.06)],
            fill=(250, 250, 245),
        )
        draw.polygon(
            [(bx - 4, by - h * 0.33), (bx - 4, by - h * 0.06), (bx - bw * 0.3, by - h * 0.06)],
            fill=(240, 240, 235),
        )
    else:
        draw.rectangle(
            (bx - bw * 0.1, by - h * 0.14, bx + bw * 0.15, by - h * 0.02), fill=(245, 245, 245)
        )
        draw.rectangle(
            (bx - bw * 0.05, by - h * 0.11, bx + bw * 0.1, by - h * 0.07), fill=(60, 90, 130)
        )
    draw.polygon(
        [
            (bx - bw / 2, by - h * 0.04),
            (bx + bw / 2, by - h * 0.04),
            (bx + bw * 0.38, by + h * 0.05),
            (bx - bw * 0.4, by + h * 0.05),
        ],
        fill=BOAT_RGB[colour],
    )
    kind_en = "sailing boat with white sails" if sail else "fishing boat with a white wheelhouse"
    kind_is = "seglbátur með hvítum seglum" if sail else "fiskibátur með hvítu stýrishúsi"
    return (
        f"A small {colour} {kind_en} on blue water, with a green coastline in the distance.",
        f"Lítill {BOAT_IS[colour]} {kind_is} á bláum sjó. Græn strönd sést í fjarska.",
    )


def flowers(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    horizon = int(h * 0.42)
    gradient(img, (80, 150, 225), (185, 215, 245), 0, horizon)
    draw = ImageDraw.Draw(img)
    for _ in range(3):
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.08, 0.28) * h
        for _ in range(5):
            r = rng.uniform(0.03, 0.06) * w
            ox, oy = rng.uniform(-0.06, 0.06) * w, rng.uniform(-0.02, 0.02) * h
            draw.ellipse(
                (cx + ox - r, cy + oy - r * 0.6, cx + ox + r, cy + oy + r * 0.6),
                fill=(250, 250, 252),
            )
    gradient(img, (110, 170, 80), (50, 120, 45), horizon, h)
    draw = ImageDraw.Draw(img)
    lupins = variant == 2
    palette = {
        0: [(220, 40, 40), (245, 210, 40), (150, 70, 190), (250, 250, 250)],
        1: [(250, 215, 30), (245, 200, 20)],
        2: [(120, 80, 200), (140, 95, 215)],
    }[variant % 3]
    for _ in range(380 if not lupins else 220):
        t = rng.random() ** 1.4
        y = horizon + 4 + t * (h - horizon)
        x = rng.uniform(0, w)
        size = (1.2 + 9 * t) * SCALE
        colour = jitter(rng, rng.choice(palette), 15)
        if lupins:
            draw.line((x, y, x, y - size * 2.2), fill=(60, 110, 50), width=max(1, int(size / 3)))
            for k in range(5):
                yy = y - size * (0.6 + 0.35 * k)
                rr = size * (0.45 - 0.06 * k)
                draw.ellipse((x - rr, yy - rr, x + rr, yy + rr), fill=colour)
        else:
            draw.ellipse((x - size / 2, y - size / 2, x + size / 2, y + size / 2), fill=colour)
    if lupins:
        return (
            "A wide field of purple lupins under a blue sky with white clouds.",
            "Breiða af fjólubláum lúpínum undir bláum himni með hvítum skýjum.",
        )
    if variant == 1:
        return (
            "A green meadow full of small yellow flowers under a blue sky with white clouds.",
            "Grænt engi þakið litlum gulum blómum undir bláum himni með hvítum skýjum.",
        )
    return (
        "A green field of red, yellow, purple and white flowers under a blue sky "
        "with white clouds.",
        "Grænt tún með rauðum, gulum, fjólubláum og hvítum blómum undir bláum himni "
        "með hvítum skýjum.",
    )


def waterfall(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    gradient(img, (120, 170, 215), (200, 220, 235), 0, h)
    draw = ImageDraw.Draw(img)
    edge, pool = h * rng.uniform(0.25, 0.32), h * 0.78
    fx0, fx1 = w * 0.42, w * 0.58
    draw.rectangle((0, edge, w, pool), fill=(55, 50, 50))
    for x in np.arange(0, w, 14 * SCALE):
        if not fx0 - 14 * SCALE < x < fx1:
            draw.line((x, edge + 10, x, pool), fill=(40, 36, 38), width=2 * SCALE)
    draw.rectangle((0, edge - h * 0.03, w, edge + h * 0.02), fill=(80, 140, 60))
    draw.rectangle((fx0, edge - h * 0.01, fx1, pool), fill=(235, 242, 248))
    for _ in range(30):
        x = rng.uniform(fx0, fx1)
        draw.line((x, edge, x, pool), fill=(200, 215, 230), width=SCALE)
    draw.rectangle((0, pool, w, h), fill=(60, 105, 130))
    for _ in range(60):
        x, y = rng.gauss((fx0 + fx1) / 2, w * 0.07), pool + rng.uniform(0, h * 0.06)
        r = rng.uniform(3, 9) * SCALE
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(240, 245, 250))
    rainbow = variant == 1
    if rainbow:
        cx, cy, rad = (fx0 + fx1) / 2 + w * 0.12, pool + h * 0.1, h * 0.35
        colours = [
            (230, 50, 50),
            (240, 140, 40),
            (245, 225, 60),
            (70, 180, 70),
            (60, 110, 220),
            (130, 70, 190),
        ]
        for i, colour in enumerate(colours):
            r = rad - i * 3 * SCALE

            def arc(d: ImageDraw.ImageDraw, r=r) -> None:
                d.arc((cx - r, cy - r, cx + r, cy + r), 190, 290, fill=255, width=3 * SCALE)

            img.paste(glow(img, arc, colour, 1.5 * SCALE, 0.7))
    en = "A white waterfall pouring over a dark cliff into a pool, with green grass along the top."
    is_ = "Hvítur foss fellur fram af dökkum kletti niður í hyl og grænt gras vex á brúninni."
    if rainbow:
        en += " A faint rainbow shows in the spray."
        is_ += " Daufur regnbogi sést í úðanum."
    return en, is_


def pines(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    ground = int(h * 0.66)
    dusk = variant != 1
    if dusk:
        gradient(img, (120, 120, 180), (245, 185, 190), 0, ground)
    else:
        gradient(img, (170, 175, 185), (215, 218, 222), 0, ground)
    gradient(img, (235, 240, 250), (200, 212, 235), ground, h)
    draw = ImageDraw.Draw(img)
    n = rng.randint(3, 6)
    slots = np.linspace(0.12, 0.88, n)
    for sx in slots:
        x = w * (sx + rng.uniform(-0.02, 0.02))
        th = h * rng.uniform(0.35, 0.5)
        tw = w * 0.6 / n * 0.8
        base = ground + h * rng.uniform(0.04, 0.14)
        draw.rectangle((x - tw * 0.07, base - th * 0.15, x + tw * 0.07, base), fill=(80, 55, 35))
        for k in range(3):
            y_bottom = base - th * (0.12 + 0.28 * k)
            y_top = y_bottom - th * 0.42
            half = tw / 2 * (1 - 0.25 * k)
            draw.polygon(
                [(x - half, y_bottom), (x, y_top), (x + half, y_bottom)], fill=(25, 70, 40)
            )
            draw.polygon(
                [
                    (x - half * 0.35, y_top + th * 0.14),
                    (x, y_top),
                    (x + half * 0.35, y_top + th * 0.14),
                ],
                fill=(245, 248, 252),
            )
    sky_en = "a pale pink evening sky" if dusk else "a grey winter sky"
    sky_is = "fölbleikum kvöldhimni" if dusk else "gráum vetrarhimni"
    return (
        f"{NUMBERS_EN[n]} dark green pine trees with snow on their tips, standing in deep snow "
        f"under {sky_en}.",
        f"{NUMBERS_IS_NEUTER[n]} dökkgræn grenitré með snjó í toppunum standa í djúpum snjó "
        f"undir {sky_is}.",
    )


def rainbow(img: Image.Image, rng: random.Random, variant: int) -> Caption:
    w, h = img.size
    gradient(img, (90, 150, 215), (190, 215, 235), 0, h)
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        cx, cy, r = (
            rng.uniform(0.0, 0.35) * w,
            rng.uniform(0.02, 0.2) * h,
            rng.uniform(0.06, 0.1) * w,
        )
        draw.ellipse((cx - r, cy - r * 0.6, cx + r, cy + r * 0.6), fill=(140, 145, 155))
    cx, cy, rad = w * 0.5, h * 0.8, w * 0.42
    colours = [
        (230, 50, 50),
        (240, 140, 40),
        (245, 225, 60),
        (70, 180, 70),
        (60, 110, 220),
        (130, 70, 190),
    ]
    for i, colour in enumerate(colours):
        r = rad - i * 5 * SCALE

        def arc(d: ImageDraw.ImageDraw, r=r) -> None:
            d.arc((cx - r, cy - r, cx + r, cy + r), 180, 360, fill=255, width=5 * SCALE)

        img.paste(glow(img, arc, colour, 2 * SCALE, 0.75))
    draw = ImageDraw.Draw(img)
    for layer, (level, colour) in enumerate([(0.62, (95, 155, 70)), (0.74, (70, 135, 55))]):
        pts = [
            (x, h * level + h * 0.05 * math.sin(x / w * (4 + layer) + rng.uniform(0, 0.3)))
            for x in np.linspace(0, w, 40)
        ]
        draw.polygon([(0, h), *pts, (w, h)], fill=colour)
    sheep = {0: 3, 1: 0, 2: 2}[variant % 3]
    for i in range(sheep):
        sx, sy = w * (0.2 + 0.25 * i + rng.uniform(-0.03, 0.03)), h * rng.uniform(0.86, 0.92)
        sw, sh = w * 0.045, h * 0.035
        draw.rectangle((sx - sw * 0.5, sy, sx - sw * 0.35, sy + sh * 1.1), fill=(40, 35, 35))
        draw.rectangle((sx + sw * 0.35, sy, sx + sw * 0.5, sy + sh * 1.1), fill=(40, 35, 35))
        draw.ellipse((sx - sw, sy - sh, sx + sw, sy + sh), fill=(245, 243, 235))
        draw.ellipse(
            (sx + sw * 0.75, sy - sh * 1.2, sx + sw * 1.35, sy - sh * 0.1), fill=(45, 40, 40)
        )
    en = "A rainbow arching over rolling green hills after rain, with grey clouds in the sky."
    is_ = "Regnbogi yfir grænum hæðum eftir rigningu. Grá ský eru á himni."
    if sheep:
        en += f" {NUMBERS_EN[sheep]} white sheep graze on the nearest hill."
        is_ += f" {NUMBERS_IS_FEMININE[sheep]} hvítar kindur eru á beit á næstu hæð."
    return en, is_


SCENES: list[tuple[str, Callable[[Image.Image, random.Random, int], Caption]]] = [
    ("sunset-over-sea", sunset),
    ("snowy-mountain", mountain),
    ("red-roofed-house", house),
    ("lighthouse-at-night", lighthouse),
    ("northern-lights", aurora),
    ("boat-on-water", boat),
    ("field-of-flowers", flowers),
    ("waterfall", waterfall),
    ("pine-trees-in-snow", pines),
    ("rainbow-over-hills", rainbow),
]


# --------------------------------------------------------------------------- output


def render(index: int) -> tuple[Image.Image, str, Caption]:
    """Draw image number ``index`` (0-based): scene index % 10, variant index // 10."""
    name, scene = SCENES[index % len(SCENES)]
    variant = index // len(SCENES)
    rng = random.Random(SEED + index)
    width, height = SIZES[rng.randrange(len(SIZES))]
    canvas = Image.new("RGB", (width * SCALE, height * SCALE), (0, 0, 0))
    caption = scene(canvas, rng, variant)
    return canvas.resize((width, height), Image.Resampling.LANCZOS), name, caption


def main() -> None:
    rows: dict[str, list[dict]] = {"train": [], "test": []}
    for split in rows:
        folder = DATA / split
        folder.mkdir(parents=True, exist_ok=True)
        for old in (*folder.glob("img-*"), folder / "metadata.jsonl"):
            old.unlink(missing_ok=True)
    for index in range(COUNT):
        image_id = f"img-{index + 1:03d}"
        image, scene, (caption_en, caption_is) = render(index)
        split = "test" if image_id in TEST_IDS else "train"
        icelandic = image_id in ICELANDIC_IDS
        if image_id in PNG_IDS:
            file_name = f"{image_id}.png"
            image.save(DATA / split / file_name, "PNG", optimize=True)
        else:
            file_name = f"{image_id}.jpg"
            image.save(DATA / split / file_name, "JPEG", quality=88, optimize=True)
        rows[split].append(
            {
                "file_name": file_name,
                "id": image_id,
                "caption": caption_is if icelandic else caption_en,
                "language": "is" if icelandic else "en",
                "metadata": {"scene": scene, "width": image.width, "height": image.height},
            }
        )
    for split, records in rows.items():
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in records)
        (DATA / split / "metadata.jsonl").write_text(lines, encoding="utf-8", newline="\n")
        print(f"data/{split}: {len(records)} images")


if __name__ == "__main__":
    main()
