"""The office's declared states, warning levels, colours and thresholds (``schemas/settings.yaml``).

Read once per command; the engine and every output ask these for a state's
label, its level and the level's colour, so an office can rename or recolour
them without code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from duban.records.kinds import Registry, load_registry


@dataclass(frozen=True)
class Settings:
    due_soon_days: int = 7
    upcoming_days: int = 14
    levels: dict = field(default_factory=lambda: {"红": "#c62828", "黄": "#f9a825", "绿": "#2e7d32", "灰": "#757575"})
    states: dict = field(default_factory=dict)  # state -> {"label", "level"}
    escalate: tuple = ()
    area: str = "全部单位"  # what the total of all units is called: 全区, 全县, 全市

    def meaning(self, state: str) -> str:
        """What a state means, for the editor's guide."""
        return self.states.get(state, {}).get("meaning", "")

    def label(self, state: str, task: bool = False) -> str:
        entry = self.states.get(state, {})
        return (task and entry.get("task_label")) or entry.get("label", state)

    def level(self, state: str, days_overdue: int = 0) -> str:
        level = self.states.get(state, {}).get("level", "灰")
        for rule in self.escalate:
            if rule.get("state") == state and days_overdue > int(rule.get("days", 0)):
                level = rule["level"]
        return level

    def colour(self, level: str) -> str:
        return self.levels.get(level, "#757575")


def from_registry(registry: Registry) -> Settings:
    """The settings declared in the registry's ``settings.yaml`` (checked when the registry was loaded)."""
    data = registry.settings
    return Settings(
        due_soon_days=int(data.get("due_soon_days", 7)),
        upcoming_days=int(data.get("upcoming_days", 14)),
        levels=dict(data.get("levels") or Settings().levels),
        states=dict(data.get("states") or {}),
        escalate=tuple(data.get("escalate") or ()),
        area=data.get("area") or Settings.area,
    )


def load_settings(schemas_dir: Path | str) -> Settings:
    """The settings of a schemas folder (reads and checks the declarations)."""
    return from_registry(load_registry(schemas_dir))
