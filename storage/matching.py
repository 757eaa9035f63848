"""Is a new report the same problem as an open ticket? Normalise how people really write
(case, punctuation, Indonesian slang and spelling variants), compare with rapidfuzz, and
require the topic (or category) and any registered resource to agree."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 72.0
# Naming the same registered resource is strong evidence on its own: the text may differ more.
SAME_RESOURCE_MARGIN = 15.0
# Without a topic or category on either side the text alone must be closer still.
UNTOPICAL_MARGIN = 15.0

# Spelling variants and slang → one canonical word (a value may be several words).
VARIANTS: dict[str, str] = {
    # negation
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "nda": "tidak",
    "ndak": "tidak",
    "kagak": "tidak",
    "not": "tidak",
    "cant": "tidak bisa",
    "cannot": "tidak bisa",
    "wont": "tidak",
    "dont": "tidak",
    "doesnt": "tidak",
    "isnt": "tidak",
    "no": "tidak",
    "gabisa": "tidak bisa",
    "gbs": "tidak bisa",
    "tdkbisa": "tidak bisa",
    "unable": "tidak bisa",
    # can
    "bs": "bisa",
    "bsa": "bisa",
    "can": "bisa",
    "could": "bisa",
    # connect
    "konek": "connect",
    "konak": "connect",
    "connecting": "connect",
    "connected": "connect",
    "connection": "connect",
    "koneksi": "connect",
    "nyambung": "connect",
    "tersambung": "connect",
    "terhubung": "connect",
    "sambung": "connect",
    "disconnect": "putus",
    "disconnected": "putus",
    "terputus": "putus",
    "drop": "putus",
    "dc": "putus",
    # slow, dead, broken, error
    "lemot": "lambat",
    "lelet": "lambat",
    "slow": "lambat",
    "pelan": "lambat",
    "dead": "mati",
    "off": "mati",
    "nyala": "hidup",
    "menyala": "hidup",
    "rusak": "rusak",
    "broken": "rusak",
    "eror": "error",
    "erorr": "error",
    "errors": "error",
    "gagal": "error",
    "failed": "error",
    "fail": "error",
    "failing": "error",
    # things
    "leptop": "laptop",
    "notebook": "laptop",
    "komputer": "pc",
    "computer": "pc",
    "e-mail": "email",
    "surel": "email",
    "mail": "email",
    "outlook": "email",
    "wi-fi": "jaringan",
    "wifi": "jaringan",
    "wlan": "jaringan",
    "inet": "jaringan",
    "internet": "jaringan",
    "network": "jaringan",
    "lan": "jaringan",
    "dropping": "putus",
    "drops": "putus",
    "dropped": "putus",
    "sering": "",
    "often": "",
    "keeps": "",
    "terus": "",
    "total": "",
    "mau": "",
    "quickly": "",
    "fast": "cepat",
    "drains": "boros",
    "draining": "boros",
    "habis": "boros",
    "print": "printer",
    "cetak": "printer",
    "ngeprint": "printer",
    "printing": "printer",
    "pw": "password",
    "passwd": "password",
    "sandi": "password",
    "katasandi": "password",
    "akun": "account",
    "masuk": "login",
    "log": "login",
    "signin": "login",
    "layar": "monitor",
    "screen": "monitor",
    "display": "monitor",
    "aplikasi": "app",
    "apps": "app",
    "application": "app",
    "program": "app",
    "lokal": "local",
    "diremote": "remote",
    "meremote": "remote",
    "remot": "remote",
    "diakses": "akses",
    "mengakses": "akses",
    "access": "akses",
    "accessed": "akses",
    "lt": "lantai",
    "floor": "lantai",
    "office": "kantor",
    "srv": "server",
    "udh": "sudah",
    "sdh": "sudah",
    "already": "sudah",
    "blm": "belum",
    "yet": "belum",
    "lg": "lagi",
    "again": "lagi",
    "dr": "dari",
    "from": "dari",
    "home": "rumah",
}
STOPWORDS = frozenset(
    [
        "dari",
        "di",
        "ke",
        "saya",
        "aku",
        "sy",
        "gue",
        "gw",
        "kami",
        "yang",
        "yg",
        "dan",
        "atau",
        "tolong",
        "mohon",
        "please",
        "pls",
        "the",
        "a",
        "an",
        "my",
        "to",
        "is",
        "it",
        "i",
        "me",
        "for",
        "on",
        "in",
        "of",
        "at",
        "ini",
        "itu",
        "lagi",
        "juga",
        "sih",
        "dong",
        "nih",
        "kok",
        "ya",
        "pak",
        "bu",
        "min",
        "kak",
        "mas",
        "mbak",
        "sejak",
        "tadi",
        "pagi",
        "siang",
        "sore",
        "malam",
        "hari",
        "rumah",
        "sekarang",
        "masih",
        "terus",
        "selalu",
        "banget",
        "sangat",
        "with",
        "and",
        "or",
        "but",
        "this",
        "that",
        "be",
        "am",
        "are",
        "was",
        "were",
        "have",
        "has",
        "had",
        "just",
        "still",
        "very",
        "really",
        "ada",
        "bisakah",
        "tolongin",
        "bantu",
        "help",
        "urgent",
        "segera",
    ]
)
TOPICS: dict[str, frozenset[str]] = {
    "vpn": frozenset({"vpn", "forticlient", "globalprotect", "anyconnect", "openvpn"}),
    "printer": frozenset({"printer", "scanner", "toner", "kertas"}),
    "email": frozenset({"email", "gmail", "inbox", "mailbox"}),
    "network": frozenset({"jaringan", "modem", "router"}),
    "laptop": frozenset({"laptop", "pc", "keyboard", "mouse", "baterai", "battery", "charger"}),
    "monitor": frozenset({"monitor", "proyektor", "projector", "hdmi"}),
    "server": frozenset({"server", "rdp", "remote", "nas"}),
    "account": frozenset({"password", "account", "login", "2fa", "otp", "sso"}),
    "app": frozenset({"app", "sap", "erp", "excel", "word", "zoom", "teams", "slack"}),
}
CATEGORY_TOPICS: dict[str, frozenset[str]] = {
    "vpn": frozenset({"vpn"}),
    "network": frozenset({"network"}),
    "account": frozenset({"account", "email"}),
    "application": frozenset({"app", "email"}),
    "hardware": frozenset({"laptop", "printer", "monitor"}),
}


def tokens(text: str) -> list[str]:
    """Lower-case words with slang and variants made canonical and filler words dropped."""
    words = re.sub(r"[^\w\s-]", " ", text.lower().replace("'", "")).replace("_", " ").split()
    found: list[str] = []
    for word in words:
        word = word.strip("-")
        if len(word) > 5 and word.endswith("nya"):
            word = word[:-3]
        for part in VARIANTS.get(word, word).split():
            if part and part not in STOPWORDS:
                if found and (found[-1], part) in PHRASES:
                    found[-1] = PHRASES[(found[-1], part)]
                    continue
                found.append(part)
    return found


def normalise(text: str) -> str:
    return " ".join(tokens(text))


SUBJECTS = frozenset().union(*TOPICS.values())
# "tidak hidup" (will not turn on) is "mati" (dead)
PHRASES: dict[tuple[str, str], str] = {("tidak", "hidup"): "mati"}


def subjects(words: Iterable[str]) -> frozenset[str]:
    """The things a report is about (vpn, printer, zoom, …), in canonical words."""
    return frozenset(w for w in words if w in SUBJECTS)


def topics(found: Iterable[str], category: str | None = None) -> frozenset[str]:
    """The topic groups of the subjects, plus the category's."""
    present = set(found)
    groups = {topic for topic, keys in TOPICS.items() if present & keys}
    if category:
        groups |= CATEGORY_TOPICS.get(category, frozenset())
    return frozenset(groups)


def contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether `phrase` appears in `words` as consecutive words."""
    n = len(phrase)
    return n > 0 and any(list(words[i : i + n]) == list(phrase) for i in range(len(words) - n + 1))


def find_resources(text: str, resources: Iterable[tuple[int, Collection[str]]]) -> set[int]:
    """Ids of registered resources whose name or an alias appears in `text`."""
    words = tokens(text)
    return {rid for rid, names in resources if any(contains(words, tokens(n)) for n in names)}


@dataclass(frozen=True)
class Report:
    """What the matcher compares: the text, its category and the resources it names."""

    text: str
    category: str | None = None
    resources: frozenset[int] = frozenset()


def similarity(a: str, b: str) -> float:
    return float(fuzz.token_set_ratio(normalise(a), normalise(b)))


def is_repeat(new: Report, old: Report, *, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """True when `new` reports the same problem as `old`."""
    if new.resources or old.resources:
        if not (new.resources & old.resources):
            return False  # one names a registered resource the other does not
        if new.category and old.category and new.category == old.category:
            return True  # the same resource and category: the same problem
    if not topic_agrees(new, old):
        return False
    known = subjects(tokens(new.text)) or subjects(tokens(old.text)) or new.category or old.category
    needed = threshold if known else threshold + UNTOPICAL_MARGIN
    if new.resources & old.resources:
        needed = threshold - SAME_RESOURCE_MARGIN
    return similarity(new.text, old.text) >= needed


def topic_agrees(new: Report, old: Report) -> bool:
    """Both about the same thing: a shared subject word, or else compatible categories."""
    subjects_new, subjects_old = subjects(tokens(new.text)), subjects(tokens(old.text))
    if subjects_new and subjects_old:
        return bool(subjects_new & subjects_old)
    if new.category and old.category:
        return new.category == old.category
    if subjects_new or subjects_old or new.category or old.category:
        return bool(topics(subjects_new, new.category) & topics(subjects_old, old.category))
    return True


# --- placeholder until the three-outcome matcher lands (issue 17); replaced on merge ---
CERTAIN, PLAUSIBLE, DIFFERENT = "certain", "plausible", "different"


@dataclass(frozen=True)
class Judgement:
    verdict: str
    score: float = 0.0


def judge(new: Report, old: Report) -> Judgement:
    return Judgement(CERTAIN if is_repeat(new, old) else DIFFERENT)
