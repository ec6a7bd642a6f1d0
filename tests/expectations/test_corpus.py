"""Corpus-wide expectations: the first sighting passes, later ones name it, and the findings do
not depend on how the corpus is cut into batches."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from datasketch import LeanMinHash, MinHashLSH

from tests.conftest import BROKEN, CLEAN, SEED, failing_lines, one_suite, run
from toolkit.article import Article, parse_text
from toolkit.batch import to_frame
from toolkit.engine import check_articles
from toolkit.examples import example_article
from toolkit.expectations.corpus import (
    HeadlineUnique,
    NearDuplicate,
    body_columns,
    body_near_duplicate,
    permutations,
    shingle_hashes,
    signatures,
)
from toolkit.expectations.corpus import _headline_columns as headline_columns
from toolkit.expectations.corpus import _headline_unique_judge as headline_unique_judge
from toolkit.expectations.corpus import _near_judge as body_near_duplicate_judge
from toolkit.fixtures import make_article
from toolkit.sightings import Sightings

DEFECTS = Path(__file__).resolve().parent.parent / "data" / "catalog" / "defects"
CORPUS = (
    "- expect: body_unique",
    "- expect: body_near_duplicate",
    "- expect: headline_unique",
)


def corpus() -> list[Article]:
    out: list[Article] = []
    for path in [*sorted(BROKEN.glob("*.txt")), *sorted(CLEAN.glob("*.txt")), SEED]:
        text = path.read_bytes().decode("utf-8", "replace")
        out.extend(parse_text(text, path.name))
    name = "same_body_two_headlines.txt"
    out.extend(parse_text((DEFECTS / name).read_text(encoding="utf-8"), name))
    return out


def test_findings_do_not_depend_on_the_batch_size() -> None:
    articles = corpus()
    suite = one_suite(*CORPUS)
    seen = []
    for size in (1, 2, 1000):
        result = check_articles(articles, [suite], batch_size=size)
        seen.append([(f.id, f.file, f.line, f.message) for f in result.findings])
    assert seen[0] == seen[1] == seen[2]
    assert {(i, f, line) for i, f, line, _ in seen[0]} == {
        ("body_unique", "duplicate_body_b.txt", 1),
        ("body_unique", "same_body_two_headlines.txt", 18),
        ("body_near_duplicate", "near_duplicate_body_b.txt", 1),
        ("headline_unique", "duplicate_headline_b.txt", 1),
    }


def test_the_first_sighting_passes_and_later_ones_name_it() -> None:
    first = example_article("first.txt")
    second = make_article(example_article("second.txt"), headline="Chip exports up again", line=30)
    third = make_article(example_article("third.txt"), headline="Chip exports: sixth month")
    result = run([first, second, third], "- expect: body_unique")
    assert failing_lines(result, "body_unique") == [("second.txt", 30), ("third.txt", 1)]
    for f in result.findings:
        assert "the same as in first.txt:1 ('Korea’s chip exports rise" in f.message


def test_white_space_does_not_hide_a_copy() -> None:
    first = example_article("a.txt")
    spaced = [p.replace(" ", "\u00a0 ", 3) for p in first.paragraphs]
    copy = make_article(example_article("b.txt"), paragraphs=spaced, headline="Another headline")
    assert failing_lines(run([first, copy], "- expect: body_unique"), "body_unique") == [
        ("b.txt", 1)
    ]


def test_exact_copies_are_not_also_near_duplicates() -> None:
    first = example_article("a.txt")
    copy = make_article(example_article("b.txt"), headline="Another headline")
    assert run([first, copy], "- expect: body_near_duplicate").findings == []


def test_empty_bodies_and_headlines_are_not_duplicates_of_each_other() -> None:
    a = make_article(example_article("a.txt"), paragraphs=[], headline="", title=None)
    b = make_article(example_article("b.txt"), paragraphs=[], headline="", title=None)
    assert run([a, b], *CORPUS).findings == []


def test_headlines_compare_without_case_spaces_or_quote_style() -> None:
    a = make_article(example_article("a.txt"), headline="Korea’s chip exports rise again")
    b = make_article(
        example_article("b.txt"),
        headline="KOREA'S  chip exports rise again",
        body="Heavy snow blanketed the central region overnight, delaying dozens of flights.",
    )
    (f,) = run([a, b], "- expect: headline_unique").findings
    assert (f.file, f.severity) == ("b.txt", "warning")


def test_near_duplicate_threshold_is_a_parameter() -> None:
    articles = [
        *parse_text((DEFECTS / "near_duplicate_bodies.txt").read_text("utf-8"), "n.txt"),
    ]
    (f,) = run(articles, "- expect: body_near_duplicate").findings
    assert f.line == 18 and "near-duplicate of n.txt:1" in f.message
    strict = "- expect: body_near_duplicate\n  threshold: 0.95"
    assert run(articles, strict).findings == []


def test_signatures_estimate_jaccard_similarity() -> None:
    words = [f"w{i}" for i in range(400)]
    base = " ".join(words)
    # Bodies sharing 100%, about 80%, about 50% and none of their 3-word shingles with base.
    bodies = pd.Series(
        [
            base,
            base,
            " ".join(words[:360] + [f"x{i}" for i in range(40)]),
            " ".join(words[:267] + [f"y{i}" for i in range(133)]),
            " ".join(f"z{i}" for i in range(400)),
            "",
        ],
        dtype="string[pyarrow]",
    )
    hashes, rows, counts = shingle_hashes(bodies, 3)
    assert counts.tolist() == [400, 400, 400, 400, 400, 0]
    sig = signatures(hashes, rows, len(bodies), 128)
    shingles = [set(zip(b.split(), b.split()[1:], b.split()[2:], strict=False)) for b in bodies]
    for row in range(1, 5):
        exact = len(shingles[0] & shingles[row]) / len(shingles[0] | shingles[row])
        estimate = float(np.mean(sig[0] == sig[row]))
        assert abs(estimate - exact) < 0.1, (row, exact, estimate)
    assert (sig[5] == np.iinfo(np.uint32).max).all()
    a, _ = permutations(64)
    assert a.dtype == np.uint32 and (a % 2 == 1).all()


@pytest.mark.parametrize("num_perm", [16, 64, 256])
def test_the_permutations_are_datasketchs_seeded_ones(num_perm: int) -> None:
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=1, scheme="legacy").permutations
    mine_a, mine_b = permutations(num_perm)
    assert mine_a.tolist() == [(int(x) & 0xFFFFFFFF) | 1 for x in a]
    assert mine_b.tolist() == [int(x) & 0xFFFFFFFF for x in b]


def test_sketch_values_do_not_depend_on_the_text_runs_nor_on_the_last_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bodies are hashed and shingled a run of rows at a time, and in any order: neither
    changes a value."""
    from toolkit.expectations import body as body_module
    from toolkit.expectations import corpus
    from toolkit.expectations.body import Repeats, body_no_repeated_paragraph
    from toolkit.text import text_runs

    frame = _generated(200, 31)
    params = NearDuplicate()
    whole = body_columns(frame, params)
    repeats = body_no_repeated_paragraph.check(frame, Repeats()).tolist()
    again = body_columns(frame.iloc[::-1].reset_index(drop=True), params)
    runs = text_runs(frame["body"], most=1000)
    assert 5 < len(runs) < len(frame) and runs[0].start == 0 and runs[-1].stop == len(frame)
    monkeypatch.setattr(corpus, "text_runs", lambda texts: text_runs(texts, most=1000))
    monkeypatch.setattr(body_module, "text_runs", lambda texts: text_runs(texts, most=1000))
    small = body_columns(frame, params)
    for name, values in whole.items():
        assert np.array_equal(values, small[name]), name
        assert np.array_equal(values, again[name][::-1]), name
    assert whole["has_signature"].sum() > 100
    assert body_no_repeated_paragraph.check(frame, Repeats()).tolist() == repeats


