"""The deployment's own secret, `PARTNERBOT_SECRET_KEY`, and everything keyed with it: the hashes
that tell two anonymous answers by one person apart, the MAC on search snapshots, and the
encryption of Slack tokens at rest. Never the Slack signing secret, which every collaborator on
the Slack app can read.

Several keys may be given, newest first, for rotation: new hashes, signatures and ciphertexts use
the newest; every key is still accepted when reading, until `partnerbot rotate-keys` has rewritten
what the older ones made. Each use has its own key, derived with HKDF, so a key leaking from one
use (a token's ciphertext, say) says nothing about another."""

import base64
import hashlib
import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_LENGTH = 32  # characters: `openssl rand -hex 32` gives 64
HOW_TO_MAKE = "make one with `openssl rand -hex 32` and keep it with your other secrets"
SEALED = "pbk1:"  # what every encrypted value starts with (a plain token never does)

# what each derived key is for; changing a label changes every value made with it
ANSWERS, SNAPSHOTS, TOKENS = b"anonymous answers", b"search snapshots", b"tokens at rest"


class SecretKeyError(ValueError):
    """A missing, short or unusable PARTNERBOT_SECRET_KEY; the message says what to do."""


def parse_keys(raw: str | Sequence[str] | None) -> tuple[str, ...]:
    """The keys in PARTNERBOT_SECRET_KEY, newest first: comma-separated, spaces ignored."""
    if raw is None:
        return ()
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    return tuple(part.strip() for part in parts if part.strip())


def check_keys(keys: Sequence[str]) -> None:
    """Raise SecretKeyError unless there is at least one key and every key is long enough."""
    if not keys:
        raise SecretKeyError(f"PARTNERBOT_SECRET_KEY is not set: {HOW_TO_MAKE}.")
    short = [number for number, key in enumerate(keys, 1) if len(key) < MIN_LENGTH]
    if short:
        which = "it is" if len(keys) == 1 else f"key {short[0]} of {len(keys)} is"
        raise SecretKeyError(
            f"PARTNERBOT_SECRET_KEY is too short ({which} under {MIN_LENGTH} characters): "
            f"{HOW_TO_MAKE}."
        )


def _derive(key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"partnerbot", info=purpose).derive(
        key.encode()
    )


@dataclass(frozen=True)
class Keyring:
    """The deployment's keys, newest first, and what each use derives from them."""

    keys: tuple[str, ...]
    _derived: dict[bytes, tuple[bytes, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        check_keys(self.keys)

    def __repr__(self) -> str:  # never print a key, even in a traceback's locals
        return f"Keyring({len(self.keys)} key{'s' if len(self.keys) != 1 else ''})"

    def derived(self, purpose: bytes) -> tuple[bytes, ...]:
        """This use's key from each secret, newest first."""
        if purpose not in self._derived:
            self._derived[purpose] = tuple(_derive(key, purpose) for key in self.keys)
        return self._derived[purpose]

    # -- hashes and signatures ----------------------------------------------------------------
    def digests(self, purpose: bytes, message: "bytes | tuple[bytes, ...]") -> tuple[str, ...]:
        """HMAC-SHA256 of `message` (or of its parts end to end, never joined: a snapshot is
        100 MB) under each key, newest first: write the first, accept any."""
        return tuple(self._digests(purpose, message))

    def _digests(self, purpose: bytes, message: "bytes | tuple[bytes, ...]") -> Iterator[str]:
        parts = message if isinstance(message, tuple) else (message,)
        for key in self.derived(purpose):
            mac = hmac.new(key, digestmod=hashlib.sha256)
            for part in parts:
                mac.update(part)
            yield mac.hexdigest()

    def sign(self, purpose: bytes, message: "bytes | tuple[bytes, ...]") -> str:
        """The newest key's signature."""
        return next(self._digests(purpose, message))

    def verify(self, purpose: bytes, message: "bytes | tuple[bytes, ...]", signature: str) -> bool:
        """Whether any key made `signature` (compared in constant time)."""
        return any(hmac.compare_digest(signature, d) for d in self._digests(purpose, message))

    # -- encryption at rest -------------------------------------------------------------------
    def _fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in self.derived(TOKENS)])

    def seal(self, value: str | None) -> str | None:
        """`value` encrypted and authenticated with the newest key (None stays None; a value
        already sealed is left as it is)."""
        if value is None or value.startswith(SEALED):
            return value
        return SEALED + self._fernet().encrypt(value.encode()).decode()

    def unseal(self, value: str | None) -> str | None:
        """The plain value of something `seal` made with any of the keys. A value stored before
        encryption came in (no prefix) is returned as it is, until rotate-keys seals it."""
        if value is None or not value.startswith(SEALED):
            return value
        try:
            return self._fernet().decrypt(value[len(SEALED) :].encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                "a stored token was encrypted with a key that PARTNERBOT_SECRET_KEY no longer "
                "has: put the old key back after the new one, run `partnerbot rotate-keys`, "
                "then remove it"
            ) from None

    def reseal(self, value: str | None) -> str | None:
        """`value` sealed with the newest key, whatever key (or none) sealed it before; the
        same string if the newest key sealed it already."""
        if value is not None and value.startswith(SEALED):
            newest = Fernet(base64.urlsafe_b64encode(self.derived(TOKENS)[0]))
            try:
                newest.decrypt(value[len(SEALED) :].encode())
                return value
            except InvalidToken:
                pass
        return self.seal(self.unseal(value))
