"""Shared pieces of the demo generator: random streams and dates, the phrase files,
the kind registry, the record collector and the YAML text of a record."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml
from duban.engine.workdays import is_workday
from duban.periods import period_of
from duban.records.kinds import Kind, Registry, load_registry
from duban.records.write import record_text

#: First line of every file written by :func:`duban_demo.write.write_records`.
HEADER = "# 演示数据（虚构），不对应真实事项\n"

#: Issue date of 泉台委办〔2023〕46号, the default start of the demo period.
PLAN_START = date(2023, 6, 7)

#: Default end of the benchmark period (about three and a half years).
BENCH_END = date(2026, 11, 20)

#: The largest sequence number of a case id (four digits).
MAX_SEQUENCE = 9999

#: The kinds the generator writes (their folders are the ones ``demo --prune`` cleans).
GENERATED_KINDS = ("update", "meeting", "dispute", "hazard", "risk_assessment")

ONE = timedelta(days=1)


@cache
def phrases(name: str) -> dict:
    """The phrase table ``duban_demo/phrases/<name>.yaml``, read once."""
    text = files("duban_demo").joinpath("phrases", f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


#: The schemas of the checkout this package lives in: the default kinds.yaml.
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@cache
def default_registry() -> Registry:
    """The registry of the checkout's schemas/kinds.yaml, read once."""
    return load_registry(SCHEMAS)


def registry_for(root: Path) -> Registry:
    """The registry of the repository at ``root``, or the checkout's when it has no schemas/kinds.yaml."""
    schemas = Path(root) / "schemas"
    return load_registry(schemas) if (schemas / "kinds.yaml").is_file() else default_registry()


def registry_kind(registry: Registry, name: str) -> Kind:
    """The kind ``name`` of the registry (kinds.yaml); ValueError when it is not there."""
    try:
        return registry.kinds[name]
    except KeyError:
        raise ValueError(f"{registry.root / 'kinds.yaml'} 中没有类别 {name}，无法生成演示数据") from None


# --------------------------------------------------------------------------
# random streams, dates and units


def as_date(value) -> date | None:
    """A date from a date, datetime or ISO string; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def rng_for(seed: int, *parts) -> random.Random:
    """An independent, reproducible random stream for one named part of the output."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


def days_between(a: date, b: date) -> int:
    return (b - a).days


def rand_date(rng: random.Random, lo: date, hi: date) -> date:
    """A uniformly chosen date in [lo, hi] (lo if the range is empty)."""
    if hi <= lo:
        return lo
    return lo + timedelta(days=int(rng.random() * ((hi - lo).days + 1)))


def pick(rng: random.Random, seq):
    """rng.choice, faster (one C call): the case builders run 100,000 times."""
    return seq[int(rng.random() * len(seq))]


def randint(rng: random.Random, a: int, b: int) -> int:
    """rng.randint, faster (one C call)."""
    return a + int(rng.random() * (b - a + 1))


def weighted(items):
    """(values, cumulative weights) of [(value, weight), ...], for :func:`pick_weighted`."""
    values = [v for v, _ in items]
    weights = [w for _, w in items]
    cum = []
    total = 0
    for w in weights:
        total += w
        cum.append(total)
    return values, cum


def pick_weighted(rng: random.Random, values, cum):
    """A value drawn with cumulative weights ``cum``."""
    return values[bisect_right(cum, rng.random() * cum[-1])]


def working_day(d: date) -> bool:
    return is_workday(d)[0]


def workday_in(rng: random.Random, lo: date, hi: date) -> date:
    """A working day (Monday to Friday, fixed holidays excluded) in [lo, hi], or any day."""
    if hi < lo:
        return lo
    days = [lo + timedelta(days=i) for i in range(days_between(lo, hi) + 1)]
    work = [d for d in days if working_day(d)]
    return rng.choice(work or days)


def office_day(rng: random.Random, d: date, lo: date, hi: date, off_share: float) -> date:
    """The day a case reaches an office drawn near ``d``: kept when it is a working day;
    on a day off kept with probability ``off_share`` (a hotline call, a visit to the
    综治中心 on duty), else moved to the next working day (the previous one past ``hi``),
    staying within [lo, hi]."""
    if working_day(d) or rng.random() < off_share:
        return d
    for step in (ONE, -ONE):
        day = d + step
        while lo <= day <= hi:
            if working_day(day):
                return day
            day += step
    return d


def calendar_periods(cadence: str, first: date, last: date) -> list[tuple[date, date]]:
    """Calendar periods of ``cadence`` overlapping [first, last], unclipped."""
    out = []
    d = first
    while d <= last:
        period = period_of(cadence, d)
        out.append((period.start, period.end))
        d = period.end + ONE
    return out


def place_name(unit: dict) -> str:
    """Short display name of a town ("洛阳镇"), used as a prefix of generic places."""
    name = str(unit.get("short_name") or unit.get("name") or unit.get("id"))
    for suffix in phrases("units")["name_suffixes"]:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name


def split_units(units: list[dict]) -> tuple[list[dict], list[dict]]:
    """Towns (kind 乡镇) and the other units, each sorted by id."""
    units = sorted((u for u in units if u.get("id")), key=lambda u: str(u["id"]))
    towns = [u for u in units if u.get("kind") == "乡镇"]
    others = [u for u in units if u.get("kind") != "乡镇"]
    return towns, others


def first_available(preferred, available: set[str]) -> str | None:
    for uid in preferred:
        if uid in available:
            return uid
    return None


# --------------------------------------------------------------------------
# output


class Out:
    """Collects records by path (the kind's folder from the registry, then ``stem``),
    adding the "-N" counter on collisions."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.records: dict[str, dict] = {}

    def add(self, kind: str, stem: str, record: dict, id_field: str | None = None) -> None:
        stem = f"{registry_kind(self.registry, kind).folder}/{stem}"
        path = f"{stem}.yaml"
        n = 1
        while path in self.records:
            n += 1
            path = f"{stem}-{n}.yaml"
        if id_field and n > 1:
            record[id_field] = f"{record[id_field]}-{n}"
        self.records[path] = record


def dump(record: dict, kind: Kind, registry: Registry) -> str:
    """A record's text: the header, then duban's canonical form (``duban.records.write``), so that
    ``duban fmt --check`` passes on regenerated data and editors' records look the same."""
    return record_text(kind, registry, record, HEADER[2:].rstrip("\n"))
