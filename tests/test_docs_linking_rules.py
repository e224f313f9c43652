"""The documentation's linking rules page is generated from hub.linking.ruleset when the site is
built (docs_hooks/linking_rules.py), so it says what the linker does, in Dutch and English."""

import html
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import yaml

from hub.linking import ruleset

ROOT = Path(__file__).resolve().parent.parent


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "linking_rules", ROOT / "docs_hooks" / "linking_rules.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_holds_every_rule_in_both_languages() -> None:
    described = ruleset.describe()
    page = _hook().render(described)
    assert f"Version **{described['version']}**, sha256 `{described['hash']}`." in page
    for lang in ("nl", "en"):
        assert described["summary"][lang] in page
        for rule in described["rules"]:
            assert f"#### {rule['title'][lang]} {{ #{lang}-{rule['id']} }}" in page
            assert rule["reason"][lang] in page
        for entry in described["key_types"]:
            assert entry["label"][lang] in page
    for release in described["releases"]:
        assert f"| {release['version']} | {release['date']} | `{release['hash']}` |" in page


def test_a_changed_rule_changes_the_page(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hub.linking import rules

    monkeypatch.setattr(rules, "LINK_THRESHOLD", 5.5)
    page = _hook().render(ruleset.describe())
    assert "Waarden (`link-threshold`): `points` 5.5," in page
    assert "Values (`link-threshold`): `points` 5.5," in page


def test_the_site_is_built_with_the_page(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    assert "docs_hooks/linking_rules.py" in config["hooks"]
    assert {"Linking rules (Koppelregels)": "linking-rules.md"} in config["nav"]
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    page = html.unescape((site / "linking-rules" / "index.html").read_text())
    described = ruleset.describe()
    assert described["hash"] in page
    assert re.search(r'<h2 id="nl" lang="nl">', page) and re.search(r'<h2 id="en" lang="en">', page)
    for rule in described["rules"]:
        assert f'id="nl-{rule["id"]}"' in page and f'id="en-{rule["id"]}"' in page
