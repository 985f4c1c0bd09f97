"""``digest check``: each rule on deliberately bad HTML, the digest clean, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.render import GMAIL_CLIP_BYTES, render_html
from digest.render.check import check_html

from .helpers import SAMPLE_CONFIG, SAMPLE_DATE, run_digest, write
from .render_fixtures import fixture_digest, render_config

HEAD = (
    '<meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Weekly</title>'
)
BODY = (
    '<div style="display:none;max-height:0;overflow:hidden">Preview text</div>'
    '<table role="presentation" width="600"><tr><td style="font-family:Arial, sans-serif">'
    'Hello <a href="https://example.com/unsubscribe">Unsubscribe</a>{body}</td></tr></table>'
)


def page(body: str = "", head: str = HEAD, html_attrs: str = ' lang="en"', style: str = "") -> str:
    style_block = f"<style>{style}</style>" if style else ""
    return (
        f"<!DOCTYPE html><html{html_attrs}><head>{head}{style_block}</head>"
        f"<body>{BODY.format(body=body)}</body></html>"
    )


def rules(html: str) -> set[tuple[str, str]]:
    return {(f.severity, f.rule) for f in check_html(html)}


def test_a_clean_page_has_no_findings() -> None:
    assert check_html(page()) == []


@pytest.mark.parametrize("esp", ["generic", "mailchimp", "sendgrid", "postmark", "listmonk"])
@pytest.mark.parametrize("show_images", [False, True])
def test_the_digest_passes_clean(esp: str, show_images: bool) -> None:
    html = render_html(fixture_digest(), render_config(esp=esp, show_images=show_images))
    assert [str(f) for f in check_html(html)] == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (page("<script>alert(1)</script>"), ("error", "forbidden-element")),
        (page("<form><input name=q></form>"), ("error", "forbidden-element")),
        (page('<iframe src="https://e.com"></iframe>'), ("error", "forbidden-element")),
        (page("<svg></svg>"), ("warning", "forbidden-element")),
        (
            page(head=HEAD + '<link rel="stylesheet" href="https://e.com/a.css">'),
            ("error", "external-css"),
        ),
        (page(style="@import url(https://e.com/a.css);"), ("error", "external-css")),
        (page('<p class="x">x</p>', style=".x { color: red; }"), ("warning", "style-rules")),
        (page('<p class="x">x</p>', style=".x { color: red; }"), ("error", "class-only-styling")),
        (
            page(
                '<p class="x" style="color: red; font-size: 16px">x</p>',
                style="@media (max-width: 600px) { .x { font-size: 20px; } }",
            ),
            ("error", "media-override"),
        ),
        (page('<p style="float: left">x</p>'), ("error", "layout-css")),
        (page('<div style="display:flex">x</div>'), ("error", "layout-css")),
        (page('<div style="position:absolute">x</div>'), ("error", "layout-css")),
        (page('<p style="font-family: Lato">x</p>'), ("warning", "font-fallback")),
        (page('<img src="https://e.com/a.png" width="100" height="50">'), ("error", "img-alt")),
        (page('<img src="https://e.com/a.png" alt="" height="50">'), ("error", "img-size")),
        (
            page('<img src="https://e.com/a.png" alt="" width="100%" height="50">'),
            ("error", "img-size"),
        ),
        (page('<img src="https://e.com/a.png" alt="" width="100">'), ("warning", "img-size")),
        (page('<a href="javascript:alert(1)">x</a>'), ("error", "unsafe-url")),
        (page('<a href=" java\tscript:alert(1)">x</a>'), ("error", "unsafe-url")),
        (page('<a href="data:text/html,x">x</a>'), ("error", "unsafe-url")),
        (page('<a href="ftp://e.com/f">x</a>'), ("error", "unsafe-url")),
        (
            page('<img src="data:image/png;base64,AAAA" alt="" width="1" height="1">'),
            ("warning", "unsafe-url"),
        ),
        (page('<a href="/about">x</a>'), ("error", "relative-url")),
        (page('<a href="//e.com/x">x</a>'), ("error", "relative-url")),
        (page('<a href="">x</a>'), ("error", "relative-url")),
        (page('<div style="background: url(img/bg.png)">x</div>'), ("error", "relative-url")),
        (
            page('<img src="https://e.com/a.png" alt="" width="1" height="1" onerror="alert(1)">'),
            ("error", "event-handler"),
        ),
        (page(html_attrs=""), ("warning", "html-lang")),
        (
            page(head='<meta name="viewport" content="width=device-width"><title>T</title>'),
            ("error", "charset"),
        ),
        (page(head='<meta charset="utf-8"><title>T</title>'), ("warning", "viewport")),
        (
            page(head='<meta charset="utf-8"><meta name="viewport" content="width=device-width">'),
            ("warning", "title"),
        ),
        (page("<table><tr><td>x</td></tr></table>"), ("warning", "layout-table-role")),
        (
            page('<table role="presentation" width="800"><tr><td>x</td></tr></table>'),
            ("warning", "content-width"),
        ),
    ],
)
def test_each_rule(html: str, expected: tuple[str, str]) -> None:
    assert expected in rules(html)


def test_data_tables_need_no_presentation_role() -> None:
    assert rules(page("<table><tr><th>Rank</th></tr><tr><td>1</td></tr></table>")) == set()


def test_client_hacks_and_media_queries_may_stay_in_style() -> None:
    style = (
        "#outlook a { padding: 0; } a[x-apple-data-detectors] { color: inherit !important; }"
        " a:hover { color: red; } @media (max-width: 600px) { td { padding: 0 !important; } }"
    )
    assert rules(page(style=style)) == set()


def test_missing_preheader_and_unsubscribe() -> None:
    html = (
        f'<!DOCTYPE html><html lang="en"><head>{HEAD}</head><body>'
        '<table role="presentation" width="600"><tr><td>Visible first words</td></tr></table>'
        "</body></html>"
    )
    assert rules(html) == {("warning", "preheader"), ("error", "unsubscribe")}


@pytest.mark.parametrize(
    "link",
    [
        "*|UNSUB|*",
        "{{unsubscribe_url}}",
        "<%asm_group_unsubscribe_raw_url%>",
        "{{ UnsubscribeURL }}",
    ],
)
def test_merge_tags_are_valid_urls_and_count_as_unsubscribe(link: str) -> None:
    html = page().replace(
        '<a href="https://example.com/unsubscribe">Unsubscribe</a>', f'<a href="{link}">Leave</a>'
    )
    assert rules(html) == set()


def test_size_against_gmail_clipping() -> None:
    filler = "<p>" + "x" * 1000 + "</p>"
    near = page(filler * int(GMAIL_CLIP_BYTES * 0.95 / 1007))
    over = page(filler * (GMAIL_CLIP_BYTES // 1000 + 5))
    assert ("warning", "size") in rules(near)
    assert ("error", "size") in rules(over)
    (finding,) = [f for f in check_html(over) if f.rule == "size"]
    assert "102 KB" in finding.message


def test_findings_carry_line_numbers() -> None:
    html = (
        page()
        .replace("<body>", "<body>\n\n\n")
        .replace("Hello", '<img src="https://e.com/x.png" width="1" height="1">')
    )
    (finding,) = [f for f in check_html(html) if f.rule == "img-alt"]
    assert finding.line == 4
    assert str(finding).startswith("ERROR img-alt: line 4: <img")


# -- the command -------------------------------------------------------------------------------


def test_cli_clean_digest_exits_0_with_no_findings(tmp_path: Path) -> None:
    built = run_digest(
        "build", "-c", str(SAMPLE_CONFIG), "--date", SAMPLE_DATE, "-o", str(tmp_path / "d.html")
    )
    assert built.code == 0, built.stderr
    result = run_digest("check", str(tmp_path / "d.html"))
    assert result.code == 0, result.stdout
    assert result.stdout == ""
    assert "0 error(s), 0 warning(s)" in result.stderr
    quiet = run_digest("-q", "check", str(tmp_path / "d.html"))  # notes go through the log
    assert (quiet.code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_cli_reports_one_line_per_finding_and_exits_1_on_errors(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.html", page('<script>x</script><img src="a.png">'))
    result = run_digest("check", str(bad))
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert (
        "ERROR forbidden-element: line 1: <script>: scripts never run in email and get the message filtered"
        in lines
    )
    assert all(line.split(" ", 1)[0] in ("ERROR", "WARNING") for line in lines)
    assert {line.split(":", 1)[0] for line in lines} >= {
        "ERROR forbidden-element",
        "ERROR img-alt",
        "ERROR img-size",
        "WARNING img-size",
        "ERROR relative-url",
    }


def test_cli_warnings_only_exit_0(tmp_path: Path) -> None:
    result = run_digest("check", str(write(tmp_path / "w.html", page(html_attrs=""))))
    assert result.code == 0
    assert result.stdout.startswith("WARNING html-lang:")


def test_cli_reads_stdin_and_missing_files_are_usage_errors(tmp_path: Path) -> None:
    result = run_digest("check", "-", stdin=page().encode())
    assert result.code == 0 and result.stdout == ""
    missing = run_digest("check", str(tmp_path / "nope.html"))
    assert missing.code == 2
    assert "nope.html: file not found" in missing.stderr and "Traceback" not in missing.stderr
