"""What the Hub understands in card metadata: task categories, languages, sizes."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import datasets

TASK_CATEGORIES = frozenset({
    "any-to-any", "audio-classification", "audio-to-audio", "audio-text-to-text",
    "automatic-speech-recognition", "depth-estimation", "document-question-answering",
    "feature-extraction", "fill-mask", "graph-ml", "image-classification",
    "image-feature-extraction", "image-segmentation", "image-text-to-text", "image-to-3d",
    "image-to-image", "image-to-text", "image-to-video", "keypoint-detection",
    "mask-generation", "multiple-choice", "object-detection", "other", "question-answering",
    "reinforcement-learning", "robotics", "sentence-similarity", "summarization",
    "table-question-answering", "table-to-text", "tabular-classification",
    "tabular-regression", "tabular-to-text", "text-classification", "text-generation",
    "text-ranking", "text-retrieval", "text-to-3d", "text-to-audio", "text-to-image",
    "text-to-speech", "text-to-video", "text2text-generation", "time-series-forecasting",
    "token-classification", "translation", "unconditional-image-generation",
    "video-classification", "video-text-to-text", "visual-document-retrieval",
    "visual-question-answering", "voice-activity-detection", "zero-shot-classification",
    "zero-shot-image-classification", "zero-shot-object-detection",
})
"""The Hub's task categories (its pipeline tags) accepted in ``task_categories``."""

_RESOURCES = Path(datasets.__file__).parent / "utils" / "resources"


@cache
def size_categories() -> list[str]:
    """The Hub's ``size_categories`` values, as shipped with ``datasets``."""
    return json.loads((_RESOURCES / "size_categories.json").read_text(encoding="utf-8"))


@cache
def hub_languages() -> frozenset[str]:
    """Language codes the Hub knows in card metadata, as shipped with ``datasets``."""
    return frozenset(json.loads((_RESOURCES / "languages.json").read_text(encoding="utf-8")))