@pytest.mark.parametrize("size", [1, 3])
def test_near_duplicates_across_batches_and_files(size: int) -> None:
    pair = parse_text((BROKEN / "near_duplicate_body_a.txt").read_text("utf-8"), "a.txt")
    pair += parse_text((BROKEN / "near_duplicate_body_b.txt").read_text("utf-8"), "b.txt")
    filler = [example_article("c.txt")]
    result = check_articles(filler + pair, [one_suite(*CORPUS)], batch_size=size)
    assert [(f.id, f.file) for f in result.findings] == [("body_near_duplicate", "b.txt")]


def test_many_copies_are_each_reported_once_against_the_first() -> None:
    first = example_article("a.txt")
    copies = [
        make_article(example_article("b.txt"), headline=f"Chip exports, take {n}", line=n * 30)
        for n in range(1, 201)
    ]
    result = run([first, *copies], "- expect: body_unique", "- expect: body_near_duplicate")
    assert [f.id for f in result.findings] == ["body_unique"] * 200
    assert all("a.txt:1" in f.message for f in result.findings)


_WEATHER = [
    "Seoul will be sunny with a high of 12 degrees Celsius, while the southern coast may see "
    "light rain in the evening as a low-pressure system moves in from the west.",
    "Fine dust levels are expected to be moderate across the country, and the weather agency "
    "advised drivers to take care on mountain roads in Gangwon where fog may form overnight.",
]


