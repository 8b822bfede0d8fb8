"""The quick language detector gives langdetect's own answers, to the last bit.

`flows.stages.language.QuickDetector` replaces two of langdetect's inner loops; these tests run
both on texts of many scripts and shapes (capitals, URLs, mixed languages, combining marks) and
require the same ranked languages and the same probabilities, so a langdetect upgrade that
changes its algorithm shows here.
"""

from __future__ import annotations

import pytest
from langdetect import DetectorFactory, detect_langs

from flows.stages.language import detect_language, language_probabilities, language_sample

TEXTS = {
    "english": "The harbour authority said on Thursday that the new ferry terminal would open "
    "in the spring, two years later than planned, because of delays in steel deliveries.",
    "german": "Die Stadtwerke kündigten am Donnerstag an, dass die neue Fähre erst im Frühjahr "
    "fahren wird, zwei Jahre später als geplant, weil Stahllieferungen ausblieben.",
    "french": "Le port a indiqué jeudi que le nouveau terminal des ferries ouvrirait au printemps, "
    "avec deux ans de retard, en raison de livraisons d'acier tardives.",
    "dutch": "De havendienst zei donderdag dat de nieuwe veerterminal in het voorjaar opengaat, "
    "twee jaar later dan gepland, door vertraagde staalleveringen.",
    "polish": "Zarząd portu poinformował w czwartek, że nowy terminal promowy zostanie otwarty "
    "wiosną, dwa lata później niż planowano, z powodu opóźnień dostaw stali.",
    "romanian, comma below": "Autoritatea portuară a anunțat joi că noul terminal de feriboturi "
    "se va deschide în primăvară, cu doi ani mai târziu decât s-a planificat.",
    "vietnamese, combining marks": "Ca\u0300ng vu\u0323 cho bi\u00ea\u0301t nha\u0300 ga pha\u0300 "
    "mơ\u0301i se\u0303 mơ\u0309 cư\u0309a va\u0300o mu\u0300a xuân na\u0306m tơ\u0301i.",
    "russian": "Администрация порта сообщила в четверг, что новый паромный терминал откроется "
    "весной, на два года позже запланированного из-за задержек поставок стали.",
    "greek": "Η λιμενική αρχή ανακοίνωσε την Πέμπτη ότι ο νέος τερματικός σταθμός θα ανοίξει "
    "την άνοιξη, δύο χρόνια αργότερα από το προγραμματισμένο.",
    "arabic": "قالت هيئة الميناء يوم الخميس إن محطة العبارات الجديدة ستفتح في الربيع بعد تأخير "
    "عامين بسبب تأخر شحنات الصلب.",
    "japanese": "港湾局は木曜日、新しいフェリーターミナルが春に開業すると発表した。鉄鋼の納入が"
    "遅れたため、予定より二年遅れとなる。",
    "korean": "항만청은 목요일 새 여객선 터미널이 봄에 문을 열 것이라고 밝혔다. 철강 납품 지연으로 "
    "계획보다 2년 늦어졌다.",
    "chinese": "港务局星期四表示，新的渡轮码头将于春季启用，由于钢材交付延误，比原计划推迟两年。",
    "capitals and links": "BREAKING NEWS: THE FERRY TERMINAL OPENS IN SPRING. Read more at "
    "https://port.example.org/news?id=42 or write to press@port.example.org today.",
    "two languages": "The terminal opens in spring. Le terminal ouvrira au printemps. Das "
    "Terminal öffnet im Frühjahr. El terminal abrirá en primavera.",
    "latin words in a cyrillic text": "Компания Apple и Google сообщили, что iPhone и Android "
    "получат обновление весной, как и планировалось ранее.",
}


def langdetects_own(text: str) -> list[tuple[str, float]]:
    DetectorFactory.seed = 0
    return [(found.lang, found.prob) for found in detect_langs(text)]


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_the_same_languages_and_probabilities_as_langdetect(text: str) -> None:
    assert language_probabilities(text) == langdetects_own(text)


def test_the_same_on_a_long_sample() -> None:
    text = " ".join(TEXTS.values()) * 3
    sample = language_sample(text)
    assert len(sample) < len(text)
    assert language_probabilities(sample) == langdetects_own(sample)


def test_the_answer_does_not_depend_on_what_came_before() -> None:
    texts = list(TEXTS.values())
    forward = [language_probabilities(text) for text in texts]
    backward = [language_probabilities(text) for text in reversed(texts)][::-1]
    assert forward == backward


@pytest.mark.parametrize("text", ["", "12345 67890 !!!", "https://example.org/a/b"])
def test_no_ngrams_no_languages(text: str) -> None:
    assert language_probabilities(text) == []
    assert detect_language(text) == (None, None)


def test_chinese_variants_are_one_code() -> None:
    assert detect_language(TEXTS["chinese"])[0] == "zh"
