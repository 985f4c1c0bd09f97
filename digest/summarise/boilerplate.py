"""Lines and sentences that are page furniture, not summary material: calls to action
("Read more", "Subscribe"), captions and photo credits, bylines, datelines of updates,
copyright notes, and short headings that are not sentences."""

from __future__ import annotations

import re

from .segment import ENDS_SENTENCE

# A call to action or furniture at the start of a (short) line.
_LEADING = re.compile(
    r"""^[\W_]*(?:
        read\ (?:more|next|the\ full|also|our)\b | continue\ reading | click\ here | learn\ more
      | see\ also | related(?:\ (?:stories|articles|coverage|content|reading))?\s*: | more\ on\ this
      | also\ read | recommended\ for\ you | most\ (?:read|popular)\b | trending\ now
      | subscribe\b | sign\ up\b | sign\ in\b | log\ in\b | register\ (?:now|here|for\ free)
      | (?:get|join)\ (?:our|the)\ (?:free\ )?newsletter | follow\ us\b | like\ us\ on
      | share\ (?:this|on|via)\b | tweet\ this | download\ (?:our|the)\ app | listen\ to\ this
      | advertisement\s*$ | sponsored(?:\ content)?\s*(?:$|:) | skip\ to\b | back\ to\ top | comments?\s*(?:\(\d+\))?$
      | (?:photo|image|picture|photograph|pic|video|media|graphic|illustration)
        (?:\ (?:caption|source|credit))?\s*[:|] | image\ (?:caption|source|copyright)\b
      | media\ caption\b | caption\s*: | credit\s*: | source\s*:\ (?:getty|reuters|ap|afp)\b
      | file\ (?:photo|picture|image)\b
      | (?:additional\ )?reporting\ by\b | (?:written|edited|posted|compiled)\ by\b
      | editing\ by\b | (?:last\ )?updated\s*(?:on\b|at\b|:|\d) | (?:first\ )?published\s*(?:on\b|at\b|:|\d)
      | this\ (?:article|story)\ (?:was\ (?:first|originally)|first|originally)\b
      | © | \(c\)\ \d | copyright\s*(?:©|\(c\)|\d{4}|:)
      | all\ rights\ reserved | contact\ (?:the\ )?(?:author|reporter|us)\b | email\ us\b
      | \d+\ min(?:ute)?s?\ read\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Anywhere in a line: photo credits such as "(AP Photo/Jane Doe)" or "Getty Images".
_CREDIT = re.compile(
    r"\((?:AP|AFP|Reuters|EPA|Getty)[^)]*\)\s*$|\b(?:Getty Images|Shutterstock|AP Photo|AFP Photo)\b"
    r"|/(?:Reuters|AP|AFP|EPA|Getty)\s*$|\ball rights reserved\b",
    re.IGNORECASE,
)
# A byline: "By Jane Doe", "By Jane Doe and Ali Khan, Reuters", "By JANE DOE | Staff".
_BYLINE = re.compile(
    r"^by\s+(?:[A-Z][\w'’.-]*\s*){1,4}(?:(?:,|and|&)\s*(?:[A-Z][\w'’.-]*\s*){1,4})*"
    r"(?:[,|–—-]\s*[\w .'’&-]{0,40})?$",
    re.IGNORECASE,
)

SHORT_LINE = 160  # calls to action are short; a long line starting "Updated" is prose


def is_boilerplate(line: str) -> bool:
    """True for a line or sentence that is furniture rather than reporting."""
    line = line.strip()
    if not line:
        return True
    if len(line) <= SHORT_LINE and _LEADING.search(line):
        return True
    if _CREDIT.search(line):
        return True
    return len(line) <= 80 and bool(_BYLINE.match(line)) and not ENDS_SENTENCE.search(line)


def is_heading(line: str) -> bool:
    """A short line without sentence punctuation: a sub-heading or a label, not a sentence."""
    line = line.strip()
    return len(line.split()) <= 12 and not ENDS_SENTENCE.search(line)
