"""Shared pytest options."""


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the expected blocks of tests/golden/*.golden from the engine's output (review the diff)",
    )
