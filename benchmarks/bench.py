"""Throughput and memory of a release build, side by side with baselines, in one run.

Usage: python benchmarks/bench.py [--mb 256] [--tasks a,b,...] [--images N] [--repeat N]
       [--memory-check] [--video-mb N]

Generates a realistic JSON Lines text corpus (essays assembled from the bundled
examples' sentences, every record distinct), then runs each task in its own process
and reports MB/s of input (timed inside the process, after imports), the ratio to the
``datasets`` Parquet path (what ``push_to_hub`` does before uploading) and the peak
resident memory (for ``build-2w`` and ``screen``: the main process plus its worker
process; with two workers the main process is the second).

``convert`` is conversion alone (both formats and checksums, one process); ``screen``
is screening alone (``archive screen``, two workers); ``build`` is the whole release
build in one process, ``build-2w`` with two workers; ``rebuild`` is the same build run a
second time (the cache's saving). Figures only compare within one run on one machine.

``--images N`` also generates N JPEGs with captions in an image folder and compares the
build (``media-build``, ``media-build-2w``) with ``datasets`` (an ``Image`` column, the
pictures embedded as ``push_to_hub`` does, to Parquet) and ``webdataset.ShardWriter``
(``--mb 0`` runs the media corpus alone).
``--memory-check`` builds corpora of MB and 4 x MB and exits 1 when the larger one's
peak memory is more than 10% above the smaller's; ``--video-mb N`` does the same with a
dataset of one video of 300 MB and one of N MB (videos that large stream through the
build, :mod:`archive.streamed`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TASKS = ["cp", "sha256", "datasets", "pyarrow", "convert", "screen", "build", "build-2w",
         "rebuild"]
MEDIA_TASKS = ["datasets", "webdataset", "build", "build-2w"]
"""Tasks on the media corpus (``--images N``): JPEGs in an image folder with captions."""


def corpus(path: Path, megabytes: int, seed: int = 0) -> int:
    """Write about ``megabytes`` MB of distinct essays as JSON Lines; return the record count.

    Each essay takes 15-45 sentences of one language from the bundled examples and
    replaces a quarter of their words with other words of that language, so that two
    essays share few word 5-grams, as real essays do (built from whole sentences alone,
    any two shared nearly half, which no real corpus does)."""
    rng = random.Random(seed)
    pools: dict[str, list[list[str]]] = {}
    for line in (ROOT / "examples" / "icelandic-english-essays" / "data" / "train.jsonl"
                 ).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        pools.setdefault(record["language"], []).extend(
            s.split() for s in record["text"].split(".") if s.strip())
    vocabulary = {lang: sorted({w for s in pool for w in s}) for lang, pool in pools.items()}
    languages = sorted(pools)
    target, written, count = megabytes * 1_000_000, 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target:
            language = rng.choice(languages)
            words = vocabulary[language]
            body = " ".join(
                " ".join(w if rng.random() > 0.25 else rng.choice(words)
                         for w in rng.choice(pools[language])) + "."
                for _ in range(rng.randint(15, 45)))
            line = json.dumps({"id": f"doc-{count:09d}", "title": f"Essay {count}",
                               "text": body, "language": language}, ensure_ascii=False)
            f.write(line + "\n")
            written += len(line.encode()) + 1
            count += 1
    return count


def image_corpus(folder: Path, count: int, seed: int = 0) -> int:
    """Write ``count`` distinct JPEGs (photo-like noise and shapes, 320x240) and a
    ``metadata.jsonl`` with a caption each; return the bytes of the images."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    with open(folder / "metadata.jsonl", "w", encoding="utf-8") as meta:
        for i in range(count):
            base = rng.integers(0, 255, 3)
            pixels = np.clip(base + rng.normal(0, 40, (240, 320, 3)), 0, 255).astype("uint8")
            image = Image.fromarray(pixels)
            draw = ImageDraw.Draw(image)
            x, y = rng.integers(0, 240), rng.integers(0, 160)
            colour = tuple(int(v) for v in rng.integers(0, 255, 3))
            draw.ellipse((x, y, x + 80, y + 80), fill=colour)
            name = f"img-{i:06d}.jpg"
            image.save(folder / name, quality=85)
            total += (folder / name).stat().st_size
            meta.write(json.dumps({"file_name": name, "id": f"img-{i:06d}",
                                   "caption": f"A shape on a noisy background, picture {i}.",
                                   "language": "en"}) + "\n")
    return total