def test_a_recurring_headline_on_another_day_with_another_body_passes() -> None:
    monday = make_article(example_article("mon.txt"), headline="Weather", date="2025-03-10")
    tuesday = make_article(
        example_article("tue.txt"), headline="Weather", date="2025-03-11", paragraphs=_WEATHER
    )
    assert run([monday, tuesday], "- expect: headline_unique").findings == []
    strict = "- expect: headline_unique\n  any_day: true"
    (f,) = run([monday, tuesday], strict).findings
    assert f.file == "tue.txt" and "any_day fails every repeated headline" in f.message


def test_a_shared_headline_on_the_same_day_fails() -> None:
    first = make_article(example_article("a.txt"), headline="Weather", date="2025-03-11")
    second = make_article(
        example_article("b.txt"), headline="weather", date="2025-03-11", paragraphs=_WEATHER
    )
    (f,) = run([first, second], "- expect: headline_unique").findings
    assert (f.file, f.line, f.severity) == ("b.txt", 1, "warning")
    assert f.message.startswith(
        "the headline is the same as in a.txt:1 ('Weather'), on the same day (2025-03-11)"
    )


def test_a_shared_headline_over_a_near_duplicate_body_fails_on_any_day() -> None:
    first = make_article(example_article("a.txt"), headline="Chip exports rise", date="2025-03-10")
    updated = [*first.paragraphs[:-1], f"{first.paragraphs[-1]} Officials declined to comment."]
    second = make_article(
        example_article("b.txt"),
        headline="Chip exports rise",
        date="2025-03-12",
        paragraphs=updated,
    )
    (f,) = run([first, second], "- expect: headline_unique").findings
    assert f.file == "b.txt"
    assert "the bodies are near-duplicates (about" in f.message
    assert "a.txt:1 ('Chip exports rise')" in f.message


def test_the_gx_form_of_headline_unique_agrees(tmp_path: Path) -> None:
    from toolkit.batch import to_frame
    from toolkit.expectations.corpus import HeadlineUnique, _headline_key_column

    monday = make_article(example_article("mon.txt"), headline="Weather", date="2025-03-10")
    tuesday = make_article(
        example_article("tue.txt"), headline="Weather", date="2025-03-11", paragraphs=_WEATHER
    )
    again = make_article(example_article("again.txt"), headline="Weather", date="2025-03-11")
    frame = to_frame([monday, tuesday, again], {"mon.txt": 0, "tue.txt": 1, "again.txt": 2})
    column = _headline_key_column(frame, HeadlineUnique())["headline_first_seen"]
    assert column.tolist() == [True, True, False]


# --- the banded judges against the sequential ones they replace -------------------------------


