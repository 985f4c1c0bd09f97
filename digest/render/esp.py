"""ESP presets: the literal merge tags each mail service substitutes per recipient.

The tags are data passed into the template, so Jinja prints them verbatim and premailer
leaves them alone; ``{{unsubscribe_url}}`` reaches the email as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..registry import Registry


@dataclass(frozen=True, slots=True)
class EspPreset:
    unsubscribe: str
    view_in_browser: str
    recipient: str
    preferences: str | None = None


ESP_PRESETS: Registry[EspPreset] = Registry("esp")

ESP_PRESETS.add(
    "generic",
    EspPreset(
        unsubscribe="{{unsubscribe_url}}",
        view_in_browser="{{web_url}}",
        recipient="{{email}}",
    ),
)
ESP_PRESETS.add(
    "mailchimp",
    EspPreset(
        unsubscribe="*|UNSUB|*",
        view_in_browser="*|ARCHIVE|*",
        recipient="*|EMAIL|*",
        preferences="*|UPDATE_PROFILE|*",
    ),
)
ESP_PRESETS.add(
    "sendgrid",
    EspPreset(
        unsubscribe="<%asm_group_unsubscribe_raw_url%>",
        view_in_browser="{{web_url}}",
        recipient="{{email}}",
        preferences="<%asm_preferences_raw_url%>",
    ),
)
ESP_PRESETS.add(
    "postmark",
    EspPreset(
        unsubscribe="{{{pm:unsubscribe}}}",
        view_in_browser="{{web_url}}",
        recipient="{{email}}",
    ),
)
ESP_PRESETS.add(
    "listmonk",
    EspPreset(
        unsubscribe="{{ UnsubscribeURL }}",
        view_in_browser="{{ MessageURL }}",
        recipient="{{ .Subscriber.Email }}",
        preferences="{{ ManageURL }}",
    ),
)
