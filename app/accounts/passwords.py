"""Password hashing (Argon2id via argon2-cffi) and password policy."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from ..domain.errors import N_

# OWASP's recommended Argon2id setting (Password Storage Cheat Sheet: 46 MiB, one pass, one lane).
# Each application has its own hasher, from ARGON2_* (app/config.py); this one serves outside one.
_DEFAULT = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)
_EXTENSION = "jx_password_hasher"


def configure(app, time_cost: int | None = None, memory_cost: int | None = None,
              parallelism: int | None = None) -> None:
    """The Argon2id parameters of the application's new hashes (ARGON2_TIME_COST, ARGON2_MEMORY_KIB,
    ARGON2_PARALLELISM; tests use cheap ones). A stored hash made with other parameters still
    verifies, and is made again with these at the user's next sign-in (`needs_rehash`)."""
    app.extensions[_EXTENSION] = PasswordHasher(time_cost=time_cost or 1, memory_cost=memory_cost or 47104,
                                                parallelism=parallelism or 1)


def _hasher() -> PasswordHasher:
    from flask import current_app, has_app_context
    return current_app.extensions.get(_EXTENSION, _DEFAULT) if has_app_context() else _DEFAULT


MIN_LENGTH = 8
# Beside zxcvbn's own lists (30,000 common passwords, names, words, keyboard patterns): Chinese
# favourites it does not know, refused whatever their length.
COMMON = frozenset("""
123456 1234567 12345678 123456789 1234567890 password password1 password123 qwerty qwerty123
qwertyuiop 11111111 00000000 88888888 66666666 12341234 abc12345 abcd1234 a1234567 iloveyou
admin123 admin1234 administrator welcome1 passw0rd p@ssw0rd 1q2w3e4r 1qaz2wsx zxcvbnm123
woaini1314 5201314520 123123123 147258369 987654321 111111111 letmein1 changeme jiangxuan
""".split())


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_nobody: dict[tuple, str] = {}  # the hasher's parameters → a hash of a password nobody has


def verify_nobody(password: str) -> None:
    """For a user name nobody has: spend the time of a real verification (the configured
    parameters), so that the answer's timing does not tell which names exist."""
    hasher = _hasher()
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)
    made = _nobody.get(key)
    if made is None:
        made = _nobody[key] = hasher.hash("not-a-real-password-" + secrets.token_hex(8))
    verify_password(made, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, username: str = "") -> str | None:
    """A message id describing why the password is refused, or None. Beyond the length, zxcvbn
    (Dropbox's estimator, with its 30,000 most common passwords and its patterns) judges how
    guessable it is: a score below 2 ("too guessable": under ~10^6 guesses) is refused."""
    if len(password or "") < MIN_LENGTH:
        return N_("The password must have at least 8 characters.")
    if len(password) > 128:
        return N_("The password must have at most 128 characters.")
    if password.lower() in COMMON or (username and password.lower() == username.lower()):
        return N_("This password is too common; choose another.")
    if zxcvbn(password, user_inputs=[username] if username else [])["score"] < 2:
        return N_("This password is too easy to guess (a common word, name, date or keyboard pattern); choose a longer or less predictable one.")
    return None