def _reference_near(seen: Sightings, p: NearDuplicate) -> dict[int, str]:
    """The sequential judge: each first sighting queried against datasketch's MinHashLSH of the
    earlier ones that are not copies, one at a time."""
    index = MinHashLSH(threshold=p.threshold, num_perm=p.num_perm)
    members: dict[int, np.ndarray] = {}
    exact_seen: set[int] = set()
    places = seen.places(range(len(seen)))
    out = {}
    for i in range(len(seen)):
        if not seen.keys["has_signature"][i]:
            continue
        exact = int(seen.keys["body"][i])
        if exact in exact_seen:
            continue
        exact_seen.add(exact)
        values = seen.keys["signature"][i].astype(np.uint64)
        minhash = LeanMinHash(seed=1, hashvalues=values, scheme="legacy")
        candidates = sorted(index.query(minhash))
        if candidates:
            shares = (np.stack([members[j] for j in candidates]) == values).mean(axis=1)
            top = int(np.argmax(shares))
            if shares[top] >= p.threshold:
                out[i] = (
                    f"the body is a near-duplicate of {places[candidates[top]]}: about "
                    f"{shares[top]:.0%} of their {p.shingle_words}-word sequences are shared "
                    "(MinHash estimate); the same story was saved twice, perhaps once updated"
                )
                continue
        members[i] = values
        index.insert(i, minhash, check_duplication=False)
    return out


def _reference_headline(seen: Sightings, p: HeadlineUnique) -> dict[int, str]:
    """The sequential judge, headline by headline, with a datasketch index of each headline's
    bodies."""
    places = seen.places(range(len(seen)))
    dates = seen.date.values().to_pylist()
    groups: dict[int, dict[str, Any]] = {}
    out = {}

    def near(group: dict[str, Any], values: np.ndarray) -> tuple[float, int] | None:
        minhash = LeanMinHash(seed=1, hashvalues=values, scheme="legacy")
        candidates = sorted(group["index"].query(minhash)) if group["index"] else []
        if not candidates:
            return None
        shares = (np.stack([group["bodies"][j] for j in candidates]) == values).mean(axis=1)
        top = int(np.argmax(shares))
        return (float(shares[top]), candidates[top]) if shares[top] >= p.threshold else None

    def add(group: dict[str, Any], i: int) -> None:
        if dates[i]:
            group["days"].setdefault(dates[i], i)
        if seen.keys["has_signature"][i]:
            values = seen.keys["signature"][i].astype(np.uint64)
            group["bodies"][i] = values
            minhash = LeanMinHash(seed=1, hashvalues=values, scheme="legacy")
            if group["index"] is None:
                group["index"] = MinHashLSH(threshold=p.threshold, num_perm=p.num_perm)
            group["index"].insert(i, minhash, check_duplication=False)

    for i in range(len(seen)):
        if not seen.keys["has_headline"][i]:
            continue
        key = int(seen.keys["headline"][i])
        if key not in groups:
            groups[key] = {
                "first": i,
                "days": {},
                "bodies": {},
                "index": None,
            }
            add(groups[key], i)
            continue
        group = groups[key]
        same_day = group["days"].get(dates[i]) if dates[i] else None
        if same_day is not None:
            out[i] = (
                f"the headline is the same as in {places[same_day]}, on the same day "
                f"({dates[i]}): likely one story saved twice; keep one, and if they are two "
                "stories, the scraper took the wrong headline"
            )
            continue
        found = None
        if seen.keys["has_signature"][i] and group["bodies"]:
            found = near(group, seen.keys["signature"][i].astype(np.uint64))
        if found is not None:
            out[i] = (
                f"the headline is the same as in {places[found[1]]} and the bodies are "
                f"near-duplicates (about {found[0]:.0%} of their {p.shingle_words}-word "
                "sequences shared): the same story saved twice, perhaps once updated; keep "
                "the latest"
            )
            continue
        if p.any_day:
            out[i] = (
                f"the headline is the same as in {places[group['first']]} (another day, "
                "another body: any_day fails every repeated headline)"
            )
            continue
        add(group, i)
    return out


