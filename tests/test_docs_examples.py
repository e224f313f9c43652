"""Every ```sh block of README.md and docs/*.md, run in order against a live demo hub.

The hub is the newcomer's: `hub serve --demo` in a fresh folder that looks like a clone (the
repository's files linked in, an empty `data/`), on the demo's embedded SQLite database. So this
test runs on SQLite whatever HUB_TEST_DATABASE_URL says; the examples that need PostgreSQL,
Docker, cron, Kubernetes or an OpenID provider say so with a marker on their first line,
`# not-run: <reason>`, and are skipped by name here (never silently).

A file's blocks run in one bash process (`set -euo pipefail`), in order, so a variable set by
one block (a token, a signal id) is there for the next, as in a reader's terminal. The port is
substituted for 127.0.0.1:8000 and this interpreter's bin folder for `.venv/bin/`, and curl
fails on an HTTP error answer (as if called with `--fail-with-body`), so an example that gets a
404 or 400 fails here even where the reader's `curl -s` would print the problem and go on.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BASH = shutil.which("bash") or "/bin/bash"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"^#\s*not-run:\s*(?P<reason>.*)$")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
# Shell blocks are ```sh; any other shell-ish fence would escape this test unseen.
OTHER_SHELLS = {"bash", "shell", "console", "zsh", "shell-session"}
SENTINEL = "@@docs-block@@"


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the block's first line of code
    lang: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def skip_reason(self) -> str | None:
        first = self.code.splitlines()[0] if self.code.strip() else ""
        match = MARKER.match(first.strip())
        return None if match is None else match["reason"].strip()


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, with where each starts."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None or not opening["lang"]:
            i += 1
            continue
        indent = len(opening["indent"])
        start = i + 1
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            i += 1
        code = "\n".join(line[indent:] for line in lines[start:i])
        found.append(Block(path, start + 1, opening["lang"], code))
        i += 1
    return found


def shell_blocks(path: Path) -> list[Block]:
    return [b for b in blocks(path) if b.lang == "sh"]


@dataclass
class DemoHub:
    port: int
    folder: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def demo_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoHub]:
    """`hub serve --demo` on a free port, in a folder shaped like a fresh clone."""
    folder = tmp_path_factory.mktemp("clone")
    for entry in ROOT.iterdir():
        # The reader's own data and virtualenv are not part of a clone.
        if entry.name not in {".venv", "data", ".git", "site"}:
            (folder / entry.name).symlink_to(entry)
    port = free_port()
    # No HUB_* from the developer's shell (a test database, a data folder): the reader has none.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    log = folder / "hub-serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(BIN / "hub"), "serve", "--demo", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                raise AssertionError(f"hub serve --demo exited:\n{log.read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"hub serve --demo did not answer:\n{log.read_text()}")
            time.sleep(0.5)
        yield DemoHub(port, folder, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def script_for(runnable: list[Block], port: int) -> str:
    """One bash script: each block announced by a sentinel line, then run as written."""
    # An HTTP error must fail the example (curl -s alone exits 0 on a 404): every curl fails
    # on a 4xx or 5xx answer here, and prints the problem it got.
    parts = ["set -euo pipefail", 'curl() { command curl --fail-with-body "$@"; }']
    for block in runnable:
        code = block.code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        code = code.replace(".venv/bin/", f"{BIN}/")
        parts += [f"echo '{SENTINEL} {block.where}'", code]
    return "\n".join(parts) + "\n"


def test_every_document_has_the_blocks_this_test_runs() -> None:
    # README.md must be here with its walkthrough, or the test would pass by running nothing.
    assert shell_blocks(ROOT / "README.md"), "README.md has no ```sh block"
    assert len(DOCUMENTS) > 1


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_markers_give_a_reason_and_shell_blocks_are_sh(path: Path) -> None:
    for block in blocks(path):
        assert block.lang not in OTHER_SHELLS, (
            f"{block.where}: a ```{block.lang} block; write shell examples as ```sh so they run"
        )
        if block.lang != "sh":
            continue
        reason = block.skip_reason
        assert reason is None or len(reason.split()) >= 2, (
            f"{block.where}: `# not-run:` needs a reason (what it needs that this test lacks)"
        )
        later = [ln for ln in block.code.splitlines()[1:] if "not-run:" in ln]
        assert not later, f"{block.where}: the not-run marker belongs on the block's first line"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_examples_run_against_a_demo_hub(path: Path, demo_hub: DemoHub) -> None:
    runnable = [b for b in shell_blocks(path) if b.skip_reason is None]
    if not runnable:
        return
    result = subprocess.run(
        [BASH, "-c", script_for(runnable, demo_hub.port)],
        cwd=demo_hub.folder,
        env=demo_hub.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode == 0:
        return
    # The failing block is the last one announced; its output is what follows the announcement.
    _, _, tail = result.stdout.rpartition(SENTINEL)
    where, _, output = tail.strip().partition("\n")
    pytest.fail(
        f"the example at {where or path.name} failed (exit {result.returncode}):\n{output}",
        pytrace=False,
    )
