"""An independent, pure-Python reference implementation of the normalization and roll-up rules of issue 2.

Written from the issue text ("Normalization before hashing", event_id, value/num_items, contents, currency,
rejections), not from the SQL. Where the issue is silent, the choice documented by the dbt project is taken and
marked "(project choice)". The tests compare the dbt models against these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_TWO_LETTERS = re.compile(r"[a-z]{2}")
_THREE_LETTERS = re.compile(r"[A-Z]{3}")


# --- the shared building blocks -----------------------------------------------------------------------------


def trim(value: str) -> str:
    """All leading and trailing whitespace: Python's notion (tabs, newlines, U+00A0, U+2000..U+200A, U+3000...)."""
    return value.strip()


def is_prehashed(value: str) -> bool:
    return _HEX64.fullmatch(value) is not None


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_value(normalized: str | None) -> str | None:
    """SHA-256 of a normalized value; an already 64-hex value is lowercased and passed through."""
    if normalized is None or normalized == "":
        return None
    if is_prehashed(normalized):
        return normalized.lower()
    return sha256_hex(normalized)


def lower(text: str) -> str:
    """Unicode simple case mapping, character by character, as SQL engines do it.

    Python's str.lower() is context-sensitive (a final capital sigma becomes "ς", elsewhere "σ") and maps U+0130
    to two characters; a hash must not depend on that, so "lowercase" here means each character's own
    lowercase form (U+0130 "İ" -> "i", its simple mapping)."""
    return "".join("i" if c == "\u0130" else c.lower() for c in text)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _prehashed_or_none(value: str | None) -> tuple[bool, str | None]:
    """(True, lowercased digest) for a pre-hashed value; (False, trimmed text or None) otherwise."""
    if value is None:
        return False, None
    t = trim(value)
    if is_prehashed(t):
        return True, t.lower()
    return False, t


# --- one function per field: plaintext after normalization (or the pre-hashed digest), None when absent -----


def normalize_email(value: str | None) -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    t = lower(t)
    if t.count("@") != 1 or any(c.isspace() for c in t):
        return None
    local, domain = t.split("@")
    if local == "" or "." not in domain:  # "something before the @" (project choice: looks like an address)
        return None
    return t


def _effective_country(country_alpha2: str | None, default_country: str | None) -> str | None:
    return country_alpha2 if country_alpha2 is not None else default_country


def normalize_phone(value: str | None, country_alpha2: str | None, default_country: str | None = "us") -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    digits = "".join(c for c in t if c in "0123456789").lstrip("0")
    if len(digits) == 10 and _effective_country(country_alpha2, default_country) in ("us", "ca"):
        digits = "1" + digits
    return digits if 8 <= len(digits) <= 15 else None


def normalize_name(value: str | None) -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    return _nfc(lower(t)) or None


_GENDERS = {
    "f": "f", "female": "f", "woman": "f",
    "m": "m", "male": "m", "man": "m",
    "n": "n", "non-binary": "n", "nonbinary": "n", "non binary": "n",
}


def normalize_gender(value: str | None) -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    return _GENDERS.get(lower(t))


def normalize_birthdate(value: dt.date | None, as_of: dt.date) -> str | None:
    if value is None or value < dt.date(1900, 1, 1) or value > as_of:
        return None
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def normalize_city(value: str | None) -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    return "".join(c for c in _nfc(lower(t)) if c.isalpha()) or None


US_STATES = {
    "alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca", "colorado": "co",
    "connecticut": "ct", "delaware": "de", "florida": "fl", "georgia": "ga", "hawaii": "hi", "idaho": "id",
    "illinois": "il", "indiana": "in", "iowa": "ia", "kansas": "ks", "kentucky": "ky", "louisiana": "la",
    "maine": "me", "maryland": "md", "massachusetts": "ma", "michigan": "mi", "minnesota": "mn",
    "mississippi": "ms", "missouri": "mo", "montana": "mt", "nebraska": "ne", "nevada": "nv",
    "new hampshire": "nh", "new jersey": "nj", "new mexico": "nm", "new york": "ny", "north carolina": "nc",
    "north dakota": "nd", "ohio": "oh", "oklahoma": "ok", "oregon": "or", "pennsylvania": "pa",
    "rhode island": "ri", "south carolina": "sc", "south dakota": "sd", "tennessee": "tn", "texas": "tx",
    "utah": "ut", "vermont": "vt", "virginia": "va", "washington": "wa", "west virginia": "wv",
    "wisconsin": "wi", "wyoming": "wy", "district of columbia": "dc",
}
CANADIAN_PROVINCES = {
    "alberta": "ab", "british columbia": "bc", "manitoba": "mb", "new brunswick": "nb",
    "newfoundland and labrador": "nl", "nova scotia": "ns", "ontario": "on", "prince edward island": "pe",
    "quebec": "qc", "québec": "qc", "saskatchewan": "sk", "northwest territories": "nt", "nunavut": "nu",
    "yukon": "yt",
}


