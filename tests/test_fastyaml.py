"""The fast reading (yaml-rs) gives exactly what the strict libyaml loader gives, or declines.

Every comparison loads the same bytes twice: as ``load_bytes`` does (fast path first), and with the
fast path switched off. The data (with its types: ``True`` is not ``1``, ``"012"`` is not ``12``) and
every problem, with its place, must be the same. The corpus is every YAML file the project ships or
tests with, plus seeded random mutations of them: characters YAML gives a meaning to inserted,
deleted or replaced, lines re-indented, values swapped for scalars the two parsers type differently.
``DUBAN_FASTYAML_MUTATIONS`` raises the number of mutations for a longer hunt (the default keeps the
test under two seconds).
"""

from __future__ import annotations

import os
import random
import shutil

import pytest
from conftest import ROOT
from duban.records import fastyaml, load, privacy

SEEDS = sorted({*ROOT.glob("records/**/*.yaml"), *ROOT.glob("tests/cases/**/*.yaml"),
                *ROOT.glob("tests/hostile/**/*.yaml")})
MUTATIONS = int(os.environ.get("DUBAN_FASTYAML_MUTATIONS", "4000"))

# scalars whose type differs between YAML 1.1, YAML 1.2 and the strict rules, and YAML's own syntax
TOKENS = [
    "012", "0x1F", "0o17", "0b101", "1_000", "+5", "-0", "0", "7", "-12", "2.10", "1e3", ".5", ".inf", "-.inf", ".nan",
    "nan", "inf", "yes", "No", "on", "OFF", "y", "n", "~", "null", "Null", "NULL", "nUll", "true", "True", "TRUE",
    "tRue", "false", "FALSE", "2023-02-30", "2023-06-07", "2023-6-7", "2023-06-07T10:00:00", "2023-06-07 10:00",
    "1:30", "190:20:30", "=", "<<", "'012'", '"true"', "''", '""', "'it''s'", "[a, b]", "[]", "{}", "{a: 1}",
    "[012, 0x1]", "{1: a}", "a: b", "- x", "? x", "|", "|-", ">", ">+", "|2", "#", " # note", "@x", "`x`",
    "１２３", "١٢", "99999999999999999999999", "-9223372036854775809", "0.0", "1.0e+3", "0777", "00",
]
PALETTE = list(" :-#'\"|>[]{},?\n\n\n0123456789._~xXobe+") + ["中", "  ", "- ", ": ", "\n  ", "\n- "]


def both(data: bytes) -> tuple[load.Loaded, load.Loaded, bool]:
    """(as loaded, as loaded by libyaml alone, whether the fast path answered)."""
    taken = []
    real = load.fast_read

    def spy(text):
        out = real(text)
        taken.append(out is not None)
        return out

    load.fast_read = spy
    try:
        fast = load.load_bytes(data, "f.yaml")
        load.fast_read = lambda text: None
        slow = load.load_bytes(data, "f.yaml")
    finally:
        load.fast_read = real
    return fast, slow, any(taken)


def same(data: bytes) -> bool:
    """Assert both ways agree; whether the fast path answered."""
    fast, slow, taken = both(data)
    assert repr(fast.data) == repr(slow.data), data.decode("utf-8", "replace")
    assert fast.problems == slow.problems, data.decode("utf-8", "replace")
    assert fast.more == slow.more
    # the fast reading's word that nothing may hold a personal number spares the privacy scan: it must be true
    assert fast.digits == (privacy.may_hold(slow.data) if taken else True), data.decode("utf-8", "replace")
    return taken


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.choice((1, 1, 2, 3))):
        lines = text.split("\n")
        how = rng.randrange(6)
        if how == 0 and text:  # insert a character YAML reads
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(PALETTE) + text[at:]
        elif how == 1 and text:  # delete one or a few characters
            at = rng.randrange(len(text))
            text = text[:at] + text[at + rng.choice((1, 1, 2, 5)):]
        elif how == 2 and text:  # replace a character
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(PALETTE) + text[at + 1:]
        elif how == 3:  # re-indent a line
            i = rng.randrange(len(lines))
            lines[i] = (" " * rng.choice((1, 2, 4)) + lines[i]) if rng.random() < 0.5 else lines[i].lstrip(" ")
            text = "\n".join(lines)
        elif how == 4:  # a value swapped for a tricky scalar
            i = rng.randrange(len(lines))
            head, sep, _ = lines[i].partition(": ")
            lines[i] = (head + sep if sep else lines[i].rstrip() + ": ") + rng.choice(TOKENS)
            text = "\n".join(lines)
        else:  # a line duplicated or moved (duplicate keys, sequences broken up)
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines.insert(j, lines[i] if rng.random() < 0.5 else lines.pop(i))
            text = "\n".join(lines)
    return text


