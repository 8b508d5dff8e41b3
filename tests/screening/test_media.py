"""Media: full decode, mislabelled files, and metadata stripped without touching the content."""

from __future__ import annotations

import io

import av
import mutagen
import numpy as np
import pytest
import soundfile
from PIL import ExifTags, Image, ImageSequence

from archive.errors import ScreeningError
from archive.records import Media, Origin, Record
from archive.screening import Policy, Screener
from archive.screening.media import check_media

from . import mediafiles as mf

LEAKS = (b"Jon", "Jón".encode(), mf.SERIAL.encode(), b"555 1234", b"64.14", "Afmæli".encode())


def media_record(kind: str, data: bytes, ext: str, key: str = "m-1") -> Record:
    text = {"image": "caption", "audio": "transcript", "video": "caption"}[kind]
    return Record(key=key, split="train", origin=Origin("media.tar", member=f"{key}.{ext}"),
                  fields={kind: f"{key}.{ext}", text: "Mynd af fjallinu við sjóinn í morgun."},
                  media={kind: Media(data=data, ext=ext, name=f"{key}.{ext}")})


def frames(data: bytes) -> list[bytes]:
    """Every frame's pixels, in RGB."""
    with Image.open(io.BytesIO(data)) as image:
        return [frame.convert("RGB").tobytes() for frame in ImageSequence.Iterator(image)]


def screen_one(kind: str, data: bytes, ext: str) -> tuple[Record, Screener]:
    screener = Screener(dataset_id="m", record_type=kind, declared_languages=["is"],
                        policy=Policy.from_dict({"language": {"max_undeclared_share": 1}}))
    out = screener.screen(media_record(kind, data, ext))
    assert out is not None
    return out, screener


def test_jpeg_gps_is_stripped_losslessly() -> None:
    original = mf.jpeg_with_gps()
    out, screener = screen_one("image", original, "jpg")
    data = out.media["image"].data
    assert not [leak for leak in LEAKS if leak in data]
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Artist not in exif
        assert exif[ExifTags.Base.Orientation] == 6  # the picture stays upright
        image.load()
        pixels = image.tobytes()
    with Image.open(io.BytesIO(original)) as image:
        assert image.tobytes() == pixels  # not re-encoded
    report = screener.finish()
    assert [(f.kind, f.field, f.action) for f in report.findings] == [("gps", "/image",
                                                                        "stripped")]
    tags = report.summary()["media"]["stripped_tags"]
    assert {"EXIF:GPS:GPSLatitude", "EXIF:BodySerialNumber", "EXIF:Artist", "XMP",
            "JPEG:Comment"} <= set(tags)
    assert not [leak for leak in LEAKS if leak.decode() in str(report.summary())]


@pytest.mark.parametrize(("make", "ext", "expected"), [
    (mf.png_with_text, "png", {"PNG:Author", "PNG:Description", "EXIF:GPS:GPSLatitude"}),
    (mf.webp_with_exif, "webp", {"EXIF:Artist", "XMP"}),
    (mf.gif_with_comment, "gif", {"GIF:Comment"}),
    (mf.tiff_with_artist, "tif", {"TIFF:Artist", "TIFF:GPSInfo"}),
])
def test_other_images_are_stripped(make, ext: str, expected: set[str]) -> None:
    original = make()
    out, screener = screen_one("image", original, ext)
    data = out.media["image"].data
    assert not [leak for leak in LEAKS if leak in data]
    assert frames(original) == frames(data)
    assert expected <= set(screener.finish().summary()["media"]["stripped_tags"])


@pytest.mark.parametrize(("make", "ext", "expected"), [
    (mf.flac_with_tags, "flac", {"TAG:ARTIST", "TAG:COMMENT", "TAG:PICTURE"}),
    (mf.ogg_with_tags, "ogg", {"TAG:ARTIST"}),
    (mf.mp3_with_tags, "mp3", {"ID3:TPE1", "ID3:COMM"}),
    (mf.wav_with_info, "wav", {"WAV:LIST"}),
])
def test_audio_tags_are_stripped(make, ext: str, expected: set[str]) -> None:
    original = make()
    out, screener = screen_one("audio", original, ext)
    data = out.media["audio"].data
    assert not [leak for leak in LEAKS if leak in data]
    tags = mutagen.File(io.BytesIO(data))
    assert tags is None or not tags.tags
    before, rate = soundfile.read(io.BytesIO(original), dtype="int16")
    after, rate_after = soundfile.read(io.BytesIO(data), dtype="int16")
    assert rate == rate_after and np.array_equal(before, after)
    assert expected <= set(screener.finish().summary()["media"]["stripped_tags"])


