"""ESP presets: the literal merge tags each mail service substitutes per recipient.

A preset's tags reach the email exactly as written here: the template prints them
unescaped (they are trusted data from this registry, never from a source), and premailer
never sees them (the prepared template inlines the CSS before any value is inserted; the
direct path shields them from lxml, which would percent-encode ``{{ x }}`` in an href and
escape ``<%...%>``). A preset without a tag for something (SendGrid and Postmark have no
built-in view-in-browser page) leaves that link out unless ``[email]`` gives a URL.

Sources of the tags: Mailchimp's merge-tag cheat sheet (``*|UNSUB|*``, ``*|ARCHIVE|*``,
``*|EMAIL|*``, ``*|UPDATE_PROFILE|*``); SendGrid's suppression-group substitution tags
(``<%asm_group_unsubscribe_raw_url%>``, ``<%asm_preferences_raw_url%>``); Postmark's
unsubscribe placeholder for broadcast streams (``{{{ pm:unsubscribe }}}``); listmonk's
template expressions (``{{ UnsubscribeURL }}``, ``{{ MessageURL }}``,
``{{ .Subscriber.Email }}``, ``{{ UnsubscribeURL }}?manage=true``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..registry import Registry


@dataclass(frozen=True, slots=True)
class EspPreset:
    unsubscribe: str
    view_in_browser: str | None = None
    recipient: str | None = None
    preferences: str | None = None
    label: str = ""

    def tags(self) -> list[str]:
        return [
            t
            for t in (self.unsubscribe, self.view_in_browser, self.recipient, self.preferences)
            if t
        ]


ESP_PRESETS: Registry[EspPreset] = Registry("esp", noun="ESP preset")

ESP_PRESETS.add(
    "generic",
    EspPreset(
        unsubscribe="{{unsubscribe_url}}",
        view_in_browser="{{web_url}}",
        recipient="{{email}}",
        preferences=None,
        label="Handlebars/Mustache-style placeholders your sending script fills in",
    ),
)
ESP_PRESETS.add(
    "mailchimp",
    EspPreset(
        unsubscribe="*|UNSUB|*",
        view_in_browser="*|ARCHIVE|*",
        recipient="*|EMAIL|*",
        preferences="*|UPDATE_PROFILE|*",
        label="Mailchimp merge tags",
    ),
)
ESP_PRESETS.add(
    "sendgrid",
    EspPreset(
        unsubscribe="<%asm_group_unsubscribe_raw_url%>",
        view_in_browser=None,
        recipient=None,
        preferences="<%asm_preferences_raw_url%>",
        label="SendGrid suppression-group substitution tags (send with an asm group id)",
    ),
)
ESP_PRESETS.add(
    "postmark",
    EspPreset(
        unsubscribe="{{{ pm:unsubscribe }}}",
        view_in_browser=None,
        recipient=None,
        preferences=None,
        label="Postmark broadcast-stream unsubscribe placeholder",
    ),
)
ESP_PRESETS.add(
    "listmonk",
    EspPreset(
        unsubscribe="{{ UnsubscribeURL }}",
        view_in_browser="{{ MessageURL }}",
        recipient="{{ .Subscriber.Email }}",
        preferences="{{ UnsubscribeURL }}?manage=true",
        label="listmonk template expressions",
    ),
)

# A merge tag given in [email] (for a service without a preset): one of the common shapes,
# with nothing that could end an attribute or open a tag.
_MERGE_TAG_SHAPES = re.compile(
    r"""\{\{\{?[^{}<>"'`]{1,80}\}?\}\}[^\s"'<>`]{0,80}   # {{x}}, {{{ x }}}, then ?a=b
      | \*\|[A-Za-z0-9_:.]{1,40}\|\*                      # *|UNSUB|*
      | <%[A-Za-z0-9_ .]{1,60}%>                          # <%asm_..._url%>
      | %%?[A-Za-z0-9_.]{1,60}%%?                         # %unsubscribe_url%, %%x%%
      | \[[A-Za-z0-9_ .]{1,60}\]                          # [unsubscribe]
      | \$\{?[A-Za-z0-9_.]{1,60}\}?                       # $unsubscribe, ${x}
    """,
    re.VERBOSE,
)


def is_merge_tag(value: str) -> bool:
    return bool(_MERGE_TAG_SHAPES.fullmatch(value.strip())) and value == value.strip()


def check_link_setting(value: str) -> str:
    """An ``[email]`` link: an absolute http(s)/mailto URL, or a merge tag (for a config
    validator; raises ValueError with the reason)."""
    from ..urls import is_safe_link

    if is_safe_link(value) or is_merge_tag(value):
        return value
    raise ValueError(
        f"must be an http(s) or mailto URL, or a mail service's merge tag such as "
        f"'*|UNSUB|*' or '{{{{unsubscribe_url}}}}', got {value!r}"
    )
