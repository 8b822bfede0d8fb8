"""Each boilerplate rule, on its own: lines it must catch, and prose it must leave alone."""

from __future__ import annotations

import pytest

from flows.stages.boilerplate_rules import (
    KINDS,
    LINE_RULES,
    RULES,
    RULES_BY_NAME,
    Where,
    first_match,
    is_credit_text,
    is_date_only,
    is_name_like,
)

# rule name -> (lines it matches, lines it must not match). Negatives are mostly article sentences
# that mention the rule's words, because that is how a rule goes wrong on real pages.
CASES: dict[str, tuple[list[str], list[str]]] = {
    "skip_link_v1": (
        ["Skip to content", "Skip to main content", "Menu", "Zum Inhalt springen", "Next article"],
        [
            "Skip to the end of the report, officials said, to find the numbers.",
            "Menu prices rose.",
        ],
    ),
    "breadcrumb_v1": (
        ["Home > World > Asia", "Home / News / Politics", "News › Europe › Germany", "A | B | C"],
        ["Prices rose > 5% in May, more than the forecast.", "Home prices fell in March."],
    ),
    "tags_line_v1": (
        [
            "Tags: China, United States, diplomacy",
            "Filed under: Politics",
            "Schlagwörter: Berlin",
            "Kategorie: News",
        ],
        ["Tags on the luggage were checked twice.", "Posted guards stood at the gate."],
    ),
    "contact_label_v1": (
        ["Pressekontakt:", "Media contact", "Kontakt", "Release Date:"],
        ["Contact with the crew was lost at 3 a.m.", "Kontakt zur Besatzung brach ab."],
    ),
    "contact_line_v1": (
        ["Telefon: +49 - (40) - 300 30 - 1141", "Tel. 030 1234567", "Fax: (030) 78 95 47 79"],
        ["Telephone lines were down for 12 hours.", "Phone: call the hotline, officials said."],
    ),
    "tags_label_v1": (
        ["Tags", "Temas", "Themen:", "Topics"],
        ["Topics discussed included trade.", "Temas de la reunión"],
    ),
    "url_line_v1": (
        ["https://example.com/news/1", "www.example.org"],
        ["Visit https://example.com for details, the agency said."],
    ),
    "cookie_notice_v1": (
        [
            "We use cookies to improve your experience. By continuing you accept our policy.",
            "This website uses cookies.",
            "Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.",
            "Nous utilisons des cookies pour améliorer votre expérience.",
        ],
        ["The regulator said advertisers use cookies to track users across sites."],
    ),
    "cookie_button_v1": (
        ["Accept all cookies", "Reject all", "Cookie settings", "Alle akzeptieren"],
        ["Accept the offer, the union told its members on Tuesday."],
    ),
    "advertisement_v1": (
        ["Advertisement", "ADVERTISEMENT", "Anzeige", "Publicité", "Ad"],
        ["Advertisement spending fell 4% last year, the report said."],
    ),
    "date_only_line_v1": (
        [
            "date 2023-06-18",
            "June 19, 2023",
            "Mon 19 Jun 2023 10.32 BST",
            "19.06.2023, 14:30 Uhr",
            "19 juin 2023 à 10h30",
            "2023年6月19日",
            "3 hours ago",
        ],
        [
            "In 2017, she won a fellowship.",
            "June was the hottest month on record in 2023.",
            "286,35 €",
            "+81 158-23-2012",
            "3 of 10",
        ],
    ),
    "published_line_v1": (
        [
            "Published: June 19, 2023",
            "Updated 3:45 PM ET, Mon June 19, 2023",
            "Posted on June 3, 2023 by admin",
            "Veröffentlicht am 19.06.2023",
            "Publié le 19 juin 2023",
            "Letzte Änderung 14.02.2019",
        ],
        ["Updated figures show the economy grew faster than expected.", "Published works sold."],
    ),
    "reading_time_v1": (
        ["5 min read", "Reading time: 4 minutes", "3 Minuten Lesezeit"],
        ["He took 5 minutes to read the statement aloud."],
    ),
    "summary_label_v1": (["Summary", "Key points:"], ["Summary executions were reported."]),
    "see_also_v1": (
        [
            "See also\xa0 Hezbollah fires on Israel after its members were killed",
            "Read also: Markets slide as oil jumps",
            "Mehr zum Thema: Scholz reist nach Paris",
            "Lire aussi : La réforme des retraites adoptée",
            "Czytaj też: Wyścig zbrojeń ruszył z kopyta",
            "Lesen Sie hier: Spielabbruch in der Kreisliga",
            "Читайте также: Рубль укрепился",
        ],
        ["Seeing also that the talks failed, investors sold.", "Read the statement in full."],
    ),
    "related_label_v2": (
        [
            "Related",
            "Related Articles",
            "Read more: Oil prices jump",
            "READ MORE",
            "Mehr zum Thema",
            "NOTAS RELACIONADAS",
            "Contenido relacionado",
            "Zum Weiterlesen:",
            "Mehr Themen:",
        ],
        [
            "Related talks in Geneva ended without a deal.",
            "Read more books, the minister urged students.",
            "Notas relacionadas con el caso fueron enviadas a la fiscalía.",
        ],
    ),
    "teaser_label_v1": (
        [
            "LEA TAMBIÉN: El Congreso aprueba la reforma electoral",
            "Mira: Así quedó la tabla de posiciones tras la fecha 12",
            "Le puede interesar: ¿Qué cambia con la nueva ley de tránsito?",
            "READ: Ten charts that explain the housing market",
            "Weiterlesen: Diese Tipps helfen gegen Stress im Winter",
        ],
        [
            "Mira: the team played well, and the coach said so.",
            "Read: the court's full ruling runs to 90 pages, the clerk said.",
            "Lea la carta completa en el anexo del informe.",
            "Watch the game tonight on channel 4.",
        ],
    ),
    "more_from_label_v1": (
        [
            "More from Politics",
            "More on the election:",
            "Más sobre la economía",
            "Weitere Beiträge aus der Kolumne:",
            "Weitere Reisetipps in Norwegen",
            "Top-Themen bei Example Magazin",
        ],
        [
            "More on that later.",
            "More About This Recipe",
            "More from the minister came on Friday, when he resigned.",
            "Weitere Beiträge folgen in den nächsten Wochen.",
        ],
    ),
    "wordpress_related_category_v1": (['In "World News"', "In “Politics”"], ["In May, he left."]),
    "comment_reply_prompt_v1": (
        [
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Required fields are marked *",
            "Save my name, email, and website in this browser for the next time I comment.",
            "Laisser un commentaire",
            "One thought on “Blinken in Beijing”",
        ],
        ["Leave aside the rhetoric, the two sides agreed on little.", "He left a reply unsent."],
    ),
    "comment_count_v1": (
        [
            "12 comments",
            "No comments",
            "3 Kommentare",
            "5 commentaires",
            "12 条评论",
            "120 Kommentare",
        ],
        ["12 comments were made by the minister on the record."],
    ),
    "comment_label_v1": (
        [
            "Comments",
            "Comment *",
            "Cancel reply",
            "Kommentare (3)",
            "Commentaires",
            "Name *",
            "ReplyDelete",
        ],
        ["Comments by the minister drew criticism.", "Reply to the letter was slow."],
    ),
    "byline_v1": (
        [
            "By Humeyra Pamuk",
            "By JOHN DOE Associated Press",
            "By Jane Smith and Ali Khan, Reuters",
            "Von Max Mustermann",
            "Par Jean Dupont",
            "(By Kate Lee)",
        ],
        [
            "By Monday, the talks had collapsed.",
            "By continuing to use this site you agree to our terms.",
            "Von der Leyen said the bloc was ready.",
            "By the end of the year, prices fell.",
        ],
    ),
    "credit_roles_v2": (
        [
            "Reporting by Humeyra Pamuk in Beijing; Editing by Simon Cameron Moore",
            "(Reporting by Jane Doe; Editing by Bill Berkrot)",
            "Additional reporting by Dominique Patton in Beijing",
            "Compiled by Staff",
            "Writing by Arshad Mohammed; Editing by Lisa Shumaker",
            # A role no list names, in a line that goes on with known roles.
            "Coverage by Humeyra Pamuk in Beijing. Additional reporting by Jason Zhieu in Shanghai",
            "Interview by Jane Doe; Editing by John Roe",
        ],
        [
            "Reporting by Reuters showed that the ministry had known for months.",
            "Editing by hand is slow, the engineers said.",
            "Followed by a long silence, the minister left.",
            "Supported by the data, the court ruled in March.",
            "coverage by Humeyra Pamuk in Beijing. Editing by Jane Doe",  # roles are capitalised
            # Alone, "<Word> by <Name>" is as often a book or a heading as a credit.
            "Neuromancer by William Gibson",
            "Coverage by Humeyra Pamuk in Beijing",
        ],
    ),
    "contributed_v1": (
        [
            "Frank Fang and Dorothy Li contributed to this report.",
            "Associated Press writer Jane Doe in Beijing contributed to this report.",
            "Jane Doe contributed reporting from Seoul.",
        ],
        ["The company contributed to this report's funding, critics said."],
    ),
    "credit_label_v2": (
        ["Author: Jane Doe", "Redaktion: Max Müller", "责任编辑：张三", "Text: Anna Schmidt"],
        ["Author: the one who wrote the book was never found, police said."],
    ),
    "source_line_v1": (
        ["Quelle: Landesregierung", "Source: Reuters, AFP", "Fuente: EFE"],
        ["Sources say the deal is close, according to two officials in Brussels."],
    ),
    "agency_credit_v1": (
        [
            "(dpa/AFP)",
            "Reuters",
            "With AFP",
            "Mit Material von dpa",
            "Staff and agencies",
            "aja/PAP",
        ],
        ["Reuters reported that the talks had stalled.", "AFP journalists were detained."],
    ),
    "caption_agency_slash_v1": (
        [
            "Blinken meets Qin in Beijing, June 18, 2023. REUTERS/Lea Mellis/Pool",
            "Supporters gather in Paris. AFP/Getty Images",
            "FILE PHOTO: A view of the port. REUTERS/Jane Doe/File Photo",
        ],
        [
            "A new AP/NORC poll shows 40% of voters approve.",
            "The Reuters/Ipsos poll was published.",
        ],
    ),
    "caption_photo_parenthetical_v1": (
        [
            "Chinese President Xi Jinping speaks in Beijing. (AP Photo/Andy Wong)",
            "The minister arrives at the summit (Photo: Jane Doe)",
            "Der Kanzler in Berlin (Foto: dpa)",
        ],
        ["The photo (which went viral) showed the two men shaking hands."],
    ),
    "caption_label_v1": (
        [
            "Photo: Jane Doe/Reuters",
            "Photo credit: John Smith",
            "Image source, Getty Images",
            "Titelbild: Geyres Christophe/ABACA/picture-alliance",
            "Crédits photos : Bestimage",
            "Fot. Lukasz Nowaczyk / Agencja Gazeta",
        ],
        ["Photo opportunities were rare during the visit.", "Photographers waited outside."],
    ),
    "caption_getty_v1": (
        ["Protesters march in Hong Kong. Anthony Kwan/Getty Images", "A rally. AFP via Getty"],
        ["The Getty Images archive was sold, the company said on Monday afternoon in London."],
    ),
    "caption_trailing_credit_v1": (
        [
            "The old lighthouse at dusk. Photo: Jane Doe",
            "A rider on the new cycle path Credit: City of Northport",
            "Der neue Bahnhof am Abend. Foto: Max Mustermann/Stadtwerke",
            "Le pont après la crue © Studio Lumière",
            "The prototype on the test bench. Image: example-labs.com",
            "Volunteers clear the beach. Photo by Sam Lee",
            "Ein Blick in die Ausstellung. Bild: Museum Nord",
        ],
        [
            "The photo by Smith won the prize, the jury said on Friday.",
            "Photo: the view from the summit was worth the climb",
            "Credit: banks tightened lending again in the third quarter, the survey found.",
            "He said the credit: was never his to take",
            # A whole paragraph a scrape glued to the credit: prose, too long for a caption.
            "The council approved the budget after a long debate on Tuesday evening, and the "
            "mayor said that the new plan would fund more buses, two libraries and the repair "
            "of the old bridge, while the opposition warned that the city could not afford the "
            "rise in spending next year.Photo: Jane Doe",
        ],
    ),
    "trust_standards_v1": (
        ["Our standards: The Thomson Reuters Trust Principles.", "Our Standards: Trust Principles"],
        ["Our standards of living have fallen, he said."],
    ),
    "copyright_v1": (
        ["© 2023 Reuters", "Copyright 2023 The Associated Press.", "(c) 2023 Example Media"],
        ["Copyright law in the EU changed in 2019, the court said."],
    ),
    "rights_reserved_v2": (
        [
            "All rights reserved.",
            "Example Media 2023. All rights reserved",
            "Tous droits réservés",
            "Materiał chroniony prawem autorskim - zasady przedruków określa regulamin.",
            "Wszelkie prawa zastrzeżone.",
        ],
        ["He said all rights reserved under the treaty would be honoured."],
    ),
    "content_license_v1": (
        [
            "Sofern nicht anders ausgewiesen, stehen Inhalte dieser Website unter CC-BY",
            "Content on this site is licensed under a Creative Commons Attribution 4.0 License.",
        ],
        [
            "The court ruled that content on this site was not covered by the law, the minister said."
        ],
    ),
    "download_link_v1": (
        [
            "Informationsschreiben vom 14. Oktober 2021PDF | 38 KB | Datei ist nicht barrierefrei",
            "Annual report (PDF, 1,2 MB)",
        ],
        ["The agency published a 40-page PDF report on Monday."],
    ),
    "redistribution_notice_v1": (
        ["This material may not be published, broadcast, rewritten or redistributed."],
        ["This material was published in 2019 by the ministry."],
    ),
    "newsletter_signup_v1": (
        [
            "Sign up for our daily newsletter",
            "Subscribe to our newsletter to get the latest updates",
            "Subscribe now",
            "Newsletter abonnieren",
            "Abonnez-vous à notre newsletter",
        ],
        [
            "Sign up rates fell by 4% last year as fewer people joined the email list.",
            "Subscribers to the newsletter complained about the price.",
        ],
    ),
    "newsletter_prompt_v2": (
        [
            "Never miss the latest news by signing up to our newsletter today!",
            "Mit unserem Newsletter erhalten Sie monatlich Informationen rund um Österreich!",
            "Zum Newsletter anmelden",
            "Schauen Sie mal in unseren Musiknewsletter!",
        ],
        ["The newsletter, founded in 1998, reached 40,000 readers at its peak."],
    ),
    "never_miss_prompt_v1": (
        ["Get our daily edition by email and never miss our top stories. Free sign up"],
        ["She said she would never miss a game, whatever her doctors said."],
    ),
    "newsletter_label_v1": (["Newsletter", "Newsletters"], ["Newsletter sales rose."]),
    "newsletter_inbox_v1": (
        ["Get the best stories delivered to your inbox every morning."],
        ["The letter was delivered to the embassy on Monday."],
    ),
    "app_promo_v1": (
        [
            "For breaking news alerts download the Example News app for iOS and Android.",
            "Get our app on the App Store or Google Play.",
        ],
        [
            "Download the app was the advice of the bank, which said it was safe.",
            "Users who installed the app on Android phones lost data, researchers said.",
        ],
    ),
    "channel_promo_v1": (
        [
            "¡Mira lo que tiene nuestro canal de YouTube!",
            "Join our channel on Telegram for the latest updates.",
            "Follow The Example Post on Twitter and Instagram @ExamplePost",
        ],
        [
            "The channel on YouTube was removed after complaints, the company said.",
            "Follow the money, the prosecutor told the jury.",
        ],
    ),
    "affiliate_disclosure_v1": (
        [
            "This post contains affiliate links. We may earn a commission if you buy.",
            "*Werbung. Dieser Beitrag enthält Werbung für Beispielmarke.",
            "Anzeige, enthält Affiliate Links",
            "Advertisers do not influence our picks. We may receive compensation from partners.",
        ],
        [
            "Regulators said influencers must disclose affiliate links to their followers.",
            '"Keine Werbung. Keine Kosten", schrieb die Agentur.',
        ],
    ),
    "letters_prompt_v1": (
        [
            "We want to hear what you think about this article. Submit a letter to the editor.",
            "Submit your letter to the editor via this form.",
            "Verraten Sie gerne in den Kommentaren: Wie halten Sie es?",
        ],
        ["The mayor wrote a letter to the editor of the local paper in 1998."],
    ),
    "share_prompt_v1": (
        ["Share this article", "Share this:", "Share", "Teilen", "Partager", "Like this:"],
        ["Share prices fell 3% on Monday.", "Shares of Chinese airlines rose."],
    ),
    "social_buttons_v1": (
        ["Facebook Twitter LinkedIn Email", "WhatsApp | Telegram", "Print"],
        ["Facebook said on Monday it would cut jobs."],
    ),
    "follow_us_v1": (
        ["Follow us on Twitter", "Folgen Sie uns auf Instagram", "Click to share on X"],
        ["Follow-up talks are planned for next month.", "They followed us home."],
    ),
    "author_label_v1": (
        ["Author", "About the author", "Autor", "Автор"],
        ["Author Salman Rushdie spoke at the festival."],
    ),
    "bio_sentence_v1": (
        [
            "Jane Doe is a senior foreign policy correspondent based in Washington, DC.",
            "Aldgra Fredly is a freelance writer covering U.S. and Asia Pacific news.",
            "Max Müller ist Korrespondent in Peking.",
        ],
        [
            "The minister is a former general who led the army.",
            "the reporter was detained in Moscow.",
        ],
    ),
    "name_line_v1": (
        ["Humeyra Pamuk", "Thomson Reuters", "Jean de la Fontaine", "张三"],
        ["Taiwan is closely aware.", "June 19, 2023", "He said:", "Reuters reported it"],
    ),
    "headline_title_v1": (
        [
            "Blinken, Wang deal with difficult cases as a possible meeting with Xi looms",
            "Xi, Blinken agree to stabilize US-China relations",
        ],
        [
            "U.S. State Secretary Antony Blinken met with China's top diplomat on Monday.",
            "• A bullet line, not a title",
        ],
    ),
    "highlight_bullet_v1": (
        ["• The first meeting of its kind since 2018", "- Xi says great powers can cooperate"],
        ["-5 degrees were recorded overnight.", "Xi says great powers can cooperate"],
    ),
    "dateline_agency_v1": (
        [
            "BEIJING (Reuters) – U.S. Secretary of State",
            "BEIJING, June 19 (Reuters) - U.S. officials",
            "WASHINGTON (AP) — The president",
            "PARIS, Jan 3 (AFP) - France",
            "Berlin (dpa) - Die Regierung",
            "(Reuters) - China said",
            "Madrid, 19 jun (EFE).- El Gobierno",
        ],
        ["Reuters reported that talks stalled.", "In a statement (Reuters), officials said."],
    ),
    "dateline_city_v1": (
        ["WASHINGTON — The president said", "ST. LOUIS, Mo. -- Officials said"],
        ["U.S. - China talks resumed.", "The US — and China — agreed."],
    ),
    "dateline_xinhua_v1": (["新华社北京6月19日电（记者 张三）中国外交部"], ["新华社报道说"]),
}


