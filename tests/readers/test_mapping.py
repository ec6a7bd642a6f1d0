"""Records to articles: a byline repeated across records (parsed once per distinct text)
gives every article its own, equal names and addresses."""

from __future__ import annotations

from pathlib import Path

from tests.readers.feeds import write_jsonl
from toolkit.readers.formats import read_file


def test_repeated_byline_gives_each_article_its_own_names(tmp_path: Path) -> None:
    author = "BY SEO JI-EUN [seo.jieun@joongang.co.kr]"
    records = [
        {"title": title, "text": "Body.", "date": "2025-03-11", "authors": names, "tags": []}
        for title, names in [
            ("One", [author]),
            ("Two", [author]),
            ("Three", [author]),
            ("Other", ["KIM MIN-JI", "LEE HO"]),
        ]
    ]
    path = write_jsonl(tmp_path / "feed.jsonl", records)
    out = read_file(path, "feed.jsonl")
    assert out.problems == []
    first, second, third, other = out.articles
    assert first.byline == author
    assert first.byline_names == ["SEO JI-EUN"]
    assert first.byline_emails == ["seo.jieun@joongang.co.kr"]
    first.byline_names.append("changed")
    assert second.byline_names == third.byline_names == ["SEO JI-EUN"]
    assert other.byline_names == ["KIM MIN-JI", "LEE HO"]
    assert other.byline_emails == []