def run_media_task(task: str, source: Path, work: Path) -> None:
    """One measured task on the media corpus (``source`` is its metadata.jsonl)."""
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    if task == "datasets":
        import datasets
        from datasets.table import embed_table_storage

        ds = datasets.Dataset.from_dict(
            {"image": [str(source.parent / r["file_name"]) for r in rows],
             "caption": [r["caption"] for r in rows]},
            features=datasets.Features({"image": datasets.Image(),
                                        "caption": datasets.Value("string")}))
        # What push_to_hub does to each shard: read the pictures into the table. Without
        # it, to_parquet writes only their paths (0.2 MB of Parquet for 201 MB of
        # pictures), and the baseline would measure nothing.
        ds = ds.with_format("arrow").map(embed_table_storage, batched=True,
                                         batch_size=1000, keep_in_memory=True)
        ds.with_format(None).to_parquet(work / "images.parquet")
    elif task == "webdataset":
        import webdataset as wds

        with wds.ShardWriter(str(work / "images-%05d.tar"), maxsize=1024**3,
                             verbose=0) as sink:
            for r in rows:
                sink.write({"__key__": r["id"], "txt": r["caption"],
                            "jpg": (source.parent / r["file_name"]).read_bytes()})
    else:
        run_task(task, source, work, dataset="bench-images")


