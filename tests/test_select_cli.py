"""The command line for select and summarise: `build --record/--no-history/--allow-short`,
`digest explain`, `digest summarise`, on the sample week and local servers."""

from __future__ import annotations

import http.server
import json
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import SAMPLE_CONFIG, SAMPLE_DATE, run_digest, write

NEXT_WEEK = ["--date", "2025-12-12", "--since", "2025-11-29"]  # still sees the sample week
SIGNAL_NAMES = ["recency", "popularity", "editorial", "source", "coverage"]


def state_db() -> Path:
    return Path(os.environ["DIGEST_DATA_DIR"]) / "digest.sqlite3"


def history_rows() -> list[tuple[object, ...]]:
    with sqlite3.connect(state_db()) as db:
        return db.execute(
            "SELECT i.issue_date, a.article_id, a.position FROM issues i "
            "JOIN issue_articles a USING (issue_date) ORDER BY 1, 3"
        ).fetchall()


def explain_json(*args: str, config: Path = SAMPLE_CONFIG) -> dict:
    result = run_digest("explain", "-c", str(config), "--json", *args)
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def selected_ids(manifest: dict) -> list[str]:
    chosen = [c for c in manifest["candidates"] if c["status"] in ("lead", "selected")]
    return [c["id"] for c in sorted(chosen, key=lambda c: c["position"])]


def add_to_config(config: Path, toml: str) -> Path:
    config.write_text(config.read_text() + "\n" + toml + "\n")
    return config


# -- history ----------------------------------------------------------------------------


def test_a_recorded_issue_does_not_come_back_next_week_but_does_with_no_history(
    tmp_path: Path,
) -> None:
    out = tmp_path / "issue.html"
    built = run_digest(
        "build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "-o", str(out), "--record"
    )
    assert built.code == 0, built.stderr
    assert "recorded the issue of 2025-12-05 (8 stories)" in built.stderr
    published = explain_json("--date", SAMPLE_DATE)
    published_ids = selected_ids(published)
    assert [row[1] for row in history_rows()] == published_ids

    next_week = explain_json(*NEXT_WEEK)
    candidates = {c["id"] for c in next_week["candidates"]}
    assert candidates.isdisjoint(published_ids)
    repeats = [e for e in next_week["exclusions"] if e["reason"] == "already featured"]
    assert len(repeats) == len(published_ids)
    assert {e["detail"] for e in repeats} == {"in the issue of 2025-12-05"}

    lead_title = published["candidates"][0]["title"]
    text = run_digest("build", "-c", str(SAMPLE_CONFIG), *NEXT_WEEK, "-f", "text")
    assert text.code == 0, text.stderr
    stories = text.stdout.split("HOT THIS WEEK")[0]  # the trending list is its own thing
    assert lead_title.split(" as ")[0] not in " ".join(stories.split())

    without = explain_json(*NEXT_WEEK, "--no-history")
    assert set(published_ids) <= {c["id"] for c in without["candidates"]}
    assert not [e for e in without["exclusions"] if e["reason"] == "already featured"]


