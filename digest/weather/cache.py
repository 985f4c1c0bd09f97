"""The last weather reading, kept in the user's cache folder.

One JSON file per provider setup, named by a hash of what the reading depends on (provider,
base URL, places' names and coordinates, units, options); labels are display only and are
re-applied on load. Writes are atomic (a temporary file, then a rename), and a missing,
unreadable or corrupt cache file is simply no cache.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import DigestError, first_line
from ..files import write_atomically
from ..log import debug, warn
from ..models import WeatherReport

if TYPE_CHECKING:
    from ..config import WeatherSection

CACHE_FORMAT = 1


def cache_key(section: WeatherSection) -> str:
    """A stable hash of everything the reading depends on."""
    identity: dict[str, Any] = {
        "provider": section.provider,
        "base_url": str(section.base_url),
        "places": [[p.name, p.latitude, p.longitude] for p in section.places],
        "units": section.units,
        "options": section.options,
    }
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class CachedReading:
    report: WeatherReport
    fetched_at: datetime

    def age(self, now: datetime) -> float:
        """Seconds since the reading was fetched (negative if stamped in the future)."""
        return (now - self.fetched_at).total_seconds()


class WeatherCache:
    def __init__(self, folder: Path, section: WeatherSection) -> None:
        self.path = folder / f"{section.provider}-{cache_key(section)}.json"

    def load(self) -> CachedReading | None:
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as err:
            debug(f"weather: ignoring the unreadable cache file {self.path}: {err}")
            return None
        try:
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
                raise ValueError("unknown format")
            report = WeatherReport.model_validate(data.get("report"))
            if report.fetched_at is None:
                raise ValueError("no fetched_at")
        except (ValidationError, ValueError) as err:
            debug(f"weather: ignoring the cache file {self.path}: {first_line(err)}")
            return None
        return CachedReading(
            report=report.model_copy(update={"stale": False}), fetched_at=report.fetched_at
        )

    def store(self, report: WeatherReport) -> None:
        payload = {"format": CACHE_FORMAT, "report": report.model_dump(mode="json")}
        data = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, data, durable=False)
        except OSError as err:
            # Not fatal: this run has its reading; only the fallback for a later run is lost.
            warn(f"weather: cannot write the cache {self.path}: {err.strerror or err}")
        except DigestError as err:
            warn(f"weather: {err} (the reading is not cached)")