def run_task(task: str, source: Path, work: Path, dataset: str = "bench-essays") -> None:
    """One measured task, in this (child) process."""
    if task == "cp":
        shutil.copyfile(source, work / "copy.jsonl")
        fd = os.open(work / "copy.jsonl", os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    elif task == "sha256":
        from archive.shards.files import sha256_file

        sha256_file(source)
    elif task == "datasets":
        import datasets

        ds = datasets.Dataset.from_json(str(source), cache_dir=str(work / "cache"))
        shards = max(1, source.stat().st_size // 500_000_000 + 1)
        for index in range(shards):
            ds.shard(shards, index, contiguous=True).to_parquet(work / f"ds-{index}.parquet")
    elif task == "pyarrow":
        import pyarrow.json as pj
        import pyarrow.parquet as pq

        reader = pj.open_json(source)
        with pq.ParquetWriter(work / "pa.parquet", reader.schema, compression="zstd") as w:
            for batch in reader:
                w.write_batch(batch)
    elif task == "convert":  # what the build does but validation and screening
        from archive.build import batches
        from archive.features import arrow_schema, record_batch
        from archive.parallel import fewer_collections
        from archive.prepare import serialise
        from archive.readers import read_split
        from archive.shards.files import FileLog, sha256sums
        from archive.shards.parquet import ParquetShards
        from archive.shards.webdataset import WebDatasetShards

        log, schema = FileLog(work / "convert"), arrow_schema("text")
        with ParquetShards(log, "train", schema) as parquet, \
                WebDatasetShards(log, "train", "text") as tars, fewer_collections():
            for batch in batches(read_split("bench", "text", "jsonl", source.parent, "train",
                                            [source.name])):
                rows, sizes, samples = zip(*(serialise(r, "text") for r in batch), strict=True)
                for members in samples:
                    tars.write_sample(members)
                parquet.write_rows(record_batch(list(rows), schema), list(sizes))
        (work / "convert" / "SHA256SUMS").write_text(sha256sums(log.sorted()))
    elif task == "screen":
        from archive.entries import Registry
        from archive.parallel import Engine
        from archive.pipeline import screen

        screen(Registry(work.parent / "root"), dataset, engine=Engine(workers=2))
    elif task in ("build", "rebuild", "build-2w"):
        from archive.build import build
        from archive.entries import Registry
        from archive.parallel import Engine

        entry = Registry(work.parent / "root").get(dataset)
        build(entry, work / "build", repo_id=f"bench/{dataset}", url="https://example.org",
              engine=Engine(workers=2 if task == "build-2w" else 1))
    else:
        raise SystemExit(f"unknown task {task}")


def video_corpus(folder: Path, megabytes: int, seed: int = 0) -> int:
    """Write one MP4 of about ``megabytes`` MB (a second of noise at a high bit rate, its
    packets repeated, with a title, an artist and a location for the build to strip) and
    a ``metadata.jsonl`` naming it; return its size."""
    import io

    import av
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    clip = io.BytesIO()
    with av.open(clip, "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        stream.bit_rate = 50_000_000
        for _ in range(25):
            pixels = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode())
    path = folder / "video-0.mp4"
    with av.open(io.BytesIO(clip.getvalue())) as src, av.open(str(path), "w",
                                                               format="mp4") as dst:
        dst.metadata.update({"title": "Afmæli Jóns", "artist": "Jón Jónsson",
                             "location": "+64.1466-021.9426/"})
        copy = dst.add_stream_from_template(src.streams.video[0])
        packets = [p for p in src.demux(video=0) if p.dts is not None]
        step = max(p.pts for p in packets) + packets[1].pts - packets[0].pts
        written, round_ = 0, 0
        while written < megabytes * 1_000_000:
            for packet in packets:
                original = (packet.pts, packet.dts)
                packet.pts, packet.dts = original[0] + round_ * step, original[1] + round_ * step
                packet.stream = copy
                dst.mux(packet)
                packet.pts, packet.dts = original
                written += packet.size
            round_ += 1
    (folder / "metadata.jsonl").write_text(json.dumps(
        {"file_name": path.name, "id": "video-0", "caption": "Noise, for the benchmark.",
         "language": "en"}) + "\n", encoding="utf-8")
    return path.stat().st_size


SMALL_VIDEO_MB = 300
"""The smaller video of ``--video-mb``: just above the size from which videos stream."""


def video_memory_check(megabytes: int) -> int:
    """Build a dataset of one video of :data:`SMALL_VIDEO_MB` and one of ``megabytes``;
    1 if memory grew more than 10%."""
    return peak_growth((SMALL_VIDEO_MB, megabytes), _one_video, "video-build")


def _one_video(work: Path, size: int) -> tuple[Path, str]:
    source = work / "data" / "metadata.jsonl"
    made = video_corpus(source.parent, size)
    entry_for(work, source, 1, made, kind="video")
    return source, f"one {made / 1e6:,.0f} MB video"


KINDS = {"text": ("bench-essays", "Benchmark essays",
                  "essays assembled from the bundled examples' sentences."),
         "image": ("bench-images", "Benchmark images",
                   "pictures of shapes on noisy backgrounds, with captions."),
         "video": ("bench-video", "Benchmark video", "noise at a high bit rate.")}
"""Dataset id, title and description of each generated corpus."""


def entry_for(work: Path, source: Path, records: int, size: int | None = None,
              kind: str = "text") -> None:
    """An approved entry for a generated corpus, so ``build`` runs the whole pipeline."""
    from archive.entries import Registry

    root = work / "root"
    (root / "datacards").mkdir(parents=True, exist_ok=True)
    dataset, title, description = KINDS[kind]
    media = kind != "text"
    form = {"id": dataset, "title": title,
            "description": "Generated for the benchmark: " + description,
            "modalities": [kind], "record_type": kind,
            "languages": ["en"] if media else ["is", "en"], "license": "CC-BY-4.0",
            "pathway": "open",
            "size": {"records": records, "bytes": size or source.stat().st_size},
            "source": {"format": "folder" if media else "jsonl",
                       "splits": {"train": [source.name]}},
            "organisation": {"name": "Benchmark"},
            "contact": {"name": "Bench Mark", "email": "bench@example.org"}}
    (work / "form.yaml").write_text(yaml.safe_dump(form))
    registry = Registry(root)
    entry = registry.intake(work / "form.yaml", source.parent)
    card = "nordic-scenes-captions" if media else "icelandic-english-essays"
    shutil.copyfile(ROOT / "datacards" / card / "card.md", entry.card_path)
    # Substituted words make a few name-like phrases ("Jón Sigurðsson"): report them
    # (found and counted all the same) rather than hold the benchmark's build.
    entry.screening = {"pii": {"default": "report"}}
    registry.save(entry)
    registry.approve(dataset, "benchmark")


def import_everything() -> None:
    """Import what any task imports, before it is timed (the imports took about a second:
    a sixth of the ``datasets`` task at 1 GB). Worker processes still import on their
    own: that is part of a build with workers."""
    for module in ("datasets", "datasets.table", "pyarrow.json", "pyarrow.parquet",
                   "webdataset", "archive.build", "archive.pipeline"):
        importlib.import_module(module)


def measure(task: str, source: Path, work: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of one task, run in a fresh process."""
    done = subprocess.run([sys.executable, __file__, "--child", task, str(source), str(work)],
                          check=False, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"task {task} failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["seconds"], figures["rss_kb"] / 1024


def memory_check(megabytes: int) -> int:
    """Build corpora of ``megabytes`` and four times as much; 1 if memory grew > 10%."""
    return peak_growth((megabytes, 4 * megabytes), _essays, "build")


def _essays(work: Path, size: int) -> tuple[Path, str]:
    source = work / "data" / "train.jsonl"
    source.parent.mkdir()
    entry_for(work, source, corpus(source, size))
    return source, f"{size:,} MB of essays"


def peak_growth(sizes: tuple[int, int], make: Callable[[Path, int], tuple[Path, str]],
                task: str) -> int:
    """Build, with ``task``, the dataset that ``make`` writes (returning its source and
    a label) at each of two sizes; 1 if the larger one's peak memory is more than 10%
    above the smaller one's."""
    peaks, labels = [], []
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            work = Path(tmp)
            source, label = make(work, size)
            (work / "out").mkdir()
            seconds, peak = measure(task, source, work / "out")
            peaks.append(peak)
            labels.append(label)
            print(f"build of {label}: {seconds:.1f} s, peak RSS {peak:,.0f} MB", flush=True)
    ratio = peaks[1] / peaks[0]
    print(f"peak memory ratio {labels[1]} / {labels[0]}: {ratio:.2f} (at most 1.10 expected)")
    return 0 if ratio <= 1.10 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=256, help="Size of the text corpus in MB.")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--memory-check", action="store_true",
                        help="Compare the build's peak memory on MB and 4 x MB of input.")
    parser.add_argument("--repeat", type=int, default=1,
                        help="Run every task this many times; report the median.")
    parser.add_argument("--images", type=int, default=0,
                        help="Also run the media tasks on a corpus of this many JPEGs.")
    parser.add_argument("--video-mb", type=int, default=0,
                        help="Only compare the build's peak memory on one video of this "
                             "many MB and one of 300 MB.")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        task, source, work = args.child
        if task == "rebuild":  # the same build again: what the cache saves
            run_task("build", Path(source), Path(work))
        import_everything()  # timed after imports, for every task alike
        started = time.perf_counter()
        if task.startswith("media-"):
            run_media_task(task.removeprefix("media-"), Path(source), Path(work))
        elif task.startswith("video-"):
            run_task(task.removeprefix("video-"), Path(source), Path(work), "bench-video")
        else:
            run_task(task, Path(source), Path(work))
        seconds = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"seconds": seconds,
                          "rss_kb": own + largest * task.endswith(("build-2w", "screen"))}))
        return
    if args.memory_check:
        raise SystemExit(memory_check(args.mb))
    if args.video_mb:
        raise SystemExit(video_memory_check(args.video_mb))
    if args.mb:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            work = Path(tmp)
            (work / "data").mkdir()
            source = work / "data" / "train.jsonl"
            records = corpus(source, args.mb)
            entry_for(work, source, records)
            print(f"text corpus: {source.stat().st_size / 1e6:,.0f} MB, {records:,} records; "
                  f"{os.cpu_count()} cores")
            report(run_all(args.tasks.split(","), source, work, args.repeat), records,
                   source.stat().st_size)
    if args.images:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            work = Path(tmp)
            source = work / "data" / "metadata.jsonl"
            size = image_corpus(source.parent, args.images)
            entry_for(work, source, args.images, size, kind="image")
            print(f"media corpus: {size / 1e6:,.0f} MB, {args.images:,} JPEGs")
            report(run_all([f"media-{t}" for t in MEDIA_TASKS], source, work, args.repeat),
                   args.images, size)


