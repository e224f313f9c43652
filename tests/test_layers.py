"""The layering contracts in pyproject.toml ([tool.importlinter]), run as part of the suite.

No package imports another's routes (only hub.app assembles them), the UI calls services and
read models, the kit stands below every domain package, the linker does not use the proposals
package, and the pure cores import neither FastAPI nor SQLAlchemy.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = result.stdout + result.stderr
    # The broken contract's name and the offending import chains, as lint-imports prints them.
    broken = report[report.find("Broken contracts") :] if "Broken contracts" in report else report
    assert result.returncode == 0, broken
    assert "0 broken" in report and "KEPT" in report, report
