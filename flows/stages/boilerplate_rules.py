"""Boilerplate rules as data: one table of small named rules, in the spirit of trafilatura's xpaths.

Each rule says what kind of junk it finds (`kind`), where in a document it may fire (`where`) and
how it recognises a line or a sentence (a regular expression, optionally narrowed by a test
function). The cleaner (flows/stages/clean.py) owns the structure: positions, blocks, sentence splitting.
Rule names carry a version (`see_also_v1`); change the name when a rule's behaviour changes, so
removed spans recorded by older runs stay explainable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

# The kinds of junk the cleaner reports. Other stages count and filter spans by these names.
KINDS: tuple[str, ...] = (
    "title",
    "highlight",
    "dateline",
    "metadata_line",
    "see_also",
    "comment_prompt",
    "credit",
    "author_bio",
    "caption",
    "trust_statement",
    "newsletter",
    "social",
    "advertisement",
    "cookie_notice",
    "navigation",
    # Not from this table: the line model (flows/stages/line_model.py) and the run-level repetition
    # stage (flows/run_steps/repeated_lines.py) report these.
    "non_article",
    "repeated",
)


class Where(Enum):
    """Where a rule may fire. Most junk is recognisable anywhere; some only by its position."""

    ANYWHERE = "anywhere"  # a whole line (or a sentence cut from a glued line), any position
    TAIL = "tail"  # only inside the end block of credits and bios (a lone name, a bio sentence)
    HEAD = "head"  # only before the first body paragraph (title, highlight bullets)
    PREFIX = "prefix"  # a prefix of the first body paragraph (dateline)


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    pattern: re.Pattern[str]
    where: Where = Where.ANYWHERE
    # A short unit is what junk looks like; a long one is prose that happens to start alike.
    max_words: int = 40
    check: Callable[[str], bool] | None = None

    def match(self, text: str, n_words: int | None = None) -> re.Match[str] | None:
        """Match at the start of `text` (a stripped line or sentence), or None."""
        # A cheap length bound first: huge lines must not cost a word count per rule.
        if len(text) > self.max_words * 60:
            return None
        if (count_words(text) if n_words is None else n_words) > self.max_words:
            return None
        found = self.pattern.match(text)
        if found is None or (self.check is not None and not self.check(text)):
            return None
        return found


# ---------------------------------------------------------------------------------------------
# Line shape: small predicates the rules and the cleaner share.

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def count_words(text: str) -> int:
    # CJK text has no spaces: count characters in pairs so that a Chinese line is not "1 word".
    cjk = len(_CJK.findall(text))
    return len(text.split()) + cjk // 2


def ends_like_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.rstrip()))


def _wordset(text: str) -> frozenset[str]:
    """Word lists are written as one string: easier to read and extend than a list literal."""
    return frozenset(text.split())


# Words that may stay lowercase inside a list of names ("X in Beijing and Y", "Jean de la Tour").
_NAME_PARTICLES = _wordset(
    "and & in from with of at for on the de da di du del della der den van von la le al el bin "
    "ibn y e et und a"
)
# Words of credit lines around the names ("Additional reporting by", "Associated Press writer").
_CREDIT_WORDS = _wordset(
    "by reporting additional further writing written editing edited compiled coverage produced "
    "production graphics research researched fact-checking fact checking photos photo photography "
    "video translation translated contributed contributing contribution to this report story "
    "article reporter reporters writer writers staff correspondent correspondents photographer "
    "photographers editor editors producer producers also via desk bureau bureaus newsroom "
    "agencies wire services inputs information material mit von material redaktion bearbeitung "
    "par avec rédaction édition por con información redacción edición"
)


def is_name_list(text: str, allowed: frozenset[str] = _NAME_PARTICLES) -> bool:
    """True when every lowercase word is a particle or credit word: a list of names, not prose."""
    tokens = words(text)
    if not tokens:
        return False
    named = 0
    for token in tokens:
        if token[0].islower():
            if token.lower() not in allowed:
                return False
        elif token[0].isalpha():
            named += 1
    return named > 0


def is_credit_text(text: str) -> bool:
    return is_name_list(text, _NAME_PARTICLES | _CREDIT_WORDS)


# The credit that ends a caption: a credit label ("Photo:", "Credit:", "Foto:", "©"; "Photo by"
# only after a sentence), then names alone ("Jane Doe", "Agency/Name", "Studio Nord", "site.com").
_CREDIT_COLON_LABEL = (
    r"(?i:©|\(c\)|(?:photo(?:graph)?s?|photo credits?|image credits?|credits?|pictures?|images?|"
    r"illustration|foto(?:s|grafie)?|bild(?:er)?|bildquelle|bildnachweis|crédits? photos?|kuva|"
    r"zdjęcie|фото)\s*[:：])"
)
_CREDIT_BY_LABEL = r"(?i:(?:photo(?:graph)?|image|picture|foto|bild)\s+(?:by|von|de|par|di|door)\s)"
# The colon labels may follow any word ("... homes Photo credit: X"), "Photo by" only a sentence.
_CREDIT_LABEL = (
    rf"(?:(?<![^\s.!?,;)\]]){_CREDIT_COLON_LABEL}|(?:^|(?<=[.!?)\]] )){_CREDIT_BY_LABEL})"
)
# The label, the names, and nothing after them but a closing bracket or a full stop.
_TRAILING_CREDIT = _CREDIT_LABEL + r"\s*(?P<credit>[^\s:：][^:：]{0,80}?)\s*[)\]]?\.?\s*$"
_TRAILING_CREDIT_RE = re.compile(_TRAILING_CREDIT)
_CREDIT_MAX_WORDS = 8


def is_trailing_credit(text: str) -> bool:
    """True when `text` ends with a photo credit after some caption: its label, then at most a
    few names."""
    found = _TRAILING_CREDIT_RE.search(text, 1)
    if found is None:
        return False
    tokens = words(found.group("credit"))
    if not tokens or len(tokens) > _CREDIT_MAX_WORDS:
        return False
    allowed = _NAME_PARTICLES | _CREDIT_WORDS
    # A lowercase word that is no particle is prose ("Photo: the view from the top"); a web
    # address ("pixelio.de") and a camel-cased name ("iRunFar") are names.
    prose = [t for t in tokens if t.islower() and "." not in t and t not in allowed]
    return not prose and any(t[0].isalpha() and (not t.islower() or "." in t) for t in tokens)


_NAME_TOKEN = re.compile(r"(?:[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]*)*\.?)")


def is_name_like(text: str) -> bool:
    """A lone person or organisation name: 1-5 capitalised words, no digits, no sentence end."""
    text = text.strip()
    if not text or len(text) > 50 or any(ch.isdigit() for ch in text):
        return False
    if _CJK.search(text):
        # Chinese names are 2-4 characters; organisations a few more.
        return bool(re.fullmatch(r"[\u3400-\u9fff·]{2,8}", text))
    if re.search(r"[,;:!?\"“”()|/]", text) or (text.endswith((".", "…")) and len(text) > 3):
        return False
    tokens = text.split()
    if not 1 <= len(tokens) <= 5:
        return False
    capitalised = 0
    for token in tokens:
        if not _NAME_TOKEN.fullmatch(token):
            return False
        if token[0].isupper():
            capitalised += 1
        elif token.lower() not in _NAME_PARTICLES:
            return False
    return capitalised >= 1 and tokens[0][0].isupper()


def is_headline_shaped(text: str) -> bool:
    """Short, no sentence-final period: the shape of a headline or a link's text."""
    n = count_words(text)
    return 2 <= n <= 30 and not text.rstrip().endswith((".", ";", ",", ":"))