def test_every_rule_has_cases() -> None:
    assert set(CASES) == {rule.name for rule in RULES}


def test_rule_names_are_versioned_and_unique() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(name.rsplit("_", 1)[-1].startswith("v") for name in names)


def test_every_kind_is_known() -> None:
    assert {rule.kind for rule in RULES} <= set(KINDS)


@pytest.mark.parametrize(
    ("name", "text"), [(name, text) for name, (pos, _) in CASES.items() for text in pos]
)
def test_rule_matches(name: str, text: str) -> None:
    assert RULES_BY_NAME[name].match(text.strip()), f"{name} should match {text!r}"


@pytest.mark.parametrize(
    ("name", "text"), [(name, text) for name, (_, neg) in CASES.items() for text in neg]
)
def test_rule_leaves_prose_alone(name: str, text: str) -> None:
    assert not RULES_BY_NAME[name].match(text.strip()), f"{name} should not match {text!r}"


ARTICLE_SENTENCES = [
    "Reuters reported that the talks had stalled after the second day.",
    "The photo was taken by an AP photographer outside the Great Hall.",
    "Editing by committee rarely works, the diplomat said with a smile.",
    "She covers the State Department and travels with the secretary.",
    "Share prices of Chinese airlines rose after the announcement.",
    "Comments by the foreign ministry spokesman drew a sharp response.",
    "By Monday evening, no meeting with Xi had been confirmed.",
    "Updated guidance from the State Department is expected next week.",
    "Taiwan Issue",
    "Taiwan ‘primary interest’",
]


@pytest.mark.parametrize("sentence", ARTICLE_SENTENCES)
def test_no_line_rule_matches_article_prose(sentence: str) -> None:
    assert first_match(sentence, LINE_RULES) is None


def test_line_rules_are_position_free() -> None:
    assert all(rule.where is Where.ANYWHERE for rule in LINE_RULES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Humeyra Pamuk in Beijing and Jane Doe in Washington", True),
        ("Reporting by Jane Doe; Editing by Bill Berkrot", True),
        ("By Monday the talks had collapsed", False),
        ("", False),
    ],
)
def test_is_credit_text(text: str, expected: bool) -> None:
    assert is_credit_text(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Jane Doe", True), ("Thomson Reuters", True), ("Taiwan is big.", False), ("2023", False)],
)
def test_is_name_like(text: str, expected: bool) -> None:
    assert is_name_like(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2023-06-18", True), ("Monday, June 19, 2023", True), ("June was hot", False)],
)
def test_is_date_only(text: str, expected: bool) -> None:
    assert is_date_only(text) is expected
