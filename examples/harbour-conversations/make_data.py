"""Build the harbour-conversations example dataset from conversations.yaml.

The conversations were written for the archive's bundled examples. Speakers are
labelled by role only. Each conversation is spoken with espeak-ng (Debian package
``espeak-ng``), one voice per speaker, and written as one mono 16 kHz FLAC:

    data/train.jsonl            one conversation per line
    data/audio/conv-NNN.flac    its synthetic recording

Each turn's ``start`` and ``end`` (seconds) are measured from the synthesised
segments: leading and trailing silence of every segment is trimmed, turns are joined
with a fixed pause, and the recording starts and ends with a short silence.

The FLAC files carry no tags. With the same espeak-ng version the output is
byte-for-byte reproducible (there is no randomness). Run ``python make_data.py``.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "conversations.yaml"
DATA = HERE / "data"
AUDIO = DATA / "audio"

RATE = 16000  # output sample rate, Hz
SPEED = 180  # espeak-ng words per minute
AMPLITUDE = 50  # espeak-ng amplitude (0-200, default 100)
LOWPASS = 5000.0  # Hz; speech above this adds bytes, not intelligibility
LEAD = 0.3  # seconds of silence before the first and after the last turn
GAP = 0.35  # seconds of silence between turns
TRIM = 0.004  # absolute level below which leading/trailing samples count as silence
# Two voices per conversation, the first speaker takes the first voice.
VOICE_PAIRS = (("en+m3", "en+f3"), ("en+f4", "en+m2"), ("en+m7", "en+f2"))


def espeak(text: str, voice: str) -> np.ndarray:
    """Speak ``text`` with ``voice``; return float32 samples at RATE, silence trimmed."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is missing: apt-get install -y espeak-ng")
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(SPEED), "-a", str(AMPLITUDE), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    samples, rate = sf.read(io.BytesIO(wav), dtype="float64")
    loud = np.nonzero(np.abs(samples) > TRIM)[0]
    samples = samples[loud[0] : loud[-1] + 1]
    return resample(samples, rate)


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """Band-limited resampling to RATE by FFT, with a low-pass at LOWPASS."""
    n_in = len(samples)
    n_out = round(n_in * RATE / rate)
    spectrum = np.fft.rfft(samples)
    spectrum[np.fft.rfftfreq(n_in, 1 / rate) > LOWPASS] = 0
    out = np.fft.irfft(spectrum[: n_out // 2 + 1], n_out) * (n_out / n_in)
    return out.astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def parse_turn(line: str) -> tuple[str, str]:
    speaker, text = line.split(": ", 1)
    return speaker.strip(), text.strip()


def build(conversation: dict, index: int) -> dict:
    """Synthesise one conversation, write its FLAC, return its record."""
    turns = [parse_turn(line) for line in conversation["turns"]]
    speakers = list(dict.fromkeys(speaker for speaker, _ in turns))
    if len(speakers) != 2:
        raise SystemExit(f"{conversation['id']}: expected two speakers, got {speakers}")
    pair = VOICE_PAIRS[index % len(VOICE_PAIRS)]
    voice_of = dict(zip(speakers, pair, strict=True))

    pieces = [silence(LEAD)]
    position = len(pieces[0])
    record_turns = []
    for number, (speaker, text) in enumerate(turns):
        if number:
            pieces.append(silence(GAP))
            position += len(pieces[-1])
        segment = espeak(text, voice_of[speaker])
        pieces.append(segment)
        record_turns.append(
            {
                "speaker": speaker,
                "text": text,
                "start": round(position / RATE, 3),
                "end": round((position + len(segment)) / RATE, 3),
            }
        )
        position += len(segment)
    pieces.append(silence(LEAD))
    audio = np.clip(np.concatenate(pieces), -1.0, 1.0)

    name = f"{conversation['id']}.flac"
    sf.write(AUDIO / name, audio, RATE, format="FLAC", subtype="PCM_16", compression_level=1.0)
    return {
        "id": conversation["id"],
        "title": conversation["title"],
        "turns": record_turns,
        "audio": f"audio/{name}",
        "language": "en",
        "metadata": {
            "setting": "harbour",
            "duration_seconds": round(len(audio) / RATE, 3),
            "synthetic_speech": True,
            "voices": [voice_of[speaker] for speaker in speakers],
        },
    }


def main() -> None:
    conversations = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    AUDIO.mkdir(parents=True, exist_ok=True)
    for old in AUDIO.glob("*.flac"):
        old.unlink()
    records = [build(conv, index) for index, conv in enumerate(conversations)]
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    (DATA / "train.jsonl").write_text(lines, encoding="utf-8", newline="\n")
    seconds = sum(record["metadata"]["duration_seconds"] for record in records)
    size = sum(path.stat().st_size for path in AUDIO.glob("*.flac"))
    print(f"{len(records)} conversations, {seconds:.1f} s of audio, {size} bytes of FLAC")


if __name__ == "__main__":
    main()
