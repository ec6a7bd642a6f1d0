"""Synthetic corpora in the dump format, deterministic for a seed, written fast.

An article is one of three kinds, chosen by its number so that the shares are exact on every
hundred articles:

- clean: a headline of the shipped samples, numbered so that headlines stay distinct; a body of
  4 to 8 paragraphs drawn sentence by sentence from every shipped article (distinct bodies, as
  in a real dump); a date, a matching ``Published:`` line, a byline with an address, tags;
- defective: a clean article broken by the breaker of one row expectation of the news suite
  (the definition's own way to make it fail), or, one time in five, a shipped sample of
  ``corpora/broken/`` with its defect kept and fresh paragraphs put before its body (so that
  bodies stay distinct);
- near copy: a templated article (weather, market close, sports score, correction) where only
  numbers and names vary. Real archives are full of them; they share most of their shingles,
  so near-duplicate buckets get huge.

Files go in folders of 10,000 articles (an archive's days), one article a file or ``per_file``
back to back. Workers write folders in parallel with plain ``os`` calls; each folder has its
own seeded random generator, so the corpus does not depend on how many workers wrote it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import random
import re
import shutil
from collections import Counter
from collections.abc import Callable
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import yaml

from toolkit.article import Article, parse_text, render

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "corpora"
NEWS_SUITE = ROOT / "toolkit" / "suites" / "news.yaml"
MANIFEST = "corpus.json"
# Bump when the generated text changes, so that corpora kept in a --workdir are rebuilt.
VERSION = 1
FOLDER = 10_000
_SAMPLE_SHARE = 0.2
# Samples left out: corpus-wide defects come in pairs, and the rest have no body to put fresh
# paragraphs before or are not text at all.
_NOT_SAMPLED = (
    "duplicate_",
    "near_duplicate_",
    "body_empty",
    "body_too_short",
    "empty",
    "whitespace_only",
    "binary",
    "not_utf8",
    "multi_",
)


@dataclasses.dataclass(frozen=True)
class Spec:
    """What to generate. Shares are whole percents (they select residues of 100)."""

    articles: int
    per_file: int = 1
    defective: float = 0.30
    near_copies: float = 0.0
    seed: int = 7

    @property
    def name(self) -> str:
        return (
            f"a{self.articles}-pf{self.per_file}-d{round(self.defective * 100)}"
            f"-n{round(self.near_copies * 100)}-s{self.seed}-v{VERSION}"
        )


def kind_of(n: int, spec: Spec) -> str:
    """``near``, ``defective`` or ``clean``: 37 is prime to 100, so n*37 mod 100 runs over
    every residue once in each hundred articles and the kinds are spread, not in blocks."""
    residue = (n * 37) % 100
    near = round(spec.near_copies * 100)
    if residue < near:
        return "near"
    if residue < near + round(spec.defective * 100):
        return "defective"
    return "clean"


# --- material from the shipped samples ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Material:
    headlines: list[str]
    sentences: list[str]
    captions: list[str]
    tags: list[str]
    breakers: list[tuple[str, Callable[[Article, Any], Article], Any]]
    samples: list[tuple[str, Article]]


_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")
_FAMILY = ["KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON", "JANG", "LIM", "SEO"]
_GIVEN = ["MIN-JI", "JI-EUN", "SEO-YEON", "HYUN-WOO", "JUN-HO", "EUN-JEONG", "DONG-HYUN", "YU-NA"]
_MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov."]
_MONTHS.append("Dec.")
_FIRST_DAY = dt.date(2015, 1, 1).toordinal()
_LAST_DAY = dt.date(2025, 6, 30).toordinal()


@cache
def material() -> _Material:
    from toolkit.expectations import CATALOG, Expectation

    shipped = [
        a
        for folder in ("clean", "seed")
        for path in sorted((CORPORA / folder).glob("*.txt"))
        for a in parse_text(path.read_text(encoding="utf-8"), path.name)
    ]
    sentences = [
        s
        for a in shipped
        for p in a.paragraphs
        for s in _SENTENCE_END.split(p)
        if len(s) > 40 and s.rstrip('”"’')[-1:] in (".", "!", "?")
    ]
    names = [e["expect"] for e in yaml.safe_load(NEWS_SUITE.read_text())["expectations"]]
    breakers = []
    for name in names:
        exp = CATALOG[name]
        if isinstance(exp, Expectation) and exp.breaker is not None:
            breakers.append((name, exp.breaker, exp.params()))
    samples = []
    for path in sorted((CORPORA / "broken").glob("*.txt")):
        if path.name.startswith(_NOT_SAMPLED):
            continue
        try:
            parsed = parse_text(path.read_text(encoding="utf-8"), path.name)
        except UnicodeDecodeError:
            continue
        if len(parsed) == 1 and parsed[0].headline and "no header line" not in parsed[0].problems:
            samples.append((path.stem, parsed[0]))
    return _Material(
        headlines=sorted({a.headline for a in shipped if a.headline}),
        sentences=sentences,
        captions=[a.caption for a in shipped if a.caption],
        tags=sorted({t for a in shipped for t in a.tags}),
        breakers=breakers,
        samples=samples,
    )


def _paragraphs(rng: random.Random, m: _Material) -> list[str]:
    return [
        " ".join(rng.choices(m.sentences, k=rng.randint(2, 4))) for _ in range(rng.randint(4, 8))
    ]


def _date(rng: random.Random) -> tuple[str, str]:
    day = dt.date.fromordinal(rng.randint(_FIRST_DAY, _LAST_DAY))
    published = f"{day.day} {_MONTHS[day.month - 1]} {day.year}, {rng.randint(6, 23)}:"
    return day.isoformat(), published + f"{rng.randint(0, 59):02d}"


def _byline(rng: random.Random) -> tuple[str, list[str], list[str]]:
    names, emails = [], []
    for _ in range(1 if rng.random() < 0.9 else 2):
        family, given = rng.choice(_FAMILY), rng.choice(_GIVEN)
        names.append(f"{family} {given}")
        emails.append(f"{family.lower()}.{given.lower().replace('-', '')}@joongang.co.kr")
    parts = " AND ".join(f"{n} [{e}]" for n, e in zip(names, emails, strict=True))
    return f"BY {parts}", names, emails


def clean_article(n: int, rng: random.Random) -> Article:
    m = material()
    date, published = _date(rng)
    headline = f"{rng.choice(m.headlines)} ({n})"
    byline, names, emails = _byline(rng)
    tags = rng.sample(m.tags, rng.randint(2, 5))
    return Article(
        file="",
        line=1,
        date=date,
        headline=headline,
        title=headline,
        published=published,
        caption=rng.choice(m.captions) if m.captions and rng.random() < 0.5 else None,
        paragraphs=_paragraphs(rng, m),
        byline=byline,
        byline_names=names,
        byline_emails=emails,
        tags_raw=" ".join(tags),
        tags=tags,
    )


def defective_article(n: int, rng: random.Random) -> tuple[str, Article]:
    """The defect's name (an expectation or a sample) and the article carrying it."""
    from toolkit.expectations.base import Unbreakable

    m = material()
    if m.samples and rng.random() < _SAMPLE_SHARE:
        name, sample = rng.choice(m.samples)
        numbered = dataclasses.replace(
            sample,
            headline=f"{sample.headline} ({n})",
            title=f"{sample.title} ({n})" if sample.title is not None else None,
            paragraphs=_paragraphs(rng, m) + sample.paragraphs,
        )
        return f"sample:{name}", numbered
    article = clean_article(n, rng)
    name, breaker, params = rng.choice(m.breakers)
    try:
        return name, breaker(article, params)
    except Unbreakable:
        return "clean", article


