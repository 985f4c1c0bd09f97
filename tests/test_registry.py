"""Registries: plugins come in through entry points (``digest.<kind>``), the way the
built-ins register; a broken plugin is a one-line warning, not a traceback."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.registry import Registry

from .helpers import write


@pytest.fixture
def plugins(tmp_path: Path) -> Iterator[Path]:
    """A folder on sys.path holding an installed distribution, as pip would leave it."""
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("digest_test_plugin")]:
            del sys.modules[name]


def install(folder: Path, group: str, entries: dict[str, str]) -> None:
    info = folder / "digest_test_plugin-1.0.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: digest-test-plugin\nVersion: 1.0\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entries.items())
    write(info / "entry_points.txt", f"[{group}]\n{lines}")


def test_a_plugin_registers_through_its_entry_point(plugins: Path) -> None:
    write(plugins / "digest_test_plugin.py", "GREETING = 'hello from a plugin'\n")
    install(plugins, "digest.test-greetings", {"hello": "digest_test_plugin:GREETING"})
    registry: Registry[str] = Registry("test-greetings")
    assert registry.get("hello") == "hello from a plugin"
    assert "hello" in registry and registry.names() == ["hello"]


def test_a_broken_plugin_is_a_warning_and_the_others_still_load(
    plugins: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(plugins / "digest_test_plugin.py", "GOOD = 'fine'\n")
    install(
        plugins,
        "digest.test-broken",
        {"broken": "digest_test_plugin_missing:THING", "good": "digest_test_plugin:GOOD"},
    )
    registry: Registry[str] = Registry("test-broken")
    with caplog.at_level(logging.WARNING, logger="digest"):
        assert registry.names() == ["good"]
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning.startswith("plugin 'broken' (digest_test_plugin_missing:THING) cannot be loaded")
    assert "\n" not in warning
    with pytest.raises(ConfigError, match="unknown test-broken 'broken'"):
        registry.get("broken")


def test_no_thread_sees_a_half_loaded_registry(plugins: Path) -> None:
    # The built-ins' module is slow to import; every thread must wait for all of it.
    write(
        plugins / "digest_test_plugin.py",
        "import time\n"
        "from digest_test_plugin_registry import REGISTRY\n"
        "REGISTRY.add('first', 1)\n"
        "time.sleep(0.3)\n"
        "REGISTRY.add('second', 2)\n",
    )
    write(
        plugins / "digest_test_plugin_registry.py",
        "from digest.registry import Registry\n"
        "REGISTRY = Registry('test-slow', builtins='digest_test_plugin')\n",
    )
    from digest_test_plugin_registry import REGISTRY  # type: ignore[import-not-found]

    seen: list[list[str]] = []
    threads = [threading.Thread(target=lambda: seen.append(REGISTRY.names())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [["first", "second"]] * 4