def normalize_state(value: str | None) -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    key = _nfc(" ".join(lower(t).split()))
    if _TWO_LETTERS.fullmatch(key):
        return key
    return US_STATES.get(key) or CANADIAN_PROVINCES.get(key)


def normalize_postal(value: str | None, country_alpha2: str | None, default_country: str | None = "us") -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    if _effective_country(country_alpha2, default_country) == "us":
        digits = "".join(c for c in t if c in "0123456789")
        return digits[:5].rjust(5, "0") if digits else None
    return "".join(c for c in lower(t) if c.isalnum()) or None


# The countries the sample data spells (alpha-2 -> alpha-3 and English names), plus the aliases the issue names.
COUNTRIES = {
    "us": ("usa", ["united states", "united states of america"]),
    "ca": ("can", ["canada"]),
    "gb": ("gbr", ["united kingdom", "united kingdom of great britain and northern ireland"]),
    "de": ("deu", ["germany"]),
    "fr": ("fra", ["france"]),
    "jp": ("jpn", ["japan"]),
    "br": ("bra", ["brazil"]),
    "mx": ("mex", ["mexico"]),
    "au": ("aus", ["australia"]),
    "es": ("esp", ["spain"]),
    "it": ("ita", ["italy"]),
    "nl": ("nld", ["netherlands"]),
}
_COUNTRY_LOOKUP = {"uk": "gb"}
for _a2, (_a3, _names) in COUNTRIES.items():
    _COUNTRY_LOOKUP[_a2] = _a2
    _COUNTRY_LOOKUP[_a3] = _a2
    for _n in _names:
        _COUNTRY_LOOKUP[_n] = _a2
# Strings that are certainly no country (used by the generator as junk).
NOT_COUNTRIES = {"narnia", "xx", "??", "1", ""}


def normalize_country(value: str | None) -> str | None:
    """Alpha-2, lowercase. Defined for the spellings in COUNTRIES and NOT_COUNTRIES (raises for others)."""
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    key = _nfc(" ".join(lower(t).split()))
    if key in _COUNTRY_LOOKUP:
        return _COUNTRY_LOOKUP[key]
    if key in NOT_COUNTRIES:
        return None
    raise KeyError(f"reference has no ruling on country {value!r}")


def normalize_external_id(value: str | None) -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    return t or None


def normalize_maid(value: str | None) -> str | None:
    done, t = _prehashed_or_none(value)
    if done or t is None:
        return t
    return lower(t) or None


