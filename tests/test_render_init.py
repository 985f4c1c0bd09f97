"""``digest init``: a starter config and a theme copy that build; no silent overwrites;
``digest build`` warns when the HTML crosses Gmail's clipping limit."""

from __future__ import annotations

from pathlib import Path

from .helpers import SAMPLE_CONFIG, SAMPLE_DATE, SAMPLES, run_digest


def _use_sample_week(project: Path) -> Path:
    """Point the starter config at the bundled sample week (what a user does with their own
    feeds), keeping everything init wrote."""
    config = project / "digest.toml"
    text = config.read_text()
    text = text.replace('timezone = "UTC"', 'timezone = "Asia/Singapore"')
    text += (
        f'\n[[sources]]\ntype = "feed"\nname = "Regional Wire"\npath = "{SAMPLES / "feeds" / "wire.xml"}"\n'
        f'\n[[sources]]\ntype = "markdown"\nname = "Desk"\npath = "{SAMPLES / "articles"}"\n'
        f'\n[trending]\npath = "{SAMPLES / "trending.csv"}"\n'
    )
    config.write_text(text)
    return config


def test_init_writes_config_and_theme_copy_that_builds(tmp_path: Path) -> None:
    project = tmp_path / "newsletter"
    result = run_digest("init", str(project))
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    for name in ("digest.html.j2", "digest.txt.j2", "style.css", "partials/footer.html.j2"):
        assert (project / "templates" / name).is_file(), name
    assert 'template_dir = "templates"' in (project / "digest.toml").read_text()
    # The copy is the one used: edit it and build.
    footer = project / "templates" / "partials" / "footer.html.j2"
    footer.write_text(
        footer.read_text().replace("because you subscribed to it", "as a Wire reader")
    )
    config = _use_sample_week(project)
    built = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE)
    assert built.code == 0, built.stderr
    assert "as a Wire reader" in built.stdout
    assert "because you subscribed" not in built.stdout
    checked = run_digest("check", "-", stdin=built.stdout_bytes)
    assert checked.code == 0 and checked.stdout == ""


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    project = tmp_path / "p"
    assert run_digest("init", str(project)).code == 0
    config = project / "digest.toml"
    config.write_text("# mine\n")
    again = run_digest("init", str(project))
    assert again.code == 2
    assert "already exist" in again.stderr and "--force" in again.stderr
    assert config.read_text() == "# mine\n"
    forced = run_digest("init", str(project), "--force")
    assert forced.code == 0
    assert config.read_text().startswith("# digest configuration")


def test_build_warns_when_the_html_would_be_clipped_by_gmail(tmp_path: Path) -> None:
    project = tmp_path / "big"
    assert run_digest("init", str(project)).code == 0
    footer = project / "templates" / "partials" / "footer.html.j2"
    padding = '<p class="footer-note">' + "Lorem ipsum dolor sit amet. " * 4000 + "</p>\n"
    footer.write_text(footer.read_text().replace("</td>", padding + "</td>"))
    result = run_digest("build", "-c", str(_use_sample_week(project)), "--date", SAMPLE_DATE)
    assert result.code == 0, result.stderr
    assert len(result.stdout_bytes) > 102 * 1024
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert any("over Gmail's 102 KB clipping limit" in line for line in warnings), result.stderr


def test_the_sample_stays_far_under_the_clipping_limit() -> None:
    result = run_digest("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE)
    assert result.code == 0
    assert len(result.stdout_bytes) < 60 * 1024
    assert "clipping" not in result.stderr
