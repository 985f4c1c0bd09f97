"""``type = "json"`` and ``type = "csv"``: a CMS export, one article per object or row.

Fields are found by name, case-insensitively, from a list of the names CMSs commonly
use (``DEFAULT_FIELDS``); ``mapping`` in the config overrides any of them, e.g.
``mapping = { title = "headline", date = "meta.first_published" }`` (dotted paths reach
into nested JSON objects).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from ..config import SourceConfig
from ..dates import make_aware, parse_date
from ..errors import BadSourceData, FetchError, SourceError, first_line
from ..log import warn
from .fetch import decode_text
from .registry import SOURCE_KINDS, CollectContext, Entry, SourceKind

# Our field → the names it goes by in exports, tried in order.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "url": ("url", "link", "permalink", "canonical_url"),
    "guid": ("id", "guid", "uuid"),
    "date": (
        "date", "published", "published_at", "pub_date", "pubdate", "publish_date",
        "date_published", "first_published", "created_at", "created",
    ),
    "updated": ("updated", "updated_at", "modified", "modified_at", "date_modified", "last_modified"),
    "author": ("author", "authors", "byline", "creator", "author_name"),
    "category": ("category", "section", "categories"),
    "tags": ("tags", "keywords", "topics"),
    "summary": ("summary", "description", "excerpt", "standfirst", "dek", "teaser", "abstract"),
    "body": ("body", "content", "text", "html", "body_html", "content_html", "article_body"),
    "image": ("image", "image_url", "thumbnail", "thumbnail_url", "lead_image", "og_image"),
}  # fmt: skip
_LIST_KEYS = ("items", "articles", "posts", "stories", "entries", "data", "results")
_NAME_KEYS = ("name", "title", "label", "url", "src", "href")


class ExportSource(SourceConfig):
    mapping: dict[str, str] = Field(
        default_factory=dict, description="our field → the export's column or dotted key"
    )
    body_format: Literal["auto", "html", "markdown", "text"] = "auto"
    date_format: str | None = Field(
        None, description="strptime format for dates that are not ISO 8601 / RFC 822"
    )
    encoding: str | None = None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value:
            import codecs

            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r}") from None
        return value or None

    @field_validator("mapping")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(DEFAULT_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown field {unknown[0]!r} in mapping; fields: {', '.join(DEFAULT_FIELDS)}"
            )
        return value


class JsonExportSource(ExportSource):
    type: Literal["json"]
    items: str | None = Field(None, description="dotted key of the list of articles")


class CsvExportSource(ExportSource):
    type: Literal["csv"]
    delimiter: str | None = Field(None, min_length=1, max_length=1)


# -- reading values ---------------------------------------------------------------------


def _lookup(record: dict[str, Any], key: str) -> Any:
    """A (dotted) key, matched case-insensitively at each level."""
    current: Any = record
    for part in key.split("."):
        if not isinstance(current, dict):
            return None
        if part in current:
            current = current[part]
            continue
        folded = part.casefold()
        current = next((v for k, v in current.items() if str(k).casefold() == folded), None)
    return current


def _field(record: dict[str, Any], field: str, mapping: dict[str, str]) -> Any:
    if field in mapping:
        return _lookup(record, mapping[field])
    for name in DEFAULT_FIELDS[field]:
        value = _lookup(record, name)
        if value not in (None, "", [], {}):
            return value
    return None


def _scalar(value: Any) -> str | None:
    """A text value from a scalar, or from an object's name/title/url; never from deep data."""
    if isinstance(value, dict):
        value = next((value[k] for k in _NAME_KEYS if isinstance(value.get(k), str)), None)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        text = str(value).strip()
        return text or None
    return None


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    if isinstance(value, list):
        return [n for n in (_scalar(v) for v in value[:100]) if n]
    one = _scalar(value)
    return [one] if one else []


def record_to_entry(
    record: dict[str, Any], source: ExportSource, ctx: CollectContext
) -> Entry | None:
    mapping = source.mapping

    def get(field: str) -> str | None:
        value = _field(record, field, mapping)
        if isinstance(value, list):
            value = value[0] if value else None
        return _scalar(value)

    title, body, summary = get("title"), get("body"), get("summary")
    if not (title or body or summary):
        return None
    raw_date = _field(record, "date", mapping)
    body_html: bool | None = {"auto": None, "html": True, "markdown": True, "text": False}[
        source.body_format
    ]
    if body and source.body_format == "markdown":
        from .markdown import markdown_to_html

        body = markdown_to_html(body)
    authors = _names(_field(record, "author", mapping))
    return Entry(
        title=title or "",
        url=get("url"),
        guid=get("guid"),
        published=_date(raw_date, source, ctx),
        updated=_date(_field(record, "updated", mapping), source, ctx),
        author=", ".join(authors) or None,
        category=get("category"),
        tags=_names(_field(record, "tags", mapping)),
        description=summary,
        content=body,
        content_html=body_html,
        image=get("image"),
    )


