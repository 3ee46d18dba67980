"""Property test: the normalization macros, compiled once through dbt, agree with the Python reference on arbitrary
Unicode input (whitespace of every kind, NBSP, combining marks, 64-hex strings, e-mail and phone shapes)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from . import reference as ref

P = "pinterest_conversions."
# one column per rule; v is the text input, c a normalized alpha-2 country (or null), d a date
EXPRESSIONS = {
    "em": f"{P}normalize_email('v')",
    "ph": f"{P}normalize_phone('v', 'c')",
    "name": f"{P}normalize_name('v')",
    "ge": f"{P}normalize_gender('v')",
    "ct": f"{P}normalize_city('v')",
    "zp": f"{P}normalize_postal('v', 'c')",
    "st": f"{P}normalize_state_code('v')",
    "external_id": f"{P}normalize_external_id('v')",
    "maid": f"{P}normalize_maid('v')",
    "currency": f"{P}normalize_currency('v')",
    "db": f"{P}normalize_birthdate('d', \"cast('2026-01-31' as date)\")",
    "hash_v": f"{P}hash_pii('v')",
}
# Each example is a batch of inputs run through the compiled SQL in one query in an in-memory DuckDB (binding the
# big expression costs ~0.1 s, evaluating it nearly nothing), so 100 examples check a few thousand values.
SETTINGS = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
HASHED = ["em", "ph", "name", "ge", "ct", "zp", "external_id", "maid"]


@pytest.fixture(scope="module")
def compiled_sql(dbt_project) -> str:
    columns = [f"{{{{ {expr} }}}} as {name}" for name, expr in EXPRESSIONS.items()]
    columns += [f"{{{{ {P}hash_pii({P}{EXPRESSIONS[name][len(P):]}) }}}} as {name}_hash" for name in HASHED]
    inline = "select i, " + ", ".join(columns) + " from input_values"
    result = dbt_project.invoke("compile", "--log-level", "none", "--inline", inline)
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code


class Engine:
    """Runs the compiled SQL in an in-memory DuckDB, `input_values` being rows of bound parameters."""

    def __init__(self, sql: str):
        assert sql.rstrip().endswith("from input_values"), sql[-200:]
        self.con = duckdb.connect()
        self.sql = sql.rstrip()[: -len("input_values")] + (
            "(select unnest(range(len($v))) as i, unnest($v::varchar[]) as v, unnest($c::varchar[]) as c,"
            " unnest($d::date[]) as d) as input_values order by i"
        )

    def run(self, rows: list[tuple[str | None, str | None, dt.date | None]]) -> list[dict]:
        v, c, d = (list(x) for x in zip(*rows))
        cur = self.con.execute(self.sql, {"v": v, "c": c, "d": d})
        names = [x[0] for x in cur.description]
        out = [dict(zip(names, r)) for r in cur.fetchall()]
        assert [o["i"] for o in out] == list(range(len(rows)))
        return out


@pytest.fixture(scope="module")
def engine(compiled_sql) -> Engine:
    return Engine(compiled_sql)


SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2003\u2009\u200a\u2028\u2029\u202f\u205f\u3000\x1c\x1f"
# text of every kind except NUL (engines and drivers treat it as a terminator)
ANY_CHAR = st.characters(blacklist_categories=("Cs", "Cn"), blacklist_characters="\x00")
pieces = st.one_of(
    st.text(ANY_CHAR, max_size=8),
    st.text(st.sampled_from(SPACES), min_size=1, max_size=3),
    st.text(st.sampled_from("\u0301\u0308\u0327\u0303\u030a\u0331"), min_size=1, max_size=2),  # combining marks
    st.text(st.sampled_from("0123456789abcdefABCDEF"), min_size=64, max_size=64),  # pre-hashed digests
    st.sampled_from(["@", ".", "@@", "+1 (415) 555-0100", "00 44 20 7946 0958", "St. Louis", "EC3N 4AB",
                     "94107-1234", "Non Binary", "FEMALE", "José", "Zoë", "İstanbul", "ΟΔΥΣΣΕΥΣ", "usd", "ß"]),
    st.text(st.sampled_from("abcXYZ019-_.@ "), max_size=12),
)
TEXT = st.lists(pieces, max_size=5).map("".join)
COUNTRY = st.sampled_from([None, "us", "ca", "gb", "de"])


def _check_hashed(out: dict, name: str, want: str | None) -> None:
    assert out[name] == want, (name, out[name], want)
    assert out[f"{name}_hash"] == ref.hash_value(want), (name, out[f"{name}_hash"])


def _check_text(out: dict, v: str | None, c: str | None) -> None:
    _check_hashed(out, "em", ref.normalize_email(v))
    _check_hashed(out, "ph", ref.normalize_phone(v, c))
    _check_hashed(out, "name", ref.normalize_name(v))
    _check_hashed(out, "ge", ref.normalize_gender(v))
    _check_hashed(out, "ct", ref.normalize_city(v))
    _check_hashed(out, "zp", ref.normalize_postal(v, c))
    _check_hashed(out, "external_id", ref.normalize_external_id(v))
    _check_hashed(out, "maid", ref.normalize_maid(v))
    # the macro covers the two-letter (and pre-hashed) part; full names are a seed join, checked on the model
    want_state = ref.normalize_state(v)
    code_part = want_state is not None and (ref.is_prehashed(want_state) or ref.lower(ref.trim(v)) == want_state)
    assert out["st"] == (want_state if code_part else None), ("st", out["st"])
    currency = ref.normalize_currency(v)
    assert out["currency"] == (currency if currency and ref.currency_is_well_formed(currency) else None)
    if v:  # hash_pii is applied to normalized values, which are never empty
        assert out["hash_v"] == ref.hash_value(v), ("hash_pii", out["hash_v"])


EXAMPLES = [
    (" Jane.Doe@Example.COM\u00a0", None),
    ("\t+1 (415) 555-0100\n", "us"),
    ("415-555-0100", "gb"),
    ("ÉMILE\u3000", None),
    ("Jose\u0301", None),
    ("A" * 64, None),
    (" " + "Ab" * 32 + "\u00a0", "us"),
    ("ΑΣ", None),  # final sigma: "lowercase" is per character (see reference.lower)
    ("İstanbul", None),
    ("2134", "us"),
    ("EC3N 4AB", "gb"),
    ("\u2003St. Louis", None),
    (" non binary ", None),
    (" eur ", None),
    ("ßad", None),
    ("", None),
    (None, None),
]


def test_documented_examples(engine):
    outs = engine.run([(v, c, None) for v, c in EXAMPLES])
    for (v, c), out in zip(EXAMPLES, outs):
        _check_text(out, v, c)
    by_input = {v: o for (v, _), o in zip(EXAMPLES, outs)}
    assert by_input[" Jane.Doe@Example.COM\u00a0"]["em"] == "jane.doe@example.com"
    assert by_input["\t+1 (415) 555-0100\n"]["ph"] == "14155550100"
    assert by_input["2134"]["zp"] == "02134"
    assert by_input["EC3N 4AB"]["zp"] == "ec3n4ab"
    assert by_input["\u2003St. Louis"]["ct"] == "stlouis"
    assert by_input["A" * 64]["em_hash"] == "a" * 64


@SETTINGS
@given(rows=st.lists(st.tuples(st.one_of(st.none(), TEXT), COUNTRY), min_size=1, max_size=40))
def test_text_rules_agree_with_the_reference(engine, rows):
    for (v, c), out in zip(rows, engine.run([(v, c, None) for v, c in rows])):
        try:
            _check_text(out, v, c)
        except AssertionError as exc:
            raise AssertionError(f"input {v!r} (country {c!r}): {exc}") from None


DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
                  st.dates(min_value=dt.date(1899, 12, 1), max_value=dt.date(1900, 1, 31)),
                  st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 2, 28)))


@SETTINGS
@given(dates=st.lists(DATES, min_size=1, max_size=40))
def test_birthdate_rule_agrees_with_the_reference(engine, dates):
    for d, out in zip(dates, engine.run([(None, None, d) for d in dates])):
        assert out["db"] == ref.normalize_birthdate(d, dt.date(2026, 1, 31)), d
