"""The byline family on several authors and addresses, and the informational name check."""

from __future__ import annotations

import pytest

from tests.conftest import CLEAN, run
from toolkit.article import Article, parse_text
from toolkit.examples import example_article
from toolkit.expectations import CATALOG
from toolkit.expectations.byline import address_matches
from toolkit.fixtures import make_article


@pytest.mark.parametrize(
    "byline",
    [
        "BY KIM MIN-JI, PARK SE-HOON [kim.minji@joongang.co.kr, park.sehoon@joongang.co.kr]",
        "WRITTEN BY JEONG JAE-HONG AND TRANSLATED BY LIM JEONG-WOO "
        "[jeong.jaehong@joongang.co.kr, lim.jeongwoo@joongang.co.kr]",
        "BY LEE HA-YEON     [lee.hayeon@joongang.co.kr]",
        "BY SHIN HA-NEUL [shin.haneul@joongang.co.kr] AND JOO KYUNG-DON "
        "[joo.kyungdon@joongang.co.kr]",
        "BY JOÃO ARAÚJO [joao.araujo@joongang.co.kr]",
    ],
)
def test_several_authors_and_addresses_pass_every_byline_check(byline: str) -> None:
    a = make_article(example_article(), byline=byline)
    result = run(
        [a],
        "- expect: byline_present",
        "- expect: byline_has_email",
        "- expect: byline_email_matches_name",
    )
    assert result.findings == []


@pytest.mark.parametrize(
    ("address", "names"),
    [
        ("seo.jieun@joongang.co.kr", ["SEO JI-EUN"]),
        ("jieun.seo@joongang.co.kr", ["SEO JI-EUN"]),
        ("sjieun@joongang.co.kr", ["SEO JI-EUN"]),
        ("jseo@joongang.co.kr", ["SEO JI-EUN"]),
        ("park.sehoon@joongang.co.kr", ["KIM MIN-JI", "PARK SE-HOON"]),
        ("s.j@joongang.co.kr", ["SEO JI-EUN"]),
    ],
)
def test_addresses_that_match_a_name(address: str, names: list[str]) -> None:
    assert address_matches(address, names)


def test_a_desk_crediting_another_address_is_information_only() -> None:
    assert CATALOG["byline_email_matches_name"].severity == "info"
    path = CLEAN / "005_3c039f965bf61c0e.txt"
    (a,) = parse_text(path.read_text(encoding="utf-8"), path.name)
    (f,) = run([a], "- expect: byline_email_matches_name\n  severity: info").findings
    assert f.severity == "info"
    assert "'kim.donghyun@joongang.co.kr' matches no name in the byline (SHIN HA-NEUL)" in f.message
    assert f.excerpt[slice(*f.spans[0])] == "kim.donghyun@joongang.co.kr"


def test_placeholders_and_bad_addresses_are_left_to_byline_has_email(
    seed_article: Article,
) -> None:
    bad = make_article(example_article("b.txt"), byline="BY SEO JI-EUN [seo.jieun joongang.co.kr]")
    result = run([seed_article, bad], "- expect: byline_email_matches_name")
    assert result.findings == []
