"""Hypothesis strategies that generate valid articles, for property tests of article code.

``articles()`` draws an Article that passes every built-in expectation, at every severity, with
its default parameters; ``articles(quirks=True)`` adds what real dumps carry and the info-level
hygiene expectations note: no-break spaces inside sentences and at the ends of paragraphs,
curly beside straight apostrophes, an address that matches no name of the byline. ``dumps()``
draws the text of several articles back to back with the articles the parser must find in it.
Captions with a bracketed credit, several authors, ``Sept.`` and ``May`` dates come in both.

Needs hypothesis (``pip install 'news-corpus-toolkit[strategies]'``); nothing else in toolkit
imports it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import string

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "toolkit.strategies needs hypothesis: pip install 'news-corpus-toolkit[strategies]'"
    ) from exc

from toolkit.article import Article, render, reparse
from toolkit.expectations.dates import format_published

__all__ = ["articles", "dumps", "sentences"]

NBSP = "\u00a0"
# Words are mostly drawn from a vocabulary (one choice a word keeps generation fast), now and
# then made up from letters, accented ones included, or a number.
_WORDS = (
    "government ministry officials said the on Tuesday agreed to establish relations with "
    "country only member state which has yet formalize ties foreign minister visit delegation "
    "first official in years discuss potential engagement according source interim plans "
    "minimize close former regime such as and move could further isolate ally exports rose for "
    "sixth straight month April demand memory chips used servers held up despite new tariffs "
    "data showed billion percent from year earlier customs service overall fell over same "
    "period weighed down by cars petrochemicals industry through difficult quarter question is "
    "whether buyers keep ordering once exemptions expire shipments market grew while those "
    "rose more than fifth analyst brokerage largest chipmakers are due report earnings next "
    "week expect record operating profit sales would extend emergency financing hit end June "
    "Seoul Busan Daejeon Incheon Korea Syria Damascus Vietnam Taiwan café résumé naïve Zoë "
    "Lefèvre Müller Peña"
)
_VOCABULARY = tuple(_WORDS.split())
_CAPS = string.ascii_uppercase
# Addresses stay on real, public domains: the byline expectation validates their syntax.
_DOMAINS = ("joongang.co.kr", "yna.co.kr", "koreaherald.com", "reuters.com", "nytimes.com")
# Words the byline grammar reads as roles or separators ("WRITTEN BY A AND B").
_BYLINE_WORDS = frozenset({"AND", "BY"})
EARLIEST = dt.date(1990, 1, 1)


# Sentences as news text has them, ``{a}`` standing for the article's apostrophe. A sentence
# drawn from these is one choice, where one drawn word by word is dozens: a body of several
# paragraphs stays cheap to generate, and always long enough for a default word minimum.
_SENTENCES = (
    "The government has tentatively agreed to establish diplomatic relations with the country.",
    "Chip exports in the first 20 days of the month reached $8.1 billion, up 10.7 percent.",
    "Overall exports fell 5.2 percent over the same period, weighed down by cars.",
    "The ministry{a}s official said the proposal would go to the Cabinet for approval soon.",
    "Analysts expect the company to post a record operating profit for the quarter.",
    "Shipments to Vietnam and Taiwan rose by more than a fifth, said Zoë Lefèvre, an analyst.",
    "The interim government plans to minimize relations with countries close to the regime.",
    "Officials in Busan said the new terminal would open to passengers by the end of June.",
    "Kim Eun-jeong, director general of the bureau, visited Damascus from Feb. 5 to 7.",
    "The move could further isolate the country{a}s longtime ally, according to a source.",
    "Residents of Daejeon were told to stay indoors as the heat advisory was extended again.",
    "Samsung Electronics and SK hynix are due to report their earnings next week.",
    "The central bank held its key rate at 2.75 percent for a third straight meeting.",
    "Police said 300 officers had been deployed around the stadium in Incheon on Saturday.",
    "Was the decision made too quickly? Several lawmakers said they had not been consulted.",
    "Critics said the plan did not address the cost of housing for young families.",
    "The festival, which drew 1.2 million visitors last year, returns in September.",
    "José Peña, a spokesman for the union, said talks would resume on Monday.",
    "The court{a}s ruling is expected to be appealed within two weeks, lawyers said.",
    "Prices of fresh vegetables rose sharply after heavy rain damaged crops in the south.",
)


# Strategies built once: building them again at every draw is most of the cost of a draw.
_MARK = st.sampled_from(["’", "'"])
_SENTENCE = st.sampled_from(_SENTENCES)
_VOCAB = st.sampled_from(_VOCABULARY)
_DOMAIN = st.sampled_from(_DOMAINS)
_CAPS_WORD = st.text(_CAPS, min_size=2, max_size=9).filter(lambda w: w not in _BYLINE_WORDS)
_NAME_PART = _CAPS_WORD.filter(lambda w: len(w) >= 3)
_DESK = st.sampled_from(["news", "desk", "editor", "tips", "foreign"])


@st.composite
def sentences(draw: st.DrawFn, apostrophe: str = "’", quirks: bool = False) -> str:
    """A sentence of news text; with quirks, a no-break space between two of its words and
    either apostrophe."""
    mark = draw(_MARK) if quirks else apostrophe
    text = draw(_SENTENCE).format(a=mark)
    if quirks and draw(st.booleans()):
        words = text.split(" ")
        at = draw(st.integers(1, len(words) - 1))
        text = " ".join(words[:at]) + NBSP + " ".join(words[at:])
    return text


@st.composite
def _paragraph(draw: st.DrawFn, apostrophe: str, quirks: bool) -> str:
    text = " ".join(draw(st.lists(sentences(apostrophe, quirks), min_size=2, max_size=3)))
    if apostrophe == "’" and draw(st.booleans()):
        text = f"“{text}”"
    # Real dumps end many paragraphs with a no-break space; the parser must keep it.
    return text + NBSP if quirks and draw(st.booleans()) else text


@st.composite
def _headline(draw: st.DrawFn, apostrophe: str) -> str:
    """Four to twelve words: from 15 characters up, within any sensible headline length."""
    words = draw(st.lists(_VOCAB, min_size=4, max_size=12))
    words[0] = words[0].capitalize()
    if draw(st.booleans()):
        words[-1] = f"{words[-1]}{apostrophe}s"
    return " ".join(words)


@st.composite
def _name(draw: st.DrawFn) -> tuple[str, str]:
    """A byline name in capitals ("SEO JI-EUN") and the address the desk gives its author."""
    family = draw(_NAME_PART)
    given = draw(st.lists(_NAME_PART, min_size=1, max_size=2))
    local = f"{family}.{''.join(given)}".lower()
    return f"{family} {'-'.join(given)}", f"{local}@{draw(_DOMAIN)}"


@st.composite
def _stranger(draw: st.DrawFn) -> str:
    """An address that matches no name: a desk's or an editor's."""
    return f"{draw(_DESK)}@{draw(_DOMAIN)}"


@st.composite
def _credit(draw: st.DrawFn) -> str:
    return " ".join(draw(st.lists(_CAPS_WORD, min_size=1, max_size=4)))


@st.composite
def articles(
    draw: st.DrawFn,
    file: str = "generated.txt",
    min_date: dt.date = EARLIEST,
    max_date: dt.date | None = None,
    quirks: bool = False,
) -> Article:
    """A valid article with its derived fields (byline names and addresses, tags) and the
    line of each part set as the parser would set them on its rendered text. With ``quirks``,
    it also carries what real dumps do and the info-level hygiene expectations note."""
    apostrophe = draw(_MARK)
    day = draw(st.dates(min_value=min_date, max_value=max_date or dt.date.today()))
    at = draw(st.times()).replace(second=0, microsecond=0)
    headline = draw(_headline(apostrophe))
    caption = None
    if draw(st.booleans()):
        caption = f"{draw(sentences(apostrophe))} [{draw(_credit())}]"
    authors = draw(st.lists(_name(), min_size=1, max_size=3, unique_by=lambda a: a[0]))
    names = [name for name, _ in authors]
    emails = [email for _, email in authors][: draw(st.integers(1, len(authors)))]
    if quirks and draw(st.booleans()):
        emails.append(draw(_stranger().filter(lambda e: e not in emails)))
    tags = draw(st.lists(_VOCAB, min_size=1, max_size=6, unique_by=str.lower))
    tags = [t.capitalize() for t in tags]
    article = Article(
        file=file,
        line=1,
        date=day.isoformat(),
        headline=headline,
        title=headline,
        published=format_published(dt.datetime.combine(day, at)),
        caption=caption,
        # At least 3 x 2 x 12 = 72 words: a body long enough for any default word minimum.
        # Distinct paragraphs: a paragraph twice is body_no_repeated_paragraph's defect.
        paragraphs=draw(
            st.lists(
                _paragraph(apostrophe, quirks),
                min_size=3,
                max_size=5,
                unique_by=lambda t: " ".join(t.split()),
            )
        ),
        byline=f"BY {', '.join(names)} [{', '.join(emails)}]",
        byline_names=names,
        byline_emails=emails,
        tags_raw=" ".join(tags),
        tags=tags,
    )
    # Only the lines come from the parser: every other field above is what the text means, so
    # a property test can hold the parser to it.
    return dataclasses.replace(article, lines=reparse(article).lines)


@st.composite
def dumps(
    draw: st.DrawFn,
    min_articles: int = 1,
    max_articles: int = 3,
    file: str = "dump.txt",
    quirks: bool = False,
) -> tuple[str, list[Article]]:
    """The text of several articles back to back, and the articles (with the line each starts
    on) that parsing it must give."""
    one = articles(file=file, quirks=quirks)
    drawn = draw(st.lists(one, min_size=min_articles, max_size=max_articles))
    texts: list[str] = []
    placed: list[Article] = []
    line = 1
    for article in drawn:
        text = render(article)
        shift = line - article.line
        lines = {part: n + shift for part, n in article.lines.items()}
        placed.append(dataclasses.replace(article, line=line, lines=lines))
        texts.append(text)
        line += text.count("\n")
    return "".join(texts), placed
