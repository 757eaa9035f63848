"""The repeat matcher, one kind of pair at a time (issue 17), and the old labelled pairs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from storage.matching import (
    DEFAULT_THRESHOLDS,
    Report,
    Thresholds,
    Verdict,
    find_resources,
    is_repeat,
    judge,
    normalise,
)

PAIRS = Path(__file__).resolve().parents[1] / "data" / "repeat_pairs.csv"
CERTAIN, PLAUSIBLE, DIFFERENT = Verdict.CERTAIN, Verdict.PLAUSIBLE, Verdict.DIFFERENT


def verdict(old: str, new: str) -> Verdict:
    return judge(Report(new), Report(old)).verdict


def report(text: str, category: str, resource: str) -> Report:
    return Report(text, category or None, frozenset({int(resource)}) if resource else frozenset())


def test_the_old_labelled_pairs() -> None:
    """The 48 pairs of the first matcher: no silent join of a different problem, and every
    repeat but a handful at least suggested."""
    rows = list(csv.DictReader(PAIRS.open(encoding="utf-8")))
    assert len(rows) >= 40
    joins = wrong = found = repeats = 0
    for row in rows:
        got = judge(
            report(row["b"], row["category_b"], row["resource_b"]),
            report(row["a"], row["category_a"], row["resource_a"]),
        ).verdict
        same = row["match"] == "1"
        joins += got is CERTAIN
        wrong += got is CERTAIN and not same
        repeats += same
        found += same and got is not DIFFERENT
    print(f"\nold pairs: {joins} silent joins, {wrong} wrong; {found}/{repeats} repeats caught")
    assert wrong == 0
    assert found / repeats >= 0.95
    assert joins >= 15


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("VPN tidak bisa connect", "vpn gak bisa konek dari rumah"),
        ("printer lantai 3 macet", "tolong dong cepet, printer lantai 3 masih macet"),
        ("Server Kantor 124 down", "server kantor 124 down!!!"),
        ("akun saya terkunci", "Akun saya terkunci."),
        ("absensi ga bisa clock in", "absensi ga bisa clock-in"),
    ],
)
def test_the_same_complaint_again_joins_silently(old: str, new: str) -> None:
    judgement = judge(Report(new), Report(old))
    assert judgement.verdict is CERTAIN, judgement


def test_identifiers_must_agree() -> None:
    for old, new in [
        ("server kantor 123 ga bisa diakses", "server kantor 124 ga bisa diakses"),
        ("Server Kantor 123 down", "Server Kantor 1234 down"),
        ("ga bisa ping 192.168.1.10", "ga bisa ping 192.168.1.100"),
        ("printer lantai 3 ga bisa print", "printer lantai 5 ga bisa print"),
        ("wifi lt.7 ga ada sinyal", "wifi lt. 17 ga ada sinyal"),
        ("monitor di meja 12 mati", "monitor di meja 21 mati"),
        ("proyektor ruang meeting A ga nyala", "proyektor ruang meeting B ga nyala"),
        ("proyektor ruang direksi ga nyala", "proyektor ruang training ga nyala"),
        ("ssh ke build-01 timeout", "ssh ke build-02 timeout"),
        ("laptop ga bisa update ke windows 10", "laptop ga bisa update ke windows 11"),
        ("shared mailbox finance-ap@ ga bisa dibuka", "shared mailbox finance-ar@ ga bisa dibuka"),
    ]:
        judgement = judge(Report(new), Report(old))
        assert judgement.verdict is DIFFERENT, (old, new, judgement)
        assert "identifiers" in judgement.reason
    # the same identifier written another way, and amounts that are not identifiers
    assert verdict("monitor meja 12 mati", "layar di meja no. 12 ga nyala") is not DIFFERENT
    assert verdict("printer lt 3 macet", "printer lantai 3 macet") is CERTAIN
    assert verdict("vpn putus", "vpn putus terus, tiap 5 menit disconnect") is not DIFFERENT
    # a number on one side only may be a detail: ask, never join silently
    assert verdict("printer ga bisa print", "printer lantai 3 ga bisa print") is PLAUSIBLE


def test_a_subset_is_not_the_same_complaint() -> None:
    """token_set_ratio gave 100 whenever one text's words were a subset of the other's."""
    for old, new in [
        ("outlook ga bisa dibuka", "outlook bisa dibuka kok, tapi ga bisa kirim email sama sekali"),
        ("ga bisa login jira", "bisa login jira tapi ga bisa bikin ticket baru"),
        ("wifi ga bisa connect", "wifi bisa connect tapi ga ada internet"),
        ("headset ga kedetect di laptop", "headset kedetect di laptop tapi mic nya ga bunyi"),
    ]:
        assert verdict(old, new) is DIFFERENT, (old, new)
    # what only adds detail (when, how often, what was tried) is still the same problem
    for old, new in [
        ("vpn putus", "vpn putus terus dari pagi, tiap 5 menit disconnect"),
        ("wifi lemot", "wifi di rumah lemot bgt dari kemaren, udah restart router tetep lemot"),
        ("ga bisa login sap", "ga bisa login sap, muncul pesan user locked"),
    ]:
        assert verdict(old, new) is not DIFFERENT, (old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("outlook ga bisa kirim email", "outlook ga bisa terima email"),
        ("printer lantai 5 ga bisa scan", "printer lantai 5 ga bisa print"),
        ("onedrive ga bisa upload file", "onedrive ga bisa download file"),
        ("ga bisa login ke hris", "ga bisa logout dari hris"),
        ("teams lambat bgt", "teams mati total, ga bisa dibuka"),
        ("zoom ga ada suara", "zoom ga ada video"),
        ("calendar outlook ga sync ke hp", "email outlook ga sync ke hp"),
        ("vpn lemot", "vpn ga bisa konek sama sekali"),
        ("laptop ga bisa dinyalakan", "laptop ga bisa dimatikan"),
        ("jira ga bisa attach file", "jira ga bisa comment"),
    ],
)
def test_the_same_thing_doing_something_else_is_different(old: str, new: str) -> None:
    assert verdict(old, new) is DIFFERENT


def test_negation_stays_in_scope() -> None:
    # "bisa X tapi ga bisa Y" is Y, not X
    assert verdict("ga bisa kirim email", "outlook bisa terima tapi ga bisa kirim email") in (
        CERTAIN,
        PLAUSIBLE,
    )
    # "udah bisa X, sekarang malah ga bisa Y": X is fixed, Y is new
    for old, new in [
        (
            "printer lantai 5 ga bisa print",
            "printer lantai 5 udah bisa print, tapi sekarang ga bisa scan",
        ),
        ("excel ga bisa dibuka", "excel udah bisa dibuka, tapi sekarang malah word yang ga bisa"),
        ("laptop ga bisa nyala", "laptop udah bisa nyala tapi wifinya ga kedetect"),
        ("mouse ga jalan", "mouse udah jalan, sekarang keyboardnya yang ga jalan"),
    ]:
        assert verdict(old, new) is DIFFERENT, (old, new)
    # still / not yet / again: the same problem
    assert verdict("wifi ga bisa connect", "wifi blm bisa konek jg") is CERTAIN
    assert verdict("laptop ga bisa nyala", "laptop belum bisa dinyalain sampe sekarang") is CERTAIN
    assert verdict(
        "ga bisa kirim email", "tadi sempet bisa kirim email, sekarang ga bisa lagi"
    ) in (
        CERTAIN,
        PLAUSIBLE,
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("file excel ga bisa kebuka", "file excel tidak bisa dibuka"),
        ("email ga kekirim", "email tidak terkirim"),
        ("laptop ga bisa dinyalakan", "laptop ga mau nyala"),
        ("printer ga kedetect", "printer tidak terdeteksi"),
        ("ga bisa di-remote ke server kantor 123", "server kantor 123 ga bisa diremote"),
        ("outlok ga bisa dibuka", "outlook ga bisa dibuka"),
        ("pritner lt 3 macet", "printer lantai 3 macet"),
    ],
)
def test_word_forms_and_typos_are_the_same_word(old: str, new: str) -> None:
    assert verdict(old, new) is CERTAIN


def test_the_slang_table_maps_no_two_problems_to_one_word() -> None:
    assert normalise("printer ga bisa print") == "printer tidak bisa print"
    assert normalise("VPN gak bisa konek dari rumah!") == "vpn tidak bisa connect"
    assert (
        verdict("email ga masuk dari tadi pagi", "ga bisa masuk email dari tadi pagi") is DIFFERENT
    )
    assert verdict("outlook ga bisa login", "email tidak bisa login") is not DIFFERENT
    assert verdict("akun AD kekunci", "laptop kekunci bitlocker") is not CERTAIN
    # topic groups: outlook is mail and calendar; jira and confluence are two tools
    assert verdict("jira lemot", "confluence lemot") is DIFFERENT
    assert verdict(
        "proyektor di ruang training ga ada gambar", "projector ruang training no display"
    ) in (
        CERTAIN,
        PLAUSIBLE,
    )


def test_resources_are_found_on_all_their_words() -> None:
    known = [
        (1, ["Server Kantor 123", "server lokal kantor 123"]),
        (2, ["Printer Lantai 2", "printer lt 2"]),
        (3, ["Proyektor Ruang Meeting A"]),
        (4, ["Proyektor Ruang Meeting B"]),
    ]
    assert find_resources("tolong, SERVER kantor 123 mati", known) == {1}
    assert find_resources("server lokal kantor 123 tidak bisa diremote", known) == {1}
    assert find_resources("printer lt. 2 macet", known) == {2}
    assert find_resources("vpn di rumah tidak bisa", known) == set()
    assert find_resources("server kantor 1234 mati", known) == set()
    assert find_resources("proyektor ruang meeting A ga nyala", known) == {3}
    assert find_resources("proyektor ruang meeting B ga nyala", known) == {4}
    assert find_resources("proyektor ruang meeting ga nyala", known) == set()


def test_a_shared_resource_helps_only_when_the_symptom_agrees() -> None:
    server = frozenset({1})
    disk = Report("server kantor 123 disk penuh", resources=server)
    remote = Report("server kantor 123 ga bisa di-remote", resources=server)
    assert judge(remote, disk).verdict is DIFFERENT
    # different resources: different problems, whatever the text
    assert (
        judge(
            Report("ga bisa diakses", resources=frozenset({2})),
            Report("ga bisa diakses", resources=server),
        ).verdict
        is DIFFERENT
    )
    # a resource on one side only: at most a question
    assert (
        judge(Report("tidak bisa akses"), Report("tidak bisa akses", resources=server)).verdict
        is PLAUSIBLE
    )
    again = Report("server lokal kantor 123 masih ga bisa diakses", resources=server)
    assert (
        judge(again, Report("server kantor 123 ga bisa diakses", resources=server)).verdict
        is CERTAIN
    )


def test_the_demo_wording_is_at_least_suggested() -> None:
    server = frozenset({1})
    first = Report(
        "Server Kantor 123 tidak bisa diakses lewat remote desktop, tolong", resources=server
    )
    third = Report("server lokal kantor 123 gak bisa diremote, sesi putus terus", resources=server)
    assert judge(third, first).verdict in (CERTAIN, PLAUSIBLE)


def test_thresholds_and_the_deprecated_wrapper() -> None:
    old, new = Report("laptop ngehang"), Report("laptop freeze ga bisa diapa2in, mouse juga diem")
    judgement = judge(new, old)
    assert judgement.verdict is PLAUSIBLE and 0 < judgement.score < DEFAULT_THRESHOLDS.certain
    assert judge(new, old, Thresholds(certain=judgement.score, plausible=10)).verdict is CERTAIN
    assert judge(new, old, Thresholds(certain=100, plausible=100)).verdict is DIFFERENT
    assert not is_repeat(new, old)
    assert is_repeat(Report("VPN error!!"), Report("vpn error"))


def test_typos_are_fixed_but_real_words_are_left_alone() -> None:
    assert normalise("sharepont lemot") == "sharepoint lambat"
    assert normalise("conection timeout") == "koneksi timeout"
    # Indonesian words (PySastrawi's dictionary) and long unknown words are not "corrected"
    assert normalise("buka file besar") == "buka file besar"
    assert normalise("kena phishing") == "kena phishing"
    # formal affixes the vocabulary does not list are stemmed: pengiriman, dikirimkan → kirim
    assert verdict("pengiriman email gagal", "email ga bisa dikirimkan") is not DIFFERENT
