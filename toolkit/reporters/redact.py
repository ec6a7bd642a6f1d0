"""Email redaction: one transformation of the Result, made before any reporter runs."""

from __future__ import annotations

import re

from toolkit.findings import mapped
from toolkit.result import Finding, Result

# Finding addresses inside free text is a search, which email-validator (a validator of one
# whole address) does not do: this pattern is deliberately generous, since missing an address
# leaks it while over-matching only hides a little text. The local part starts with a letter
# or digit so that a quote around an address ('kim@example.com') stays outside it.
EMAIL = re.compile(r"\w[\w.!#$%&'*+/=?^`{|}~-]*@[\w-]+(?:\.[\w-]+)+")
REDACTED = "[redacted email]"

Span = tuple[int, int]


def redact_text(text: str) -> str:
    return EMAIL.sub(REDACTED, text)


def redact_excerpt(text: str, spans: list[Span]) -> tuple[str, list[Span]]:
    """Redact ``text`` and move the highlight ``spans`` with it: a span that touched an
    address now covers the whole replacement."""
    matches = [(m.start(), m.end()) for m in EMAIL.finditer(text)]
    if not matches:
        return text, spans
    # (old start, old end, new start, new end) of every replaced address.
    moves: list[tuple[int, int, int, int]] = []
    shift = 0
    for start, end in matches:
        moves.append((start, end, start + shift, start + shift + len(REDACTED)))
        shift += len(REDACTED) - (end - start)

    def move(offset: int, is_end: bool) -> int:
        delta = 0
        for old_start, old_end, new_start, new_end in moves:
            if offset >= old_end:
                delta = new_end - old_end
            elif offset > old_start or (offset == old_start and not is_end):
                return new_end if is_end else new_start
            else:
                break
        return offset + delta

    redacted = EMAIL.sub(REDACTED, text)
    return redacted, [(move(s, False), move(e, True)) for s, e in spans]


def _redact_finding(finding: Finding) -> Finding:
    excerpt, spans = redact_excerpt(finding.excerpt, finding.spans)
    changes: dict[str, object] = {}
    if excerpt != finding.excerpt:
        changes.update(excerpt=excerpt, spans=spans)
    message = redact_text(finding.message)
    if message != finding.message:
        changes["message"] = message
    if finding.headline is not None:
        headline = redact_text(finding.headline)
        if headline != finding.headline:
            changes["headline"] = headline
    return finding.model_copy(update=changes) if changes else finding


def redact_emails(result: Result) -> Result:
    """The Result with every email address in article text (excerpts, messages, headlines)
    replaced by ``[redacted email]``; highlight spans follow the text they marked."""
    # Applied as each finding is read: stored findings are not copied.
    redacted = mapped(result.findings, lambda _, f: _redact_finding(f))
    return result.model_copy(update={"findings": redacted})
