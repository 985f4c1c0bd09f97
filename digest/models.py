"""The data models that pass between the stages: collect → select → summarise → render.

Everything here is plain data (pydantic v2). Text fields hold *plain text*: collectors turn
source markup into text before an ``Article`` is made, and templates autoescape on output.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Window(Model):
    """The half-open interval [since, until) an issue covers, both timezone-aware."""

    since: AwareDatetime
    until: AwareDatetime

    def contains(self, when: datetime) -> bool:
        return self.since <= when < self.until


class Article(Model):
    """One article as collected (and, after dedupe, merged) from one or more sources."""

    id: str = Field(
        description="Stable id: a hash of the canonical URL, else the GUID, else the text."
    )
    title: str
    url: str | None = None
    canonical_url: str | None = None
    guid: str | None = None
    published: AwareDatetime | None = None
    updated: AwareDatetime | None = None
    author: str | None = None
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    description: str | None = Field(
        default=None, description="The publisher's own standfirst/description, plain text."
    )
    text: str = Field(
        default="", description="The article body, plain text, paragraphs split by blank lines."
    )
    image: str | None = None
    sources: list[str] = Field(
        default_factory=list, description="Names of every source that carried it."
    )
    source_weight: float = 1.0

    @property
    def when(self) -> datetime | None:
        return self.published or self.updated


class TrendingItem(Model):
    """One row of the "Hot this week" list, as read from the trending source."""

    rank: int
    title: str
    url: str | None = None
    canonical_url: str | None = None
    views: int | None = None
    description: str | None = None
    text: str = ""


class ExclusionReason(StrEnum):
    OUT_OF_WINDOW = "out of window"
    UNDATED = "undated"
    FUTURE = "future-dated"
    DUPLICATE = "duplicate"
    ALREADY_FEATURED = "already featured"
    DIVERSITY = "diversity"
    UNSAFE_LINK = "unsafe link"
    BELOW_CUT = "below the cut"


class Exclusion(Model):
    """Why an article did not make the issue (for the stderr tally and ``digest explain``)."""

    title: str
    url: str | None = None
    source: str | None = None
    reason: ExclusionReason
    detail: str | None = None
    article_id: str | None = Field(
        default=None, description="The candidate's ``Article.id``, when it was one."
    )


class SourceStatus(Model):
    """How one source fared in this run."""

    name: str
    type: str
    ok: bool
    items: int = 0
    error: str | None = None
    not_modified: bool = False


class Collection(Model):
    """What the collect stage hands to select: the week's articles and what was dropped."""

    articles: list[Article] = Field(default_factory=list)
    trending: list[TrendingItem] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    statuses: list[SourceStatus] = Field(default_factory=list)
    health_notes: list[str] = Field(default_factory=list)


class Summary(Model):
    text: str
    origin: Literal["publisher", "extracted", "title"] = "extracted"


class Story(Model):
    """A selected article with its summary, score and the signals behind the score."""

    article: Article
    summary: Summary | None = None
    score: float = 0.0
    signals: dict[str, float] = Field(default_factory=dict)
    pinned: bool = False
    link: str | None = Field(default=None, description="The href the digest uses (safe, with UTM).")


class TrendingEntry(Model):
    rank: int
    title: str
    link: str | None = None
    views: int | None = None
    summary: Summary | None = None


class CategoryCount(Model):
    name: str
    count: int


class WeatherReading(Model):
    """One place in the weather strip."""

    place: str
    label: str
    temperature: float = Field(allow_inf_nan=False)
    unit: Literal["C", "F"] = "C"
    code: int | None = None
    condition: str | None = None
    symbol: str | None = None


class WeatherReport(Model):
    provider: str
    readings: list[WeatherReading]
    fetched_at: AwareDatetime | None = None
    stale: bool = False


class Digest(Model):
    """One issue of the newsletter, ready to render."""

    title: str
    issue_date: date
    window: Window
    timezone: str
    language: str = "en"
    preheader: str = ""
    lead: Story | None = None
    stories: list[Story] = Field(default_factory=list)
    trending: list[TrendingEntry] = Field(default_factory=list)
    categories: list[CategoryCount] = Field(default_factory=list)
    weather: WeatherReport | None = None
    health_notes: list[str] = Field(default_factory=list)

    @property
    def all_stories(self) -> list[Story]:
        return ([self.lead] if self.lead else []) + self.stories


class RenderedDigest(Model):
    """A digest with its rendered HTML and plain-text parts."""

    digest: Digest
    subject: str
    html: str
    text: str


class Selection(Model):
    """What select hands to summarise: the chosen stories (lead first), every scored
    candidate (for ``digest explain``), and what was left out and why."""

    stories: list[Story] = Field(default_factory=list)
    candidates: list[Story] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    trending: list[TrendingItem] = Field(default_factory=list)