# ISO 4217 codes in use (plus precious metals / funds codes count as ISO 4217 too, but are not listed here).
ISO_4217 = set(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD
    CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD
    HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL
    LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
    TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL""".split()
)


def normalize_currency(value: str | None) -> str | None:
    """Trimmed, uppercased per character (None when empty); validity is `currency_is_valid`."""
    if value is None:
        return None
    return "".join(u if len(u := c.upper()) == 1 else c for c in trim(value)) or None


def currency_is_well_formed(code: str) -> bool:
    return _THREE_LETTERS.fullmatch(code) is not None


def currency_is_valid(code: str) -> bool:
    return currency_is_well_formed(code) and code in ISO_4217


# --- customers -> hashed user data ---------------------------------------------------------------------------

USER_FIELDS = ("em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id", "hashed_maids")


def normalize_customer(row: Mapping[str, Any], as_of: dt.date, default_country: str | None = "us") -> dict:
    """One customer_360 row -> the normalized plaintext per user-data field (None when absent)."""
    country = normalize_country(row["country"])
    country_alpha2 = country if country is not None and len(country) == 2 else None
    return {
        "em": normalize_email(row["email"]),
        "ph": normalize_phone(row["phone"], country_alpha2, default_country),
        "fn": normalize_name(row["given_name"]),
        "ln": normalize_name(row["surname"]),
        "ge": normalize_gender(row["gender"]),
        "db": normalize_birthdate(row["birthdate"], as_of),
        "ct": normalize_city(row["city"]),
        "st": normalize_state(row["state"]),
        "zp": normalize_postal(row["postal"], country_alpha2, default_country),
        "country": country,
        "external_id": normalize_external_id(row["customer_id"]),
        "hashed_maids": normalize_maid(row.get("maid")),
    }


@dataclass
class Customer:
    user_data: dict[str, list[str]]
    opt_out: bool
    limited_data_processing: bool

    @property
    def has_identifier(self) -> bool:
        """Offline events need an email or a mobile ad id (IP + user agent do not exist offline)."""
        return bool(self.user_data["em"] or self.user_data["hashed_maids"])


def customers_by_id(rows: Iterable[Mapping[str, Any]], as_of: dt.date, default_country: str | None = "us") -> dict:
    """amperity_id (trimmed) -> Customer; rows sharing an id merge into lists of distinct sorted digests."""
    merged: dict[str, dict[str, set[str]]] = {}
    flags: dict[str, list[bool]] = {}
    for row in rows:
        key = trim(row["amperity_id"]) if row["amperity_id"] is not None else ""
        if not key:
            continue
        fields = merged.setdefault(key, {f: set() for f in USER_FIELDS})
        for name, plain in normalize_customer(row, as_of, default_country).items():
            digest = hash_value(plain)
            if digest is not None:
                fields[name].add(digest)
        f = flags.setdefault(key, [False, False])
        f[0] = f[0] or bool(row.get("opt_out"))
        f[1] = f[1] or bool(row.get("limited_data_processing"))
    return {
        key: Customer({n: sorted(v) for n, v in fields.items()}, flags[key][0], flags[key][1])
        for key, fields in merged.items()
    }


# --- orders -> events or rejections --------------------------------------------------------------------------


def epoch_seconds(ts: dt.datetime) -> int:
    """Whole Unix seconds, fractions dropped (floor); a naive timestamp is UTC."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.timezone.utc)
    delta = ts - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return delta.days * 86400 + delta.seconds  # microseconds dropped: floor, also before 1970


def event_id(order_id: str, event_name: str, event_time: int) -> str:
    return sha256_hex(f"{order_id}|{event_name}|{event_time}")


def _text(value: str | None) -> str | None:
    return (trim(value) or None) if value is not None else None


@dataclass
class Expected:
    order_id: str | None
    reason: str | None  # None: the order becomes an event
    event_time: int | None = None
    event_id: str | None = None
    value: Decimal | None = None
    num_items: int | None = None
    currency: str | None = None
    contents: list[dict] = field(default_factory=list)
    customer: Customer | None = None


# Reason codes in the order they are checked (project choice for the codes and the precedence; the issue lists
# "no usable identifier, missing or future event time, invalid currency, negative value").
REASONS = (
    "missing_order_id",
    "conflicting_customers",
    "missing_event_time",
    "future_event_time",
    "invalid_currency",
    "conflicting_currencies",
    "negative_value",
    "no_user_identifier",
)


def expected_events(
    transactions: Sequence[Mapping[str, Any]],
    items: Sequence[Mapping[str, Any]],
    customers: Mapping[str, Customer],
    *,
    as_of: dt.datetime,
    event_name: str = "checkout",
    default_currency: str | None = None,
) -> list[Expected]:
    """Every input order (and every transaction row without an order id) with its fate."""
    as_of_epoch = epoch_seconds(as_of)
    contents: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        oid = _text(item["order_id"])
        if oid is None or item["is_return"] or item["is_cancellation"]:
            continue
        contents[oid].append(
            {
                "id": _text(item["product_id"]),
                "item_name": _text(item["item_name"]),
                "item_category": _text(item["item_category"]),
                "item_brand": _text(item["item_brand"]),
                "item_price": item["item_price"],
                "quantity": item["item_quantity"],
            }
        )

    by_order: dict[str, set[tuple]] = defaultdict(set)
    out: list[Expected] = []
    for row in transactions:
        oid = _text(row["order_id"])
        if oid is None:
            out.append(Expected(order_id=None, reason="missing_order_id"))
            continue
        # rows identical after trimming (and upper-casing the currency) are one row
        by_order[oid].add(
            (
                _text(row["amperity_id"]),
                row["order_datetime"],
                row["order_revenue"],
                row["order_quantity"],
                normalize_currency(row["currency"]),
            )
        )

    for oid, rows in by_order.items():
        amperity_ids = {r[0] for r in rows if r[0] is not None}
        times = [r[1] for r in rows if r[1] is not None]
        revenues = [r[2] for r in rows if r[2] is not None]
        quantities = [r[3] for r in rows if r[3] is not None]
        currencies = {r[4] for r in rows if r[4] is not None}
        lines = contents.get(oid, [])
        value = sum(revenues, Decimal(0)) if revenues else (
            sum((c["item_price"] * c["quantity"] for c in lines), Decimal(0)) if lines else None
        )
        num_items = sum(quantities) if quantities else (sum(c["quantity"] for c in lines) if lines else None)
        event_time = epoch_seconds(min(times)) if times else None
        customer = customers.get(next(iter(amperity_ids))) if len(amperity_ids) == 1 else None
        if len(currencies) == 1:
            currency = next(iter(currencies))
        else:
            currency = default_currency
        checks = {
            "conflicting_customers": len(amperity_ids) > 1,
            "missing_event_time": event_time is None,
            "future_event_time": event_time is not None and event_time > as_of_epoch,
            "invalid_currency": any(not currency_is_valid(c) for c in currencies),
            "conflicting_currencies": len(currencies) > 1,
            "negative_value": value is not None and value < 0,
            "no_user_identifier": customer is None or not customer.has_identifier,
        }
        reason = next((r for r in REASONS if checks.get(r)), None)
        out.append(
            Expected(
                order_id=oid,
                reason=reason,
                event_time=event_time,
                event_id=event_id(oid, event_name, event_time) if event_time is not None else None,
                value=value,
                num_items=num_items,
                currency=currency,
                contents=lines,
                customer=customer,
            )
        )
    return out
