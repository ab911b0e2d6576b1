"""The open data pages: the catalogue (/opendata/), its DCAT description and each dataset's CSV and JSON."""

from __future__ import annotations

import json
from datetime import datetime

from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import gettext as _

from participation.opendata.catalogue import FORMAT_LABELS, LICENCE, MEDIA_TYPES, Dataset, datasets, get_dataset, latest
from participation.opendata.formats import csv_response, json_response, moment
from participation.territory.services import current_territory

bp = Blueprint("opendata", __name__, url_prefix="/opendata")


def distributions(dataset: Dataset) -> list[dict]:
    """Each way to download the dataset: its format, media type and absolute URL."""
    found = [
        {"format": FORMAT_LABELS[fmt], "media_type": MEDIA_TYPES[fmt],
         "url": url_for(f"opendata.download_{fmt}", slug=dataset.slug, _external=True)}
        for fmt in dataset.formats
    ]
    found += [
        {"format": link.format, "media_type": link.media_type, "url": url_for(link.endpoint, _external=True, **dict(link.values))}
        for link in dataset.links
    ]
    return found


@bp.route("/")
def index():
    entries = [(dataset, distributions(dataset), dataset.modified()) for dataset in datasets()]
    return render_template("opendata/index.html", entries=entries, licence=LICENCE)


def _typed(value) -> dict:
    return {"@value": moment(value), "@type": "xsd:dateTime" if isinstance(value, datetime) else "xsd:date"}


def _dataset_node(dataset: Dataset, modified) -> dict:
    page = url_for("opendata.index", _external=True, _anchor=dataset.slug)
    node = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.slug,
        "dct:title": str(dataset.title),
        "dct:description": str(dataset.description),
        "dct:license": {"@id": LICENCE.url},
        "dcat:landingPage": {"@id": page},
        "dcat:keyword": [*dataset.keywords, *([str(dataset.theme)] if dataset.theme else [])],
        "dcat:distribution": [],
    }
    if modified is not None:
        node["dct:modified"] = _typed(modified)
    if dataset.schema:
        node["dct:conformsTo"] = {"@id": dataset.schema.url, "dct:title": f"{dataset.schema.name} {dataset.schema.version}"}
    for item in distributions(dataset):
        distribution = {
            "@id": item["url"],
            "@type": "dcat:Distribution",
            "dct:title": f"{dataset.title} ({item['format']})",
            "dcat:downloadURL": {"@id": item["url"]},
            "dcat:accessURL": {"@id": item["url"]},
            "dcat:mediaType": item["media_type"],
            "dct:format": item["format"],
            "dct:license": {"@id": LICENCE.url},
        }
        if dataset.schema and item["format"] in ("CSV", "JSON"):
            distribution["dct:conformsTo"] = {"@id": dataset.schema.url}
        node["dcat:distribution"].append(distribution)
    return node


@bp.route("/catalogue.jsonld")
def catalogue_jsonld():
    territory = current_territory()
    publisher = territory.name if territory else ""
    entries = [(dataset, dataset.modified()) for dataset in datasets()]
    document = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": url_for("opendata.catalogue_jsonld", _external=True),
        "@type": "dcat:Catalog",
        "dct:title": _("Données ouvertes de %(name)s", name=publisher) if publisher else _("Données ouvertes"),
        "dct:description": _("Les jeux de données que la plateforme de participation publie sous Licence Ouverte 2.0."),
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/FRA"},
        "dct:license": {"@id": LICENCE.url},
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": publisher},
        "foaf:homepage": {"@id": url_for("opendata.index", _external=True)},
        "dcat:dataset": [_dataset_node(dataset, modified) for dataset, modified in entries],
    }
    newest = latest(*(m for _d, m in entries))
    if newest is not None:
        document["dct:modified"] = _typed(newest)
    body = json.dumps(document, ensure_ascii=False, indent=1, default=str)  # lazy labels read as text
    return Response(body, mimetype="application/ld+json")


def _dataset_or_404(slug: str, fmt: str) -> Dataset:
    dataset = get_dataset(slug)
    if dataset is None or fmt not in dataset.formats:
        abort(404)
    return dataset


@bp.route("/<slug>.csv")
def download_csv(slug: str):
    return csv_response(_dataset_or_404(slug, "csv"))


@bp.route("/<slug>.json")
def download_json(slug: str):
    return json_response(_dataset_or_404(slug, "json"))
