"""The Article record and the parser of the article dump format.

A dump holds one article a file or many back to back; each article starts at a header line
(`` date YYYY-MM-DD  Headline``). The parser never raises on odd text: what is missing is left
as ``None`` (or an empty list) and named in ``problems``, so that expectations can report it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from toolkit.textcache import text_cache

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


# Parts of an article whose line is kept (Article.lines), as columns "at_<part>".
PARTS = ("headline", "title", "published", "caption", "body", "byline", "tags")
# The order the parser finds the parts in, which is the order of a parsed Article's lines.
_PARSE_ORDER = ("headline", "title", "tags", "byline", "published", "caption", "body")


@dataclass
class ArticleRows:
    """Articles as columns, one list per field, as the parser and the feed readers fill
    them: the checks need columns (toolkit.batch.rows_frame makes an Arrow table of them), so
    no Article is made per article on the way. ``articles()`` makes the records for the API,
    fixtures and messages when they are asked for."""

    file: list[str] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    date: list[str | None] = field(default_factory=list)
    headline: list[str | None] = field(default_factory=list)
    title: list[str | None] = field(default_factory=list)
    published: list[str | None] = field(default_factory=list)
    caption: list[str | None] = field(default_factory=list)
    paragraphs: list[list[str]] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    byline: list[str | None] = field(default_factory=list)
    byline_names: list[list[str]] = field(default_factory=list)
    byline_emails: list[list[str]] = field(default_factory=list)
    tags_raw: list[str | None] = field(default_factory=list)
    tags: list[list[str]] = field(default_factory=list)
    problems: list[list[str]] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    tags_list: list[bool] = field(default_factory=list)
    at_headline: list[int | None] = field(default_factory=list)
    at_title: list[int | None] = field(default_factory=list)
    at_published: list[int | None] = field(default_factory=list)
    at_caption: list[int | None] = field(default_factory=list)
    at_body: list[int | None] = field(default_factory=list)
    at_byline: list[int | None] = field(default_factory=list)
    at_tags: list[int | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.line)

    def columns(self) -> dict[str, list[Any]]:
        """Every column by name (the lists themselves, not copies)."""
        return {name: getattr(self, name) for name in ROW_COLUMNS}

    def extend(self, other: ArticleRows, start: int = 0, stop: int | None = None) -> None:
        """Append the rows ``start:stop`` of ``other``."""
        whole = start == 0 and stop is None
        for name in ROW_COLUMNS:
            theirs = getattr(other, name)
            getattr(self, name).extend(theirs if whole else theirs[start:stop])

    def add(self, article: Article) -> None:
        """Append one Article's fields (articles made in memory: fixtures, tests)."""
        self.file.append(article.file)
        self.line.append(article.line)
        self.date.append(article.date)
        self.headline.append(article.headline)
        self.title.append(article.title)
        self.published.append(article.published)
        self.caption.append(article.caption)
        self.paragraphs.append(article.paragraphs)
        self.body.append(article.body)
        self.byline.append(article.byline)
        self.byline_names.append(article.byline_names)
        self.byline_emails.append(article.byline_emails)
        self.tags_raw.append(article.tags_raw)
        self.tags.append(article.tags)
        self.problems.append(article.problems)
        self.source.append(article.source)
        self.tags_list.append(article.tags_list)
        get = article.lines.get
        self.at_headline.append(get("headline"))
        self.at_title.append(get("title"))
        self.at_published.append(get("published"))
        self.at_caption.append(get("caption"))
        self.at_body.append(get("body"))
        self.at_byline.append(get("byline"))
        self.at_tags.append(get("tags"))

    def articles(self) -> list[Article]:
        """The rows as Article records."""
        cols = [getattr(self, f"at_{part}") for part in _PARSE_ORDER]
        out = []
        for i, source in enumerate(self.source):
            order = _PARSE_ORDER if source == "dump" else PARTS
            ats = [c[i] for c in cols] if source == "dump" else [self._at(p, i) for p in PARTS]
            out.append(
                Article(
                    file=self.file[i],
                    line=self.line[i],
                    date=self.date[i],
                    headline=self.headline[i],
                    title=self.title[i],
                    published=self.published[i],
                    caption=self.caption[i],
                    paragraphs=list(self.paragraphs[i]),
                    byline=self.byline[i],
                    byline_names=list(self.byline_names[i]),
                    byline_emails=list(self.byline_emails[i]),
                    tags_raw=self.tags_raw[i],
                    tags=list(self.tags[i]),
                    problems=list(self.problems[i]),
                    lines={p: at for p, at in zip(order, ats, strict=True) if at is not None},
                    source=source,
                    tags_list=self.tags_list[i],
                )
            )
        return out

    def _at(self, part: str, i: int) -> int | None:
        value: int | None = getattr(self, f"at_{part}")[i]
        return value


