"""Password hashing (Argon2id via argon2-cffi) and password policy."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from ..domain.errors import N_

_hasher = PasswordHasher()


def configure(time_cost: int | None = None, memory_cost: int | None = None) -> None:
    """Tune Argon2 (tests use cheap parameters; production keeps argon2-cffi's defaults)."""
    global _hasher
    if time_cost or memory_cost:
        _hasher = PasswordHasher(time_cost=time_cost or 2, memory_cost=memory_cost or 65536)
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
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


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