# --- templated near copies ----------------------------------------------------------------------

_CITIES = ["Seoul", "Busan", "Incheon", "Daegu", "Daejeon", "Gwangju", "Ulsan", "Jeju"]
_TEAMS = ["Doosan Bears", "LG Twins", "Kia Tigers", "Samsung Lions", "SSG Landers", "KT Wiz"]
_SKY = ["sunny", "cloudy", "rainy", "partly cloudy", "snowy", "foggy"]
_TEMPLATES: dict[str, tuple[str, list[str], str]] = {
    "weather": (
        "{city} weather: {sky} with a high of {hi} degrees on {weekday}",
        [
            "Temperatures in {city} will range from {lo} to {hi} degrees Celsius on {weekday}, "
            "according to the Korea Meteorological Administration.",
            "Skies will be {sky} across the capital region in the morning, with a {rain} "
            "percent chance of rain in the afternoon and evening.",
            "Fine dust levels are expected to be moderate nationwide, the National Institute "
            "of Environmental Research said, though levels may reach bad in some areas.",
            "The agency advised residents to take care against large daily temperature gaps "
            "and to check the latest forecasts before going out.",
            "Waves of up to {waves} meters are forecast in the East Sea, and ships are advised "
            "to sail with caution.",
        ],
        "weather forecast Korea",
    ),
    "market": (
        "Kospi closes {direction} {pct} percent at {level} as foreign investors {verb}",
        [
            "The Kospi closed {direction} {pct} percent, or {points} points, at {level} on "
            "{weekday}, as foreign investors {verb} shares worth {flow} billion won.",
            "Trading volume was moderate at {volume} million shares worth {value} trillion "
            "won, with decliners outnumbering gainers.",
            "Samsung Electronics ended at {samsung} won and SK hynix at {hynix} won, while "
            "the tech-heavy Kosdaq finished at {kosdaq}.",
            "The local currency closed at {won} won against the U.S. dollar, compared with "
            "the previous session's close.",
            "Analysts said investors were waiting for fresh signals on interest rates and "
            "on export data due later in the week.",
        ],
        "Kospi stocks markets",
    ),
    "sports": (
        "{home} beat {away} {hs}-{aws} at {city} for their {streak} straight win",
        [
            "The {home} beat the {away} {hs}-{aws} at {city} on {weekday}, extending their "
            "winning streak to {streak} games.",
            "Starting pitcher {pitcher} allowed {runs} runs on {hits} hits over {innings} "
            "innings and struck out {ks} batters to earn the win.",
            "The {home} took the lead in the {inning} inning on a two-run double and never "
            "looked back, adding insurance runs late in the game.",
            "A crowd of {crowd} filled the stadium for the game, the club said.",
            "The two teams meet again on {weekday} for the second game of the series.",
        ],
        "baseball KBO sports",
    ),
    "correction": (
        "Correction: {city} article of {weekday} misstated a figure",
        [
            "An article published on {weekday} about the {city} city council's budget "
            "misstated the amount set aside for public transport.",
            "The correct figure is {value} billion won, not {points} billion won as reported.",
            "The article also misspelled the name of council member {pitcher}.",
            "The JoongAng Daily regrets the errors, which have been corrected online.",
        ],
        "correction",
    ),
}
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def near_copy(n: int, rng: random.Random) -> tuple[str, Article]:
    """One of the templates, its numbers and names drawn at random."""
    kind = rng.choice(sorted(_TEMPLATES))
    headline_form, paragraph_forms, tags = _TEMPLATES[kind]
    home, away = rng.sample(_TEAMS, 2)
    family, given = rng.choice(_FAMILY), rng.choice(_GIVEN)
    lo = rng.randint(-10, 25)
    values = {
        "city": rng.choice(_CITIES),
        "sky": rng.choice(_SKY),
        "weekday": rng.choice(_WEEKDAYS),
        "lo": lo,
        "hi": lo + rng.randint(3, 12),
        "rain": rng.randrange(0, 100, 10),
        "waves": rng.choice(["0.5", "1.0", "1.5", "2.0", "3.0"]),
        "direction": rng.choice(["up", "down"]),
        "pct": f"{rng.uniform(0, 3):.2f}",
        "points": f"{rng.uniform(0, 80):.2f}",
        "level": f"{rng.uniform(2200, 3200):,.2f}",
        "verb": rng.choice(["sold", "bought"]),
        "flow": rng.randint(10, 900),
        "volume": rng.randint(200, 900),
        "value": f"{rng.uniform(5, 20):.1f}",
        "samsung": f"{rng.randint(50, 90) * 1000:,}",
        "hynix": f"{rng.randint(100, 240) * 1000:,}",
        "kosdaq": f"{rng.uniform(600, 1000):.2f}",
        "won": f"{rng.uniform(1200, 1450):,.1f}",
        "home": home,
        "away": away,
        "hs": rng.randint(4, 12),
        "aws": rng.randint(0, 3),
        "streak": rng.choice(["third", "fourth", "fifth", "sixth"]),
        "pitcher": f"{family.title()} {given.title()}",
        "runs": rng.randint(0, 3),
        "hits": rng.randint(2, 8),
        "innings": rng.randint(5, 8),
        "ks": rng.randint(3, 11),
        "inning": rng.choice(["first", "third", "fifth", "seventh"]),
        "crowd": f"{rng.randint(8, 24) * 1000:,}",
    }
    date, published = _date(rng)
    headline = f"{headline_form.format(**values)} ({n})"
    byline, names, emails = _byline(rng)
    return kind, Article(
        file="",
        line=1,
        date=date,
        headline=headline,
        title=headline,
        published=published,
        paragraphs=[p.format(**values) for p in paragraph_forms],
        byline=byline,
        byline_names=names,
        byline_emails=emails,
        tags_raw=tags,
        tags=tags.split(),
    )


