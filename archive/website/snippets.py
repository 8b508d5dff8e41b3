"""Copy-paste code to load a release, for the kind of hub the site was built from."""

from __future__ import annotations

from dataclasses import dataclass

from ..features import media_columns
from ..hub import Hub
from ..hub.local import LocalHub
from ..release import SUMS_FILE, Release
from .published import ordered_splits

DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class Snippet:
    """One snippet: a stable key (for tests and anchors), a title, a language, the code."""

    key: str
    title: str
    language: str
    code: str
    note: str = ""


def _braces(paths: list[str]) -> str:
    """``webdataset/train-00000.tar`` .. ``-00003.tar`` -> ``train-{00000..00003}.tar``."""
    if len(paths) == 1:
        return paths[0]
    first, last = paths[0], paths[-1]
    stem, number = first.rsplit("-", 1)
    return f"{stem}-{{{number.split('.')[0]}..{last.rsplit('-', 1)[1].split('.')[0]}}}.tar"


def _undecoded(record_type: str) -> tuple[str, str]:
    """(import line, cast suffix) that keep audio/video undecoded: decoding them in
    ``datasets`` needs torch and torchcodec, which a reader may not have."""
    kinds = {"audio": "Audio", "video": "Video"}
    columns = [c for c in media_columns(record_type) if c in kinds]
    if not columns:
        return "from datasets import load_dataset", ""
    names = sorted({kinds[c] for c in columns})
    cast = "".join(f'.cast_column("{c}", {kinds[c]}(decode=False))' for c in columns)
    return f"from datasets import {', '.join(names)}, load_dataset", cast


def snippets(hub: Hub, release: Release, tag: str) -> list[Snippet]:
    """The load snippets of a release: Parquet (whole and streaming), WebDataset, files."""
    split = ordered_splits(release)[0]
    tars = [f.path for f in release.splits[split].webdataset]
    if isinstance(hub, LocalHub):
        return _local(hub, release, tag, split, tars)
    return _remote(hub, release, tag, split, tars)


def _local(hub: LocalHub, release: Release, tag: str, split: str,
           tars: list[str]) -> list[Snippet]:
    folder = (hub.root / release.repo_id / tag).as_posix()
    urls = ", ".join(repr(f"{folder}/{t}") for t in tars)
    imports, cast = _undecoded(release.record_type)
    return [
        Snippet("parquet", "datasets: Parquet", "python",
                f'from datasets import load_dataset\n\nds = load_dataset("{folder}")\n'
                "print(ds)\n"),
        Snippet("streaming", "datasets: Parquet, streaming", "python",
                f"{imports}\n\n"
                f'stream = load_dataset("{folder}", split="{split}", streaming=True){cast}\n'
                "print(next(iter(stream))[\"id\"])\n"),
        Snippet("webdataset", "webdataset: tar shards", "python",
                "import webdataset as wds\n\n"
                f"ds = wds.WebDataset([{urls}], shardshuffle=False, empty_check=False)\n"
                'print(next(iter(ds))["__key__"])\n'),
        Snippet("files", "Files and checksums", "bash",
                f'cp -rL "{folder}" {release.dataset}\n'
                f"cd {release.dataset} && sha256sum -c {SUMS_FILE}\n",
                note="This site was built from a local hub (a folder), so there is nothing "
                     "to fetch with huggingface_hub: copy the release folder and check it."),
    ]


def _remote(hub: Hub, release: Release, tag: str, split: str,
            tars: list[str]) -> list[Snippet]:
    repo = release.repo_id
    endpoint = str(getattr(hub, "endpoint", DEFAULT_ENDPOINT)).rstrip("/")
    env = "" if endpoint == DEFAULT_ENDPOINT else f'# export HF_ENDPOINT="{endpoint}"\n'
    shards = _braces(tars) if tars else f"webdataset/{split}-00000.tar"
    imports, cast = _undecoded(release.record_type)
    return [
        Snippet("parquet", "datasets: Parquet", "python",
                f"{env}from datasets import load_dataset\n\n"
                f'ds = load_dataset("{repo}", revision="{tag}")\nprint(ds)\n'),
        Snippet("streaming", "datasets: Parquet, streaming", "python",
                f"{env}{imports}\n\n"
                f'stream = load_dataset("{repo}", revision="{tag}", split="{split}", '
                f"streaming=True){cast}\n"
                "print(next(iter(stream))[\"id\"])\n"),
        Snippet("webdataset", "webdataset: tar shards", "python",
                "import webdataset as wds\n\n"
                f'url = "{endpoint}/datasets/{repo}/resolve/{tag}/{shards}"\n'
                'ds = wds.WebDataset(f"pipe:curl -sL {url}", shardshuffle=False)\n'
                'print(next(iter(ds))["__key__"])\n',
                note="Or with datasets: load_dataset(\"webdataset\", data_files="
                     f"\"hf://datasets/{repo}@{tag}/webdataset/{split}-*.tar\", "
                     "streaming=True)."),
        Snippet("files", "huggingface_hub: files and checksums", "python",
                f"{env}from huggingface_hub import snapshot_download\n\n"
                f'folder = snapshot_download("{repo}", repo_type="dataset", revision="{tag}")\n'
                "print(folder)  # then, in that folder: "
                f"sha256sum -c {SUMS_FILE}\n"),
    ]
