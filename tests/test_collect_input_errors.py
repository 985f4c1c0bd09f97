"""Files an editor gets wrong, and what the build says about them.

A mistake in a source must be a one-line warning naming the source and what to fix, never
a silent loss: an article that vanishes without a word is the worst outcome for an editor.
The build itself still succeeds with the other sources.
"""

from __future__ import annotations

from pathlib import Path

from .helpers import SAMPLE_DATE, run_digest, write

WIRE = Path(__file__).resolve().parent.parent / "samples" / "feeds" / "wire.xml"


def build(tmp_path: Path, sources: str, extra: str = "") -> tuple[int, list[str], str]:
    """Build the sample date with the sample wire feed plus ``sources``; return the exit
    code, the warning lines and the text output."""
    cfg = write(
        tmp_path / "digest.toml",
        '[digest]\ntimezone = "Asia/Singapore"\nmin_stories = 1\n\n'
        f'[[sources]]\ntype = "feed"\nname = "Wire"\npath = "{WIRE}"\n\n{sources}\n{extra}',
    )
    result = run_digest("build", "-c", str(cfg), "--date", SAMPLE_DATE, "-f", "text")
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    return result.code, warnings, result.stdout


EXPORT_CSV = (
    "headline,link,when,text\n"
    "Harbour ferry timetable changes from Monday,https://cms.example.com/1,2025-12-03,"
    "The ferry operator will run fewer crossings on weekday mornings.\n"
)


def test_an_export_mapped_to_a_missing_column_warns(tmp_path: Path) -> None:
    write(tmp_path / "export.csv", EXPORT_CSV)
    code, warnings, text = build(
        tmp_path,
        '[[sources]]\ntype = "csv"\nname = "CMS"\npath = "export.csv"\n'
        'mapping = { url = "linkz", date = "when" }\n',
    )
    assert code == 0
    assert warnings == [
        "digest: warning: source CMS: mapping.url: no record has 'linkz' "
        "(the columns are headline, link, when, text)"
    ]
    assert "Harbour ferry timetable" in text  # the rest of the mapping still works


def test_an_export_without_a_date_column_warns(tmp_path: Path) -> None:
    write(tmp_path / "export.csv", EXPORT_CSV)
    code, warnings, text = build(
        tmp_path, '[[sources]]\ntype = "csv"\nname = "CMS"\npath = "export.csv"\n'
    )
    assert code == 0
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("digest: warning: source CMS: no record has a date (looked for")
    assert "set mapping.date" in warnings[0]
    assert "Harbour ferry timetable" not in text  # undated: left out, but not silently


def test_an_export_whose_dates_cannot_be_read_warns(tmp_path: Path) -> None:
    write(tmp_path / "export.csv", EXPORT_CSV.replace("2025-12-03", "Wed 3rd Dec"))
    sources = '[[sources]]\ntype = "csv"\nname = "CMS"\npath = "export.csv"\n'
    sources += 'mapping = { date = "when" }\n'
    code, warnings, _ = build(tmp_path, sources)
    assert code == 0
    assert warnings == [
        "digest: warning: source CMS: no date could be read (e.g. 'Wed 3rd Dec'): set date_format"
    ]
    _, warnings, _ = build(tmp_path, sources + 'date_format = "%d/%m/%Y"\n')
    assert warnings[0].endswith("date_format '%d/%m/%Y' does not match")


def test_a_json_export_mapped_to_a_missing_key_warns(tmp_path: Path) -> None:
    write(
        tmp_path / "export.json",
        '{"items": [{"headline": "Night market returns to the old fire station", '
        '"meta": {"published": "2025-12-04"}, "url": "https://cms.example.com/n"}]}',
    )
    code, warnings, _ = build(
        tmp_path,
        '[[sources]]\ntype = "json"\nname = "CMS"\npath = "export.json"\n'
        'mapping = { title = "headline", date = "meta.pubdate" }\n',
    )
    assert code == 0
    assert any("mapping.date: no record has 'meta.pubdate'" in w for w in warnings), warnings


