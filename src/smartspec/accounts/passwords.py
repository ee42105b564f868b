"""Passwords: Argon2id through argon2-cffi (the reference implementation's bindings), and random tokens.

Passwords are never logged or stored: only the Argon2 hash (PHC string with its salt and parameters).
Session and API tokens are 256-bit random strings; being high-entropy, a plain SHA-256 of them is enough at rest.
"""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from smartspec.errors import InputError

TOKEN_PREFIX = "ss_"  # marks smartspec API tokens, so secret scanners and people can recognise them


@functools.cache
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults are RFC 9106's second recommended profile (t=3, 64 MiB, p=4).
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    return _hasher().check_needs_rehash(stored)


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against when the username is unknown, so a wrong username takes as long as a wrong
    password (the time would otherwise tell which usernames exist)."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise InputError(f"the password is too short ({len(password)} characters) / salasana on liian lyhyt",
                         hint=f"use at least {min_length} characters, e.g. a few unrelated words")  # fmt: skip
    if password != password.strip():
        raise InputError("the password starts or ends with white space / salasanan alussa tai lopussa on tyhjää",
                         hint="remove the spaces (often a pasted line break)")  # fmt: skip


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