def _date(value: Any, source: ExportSource, ctx: CollectContext) -> datetime | None:
    if isinstance(value, str) and source.date_format:
        try:
            return make_aware(datetime.strptime(value.strip(), source.date_format), ctx.tz)
        except ValueError:
            return None
    if isinstance(value, str | int | float | date) and not isinstance(value, bool):
        return parse_date(value, ctx.tz)
    return None


def _entries(records: Iterator[Any], source: ExportSource, ctx: CollectContext) -> list[Entry]:
    entries: list[Entry] = []
    dicts: list[dict[str, Any]] = []
    skipped = 0
    for record in records:
        entry = record_to_entry(record, source, ctx) if isinstance(record, dict) else None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
        if isinstance(record, dict):
            dicts.append(record)
    if skipped:
        warn(f"source {source.display_name}: skipped {skipped} record(s) with no title or text")
    if dicts:
        _check_mapping(dicts, entries, source)
    return entries


def _check_mapping(
    records: list[dict[str, Any]], entries: list[Entry], source: ExportSource
) -> None:
    """Warn when the mapping names a key no record has, or no record has a readable date:
    otherwise every article would lose its link, or drop out as undated, without a word."""
    name = source.display_name
    keys = ", ".join(str(k) for k in records[0])
    what = "the columns are" if isinstance(source, CsvExportSource) else "the first record has"
    for field, key in source.mapping.items():
        if all(_lookup(record, key) is None for record in records):
            warn(f"source {name}: mapping.{field}: no record has {key!r} ({what} {keys})")
    if any(entry.published for entry in entries):
        return
    dates = (_field(record, "date", source.mapping) for record in records)
    sample = next((value for value in dates if value not in (None, "")), None)
    if sample is not None:
        fix = (
            f"date_format {source.date_format!r} does not match"
            if source.date_format
            else "set date_format"
        )
        warn(f"source {name}: no date could be read (e.g. {str(sample)[:40]!r}): {fix}")
    elif "date" not in source.mapping:  # a mapped date that matches nothing is reported above
        looked = ", ".join(DEFAULT_FIELDS["date"][:4])
        warn(
            f"source {name}: no record has a date (looked for {looked}...): "
            "set mapping.date to the column that holds it"
        )


def _text(source: ExportSource, ctx: CollectContext) -> str:
    fetched = ctx.fetcher.fetch(source.url or source.path or "")
    return decode_text(fetched.data, source.encoding or fetched.charset)


# -- JSON -------------------------------------------------------------------------------


def find_records(data: Any, items: str | None = None) -> list[Any]:
    """The list of articles in a JSON export: the top level, ``items`` (a dotted key), or
    the first of the usual keys (``items``, ``articles``, ``posts``, ``data``...) holding
    a list, one level down at most."""
    if items:
        found = _lookup(data, items) if isinstance(data, dict) else None
        if not isinstance(found, list):
            raise BadSourceData(f"no list of articles at {items!r}")
        return found
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for level in (data, *(v for v in data.values() if isinstance(v, dict))):
            for key in _LIST_KEYS:
                value = _lookup(level, key)
                if isinstance(value, list):
                    return value
    raise BadSourceData(
        'no list of articles found (a top-level list, or set items = "key.of.the.list")'
    )


def collect_json(source: SourceConfig, ctx: CollectContext) -> list[Entry]:
    import json

    assert isinstance(source, JsonExportSource)
    try:
        text = _text(source, ctx)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as err:
            raise BadSourceData(f"malformed JSON: {first_line(err)}") from None
        return _entries(iter(find_records(data, source.items)), source, ctx)
    except (FetchError, BadSourceData) as err:
        raise SourceError(source.display_name, str(err)) from None


# -- CSV --------------------------------------------------------------------------------


def malformed_csv(line: int, err: csv.Error) -> str:
    """The message for a CSV the reader gave up on; ``line`` is the first line of the row
    it could not read."""
    hint = " (a quote that is never closed?)" if "unexpected end of data" in str(err) else ""
    return f"malformed CSV at line {line}: {err}{hint}"


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def collect_csv(source: SourceConfig, ctx: CollectContext) -> list[Entry]:
    assert isinstance(source, CsvExportSource)
    try:
        text = _text(source, ctx)
        # Article bodies outgrow the csv module's 128 KB default field limit.
        csv.field_size_limit(max(csv.field_size_limit(), ctx.config.http.max_bytes))
        stream = io.StringIO(text)
        if source.delimiter:
            reader = csv.DictReader(stream, delimiter=source.delimiter, strict=True)
        else:
            reader = csv.DictReader(stream, dialect=_dialect(text[:8192]), strict=True)
        if not reader.fieldnames:
            raise BadSourceData("empty CSV (no header row)")
        try:
            rows = [
                {(k or "").strip(): v for k, v in row.items() if isinstance(v, str)}
                for row in reader
            ]
        except csv.Error as err:
            raise BadSourceData(malformed_csv(reader.line_num + 1, err)) from None
        return _entries(iter(rows), source, ctx)
    except (FetchError, BadSourceData) as err:
        raise SourceError(source.display_name, str(err)) from None


SOURCE_KINDS.add("json", SourceKind(config=JsonExportSource, collect=collect_json))
SOURCE_KINDS.add("csv", SourceKind(config=CsvExportSource, collect=collect_csv))
