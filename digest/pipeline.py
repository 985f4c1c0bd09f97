"""The whole build: config → collect → select → summarise → render.

Each stage is a function over the models; this module only wires them together, so the
CLI and library users run exactly the same steps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from .config import Config
from .dates import issue_window, today_in
from .errors import BuildError, ConfigError, NotEnoughStories
from .log import info
from .models import (
    CategoryCount,
    Collection,
    Digest,
    Exclusion,
    RenderedDigest,
    Selection,
    Story,
    TrendingEntry,
    Window,
)


@dataclass(slots=True)
class BuildOptions:
    issue_date: date | None = None
    since: date | None = None
    until: date | None = None
    strict: bool = False
    use_history: bool = True
    allow_short: bool = False
    now: datetime | None = None
    # Whether this run counts in the sources' health record: a build or a send does; a look
    # at the issue (explain, preview, a dry run) must not count as a run or use up a report.
    record_health: bool = True


def plan(config: Config, options: BuildOptions) -> tuple[date, Window, datetime]:
    """The issue date, the window it covers, and "now" (all in the config's time zone)."""
    tz = config.digest.tz
    now = options.now or datetime.now(tz)
    issue_date = options.issue_date or today_in(tz, now)
    window = issue_window(issue_date, tz, since=options.since, until=options.until)
    return issue_date, window, now


def gather(config: Config, options: BuildOptions) -> tuple[Collection, Selection, date, Window]:
    """Collect and select (shared by ``build`` and ``explain``)."""
    from .collect import collect
    from .select import featured_articles, select_stories

    if not config.sources and config.trending is None:
        where = config.source_file or "the config"
        raise ConfigError(f"{where}: no [[sources]]: add at least one feed or folder to read")
    issue_date, window, now = plan(config, options)
    collection = collect(
        config, window, now=now, strict=options.strict, record_health=options.record_health
    )
    featured = featured_articles(config, issue_date) if options.use_history else {}
    selection = select_stories(collection, config, window, featured=featured)
    report_exclusions(selection.exclusions)
    return collection, selection, issue_date, window


def build_digest(config: Config, options: BuildOptions) -> Digest:
    """Everything up to (not including) rendering."""
    from .render.links import link_for, utm_params
    from .summarise import summarise_article, summarise_trending
    from .weather import get_weather

    # One clock for the whole build: the collect window's "future" and the weather agree.
    now = options.now or datetime.now(config.digest.tz)
    collection, selection, issue_date, window = gather(config, replace(options, now=now))
    stories = selection.stories
    if not stories and not selection.trending:
        first_day, last_day = window.since.date(), (window.until - timedelta(days=1)).date()
        raise BuildError(
            f"nothing to show: no articles dated {first_day:%Y-%m-%d} .. {last_day:%Y-%m-%d}"
        )
    if len(stories) < config.digest.min_stories and not options.allow_short:
        raise NotEnoughStories(len(stories), config.digest.min_stories)

    utm = utm_params(config.render.utm, issue_date)
    summarised = [
        story.model_copy(
            update={
                "summary": summarise_article(story.article, config.summary, config.digest.language),
                "link": link_for(story.article.url, utm),
            }
        )
        for story in stories
    ]
    trending = [
        TrendingEntry(
            rank=position,
            title=item.title,
            link=link_for(item.url, utm),
            views=item.views,
            summary=summarise_trending(item, config.summary, language=config.digest.language),
        )
        for position, item in enumerate(selection.trending[: config.digest.trending_items], start=1)
    ]
    weather = get_weather(config.weather, now, cache_dir=config.cache_dir, strict=options.strict)
    lead = summarised[0] if summarised else None
    preheader = config.digest.preheader or (lead.summary.text if lead and lead.summary else "")
    return Digest(
        title=config.digest.title,
        issue_date=issue_date,
        window=window,
        timezone=config.digest.timezone,
        language=config.digest.language,
        preheader=preheader,
        lead=lead,
        stories=summarised[1:],
        trending=trending,
        categories=category_counts(summarised),
        weather=weather,
        health_notes=collection.health_notes if config.digest.show_health else [],
    )


def build(config: Config, options: BuildOptions) -> RenderedDigest:
    """Build and render one issue."""
    from .render import load_theme, render_digest

    # A broken theme fails in a second, not after minutes of reading the sources.
    load_theme(config)
    return render_digest(build_digest(config, options), config)


def category_counts(stories: list[Story]) -> list[CategoryCount]:
    counts = Counter(s.article.category for s in stories if s.article.category)
    return [
        CategoryCount(name=name, count=n)
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def report_exclusions(exclusions: list[Exclusion]) -> None:
    """The one-line tally of what was left out and why (stderr, via the log)."""
    if not exclusions:
        return
    counts = Counter(e.reason.value for e in exclusions)
    info("excluded " + ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items())))
