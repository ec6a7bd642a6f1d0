"""The dump-format parser, on the real seed and on the shapes real dumps take."""

from __future__ import annotations

from toolkit.article import Article, parse_text, render

NBSP = "\u00a0"


def test_seed_every_field(seed_article: Article) -> None:
    a = seed_article
    headline = "South Korea tentatively agrees to diplomatic ties with Syria, says Foreign Ministry"
    assert a.file == "seed.txt"
    assert a.line == 1
    assert a.date == "2025-03-11"
    assert a.headline == headline
    assert a.title == headline
    assert a.published == "11 Mar. 2025, 17:03"
    assert a.caption is not None
    assert a.caption.startswith("Kim Eun-jeong, left, director general")
    assert a.caption.endswith("[MINISTRY OF FOREIGN AFFAIRS]")
    assert len(a.paragraphs) == 8
    assert a.paragraphs[0].startswith("The South Korean government has tentatively agreed")
    assert f"United{NBSP}Nations" in a.paragraphs[0]
    assert "Assad’s 24-year dictatorship" in a.paragraphs[3]
    assert a.paragraphs[-1].startswith("The move, if realized")
    assert a.byline == f"BY SEO JI-EUN [[email{NBSP}protected]]"
    assert a.byline_names == ["SEO JI-EUN"]
    assert a.byline_emails == [f"email{NBSP}protected"]
    assert a.tags_raw == "Korea Syria diplomacy ties North Korea"
    assert a.tags == ["Korea", "Syria", "diplomacy", "ties", "North", "Korea"]
    assert a.problems == []
    assert a.lines == {
        "headline": 1,
        "title": 2,
        "published": 4,
        "caption": 5,
        "body": 7,
        "byline": 24,
        "tags": 25,
    }


def test_seed_nbsp_separator_lines_split_paragraphs(seed_text: str) -> None:
    # Lines holding only a no-break space separate paragraphs, as empty lines do.
    assert f"\n{NBSP}\n" in seed_text
    (a,) = parse_text(seed_text, "seed.txt")
    assert all(p.strip() for p in a.paragraphs)


def test_many_articles_back_to_back_record_start_lines(seed_text: str) -> None:
    text = seed_text + seed_text.replace("2025-03-11", "2025-03-12")
    articles = parse_text(text, "dump.txt")
    assert [a.line for a in articles] == [1, 27]
    assert [a.date for a in articles] == ["2025-03-11", "2025-03-12"]
    assert articles[1].tags_raw == articles[0].tags_raw


def test_truncated_article_records_missing_parts() -> None:
    text = (
        " date 2025-03-11  Cut short\nCut short\n\nPublished: 11 Mar. 2025, 17:03\n\nThe talks were"
    )
    (a,) = parse_text(text, "t.txt")
    assert a.paragraphs == ["The talks were"]
    assert a.byline is None and a.tags_raw is None
    assert a.problems == ["no tags line", "no byline"]


def test_text_without_header_is_still_an_article() -> None:
    (a,) = parse_text("\n\nSome text that lost its header.\n", "x.txt")
    assert a.line == 3
    assert a.date is None and a.headline is None
    assert "no header line" in a.problems


def test_empty_date_and_two_space_separator() -> None:
    (a,) = parse_text(" date   Headline here\nHeadline here\n", "x.txt")
    assert a.date == ""
    assert a.headline == "Headline here"


def test_several_authors_and_addresses() -> None:
    text = (
        " date 2025-01-02  H\nH\n\nPublished: 2 Jan. 2025, 10:00\n\nBody text.\n\n"
        "WRITTEN BY KIM MIN-JI AND TRANSLATED BY PARK SE-HOON  "
        "[kim.minji@joongang.co.kr, park.sehoon@joongang.co.kr]\ntags Korea\n"
    )
    (a,) = parse_text(text, "x.txt")
    assert a.byline_names == ["KIM MIN-JI", "PARK SE-HOON"]
    assert a.byline_emails == ["kim.minji@joongang.co.kr", "park.sehoon@joongang.co.kr"]


def test_empty_tags_line_is_present_but_empty() -> None:
    (a,) = parse_text(" date 2025-01-02  H\nH\n\nBody.\n\nBY A [a@b.kr]\ntags\n", "x.txt")
    assert a.tags_raw == ""
    assert a.tags == []
    assert "no tags line" not in a.problems


def test_crlf_and_unicode_line_separators_keep_editor_line_numbers() -> None:
    text = " date 2025-01-02  H\r\nH\r\n\r\nA para\u2028with a line separator.\r\n"
    (a,) = parse_text(text, "x.txt")
    assert a.title == "H"
    assert a.lines["body"] == 4
    assert a.paragraphs == ["A para\u2028with a line separator."]


def test_render_then_parse_gives_the_seed_back(seed_article: Article) -> None:
    (again,) = parse_text(render(seed_article), "seed.txt")
    for name in (
        "date",
        "headline",
        "title",
        "published",
        "caption",
        "paragraphs",
        "byline",
        "byline_names",
        "byline_emails",
        "tags_raw",
        "tags",
        "problems",
    ):
        assert getattr(again, name) == getattr(seed_article, name), name


def _byline(line: str) -> Article:
    (a,) = parse_text(f" date 2025-01-02  H\nH\n\nBody.\n\n{line}\ntags Korea\n", "x.txt")
    return a


def test_several_bracket_groups_each_give_their_address() -> None:
    a = _byline("BY KIM MIN-JI [kim.minji@joongang.co.kr] AND PARK SE-HOON [park@joongang.co.kr]")
    assert a.byline_names == ["KIM MIN-JI", "PARK SE-HOON"]
    assert a.byline_emails == ["kim.minji@joongang.co.kr", "park@joongang.co.kr"]


def test_addresses_joined_by_and_or_semicolons_and_bare_addresses() -> None:
    assert _byline("BY A, B [a@x.kr and b@x.kr]").byline_emails == ["a@x.kr", "b@x.kr"]
    assert _byline("BY KIM & LEE [k@x.kr; l@x.kr]").byline_names == ["KIM", "LEE"]
    bare = _byline("BY SEO JI-EUN seo.jieun@joongang.co.kr")
    assert bare.byline_names == ["SEO JI-EUN"]
    assert bare.byline_emails == ["seo.jieun@joongang.co.kr"]


def test_unclosed_bracket_and_placeholder_beside_an_address() -> None:
    assert _byline("BY A [a@x.kr").byline_emails == ["a@x.kr"]
    mixed = _byline(f"BY A, B [[email{NBSP}protected], b@x.kr]")
    assert mixed.byline_emails == [f"email{NBSP}protected", "b@x.kr"]


def test_mixed_case_byline_needs_its_brackets() -> None:
    base = (
        " date 2025-01-02  H\nH\n\nPublished: 2 Jan. 2025, 10:00\n\nBody text here.\n\n"
        "{last}\ntags Korea\n"
    )
    last = "By Kim Min-ji and Park Se-hoon [kim.minji@joongang.co.kr, park.sehoon@joongang.co.kr]"
    (a,) = parse_text(base.format(last=last), "x.txt")
    assert a.byline == last
    assert a.byline_names == ["Kim Min-ji", "Park Se-hoon"]
    assert a.byline_emails == ["kim.minji@joongang.co.kr", "park.sehoon@joongang.co.kr"]
    # A closing paragraph that starts with "By" stays in the body.
    (b,) = parse_text(base.format(last="By contrast, exports rose."), "x.txt")
    assert b.byline is None
    assert b.paragraphs[-1] == "By contrast, exports rose."