def test_a_preview_build_never_changes_the_history(tmp_path: Path) -> None:
    preview = run_digest("build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE)
    assert preview.code == 0, preview.stderr
    assert not state_db().exists()  # not even created

    recorded = run_digest(
        "build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "--record", "-o", "-"
    )
    assert recorded.code == 0, recorded.stderr
    before = history_rows()
    assert before
    again = run_digest("build", "-c", str(SAMPLE_CONFIG), *NEXT_WEEK, "-o", str(tmp_path / "p"))
    assert again.code == 0, again.stderr
    assert history_rows() == before


def test_nothing_is_recorded_when_the_output_cannot_be_written(tmp_path: Path) -> None:
    blocker = write(tmp_path / "file", "not a folder")
    result = run_digest(
        "build",
        "-c",
        str(SAMPLE_CONFIG),
        "--date",
        SAMPLE_DATE,
        "--record",
        "-o",
        str(blocker / "digest.html"),
    )
    assert result.code == 2  # refused before building: the folder is a file
    assert f"{blocker} is not a folder" in result.stderr
    assert not state_db().exists()


def test_history_path_and_exclude_last_come_from_the_config(sample_copy: Path) -> None:
    db = sample_copy.parent / "state" / "history.sqlite3"
    add_to_config(sample_copy, f'[history]\npath = "{db}"\nexclude_last = 0\n')
    assert run_digest("build", "-c", str(sample_copy), "--date", SAMPLE_DATE, "--record").code == 0
    assert db.exists() and not state_db().exists()
    # exclude_last = 0: recorded, but nothing is left out next week.
    manifest = explain_json(*NEXT_WEEK, config=sample_copy)
    assert not [e for e in manifest["exclusions"] if e["reason"] == "already featured"]


# -- a quiet week -----------------------------------------------------------------------


def test_too_few_stories_is_exit_3_and_writes_nothing(sample_copy: Path, tmp_path: Path) -> None:
    text = sample_copy.read_text().replace("min_stories = 3", "min_stories = 40")
    sample_copy.write_text(text)
    out = tmp_path / "digest.html"
    result = run_digest("build", "-c", str(sample_copy), "--date", SAMPLE_DATE, "-o", str(out))
    assert result.code == 3
    assert "digest: error: not enough stories: 8 of 40" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert result.stdout == ""

    short = run_digest(
        "build", "-c", str(sample_copy), "--date", SAMPLE_DATE, "-o", str(out), "--allow-short"
    )
    assert short.code == 0, short.stderr
    assert out.exists() and "Top stories" in out.read_text()


# -- explain ----------------------------------------------------------------------------


def test_explain_table_shows_every_signal_score_and_status() -> None:
    result = run_digest("explain", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE)
    assert result.code == 0, result.stderr
    header = result.stdout.split("┡")[0]
    for column in [*SIGNAL_NAMES, "score", "status", "title", "source", "category"]:
        assert column in header, column
    body = result.stdout
    for status in ("lead", "selected", "below the cut", "duplicate", "out of window"):
        assert status in body, status
    assert "Batam data-centre park" in body


def test_explain_json_is_a_stable_manifest_with_every_signal() -> None:
    first = run_digest("explain", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "--json")
    second = run_digest("explain", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "--json")
    assert first.code == second.code == 0
    assert first.stdout == second.stdout
    manifest = json.loads(first.stdout)
    assert manifest["issue_date"] == SAMPLE_DATE
    assert manifest["window"]["first_day"] == "2025-11-29"
    assert manifest["window"]["last_day"] == SAMPLE_DATE
    assert list(manifest["weights"]) == SIGNAL_NAMES
    candidates = manifest["candidates"]
    assert [c["rank"] for c in candidates] == list(range(1, len(candidates) + 1))
    for c in candidates:
        assert list(c["signals"]) == SIGNAL_NAMES
        assert c["score"] == pytest.approx(sum(c["signals"].values()), abs=1e-5)
    scores = [c["score"] for c in candidates]
    assert scores == sorted(scores, reverse=True)  # no pins: rank order is score order
    assert candidates[0]["status"] == "lead"
    assert sum(c["status"] in ("lead", "selected") for c in candidates) == 8
    reasons = Counter(e["reason"] for e in manifest["exclusions"])
    assert reasons["duplicate"] == 1 and reasons["out of window"] >= 1


def test_a_pinned_article_leads_the_built_issue(sample_copy: Path) -> None:
    siargao = "https://desk.example.org/stories/slow-week-on-siargao"
    add_to_config(sample_copy, f'[ranking]\npin = ["{siargao}?utm_source=newsletter"]\n')
    manifest = explain_json("--date", SAMPLE_DATE, config=sample_copy)
    lead = manifest["candidates"][0]
    assert lead["url"] == siargao
    assert (lead["status"], lead["pinned"], lead["position"]) == ("lead", True, 1)
    assert lead["signals"]["editorial"] == 1.0
    text = run_digest("build", "-c", str(sample_copy), "--date", SAMPLE_DATE, "-f", "text")
    assert text.code == 0, text.stderr
    stories = " ".join(text.stdout.split("HOT THIS WEEK")[0].split())
    others = [c["title"][:30] for c in manifest["candidates"][1:] if c["status"] == "selected"]
    assert len(others) == 7
    assert all(stories.index(lead["title"][:30]) < stories.index(t) for t in others)


def test_a_category_cap_holds_in_the_built_issue(sample_copy: Path) -> None:
    add_to_config(sample_copy, '[ranking]\ndiversity = "caps"\nmax_per_category = 1\n')
    manifest = explain_json("--date", SAMPLE_DATE, config=sample_copy)
    chosen = [c for c in manifest["candidates"] if c["status"] in ("lead", "selected")]
    per_category = Counter(c["category"] for c in chosen)
    assert per_category and max(per_category.values()) == 1
    capped = [c for c in manifest["candidates"] if c["status"] == "diversity"]
    assert capped and all("already has 1" in c["detail"] for c in capped)


# -- summarise --------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>Port expands | Example News</title>
<meta name="description" content="A second terminal will double the port's capacity.">
</head><body><header><nav>Home | World | Business</nav></header>
<article><h1>Port expands</h1><p class="byline">By Jane Doe</p>
<p>The harbour authority approved a second container terminal on Monday, after a review
that lasted two years.</p>
<figure><img src="a.jpg"><figcaption>Cranes at the port. Photo: Reuters</figcaption></figure>
<p>Construction starts in March and will take four years, officials said. The terminal will
double the port's capacity to 12.5 million containers a year.</p>
<p>Read more: Port strike ends</p></article>
<footer>Subscribe to our newsletter. All rights reserved.</footer></body></html>"""


@pytest.fixture
def page_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/port":
                self.send_error(404)
                return
            body = PAGE.replace(
                '<meta name="description" content="A second terminal will double the port\'s capacity.">',
                "",
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_summarise_an_html_file_uses_the_publishers_description(tmp_path: Path) -> None:
    page = write(tmp_path / "port.html", PAGE)
    result = run_digest("summarise", "--json", str(page))
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["origin"] == "publisher"
    assert data["summary"] == "A second terminal will double the port's capacity."
    assert data["title"].startswith("Port expands")


def test_summarise_a_url_extracts_whole_sentences_without_furniture(page_server: str) -> None:
    result = run_digest("summarise", "--json", "--chars", "200", f"{page_server}/port")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["origin"] == "extracted"
    summary = data["summary"]
    assert 0 < len(summary) <= 200
    assert summary.endswith(".")
    for furniture in ("Home", "Jane Doe", "Photo", "Read more", "Subscribe", "rights"):
        assert furniture not in summary
    missing = run_digest("summarise", f"{page_server}/gone")
    assert missing.code == 1
    assert "HTTP 404" in missing.stderr and "Traceback" not in missing.stderr


def test_summarise_plain_text_from_stdin_within_the_budget() -> None:
    text = (
        "Dr. Lim met officials in the U.S. on Monday. Inflation rose to 24.5 per cent in "
        "October, the highest in a decade. The central bank is expected to raise rates. "
        "Shops reported fewer customers. Inflation and rates will dominate the week."
    )
    result = run_digest("summarise", "--chars", "120", "--sentences", "2", stdin=text.encode())
    assert result.code == 0, result.stderr
    summary = result.stdout.strip()
    assert 0 < len(summary) <= 120
    assert summary.endswith(".")
    assert "24." not in summary or "24.5" in summary


def test_summarise_a_markdown_file_reads_its_front_matter(tmp_path: Path) -> None:
    md = write(
        tmp_path / "story.md",
        '---\ntitle: "Port expands"\nsummary: "The port doubles in size."\n---\n\n'
        "The harbour authority approved a **second terminal** on Monday.\n",
    )
    result = run_digest("summarise", "--json", str(md))
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["title"], data["summary"], data["origin"]) == (
        "Port expands",
        "The port doubles in size.",
        "publisher",
    )


def test_summarise_reads_front_matter_values_as_text_only(tmp_path: Path) -> None:
    # YAML aliases make a few lines a list of half a million items: never str() one.
    md = write(
        tmp_path / "bomb.md",
        "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n"
        "title: *f\nsummary: *f\n---\nThe port grew. It doubled its capacity in a year.\n",
    )
    result = run_digest("summarise", "--json", str(md))
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "title": None,
        "summary": "The port grew. It doubled its capacity in a year.",
        "origin": "extracted",
        "chars": 49,
    }


def test_summarise_jsonl_batches_and_reports_bad_lines() -> None:
    lines = [
        json.dumps({"id": "one", "text": "The port grew. It doubled its capacity in a year."}),
        "not json",
        json.dumps({"id": 2, "text": "Short text only.", "description": "The standfirst."}),
        json.dumps({"id": 3, "body": "no text key"}),
    ]
    result = run_digest("summarise", "--jsonl", stdin="\n".join(lines).encode())
    assert result.code == 1  # some lines failed; the others were still summarised
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out == [
        {
            "id": "one",
            "summary": "The port grew. It doubled its capacity in a year.",
            "origin": "extracted",
        },
        {"id": 2, "summary": "The standfirst.", "origin": "publisher"},
    ]
    assert "stdin line 2:" in result.stderr and "stdin line 4:" in result.stderr


def test_summarise_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run_digest("summarise", str(tmp_path / "nope.txt"))
    assert result.code == 2
    assert result.stderr.strip() == f"digest: error: {tmp_path / 'nope.txt'}: file not found"


def test_summarise_reads_files_as_the_collectors_do(tmp_path: Path) -> None:
    """The character set comes from a byte-order mark or the page's own declaration, and
    the [http] max_bytes cap applies, as for any source."""
    text = "The port grew. It doubled its capacity in a year."
    notepad = tmp_path / "notepad.txt"
    notepad.write_bytes(text.encode("utf-16"))  # with a BOM, as Windows' Notepad saves it
    result = run_digest("summarise", str(notepad))
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == text

    page = tmp_path / "port.html"
    page.write_bytes(
        '<html><head><meta charset="koi8-r"><title>Порт</title></head><body><article>'
        "<p>Порт расширяется. Второй терминал удвоит мощность порта к 2027 году.</p>"
        "</article></body></html>".encode("koi8-r")
    )
    result = run_digest("summarise", str(page))
    assert result.code == 0, result.stderr
    assert "Второй терминал удвоит мощность порта" in result.stdout

    config = write(tmp_path / "digest.toml", "[http]\nmax_bytes = 100\n")
    big = write(tmp_path / "big.txt", text * 10)
    result = run_digest("summarise", "-c", str(config), str(big))
    assert result.code == 1
    assert "over the 100 bytes cap" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_the_new_options() -> None:
    build = run_digest("build", "--help")
    for option in ("--record", "--no-history", "--allow-short"):
        assert option in build.stdout
    explain = run_digest("explain", "--help")
    for option in ("--json", "--no-history", "--since", "--until", "--date", "--limit"):
        assert option in explain.stdout
    summarise = run_digest("summarise", "--help")
    for option in ("--chars", "--sentences", "--json", "--jsonl"):
        assert option in summarise.stdout
    top = run_digest("--help")
    assert "explain" in top.stdout and "summarise" in top.stdout
