"""The config model (``digest.toml``), its discovery and its one-line-per-problem errors.

Relative paths in the file are resolved against the file's folder. Source kinds, weather
providers, ESP presets and themes are looked up in their registries, so a plugin's kind
validates exactly like a built-in one.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import typing
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from .errors import ConfigError, first_line
from .files import read_bounded
from .log import info
from .resources import bundled_sample_config

CONFIG_ENV = "DIGEST_CONFIG"
DEFAULT_CONFIG_NAME = "digest.toml"


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Resolve a relative path against the config file's folder (passed in the context)."""
    value = value.expanduser()
    base = (info.context or {}).get("base_dir")
    if not value.is_absolute() and base is not None:
        value = Path(base) / value
    return value


RelPath = Annotated[Path, AfterValidator(_resolve_path)]


def _check_http_url(value: str) -> str:
    scheme = value.split(":", 1)[0].lower()
    if scheme not in ("http", "https") or "://" not in value:
        raise ValueError(f"must be an http(s) URL, got {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(_check_http_url)]


def _check_address(value: str) -> str:
    from .deliver.addresses import parse_address

    parse_address(value)
    return value


EmailAddress = Annotated[str, AfterValidator(_check_address)]


class Section(BaseModel):
    """Base of every config table: unknown keys are errors (typos must not pass silently)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# -- [digest] ---------------------------------------------------------------------------


class DigestSection(Section):
    title: str = "The Weekly Digest"
    timezone: str = "UTC"
    language: str = "en"
    max_stories: int = Field(8, ge=1, le=100)
    min_stories: int = Field(3, ge=0)
    trending_items: int = Field(6, ge=0, le=50)
    preheader: str | None = None
    show_health: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as 'Asia/Singapore')"
            ) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# -- [[sources]] ------------------------------------------------------------------------


class SourceConfig(Section):
    """Keys every source kind accepts. Kinds subclass this with ``type: Literal[...]``."""

    type: str
    name: str | None = None
    category: str | None = None
    weight: float = Field(1.0, ge=0)
    undated: Literal["keep", "drop"] = "drop"
    path: RelPath | None = None
    url: HttpUrl | None = None

    @model_validator(mode="after")
    def _path_or_url(self) -> SourceConfig:
        if self.needs_location() and (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of 'path' or 'url'")
        return self

    def needs_location(self) -> bool:
        return True

    @property
    def location(self) -> str:
        return str(self.url or self.path or "")

    @property
    def display_name(self) -> str:
        """The name warnings and the health table use."""
        if self.name:
            return self.name
        if self.path is not None:
            return self.path.name
        return self.location


# -- [trending] -------------------------------------------------------------------------


class TrendingSection(Section):
    name: str = "trending"
    path: RelPath | None = None
    url: HttpUrl | None = None
    format: Literal["auto", "csv", "json", "feed"] = "auto"

    @model_validator(mode="after")
    def _path_or_url(self) -> TrendingSection:
        if self.path is not None and self.url is not None:
            raise ValueError("give one of 'path' or 'url', not both")
        return self


# -- [weather] --------------------------------------------------------------------------


class WeatherPlace(Section):
    name: str
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    label: str | None = None


class WeatherSection(Section):
    provider: str = "none"
    path: RelPath | None = None
    base_url: HttpUrl = "https://api.open-meteo.com/v1/forecast"
    places: list[WeatherPlace] = Field(default_factory=list)
    units: Literal["C", "F"] = "C"
    ttl: float = Field(3600, ge=0, description="seconds a cached reading is fresh")
    max_stale: float = Field(86400, ge=0, description="seconds a cached reading may stand in")
    timeout: float = Field(10, gt=0)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, value: str) -> str:
        from .weather import WEATHER_PROVIDERS

        if value not in WEATHER_PROVIDERS:
            raise ValueError(WEATHER_PROVIDERS.unknown_message(value))
        return value

    @model_validator(mode="after")
    def _provider_needs(self) -> WeatherSection:
        if self.provider == "file" and self.path is None:
            raise ValueError("provider 'file' needs 'path'")
        if self.provider == "open-meteo" and not self.places:
            raise ValueError("provider 'open-meteo' needs at least one [[weather.places]]")
        return self


# -- [ranking] / [history] --------------------------------------------------------------


class BoostTable(Section):
    sources: dict[str, float] = Field(default_factory=dict)
    categories: dict[str, float] = Field(default_factory=dict)
    tags: dict[str, float] = Field(default_factory=dict)


class RankingSection(Section):
    recency: float = 1.0
    popularity: float = 1.0
    editorial: float = 1.0
    source_weight: float = 0.5
    coverage: float = 0.5
    half_life_days: float = Field(3.0, gt=0)
    pin: list[str] = Field(default_factory=list, description="URLs to feature; the first leads")
    boost: BoostTable = Field(default_factory=BoostTable)
    diversity: Literal["mmr", "caps", "none"] = "mmr"
    mmr_lambda: float = Field(0.7, ge=0, le=1)
    max_per_category: int = Field(3, ge=0, description="0 = no cap")
    max_per_source: int = Field(0, ge=0, description="0 = no cap")


class HistorySection(Section):
    enabled: bool = True
    path: RelPath | None = None
    exclude_last: int = Field(4, ge=0)


class HealthSection(Section):
    failures: int = Field(
        3, ge=1, description="consecutive failed runs before a source is unhealthy"
    )
    silent_weeks: float = Field(
        4, gt=0, description="weeks without new items before a source is unhealthy"
    )


# -- [summary] --------------------------------------------------------------------------


class SummarySection(Section):
    sentences: int = Field(3, ge=1, le=20)
    chars: int = Field(300, ge=40, le=5000)
    prefer_description: bool = True
    trending_chars: int = Field(160, ge=0, le=1000)


# -- [render] / [email] / [smtp] --------------------------------------------------------


class UtmSection(Section):
    enabled: bool = True
    source: str = "digest"
    medium: str = "email"
    campaign: str = "{date:%Y-%m-%d}"


class RenderSection(Section):
    theme: str = "default"
    template_dir: RelPath | None = None
    show_images: bool = False
    utm: UtmSection = Field(default_factory=UtmSection)

    @field_validator("template_dir", mode="before")
    @classmethod
    def _empty_means_theme(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, value: str) -> str:
        from .render.themes import THEMES

        if value not in THEMES:
            raise ValueError(THEMES.unknown_message(value))
        return value


class EmailSection(Section):
    esp: str = "generic"
    from_: EmailAddress | None = Field(None, alias="from")
    to: list[EmailAddress] = Field(default_factory=list)
    reply_to: EmailAddress | None = None
    subject: str = "{title} — {date:%d %B %Y}"
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    web_url: str | None = Field(None, description="where the issue is published (view in browser)")
    preferences_url: str | None = Field(None, description="manage-preferences link (or merge tag)")
    recipient: str | None = Field(None, description="merge tag for the footer's 'sent to' line")

    @field_validator("unsubscribe_url", "web_url", "preferences_url")
    @classmethod
    def _link_or_merge_tag(cls, value: str | None) -> str | None:
        from .render.esp import check_link_setting

        return check_link_setting(value) if value else None  # "" = the preset's

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("unsubscribe_mailto")
    @classmethod
    def _mailto(cls, value: str | None) -> str | None:
        return None if value is None else _check_address(value.removeprefix("mailto:"))

    @field_validator("esp")
    @classmethod
    def _known_esp(cls, value: str) -> str:
        from .render.esp import ESP_PRESETS

        if value not in ESP_PRESETS:
            raise ValueError(ESP_PRESETS.unknown_message(value))
        return value


class SmtpSection(Section):
    host: str = "localhost"
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    timeout: float = Field(30, gt=0)
    retries: int = Field(3, ge=0)
    retry_delay: float = Field(2.0, ge=0, description="seconds before the first retry; doubles")
    verify: bool = Field(True, description="check the server's TLS certificate")
    cafile: RelPath | None = Field(None, description="CA bundle (PEM) to trust instead")


class HttpSection(Section):
    timeout: float = Field(20, gt=0, description="read timeout, seconds")
    connect_timeout: float = Field(10, gt=0)
    retries: int = Field(2, ge=0, le=10, description="retries after a 5xx or a timeout")
    backoff: float = Field(0.5, ge=0, description="seconds before the first retry; doubles")
    max_time: float = Field(120, gt=0, description="seconds one response may take in all")
    max_bytes: int = Field(20 * 1024 * 1024, gt=0)
    concurrency: int = Field(8, ge=1, le=64)
    user_agent: str | None = None
    cache: bool = True


class PathsSection(Section):
    data_dir: RelPath | None = None
    cache_dir: RelPath | None = None


# -- the whole file ---------------------------------------------------------------------


class Config(Section):
    digest: DigestSection = Field(default_factory=DigestSection)
    sources: list[SourceConfig] = Field(default_factory=list)
    trending: TrendingSection | None = None
    weather: WeatherSection = Field(default_factory=WeatherSection)
    ranking: RankingSection = Field(default_factory=RankingSection)
    history: HistorySection = Field(default_factory=HistorySection)
    health: HealthSection = Field(default_factory=HealthSection)
    summary: SummarySection = Field(default_factory=SummarySection)
    render: RenderSection = Field(default_factory=RenderSection)
    email: EmailSection = Field(default_factory=EmailSection)
    smtp: SmtpSection = Field(default_factory=SmtpSection)
    http: HttpSection = Field(default_factory=HttpSection)
    paths: PathsSection = Field(default_factory=PathsSection)

    # Where the config came from (not a key of the file).
    source_file: Path | None = Field(default=None, exclude=True)

    @field_validator("sources", mode="before")
    @classmethod
    def _tables_of_sources(cls, value: Any) -> Any:
        if isinstance(value, dict):  # [sources] where [[sources]] was meant
            raise ValueError("one [[sources]] table per source (double brackets), not [sources]")
        return value

    @property
    def base_dir(self) -> Path:
        return self.source_file.parent if self.source_file else Path.cwd()

    @property
    def data_dir(self) -> Path:
        if self.paths.data_dir:
            return self.paths.data_dir
        if env := os.environ.get("DIGEST_DATA_DIR"):
            return Path(env)
        import platformdirs

        return Path(platformdirs.user_data_dir("digest"))

    @property
    def cache_dir(self) -> Path:
        if self.paths.cache_dir:
            return self.paths.cache_dir
        if env := os.environ.get("DIGEST_CACHE_DIR"):
            return Path(env)
        import platformdirs

        return Path(platformdirs.user_cache_dir("digest"))

    @property
    def state_path(self) -> Path:
        """The SQLite file holding history, feed health and the send ledger."""
        return self.history.path or self.data_dir / "digest.sqlite3"


@cache
def _config_model(kinds: tuple[str, ...]) -> type[Config]:
    """A ``Config`` whose ``sources`` is a union of the registered kinds, tagged by ``type``."""
    from .collect.registry import SOURCE_KINDS

    models = tuple(SOURCE_KINDS.get(kind).config for kind in kinds)
    item: Any = models[0] if len(models) == 1 else Union[models]  # noqa: UP007
    source = Annotated[item, Field(discriminator="type")] if len(models) > 1 else item
    return create_model(
        "Config",
        __base__=Config,
        sources=(list[source], Field(default_factory=list)),  # type: ignore[valid-type]
    )


def parse_config(
    data: dict[str, Any], *, base_dir: Path | None = None, filename: str = "config"
) -> Config:
    """Validate a config mapping; raise ``ConfigError`` with one line per problem."""
    from .collect.registry import SOURCE_KINDS

    model = _config_model(tuple(SOURCE_KINDS.names()))
    try:
        return model.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as err:
        problems = [f"{filename}: {line}" for line in _describe_errors(err, data, model)]
        raise ConfigError(problems[0], problems) from None


# A config is a few KB; a bigger file is the wrong one (and would be read whole first).
MAX_CONFIG_BYTES = 1 << 20


def load_config(path: Path) -> Config:
    """Read and validate a TOML config file."""
    try:
        raw, size = read_bounded(path, MAX_CONFIG_BYTES)
        if size > MAX_CONFIG_BYTES:
            shown = f"{size / (1 << 30):.3g} GB" if size >= 1 << 30 else "over 1 MB"
            raise ConfigError(f"{path}: {shown} is not a config file (those are a few KB)")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config file: {err.strerror or err}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    config = parse_config(data, base_dir=path.resolve().parent, filename=str(path))
    config.source_file = path.resolve()
    return config


def find_config(explicit: Path | None = None, *, cwd: Path | None = None) -> tuple[Path, str]:
    """Find the config: ``--config``, else ``$DIGEST_CONFIG``, else ``./digest.toml``, else the
    bundled sample. Returns the path and how it was found (for the stderr note)."""
    if explicit is not None:
        return explicit, "option"
    if env := os.environ.get(CONFIG_ENV):
        return Path(env), "environment"
    local = (cwd or Path.cwd()) / DEFAULT_CONFIG_NAME
    if local.is_file():
        return local, "cwd"
    return bundled_sample_config(), "bundled"


def discover_config(explicit: Path | None = None) -> Config:
    path, how = find_config(explicit)
    if how == "bundled":
        info(
            f"no --config, ${CONFIG_ENV} or ./{DEFAULT_CONFIG_NAME}; "
            f"using the bundled sample config ({path})"
        )
    return load_config(path)


# -- error messages ---------------------------------------------------------------------


def _describe_errors(
    err: ValidationError, data: dict[str, Any], model: type[BaseModel]
) -> list[str]:
    lines = []
    for error in err.errors(include_url=False):
        loc = _clean_loc(error["loc"], data)
        where = _format_loc(loc) or "(top level)"
        kind = error["type"]
        if kind == "extra_forbidden":
            known = _known_keys(model, loc[:-1], data)
            hint = difflib.get_close_matches(str(loc[-1]), known, n=1)
            tip = f" (did you mean {hint[0]!r}?)" if hint else ""
            lines.append(f"{where}: unknown key{tip}")
        elif kind == "missing":
            lines.append(f"{where}: required key is missing")
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            from .collect.registry import SOURCE_KINDS

            given = error.get("ctx", {}).get("tag")
            if kind == "union_tag_not_found":
                lines.append(f"{where}: missing 'type' (one of: {', '.join(SOURCE_KINDS.names())})")
            else:
                lines.append(f"{where}.type: {SOURCE_KINDS.unknown_message(str(given))}")
        else:
            msg = error["msg"]
            msg = msg.removeprefix("Value error, ")
            msg = msg[:1].lower() + msg[1:]
            got = error.get("input")
            if kind not in ("value_error", "assertion_error") and not isinstance(got, dict | list):
                msg += f" (got {got!r})"
            lines.append(f"{where}: {msg}")
    return lines or [first_line(err)]


def _clean_loc(loc: tuple[int | str, ...], data: dict[str, Any]) -> tuple[int | str, ...]:
    """Drop the discriminator tag pydantic puts into ``sources.0.feed.path``; undo aliases."""
    out: list[int | str] = []
    i = 0
    while i < len(loc):
        part = loc[i]
        out.append(part)
        if (
            len(out) == 2
            and out[0] == "sources"
            and isinstance(part, int)
            and i + 1 < len(loc)
            and _source_type(data, part) == loc[i + 1]
        ):
            i += 1  # skip the tag
        i += 1
    if tuple(out[:2]) == ("email", "from_"):
        out[1] = "from"
    return tuple(out)


def _source_type(data: dict[str, Any], index: int) -> Any:
    try:
        return data["sources"][index].get("type")
    except (KeyError, IndexError, AttributeError, TypeError):
        return None


def _format_loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _known_keys(
    model: type[BaseModel], loc: tuple[int | str, ...], data: dict[str, Any]
) -> list[str]:
    """The keys the table at ``loc`` accepts, for did-you-mean hints."""
    current: Any = model
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            if depth == 1 and loc[0] == "sources":
                from .collect.registry import SOURCE_KINDS

                kind = _source_type(data, part)
                current = SOURCE_KINDS.get(kind).config if kind in SOURCE_KINDS else SourceConfig
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [
            f.alias or name for name, f in current.model_fields.items() if name != "source_file"
        ]
    return []


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside ``X | None``, ``list[X]``, ``Annotated[X, ...]``."""
    origin = typing.get_origin(annotation)
    if origin is None:
        return annotation
    for arg in typing.get_args(annotation):
        if arg is type(None):
            continue
        found = _model_in(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return None