_MONTHS = (
    "jan january feb february mar march apr april may jun june jul july aug august sep sept "
    "september oct october nov november dec december "
    "januar jänner februar märz mai juni juli august september oktober okt november dezember dez "
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre "
    "décembre decembre janv févr avr juil sept déc "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
    "diciembre ene abr ago dic "
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre "
    "janeiro fevereiro março marco abril maio junho julho agosto setembro outubro novembro "
    "dezembro fev mai "
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря "
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"
)
_WEEKDAYS = (
    "mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday sun "
    "sunday montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi jeudi "
    "vendredi samedi dimanche lunes martes miércoles jueves viernes sábado domingo lunedì martedì "
    "mercoledì giovedì venerdì sabato domenica segunda terça quarta quinta sexta feira "
    "понедельник вторник среда четверг пятница суббота воскресенье"
)
_DATE_FILLERS = (
    "am pm a.m p.m gmt utc est edt cst cdt pst pdt bst cet cest et pt ist jst hkt sgt "
    "at on the of de del do da um uhr à a h le el il em в г года "
    "年 月 日 时 分 点 ago hour hours hr hrs min mins minute minutes day days week weeks "
    "date datum fecha data дата 日期 time zeit heure hora ora время 时间"
)
_META_WORDS = (
    "published updated posted last modified first created veröffentlicht aktualisiert zuletzt "
    "geändert publié publiée mis jour modifié publicado actualizado actualizada modificado "
    "pubblicato aggiornato atualizado atualizada опубликовано обновлено изменено 发布 更新 发表"
)
_DATE_WORDS = frozenset((_MONTHS + " " + _WEEKDAYS + " " + _DATE_FILLERS).split())
_META_DATE_WORDS = _DATE_WORDS | frozenset(_META_WORDS.split())
_DATE_TOKEN = re.compile(r"[^\W\d_]+|\d+")


# A year, a time of day, a numeric date, or "3 hours ago": what makes digits a date.
_DATE_SHAPE = re.compile(
    r"\b(?:1[89]|20)\d{2}\b|\b\d{1,2}[:h.]\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
    r"|\d\s*(?:年|月|日)|\bago\b",
    re.IGNORECASE,
)


def is_date_only(text: str) -> bool:
    """A line that is only a date or time, maybe with a label ("date 2023-06-18", "Jun 3, 2023")."""
    if re.search(r"[^\w\s.,:/|()\-–—@·]", text):
        return False  # prices, phone numbers: "286,35 €", "+81 158-23-2012"
    tokens = _DATE_TOKEN.findall(text)
    if not tokens or len(tokens) > 16 or not any(t.isdigit() for t in tokens):
        return False
    if not (_DATE_SHAPE.search(text) or any(_is_calendar_token(t) for t in tokens if t.isalpha())):
        return False
    return all(t.isdigit() or t.lower().rstrip(".") in _META_DATE_WORDS for t in tokens)


_CALENDAR_WORDS = frozenset((_MONTHS + " " + _WEEKDAYS + " ago yesterday today").split())


def has_date_signal(text: str) -> bool:
    """A digit or a month or weekday name: "Updated 3:45 PM", not "Updated guidance shows"."""
    return any(_is_calendar_token(t) for t in _DATE_TOKEN.findall(text))


# English words that are also month or weekday abbreviations count only when capitalised.
_AMBIGUOUS_CALENDAR = frozenset({"may", "mar", "sun", "sat", "wed", "mon", "jan"})


def _is_calendar_token(token: str) -> bool:
    if token.isdigit():
        return True
    lower = token.lower().rstrip(".")
    if lower in _AMBIGUOUS_CALENDAR:
        return token[0].isupper()
    return lower in _CALENDAR_WORDS


# ---------------------------------------------------------------------------------------------
# Building blocks of patterns.

_I = re.IGNORECASE
_OPEN = r"[\s(\[]*"  # Reuters used to wrap credits in parentheses: "(Reporting by X)"
_LABEL_END = r"\s*[:：*]?\s*(?:\(\d+\))?\s*$"  # "Comments:", "Comments (3)", "Name *"


def _labels(*labels: str) -> re.Pattern[str]:
    """A line that is only one of these labels (case-insensitive), maybe with ':' or a count."""
    return re.compile(r"^[\s»›>▶►|•·-]*(?:" + "|".join(labels) + r")" + _LABEL_END, _I)


def _starts(*starts: str, flags: int = _I) -> re.Pattern[str]:
    return re.compile(r"^[\s»›>▶►|•·-]*(?:" + "|".join(starts) + r")", flags)


