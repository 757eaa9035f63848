"""The /lapor grammar: one table of English and Indonesian words.

A ticket action is a command word followed by `#N` ("ambil #12"); a standalone word is a
command only when it is the whole text ("status"). Everything else is a new ticket, so
"selesai 2 jam tapi masih error" and "cuti saya belum tercatat" are filed as complaints."""

from __future__ import annotations

import re
from dataclasses import dataclass

# command word → action; both languages in one table
ACTIONS: dict[str, str] = {
    "escalate": "escalate",
    "eskalasi": "escalate",
    "take": "take",
    "ambil": "take",
    "resolve": "resolve",
    "selesai": "resolve",
    "reopen": "reopen",
    "buka": "reopen",
    "cancel": "cancel",
    "batal": "cancel",
    "show": "show",
    "lihat": "show",
    "outage": "outage",  # declare an outage from the ticket (the rest is its title)
    "gangguan": "outage",
}
STANDALONE: dict[str, str] = {
    "help": "help",
    "bantuan": "help",
    "status": "status",
    "queue": "queue",
    "antrian": "queue",
    "claims": "claims",
    "klaim": "claims",
    "away": "away",
    "cuti": "away",
    "back": "back",
    "kembali": "back",
}
ACTION_PATTERN = re.compile(r"(?P<word>\S+)\s+#(?P<number>\d{1,9})(?:\s+(?P<rest>.*))?", re.DOTALL)


@dataclass(frozen=True)
class Command:
    kind: str  # "form", "file", a STANDALONE value or an ACTIONS value
    number: int | None = None
    rest: str = ""


def parse(text: str) -> Command:
    stripped = text.strip()
    if not stripped:
        return Command("form")
    word = STANDALONE.get(stripped.lower())
    if word is not None:
        return Command(word)
    match = ACTION_PATTERN.fullmatch(stripped)
    if match and match.group("word").lower() in ACTIONS:
        return Command(
            ACTIONS[match.group("word").lower()],
            int(match.group("number")),
            (match.group("rest") or "").strip(),
        )
    return Command("file", rest=stripped)