def _generated(n: int, seed: int, days: int = 0) -> pd.DataFrame:
    """Articles whose bodies are sentences drawn from a small pool, some saved again with a
    word changed or under another headline, over a few headlines and days: many bodies share
    an LSH band, some are near-copies of copies, many headlines repeat."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i}" for i in range(80)]
    pool = [" ".join(rng.choice(vocabulary, size=9)) + "." for _ in range(30)]
    headlines = ["Weather", "Market close", "Chip exports rise", "Scores", "Briefs", ""]
    articles: list[Article] = []
    bodies: list[str] = []
    for i in range(n):
        if bodies and rng.random() < 0.3:
            words = str(rng.choice(bodies)).split()
            for _ in range(int(rng.integers(0, 4))):
                words[int(rng.integers(len(words)))] = str(rng.choice(vocabulary))
            body = " ".join(words)
        else:
            body = " ".join(rng.choice(pool, size=int(rng.integers(2, 6))))
        bodies.append(body)
        article = make_article(
            example_article(f"f{i // 50}.txt"),
            headline=str(rng.choice(headlines)),
            date=f"2025-{int(rng.integers(3, 5)):02d}-{int(rng.integers(10, 14 + days))}",
            body=body,
            line=1 + (i % 50) * 20,
        )
        articles.append(article)
    return to_frame(articles, {f"f{i}.txt": i for i in range(n // 50 + 1)})


@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize(
    "params", [{}, {"threshold": 0.3}, {"threshold": 0.8, "num_perm": 128}, {"min_words": 12}]
)
def test_the_banded_near_judge_equals_the_sequential_one(
    seed: int, params: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _generated(600, seed)
    p = NearDuplicate(**params)
    seen = Sightings.of(frame, frame["body"], body_columns(frame, p))
    reference = _reference_near(seen, p)
    assert len(reference) > 10  # the corpus has near-copies, and copies of copies
    ours = {i: why.message for i, why in body_near_duplicate_judge(seen, p).items()}
    monkeypatch.setattr("toolkit.lsh.CAP", 10**9)  # and with no cap at all
    unbounded = {i: why.message for i, why in body_near_duplicate_judge(seen, p).items()}
    assert ours == unbounded == reference


@pytest.mark.parametrize("seed", [21, 22, 23])
@pytest.mark.parametrize("any_day", [False, True])
def test_the_grouped_headline_judge_equals_the_sequential_one(seed: int, any_day: bool) -> None:
    frame = _generated(600, seed, days=15)
    p = HeadlineUnique(any_day=any_day)
    seen = Sightings.of(frame, frame["headline"], headline_columns(frame, p))
    reference = _reference_headline(seen, p)
    rules = ["bodies are near-duplicates", "on the same day", "any_day fails"]
    found = [any(rule in m for m in reference.values()) for rule in rules]
    assert found[1] and found[2] == any_day and (found[0] or any_day)
    ours = {i: why.message for i, why in headline_unique_judge(seen, p).items()}
    assert ours == reference


def test_the_list_form_of_a_builtin_judges_as_the_columnar_one() -> None:
    frame = _generated(200, 31)
    p = NearDuplicate()
    seen = Sightings.of(frame, frame["body"], body_columns(frame, p))
    keys = body_near_duplicate.sketch(frame, p)
    rows = [dataclasses.replace(s, key=k) for s, k in zip(seen.as_list(), keys, strict=True)]
    assert body_near_duplicate.judge(rows, p) == body_near_duplicate_judge(seen, p) != {}


def test_findings_do_not_depend_on_batches_or_processes(tmp_path: Path) -> None:
    from tests.benchmark import make_corpus
    from toolkit.engine import check

    make_corpus(tmp_path, 2500, seed=3, defective=0.1)
    # The generated corpus leaves out corpus-wide defects: put the shipped pairs at either end,
    # so that the two articles of a pair fall in different batches and processes.
    for first in sorted(BROKEN.glob("*duplicate_*_a.txt")):
        second = first.with_name(first.name.replace("_a.txt", "_b.txt"))
        (tmp_path / f"0-{first.name}").write_bytes(first.read_bytes())
        (tmp_path / f"z-{second.name}").write_bytes(second.read_bytes())
    suite = one_suite(*CORPUS)
    seen = []
    for batch_size, jobs in ((5000, 1), (97, 1), (97, 2)):
        result = check([tmp_path], [suite], batch_size=batch_size, jobs=jobs)
        seen.append([(f.id, f.file, f.line, f.message, f.fingerprint) for f in result.findings])
    assert seen[0] == seen[1] == seen[2]
    assert {f[0] for f in seen[0]} == {"body_unique", "body_near_duplicate", "headline_unique"}