AGENCIES = (
    r"Reuters|AP|AFP|dpa|DPA|UPI|ANSA|EFE|Europa Press|Xinhua|TASS|ТАСС|RIA Novosti|РИА Новости|"
    r"Interfax|Интерфакс|Kyodo|Yonhap|PTI|IANS|ANI|Bloomberg|CNN|APA|SDA|KNA|epd|Lusa|Belga|"
    r"Bernama|Antara|CNA|AA|KUNA|IRNA|Notimex|Télam|Agência Brasil|NTB|TT|STT|Ritzau|PAP|CTK|ČTK|"
    r"MTI|BTA|HINA|Tanjug|Anadolu|WAFA|MENA|SPA|WAM|QNA|BSS|APP|NNA|Prensa Latina|ABC|NHK"
)
_UPPER = r"A-ZÀ-ÖØ-ÞА-ЯЁ"
_CITY_CAPS = rf"[{_UPPER}][{_UPPER}.'’\- ]{{1,40}}?"
_CITY_ANY = rf"[{_UPPER}][^\W\d_][\w.'’\- ]{{0,38}}?"
_DASH = r"(?:\s*[-–—]{1,2}|\.-|\s*:)"

_SEE_ALSO_INLINE = (
    r"see also|read also|also read|also see|mehr zum thema|lesen sie auch|lesen sie mehr|"
    r"auch interessant|lire aussi|à lire aussi|a lire aussi|voir aussi|lee también|lea también|"
    r"leggi anche|leia também|veja também|читайте также|смотрите также|相关阅读|延伸阅读|推荐阅读|"
    r"相关新闻|lesen sie hier|auch lesen|czytaj (?:też|także|więcej)|zobacz (?:też|także)|"
    r"dowiedz się więcej"
)
_SEE_ALSO_LABELS = (
    r"related|related (?:articles?|stories|posts?|news|coverage|content|topics|links|reading)|"
    r"read more|read next|more reading|further reading|recommended(?: for you| reading| stories| "
    r"articles)?|you may also like|you might also like|you may be interested in|more on this"
    r"(?: story| topic)?|more stories|more news|more|most read|most popular|trending(?: now)?|"
    r"top stories|weitere artikel|das könnte sie auch interessieren|sur le même sujet|"
    r"lire la suite|leer más|te puede interesar|noticias relacionadas|potrebbe interessarti|"
    r"leia mais|saiba mais|по теме|更多|schon gelesen\?|weitere themen|"
    r"empfohlene (?:beiträge|artikel)|ähnliche (?:beiträge|artikel)|verwandte artikel|"
    r"(?:das|dieses) thema könnte (?:dich|sie) auch interessieren|"
    r"das (?:könnte|dürfte) (?:dich|sie) auch interessieren|lesen sie auch die folgenden beiträge|"
    r"articles similaires|artículos relacionados|articoli correlati|похожие статьи|"
    r"vorschau auf den nächsten artikel|notas relacionadas|contenidos? relacionados?|"
    r"te recomendamos|más noticias|lo más leído|más leídas|zum weiterlesen|mehr themen|"
    r"beiträge aus dem forum|ähnliche themen|lue (?:seuraavaksi|myös)|à lire également|articles liés|"
    r"leggi anche|altre notizie|related topics|more to explore|don't miss|editor's picks"
)

# Labels of a single linked headline inside an article ("LEA TAMBIÉN: ...", "Read: ...").
_TEASER_LABELS = (
    r"lea|lee|lea (?:también|más|además)|lee (?:también|más)|mira|mire|vea|vea también|"
    r"ver también|puedes ver|podría interesarte|(?:también )?(?:le|te) puede interesar|"
    r"te recomendamos|recomendado|noticia relacionada|read|also read|read more|must read|"
    r"watch|related|don't miss|more|see|leia|leia (?:também|mais)|veja|veja também|leggi|"
    r"leggi anche|guarda|lire|lire aussi|à lire|voir|lesen sie|weiterlesen|mehr dazu|auch "
    r"interessant|czytaj|czytaj (?:też|także|więcej)|zobacz|zobacz (?:też|także)|читайте"
)

SOCIAL_NAMES = _wordset(
    "facebook twitter x linkedin whatsapp email e-mail mail print reddit pinterest telegram tumblr "
    "pocket mastodon threads bluesky instagram youtube flipboard xing vk вконтакте weibo wechat "
    "微博 微信 messenger sms copy link copy-link share tweet"
)


def _is_social_list(text: str) -> bool:
    tokens = [t.lower() for t in re.split(r"[\s,|/·•]+", text.strip()) if t]
    return bool(tokens) and all(t in SOCIAL_NAMES for t in tokens)


def _has_promo_word(text: str) -> bool:
    # Sign-up prompts speak to the reader; a sentence about someone subscribing does not.
    return bool(re.search(r"\b(?:our|free|here|now|today|daily|weekly|your|you)\b", text, _I))


def _bullet_free(text: str) -> bool:
    return not re.match(r"^[•●▪■◦‣∙*]", text)


# ---------------------------------------------------------------------------------------------
# The table. Order matters: the first rule that matches a line names its kind.

