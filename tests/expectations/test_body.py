"""The body family: present, long enough, whole, and free of HTML, mojibake, control characters
and boilerplate; each check on the variants real text takes."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from tests.conftest import failing_lines, run
from toolkit.article import Article
from toolkit.examples import example_article
from toolkit.expectations.body import field_hits
from toolkit.fixtures import make_article
from toolkit.result import Result

STORY = (
    "The National Assembly passed a revision to the Public Performance Act that punishes "
    "ticket scalpers who use macro programs, after fans complained for years that seats vanished "
    "within seconds of going on sale."
)


def with_body(*paragraphs: str, file: str = "a.txt", **changes: object) -> Article:
    return make_article(example_article(file), body="\n\n".join(paragraphs), **changes)


def one(result: Result, expectation: str) -> tuple[str, str, list[tuple[int, int]]]:
    (f,) = [f for f in result.findings if f.expectation == expectation]
    return f.message, f.excerpt, f.spans


# --- body_not_empty ----------------------------------------------------------------------------


def test_empty_body_fails_once_at_the_article_line() -> None:
    empty = make_article(example_article("e.txt"), paragraphs=[], line=40)
    result = run(
        [example_article(), empty],
        "- expect: body_not_empty",
        "- expect: body_min_words",
        "- expect: body_ends_with_punctuation",
    )
    # The other body checks leave an empty body to body_not_empty: one defect, one finding.
    assert [(f.expectation, f.file, f.line) for f in result.findings] == [
        ("body_not_empty", "e.txt", 40)
    ]
    assert "only a photo caption" in result.findings[0].message
    checked = {e.id: e.checked for s in result.suites for e in s.expectations}
    assert checked == {
        "file_readable": 2,
        "body_not_empty": 2,
        "body_min_words": 1,
        "body_ends_with_punctuation": 1,
    }


# --- body_min_words ---------------------------------------------------------------------------


def test_min_words_counts_words_and_is_configurable() -> None:
    short = with_body("Fine dust levels across Seoul reached very bad levels this morning.")
    result = run([short], "- expect: body_min_words")
    message, _, _ = one(result, "body_min_words")
    assert message.startswith("the body has 11 words, fewer than 30")
    assert run([short], "- expect: body_min_words\n  min_words: 11").findings == []
    assert failing_lines(
        run([short], "- expect: body_min_words\n  min_words: 12"), "body_min_words"
    )


def test_no_break_spaces_separate_words() -> None:
    joined = "\u00a0".join(["word"] * 29) + "."
    assert failing_lines(run([with_body(joined)], "- expect: body_min_words"), "body_min_words")
    assert run([with_body(joined + " more")], "- expect: body_min_words").findings == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # 67 Han and kana characters (digits and punctuation aside): 33 words at 2 a word.
        (
            "東京都は5日、公立小学校の給食費を来年度から全額補助する方針を明らかにした。"
            "物価の高騰が続く中、子育て世帯の負担を軽くする。対象はおよそ八十万人だ。",
            33,
        ),
        (
            "深圳地铁13号线北延段14日正式开通运营，全长约十二公里，设站七座，"
            "连接南山区和光明区，通勤时间缩短二十分钟。",
            23,
        ),
    ],
)
def test_unspaced_scripts_count_two_characters_a_word(text: str, words: int) -> None:
    result = run([with_body(text)], "- expect: body_min_words")
    if words >= 30:
        assert result.findings == []
    else:
        message, _, _ = one(result, "body_min_words")
        assert message.startswith(f"the body has {words} words (")
        assert "Han, kana or Hangul characters at 2 a word), fewer than 30" in message


def test_korean_counts_hangul_syllables_and_thai_code_points() -> None:
    # 10 eojeols but 31 syllables: 15 words read by syllables, the larger reading.
    korean = "서울시가 지하철 무임승차 기준 연령을 현행 65세로 유지하기로 했다고 밝혔다."
    message, _, _ = one(run([with_body(korean)], "- expect: body_min_words"), "body_min_words")
    assert message.startswith("the body has 15 words (31 Han, kana or Hangul characters")
    thai = "กรุงเทพมหานครประกาศแผนรับมือน้ำท่วมในฤดูฝนปีนี้" * 2
    message, _, _ = one(run([with_body(thai)], "- expect: body_min_words"), "body_min_words")
    assert "Thai, Lao, Khmer or Myanmar code points at 4 a word" in message
    assert run([with_body(thai * 2)], "- expect: body_min_words").findings == []


def test_a_body_in_two_scripts_never_counts_fewer_words_than_it_has() -> None:
    mixed = " ".join(["word"] * 30) + " 東京."
    assert run([with_body(mixed)], "- expect: body_min_words").findings == []


# --- body_ends_with_punctuation ---------------------------------------------------------------


@pytest.mark.parametrize(
    "last",
    [
        "Shares of the company rose 2.4 percent.",
        "“We are now one family,” he wrote.",
        "“Is this the end of the road?”",
        "The league did not say when the season would resume (a decision is due in May).",
        "Officials declined to comment. (Yonhap)",
        "Trains ran on a normal schedule, the company said.\u00a0",
        "It was the first such ban in the U.S.",
        "“Then it’s not mine anymore.’’",
        "The festival runs until Sunday.\n\nYONHAP",
        "„Wir sind zuversichtlich, dass sich die Fahrgäste freuen.“",
        "Das sei ohnehin klar, sagte er, „das wissen wir sowieso.“",
        "Die ersten Arbeiten beginnen im Sommer. (Katharina Lenz aus Wien, 14.5.2024)",
        "« On nous promet du neuf depuis trois ans. »",
        "Il a parlé d’une «\u202frentrée difficile\u202f».",
        "¿Bastará una pausa de doce meses?",
        "¡Ojalá llueva en otoño! (EFE)",
        "Město slibuje, že je dokončí do jara. (ČTK)",
        "知事は「住む場所によって差が出ないようにしたい」と語った。",
        "担当者は強調した。「命を守る行動を取ってほしい」",
        "知事は記者団に語った。（共同）",
        "专家说：“让更多消费潜力转化为增长动力。”",
        "沿线配套建设了公交接驳站。",
        "시는 장기적인 대책이 필요하다는 입장을 밝혔다. [연합뉴스]",
        "“We will see where this goes …”",
        "Officials declined to comment. [YONHAP]",
    ],
)
def test_whole_endings_pass(last: str) -> None:
    result = run([with_body(STORY, last)], "- expect: body_ends_with_punctuation")
    assert result.findings == []


@pytest.mark.parametrize(
    ("last", "marked", "why"),
    [
        (
            "The full line is expected to open later after delays caused by",
            "delays caused by",
            "mid-sentence",
        ),
        ("Investigators are still trying to identify the person who", "person who", "mid-sentence"),
        ("The minister said the talks would continue and that...", "...", "ellipsis"),
        ("Read the rest of the story in our app…", "…", "ellipsis"),
        ("The price rose to 3.5", "rose to 3.5", "mid-sentence"),
        ("The talks will resume in\n\nSEOUL", "SEOUL", "mid-sentence"),
        ("Die neuen Bahnen seien jedoch deutlich", "seien jedoch deutlich", "mid-sentence"),
        ("„Wir werden sehen …", "…", "ellipsis"),
        ("不要不急の外出は", "不要不急の外出は", "mid-sentence"),
        ("但也需要同步完善沿线的", "但也需要同步完善沿线的", "mid-sentence"),
        ("시 관계자는 중앙정부와", "중앙정부와", "mid-sentence"),
    ],
)
def test_cut_endings_fail_with_the_cut_highlighted(last: str, marked: str, why: str) -> None:
    result = run([with_body(STORY, last)], "- expect: body_ends_with_punctuation")
    message, excerpt, spans = one(result, "body_ends_with_punctuation")
    assert why in message
    ((start, end),) = spans
    assert marked in excerpt[start:end]
    assert excerpt.endswith(last[-20:])


# --- body_no_html -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("<p>The singer saluted and waved to reporters.</p>", "the HTML tag '<p>'"),
        ("The singer saluted.<br/>He waved to reporters.", "the HTML tag '<br/>'"),
        ('Read <a href="https://example.com/x">the statement</a> here.', "the HTML tag '<a href"),
        ("The assistant drill instructor.&nbsp;Bandmates were given leave.", "entity '&nbsp;'"),
        ("The city&#x27;s tourism website lists nearby restaurants.", "entity '&#x27;'"),
        ("The city&#39;s tourism website lists nearby restaurants.", "entity '&#39;'"),
        ("A festival official said &quo the number has grown.", "cut-off HTML entity '&quo'"),
        ("The city&#x27 s tourism website lists restaurants.", "cut-off HTML entity '&#x27'"),
        ("Prices rose 3 percent &mdash; the most in a year.", "entity '&mdash;'"),
        ("<!-- ad slot --> The market opened higher.", "the HTML tag '<!--'"),
    ],
)
def test_html_left_in_the_body_fails(text: str, what: str) -> None:
    result = run([with_body(STORY, text)], "- expect: body_no_html")
    message, excerpt, spans = one(result, "body_no_html")
    assert what in message and "in the body" in message
    ((start, end),) = spans
    assert excerpt[start:end] and excerpt[start:end] in text


@pytest.mark.parametrize(
    "text",
    [
        "Bong Joon Ho’s <Parasite> swept the Oscars, and AT&T and Q&A sessions followed.",
        "Procter & Gamble and Johnson & Johnson reported; R&D spending rose; S&P 500 gained.",
        "The index rose 3 percent (< 5 percent forecast) as 2 > 1 and M&As picked up.",
        "Marks &Co; is a name in a quotation, not an entity.",
        "“Tteokbokki is the food everyone grew up with,” Ahn said — and that’s that.",
    ],
)
def test_angle_brackets_and_ampersands_in_prose_pass(text: str) -> None:
    assert run([with_body(STORY, text)], "- expect: body_no_html").findings == []


def test_html_in_the_caption_is_found_and_named() -> None:
    a = with_body(STORY, caption="Fans cheer at the stadium.<br/>[YONHAP]")
    message, _, _ = one(run([a], "- expect: body_no_html"), "body_no_html")
    assert "in the caption" in message
    assert run([a], "- expect: body_no_html\n  fields: [body]").findings == []


# --- body_no_mojibake -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Itâ€™s now the countryâ€™s top ramyeon exporter.", "Itâ€™s"),
        ("ItÃ¢â‚¬â„¢s now the top exporter.", "ItÃ¢â‚¬â„¢s"),
        ("The striker RenÃ© MÃ¼ller joined the club.", "RenÃ©"),
        ("The â€œbest-sellerâ€ list was topped by a novel.", "â€œbest-sellerâ€"),
    ],
)
def test_mojibake_fails_with_ftfy_reading(text: str, bad: str) -> None:
    message, excerpt, spans = one(
        run([with_body(STORY, text)], "- expect: body_no_mojibake"), "body_no_mojibake"
    )
    assert "Windows-1252" in message and "ftfy reads" in message
    ((start, end),) = spans
    assert excerpt[start:end] == bad


@pytest.mark.parametrize(
    "text",
    [
        "Daejeon signed João Araújo from Vitória de Guimarães; Zoë Müller’s café–bar opened.",
        "North Korean leader Kim Jong-un (김정은) met Fumio Kishida (岸田文雄) — briefly.",
        "The naïve plan cost 10 000 € and 5 £; “Ça va,” said Aurélie.",
        "Temperatures hit 35°C while the won rose 0.5% to ₩1,350 per dollar.",
    ],
)
def test_accents_cjk_and_symbols_are_not_mojibake(text: str) -> None:
    assert run([with_body(STORY, text)], "- expect: body_no_mojibake").findings == []


def test_mojibake_in_the_headline_is_found_too() -> None:
    a = make_article(example_article(), headline="Koreaâ€™s exports rise for a sixth month")
    message, _, _ = one(run([a], "- expect: body_no_mojibake"), "body_no_mojibake")
    assert "in the header headline" in message


# --- body_no_replacement_or_control_chars -----------------------------------------------------


@pytest.mark.parametrize(
    ("char", "words"),
    [
        ("\ufffd", "replacement character U+FFFD"),
        ("\x07", "U+0007 (BEL)"),
        ("\x0c", "U+000C (FORM FEED)"),
        ("\x1b", "U+001B (ESCAPE)"),
        ("\x85", "U+0085 (NEXT LINE)"),
        ("\x00", "U+0000 (NUL)"),
    ],
)
def test_control_and_replacement_characters_fail(char: str, words: str) -> None:
    a = with_body(STORY, f"Police said roads were{char} closed nationwide.")
    message, excerpt, spans = one(
        run([a], "- expect: body_no_replacement_or_control_chars"),
        "body_no_replacement_or_control_chars",
    )
    assert words in message
    ((start, end),) = spans
    assert excerpt[start:end] == char


def test_tabs_and_paragraph_breaks_are_fine_and_the_byline_is_read() -> None:
    a = with_body(STORY, "Scores:\tKia 5, Doosan 3.")
    assert run([a], "- expect: body_no_replacement_or_control_chars").findings == []
    b = make_article(example_article(), byline="BY KIM MIN\ufffdJI [kim.minji@joongang.co.kr]")
    message, _, _ = one(
        run([b], "- expect: body_no_replacement_or_control_chars"),
        "body_no_replacement_or_control_chars",
    )
    assert "in the byline" in message


# --- body_no_boilerplate ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Subscribe to our newsletter to continue reading.", "Subscribe to our newsletter"),
        ("Please enable JavaScript to view this content.", "enable JavaScript"),
        ("We use cookies to improve your experience.", "We use cookies"),
        ("Already a subscriber? Log in.", "Already a subscriber"),
        ("ⓒ Korea JoongAng Daily. All\u00a0Rights Reserved.", "All\u00a0Rights Reserved"),
    ],
)
def test_boilerplate_fails_naming_the_phrase(text: str, phrase: str) -> None:
    message, excerpt, spans = one(
        run([with_body(STORY, text)], "- expect: body_no_boilerplate"), "body_no_boilerplate"
    )
    assert f"('{phrase}')" in message
    ((start, end),) = spans
    assert excerpt[start:end] == phrase


@pytest.mark.parametrize(
    "text",
    [
        "Netflix said 2 million more households chose to subscribe to its ad-supported plan.",
        "Bakers sold out of cookies, and regulators asked Google to review its cookie policy.",
        "The bank said customers who subscribed now would keep the old rate.",
        "Fans said they would continue reading her novels for years.",
        "She said she wanted to continue reading Han Kang’s novels in Korean.",
        "Regulators told Google to let users reject tracking instead of having to accept cookies.",
    ],
)
def test_articles_about_subscriptions_or_cookies_pass(text: str) -> None:
    assert run([with_body(STORY, text)], "- expect: body_no_boilerplate").findings == []


@pytest.mark.parametrize(
    "paragraphs",
    [
        # Inside an ordinary sentence in the middle of a story.
        (
            STORY,
            "The company said the new archive would be open to subscribers only for its first "
            "year, before it is opened to the public.",
            STORY,
        ),
        # A sentence mid-story that a phrase opens, in a long paragraph.
        (
            STORY,
            f"{STORY} Subscribers only learned of the price rise when their bills arrived, the "
            "regulator said, and several of them complained to the ministry.",
            STORY,
        ),
    ],
)
def test_a_phrase_inside_the_story_is_not_boilerplate(paragraphs: tuple[str, ...]) -> None:
    assert run([with_body(*paragraphs)], "- expect: body_no_boilerplate").findings == []


@pytest.mark.parametrize(
    ("paragraphs", "phrase"),
    [
        # A paragraph of its own, mid-body.
        ((STORY, "Subscribe now for full access to our archive.", STORY), "Subscribe now"),
        # Glued to the end of the last paragraph.
        ((STORY, f"{STORY} Subscribe to continue reading."), "Subscribe to continue reading"),
        # A short first paragraph.
        (("Please enable JavaScript to see the video.", STORY), "enable JavaScript"),
        # A copyright line of its own.
        ((STORY, "© 2024 Tagblatt. Alle Rechte vorbehalten.", STORY), "Alle Rechte vorbehalten"),
        ((STORY, "Cet article est réservé aux abonnés."), "réservé aux abonnés"),
        ((STORY, "¿Ya eres suscriptor? Inicia sesión."), "Ya eres suscriptor"),
        ((STORY, "無断転載を禁じます。"), "無断転載を禁じます"),
    ],
)
def test_notices_are_found_by_place_and_shape(paragraphs: tuple[str, ...], phrase: str) -> None:
    message, excerpt, spans = one(
        run([with_body(*paragraphs)], "- expect: body_no_boilerplate"), "body_no_boilerplate"
    )
    assert f"('{phrase}')" in message
    ((start, end),) = spans
    assert excerpt[start:end] == phrase


def test_boilerplate_list_is_configurable() -> None:
    a = with_body(STORY, "Download our app for breaking news alerts.")
    assert run([a], "- expect: body_no_boilerplate").findings == []
    extra = "- expect: body_no_boilerplate\n  extra_phrases: [download our app]"
    assert failing_lines(run([a], extra), "body_no_boilerplate") == [("a.txt", 1)]
    only = "- expect: body_no_boilerplate\n  phrases: [breaking news alerts]"
    assert failing_lines(run([a], only), "body_no_boilerplate") == [("a.txt", 1)]
    b = with_body(STORY, "Subscribe to our newsletter.")
    assert run([b], only).findings == []


# --- body_no_repeated_paragraph ---------------------------------------------------------------

OTHER = (
    "Fans had complained for years that seats vanished within seconds of going on sale, and "
    "resale prices reached ten times the face value."
)


def test_a_paragraph_read_twice_fails_at_the_copy() -> None:
    result = run(
        [with_body(STORY, OTHER, OTHER.replace(" ", "\u00a0 "), STORY[:60] + ".")],
        "- expect: body_no_repeated_paragraph",
    )
    message, excerpt, spans = one(result, "body_no_repeated_paragraph")
    assert message.startswith("paragraph 3 of the body repeats paragraph 2 word for word")
    ((start, end),) = spans
    assert excerpt[start:end].startswith("Fans\u00a0")


def test_short_repeated_pieces_and_distinct_paragraphs_pass() -> None:
    body = with_body(STORY, "Advertisement", OTHER, "Advertisement", "—", "—", STORY[:50] + ".")
    assert run([body], "- expect: body_no_repeated_paragraph").findings == []
    entry = "- expect: body_no_repeated_paragraph\n  min_chars: 1"
    assert failing_lines(run([body], entry), "body_no_repeated_paragraph") == [("a.txt", 1)]


# --- body_not_headline_or_caption -------------------------------------------------------------

CAPTION = "Containers are stacked at a pier in Busan on April 21."


@pytest.mark.parametrize(
    ("changes", "what"),
    [
        ({"body": "Korea’s chip exports rise for a sixth month as AI demand holds."}, "headline"),
        ({"body": "KOREA'S CHIP EXPORTS RISE FOR A SIXTH MONTH AS AI DEMAND HOLDS"}, "headline"),
        ({"body": f"{CAPTION} [YONHAP]"}, "photo caption"),
        ({"body": CAPTION}, "photo caption"),
        (
            {
                "headline": "台風10号が九州に接近",
                "body": "台風10号が九州に接近。",
            },
            "headline",
        ),
    ],
)
def test_a_body_that_is_only_the_headline_or_caption_fails(
    changes: dict[str, str], what: str
) -> None:
    a = make_article(example_article(), **changes)
    message, _, _ = one(
        run([a], "- expect: body_not_headline_or_caption"), "body_not_headline_or_caption"
    )
    assert message.startswith(f"the body is only the {what} again")


def test_a_body_that_starts_with_the_headline_passes() -> None:
    a = make_article(
        example_article(),
        body="Korea’s chip exports rise for a sixth month as AI demand holds.\n\n" + STORY,
    )
    assert run([a], "- expect: body_not_headline_or_caption").findings == []
    assert run([example_article()], "- expect: body_not_headline_or_caption").findings == []


def test_field_hits_reads_each_field_over_all_its_chunks() -> None:
    # A batch column over 2 GiB comes in chunks; the fields are joined as one large array.
    body = pa.chunked_array([["<p>one", "two"], ["three <b>"]], type=pa.string())
    headline = pa.chunked_array([["a", None, "<i>c"]], type=pa.string())
    frame = pd.DataFrame(
        {
            "body": pd.Series(body, dtype=pd.ArrowDtype(pa.string())),
            "headline": pd.Series(headline, dtype=pd.ArrowDtype(pa.string())),
        }
    )
    hits = field_hits(frame, ["body", "headline"], "<[a-z]>")
    assert hits.tolist() == [[True, False, True], [False, False, True]]
    assert field_hits(frame, [], "<p>").shape == (0, 3)