def article_text(n: int, spec: Spec, rng: random.Random) -> tuple[str, str, str]:
    """(kind, defect or template, dump text) of article ``n``."""
    kind = kind_of(n, spec)
    if kind == "near":
        template, article = near_copy(n, rng)
        return kind, template, render(article)
    if kind == "defective":
        defect, article = defective_article(n, rng)
        return kind, defect, render(article)
    return kind, "", render(clean_article(n, rng))


# --- writing --------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def _write_folder(args: tuple[Path, Spec, int, bool]) -> dict[str, int]:
    """Write articles [folder*FOLDER, ...) of ``spec`` into ``target`` (in a folder of their
    own unless ``flat``); counts of kinds, defects and files."""
    target, spec, folder, flat = args
    rng = random.Random(f"{spec.seed}:{folder}")
    out = target if flat else target / f"day_{folder:04d}"
    out.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    first = folder * FOLDER
    last = min(first + FOLDER, spec.articles)
    for start in range(first, last, spec.per_file):
        texts = []
        for n in range(start, min(start + spec.per_file, last)):
            kind, detail, text = article_text(n, spec, rng)
            counts[kind] += 1
            if detail:
                counts[f"{kind}:{detail}"] += 1
            texts.append(text)
        if spec.per_file == 1:
            name = f"{start:07d}_{rng.getrandbits(64):016x}.txt"
        else:
            name = f"dump_{start // spec.per_file:06d}.txt"
        _write(out / name, "\n".join(texts))
        counts["files"] += 1
    return dict(counts)


