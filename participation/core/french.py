"""French that reads right in generated text: elision and contraction before a name.

``de("Hélène")`` → « d'Hélène », ``de("Agglomération du Val de Loirande")`` →
« de l'Agglomération du Val de Loirande », ``de("Conseil citoyen des Tilleuls")``
→ « du Conseil citoyen des Tilleuls », ``a("Les Amis du Lavoir")`` → « aux Amis
du Lavoir », ``a("association")`` → « à l'association ». In templates: the
filters ``|de`` and ``|a`` (``{{ council.name|de }}``), and ``|ordinal_day``.

A name that starts with an institution's common noun (Agglomération,
Conseil, Communauté…) takes its article; a person's or a place's name does
not. An « h » is mute unless the word is in ``H_ASPIRE``.
"""

from __future__ import annotations

import unicodedata

from flask_babel import get_locale


def _is_french() -> bool:
    """French unless the current locale is another language (outside a request: French)."""
    try:
        locale = get_locale()
    except Exception:  # no application at all
        return True
    return locale is None or locale.language == "fr"

VOWELS = set("aeiouyàâäéèêëîïôöùûüœæ")
# Words whose h is aspirated: no elision before them (« de Haute-Rive », « le hameau »).
H_ASPIRE = {"haut", "haute", "hauts", "hautes", "hauteur", "hameau", "hameaux", "halle", "halles", "hall", "handicap", "hangar",
            "harcèlement", "hasard", "hâte", "hausse", "haine", "haie", "haies", "hache", "hanche", "haricot", "harpe", "héros",
            "hérisson", "héron", "hêtre", "hibou", "hiérarchie", "hockey", "homard", "honte", "hors", "hotte", "housse", "hublot",
            "huit", "huitième", "hutte", "hurlement"}
# Common nouns that name a body: such a name takes the article (« l'Agglomération », « le Conseil »).
FEMININE = {"agglomération", "communauté", "métropole", "commune", "ville", "région", "association", "mairie", "assemblée", "maison",
            "direction", "mission", "chambre", "préfecture", "fédération", "union", "amicale", "compagnie", "coopérative", "fondation",
            "société", "mutuelle", "école", "université", "délégation", "commission"}
MASCULINE = {"conseil", "département", "syndicat", "collège", "comité", "pays", "pôle", "groupe", "centre", "office", "service",
             "collectif", "club", "cercle", "établissement", "observatoire", "secrétariat", "bureau"}


def _first_word(text: str) -> str:
    word = ""
    for char in text:
        if char.isalpha():
            word += char
        else:
            break
    return word.lower()


def elides(text: str) -> bool:
    """True when an article or « de » before ``text`` drops its vowel (a vowel, or a mute h)."""
    word = _first_word(text.strip())
    if not word:
        return False
    first = word[0]
    if first in VOWELS:
        return not word.startswith(("oui", "onze", "onzième", "yaourt"))
    if first == "h":
        base = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
        return word not in H_ASPIRE and base not in H_ASPIRE and len(word) > 1 and word[1] in VOWELS
    return False


def _article(text: str) -> str | None:
    """The article a name takes (« le », « la », « les », « l' »), or None."""
    stripped = text.strip()
    lowered = stripped.lower()
    for article in ("les ", "le ", "la ", "l'", "l’"):
        if lowered.startswith(article):
            return None  # it already has one
    word = _first_word(stripped)
    if word in FEMININE:
        return "l'" if elides(stripped) else "la "
    if word in MASCULINE:
        return "l'" if elides(stripped) else "le "
    return None


def with_article(text: str) -> str:
    """« l'Agglomération du Val de Loirande », « le Conseil … »; a person's name stays as it is.

    In another language the name stays as it is: the translated sentence carries its own words."""
    if not _is_french():
        return (text or "").strip()
    article = _article(text)
    return f"{article}{text.strip()}" if article else text.strip()


def _contract(preposition: str, text: str) -> str:
    if not _is_french():
        return text.strip()  # « of », « to » belong to the English sentence
    text = with_article(text)
    lowered = text.lower()
    forms = {"de": {"le ": "du ", "les ": "des "}, "à": {"le ": "au ", "les ": "aux "}}[preposition]
    for article, contracted in forms.items():
        if lowered.startswith(article):
            return contracted + text[len(article):]
    if preposition == "de" and elides(text) and not lowered.startswith(("l'", "l’")):
        return "d'" + text
    return f"{preposition} {text}"


def _in_english() -> bool:
    """True when the text is being rendered in English (a page asked with
    ``?lang=en``, a mail forced to its recipient's language)."""
    try:
        from flask_babel import get_locale

        locale = get_locale()
    except RuntimeError:  # outside an application
        return False
    return locale is not None and locale.language == "en"


def _english(preposition: str, text: str) -> str:
    """« of the Conseil citoyen des Tilleuls », « to Hélène »: the English
    sentences that hold ``{{ name|de }}`` translate « de » by ``name`` alone."""
    text = text.strip()
    return f"{preposition} {'the ' if _article(text) else ''}{text}"


def de(text: str | None) -> str:
    """« de » before a name: « d'Hélène », « de l'Agglomération… », « du Conseil… », « des Amis… »;
    in English « of the Agglomération… », « of Hélène »."""
    if _in_english():
        return _english("of", text or "")
    return _contract("de", text or "")


def a(text: str | None) -> str:
    """« à » before a name: « à l'association », « au Conseil… », « aux Amis du Lavoir », « à Hélène »;
    in English « to the Conseil… », « to Hélène »."""
    if _in_english():
        return _english("to", text or "")
    return _contract("à", text or "")


def ordinal_day(day: int) -> str:
    """« 1er » for the first day of a month, the number otherwise (always the number outside French)."""
    return "1er" if day == 1 and _is_french() else str(day)


def quoted(text: str | None) -> str:
    """« text », with non-breaking spaces; a text that already holds guillemets is not quoted again (never « « … » »).

    In English: “text”."""
    text = (text or "").strip()
    if "«" in text or "»" in text or text.startswith("“"):
        return text
    if not _is_french():
        return f"“{text}”"
    return f"«\u00a0{text}\u00a0»"
