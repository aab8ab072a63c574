"""Secret detection: provider patterns, secret-looking names, the documented entropy threshold, and what is not a secret."""

from __future__ import annotations

import pytest
from cases import AWS_KEY, GITHUB_TOKEN, RANDOM_40

from nb2prod.lint import secrets


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (f"key={AWS_KEY}", "AWS access key"),
        (f"Authorization: token {GITHUB_TOKEN}", "GitHub token"),
        ("xox" + "b-1234567890-abcdefghij", "Slack token"),
        ("https://hooks.slack.com/services/" + "T0000/B0000/XXXXXXXX", "Slack webhook"),
        ("sk_" + "live_" + "a1B2c3D4e5F6g7H8i9J0k1L2", "Stripe key"),
        ("AIza" + "Sy" + "A" * 33, "Google API key"),
        ("-----BEGIN RSA " + "PRIVATE KEY-----", "private key"),
        ("eyJ" + "hbGciOiJIUzI1NiJ9.eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop", "JWT"),
        ("postgresql://etl:" + "s3cr3tPa55@db:5432/x", "URL password"),
        ("Authorization: Bearer " + RANDOM_40, "bearer token"),
    ],
)
def test_provider_patterns(text: str, label: str) -> None:
    assert secrets.provider(text) == label
    assert secrets.provider(text + " " * 300) == label  # long texts take the literal pre-check path


@pytest.mark.parametrize("text", ["AKIA-not-a-key", "postgresql://etl:${PASSWORD}@db/x", "https://example.com/a:b@c", "ghp_short"])
def test_near_misses_are_not_provider_secrets(text: str) -> None:
    assert secrets.provider(text) is None


@pytest.mark.parametrize("name", ["password", "db_pwd", "apiKey", "API_KEY", "client_secret", "refresh_token", "AWS_SECRET_ACCESS_KEY", "credentials"])
def test_secret_names(name: str) -> None:
    assert secrets.secret_keyword(name)


@pytest.mark.parametrize("name", ["tokenizer", "max_tokens", "password_prompt", "token_column", "secret_name", "key", "monkey", "passenger"])
def test_names_that_are_not_secrets(name: str) -> None:
    assert not secrets.secret_keyword(name)


@pytest.mark.parametrize("value", ["", "xxxx", "<your key>", "${TOKEN}", "changeme", "API_KEY", "Enter the password:"])
def test_placeholders(value: str) -> None:
    assert secrets.placeholder(value)


def test_entropy_threshold_separates_random_keys_from_identifiers() -> None:
    """The documented threshold is 4.5 bits per character over 20+ base64 characters."""
    assert secrets.entropy("aaaa") == 0.0
    assert secrets.entropy("abcd") == 2.0
    assert secrets.entropy(RANDOM_40) >= 4.5
    assert secrets.high_entropy(RANDOM_40, 4.5, 20)
    for ordinary in ("customer_lifetime_value_2024", "averageTransactionValuePerCustomer1", "d41d8cd98f00b204e9800998ecf8427e"):
        assert not secrets.high_entropy(ordinary, 4.5, 20), ordinary
    assert not secrets.high_entropy("123e4567-e89b-12d3-a456-426614174000", 1.0, 20)  # UUIDs are ids
    assert not secrets.high_entropy(RANDOM_40[:19], 1.0, 20)  # shorter than the minimum length


def test_output_text_names_the_key_not_the_value() -> None:
    found = secrets.secret_in_text("settings: {'db_password': 'hunter2!x', 'host': 'db'}")
    assert found == "value of 'db_password'"
    assert secrets.secret_in_text("token_count: 512, password_policy = strict") is None


def test_secret_values_give_the_value_to_move_not_the_whole_text() -> None:
    """What convert redacts: the whole key block, the password of a URL, the token of a Bearer header."""
    pem = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq5\n-----END RSA " + "PRIVATE KEY-----"
    assert secrets.secret_values(f"key:\n{pem}\nend") == [("private key", pem)]
    assert secrets.secret_values("postgresql://etl:" + "s3cr3tPa55@db:5432/x") == [("URL password", "s3cr3tPa55")]
    assert secrets.secret_values(f"-H 'Authorization: Bearer {RANDOM_40}'") == [("bearer token", RANDOM_40)]
    assert secrets.secret_values("db password: Tr0ub4dor&3x") == [("value of 'password'", "Tr0ub4dor&3x")]
    for not_a_value in ("password = getpass.getpass()", "token = os.environ['T']", "password = my_password_var", "Bearer authentication"):
        assert secrets.secret_values(not_a_value) == [], not_a_value


@pytest.mark.parametrize(
    ("name", "value", "label"),
    [
        ("MAPS", "AIza" + "Sy" + "A" * 33, "Google API key"),
        ("api_key", "q8Zr4Lm2Xv9Tn5Bw", "secret"),
        ("Authorization", "Bearer " + RANDOM_40, "bearer token"),
        ("signing_blob", RANDOM_40, "high-entropy string"),
        ("region", "eu-west-1", None),
        ("password", "<your password>", None),
    ],
)
def test_named_secret_is_lints_rule(name: str, value: str, label: str | None) -> None:
    """convert and lint judge a named string the same way."""
    assert secrets.named_secret(name, value) == label