def write_corpus(target: Path, spec: Spec, flat: bool = False, workers: int = 2) -> dict[str, Any]:
    """Write ``spec`` into the existing directory ``target``; its manifest (also returned):
    the spec, and counts of articles, files, kinds and defects."""
    material()  # built once before the workers fork, which inherit it
    folders = [(target, spec, f, flat) for f in range(-(-spec.articles // FOLDER))]
    if workers > 1 and len(folders) > 1:
        with get_context("fork").Pool(workers) as pool:
            parts = pool.map(_write_folder, folders, chunksize=1)
    else:
        parts = [_write_folder(f) for f in folders]
    total: Counter[str] = Counter()
    for part in parts:
        total.update(part)
    kinds = {k: total[k] for k in ("clean", "defective", "near")}
    return {
        "spec": dataclasses.asdict(spec),
        "articles": sum(kinds.values()),
        "files": total["files"],
        "kinds": kinds,
        "details": {k: v for k, v in sorted(total.items()) if ":" in k},
    }


def ensure_corpus(workdir: Path, spec: Spec, workers: int = 2) -> tuple[Path, dict[str, Any]]:
    """The corpus of ``spec`` under ``workdir`` and its manifest, written unless a complete
    one is there already (its manifest is written last)."""
    target = workdir / spec.name
    manifest = target / MANIFEST
    if manifest.is_file():
        return target / "articles", json.loads(manifest.read_text())
    shutil.rmtree(target, ignore_errors=True)
    (target / "articles").mkdir(parents=True)
    got = write_corpus(target / "articles", spec, workers=workers)
    manifest.write_text(json.dumps(got, indent=1))
    return target / "articles", got
