"""A realistic clean article: the one passing example that explanations and fixtures start from.

It passes every built-in expectation at every severity, so that a breaker applied to it makes
exactly the expectation it targets fail. It is kept as dump text and parsed, so that the
article's derived fields (byline names and addresses, tags, lines) are what the parser makes of
real text, and ``render(example_article())`` gives this text back.
"""

from __future__ import annotations

from toolkit.article import Article, parse_text

EXAMPLE_FILE = "example.txt"

# Curly quotes and apostrophes throughout (never mixed with straight ones), an em dash, a name
# with diacritics, a caption with its bracketed credit, two authors with two addresses.
EXAMPLE_TEXT = """\
 date 2025-04-22  Korea’s chip exports rise for a sixth month as AI demand holds
Korea’s chip exports rise for a sixth month as AI demand holds

Published: 22 Apr. 2025, 16:05
Containers are stacked at a pier in Busan on April 21. [YONHAP]

Korea’s semiconductor exports rose for a sixth straight month in April, as demand for memory \
chips used in artificial intelligence servers held up despite new U.S. tariffs, government data \
showed Tuesday.

Chip exports in the first 20 days of the month reached $8.1 billion, up 10.7 percent from a year \
earlier, according to the Korea Customs Service. Overall exports fell 5.2 percent over the same \
period, weighed down by cars and petrochemicals.

“High-bandwidth memory is carrying the industry through a difficult quarter,” said Park Ji-won, \
a senior researcher at the Korea Institute for Industrial Economics and Trade. “The question is \
whether buyers keep ordering once the tariff exemptions expire.”

Shipments to China — still the largest market for Korean chips — grew 4.3 percent, while those \
to Vietnam and Taiwan rose by more than a fifth, said Zoë Lefèvre, an analyst at a Paris-based \
brokerage.

Samsung Electronics and SK hynix, the country’s two largest chipmakers, are due to report \
first-quarter earnings next week. Analysts expect SK hynix to post a record operating profit on \
sales of its HBM3E chips to Nvidia.

The Ministry of Trade, Industry and Energy said it would extend emergency financing for \
exporters hit by the tariffs through the end of June.

BY LEE JAE-LIM, SEO JI-EUN [lee.jaelim@joongang.co.kr, seo.jieun@joongang.co.kr]
tags Korea semiconductors exports tariffs SK hynix
"""


def example_article(file: str = EXAMPLE_FILE) -> Article:
    """A fresh copy of the clean example article (callers may change it freely)."""
    return parse_text(EXAMPLE_TEXT, file)[0]