@pytest.mark.parametrize("ext", ["mp4", "webm"])
def test_video_tags_and_location_are_stripped(ext: str) -> None:
    original = mf.video_with_gps(ext)
    out, screener = screen_one("video", original, ext)
    data = out.media["video"].data
    assert not [leak for leak in LEAKS if leak in data]
    with av.open(io.BytesIO(data)) as container:
        assert not {k.lower() for k in container.metadata} & {"title", "artist", "location"}
        assert sum(1 for _ in container.decode(video=0)) == 12
    report = screener.finish()
    assert [f.kind for f in report.findings] == ["gps"]


def test_clean_media_is_passed_through_unchanged() -> None:
    data = mf.png()
    out, screener = screen_one("image", data, "png")
    assert out.media["image"].data is data
    assert screener.finish().summary()["media"]["stripped"] == 0


@pytest.mark.parametrize(("kind", "make", "ext"), [
    ("image", mf.jpeg_with_gps, "jpg"),
    ("audio", mf.flac_with_tags, "flac"),
    ("audio", lambda: mf.sound("WAV", "PCM_16"), "wav"),
    ("audio", mf.ogg_with_tags, "ogg"),
    ("video", mf.video_with_gps, "mp4"),
])
def test_truncated_media_blocks_the_release(kind: str, make, ext: str) -> None:
    data = make()
    screener = Screener(dataset_id="m", record_type=kind, declared_languages=["is"])
    screener.screen(media_record(kind, data[: len(data) * 3 // 4], ext, key="broken-7"))
    with pytest.raises(ScreeningError) as caught:
        screener.finish()
    message = str(caught.value)
    assert "record broken-7" in message and f"at /{kind}" in message
    assert "broken_media" in message and "media.tar[broken-7" in message


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_corrupt_or_cut_anywhere_is_broken_though_decoded_in_draft(
        progressive: bool) -> None:
    import numpy as np

    pixels = np.random.default_rng(2).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=90, progressive=progressive)
    data = out.getvalue()
    corrupt, middle = bytearray(data), len(data) // 2
    corrupt[middle:middle + 64] = bytes(0xFF if i % 7 == 0 else data[middle + i] ^ 0x5A
                                        for i in range(64))
    assert check_media(data, "jpg") is None
    for broken in (bytes(corrupt), data[: len(data) * 3 // 4], data[:-2]):
        problem = check_media(broken, "jpg")
        assert problem is not None and problem.kind == "broken_media", len(broken)


def test_mislabelled_file_is_rejected() -> None:
    problem = check_media(mf.png(), "jpg")
    assert problem is not None and problem.kind == "mislabelled_media"
    assert "png" in problem.reason
    assert check_media(mf.png(), "png") is None
    problem = check_media(mf.sound("FLAC"), "wav")
    assert problem is not None and problem.kind == "mislabelled_media"
    problem = check_media(b"plain text, not a picture at all", "jpg")
    assert problem is not None and problem.kind == "broken_media"


def test_decompression_bomb_limit_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)  # the picture has 3072 pixels
    problem = check_media(mf.png(), "png")
    assert problem is not None and "DecompressionBomb" in problem.reason


def test_mp3_decodes_with_pyav_where_libsndfile_lacks_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    formats = {k: v for k, v in soundfile.available_formats().items() if k != "MP3"}
    monkeypatch.setattr(soundfile, "available_formats", lambda: formats)
    data = mf.mp3_with_tags()
    assert check_media(data, "mp3") is None
    for kept in (len(data) // 3, len(data) * 3 // 4):
        problem = check_media(data[:kept], "mp3")
        assert problem is not None and problem.kind == "broken_media"


def test_identical_media_bytes_are_exact_duplicates() -> None:
    data = mf.png()
    screener = Screener(dataset_id="m", record_type="image", declared_languages=["is"])
    first = screener.screen(media_record("image", data, "png", key="a-1"))
    second = screener.screen(media_record("image", data, "png", key="a-2"))
    assert first is not None and second is None
    assert screener.finish().summary()["duplicates"]["exact"] == 1


def rf64_with_artist(list_first: bool) -> tuple[bytes, np.ndarray]:
    """An RF64 WAV (sizes in its ds64 chunk, 0xFFFFFFFF in the headers) whose LIST INFO
    chunk names an artist, before or after the sound."""
    import struct

    frames = (np.sin(np.arange(800) / 5) * 3000).astype("<i2")
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    info = b"INFO" + b"IART" + struct.pack("<I", 12) + b"Jon Jonsson\x00"
    sound = b"data" + struct.pack("<I", 0xFFFFFFFF) + frames.tobytes()
    tags = b"LIST" + struct.pack("<I", len(info)) + info
    rest = (b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + (tags + sound if list_first else sound + tags))
    ds64 = b"ds64" + struct.pack("<I", 28) + struct.pack(
        "<QQQI", 4 + 36 + len(rest), frames.nbytes, len(frames), 0)
    return b"RF64" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE" + ds64 + rest, frames


def test_bytes_after_a_wavs_declared_end_are_not_published() -> None:
    clean = mf.sound("WAV", "PCM_16")
    published, screener = screen_one("audio", clean + b"Jon Jonsson, kt. 120174-3399", "wav")
    assert published.media["audio"].data == clean
    assert screener.finish().summary()["media"]["stripped"] == 1


@pytest.mark.parametrize("list_first", [True, False])
def test_rf64_wav_tags_are_stripped_and_it_stays_rf64(list_first: bool) -> None:
    import struct

    data, frames = rf64_with_artist(list_first)
    assert soundfile.info(io.BytesIO(data)).format == "RF64"
    out, screener = screen_one("audio", data, "wav")
    published = out.media["audio"].data
    assert b"Jon Jonsson" not in published and published[:4] == b"RF64"
    assert struct.unpack_from("<Q", published, 20)[0] == len(published) - 8  # ds64's size
    sound, rate = soundfile.read(io.BytesIO(published), dtype="int16")
    assert rate == 8000 and (sound == frames).all()
    assert screener.finish().summary()["media"]["stripped"] == 1


@pytest.mark.parametrize("kind", ["WEBP", "GIF"])
def test_bytes_after_a_pictures_end_are_not_published(kind: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 10, 10)).save(out, kind)
    clean = out.getvalue()
    published, screener = screen_one("image", clean + b"Jon Jonsson, kt. 120174-3399;",
                                     kind.lower())
    data = published.media["image"].data
    assert data == clean  # the picture as it was, without what followed it
    with Image.open(io.BytesIO(data)) as image:
        image.load()
    assert screener.finish().summary()["media"]["stripped"] == 1


def test_bytes_after_an_mp3s_last_frame_are_not_published() -> None:
    tagged = mf.mp3_with_tags()
    published, _ = screen_one("audio", tagged, "mp3")
    clean = published.media["audio"].data
    published, screener = screen_one("audio", tagged + b"Jon Jonsson, kt. 120174-3399", "mp3")
    assert published.media["audio"].data == clean
    assert screener.finish().summary()["media"]["stripped_tags"]["MP3:TrailingData"] == 1


@pytest.mark.parametrize("tagged", [False, True])
def test_bytes_after_a_flacs_last_frame_are_not_published(tagged: bool) -> None:
    original = mf.flac_with_tags() if tagged else mf.sound("FLAC")
    published, _ = screen_one("audio", original, "flac")
    clean = published.media["audio"].data
    appended = original + b"Jon Jonsson, kt. 120174-3399" * 40
    published, screener = screen_one("audio", appended, "flac")
    assert published.media["audio"].data == clean
    tags = screener.finish().summary()["media"]["stripped_tags"]
    assert tags["FLAC:TrailingData"] == 1 and ("TAG:ARTIST" in tags) is tagged
    before, _ = soundfile.read(io.BytesIO(original), dtype="int16")
    after, _ = soundfile.read(io.BytesIO(clean), dtype="int16")
    assert np.array_equal(before, after)


def test_the_flac_frame_walk_ends_where_the_sound_ends() -> None:
    from archive.screening.flac import frames_end

    rng = np.random.default_rng(3)
    for seconds in (0.3, 1.0, 2.5):  # last frames of different lengths
        noise = rng.normal(0, 0.2, (int(8000 * seconds), 1))
        out = io.BytesIO()
        soundfile.write(out, noise, 8000, format="FLAC")
        data = out.getvalue()
        assert frames_end(io.BytesIO(data)) == len(data)
        junk = bytes(rng.integers(0, 256, 3000, dtype=np.uint8))
        assert frames_end(io.BytesIO(data + junk)) == len(data)
    assert frames_end(io.BytesIO(b"fLaC" + bytes(200))) is None  # no frame: nothing cut


@pytest.mark.parametrize(("rate", "channels"), [(44100, 2), (48000, 1), (32000, 2),
                                                (22050, 1), (11025, 1)])
def test_the_mp3_frame_walk_ends_where_the_sound_ends(rate: int, channels: int) -> None:
    from archive.screening.mpeg import frames_end, holds_frames

    tone = np.sin(2 * np.pi * 440 * np.arange(rate) / rate) * 0.3
    out = io.BytesIO()
    soundfile.write(out, np.stack([tone] * channels, axis=1), rate, format="MP3",
                    subtype="MPEG_LAYER_III")  # MPEG-1, -2 and -2.5 frames
    data = out.getvalue()
    assert frames_end(data) == len(data) == frames_end(data[:-7]) + 7
    assert frames_end(data + b"not sound") == len(data) and holds_frames(data[100:])
    assert not holds_frames(b"Jon Jonsson \xff\xfb 120174-3399")