def test_the_shipped_records_are_read_the_fast_way_and_the_same():
    shipped = sorted(ROOT.glob("records/**/*.yaml"))
    fast = 0
    for path in shipped:
        fast += same(path.read_bytes())
    # every shipped record is plain YAML; should the fast parser be missing or decline them all, this fails
    assert fast == len(shipped)


@pytest.mark.parametrize("text, expected", [
    ("a: 012\n", {"a": "012"}), ("a: 0x1F\n", {"a": "0x1F"}), ("a: 1_000\n", {"a": "1_000"}),
    ("a: 2.10\n", {"a": "2.10"}), ("a: .inf\n", {"a": ".inf"}), ("a: yes\nb: 7\n", {"a": "yes", "b": 7}),
    ("true: x\n", {"true": "x"}), ("1: x\n", {"1": "x"}), ("2023-06-07: x\n", {"2023-06-07": "x"}),
    ("a: 2023-06-07\nb: '2023-02-30'\n", {"a": "2023-06-07", "b": "2023-02-30"}),
    ("a: 5\nb: 'x 007'\n", {"a": 5, "b": "x 007"}), ("a: ~\nb:\nc: FALSE\n", {"a": None, "b": None, "c": False}),
])
def test_numbers_dates_and_keys_keep_the_strict_meaning(text, expected):
    fast, slow, _ = both(text.encode())
    assert repr(fast.data) == repr(expected) == repr(slow.data)
    assert fast.problems == slow.problems == []


@pytest.mark.parametrize("text, code", [
    ("a: 1\na: 2\n", "duplicate-key"), ("a: 2023-02-30\n", "date"), ("a: 1\n---\nb: 2\n", "yaml"),
    ("a: b: c\n", "yaml"), ("a: !foo x\n", "tag"), ("- a\n- b\n", "top-level"), ("# only a comment\n", "empty"),
    ("a: &x 1\nb: *x\n", "anchor"), ("a: [1, 2\n", "yaml"), ("a: 'x' y\n", "yaml"),
])
def test_what_the_strict_loader_refuses_is_refused_and_located(text, code):
    fast, slow, taken = both(text.encode())
    assert not taken
    assert fast.problems == slow.problems and fast.problems[0].code == code


def test_a_fast_read_file_still_locates_its_fields():
    fast, slow, taken = both(b"# a comment\nid: X-1\nnested:\n  - when: 2024-01-02\n    what: x\n")
    assert taken and fast.node is None
    for path in [("id",), ("nested", 0, "what"), ("nested", 0), ("nested", 5)]:
        assert fast.where(path) == slow.where(path) and fast.where(path, key=True) == slow.where(path, key=True)
    assert fast.where(("nested", 0, "what")) == (5, 11)


def test_mutated_records_read_the_same_either_way():
    rng = random.Random(20261202)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in SEEDS]
    assert len(texts) > 2000
    taken = 0
    for _ in range(MUTATIONS):
        taken += same(mutate(rng, rng.choice(texts)).encode("utf-8"))
    assert taken > MUTATIONS // 10  # the comparison covers files the fast path read, not only declines


def test_without_yaml_rs_every_file_goes_the_slow_way(monkeypatch):
    monkeypatch.setattr(fastyaml, "_yaml_rs", None)
    assert fastyaml.read("a: 1\n") is None
    assert load.load_bytes(b"a: 1\n", "f.yaml").data == {"a": 1}



@pytest.mark.parametrize("text, holds", [
    ("a: 短文本\nb: 2024-01-02\nc: 12\n", False),
    ("a: 联系电话 13912345678\n", True),  # a value
    ("a:\n  - x\n  - 电话139 1234 5678\n", True),  # inside a list
    ("n: 13912345678\n", True),  # an integer as large as a mobile number
    ("n: 1391234567\n", False),  # one digit short
    ("a: {b: 13912345678}\n", True),  # declined (flow), the scan looks
    ("'13912345678': x\n", True),  # a key
    ("a: ３５０５８２１９９００３０７７７３Ｘ\n", True),  # full-width digits
])
def test_the_fast_reading_says_when_the_privacy_scan_must_look(text, holds):
    fast, slow, taken = both(text.encode())
    assert fast.digits == holds
    assert fast.digits or not privacy.scan(slow.data)


def test_a_mobile_number_read_the_fast_way_is_still_refused(tmp_path):
    from duban.records.kinds import load_registry
    from duban.records.validate.files import FileChecker

    folder = tmp_path / "records" / "cases" / "disputes"
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    seed = sorted((ROOT / "records" / "cases" / "disputes").glob("*.yaml"))[0]
    text = seed.read_text(encoding="utf-8")
    bad = folder / seed.name
    bad.write_text(text.replace("\nsummary: ", "\nsummary: 当事人电话13912345678，", 1), encoding="utf-8")
    assert fastyaml.read(bad.read_text(encoding="utf-8")) is not None  # the fast way reads it
    checked = FileChecker(tmp_path, load_registry(tmp_path / "schemas")).check(bad)
    assert [p.code for p in checked.problems] == ["privacy-mobile"] and not checked.valid
