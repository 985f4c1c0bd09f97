"""Config: validation errors are one line per problem naming the file and key; exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import find_config, load_config
from digest.errors import ConfigError

from .helpers import SAMPLE_CONFIG, run_digest, write


def test_sample_config_loads_and_resolves_paths_against_its_folder() -> None:
    config = load_config(SAMPLE_CONFIG)
    assert config.digest.timezone == "Asia/Singapore"
    feed = config.sources[0]
    assert feed.path == SAMPLE_CONFIG.parent / "feeds" / "wire.xml"
    assert config.weather.path == SAMPLE_CONFIG.parent / "weather.json"


def test_relative_paths_resolve_against_config_folder_not_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = write(
        tmp_path / "conf" / "digest.toml", '[[sources]]\ntype = "feed"\npath = "feeds/a.xml"\n'
    )
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("conf/digest.toml"))
    assert config.sources[0].path == (tmp_path / "conf" / "feeds" / "a.xml").resolve()
    assert cfg.exists()


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            "[digest]\nmax_storys = 8\n",
            "digest.max_storys: unknown key (did you mean 'max_stories'?)",
        ),
        (
            '[digest]\nmax_stories = "eight"\n',
            "digest.max_stories: input should be a valid integer",
        ),
        (
            '[digest]\ntimezone = "Mars/Olympus"\n',
            "digest.timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            '[[sources]]\ntype = "fed"\npath = "x.xml"\n',
            "sources[0].type: unknown source type 'fed' (did you mean 'feed'?)",
        ),
        ('[[sources]]\ntype = "feed"\n', "sources[0]: give exactly one of 'path' or 'url'"),
        (
            '[[sources]]\ntype = "feed"\npath = "a.xml"\nwieght = 2\n',
            "sources[0].wieght: unknown key (did you mean 'weight'?)",
        ),
        ('[[sources]]\npath = "a.xml"\n', "sources[0]: missing 'type'"),
        (
            '[weather]\nprovider = "fille"\n',
            "weather.provider: unknown weather provider 'fille' (did you mean 'file'?)",
        ),
        ("[digest\ntitle = 1\n", "invalid TOML"),
    ],
)
def test_config_errors_are_one_line_naming_file_and_key(
    tmp_path: Path, toml: str, expected: str
) -> None:
    cfg = write(tmp_path / "digest.toml", toml)
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    lines = str(info.value).splitlines()
    assert any(expected in line for line in lines), lines
    assert all(line.startswith(str(cfg)) for line in lines)


def test_several_problems_give_one_line_each(tmp_path: Path) -> None:
    cfg = write(tmp_path / "digest.toml", '[digest]\nmax_stories = 0\ntitel = "x"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert any("digest.max_stories" in line for line in lines)
    assert any("digest.titel: unknown key (did you mean 'title'?)" in line for line in lines)


def test_cli_config_error_exits_2_without_traceback(tmp_path: Path) -> None:
    cfg = write(tmp_path / "digest.toml", '[digest]\nmax_stories = "many"\ncolour = "red"\n')
    result = run_digest("build", "--config", str(cfg))
    assert result.code == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("digest: error:")]
    assert len(errors) == 2
    assert all(str(cfg) in line for line in errors)


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    result = run_digest("build", "--config", str(tmp_path / "nope.toml"))
    assert result.code == 2
    assert "config file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = tmp_path / "explicit.toml"
    env_cfg = write(tmp_path / "env.toml", "")
    local = write(tmp_path / "digest.toml", "")
    monkeypatch.setenv("DIGEST_CONFIG", str(env_cfg))
    assert find_config(explicit, cwd=tmp_path) == (explicit, "option")
    assert find_config(None, cwd=tmp_path) == (env_cfg, "environment")
    monkeypatch.delenv("DIGEST_CONFIG")
    assert find_config(None, cwd=tmp_path) == (local, "cwd")
    local.unlink()
    path, how = find_config(None, cwd=tmp_path)
    assert how == "bundled" and path.name == "digest.toml" and path.is_file()


def test_bundled_config_is_announced_on_stderr(tmp_path: Path) -> None:
    result = run_digest("build", "--date", "2025-12-05", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "using the bundled sample config" in result.stderr
    assert "<html" in result.stdout
