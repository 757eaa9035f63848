"""The catalog is complete in both languages, and translated, not copied."""

from __future__ import annotations

import string

from bot.i18n import CATALOGS, t

# Words that are the same in both languages and may stand alone as a message.
SAME_IN_BOTH = {"Email", "admin", "VPN"}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_both_languages() -> None:
    missing_en = sorted(set(CATALOGS["id"]) - set(CATALOGS["en"]))
    missing_id = sorted(set(CATALOGS["en"]) - set(CATALOGS["id"]))
    assert not missing_en, f"missing in en: {missing_en}"
    assert not missing_id, f"missing in id: {missing_id}"


def test_no_sentence_is_identical_in_both_languages() -> None:
    same = [
        key
        for key, text in CATALOGS["id"].items()
        if CATALOGS["en"].get(key) == text and text not in SAME_IN_BOTH
    ]
    assert not same, f"untranslated: {same}"


def test_both_languages_use_the_same_placeholders() -> None:
    differ = [
        key
        for key, text in CATALOGS["id"].items()
        if placeholders(text) != placeholders(CATALOGS["en"].get(key, ""))
    ]
    assert not differ, f"placeholders differ: {differ}"


def test_lookup_formats_and_falls_back() -> None:
    assert t("cli.back_done", "en", name="Ayu") == "Ayu is available again."
    assert t("cli.back_done", None, name="Ayu") == "Ayu kembali tersedia."
    assert t("cli.back_done", "jv", name="Ayu") == "Ayu kembali tersedia."
    assert t("no.such.key", "en") == "no.such.key"
