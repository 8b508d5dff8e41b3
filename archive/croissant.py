"""MLCommons Croissant 1.0 metadata (``croissant.json``) for a release.

Every release file is a ``cr:FileObject`` with its real sha256; the Parquet shards of
each split are also a ``cr:FileSet`` from which the record set's fields are extracted.
Responsible-AI fields (``rai:``) are filled from the card's human sections.
"""

from __future__ import annotations

from typing import Any

import datasets

from .entries import Entry
from .features import features
from .humancard import read_sections
from .release import Release

CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs", "column": "cr:column", "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract",
    "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key",
    "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex",
    "repeated": "cr:repeated", "replace": "cr:replace", "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform", "samplingRate": "cr:samplingRate",
    "equivalentProperty": "cr:equivalentProperty",
}

_DTYPES = {"string": "sc:Text", "float64": "sc:Float", "int64": "sc:Integer",
           "bool": "sc:Boolean"}
_MEDIA = {datasets.Image: "sc:ImageObject", datasets.Audio: "sc:AudioObject",
          datasets.Video: "sc:VideoObject"}
_RAI = {"rai:dataCollection": "Collection process", "rai:dataAnnotationProtocol":
        "Annotation process", "rai:personalSensitiveInformation":
        "Personal and sensitive information", "rai:dataBiases": "Known limitations and biases",
        "rai:dataLimitations": "Known limitations and biases", "rai:dataUseCases":
        "Intended uses"}


def _field(record_set: str, name: str, feature: Any, file_set: str) -> dict[str, Any]:
    source: dict[str, Any] = {"fileSet": {"@id": file_set}, "extract": {"column": name}}
    out: dict[str, Any] = {"@type": "cr:Field", "@id": f"{record_set}/{name}", "name": name}
    media = next((t for cls, t in _MEDIA.items() if isinstance(feature, cls)), None)
    if media:
        out["dataType"] = media
        source["transform"] = {"jsonPath": "bytes"}
    elif isinstance(feature, datasets.List):
        out["repeated"] = True
        out["subField"] = [
            {"@type": "cr:Field", "@id": f"{record_set}/{name}/{sub}", "name": sub,
             "dataType": _DTYPES.get(f.dtype, "sc:Text"),
             "source": {"fileSet": {"@id": file_set}, "extract": {"column": name},
                        "transform": {"jsonPath": sub}}}
            for sub, f in feature.feature.items()]
    else:
        out["dataType"] = _DTYPES.get(getattr(feature, "dtype", "string"), "sc:Text")
    out["source"] = source
    return out


def croissant(release: Release, entry: Entry, *, url: str) -> dict[str, Any]:
    """The Croissant JSON-LD document of a release; ``url`` is the dataset's page.

    File URLs are relative: the files sit beside ``croissant.json`` in the release.
    """
    human = read_sections(entry.card_path, entry.id)
    objects = [{
        "@type": "cr:FileObject", "@id": f.path, "name": f.path,
        "contentUrl": f.path, "contentSize": f"{f.size} B",
        "encodingFormat": _encoding(f.path), "sha256": f.sha256,
    } for f in release.files]
    file_set = "parquet-files"
    objects.append({"@type": "cr:FileSet", "@id": file_set, "name": file_set,
                    "description": "The Parquet shards of every split.",
                    "encodingFormat": "application/x-parquet", "includes": "data/*.parquet"})
    record_set = "default"
    fields = [_field(record_set, name, feature, file_set)
              for name, feature in features(release.record_type).items()]
    document: dict[str, Any] = {
        "@context": CONTEXT, "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": release.dataset, "alternateName": release.title,
        "description": entry.form["description"], "version": release.version,
        "license": f"https://spdx.org/licenses/{release.license}.html",
        "url": url,
        "inLanguage": release.languages,
        "creator": {"@type": "Organization", "name": release.organisation["name"],
                    **({"url": release.organisation["url"]}
                       if release.organisation.get("url") else {})},
        "keywords": sorted(release.modalities),
        "distribution": objects,
        "recordSet": [{"@type": "cr:RecordSet", "@id": record_set, "name": record_set,
                       "key": {"@id": f"{record_set}/id"}, "field": fields}],
    }
    document["citeAs"] = entry.form.get("citation") or (
        f"{release.organisation['name']}. {release.title} (version {release.version}). "
        f"{url}")
    if release.approval.get("at"):
        document["datePublished"] = release.approval["at"][:10]
    for key, title in _RAI.items():
        if human.get(title):
            document[key] = human[title]
    return document


def _encoding(path: str) -> str:
    return {"parquet": "application/x-parquet", "tar": "application/x-tar",
            "json": "application/json"}.get(path.rsplit(".", 1)[-1], "text/plain")
