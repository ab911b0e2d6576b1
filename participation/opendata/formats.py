"""The one shape of every export of the catalogue.

* **CSV**: UTF-8 without byte order mark, comma separator (the SCDL's and
  Etalab's rule for tabular open data), ``\\r\\n`` line ends, a header of the
  dataset's field names in their order, an empty cell for a missing value;
  served as an attachment with a download name (``subventions.csv``).
* **JSON**: ``{"data": [...], "meta": {...}}`` for every dataset. ``data``
  holds one object per row, keys in the fields' order (for the agenda, one
  schema.org ``Event`` object per item, JSON-LD style); ``meta`` says what the
  file is: dataset, title, schema, licence, latest change, row count, fields.
  No national schema prescribes a JSON shape (the SCDL schemas are Table
  Schemas, tabular), so the SCDL datasets take the same shape.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from flask import Response, url_for

from participation.opendata.catalogue import LICENCE, Dataset


def moment(value: datetime | date | None) -> str | None:
    """ISO 8601: a datetime in UTC with its offset, a date as is."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value == value else ""
    return str(value)


def to_csv(fields, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in fields])
    return buffer.getvalue()


def download(body: str, filename: str, media_type: str) -> Response:
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(dataset: Dataset) -> Response:
    return download(to_csv(dataset.fields, dataset.rows()), f"{dataset.slug}.csv", "text/csv")


def meta(dataset: Dataset, count: int) -> dict:
    schema = dataset.schema
    return {
        "dataset": dataset.slug,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "schema": {"name": schema.name, "version": schema.version, "url": schema.url} if schema else None,
        "license": LICENCE.url,
        "licenseTitle": LICENCE.title,
        "modified": moment(dataset.modified()),
        "count": count,
        "fields": None if dataset.json_rows else list(dataset.fields),
        "catalogue": url_for("opendata.catalogue_jsonld", _external=True),
    }


def json_document(dataset: Dataset) -> dict:
    data = dataset.json_rows() if dataset.json_rows else [{name: row.get(name) for name in dataset.fields} for row in dataset.rows()]
    return {"data": data, "meta": meta(dataset, len(data))}


def json_response(dataset: Dataset) -> Response:
    body = json.dumps(json_document(dataset), ensure_ascii=False, indent=1, default=str)  # lazy labels read as text
    return download(body, f"{dataset.slug}.json", "application/json")
