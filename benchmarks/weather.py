"""Weather: what one `get_weather` call costs, answered from the cache and from a loopback
Open-Meteo server (the test suite's), for the sample's four places.

    python benchmarks/weather.py [--runs 200]

The cache hit is what every build within `ttl` pays; the loopback fetch is the floor of a
real request (connection, JSON parsing, cache write), without the network's latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.config import load_config  # noqa: E402
from digest.weather import get_weather  # noqa: E402
from tests.weather_server import OpenMeteoServer, _Handler, _Server  # noqa: E402


def median_ms(call: object, runs: int) -> float:
    assert callable(call)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    state = OpenMeteoServer()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    config = load_config(ROOT / "samples" / "digest.toml")
    cached = config.weather.model_copy(update={"provider": "open-meteo", "base_url": state.url})
    uncached = cached.model_copy(update={"ttl": 0})
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = Path(tmp)
        assert get_weather(cached, now, cache_dir=cache_dir) is not None  # fill the cache
        before = len(state.requests)
        hit = median_ms(lambda: get_weather(cached, now, cache_dir=cache_dir), args.runs)
        assert len(state.requests) == before, "a cache hit made a request"
        fetch = median_ms(lambda: get_weather(uncached, now, cache_dir=cache_dir), args.runs)
        assert len(state.requests) == before + args.runs
    state._stop.set()
    server.shutdown()
    places = len(config.weather.places)
    print(f"cache hit ({places} places)         {hit:7.2f} ms  (median of {args.runs})")
    print(f"loopback open-meteo fetch + cache  {fetch:7.2f} ms  (median of {args.runs})")
    print(f"ratio fetch / hit: {fetch / hit:.1f}x")


if __name__ == "__main__":
    main()
