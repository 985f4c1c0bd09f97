"""Every ESP preset's merge tags reach both parts literally, through Jinja and premailer."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.config import parse_config
from digest.errors import ConfigError
from digest.render import render_html, render_html_direct, render_text
from digest.render.esp import ESP_PRESETS, is_merge_tag

from .helpers import SAMPLE_CONFIG, SAMPLE_DATE, run_digest, write
from .render_fixtures import fixture_digest, render_config

PRESETS = ["generic", "mailchimp", "sendgrid", "postmark", "listmonk"]


def test_every_required_preset_is_registered() -> None:
    assert set(PRESETS) <= set(ESP_PRESETS.names())


def _footer_hrefs(html: str) -> dict[str, str]:
    doc = lxml_html.document_fromstring(html)
    return {
        a.text_content(): a.get("href") for a in doc.iter("a") if a.get("class") == "footer-link"
    }


@pytest.mark.parametrize("esp", PRESETS)
@pytest.mark.parametrize("path", ["prepared", "direct"])
def test_preset_tags_round_trip_literally_in_html(esp: str, path: str) -> None:
    preset = ESP_PRESETS.get(esp)
    render = render_html if path == "prepared" else render_html_direct
    html = render(fixture_digest(), render_config(esp=esp))
    # In the raw bytes, exactly as the service expects them (not &lt;%, not %7B%7B)...
    assert f'href="{preset.unsubscribe}"' in html
    if preset.view_in_browser:
        assert f'href="{preset.view_in_browser}"' in html
    if preset.preferences:
        assert f'href="{preset.preferences}"' in html
    if preset.recipient:
        assert f"sent to {preset.recipient}." in html
    # ...and where a parser finds them.
    hrefs = _footer_hrefs(html)
    assert hrefs["Unsubscribe"] == preset.unsubscribe
    assert ("View in browser" in hrefs) == bool(preset.view_in_browser)
    assert ("Preferences" in hrefs) == bool(preset.preferences)


@pytest.mark.parametrize("esp", PRESETS)
def test_preset_tags_round_trip_literally_in_text(esp: str) -> None:
    preset = ESP_PRESETS.get(esp)
    text = render_text(fixture_digest(), render_config(esp=esp))
    assert f"Unsubscribe: {preset.unsubscribe}\n" in text
    for tag in preset.tags():
        assert tag in text


def test_known_tags_are_the_services_own() -> None:
    assert ESP_PRESETS.get("mailchimp").unsubscribe == "*|UNSUB|*"
    assert ESP_PRESETS.get("mailchimp").view_in_browser == "*|ARCHIVE|*"
    assert ESP_PRESETS.get("generic").unsubscribe == "{{unsubscribe_url}}"
    assert ESP_PRESETS.get("sendgrid").unsubscribe == "<%asm_group_unsubscribe_raw_url%>"
    assert ESP_PRESETS.get("postmark").unsubscribe == "{{{ pm:unsubscribe }}}"
    assert ESP_PRESETS.get("listmonk").unsubscribe == "{{ UnsubscribeURL }}"


def test_configured_urls_override_the_preset_and_are_escaped() -> None:
    config = render_config(
        esp="mailchimp",
        email={
            "unsubscribe_url": "https://example.com/unsub?list=weekly&u=1",
            "web_url": "https://example.com/issues/2025-12-05.html",
        },
    )
    html = render_html(fixture_digest(), config)
    assert 'href="https://example.com/unsub?list=weekly&amp;u=1"' in html
    assert 'href="https://example.com/issues/2025-12-05.html"' in html
    assert "*|UNSUB|*" not in html
    assert "*|UPDATE_PROFILE|*" in html  # the preset still gives what was not configured


def test_a_configured_merge_tag_for_another_service_prints_verbatim() -> None:
    config = render_config(email={"unsubscribe_url": "[unsubscribe]", "recipient": "%%email%%"})
    html = render_html(fixture_digest(), config)
    assert 'href="[unsubscribe]"' in html
    assert "sent to %%email%%." in html
    assert 'href="[unsubscribe]"' in render_html_direct(fixture_digest(), config)


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", "/unsubscribe", '{{x}}" onmouseover="alert(1)', "data:text/html,x"],
)
def test_unsafe_email_links_are_config_errors(value: str) -> None:
    with pytest.raises(ConfigError, match=r"email\.unsubscribe_url: must be an http\(s\)"):
        parse_config({"email": {"unsubscribe_url": value}})


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("*|UNSUB|*", True),
        ("{{unsubscribe_url}}", True),
        ("{{{ pm:unsubscribe }}}", True),
        ("{{ UnsubscribeURL }}?manage=true", True),
        ("<%asm_group_unsubscribe_raw_url%>", True),
        ("%unsubscribe_url%", True),
        ("[unsubscribe]", True),
        ("<script>", False),
        ('{{a}}"><b>', False),
        ("https://example.com", False),
    ],
)
def test_merge_tag_shapes(value: str, ok: bool) -> None:
    assert is_merge_tag(value) is ok


def test_build_with_each_preset_keeps_the_tags(tmp_path: Path) -> None:
    for esp in ("sendgrid", "listmonk"):
        config = write(
            tmp_path / f"{esp}.toml",
            SAMPLE_CONFIG.read_text().replace('esp = "generic"', f'esp = "{esp}"'),
        )
        for name in ("feeds", "articles", "trending.csv", "weather.json"):
            target = tmp_path / name
            if not target.exists():
                target.symlink_to(SAMPLE_CONFIG.parent / name)
        result = run_digest("build", "-c", str(config), "--date", SAMPLE_DATE)
        assert result.code == 0, result.stderr
        assert f'href="{ESP_PRESETS.get(esp).unsubscribe}"' in result.stdout


def test_empty_email_links_mean_the_preset() -> None:
    config = parse_config({"email": {"esp": "mailchimp", "unsubscribe_url": "", "web_url": ""}})
    html = render_html(fixture_digest(), config)
    assert 'href="*|UNSUB|*"' in html and 'href="*|ARCHIVE|*"' in html


def test_empty_template_dir_means_the_theme() -> None:
    config = parse_config({"render": {"template_dir": ""}})
    assert config.render.template_dir is None
    assert "Unsubscribe" in render_html(fixture_digest(), config)
