/**
 * The Python that reads columns of text as what they hold, defined at the top of every load cell (so "Show code"
 * shows all of it): numbers with their decimal and thousands marks, dates with their order of day and month,
 * chosen from the values themselves, with the file's other columns as the tie-breaker, and every judgement
 * reported, marking the ones the values leave open.
 */

export const COLUMN_READER_SOURCE = String.raw`
import codecs
import contextlib
import csv
import io
import json
import os
import re
import resource

import numpy as np
import pandas as pd

SAMPLE_BYTES = 512 * 1024
CHUNK_ROWS = 400_000
CHUNKED_FROM_BYTES = 64 * 1024 * 1024
NA_WORDS = {"", "na", "n/a", "nan", "null", "none", "#n/a", "-nan", "nat"}


def sniff_encoding(head):
    """The text encoding from the first bytes: a byte-order mark, valid UTF-8, or Windows-1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 with a byte-order mark"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16", "UTF-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252", "Windows-1252"
    except UnicodeDecodeError:
        return "latin-1", "Latin-1"


def sample_records(text, delimiter, cut=True):
    records = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
    return records[:-1] if cut and len(records) > 2 else records  # the last one may be cut short


def sniff_delimiter(text, cut):
    """The delimiter that splits most sampled lines into the same number of fields (more fields win ties)."""
    best, best_score = ",", -1.0
    head = text[:65536]
    cut = cut or len(head) < len(text)
    for delimiter in [",", ";", "\t", "|"]:
        try:
            records = sample_records(head, delimiter, cut)[:500]
        except csv.Error:
            continue
        widths = pd.Series([len(r) for r in records])
        if widths.empty or widths.max() < 2:
            continue
        width = int(widths.mode().iloc[0])
        start = next((i for i, w in enumerate(widths[:10]) if w == width), 0)  # a title above the header
        agree = float((widths[start:] == width).mean())
        score = agree * 100 + min(width, 99) / 100
        if width >= 2 and agree >= 0.8 and score > best_score:
            best, best_score = delimiter, score
    return best


def clean_names(names):
    """Stripped, unique column names; blank ones become "column 3"."""
    seen, out = set(), []
    for i, name in enumerate(names):
        name = str(name).strip()
        if not name or name.lower().startswith("unnamed:"):
            name = f"column {i + 1}"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base} ({n})"
        seen.add(name)
        out.append(name)
    return out


# --- Numbers -----------------------------------------------------------------------------------------------------

DECORATION = r"[$€£¥₹%\s\u00a0\u202f'’]|^(?:USD|EUR|GBP|CHF)|(?:USD|EUR|GBP|CHF)$"
SHAPES = {
    "int": r"^[+-]?\d+$",
    "dot3": r"^[+-]?\d{1,3}\.\d{3}$",
    "dot": r"^[+-]?\d*\.\d+$",
    "dot_groups": r"^[+-]?\d{1,3}(?:\.\d{3}){2,}$",
    "comma3": r"^[+-]?\d{1,3},\d{3}$",
    "comma": r"^[+-]?\d*,\d+$",
    "comma_groups": r"^[+-]?\d{1,3}(?:,\d{3}){2,}$",
    "us": r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$",
    "eu": r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$",
    "exp": r"^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$",
}
# The shapes a number may take once the decimal mark is known.
ALLOWED = {
    ".": ["int", "dot", "dot3", "us", "comma3", "comma_groups", "exp"],
    ",": ["int", "comma", "comma3", "eu", "dot3", "dot_groups"],
}


def undecorate(text):
    """Without currency signs, percent signs, spaces and apostrophes; "(12)" as -12."""
    negative = text.str.match(r"^\(.*\)$")
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.replace(DECORATION, "", regex=True)
    return text.where(~negative, "-" + text)


def number_shapes(text):
    return pd.DataFrame({name: text.str.match(pattern) for name, pattern in SHAPES.items()})


def decimal_evidence(shapes, weights):
    """How many values can only be read with a decimal comma, and how many only with a decimal point."""
    comma = (shapes["comma"] & ~shapes["comma3"]) | shapes["eu"] | shapes["dot_groups"]
    point = (shapes["dot"] & ~shapes["dot3"]) | shapes["us"] | shapes["comma_groups"] | shapes["exp"]
    return int(weights[comma.to_numpy()].sum()), int(weights[point.to_numpy()].sum())


def numbers_from_text(text, decimal):
    """Undecorated texts as numbers with the given decimal mark; NaN where a text is not such a number."""
    fits = number_shapes(text)[ALLOWED[decimal]].any(axis=1)
    clean = text.str.replace("," if decimal == "." else ".", "", regex=False)
    if decimal == ",":
        clean = clean.str.replace(",", ".", regex=False)
    return pd.to_numeric(clean.where(fits), errors="coerce").to_numpy(dtype="float64")


def decide_numbers(raw, weights, hint, options):
    """Whether distinct texts are numbers and with which decimal mark: the values decide, else the file."""
    text = undecorate(raw)
    shapes = number_shapes(text)
    comma, point = decimal_evidence(shapes, weights)
    decision = {"as": "number", "decimal": ".", "ambiguous": False}
    grouped3 = shapes["dot3"] | shapes["comma3"]
    if options.get("decimal"):
        decision["decimal"] = options["decimal"]
    elif comma and point:
        return {"as": "text", "mixed_decimals": True}
    elif comma:
        decision["decimal"] = ","
    elif not point and bool(grouped3.any()):
        # Only values like 1.234 or 1,234: the other columns of the file, or its delimiter, tell.
        decision["decimal"] = hint["decimal"]
        decision["ambiguous"] = not hint["certain"]
        decision["example"] = str(raw[grouped3.to_numpy()].iloc[0])
    values = numbers_from_text(text, decision["decimal"])
    present = int(weights.sum())
    unread = int(weights[np.isnan(values)].sum())
    if present == 0 or unread > 0.05 * present:
        return None
    leading_zero = shapes["int"] & text.str.match(r"^[+-]?0\d")
    if bool(leading_zero.any()) and not bool((shapes["dot"] | shapes["comma"]).any()):
        return {"as": "text", "codes": True}  # zip codes and ids keep their leading zeros
    if decision["decimal"] == ",":
        decimals, thousands = shapes["comma"] | shapes["eu"], shapes["dot_groups"] | shapes["eu"] | shapes["dot3"]
    else:
        decimals, thousands = shapes["dot"] | shapes["us"] | shapes["exp"], shapes["comma_groups"] | shapes["us"] | shapes["comma3"]
    decision["decimals"], decision["thousands"] = bool(decimals.any()), bool(thousands.any())
    decision["symbols"] = "".join(sorted(set("".join(raw.str.findall(r"[$€£¥₹%]").str.join("")))))
    decision["unread"] = unread
    return decision


# --- Dates -------------------------------------------------------------------------------------------------------

TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?"
NUMERIC_DATE = r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})" + TIME + r"$"
ISO_DATE = r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + TIME + r"(Z|[+-]\d{2}:?\d{2})?$"
YEAR_MONTH = r"^(\d{4})[-/](\d{1,2})$"
MONTH_NAME = r"^(?=.*\d{4})(?=.*\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?![a-z]))[\w ,./:-]+$"
FAMILIES = {"numeric": NUMERIC_DATE, "iso": ISO_DATE, "year_month": YEAR_MONTH, "month_name": MONTH_NAME}


def assemble(year, month, day, parts):
    """Datetimes from whole-number parts and an optional time; impossible dates (31 February) become NaT."""
    hour = pd.to_numeric(parts[4], errors="coerce").fillna(0)
    meridiem = parts[7].fillna("").str.lower()
    hour = hour.where(~((meridiem == "pm") & (hour < 12)), hour + 12)
    hour = hour.where(~((meridiem == "am") & (hour == 12)), 0)
    frame = pd.DataFrame(
        {
            "year": year,
            "month": month,
            "day": day,
            "hour": hour,
            "minute": pd.to_numeric(parts[5], errors="coerce").fillna(0),
            "second": pd.to_numeric(parts[6], errors="coerce").fillna(0),
        }
    )
    return pd.to_datetime(frame, errors="coerce")


def dates_from_text(text, decision):
    """Texts as datetimes the way the decision reads them; NaT where a text is not such a date."""
    family = decision["family"]
    matches = text.str.match(FAMILIES[family], flags=re.IGNORECASE)
    if family == "numeric":
        parts = text.where(matches).str.extract(NUMERIC_DATE)
        a, b, year = (pd.to_numeric(parts[i], errors="coerce") for i in (0, 2, 3))
        year = year.where(year >= 100, year + np.where(year < 69, 2000, 1900))
        day, month = (a, b) if decision["order"] == "DMY" else (b, a)
        values = assemble(year, month, day, parts)
    elif family == "iso":
        parts = text.where(matches).str.extract(ISO_DATE)
        if decision.get("utc"):
            values = pd.to_datetime(text.where(matches), errors="coerce", utc=True).dt.tz_convert(None)
        else:
            values = assemble(*(pd.to_numeric(parts[i], errors="coerce") for i in (0, 2, 3)), parts)
    elif family == "year_month":
        parts = text.where(matches).str.extract(YEAR_MONTH)
        frame = pd.DataFrame({"year": pd.to_numeric(parts[0]), "month": pd.to_numeric(parts[1]), "day": 1})
        values = pd.to_datetime(frame, errors="coerce")
    else:
        values = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        if matches.any():
            values[matches] = pd.to_datetime(text[matches], errors="coerce")
    return pd.Series(values).where(matches.to_numpy()).to_numpy(dtype="datetime64[ns]")


def order_evidence(text):
    """For numeric dates: whether some value must be day-first, and whether some must be month-first."""
    parts = text.str.extract(NUMERIC_DATE)
    a, b = pd.to_numeric(parts[0], errors="coerce"), pd.to_numeric(parts[2], errors="coerce")
    return bool(((a > 12) & (a <= 31)).any()), bool(((b > 12) & (b <= 31)).any())


def decide_dates(text, weights, hint, options):
    present = int(weights.sum())
    if present == 0:
        return None
    share = {
        name: weights[text.str.match(pattern, flags=re.IGNORECASE).to_numpy()].sum() for name, pattern in FAMILIES.items()
    }
    family = max(share, key=share.get)
    if share[family] < 0.95 * present:
        return None
    decision = {"as": "date", "family": family, "ambiguous": False}
    if family == "numeric":
        day_first, month_first = order_evidence(text[text.str.match(NUMERIC_DATE)])
        if options.get("dayfirst") is not None:
            decision["order"] = "DMY" if options["dayfirst"] else "MDY"
            decision["chosen"] = True
        elif day_first and month_first:
            return {"as": "text", "mixed_date_orders": True}
        elif day_first or month_first:
            decision["order"] = "DMY" if day_first else "MDY"
        else:
            example = str(text[text.str.match(NUMERIC_DATE)].iloc[0])
            dotted = re.match(NUMERIC_DATE, example).group(2) == "."
            decision["order"] = "DMY" if dotted or hint["decimal"] == "," else "MDY"
            decision["ambiguous"] = True
            decision["example"] = example
    elif family == "iso":
        decision["utc"] = bool(text.str.extract(ISO_DATE)[8].notna().any())
    values = dates_from_text(text, decision)
    unread = int(weights[np.isnat(values)].sum())
    if unread > 0.05 * present:
        return None
    decision["unread"] = unread
    return decision


# --- Columns -----------------------------------------------------------------------------------------------------


def distinct(column):
    """Codes, distinct stripped texts and how often each occurs (NA-like words count as missing)."""
    if column.dtype.name == "category":
        codes, uniques = column.cat.codes.to_numpy().astype("int64"), column.cat.categories
    else:
        codes, uniques = pd.factorize(column, sort=False)
    text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(str).str.strip()
    na = text.str.lower().isin(NA_WORDS).to_numpy()
    if na.any():
        codes = np.where(na[np.maximum(codes, 0)] & (codes >= 0), -1, codes)
    weights = np.bincount(codes[codes >= 0], minlength=len(text)).astype("int64")
    return codes, text, weights


def spread(values, codes):
    """Values of the distinct texts, back in row order."""
    out = values[np.maximum(codes, 0)]
    out[codes < 0] = np.datetime64("NaT") if out.dtype.kind == "M" else np.nan
    return out


NUMBER_LIKE = r"^[\s(+-]*(?:USD|EUR|GBP|CHF)?[$€£¥₹]?[\s\u00a0\u202f]*\d[\d.,'’\s\u00a0\u202f]*[%$€£¥₹]?\s*(?:USD|EUR|GBP|CHF)?\)?$"


def mostly(text, pattern, share=0.9):
    """Whether most of (a sample of) the distinct texts match: a cheap look before the full one."""
    sample = text.head(500)
    return len(sample) > 0 and sample.str.match(pattern, flags=re.IGNORECASE).mean() >= share


def decide_column(column, hint, options):
    """How a column of texts is best read: as dates, numbers, or text."""
    if column.dtype == object and len(column) > 20000:
        # A glance at the first values first: names and ids need no pass over every distinct value.
        glance = pd.Series(pd.unique(column.dropna().head(20000)), dtype=object).astype(str).str.strip()
        patterns = [*FAMILIES.values(), NUMBER_LIKE]
        if not any(mostly(glance, pattern, share=0.5) for pattern in patterns):
            return {"as": "text", "as_read": True}
    codes, text, weights = distinct(column)
    decision = None
    if any(mostly(text, pattern) for pattern in FAMILIES.values()):
        decision = decide_dates(text, weights, hint, options)
    if decision is None and mostly(text, NUMBER_LIKE):
        decision = decide_numbers(text, weights, hint, options)
    return decision or {"as": "text"}


def apply_decision(column, decision):
    """The column converted as decided; returns the values, how many could not be read, and order evidence."""
    if decision.get("as_read"):
        return column.to_numpy(dtype=object), 0, None
    codes, text, weights = distinct(column)
    evidence = None
    if len(text) == 0:
        return np.full(len(column), None, dtype=object), 0, None
    if decision["as"] == "date":
        values = dates_from_text(text, decision)
        if decision.get("family") == "numeric":
            evidence = order_evidence(text[weights > 0])
    elif decision["as"] == "number":
        values = numbers_from_text(undecorate(text), decision["decimal"])
    else:
        # Texts equal once stripped ("West", "West ") are one value.
        merged, labels = pd.factorize(text)
        codes = np.where(codes >= 0, merged[np.maximum(codes, 0)], -1)
        values = pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object)).remove_unused_categories()
        return values.reorder_categories(sorted(values.categories, key=str)), 0, None
    unread = int(weights[np.isnan(values) if values.dtype.kind == "f" else np.isnat(values)].sum())
    return spread(values, codes), unread, evidence


def contradicted(decision, evidence):
    """A guessed date order that later rows disprove."""
    if not decision.get("ambiguous") or evidence is None:
        return False
    day_first, month_first = evidence
    return (decision["order"] == "MDY" and day_first) or (decision["order"] == "DMY" and month_first)
`;