def run_all(tasks: list[str], source: Path, work: Path, repeat: int = 1
            ) -> dict[str, tuple[float, float]]:
    """The median seconds and the largest peak memory of each task over ``repeat`` rounds,
    each run in a fresh process and folder; a round runs every task once, so that drift
    in the machine's speed touches all tasks alike."""
    runs: dict[str, list[tuple[float, float]]] = {task: [] for task in tasks}
    for _ in range(repeat):
        for task in tasks:
            out = work / f"out-{task}"
            out.mkdir()
            runs[task].append(measure(task, source, out))
            shutil.rmtree(out)
    return {task: (statistics.median(s for s, _ in figures), max(p for _, p in figures))
            for task, figures in runs.items()}


def report(results: dict[str, tuple[float, float]], records: int, size: int) -> None:
    """The table: seconds, MB/s, records/s, ratio to the datasets task, peak memory."""
    base = next((s for t, (s, _) in results.items() if t.endswith("datasets")), None)
    print(f"{'task':<18}{'seconds':>9}{'MB/s':>9}{'records/s':>11}{'vs datasets':>13}"
          f"{'peak RSS MB':>13}")
    for task, (seconds, peak) in results.items():
        ratio = f"{base / seconds:.2f}x" if base else "-"
        print(f"{task:<18}{seconds:>9.1f}{size / 1e6 / seconds:>9.1f}"
              f"{records / seconds:>11,.0f}{ratio:>13}{peak:>13.0f}")
    seconds = {task.removeprefix("media-"): s for task, (s, _) in results.items()}
    for label, slower, faster, target in RATIOS:
        if slower in seconds and faster in seconds:
            print(f"{label}: {seconds[slower] / seconds[faster]:.2f} (target {target})")


RATIOS = [("screening speed / conversion speed", "convert", "screen", ">= 0.5"),
          ("build with 2 workers, speed-up over 1", "build", "build-2w", ">= 1.7"),
          ("rebuild from the cache / build, in time", "rebuild", "build", "< 0.05")]
"""Derived figures the issues set targets for: (label, task, task, target), the first
task's seconds over the second's."""


if __name__ == "__main__":
    main()
