"""The Article record and the parser of the article dump format.

A dump holds one article a file or many back to back; each article starts at a header line
(`` date YYYY-MM-DD  Headline``). The parser never raises on odd text: what is missing is left
as ``None`` (or an empty list) and named in ``problems``, so that expectations can report it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A header starts with " date "; the leading space is sometimes lost by tools that strip lines.
HEADER = re.compile(r"^ ?date(?: |$)")
_HEADER_STARTS = (" date", "date")
_HEADER_PARTS = re.compile(r"^ ?date ?(?P<date>\S*)(?:[ \u00a0]{2,}|[ \u00a0])?(?P<headline>.*)$")
PUBLISHED_PREFIX = "Published:"
# A caption ends in a bracketed credit in capitals: [YONHAP], [MINISTRY OF FOREIGN AFFAIRS].
_CREDIT = re.compile(r"\[[^\[\]a-z]{2,}\]\s*$")
# "BY A", "BY A, B", "WRITTEN BY A AND TRANSLATED BY B"; the names are in capitals.
BYLINE = re.compile(r"^\s*(?:[A-Z][A-Z'’.-]* )*BY\s+\S")
# Some sites write "By Kim Min-ji [kim.minji@x.kr]": in mixed case only with the bracket, so
# that a closing paragraph such as "By contrast, exports rose." is not taken for a byline.
BYLINE_MIXED = re.compile(r"^\s*By\s+[A-Z][^\[\]]*\[.*\]\s*$")
_BYLINE_ROLES = re.compile(r"\b(?:[A-Z]+ )?BY\s+")
_NAME_SPLIT = re.compile(r"\s*(?:,|\bAND\b|\band\b|&)\s*")
_EMAIL_SPLIT = re.compile(r"[,;\s]+")
TAGS = re.compile(r"^tags(?:[ \t\u00a0]|$)")
# How far above the tags line a byline may stand (a closing note sometimes follows it).
_BYLINE_REACH = 3


@dataclass
class Article:
    """One article as it stands in a dump; every text field is kept as written."""

    file: str
    line: int
    date: str | None = None
    headline: str | None = None
    title: str | None = None
    published: str | None = None
    caption: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    byline: str | None = None
    byline_names: list[str] = field(default_factory=list)
    byline_emails: list[str] = field(default_factory=list)
    tags_raw: str | None = None
    tags: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Line of each part in the file, for findings that point inside the article.
    lines: dict[str, int] = field(default_factory=dict)
    # The input format it was read from ("dump", "jsonl", "csv", ...): feeds carry no title
    # line or Published: line, and the expectations on those say so instead of failing.
    source: str = "dump"
    # True when the feed gave the tags as a list: then a repeat is an exact duplicate tag.
    tags_list: bool = False

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def is_blank(line: str) -> bool:
    """Blank lines in dumps often hold a lone no-break space; str.strip() removes it."""
    return not line.strip()


def split_lines(text: str) -> list[str]:
    """Split on newlines only: str.splitlines() would also split on U+2028, \\x0c and friends,
    and the line numbers in findings must match what an editor shows."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse_text(text: str, file: str) -> list[Article]:
    """Parse every article in ``text``; ``file`` is recorded on each for findings."""
    lines = split_lines(text)
    # startswith() first: a regex per line of a large dump costs more than the rest of parsing.
    starts = [i for i, ln in enumerate(lines) if ln.startswith(_HEADER_STARTS) and HEADER.match(ln)]
    articles: list[Article] = []
    first = starts[0] if starts else len(lines)
    if any(not is_blank(ln) for ln in lines[:first]):
        # Text before the first header (or a file with no header at all) is still an article:
        # one whose header is missing, so that it is checked and reported, not dropped.
        start = next(i for i, ln in enumerate(lines) if not is_blank(ln))
        articles.append(_parse_article(lines[start:first], file, start + 1, has_header=False))
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        articles.append(_parse_article(lines[start:end], file, start + 1, has_header=True))
    return articles


def _parse_article(lines: list[str], file: str, first_line: int, has_header: bool) -> Article:
    art = Article(file=file, line=first_line)
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    lines = lines[:end]
    pos = 0
    if has_header:
        m = _HEADER_PARTS.match(lines[0])
        assert m is not None  # HEADER matched this line
        art.date = m["date"]
        art.headline = m["headline"].strip(" \u00a0\t")
        art.lines["headline"] = first_line
        pos = 1
    else:
        art.problems.append("no header line")

    if (
        pos < len(lines)
        and not is_blank(lines[pos])
        and not lines[pos].startswith(PUBLISHED_PREFIX)
    ):
        art.title = lines[pos]
        art.lines["title"] = first_line + pos
        pos += 1
    else:
        art.problems.append("no title line")

    end = len(lines)
    tags_at = _last_nonblank(lines, pos, end)
    if tags_at is not None and TAGS.match(lines[tags_at]):
        art.tags_raw = lines[tags_at][4:].strip(" \t\u00a0")
        art.tags = art.tags_raw.split()
        art.lines["tags"] = first_line + tags_at
        end = tags_at
    else:
        art.problems.append("no tags line")

    byline_at = _find_byline(lines, pos, end)
    if byline_at is not None:
        parse_byline(art, lines[byline_at])
        art.lines["byline"] = first_line + byline_at
        end = byline_at
    else:
        art.problems.append("no byline")

    for i in range(pos, end):
        if lines[i].startswith(PUBLISHED_PREFIX):
            art.published = lines[i][len(PUBLISHED_PREFIX) :].strip(" \t\u00a0")
            art.lines["published"] = first_line + i
            pos = i + 1
            caption_end = _paragraph_end(lines, pos, end)
            caption = " ".join(ln.strip() for ln in lines[pos:caption_end])
            if caption and _CREDIT.search(caption):
                art.caption = caption
                art.lines["caption"] = first_line + pos
                pos = caption_end
            break

    body_start: int | None = None
    para: list[str] = []
    for i in range(pos, end):
        if is_blank(lines[i]):
            if para:
                art.paragraphs.append(" ".join(para))
                para = []
            continue
        if body_start is None:
            body_start = i
        para.append(lines[i].strip(" \t"))
    if para:
        art.paragraphs.append(" ".join(para))
    if body_start is not None:
        art.lines["body"] = first_line + body_start
    else:
        art.problems.append("empty body")
    return art


