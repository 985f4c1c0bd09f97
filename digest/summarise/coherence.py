"""Sentences that lean on the one before them, and so read badly alone under a headline.

A summary shows a few sentences out of their article; a sentence that points back to text
the reader never saw ("Then it reaches in...", "But the bank...", '"Load it at home," he
said.') leaves them guessing. These kinds are recognised, all by surface form (no parser):

- a *dangling opener* (``Need.LOOSE``): the sentence opens (perhaps inside a quotation)
  with a pronoun or a back-pointing connective: "He", "It", "Their", "This", "Then",
  "But", "However", "Meanwhile", "The latter", "Despite this," ... ("This year" and "It is
  likely that..." point nowhere and are let through);
- a *pronoun-attributed* quotation or report (``Need.STRICT``): '..." she said.', '..., he
  added.', 'they told reporters' with no named speaker in the same sentence;
- a *quotation fragment* (``Need.STRICT``): the middle or the end of a quotation that
  began in an earlier sentence ('"A good human picker does it in four.' with no speaker
  at all, or 'We are getting closer."');
- a *continuation* (``Need.STRICT``): it opens in lower case, the rest of a cut sentence.

Such a sentence is *resolved* when the article's previous sentence is in the summary too
(the budget fitting in ``budget.py`` uses that). The article's first sentence never needs
an antecedent: nothing precedes it, so its writer meant it to open. A *lead-in* ("expect
the heaviest jams:") needs what follows, and is not summary material at all.

What is not caught: a definite noun phrase that points back ("the card" after "a Touch
'n Go card"), or a name given in full only earlier in the article ("Ms. Tram said").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import IntEnum
from itertools import chain


class Need(IntEnum):
    """How much a sentence needs the one before it."""

    NONE = 0
    LOOSE = 1  # opens with "He", "But", "Then"...: awkward alone, often clear in context
    STRICT = 2  # a quotation without its speaker, "..., she said.", a cut-off sentence


_OPEN_QUOTES = "\"“‘'"
_LEAD = r"^[\"“‘'(\[\s]*"
_CONNECTIVES = (
    r"he|she|it|they|him|them|his|her|its|their|theirs"
    r"|this|that|these|those|such|then|also|but|and|or|nor|yet|so|still|however|meanwhile|instead"
    r"|nevertheless|nonetheless|moreover|furthermore|besides|likewise|similarly|otherwise"
    r"|therefore|thus|hence|consequently|accordingly|indeed|another|others|other"
    r"|the\s+latter|the\s+former|as\s+a\s+result|in\s+addition|in\s+contrast|by\s+contrast"
    r"|on\s+the\s+other\s+hand|even\s+so|in\s+turn|as\s+well"
)
_DANGLING_OPENER = re.compile(_LEAD + rf"(?:{_CONNECTIVES})\b(?!['’-]\w\w)", re.IGNORECASE)
# "Despite this, ...", "Because of that, ...", "On top of it all, ...".
_BACK_PHRASE = re.compile(
    _LEAD + r"(?:[a-z]+\s+){0,2}(?:of|from|to|despite|after|before|following|given|unlike"
    r"|like|beyond|besides|with|without|for|by|at|on|in|into|against|under|over|since|until)"
    r"\s+(?:this|that|these|those|it|them|which)(?:\s+all)?\s*,",
    re.IGNORECASE,
)
# Openers with a pronoun-like word that points at nothing earlier: the time of writing
# ("This week", "These days", "So far") or an extraposed "it" ("It is likely that...").
_POINTS_NOWHERE = re.compile(
    _LEAD + r"(?:(?:this|these)\s+(?:year|week|weekend|month|morning|afternoon|evening|season"
    r"|summer|winter|spring|autumn|quarter|term|decade|century|days|times)\b"
    r"|so\s+far\b|it(?:['’]s|\s+is|\s+was|\s+has\s+been|\s+had\s+been|\s+will\s+be"
    r"|\s+would\s+be|\s+remains|\s+seems|\s+seemed|\s+appears|\s+appeared)\s+(?:not\s+)?"
    r"(?:\w+ly\s+)?(?:clear|unclear|likely|unlikely|possible|impossible|expected|thought"
    r"|understood|believed|estimated|reported|hoped|feared|known|unknown|important|true"
    r"|hard|difficult|easy|too\s+early|uncertain|necessary|essential|vital|crucial)\b)",
    re.IGNORECASE,
)

_SPEECH = (
    r"said|says|say|added|adds|told|tells|explained|explains|noted|notes|argued|argues"
    r"|warned|warns|insisted|insists|recalled|recalls|admitted|admits|continued|continues"
    r"|wrote|writes|asked|asks|replied|replies|joked|jokes|stressed|stresses|acknowledged"
    r"|acknowledges|conceded|concedes|claimed|claims|suggested|suggests|agreed|agrees"
    r"|predicted|predicts|confirmed|confirms|maintained|maintains|observed|observes"
    r"|remarked|remarks|commented|comments|went\s+on|points?\s+out|pointed\s+out"
)
_PRONOUNS = frozenset({"he", "she", "they", "it"})
# Words next to a speech verb that are not its subject ("who said", "said on Monday").
_NOT_A_SPEAKER = frozenset(
    re.findall(
        r"\w+",
        """who which that we i you and but or as so about to if whether for by in on at with
        of from after before when while this last there here then also earlier later
        yesterday today tomorrow recently previously monday tuesday wednesday thursday
        friday saturday sunday""",
    )
)
# The word before a speech verb (its subject), allowing "has", "also", "later", "-ly"...
_SUBJECT_BEFORE = re.compile(
    rf"(\w+)\s+(?:(?:has|had|have|would|will|also|then|later|once|\w+ly)\s+){{0,2}}(?:{_SPEECH})\b",
    re.IGNORECASE,
)
# Inverted attribution: '..., said Mr Tan.' / '..., said he.' ("told" takes an object).
_SUBJECT_AFTER = re.compile(
    r"\b(?:said|says|added|adds|asked|asks|replied|replies|explained|continued|wrote|writes)"
    r"\s+(\w+)",
    re.IGNORECASE,
)
_HONORIFIC_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Rev|President|Minister"
    r"|Senator|Governor|Mayor|Judge|Chancellor|Secretary|General|Captain|Coach)\.?\s+[A-Z]"
)
_LOWER_START = re.compile(_LEAD + r"[a-z](?![a-z]*[A-Z])")
# A quoted span: straight or curly double quotes (single quotes are also apostrophes).
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")


def outside_quotes(sentence: str) -> str:
    """The sentence without its quoted words (an unclosed quotation runs to the end, an
    unopened one from the start)."""
    text = _QUOTED.sub(" ", sentence)
    first_close = _first_closing_quote(text)
    if first_close is not None:
        text = text[first_close + 1 :]
    opening = re.search(r"(?:^|(?<=[\s(\[—–-]))[\"“]", text)
    if opening:
        text = text[: opening.start()]
    return text


def _first_closing_quote(text: str) -> int | None:
    """Where a quotation that began before this text ends, if it does."""
    for position, char in enumerate(text):
        if char == "”":
            return position
        if char == "“":
            return None
        if char == '"':
            before = text[position - 1] if position else " "
            return position if not before.isspace() and before not in "([—–-" else None
    return None


def opens_dangling(sentence: str) -> bool:
    """Opens with a pronoun or a back-pointing connective ("He", "Then", "Despite this,")."""
    if _POINTS_NOWHERE.match(sentence):
        return False
    return bool(_DANGLING_OPENER.match(sentence) or _BACK_PHRASE.match(sentence))


def _speakers(sentence: str) -> tuple[bool, bool]:
    """(attributed to a pronoun, attributed to someone named) outside the quotation."""
    text = outside_quotes(sentence)
    pronoun, named = False, bool(_HONORIFIC_NAME.search(text))
    for match in chain(_SUBJECT_BEFORE.finditer(text), _SUBJECT_AFTER.finditer(text)):
        word = match.group(1).casefold()
        if word in _PRONOUNS:
            pronoun = True
        elif word not in _NOT_A_SPEAKER:
            named = True
    return pronoun, named


def pronoun_attributed(sentence: str) -> bool:
    """Said by "he", "she", "they" or "it" with nobody named in the same sentence
    ('"We will win," she said.', 'Prices will rise, he added.')."""
    pronoun, named = _speakers(sentence)
    return pronoun and not named


def quotation_fragment(sentence: str) -> bool:
    """Part of a quotation that began in an earlier sentence: it ends one ('We are getting
    closer."'), or it is a quotation with no speaker at all ('"It is not over."')."""
    text = sentence.strip()
    if _first_closing_quote(_QUOTED.sub(" ", text)) is not None:
        return True
    if not text.startswith(('"', "“")):
        return False
    pronoun, named = _speakers(text)
    return not (pronoun or named)


def is_quote(sentence: str) -> bool:
    """A quotation rather than a statement: it opens with a quotation mark, or it is
    attributed to a pronoun."""
    return sentence.lstrip().startswith(tuple(_OPEN_QUOTES)) or pronoun_attributed(sentence)


def continues(sentence: str) -> bool:
    """Opens in lower case: the rest of a sentence that was cut (a list item after its
    lead-in, a domain name split at its dot); not a name such as "iPhone" or "eBay"."""
    return bool(_LOWER_START.match(sentence))


def is_lead_in(sentence: str) -> bool:
    """Ends with a colon: it introduces what follows ("expect the heaviest jams:")."""
    return sentence.rstrip().rstrip('"”’)]').endswith(":")


def need(sentence: str) -> Need:
    """How much the sentence needs the one before it (any of the kinds above)."""
    if pronoun_attributed(sentence) or quotation_fragment(sentence) or continues(sentence):
        return Need.STRICT
    return Need.LOOSE if opens_dangling(sentence) else Need.NONE


def needs(sentences: Sequence[str]) -> list[Need]:
    """Per sentence of an article (in order): how much it needs the previous one (the
    first sentence never does)."""
    return [need(s) if i > 0 else Need.NONE for i, s in enumerate(sentences)]
