"""The /lapor grammar: commands need `#N` or must stand alone; everything else is a ticket."""

from __future__ import annotations

import pytest

from bot.commands import Command, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Command("form")),
        ("  ", Command("form")),
        ("help", Command("help")),
        ("BANTUAN", Command("help")),
        ("status", Command("status")),
        ("antrian", Command("queue")),
        ("queue", Command("queue")),
        ("klaim", Command("claims")),
        ("cuti", Command("away")),
        ("kembali", Command("back")),
        ("ambil #12", Command("take", 12)),
        ("Take #12", Command("take", 12)),
        ("eskalasi #3 sudah coba restart", Command("escalate", 3, "sudah coba restart")),
        ("escalate #3", Command("escalate", 3, "")),
        (
            "selesai #7 ganti kabel\nsudah normal",
            Command("resolve", 7, "ganti kabel\nsudah normal"),
        ),
        ("buka #7", Command("reopen", 7)),
        ("batal #7", Command("cancel", 7)),
        ("lihat #7", Command("show", 7)),
        ("show #7", Command("show", 7)),
    ],
)
def test_commands(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "selesai 2 jam tapi masih error",
        "buka 3 aplikasi laptop hang",
        "cuti saya belum tercatat",
        "status VPN saya aneh",
        "ambil 12",
        "ambil #12abc",
        "tolong #12 belum beres",
        "help me please",
    ],
)
def test_complaints_are_tickets(text: str) -> None:
    assert parse(text) == Command("file", rest=text)