def _last_nonblank(lines: list[str], lo: int, hi: int) -> int | None:
    for i in range(hi - 1, lo - 1, -1):
        if not is_blank(lines[i]):
            return i
    return None


def _find_byline(lines: list[str], lo: int, hi: int) -> int | None:
    seen = 0
    for i in range(hi - 1, lo - 1, -1):
        if is_blank(lines[i]):
            continue
        if BYLINE.match(lines[i]) or BYLINE_MIXED.match(lines[i]):
            return i
        seen += 1
        if seen >= _BYLINE_REACH:
            break
    return None


def _paragraph_end(lines: list[str], lo: int, hi: int) -> int:
    i = lo
    while i < hi and not is_blank(lines[i]):
        i += 1
    return i


def parse_byline(art: Article, line: str) -> None:
    """Names outside the brackets, addresses inside them. Several bracket groups are possible
    ("BY A [a@x.kr] AND B [b@x.kr]"), and so are addresses written without brackets."""
    art.byline = line.strip(" \t\u00a0")
    emails: list[str] = []
    for group in _BRACKETS.findall(art.byline):
        # Cloudflare's placeholder is "[email protected]" inside the brackets: keep it whole.
        emails.extend(m.strip("[]") for m in PLACEHOLDER_IN.findall(group))
        emails.extend(_addresses(PLACEHOLDER_IN.sub(" ", group)))
    names_part = _BRACKETS.sub(" ", art.byline)
    bare = [w for w in names_part.split() if "@" in w]
    emails.extend(_addresses(" ".join(bare)))
    names_part = re.sub(r"^\s*By\s+", "", names_part)
    names = _BYLINE_ROLES.sub(",", " ".join(w for w in names_part.split() if "@" not in w))
    art.byline_names = [n.strip() for n in _NAME_SPLIT.split(names) if n.strip(" ,")]
    art.byline_emails = emails


# A bracket group, which may hold one bracketed placeholder, or run to the end when unclosed.
_BRACKETS = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)(?:\]|$)")
PLACEHOLDER_IN = re.compile(r"\[?email[\s\u00a0]+protected\]?", re.IGNORECASE)
# Words that join addresses rather than being one: "[a@x.kr and b@x.kr]".
_JOINERS = frozenset({"and", "&", "/", "|"})


def _addresses(text: str) -> list[str]:
    words = (w.strip("()<>\"'") for w in _EMAIL_SPLIT.split(text))
    return [w.removeprefix("mailto:") for w in words if w and w.lower() not in _JOINERS]


_PLACEHOLDER = re.compile(r"^\[?email[\s\u00a0]+protected\]?$", re.IGNORECASE)


def is_cloudflare_placeholder(value: str) -> bool:
    """Cloudflare's email protection replaces an address with "[email protected]"."""
    return bool(_PLACEHOLDER.match(value.strip()))


def render(article: Article) -> str:
    """The article in the dump format: the inverse of the parser for its raw fields (date,
    headline, title, published, caption, paragraphs, byline, tags_raw). Derived fields (byline
    names and emails, the tag list) come from the raw ones when the text is parsed again."""
    out: list[str] = []
    if article.date is not None or article.headline is not None:
        out.append(f" date {article.date or ''}  {article.headline or ''}")
    if article.title is not None:
        out.append(article.title)
    out.append("")
    if article.published is not None:
        out.append(f"{PUBLISHED_PREFIX} {article.published}")
        if article.caption is not None:
            out.append(article.caption)
        out.append("")
    for para in article.paragraphs:
        out.extend([para, ""])
    if article.byline is not None:
        out.append(article.byline)
    if article.tags_raw is not None:
        out.append(f"tags {article.tags_raw}".rstrip())
    return "\n".join(out) + "\n"


def reparse(article: Article) -> Article:
    """Render and parse again: derived fields and lines made consistent with the raw ones."""
    parsed = parse_text(render(article), article.file)
    return parsed[0] if parsed else Article(file=article.file, line=1, problems=["empty"])