ROW_COLUMNS = tuple(f.name for f in fields(ArticleRows))


def parse_text(text: str, file: str) -> list[Article]:
    """Parse every article in ``text``; ``file`` is recorded on each for findings."""
    rows = ArticleRows()
    parse_rows(text, file, rows)
    return rows.articles()


def parse_rows(text: str, file: str, rows: ArticleRows) -> int:
    """Parse every article in ``text`` into ``rows``; the number of articles added."""
    lines = split_lines(text)
    # startswith() first: a regex per line of a large dump costs more than the rest of parsing.
    starts = [i for i, ln in enumerate(lines) if ln.startswith(_HEADER_STARTS) and HEADER.match(ln)]
    before = len(rows)
    first = starts[0] if starts else len(lines)
    if any(ln.strip() for ln in lines[:first]):
        # Text before the first header (or a file with no header at all) is still an article:
        # one whose header is missing, so that it is checked and reported, not dropped.
        start = next(i for i, ln in enumerate(lines) if ln.strip())
        _parse_article(lines, start, first, file, rows, has_header=False)
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        _parse_article(lines, start, end, file, rows, has_header=True)
    return len(rows) - before


def _parse_article(
    lines: list[str], lo: int, hi: int, file: str, rows: ArticleRows, has_header: bool
) -> None:
    """The article on ``lines[lo:hi]``, appended to ``rows``. Positions are indices into the
    file's lines (the line of index i is i + 1): no slice of the article is copied."""
    end = hi
    while end > lo and not lines[end - 1].strip():
        end -= 1
    pos = lo
    date = headline = title = published = caption = byline = tags_raw = None
    at_headline = at_title = at_published = at_caption = at_body = at_byline = at_tags = None
    problems: list[str] = []
    tags: list[str] = []
    names: list[str] = []
    emails: list[str] = []
    if has_header:
        m = _HEADER_PARTS.match(lines[lo])
        assert m is not None  # HEADER matched this line
        date = m["date"]
        headline = m["headline"].strip(" \u00a0\t")
        at_headline = lo + 1
        pos = lo + 1
    else:
        problems.append("no header line")

    if pos < end and lines[pos].strip() and not lines[pos].startswith(PUBLISHED_PREFIX):
        title = lines[pos]
        at_title = pos + 1
        pos += 1
    else:
        problems.append("no title line")

    tags_at = _last_nonblank(lines, pos, end)
    if tags_at is not None and TAGS.match(lines[tags_at]):
        tags_raw = lines[tags_at][4:].strip(" \t\u00a0")
        tags = tags_raw.split()
        at_tags = tags_at + 1
        end = tags_at
    else:
        problems.append("no tags line")

    byline_at = _find_byline(lines, pos, end)
    if byline_at is not None:
        byline, found_names, found_emails = byline_parts(lines[byline_at])
        names, emails = list(found_names), list(found_emails)
        at_byline = byline_at + 1
        end = byline_at
    else:
        problems.append("no byline")

    for i in range(pos, end):
        if lines[i].startswith(PUBLISHED_PREFIX):
            published = lines[i][len(PUBLISHED_PREFIX) :].strip(" \t\u00a0")
            at_published = i + 1
            pos = i + 1
            caption_end = _paragraph_end(lines, pos, end)
            text = " ".join(ln.strip() for ln in lines[pos:caption_end])
            if text and _CREDIT.search(text):
                caption = text
                at_caption = pos + 1
                pos = caption_end
            break

    paragraphs: list[str] = []
    para: list[str] = []
    for i in range(pos, end):
        ln = lines[i]
        if not ln.strip():
            if para:
                paragraphs.append(" ".join(para))
                para = []
            continue
        if at_body is None:
            at_body = i + 1
        para.append(ln.strip(" \t"))
    if para:
        paragraphs.append(" ".join(para))
    if at_body is None:
        problems.append("empty body")

    rows.file.append(file)
    rows.line.append(lo + 1)
    rows.date.append(date)
    rows.headline.append(headline)
    rows.title.append(title)
    rows.published.append(published)
    rows.caption.append(caption)
    rows.paragraphs.append(paragraphs)
    rows.body.append("\n\n".join(paragraphs))
    rows.byline.append(byline)
    rows.byline_names.append(names)
    rows.byline_emails.append(emails)
    rows.tags_raw.append(tags_raw)
    rows.tags.append(tags)
    rows.problems.append(problems)
    rows.source.append("dump")
    rows.tags_list.append(False)
    rows.at_headline.append(at_headline)
    rows.at_title.append(at_title)
    rows.at_published.append(at_published)
    rows.at_caption.append(at_caption)
    rows.at_body.append(at_body)
    rows.at_byline.append(at_byline)
    rows.at_tags.append(at_tags)


