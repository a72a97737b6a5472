"""Target identifiers: normalise each kind to one canonical form, then blind it. Pure.

Imports only the standard library and data libraries (phonenumbers, python-stdnum), never
Flask, SQLAlchemy or `core`. A clear value lives only as long as one call: nothing here keeps,
logs or repeats it (error messages never quote the value).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumValidationError


class Kind(StrEnum):
    """The kinds of target identifier."""

    PHONE = "phone"
    PASSPORT = "passport"
    ID_DOCUMENT = "id_document"
    VEHICLE = "vehicle"
    PERSON = "person"
    ORGANISATION = "organisation"
    VESSEL = "vessel"
    EMAIL = "email"
    IBAN = "iban"
    OTHER = "other"


class InvalidIdentifier(ValueError):
    """The value is not a valid identifier of its kind; the message never quotes the value."""

    def __init__(self, message: str, *, field: str = "value") -> None:
        super().__init__(message)
        self.field = field


MAX_VALUE_LENGTH = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _letters_and_digits(value: str) -> str:
    """NFKC, upper case, only letters, digits (and the marks that belong to letters) of any
    script: a Thai plate keeps its Thai letters and vowel signs."""
    text = unicodedata.normalize("NFKC", value).upper()
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNM")
    # Dropping a separator can bring a mark beside a letter: compose again.
    return unicodedata.normalize("NFKC", kept).upper()


def _name_tokens(value: str) -> str:
    """NFKD, accents removed, case-folded, non-letters to spaces, tokens sorted."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold()
    spaced = "".join(ch if ch.isalpha() else " " for ch in folded)
    return " ".join(sorted(spaced.split()))


def _imo(value: str) -> str:
    """Seven digits whose last is the check digit: sum(d_i * (7 - i)) for i < 6, mod 10."""
    text = unicodedata.normalize("NFKC", value).upper().replace(" ", "")
    if text.startswith("IMO"):
        text = text[3:]
    if not re.fullmatch(r"[0-9]{7}", text):
        raise InvalidIdentifier("an IMO number has 7 digits, e.g. IMO 9074729")
    digits = [int(d) for d in text]
    if sum(d * (7 - i) for i, d in enumerate(digits[:6])) % 10 != digits[6]:
        raise InvalidIdentifier("the IMO check digit does not match")
    return text


def _phone(value: str, region: str | None) -> str:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidIdentifier(
            "not a phone number (give it in international format, or national format "
            "for the owning state)") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier("not a valid phone number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise(kind: Kind | str, value: str, *, region: str | None = None) -> str:
    """The canonical form of `value` as an identifier of `kind`.

    `region` is the owning state's ISO 3166-1 alpha-2 code, used for national phone numbers.
    """
    kind = Kind(kind)
    if not isinstance(value, str) or not value.strip():
        raise InvalidIdentifier("a value is required")
    if len(value) > MAX_VALUE_LENGTH:
        raise InvalidIdentifier(f"at most {MAX_VALUE_LENGTH} characters")
    if kind is Kind.PHONE:
        result = _phone(value, region)
    elif kind in (Kind.PASSPORT, Kind.ID_DOCUMENT, Kind.VEHICLE):
        result = _letters_and_digits(value)
    elif kind in (Kind.PERSON, Kind.ORGANISATION):
        result = _name_tokens(value)
    elif kind is Kind.VESSEL:
        result = _imo(value)
    elif kind is Kind.EMAIL:
        result = value.strip().lower()
        if not _EMAIL.match(result):
            raise InvalidIdentifier("not an e-mail address")
    elif kind is Kind.IBAN:
        try:
            result = stdnum_iban.validate(value)
        except StdnumValidationError as error:
            raise InvalidIdentifier("not a valid IBAN (wrong format or checksum)") from error
    else:
        result = value.strip().casefold()
    if not result:
        raise InvalidIdentifier("nothing identifying is left after normalisation")
    return result


def normalise_dob(value: str) -> str:
    """A date of birth as YYYY-MM-DD (a real calendar date)."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise InvalidIdentifier("give the date of birth as YYYY-MM-DD", field="dob")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as error:
        raise InvalidIdentifier("not a calendar date (YYYY-MM-DD)", field="dob") from error


def period_key(blinding_key: bytes, period_id: int) -> bytes:
    """The key of one period, derived from the secret blinding key."""
    return hmac.new(blinding_key, f"jpa-period:{period_id}".encode(), hashlib.sha256).digest()


def blind(key: bytes, kind: Kind | str, normalised: str) -> str:
    """HMAC-SHA256(period key, kind ":" normalised value), hex."""
    message = f"{Kind(kind).value}:{normalised}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class BlindedTarget:
    """What the register keeps of a target: kind, blinded value, blinded dob, owner's label."""

    kind: Kind
    blind: str
    dob_blind: str | None
    label: str


def blind_target(key: bytes, *, kind: Kind | str, value: str, label: str,
                 dob: str | None = None, region: str | None = None) -> BlindedTarget:
    """Normalise and blind one target; the clear value goes no further than this call."""
    kind = Kind(kind)
    normalised = normalise(kind, value, region=region)
    dob_blind = None
    if dob:
        if kind is not Kind.PERSON:
            raise InvalidIdentifier("only a person has a date of birth", field="dob")
        dob_blind = blind(key, "other", "dob:" + normalise_dob(dob))
    return BlindedTarget(kind, blind(key, kind, normalised), dob_blind, label)