def test_an_unterminated_quote_in_the_trending_list_is_reported(tmp_path: Path) -> None:
    write(
        tmp_path / "trending.csv",
        "rank,title,url\n"
        "1,Harbour ferry timetable,https://t.example.com/1\n"
        '2,"Unterminated title,https://t.example.com/2\n'
        "3,Third row,https://t.example.com/3\n",
    )
    code, warnings, text = build(tmp_path, "", '[trending]\npath = "trending.csv"\n')
    assert code == 0
    assert warnings == [
        "digest: warning: source trending: malformed CSV at line 3: unexpected end of data "
        "(a quote that is never closed?)"
    ]
    assert "https://t.example.com/2" not in text  # never a garbled row in the email


def test_an_unterminated_quote_in_an_export_names_its_line(tmp_path: Path) -> None:
    write(
        tmp_path / "export.csv", EXPORT_CSV + '"Unclosed,https://cms.example.com/2,2025-12-04,x\n'
    )
    code, warnings, _ = build(
        tmp_path, '[[sources]]\ntype = "csv"\nname = "CMS"\npath = "export.csv"\n'
    )
    assert code == 0  # the other sources still build
    assert warnings == [
        "digest: warning: source CMS: malformed CSV at line 3: unexpected end of data "
        "(a quote that is never closed?)"
    ]


def test_a_markdown_date_that_cannot_be_read_warns(tmp_path: Path) -> None:
    write(
        tmp_path / "articles" / "ferry.md",
        "---\ntitle: Harbour ferry timetable changes\ndate: 3rd of Decembre\n---\nBody.\n",
    )
    code, warnings, _ = build(
        tmp_path, '[[sources]]\ntype = "markdown"\nname = "Desk"\npath = "articles"\n'
    )
    assert code == 0
    assert warnings == [
        "digest: warning: source Desk: ferry.md: date '3rd of Decembre' is not a date "
        "(use YYYY-MM-DD); the article counts as undated"
    ]


def test_a_markdown_file_in_another_encoding_says_what_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "cafe.md").write_bytes(
        b"---\ntitle: Caf\xe9 opens\ndate: 2025-12-03\n---\nCaf\xe9 body.\n"
    )
    write(folder / "good.md", "---\ntitle: Good one\ndate: 2025-12-03\n---\nFine.\n")
    code, warnings, text = build(
        tmp_path, '[[sources]]\ntype = "markdown"\nname = "Desk"\npath = "articles"\n'
    )
    assert code == 0
    assert warnings == [
        "digest: warning: source Desk: cafe.md: skipped: not UTF-8 (a bad byte at line 2); "
        "save the file as UTF-8"
    ]
    assert "Good one" in text


def test_bad_front_matter_names_the_line_and_the_problem(tmp_path: Path) -> None:
    write(tmp_path / "articles" / "indent.md", "---\ntitle: x\n  bad: : indent\n---\nB.\n")
    write(tmp_path / "articles" / "bad.md", "---\ntitle: [unclosed\ndate: 2025-12-03\n---\nB.\n")
    write(tmp_path / "articles" / "good.md", "---\ntitle: Good one\ndate: 2025-12-03\n---\nF.\n")
    code, warnings, text = build(
        tmp_path, '[[sources]]\ntype = "markdown"\nname = "Desk"\npath = "articles"\n'
    )
    assert code == 0
    assert len(warnings) == 2, warnings
    assert warnings[1].endswith(
        "indent.md: skipped: bad front matter: mapping values are not allowed in this context at line 3"
    )
    assert warnings[0].startswith("digest: warning: source Desk: bad.md: skipped: bad front matter")
    assert warnings[0].endswith(
        "did not find expected ',' or ']' at line 3, in a flow sequence that starts at line 2"
    )
    assert "Good one" in text
