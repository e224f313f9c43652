"""How a nightly run shows its progress: bars on a terminal, one plain line per step otherwise."""

from collections.abc import Callable
from datetime import date
from typing import Any

from rich.progress import Progress, TaskID

from hub.nightly.service import STEPS, describe


class LineReporter:
    """One line per finished step, with its duration and counts (for pipes, cron and logs)."""

    def __init__(self, emit: Callable[[str], None], day: date) -> None:
        self.emit = emit
        self.day = day

    def started(self, step: str) -> None:
        pass

    def advanced(self, step: str, done: int) -> None:
        pass

    def finished(self, step: str, status: str, seconds: float, counts: dict[str, Any]) -> None:
        what = f" ({describe(counts)})" if counts else ""
        position = STEPS.index(step) + 1
        self.emit(
            f"nightly {self.day.isoformat()} step {position}/{len(STEPS)} {step}: "
            f"{status} in {seconds:.1f} s{what}"
        )


class BarReporter:
    """A rich progress bar per step; the relink bar counts the signals it has worked through."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {
            step: progress.add_task(f"{step}: waiting", total=1, start=False) for step in STEPS
        }

    def started(self, step: str) -> None:
        task = self.tasks[step]
        self.progress.update(task, description=f"{step}: running", total=None)
        self.progress.start_task(task)

    def advanced(self, step: str, done: int) -> None:
        self.progress.update(self.tasks[step], completed=done, description=f"{step}: {done:,}")

    def finished(self, step: str, status: str, seconds: float, counts: dict[str, Any]) -> None:
        what = f" ({describe(counts)})" if counts else ""
        self.progress.update(
            self.tasks[step],
            description=f"{step}: {status} in {seconds:.1f} s{what}",
            total=1,
            completed=1,
        )
