"""End to end: `digest build` on the bundled samples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .helpers import ROOT, SAMPLE_CONFIG, SAMPLE_DATE, run_digest, write


@pytest.fixture(scope="module")
def sample_html() -> str:
    result = run_digest("build", "--config", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_sections_appear_in_order(sample_html: str) -> None:
    markers = [
        "Friday, 5 December 2025",  # date line
        'class="weather',  # weather strip
        'class="lead-title',  # lead story
        "Top stories",
        "Hot this week",
        "Categories",
        "Unsubscribe",
    ]
    positions = [sample_html.find(m) for m in markers]
    assert all(p >= 0 for p in positions), dict(zip(markers, positions, strict=True))
    assert positions == sorted(positions)


def test_weather_strip_shows_every_place_and_temperature(sample_html: str) -> None:
    for place in ("Singapore", "Thailand", "Indonesia", "Philippines"):
        assert place in sample_html
    assert re.search(r"\d+(\.\d)?(&nbsp;|\xa0)°C", sample_html)


def test_html_is_inlined_table_layout_600px(sample_html: str) -> None:
    assert 'role="presentation"' in sample_html
    assert 'width="600"' in sample_html
    # premailer inlined the stylesheet: only media queries remain in <style>.
    styles = re.findall(r"<style[^>]*>(.*?)</style>", sample_html, re.S)
    assert styles, "media queries should be kept"
    for block in styles:
        stripped = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", block).strip()
        assert stripped == "", stripped
    assert re.search(r'class="lead-title" style=[\'"][^\'"]*font-size', sample_html)


def test_trending_duplicate_is_removed(sample_html: str) -> None:
    hot = sample_html[sample_html.index("Hot this week") : sample_html.index("Categories")]
    titles = re.findall(r'class="hot-title"[^>]*>(?:<a [^>]*>)?([^<]+)<', hot)
    assert titles, hot[:500]
    assert len(titles) == len(set(titles))


def test_footer_has_unsubscribe_and_view_in_browser_placeholders(sample_html: str) -> None:
    assert 'href="{{unsubscribe_url}}"' in sample_html
    assert 'href="{{web_url}}"' in sample_html


def test_same_inputs_same_date_give_identical_bytes(tmp_path: Path) -> None:
    first = run_digest("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE)
    second = run_digest(
        "build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "-o", str(tmp_path / "d.html")
    )
    assert first.code == second.code == 0
    assert second.stdout == ""
    assert (tmp_path / "d.html").read_bytes() == first.stdout_bytes


def test_same_inputs_same_date_give_identical_json() -> None:
    # The JSON carries the whole issue, weather included: no wall-clock time may leak in.
    args = ("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "-f", "json")
    first = run_digest(*args, "--to", "reader@example.com")
    second = run_digest(*args, "--to", "reader@example.com")
    assert first.code == second.code == 0, first.stderr
    assert first.stdout_bytes == second.stdout_bytes


def test_dash_output_means_stdout() -> None:
    result = run_digest(
        "build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "-o", "-", "-f", "text"
    )
    assert result.code == 0
    assert result.stdout.startswith("THE WEEKLY WIRE")


def test_text_format_is_plain_and_wrapped() -> None:
    result = run_digest(
        "build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "--format", "text"
    )
    assert result.code == 0, result.stderr
    text = result.stdout
    assert "<" not in text.replace("<%", "")  # no markup
    assert "Friday, 5 December 2025" in text
    assert "HOT THIS WEEK" in text
    # Wrapped at 72 columns, except the weather strip (one line) and the link references.
    weather_line = next(line for line in text.splitlines() if "Singapore" in line)
    assert "Philippines" in weather_line
    long = [
        line
        for line in text.splitlines()
        if len(line) > 72 and not line.startswith("[") and line != weather_line
    ]
    assert long == []
    assert re.search(r"^\[1\] https://", text, re.M)


def test_bad_date_is_a_usage_error() -> None:
    result = run_digest("build", "-c", str(SAMPLE_CONFIG), "--date", "5/12/2025")
    assert result.code == 2
    assert "--date: expected a date as YYYY-MM-DD" in result.stderr


def _config(tmp_path: Path, body: str) -> Path:
    return write(
        tmp_path / "digest.toml", '[digest]\ntimezone = "Asia/Singapore"\nmin_stories = 1\n' + body
    )


def test_broken_source_warns_and_the_rest_builds(tmp_path: Path, sample_copy: Path) -> None:
    (tmp_path / "broken.xml").write_bytes(b"\x00\xff\xfe not a feed at all \x81")
    cfg = (
        sample_copy.read_text()
        + f'\n[[sources]]\ntype = "feed"\nname = "Broken"\npath = "{tmp_path / "broken.xml"}"\n'
    )
    cfg += f'\n[[sources]]\ntype = "feed"\nname = "Gone"\npath = "{tmp_path / "missing.xml"}"\n'
    sample_copy.write_text(cfg)
    result = run_digest("build", "-c", str(sample_copy), "--date", SAMPLE_DATE)
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert any("source Broken:" in line for line in warnings), warnings
    assert any("source Gone:" in line and "not found" in line for line in warnings), warnings
    assert "Hot this week" in result.stdout


def test_bad_trending_row_is_skipped_with_a_warning(sample_copy: Path) -> None:
    trending = sample_copy.parent / "trending.csv"
    trending.write_text(trending.read_text() + "not-a-number,A headline,https://example.com/x,12\n")
    result = run_digest("build", "-c", str(sample_copy), "--date", SAMPLE_DATE)
    assert result.code == 0, result.stderr
    assert re.search(r"warning: source trending: line \d+: rank", result.stderr)
    assert "Hot this week" in result.stdout


def test_empty_week_is_a_clear_error_exit_1(tmp_path: Path) -> None:
    cfg = _config(tmp_path, f'[[sources]]\ntype = "feed"\npath = "{tmp_path / "f.xml"}"\n')
    write(tmp_path / "f.xml", '<rss version="2.0"><channel><title>t</title></channel></rss>')
    result = run_digest("build", "-c", str(cfg), "--date", SAMPLE_DATE)
    assert result.code == 1
    assert "nothing to show" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_every_source_failing_is_exit_1(tmp_path: Path) -> None:
    cfg = _config(tmp_path, f'[[sources]]\ntype = "feed"\npath = "{tmp_path / "none.xml"}"\n')
    result = run_digest("build", "-c", str(cfg), "--date", SAMPLE_DATE)
    assert result.code == 1
    assert "every source failed" in result.stderr


def test_help_explains_every_option() -> None:
    result = run_digest("build", "--help")
    assert result.code == 0
    for option in ("--config", "--date", "--format", "--output", "--since", "--until", "--strict"):
        assert option in result.stdout
    top = run_digest("--help")
    assert "build" in top.stdout and "Exit codes" in top.stdout


def test_digest_language_reaches_the_sentence_splitter(tmp_path: Path) -> None:
    # German rules keep "am 3. Dezember" whole; English rules would end a sentence at "3."
    write(
        tmp_path / "posts" / "treffen.md",
        "---\ntitle: Ein Treffen in Berlin\nurl: https://example.com/treffen\n"
        "date: 2025-12-03\ncategory: Politik\n---\n"
        "Das Treffen ist am 3. Dezember in Berlin. Es kommen viele Gäste aus dem Ausland.\n",
    )
    body = (
        f'[[sources]]\ntype = "markdown"\npath = "{tmp_path / "posts"}"\n'
        "[summary]\nsentences = 1\nchars = 200\n"
    )
    for language, expected in (("de", "Das Treffen ist am 3. Dezember in Berlin."), ("en", None)):
        cfg = (
            _config(tmp_path, body)
            .read_text()
            .replace("[digest]\n", f'[digest]\nlanguage = "{language}"\n')
        )
        write(tmp_path / "digest.toml", cfg)
        result = run_digest(
            "build", "-c", str(tmp_path / "digest.toml"), "--date", SAMPLE_DATE, "--format", "json"
        )
        assert result.code == 0, result.stderr
        summary = json.loads(result.stdout)["digest"]["lead"]["summary"]["text"]
        if expected:
            assert summary == expected
        else:
            assert summary != "Das Treffen ist am 3. Dezember in Berlin."


@pytest.mark.parametrize("broken", ["digest.html.j2", "digest.txt.j2"])
def test_a_broken_theme_fails_before_any_source_is_read(
    tmp_path: Path, sample_copy: Path, broken: str
) -> None:
    import shutil

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "templates" / "default", theme)
    with (theme / broken).open("a") as fh:
        fh.write("{% if %}\n")
    with sample_copy.open("a") as fh:
        fh.write(f'\n[render]\ntemplate_dir = "{theme}"\n')
        fh.write(f'\n[[sources]]\ntype = "feed"\nname = "Gone"\npath = "{tmp_path / "no.xml"}"\n')
    result = run_digest("build", "-c", str(sample_copy), "--date", SAMPLE_DATE)
    assert result.code == 1
    assert f"{broken}:" in result.stderr and "template error" in result.stderr
    assert "Traceback" not in result.stderr
    # no source was read: neither the missing one's warning nor the tally of what was left out
    assert "Gone" not in result.stderr and "excluded" not in result.stderr
    assert result.stdout == ""