RULES: tuple[Rule, ...] = (
    # --- navigation, cookie and ad notices: page furniture, mostly at the top
    Rule(
        "skip_link_v1",
        "navigation",
        _labels(
            r"skip to (?:main )?(?:content|navigation|search|footer)",
            r"jump to (?:main )?(?:content|navigation)",
            r"back to top",
            r"(?:main |site )?menu",
            r"toggle navigation",
            r"search",
            r"close",
            r"home",
            r"sign in",
            r"log ?in",
            r"register",
            r"listen to (?:this )?article",
            r"(?:table of )?contents",
            r"inhaltsverzeichnis|inhalt",
            r"sommaire|índice|indice|содержание|目录",
            r"bild anzeigen|show image|view image",
            r"zum inhalt springen",
            r"aller au contenu(?: principal)?",
            r"(?:ir|saltar) al contenido(?: principal)?",
            r"vai al contenuto",
            r"ir para o conteúdo",
            r"перейти к содержанию",
            r"(?:previous|next|older|newer) (?:article|post|story|posts|entries)",
            r"(?:« ?)?previous|next(?: ?»)?",
        ),
        max_words=6,
    ),
    Rule(
        "breadcrumb_v1",
        "navigation",
        re.compile(
            r"^(?:(?:home|startseite|accueil|inicio|início|главная|首页)\s*[>»›/|]"
            r"|[^>»›.!?]{1,40}(?:\s[>»›]\s[^>»›.!?]{1,40}){2,}$"
            r"|[^|.!?]{1,30}(?:\s\|\s[^|.!?]{1,30}){2,}$)",
            _I,
        ),
        max_words=20,
    ),
    Rule(
        "tags_line_v1",
        "navigation",
        _starts(
            r"tags\s*:",
            r"topics\s*:",
            r"filed under\s*:?",
            r"categories\s*:",
            r"category\s*:",
            r"kategorien?\s*:",
            r"catégories?\s*:",
            r"categorías?\s*:",
            r"posted in\s",
            r"schlagwörter\s*:",
            r"themen\s*:",
            r"mots-clés\s*:",
            r"etiquetas\s*:",
            r"темы\s*:",
            r"标签\s*[:：]",
        ),
        max_words=25,
    ),
    Rule(
        "tags_label_v1",
        "navigation",
        # The heading over a row of tag links, left alone on its line once the links are gone.
        _labels(
            r"tags?",
            r"temas",
            r"themen",
            r"topics",
            r"schlagwörter|schlagworte",
            r"mots-clés",
            r"etiquetas",
            r"argomenti",
            r"tematy|tagi",
            r"assuntos",
        ),
        max_words=2,
    ),
    Rule("url_line_v1", "navigation", re.compile(r"^(?:https?://|www\.)\S+$", _I), max_words=1),
    Rule(
        "cookie_notice_v1",
        "cookie_notice",
        re.compile(
            r"^(?:we|this (?:web)?site|our (?:web)?site|wir|diese (?:web)?seite|diese website|"
            r"nous|ce site|utilizamos|usamos|este (?:sitio|site)|questo sito|utilizziamo|"
            r"мы используем|本网站)\b.{0,120}?\b(?:cookies?|файлы cookie)",
            _I,
        ),
        max_words=90,
    ),
    Rule(
        "cookie_button_v1",
        "cookie_notice",
        _labels(
            r"accept(?: all)?(?: cookies)?",
            r"reject all(?: cookies)?",
            r"(?:cookie|privacy) (?:settings|policy|preferences)",
            r"manage (?:cookies|preferences|consent)",
            r"alle akzeptieren",
            r"tout accepter",
            r"aceptar(?: todas)?(?: las cookies)?",
            r"accetta(?: tutti)?",
        ),
        max_words=5,
    ),
    Rule(
        "advertisement_v1",
        "advertisement",
        _labels(
            r"advertisements?",
            r"ad",
            r"sponsored(?: content)?",
            r"paid (?:content|post)",
            r"promoted",
            r"anzeige",
            r"werbung",
            r"publicité",
            r"publicidad",
            r"pubblicità",
            r"publicidade",
            r"реклама",
            r"广告",
            r"continue reading(?: the main story| below)?",
            r"scroll to continue(?: with content)?",
            r"advertisement\s*[-–]\s*scroll to continue",
        ),
        max_words=8,
    ),
    # --- metadata lines
    Rule(
        "date_only_line_v1",
        "metadata_line",
        re.compile(r"^.+$"),
        max_words=16,
        check=is_date_only,
    ),
    Rule(
        "published_line_v1",
        "metadata_line",
        _starts(
            r"(?:first |last )?(?:published|updated|posted|modified)(?: on| at)?\b",
            r"veröffentlicht|aktualisiert|zuletzt aktualisiert|letzte (?:änderung|aktualisierung)",
            r"stand\s*:|zuletzt geändert",
            r"publié|mis à jour",
            r"publicado|actualizado",
            r"pubblicato|aggiornato",
            r"atualizado|atualizada",
            r"опубликовано|обновлено",
            r"发布时间|更新时间|发表时间",
        ),
        max_words=16,
        check=has_date_signal,
    ),
    Rule(
        "reading_time_v1",
        "metadata_line",
        re.compile(
            r"^(?:\d+\s*(?:min(?:ute)?s?|minuten?)\.?\s+(?:read|lesezeit|de lecture|de lectura|"
            r"di lettura|de leitura)|(?:reading time|lesezeit|temps de lecture|tiempo de lectura)"
            r"\s*:?\s*\d+.*)$",
            _I,
        ),
        max_words=8,
    ),
    Rule(
        "contact_label_v1",
        "metadata_line",
        # The heading of a press release's contact block: who to call, not the news.
        _labels(
            r"(?:press |media )?contacts?",
            r"(?:presse)?kontakt",
            r"ansprechpartner(?:in)?(?: für die presse| zum thema)?",
            r"contacto(?: de prensa)?",
            r"contact presse",
            r"release date",
        ),
        max_words=5,
    ),
    Rule(
        "contact_line_v1",
        "metadata_line",
        # "Telefon: +49 - (40) - 300 30 - 1141", "Tel. 030 1234567": a phone or fax number alone.
        re.compile(
            r"^(?:tel(?:efon|éfono|ephone|\.)?|phone|fax|mobil|mobile|tél(?:éphone)?)\s*[.:]?"
            r"\s*[+(]?\d[\d\s()/+.–-]{5,}$",
            _I,
        ),
        max_words=12,
    ),
    Rule(
        "summary_label_v1",
        "metadata_line",
        _labels(r"summary", r"highlights", r"key points", r"zusammenfassung", r"das wichtigste"),
        max_words=3,
    ),
    # --- related links
    Rule(
        "see_also_v1",
        "see_also",
        re.compile(
            r"^[\s»›>▶►|•·-]*(?:" + _SEE_ALSO_INLINE + r")(?:\s*[:：\-–—|»>]\s*|\s+)"
            r"(?P<headline>\S.*)$",
            _I,
        ),
        max_words=40,
    ),
    Rule(
        "related_label_v2",
        "see_also",
        re.compile(
            r"^[\s»›>▶►|•·-]*(?:" + _SEE_ALSO_LABELS + r"|" + _SEE_ALSO_INLINE + r")"
            r"(?:\s*[:：\-–—|»>]\s*(?P<headline>\S.*))?\s*[:：»>]?\s*$",
            _I,
        ),
        max_words=40,
    ),
    Rule(
        "teaser_label_v1",
        "see_also",
        # "MIRA: headline", "Lea también: headline", "READ: headline": a label, a colon, then a
        # linked headline (no sentence end). News sites in Spanish put several in every article.
        re.compile(
            r"^[\s»›>▶►|•·-]*(?:" + _TEASER_LABELS + r")\s*[:：]\s*(?P<headline>\S.{2,})$",
            _I,
        ),
        max_words=30,
        check=lambda text: not ends_like_sentence(text) or text.rstrip().endswith(("?", "!")),
    ),
    Rule(
        "more_from_label_v1",
        "see_also",
        # "More from Politics", "Más sobre La Tercera AM", "Weitere Tourentipps in Schweden":
        # a short heading over a list of links, without a sentence end. English "More on X"
        # only with a colon: without one it is as often the article's own subheading.
        re.compile(
            r"^(?:more from|more (?:on|about) [^.!?:]{1,40}:|más (?:sobre|de)|mehr (?:zu[mr]?|von|aus|über)|"
            r"plus (?:de|sur)|auch auf|top-themen (?:bei|auf|von)|weitere (?:[\w-]+ ){0,2}[\w-]*"
            r"(?:beiträge|artikel|themen|nachrichten|meldungen|news|tipps|geschichten|videos)"
            r"(?: (?:aus|zu[mr]?|in|von|bei|über) [^.!?]{1,50})?)(?:\s+[^.!?]{1,40})?\s*:?$",
            _I,
        ),
        max_words=8,
    ),
    Rule(
        "wordpress_related_category_v1",
        "see_also",
        re.compile(r"^(?:In|Dans|En|In der Kategorie)\s+[“\"«„].{1,60}[”\"»“]$"),
        max_words=10,
    ),
    # --- comment prompts
    Rule(
        "comment_reply_prompt_v1",
        "comment_prompt",
        _starts(
            r"(?:leave|post|add|write|submit) (?:a |your )?(?:reply|comment|response)\b",
            r"your email address will not be published",
            r"required fields are marked",
            r"save my name, email,? and website",
            r"notify me of (?:follow-up comments|new posts)",
            r"this site uses akismet",
            r"you must be logged in to post a comment",
            r"be the first to comment",
            r"log in to (?:comment|reply)",
            r"(?:\d+|one|no) (?:thoughts?|responses?|replies) (?:on|to)\b",
            r"kommentar (?:schreiben|verfassen|hinzufügen)",
            r"laisser un commentaire|ajouter un commentaire|votre adresse (?:e-)?mail ne sera pas",
            r"deja (?:un|tu) comentario|dejar un comentario|tu dirección de correo",
            r"lascia un commento|il tuo indirizzo email non sarà",
            r"deixe (?:um|seu) comentário|o seu endereço de e-mail não será",
            r"оставить комментарий|добавить комментарий",
            r"发表评论|网友评论",
            r"schreib(?:e|en sie)? einen kommentar|kommentieren sie|diskutieren sie mit",
            r"(?:keine|neueste) kommentare|kommentare insgesamt",
            r"publier un commentaire|écrire un commentaire",
            r"comment by .{1,60}\d",
            r"share your thoughts",
        ),
        max_words=30,
    ),
    Rule(
        "comment_count_v1",
        "comment_prompt",
        re.compile(
            r"^(?:\d+|no|one)\s+(?:comments?|replies|responses|kommentare?|commentaires?|"
            r"comentarios?|commenti|commento|comentários?|комментари\w*)\s*$|^\d+\s*条评论$",
            _I,
        ),
        max_words=4,
    ),
    Rule(
        "comment_label_v1",
        "comment_prompt",
        _labels(
            r"comments?",
            r"cancel reply",
            r"reply",
            r"reply ?delete",
            r"antworten",
            r"répondre",
            r"responder",
            r"rispondi",
            r"ответить",
            r"post comment",
            r"submit comment",
            r"join the (?:conversation|discussion)",
            r"(?:show|view|load|read) (?:all )?comments",
            r"name",
            r"e-?mail(?: address)?",
            r"website",
            r"kommentare?",
            r"kommentieren",
            r"commentaires?",
            r"comentarios?",
            r"commenti",
            r"comentários?",
            r"комментарии",
            r"评论",
        ),
        max_words=4,
    ),
    # --- credits: bylines and credit lines (names are checked: prose has lowercase verbs)
    Rule(
        "byline_v1",
        "credit",
        re.compile(_OPEN + r"(?:by|von|par|por|di|door|av|автор:?|текст:?)\s+\S", _I),
        max_words=20,
        check=is_credit_text,
    ),
    Rule(
        "credit_roles_v2",
        "credit",
        # A known role, or a role no list names ("Coverage by X. Additional reporting by Y")
        # when a known role follows in the same line: one credit line of several roles. Alone,
        # "<Word> by <Name>" is as often a book ("Neuromancer by William Gibson") or a heading.
        re.compile(
            _OPEN + r"(?:(?:(?:with )?(?:additional|further) )?(?:reporting|writing|written|"
            r"editing|edited|compiled|produced|graphics|research|fact-checking|translation|"
            r"translated|photos|photography|video)(?: and (?:writing|editing|reporting))?"
            r"|(?-i:[A-Z][a-z]+)(?= by\s.*\b(?:reporting|writing|written|editing|edited) by\s))"
            r" by\s+\S",
            _I,
        ),
        max_words=90,
        check=is_credit_text,
    ),
    Rule(
        "contributed_v1",
        "credit",
        re.compile(
            r"^.{2,300}?\bcontributed(?: (?:reporting|research|writing))?(?: to this "
            r"(?:report|story|article))?(?: from [^.;]{1,60})?\s*\.?\s*\)?$",
            _I,
        ),
        max_words=60,
        check=is_credit_text,
    ),
    Rule(
        "credit_label_v2",
        "credit",
        re.compile(
            r"^(?:reporters?|editors?|writers?|text|texto|redaktion|mitarbeit|rédaction|"
            r"redacción|edición|reporting|editing|责任编辑|编辑|记者|作者|autor(?:in)?|"
            r"auteur|autore|author|authors|fotos?)\s*[:：]\s*\S",
            _I,
        ),
        max_words=20,
        check=is_credit_text,
    ),
    Rule(
        "source_line_v1",
        "credit",
        _starts(r"(?:quelle|quellen|source|sources|fuente|fonte|источник|źródło)\s*[:：]\s*\S"),
        max_words=15,
    ),
    Rule(
        "agency_credit_v1",
        "credit",
        re.compile(
            r"^[(\[]?(?:[a-z]{2,4}\s*/\s*)*(?:(?:mit |with )?(?:material|informationen|information) (?:von|from|de)|"
            r"avec|con información de|con|with|staff and|staff|source|quelle|fuente|fonte|"
            r"источник)?\s*[:：]?\s*(?:" + AGENCIES + r")(?:\s*[/,&]\s*(?:" + AGENCIES + r"|"
            r"[a-z]{2,4}|agencies))*\s*[)\]]?\.?$|^staff and agencies$",
            _I,
        ),
        max_words=12,
    ),
    # --- captions and photo credits
    Rule(
        "caption_agency_slash_v1",
        "caption",
        re.compile(
            r"^.*\b(?:REUTERS|Reuters|AFP|AP|EPA|EPA-EFE|Getty Images|Bloomberg|Xinhua|Anadolu|"
            r"dpa|picture alliance|SIPA|Shutterstock|iStock|Alamy|Pool)"
            r"(?:\s*/\s*[A-ZÀ-Þ][\w.'’-]*(?:[ -][A-ZÀ-Þ][\w.'’-]*){0,4}){1,4}\s*[)\]]?\.?$"
        ),
        max_words=120,
    ),
    Rule(
        "caption_photo_parenthetical_v1",
        "caption",
        re.compile(
            r"^.*[(\[](?:AP |AFP |Reuters |EPA |Getty )?(?:photo|foto|photograph|image|picture|"
            r"pic|bild|credit|crédit|фото)\b[^)\]]{0,100}[)\]]\.?$",
            _I,
        ),
        max_words=120,
    ),
    Rule(
        "caption_label_v1",
        "caption",
        _starts(
            r"(?:photo|photograph|photos|image|picture|foto|fotos|bild|illustration|titelbild|"
            r"beitragsbild|bildquelle|bildnachweis|headerbild|crédits? photos?|photo credit|"
            r"image credit|image illustrative|credits?|фото|图片来源|图片|zdjęcie)\s*(?:credit)?\s*"
            r"[:：]",
            r"fot\.\s+\S",
            r"image (?:source|caption),",
            r"media caption,",
            r"video caption,",
            r"file photo\b",
        ),
        max_words=60,
    ),
    Rule(
        "caption_getty_v1",
        "caption",
        re.compile(r"^.*(?:Getty Images|via Getty|/File Photo|\(File photo\))\s*[)\]]?\.?$"),
        max_words=120,
    ),
    Rule(
        # A caption that ends with its credit: "The bridge at dusk. Photo: Jane Doe", "... © Studio
        # Nord", "... Credit: Agency/Name". The credit is the line's last words and only names (a
        # line of the credit alone is caption_label_v1's or copyright_v1's). A caption is a
        # sentence or two: a longer line is a paragraph a scrape glued to the credit, kept.
        "caption_trailing_credit_v1",
        "caption",
        re.compile(r"^.+?" + _TRAILING_CREDIT),
        max_words=40,
        check=is_trailing_credit,
    ),
    # --- trust and copyright
    Rule(
        "trust_standards_v1",
        "trust_statement",
        _starts(r"our standards\s*:", r"the thomson reuters trust principles"),
        max_words=20,
    ),
    Rule(
        "copyright_v1",
        "trust_statement",
        re.compile(r"^(?:©|Ⓒ|\(c\)\s|copyright\s*(?:©|\(c\)|\d{4}|:))", _I),
        max_words=60,
    ),
    Rule(
        "rights_reserved_v2",
        "trust_statement",
        re.compile(
            r"^(?:.*\b)?(?:All rights reserved|Alle Rechte vorbehalten|Tous droits réservés|"
            r"Todos los derechos reservados|Tutti i diritti riservati|Todos os direitos reservados|"
            r"Все права защищены|版权所有|Wszelkie prawa zastrzeżone|Materiał chroniony prawem "
            r"autorskim|Alle Rechte bei)\b.*$"
        ),
        max_words=40,
    ),
    Rule(
        "redistribution_notice_v1",
        "trust_statement",
        _starts(r"this material may not be published"),
        max_words=40,
    ),
    Rule(
        "content_license_v1",
        "trust_statement",
        # The site's licence for its own content ("Inhalte dieser Website stehen unter CC-BY").
        re.compile(
            r"^(?:.*\b)?(?:(?:content|contents|text|material) (?:on|of) this (?:site|website|page) "
            r"(?:is|are) (?:licensed|available) under|inhalte dieser (?:web)?(?:seite|site)\b.{0,40}\bunter\b|"
            r"le contenu de ce site est (?:mis à disposition|sous licence))",
            _I,
        ),
        max_words=40,
    ),
    Rule(
        "download_link_v1",
        "navigation",
        # A file link with its type and size: "Report 2021 PDF | 38 KB", "(PDF, 1,2 MB)".
        re.compile(
            r"^.*?(?<![A-Za-z])(?:PDF|DOCX?|XLSX?|PPTX?|ZIP|MP3)\s*[|,(]?\s*\d+(?:[.,]\d+)?\s*"
            r"(?:[KMG]B|kB)\b",
        ),
        max_words=25,
    ),
    # --- newsletter, social, author labels
    Rule(
        "newsletter_signup_v1",
        "newsletter",
        _starts(
            r"(?:sign up|subscribe|register|join)\b.{0,100}\b(?:newsletters?|briefing|updates|"
            r"inbox|e-?mails?|alerts|digest)\b",
            r"(?:sign up|subscribe)(?: now| today| here| for free)?[.!]?$",
            r"get (?:the latest|our|breaking).{0,80}\b(?:inbox|newsletter|e-?mail)",
            r"enter your e-?mail",
            r"newsletter abonnieren|jetzt (?:kostenlos )?(?:abonnieren|anmelden)",
            r"abonnez-vous|inscrivez-vous|s'abonner",
            r"suscríbete|suscribirse|iscriviti|assine|inscreva-se",
            r"подпишитесь|подписаться|订阅",
        ),
        max_words=25,
        check=lambda text: _has_promo_word(text) or count_words(text) <= 4,
    ),
    Rule(
        "newsletter_prompt_v2",
        "newsletter",
        # German compounds too: "unseren Musiknewsletter", "Wochen-Newsletter".
        re.compile(
            r"^(?=.*(?:\b|\w-?)(?:newsletter|newsletters|e-?mail updates|rss-feed)\b)"
            r"(?=.*\b(?:our|your|"
            r"sign(?:ing)? up|subscribe|unser\w*|abonn\w*|anmeld\w*|melde|inscri\w*|suscr\w*|"
            r"iscriv\w*|assin\w*|today|free|hier|here|jetzt)\b)",
            _I,
        ),
        max_words=40,
    ),
    Rule(
        "never_miss_prompt_v1",
        "newsletter",
        re.compile(r"^.{0,100}?\bnever miss (?:our|a|an|the|any)\b", _I),
        max_words=25,
        check=lambda text: bool(
            re.search(r"\b(?:sign up|subscribe|e-?mail|inbox|newsletter|edition|free)\b", text, _I)
        ),
    ),
    Rule(
        "newsletter_label_v1",
        "newsletter",
        _labels(r"newsletters?", r"our newsletters?", r"free newsletter"),
        max_words=3,
    ),
    Rule(
        "newsletter_inbox_v1",
        "newsletter",
        re.compile(r"^.{0,120}\b(?:delivered|straight|direct(?:ly)?) to your inbox\b", _I),
        max_words=30,
    ),
    Rule(
        "app_promo_v1",
        "newsletter",
        re.compile(
            r"^.{0,80}?\b(?:download|get|install|descarga|descargue|laden sie|téléchargez) "
            r"(?:the|our|nuestra|unsere|notre|la|die) .{0,40}?\b(?:apps?|aplicación|anwendung)\b",
            _I,
        ),
        max_words=35,
        check=lambda text: bool(re.search(r"\b(?:iOS|Android|App Store|Google Play)\b", text)),
    ),
    Rule(
        "channel_promo_v1",
        "social",
        # "Follow The Gleaner on Twitter and Instagram @X ...", "¿Ya sabías que tenemos canal de
        # Telegram?": the publisher's own accounts, often with a handle or an address after.
        re.compile(
            r"^.{0,60}?(?:\b(?:our|nuestro|nuestra|unser(?:e|en)?|notre|nosso|il nostro) "
            r"(?:canal|channel|kanal|chaîne|account|cuenta|página|page|perfil|profile)\b.{0,20}\b"
            r"|\b(?:canal|channel|kanal|chaîne) (?:de|on|auf|sur|en) )"
            r"(?:YouTube|Telegram|WhatsApp|Instagram|Facebook|TikTok|Twitter|X)\b"
            r"|^(?:follow|síguenos|folgen sie|suivez) .{0,50}\bon (?:Twitter|X|Facebook|Instagram|"
            r"TikTok|YouTube|Telegram)\b.{0,40}@\w+",
            _I,
        ),
        max_words=60,
        # Addressed to the reader: a report about some channel does not invite anyone to it.
        check=lambda text: bool(
            re.search(
                r"\b(?:our|join|follow|you|your|nuestro|nuestra|tenemos|únete|síguenos|tu|unser\w*|"
                r"folgen|notre|suivez|nosso|il nostro)\b",
                text,
                _I,
            )
        ),
    ),
    Rule(
        "affiliate_disclosure_v1",
        "advertisement",
        # Disclosures of paid links and advertisers: about the page, not the article's subject.
        re.compile(
            r"^\*?(?:unbezahlte )?werbung\s*[.:]|^.{0,150}?\b(?:affiliate[- ]links?|"
            r"affiliate-partner|provisions-links?|enthält (?:unbezahlte )?werbung|"
            r"references to products from one or more of our advertisers|advertisers do not "
            r"influence|we (?:may )?(?:receive|earn) (?:a )?(?:compensation|commission)|"
            r"(?:contains|includes) (?:sponsored|affiliate)|liens? affiliés?|enlaces? de afiliados?)",
            _I,
        ),
        max_words=70,
        # "This post", "unsere", "we": the page speaks of itself; a news story about affiliate
        # marketing names others, and a quotation is someone speaking in the article.
        check=lambda text: (
            not re.search(r"[“”\"«»„]", text[:200])
            and bool(
                re.search(
                    r"\b(?:this|these|our|we|us|dieser|diese[mnrs]?|unsere[mnrs]?|wir|ce|cet|cette|"
                    r"nos|nous|este|esta|nuestros?|anzeige)\b|^\*",
                    text,
                    _I,
                )
            )
        ),
    ),
    Rule(
        "letters_prompt_v1",
        "comment_prompt",
        re.compile(
            r"^.{0,60}?\b(?:submit (?:a |your )?letter to the editor|write to letters@|"
            r"we want to hear what you think|send (?:us )?a letter to the editor|"
            r"verraten sie (?:uns )?(?:gerne |es )?(?:uns )?in den kommentaren|schreiben sie (?:es )?uns in "
            r"den kommentaren|let us know in the comments)",
            _I,
        ),
        max_words=40,
    ),
    Rule(
        "share_prompt_v1",
        "social",
        _labels(
            r"share(?: this)?(?: article| story| post| page| on \w+| via \w+)?",
            r"(?:artikel |beitrag )?teilen",
            r"partager(?: cet article| l'article| sur \w+)?",
            r"compartir(?: en \w+| este artículo| esta noticia)?",
            r"condividi(?: su \w+| questo articolo)?",
            r"compartilhe|compartilhar|partilhar|partilhe",
            r"поделиться",
            r"分享到?",
            r"like this",
            r"like loading\.*",
            r"loading\.*",
            r"copy link",
            r"tweet",
        ),
        max_words=5,
    ),
    Rule(
        "social_buttons_v1",
        "social",
        re.compile(r"^.+$"),
        max_words=12,
        check=_is_social_list,
    ),
    Rule(
        "follow_us_v1",
        "social",
        _starts(
            r"follow us\b",
            r"folgen sie uns",
            r"suivez-nous",
            r"síguenos",
            r"seguici",
            r"siga-nos",
            r"подписывайтесь на нас",
            r"关注我们",
            r"click to (?:share|email|print)\b",
            r"follow (?:@\w+|[A-Z][\w .'-]{0,40} on (?:Twitter|X|Facebook|Instagram|LinkedIn|"
            r"Threads|Bluesky|Mastodon))",
        ),
        max_words=20,
    ),
    Rule(
        "author_label_v1",
        "author_bio",
        _labels(
            r"author",
            r"authors",
            r"about the author",
            r"more by this author",
            r"(?:email|contact|follow) the author",
            r"autor(?:in)?",
            r"über (?:den|die) autor(?:in)?",
            r"auteur",
            r"à propos de l'auteur",
            r"autore",
            r"sobre (?:o|el) autor",
            r"автор",
            r"作者",
        ),
        max_words=4,
    ),
    # --- position-bound rules: they fire only where the cleaner's structure allows
    Rule(
        "bio_sentence_v1",
        "author_bio",
        re.compile(
            r"^(?:[A-Z][\w.'’-]*\s+){1,7}(?:is|was|has been|ist|war|est|es|è|é)\s+"
            r"(?:[\w-]+\s+){0,7}?(?:correspondent|reporter|writer|journalist|editor|columnist|"
            r"contributor|author|analyst|producer|photographer|photojournalist|intern|fellow|"
            r"anchor|critic|blogger|Korrespondent(?:in)?|Journalist(?:in)?|Redakteur(?:in)?|"
            r"Autor(?:in)?|journaliste|correspondant(?:e)?|rédact(?:eur|rice)|periodista|"
            r"corresponsal|redactor(?:a)?|giornalista|corrispondente|jornalista|correspondente)"
            r"s?\b"
        ),
        where=Where.TAIL,
        max_words=250,
    ),
    Rule(
        "name_line_v1",
        "author_bio",
        re.compile(r"^.+$"),
        where=Where.TAIL,
        max_words=5,
        check=is_name_like,
    ),
    Rule(
        "headline_title_v1",
        "title",
        re.compile(r"^.+$"),
        where=Where.HEAD,
        max_words=30,
        check=lambda text: (
            _bullet_free(text)
            and is_headline_shaped(text)
            and not (text.rstrip().endswith(("?", "!")) and count_words(text) > 15)
        ),
    ),
    Rule(
        "highlight_bullet_v1",
        "highlight",
        re.compile(r"^(?:[•●▪■◦‣∙·]\s*|[*\-–—]\s+)(?P<text>\S.*)$"),
        where=Where.HEAD,
        max_words=60,
    ),
    Rule(
        "dateline_agency_v1",
        "dateline",
        re.compile(
            rf"^(?:(?:{_CITY_ANY})(?:,\s*[^()\n]{{1,40}}?)?\s*)?[(\[/](?:{AGENCIES})[)\]/]\.?"
            rf"(?:{_DASH}|\s*—\s*|\s+(?=[{_UPPER}\"“]))\s*"
        ),
        where=Where.PREFIX,
        max_words=100_000,
    ),
    Rule(
        "dateline_city_v1",
        "dateline",
        re.compile(
            rf"^(?=[^,—–-]*[{_UPPER}]{{3}}){_CITY_CAPS}(?:,\s*[^()\n—–]{{1,40}}?)?"
            r"(?:\s*[—–]|\s+--?)\s+(?=\S)"
        ),
        where=Where.PREFIX,
        max_words=100_000,
    ),
    Rule(
        "dateline_xinhua_v1",
        "dateline",
        re.compile(r"^(?:新华社|中新社|中新网)[^\s，。]{0,20}电(?:（[^）]{0,30}）)?\s*"),
        where=Where.PREFIX,
        max_words=100_000,
    ),
)

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}

