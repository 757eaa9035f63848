"""`rekan hours add|list|remove` through the real entry point: periods kept, and bad input
(overlap, end before start, bad hours, bad date) refused with one line, nothing stored."""

from __future__ import annotations

from collections.abc import Callable

Run = Callable[..., tuple[int, str, str]]


def test_add_list_remove_and_refusals(cli: Run) -> None:
    added = cli("hours", "add", "2027-02-08", "2027-03-09", "08:00-15:00", "--name", "Ramadan")
    assert added == (
        0,
        "Period Ramadan is saved: 2027-02-08 to 2027-03-09, working hours 08:00-15:00.\n",
        "",
    )
    # overlapping it, by one day
    code, _, err = cli("hours", "add", "2027-03-09", "2027-03-20", "08:00-16:00", "--name", "x")
    assert (
        code == 1
        and err == "This period overlaps Ramadan (2027-02-08 to 2027-03-09): nothing is stored.\n"
    )
    code, _, err = cli("hours", "add", "2027-05-02", "2027-05-01", "08:00-15:00")
    assert code == 1 and err.count("\n") == 1 and "is before the start date" in err
    code, _, err = cli("hours", "add", "2027-05-01", "2027-05-02", "15:00-08:00")
    assert code == 1 and err.count("\n") == 1 and "must look like 08:00-15:00" in err
    code, _, err = cli("hours", "add", "2027-13-01", "2027-05-02", "08:00-15:00")
    assert code == 2 and "2027-13-01" in err
    assert cli("hours", "add", "2027-12-01", "2027-12-02", "07:00-24:00", "--name", "Audit")[0] == 0
    code, out, _ = cli("hours", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["Name", "From", "To", "Hours"]
    assert [line.split() for line in lines[2:]] == [
        ["Ramadan", "2027-02-08", "2027-03-09", "08:00-15:00"],
        ["Audit", "2027-12-01", "2027-12-02", "07:00-24:00"],
    ]
    assert cli("hours", "remove", "2027-12-01") == (0, "Period Audit is removed.\n", "")
    assert cli("hours", "remove", "Ramadan") == (0, "Period Ramadan is removed.\n", "")
    code, _, err = cli("hours", "remove", "Ramadan")
    assert code == 1 and err.startswith("There is no working-hour period named Ramadan.")
    assert cli("hours", "list")[1] == "Nothing yet.\n"
