"""Write the corpus of hostile partner files kept beside this script.

Usage: python tests/hostile/make_corpus.py

Each file is small; ``tests/test_hostile.py`` feeds every one to the archive and expects
a clear, one-line refusal (or a clean read where the input is merely unusual).
"""

from __future__ import annotations

import io
import tarfile
import zlib
from pathlib import Path

import numpy as np
import soundfile
from PIL import Image

HERE = Path(__file__).resolve().parent


def write(name: str, data: bytes) -> None:
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def tar(name: str, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as out:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                out.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size, info.mtime = len(member[1]), 0
                out.addfile(info, io.BytesIO(member[1]))
    write(name, buffer.getvalue())


def special(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mtime = kind, link, 0
    return info


def png_bomb() -> bytes:
    """A PNG that claims 30,000 x 30,000 pixels in a few kilobytes."""
    width = height = 30_000
    raw = zlib.compress(b"\x00" + b"\x00" * (width // 8), 9)
    row = zlib.decompress(raw)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


def jpeg(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def flac(rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.zeros(rate // 4, dtype="float32"), rate, format="FLAC")
    return buffer.getvalue()


def main() -> None:
    ok = b'{"text": "A fine first line."}\n'
    write("json/invalid-utf8.jsonl", ok + b'{"text": "caf\xe9"}\n')
    write("json/nan.jsonl", ok + b'{"text": "x", "score": NaN}\n')
    write("json/infinity.jsonl", ok + b'{"text": "x", "score": -Infinity}\n')
    write("json/duplicate-keys.jsonl", ok + b'{"text": "a", "text": "b"}\n')
    write("json/deep.jsonl", ok + b'{"text": "x", "metadata": ' + b'{"a": ' * 10_000 + b"1"
          + b"}" * 10_001 + b"\n")
    write("json/truncated.jsonl", ok + b'{"text": "the last line was cut in the mid')
    write("json/nul.jsonl", ok + b'{"text": "nul\x00byte"}\n')
    write("json/not-an-object.jsonl", ok + b'["text", "in", "a", "list"]\n')
    write("json/lone-surrogate.jsonl", ok + b'{"text": "fine \\ud83d\\ude00", "title": "x"}\n'
          + b'{"text": "half a pair \\uD800 here"}\n')
    write("csv/mixed-encodings.csv", "text,language\nGóðan dag,is\n".encode()
          + "Grüße,de\n".encode("latin-1"))
    write("csv/ragged.csv", b"text,language\nfine,en\ntoo,many,fields\n")
    write("csv/unclosed-quote.csv", b'text,language\n"never closed,en\n')
    tar("tar/traversal.tar", [("../../etc/evil.json", b"{}")])
    tar("tar/absolute.tar", [("/etc/evil.json", b"{}")])
    tar("tar/symlink.tar", [special("s1.jpg", tarfile.SYMTYPE, "/etc/passwd")])
    tar("tar/hardlink.tar", [special("s1.jpg", tarfile.LNKTYPE, "/etc/passwd")])
    tar("tar/device.tar", [special("s1.jpg", tarfile.CHRTYPE)])
    tar("tar/fifo.tar", [special("s1.jpg", tarfile.FIFOTYPE)])
    tar("tar/duplicate-members.tar", [("s1.json", b'{"caption": "a"}'), ("s1.jpg", jpeg()),
                                      ("s1.jpg", jpeg())])
    tar("tar/scattered-sample.tar", [("s1.json", b'{"caption": "a"}'), ("s2.json",
                                     b'{"caption": "b"}'), ("s1.jpg", jpeg())])
    lookalike = "s\u0455"  # Cyrillic dze: "sѕ" looks like "ss"
    tar("tar/lookalike-names.tar", [("ss.json", b'{"caption": "a"}'), ("ss.jpg", jpeg()),
                                    (f"{lookalike}.json", b'{"caption": "b"}'),
                                    (f"{lookalike}.jpg", jpeg((20, 160, 40)))])
    huge = tarfile.TarInfo("s1.jpg")
    huge.size = 0
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as out:
        out.addfile(huge, io.BytesIO(b""))
    data = bytearray(buffer.getvalue())
    data[124:136] = b"77777777777\x00"  # the size field claims 8 GiB
    checksum = sum(data[:148]) + 8 * 32 + sum(data[156:512])
    data[148:156] = f"{checksum:06o}\x00 ".encode()
    write("tar/huge-claim.tar", bytes(data))
    write("media/bomb.png", png_bomb())
    write("media/truncated.jpg", jpeg()[:300])
    write("media/png-named.jpg", _png())
    write("media/text-named.flac", b"this is not audio at all, only text\n" * 20)
    write("media/absurd-rate.flac", _absurd_rate())
    write("media/no-streams.mp4", _empty_mp4())


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _absurd_rate() -> bytes:
    """A FLAC whose STREAMINFO claims 655,350 Hz and a length of decades."""
    data = bytearray(flac())
    # STREAMINFO starts at byte 8: sample rate is the top 20 bits at offset 18.
    rate, channels_bits = 655_350, data[20] & 0x0F
    data[18] = (rate >> 12) & 0xFF
    data[19] = (rate >> 4) & 0xFF
    data[20] = ((rate & 0x0F) << 4) | channels_bits
    data[21:26] = b"\xff\xff\xff\xff\xff"
    return bytes(data)


def _empty_mp4() -> bytes:
    """An MP4 container with an ftyp box and nothing else: no streams."""
    ftyp = b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2mp41"
    return (8 + len(ftyp)).to_bytes(4, "big") + ftyp


if __name__ == "__main__":
    main()