def _last_nonblank(lines: list[str], lo: int, hi: int) -> int | None:
    for i in range(hi - 1, lo - 1, -1):
        if lines[i].strip():
            return i
    return None


def _find_byline(lines: list[str], lo: int, hi: int) -> int | None:
    seen = 0
    for i in range(hi - 1, lo - 1, -1):
        if not lines[i].strip():
            continue
        if BYLINE.match(lines[i]) or BYLINE_MIXED.match(lines[i]):
            return i
        seen += 1
        if seen >= _BYLINE_REACH:
            break
    return None


def _paragraph_end(lines: list[str], lo: int, hi: int) -> int:
    i = lo
    while i < hi and lines[i].strip():
        i += 1
    return i


def parse_byline(art: Article, line: str) -> None:
    """Names outside the brackets, addresses inside them (see byline_parts)."""
    art.byline, names, emails = byline_parts(line)
    art.byline_names = list(names)
    art.byline_emails = list(emails)


@text_cache(maxsize=8192)
def byline_parts(line: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The byline as kept, its names and its addresses, parsed once per distinct text: an
    archive's bylines repeat the same desks and reporters, and the parse is a dozen regex
    passes. Several bracket groups are possible ("BY A [a@x.kr] AND B [b@x.kr]"), and so are
    addresses written without brackets."""
    byline = line.strip(" \t\u00a0")
    emails: list[str] = []
    for group in _BRACKETS.findall(byline):
        # Cloudflare's placeholder is "[email protected]" inside the brackets: keep it whole.
        emails.extend(m.strip("[]") for m in PLACEHOLDER_IN.findall(group))
        emails.extend(_addresses(PLACEHOLDER_IN.sub(" ", group)))
    names_part = _BRACKETS.sub(" ", byline)
    bare = [w for w in names_part.split() if "@" in w]
    emails.extend(_addresses(" ".join(bare)))
    names_part = re.sub(r"^\s*By\s+", "", names_part)
    names = _BYLINE_ROLES.sub(",", " ".join(w for w in names_part.split() if "@" not in w))
    return (
        byline,
        tuple(n.strip() for n in _NAME_SPLIT.split(names) if n.strip(" ,")),
        tuple(emails),
    )


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
