"""The seeded fuzzer in CI (tests/fuzz_inputs.py): a few hundred fuzzed inputs for lint, convert and check.

Every run must end with exit status 0, 1 or 2, no traceback, the input unchanged, no staging
directory left behind, and (for convert's exit 0) a package whose files compile.
``python benchmarks/fuzz.py`` runs thousands of the same cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz_inputs import run_case

#: (command, number of seeds): lint and check are fast, convert costs ~0.3-1 s a case (more with stdlib source)
BUDGET = (("lint", 300), ("convert", 20), ("check", 60))


@pytest.mark.parametrize(("command", "count"), BUDGET, ids=[c for c, _ in BUDGET])
def test_fuzzed_inputs_never_break_the_promises(tmp_path: Path, command: str, count: int) -> None:
    problems = []
    statuses = set()
    for seed in range(count):
        outcome = run_case(command, seed, tmp_path / "cases" / f"{command}-{seed}", timeout=60)
        statuses.add(outcome.status)
        if outcome.problem:
            problems.append(f"{command} seed {seed}: {outcome.problem}")
    assert problems == []
    assert len(statuses) > 1  # the fuzzer reaches more than one outcome: it is not testing nothing
