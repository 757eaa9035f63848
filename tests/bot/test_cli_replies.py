"""`rekan replies add|list|remove` through the real entry point: what each says, and the
refusals as one line with Rekan's exit statuses (1 refused, 2 bad usage)."""

from __future__ import annotations

from collections.abc import Callable

Run = Callable[..., tuple[int, str, str]]


def test_add_replace_list_remove(cli: Run) -> None:
    added = cli("replies", "add", "VPN-Reset", "--id", "Halo {reporter}", "--en", "Hi {reporter}")
    assert added == (0, "Saved reply vpn-reset is added.\n", "")
    replaced = cli("replies", "add", "vpn-reset", "--id", "Halo lagi", "--en", "Hi again {agent}")
    assert replaced == (0, "The texts of saved reply vpn-reset are replaced.\n", "")
    assert cli("replies", "add", "a-printer", "--id", "Printer", "--en", "Printer {ticket}")[0] == 0
    code, out, _ = cli("replies", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:4] == ["Key", "Indonesian", "English", "Updated"]
    assert [line.split()[0] for line in lines[2:]] == ["a-printer", "vpn-reset"]
    assert "Hi again {agent}" in out
    assert cli("replies", "remove", "VPN-RESET") == (0, "Saved reply vpn-reset is removed.\n", "")
    code, _, err = cli("replies", "remove", "vpn-reset")
    assert code == 1 and err.startswith("There is no saved reply with the key vpn-reset.")


def test_refusals_are_one_line(cli: Run) -> None:
    code, _, err = cli("replies", "add", "k", "--id", "Halo {pelapor}", "--en", "Hi {reporter}")
    assert code == 1 and err.count("\n") == 1
    assert "Unknown placeholder {pelapor} in the --id text" in err
    code, _, err = cli("replies", "add", "two words", "--id", "Halo", "--en", "Hi")
    assert code == 1 and "The key two words cannot be used" in err
    code, _, err = cli("replies", "add", "k", "--id", "Halo", "--en", " ")
    assert code == 1 and "The --en text is empty" in err
    code, _, err = cli("replies", "add", "k", "--id", "Halo")
    assert code == 2 and "--en" in err
    assert cli("replies", "list")[1] == "Nothing yet.\n"
