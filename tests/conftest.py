import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


def make_repo(target: Path, *overlays: Path) -> Path:
    """A small repository: the shipped schemas, the base fixture records, then overlays."""
    shutil.copytree(ROOT / "schemas", target / "schemas")
    shutil.copytree(CASES / "base" / "records", target / "records")
    for overlay in overlays:
        for src in overlay.rglob("*"):
            if src.is_file() and src.name != "expected.txt":
                dest = target / src.relative_to(overlay)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
    return target


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo")