# Kinds that may open the junk tail glued to the end of an article line ("... year. Reporting by").
TAIL_STARTER_KINDS = frozenset(
    {"credit", "trust_statement", "comment_prompt", "newsletter", "social"}
)

# Places inside a glued line where junk begins without a sentence boundary before it
# ("Editing by Bill Smith Our standards: ..."): the cleaner splits there too.
INLINE_JUNK_START = re.compile(
    r"(?<=\S)(?<![Aa]dditional)(?<![Ff]urther)\s+(?=(?:Our [Ss]tandards:|(?:Additional |Further )?[Rr]eporting by |Writing by |"
    r"Written by |Editing by |Edited by |Compiled by |Leave a Reply|All rights reserved|©|"
    r"Copyright \d{4}|Share this article|Your email address will not be published))"
)


def rules_for(where: Where) -> tuple[Rule, ...]:
    return tuple(rule for rule in RULES if rule.where is where)


LINE_RULES = rules_for(Where.ANYWHERE)
TAIL_RULES = rules_for(Where.TAIL)
DATELINE_RULES = rules_for(Where.PREFIX)
TITLE_RULE = RULES_BY_NAME["headline_title_v1"]
HIGHLIGHT_RULE = RULES_BY_NAME["highlight_bullet_v1"]


def first_match(text: str, rules: tuple[Rule, ...] = LINE_RULES) -> Rule | None:
    """The first rule of `rules` that matches the stripped `text`, or None."""
    text = text.strip()
    if not text:
        return None
    n_words = count_words(text) if len(text) < 20_000 else 10**6
    for rule in rules:
        if rule.match(text, n_words):
            return rule
    return None
