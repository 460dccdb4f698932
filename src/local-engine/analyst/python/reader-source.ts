/**
 * The Python that reads a shared table, defined at the top of every load cell (so "Show code" shows all of it).
 * It sniffs what a person would check by eye: the encoding, the delimiter, a title line above the header, each
 * column's decimal and thousands marks and date order — from the values themselves, with the file's other
 * columns as the tie-breaker — and reports every judgement it made, marking the ones the values leave open.
 * Tables become compact (repeated texts as categories, whole numbers in 32 bits); one too big to hold even so is
 * read again chunk by chunk for every question (`source.chunks()`).
 */

export const READER_SOURCE = String.raw`
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


# --- Tables ------------------------------------------------------------------------------------------------------


def sample_values(values):
    """The distinct texts of a sampled column (a few hundred tell as much as thousands)."""
    return pd.Series(list(dict.fromkeys(str(v).strip() for v in values))[:500], dtype=object)


def file_hint(records, delimiter):
    """Which decimal mark the file's numbers use, judged from every column of the sample."""
    comma = point = 0
    for column in zip(*records[1:]) if len(records) > 1 else []:
        text = undecorate(sample_values(column))
        c, p = decimal_evidence(number_shapes(text), np.ones(len(text), dtype="int64"))
        comma, point = comma + c, point + p
    if comma and not point:
        return {"decimal": ",", "certain": True}
    if point and not comma:
        return {"decimal": ".", "certain": True}
    return {"decimal": "," if delimiter == ";" else ".", "certain": False}


def native_number(values, hint):
    """Sampled texts the C parser reads as numbers exactly as meant (no separators, no leading zeros)."""
    text = sample_values(values)
    text = text[~text.str.lower().isin(NA_WORDS)]
    if text.empty:
        return False
    shapes = number_shapes(text)
    if (shapes["int"] & text.str.match(r"^[+-]?0\d")).any():
        return False
    plain = shapes["int"] | ((shapes["dot"] & ~shapes["dot3"]) | shapes["exp"])
    if hint["decimal"] == "," or not hint["certain"]:
        plain = shapes["int"] | (shapes["dot"] & ~shapes["dot3"] & (hint["decimal"] == ".")) | shapes["exp"]
    return bool(plain.all())


def available_bytes():
    """Memory this interpreter may still use: its address-space limit less what it has, else free memory."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status") as f:
        used = int(re.search(r"VmSize:\s+(\d+)", f.read()).group(1)) * 1024
    with open("/proc/meminfo") as f:
        free = int(re.search(r"MemAvailable:\s+(\d+)", f.read()).group(1)) * 1024
    return min(free, soft - used) if soft != resource.RLIM_INFINITY else free


class TableSource:
    """Where a table comes from and how its columns are read, so it can be read again in chunks."""

    def __init__(self, path, options=None):
        self.path = path
        self.options = dict(options or {})
        self.decisions = {}
        self.chunk_rows = int(self.options.get("chunk_rows", CHUNK_ROWS))
        self.varied = set()
        self.forced = set()  # columns to read as text: they looked like plain numbers but are not
        self.facts = {"path": path, "size": os.path.getsize(path)}

    def sniff(self):
        with open(self.path, "rb") as f:
            head = f.read(SAMPLE_BYTES)
        self.encoding, encoding_note = sniff_encoding(head)
        text = head.decode(self.encoding, errors="replace")
        cut = len(head) == SAMPLE_BYTES
        self.delimiter = sniff_delimiter(text, cut)
        records = sample_records(text, self.delimiter, cut) or [[]]
        self.bytes_per_row = max(1.0, len(head) / max(1, len(records)))
        # A title or a note above the header: the header is the first line as wide as most lines.
        widths = pd.Series([len(r) for r in records[:2000]])
        width = int(widths.mode().iloc[0]) if len(widths) else 0
        self.skip = next((i for i, r in enumerate(records[:10]) if len(r) == width), 0)
        records = records[self.skip : self.skip + 2001]
        header = [str(v).strip() for v in records[0]]
        # No header at all: the first line holds dates or decimal numbers, not names.
        value_like = r"^[+-]?\d*[.,]\d+$"
        self.has_header = not any(
            re.match(value_like, h) or any(re.match(p, h, re.IGNORECASE) for p in FAMILIES.values()) for h in header
        )
        self.names = clean_names(header if self.has_header else [""] * len(header))
        rows = records[1:] if self.has_header else records
        self.hint = file_hint([header] + rows, self.delimiter)
        columns = [[r[i] for r in rows if i < len(r)] for i in range(len(self.names))]
        self.native = {name: native_number(values, self.hint) for name, values in zip(self.names, columns)}
        # Texts that mostly differ (ids, names) are read as plain text: a category per row only costs time.
        self.varied = {name for name, values in zip(self.names, columns) if len(values) > 100 and len(set(values)) > 0.5 * len(values)}
        self.facts.update(
            encoding=encoding_note, delimiter=self.delimiter, skipped_lines=self.skip, header=self.has_header
        )

    def reader(self, chunksize=None):
        # Texts come as categories: each distinct value is parsed once, and repeated ones take no memory.
        dtypes = {
            name: str if name in self.varied else "category"
            for name in self.names
            if not self.native.get(name) or name in self.forced
        }
        return pd.read_csv(
            self.path,
            sep=self.delimiter,
            encoding=self.encoding,
            encoding_errors="replace",
            skiprows=self.skip,
            header=0 if self.has_header else None,
            names=self.names,
            dtype=dtypes,
            skip_blank_lines=True,
            chunksize=chunksize,
            low_memory=False,
            on_bad_lines="warn",
        )

    def read_all(self):
        """All rows as pandas reads them, counting lines with too many fields (which it skips)."""
        messages = io.StringIO()
        with contextlib.redirect_stderr(messages):
            frame = self.reader()
        self.facts["bad_lines"] = self.facts.get("bad_lines", 0) + messages.getvalue().count("Skipping line")
        return frame

    def read(self, chunksize):
        """The rows chunk by chunk, counting skipped lines as they come."""
        chunks = self.reader(chunksize)
        while True:
            messages = io.StringIO()
            with contextlib.redirect_stderr(messages):
                chunk = next(chunks, None)
            self.facts["bad_lines"] = self.facts.get("bad_lines", 0) + messages.getvalue().count("Skipping line")
            if chunk is None:
                return
            yield chunk

    def convert(self, chunk, first):
        """Converts one chunk as decided (deciding on the first), counting values that could not be read."""
        for name in chunk.columns:
            column = chunk[name]
            if column.dtype != object and column.dtype.name != "category":
                continue
            if name not in self.decisions:
                if not first and self.native.get(name):
                    # A column that looked like plain numbers holds something else further down.
                    self.forced.add(name)
                    raise ValueError("reread")
                self.decisions[name] = decide_column(column, self.hint, self.options)
            decision = self.decisions[name]
            values, unread, evidence = apply_decision(column, decision)
            if contradicted(decision, evidence):
                self.options["dayfirst"] = decision["order"] == "MDY"
                raise ValueError("reread")
            decision["unread_rows"] = decision.get("unread_rows", 0) + unread
            chunk[name] = values
        empty = empty_rows(chunk)
        self.facts["blank_rows"] = self.facts.get("blank_rows", 0) + int(empty.sum())
        chunk = chunk[~empty].copy() if empty.any() else chunk
        return whole_numbers(chunk, [n for n, d in self.decisions.items() if d["as"] == "number"])

    def chunks(self):
        """The table's rows, converted, chunk by chunk."""
        for chunk in self.read(self.chunk_rows):
            yield self.convert(chunk, first=False)


def combine(chunks):
    """One frame from converted chunks; text columns that repeat become categories."""
    if len(chunks) == 1:
        return chunks[0]
    columns = {}
    for name in chunks[0].columns:
        parts = [c[name] for c in chunks]
        if all(p.dtype.name == "category" for p in parts):
            columns[name] = pd.api.types.union_categoricals(parts)
        else:
            columns[name] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


def whole_numbers(frame, names):
    """Numbers read from text that are all whole (counts, quantities) as integers."""
    for name in names:
        column = frame[name]
        if column.dtype.kind == "f" and len(column) and column.notna().all():
            if (column == np.round(column)).all() and column.abs().max() < 2**53:
                frame[name] = column.astype("int64")
    return frame


def compact(frame):
    """Repeated texts as categories, whole numbers in 32 bits when they fit: the same values, less memory."""
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object and len(column) and column.head(20000).nunique(dropna=True) <= max(50, 0.5 * min(len(column), 20000)):
            frame[name] = column.astype("category")
        elif column.dtype.kind == "i" and column.dtype.itemsize > 4 and len(column):
            if column.min() >= -(2**31) and column.max() < 2**31:
                frame[name] = column.astype("int32")
    return frame


class StreamStats:
    """What a profile needs, gathered chunk by chunk when a table is too big to hold."""

    LIMIT = 1000

    def __init__(self):
        self.rows = 0
        self.columns = {}

    def add(self, chunk):
        self.rows += len(chunk)
        for name in chunk.columns:
            column = chunk[name]
            s = self.columns.setdefault(name, {"dtype": str(column.dtype), "missing": 0, "counts": {}, "many": False})
            s["missing"] += int(column.isna().sum())
            present = column.dropna()
            if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
                if len(present):
                    s["min"] = min(s.get("min", np.inf), present.min())
                    s["max"] = max(s.get("max", -np.inf), present.max())
                    s["sum"] = s.get("sum", 0.0) + float(present.sum())
                    s["n"] = s.get("n", 0) + len(present)
                    if s["dtype"].startswith("int") and column.dtype.kind == "f":
                        s["dtype"] = "float64"
            elif pd.api.types.is_datetime64_any_dtype(column):
                if len(present):
                    s["min"] = min(s.get("min", present.min()), present.min())
                    s["max"] = max(s.get("max", present.max()), present.max())
                    s["resolution"] = max(s.get("resolution", 0), resolution_rank(present))
            if not s["many"]:
                for value, count in present.astype(str).value_counts().items():
                    s["counts"][value] = s["counts"].get(value, 0) + int(count)
                if len(s["counts"]) > self.LIMIT:
                    s["many"], s["counts"] = True, {}

    def describe(self):
        out = []
        for name, s in self.columns.items():
            unique = StreamStats.LIMIT + 1 if s["many"] else len(s["counts"])
            info = {"name": name, "dtype": s["dtype"], "missing": s["missing"], "unique": unique}
            if "sum" in s:
                info.update(min=plain(s["min"]), max=plain(s["max"]), mean=s["sum"] / s["n"], sum=s["sum"])
            elif "resolution" in s:
                info.update(min=plain(s["min"]), max=plain(s["max"]), resolution=RESOLUTIONS[s["resolution"]])
            elif not s["many"] and unique <= 100:
                ranked = sorted(s["counts"].items(), key=lambda item: -item[1])
                info["values"] = [str(v)[:200] for v, _ in ranked]
            out.append(info)
        return out


RESOLUTIONS = ["year", "month", "day", "time"]


def resolution_rank(dates):
    """The finest unit dates use: 0 year (all on 1 January), 1 month, 2 day, 3 time."""
    dates = dates.dropna()
    if not (dates == dates.dt.normalize()).all():
        return 3
    if (dates.dt.dayofyear == 1).all():
        return 0
    return 1 if (dates.dt.day == 1).all() else 2


def plain(value):
    """A JSON-friendly version of a pandas or numpy scalar."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).isoformat()
    return value.item() if hasattr(value, "item") else value


def empty_rows(frame):
    """Rows with no value at all; typed columns are asked first, so texts are looked at only on those rows."""
    empty = np.ones(len(frame), dtype=bool)
    for name in sorted(frame.columns, key=lambda n: frame[n].dtype == object):
        column = frame[name]
        empty[empty] = column[empty].isna().to_numpy() if column.dtype == object else column.isna().to_numpy()[empty]
        if not empty.any():
            break
    return empty


def drop_empty(frame, facts, rows=True):
    """Rows with no value at all, and unnamed columns with no value, are not part of the table."""
    if rows:
        empty = empty_rows(frame)
        facts["blank_rows"] = facts.get("blank_rows", 0) + int(empty.sum())
        frame = frame[~empty]
    dropped = [n for n in frame.columns if re.fullmatch(r"column \d+", str(n)) and frame[n].isna().all()]
    facts["dropped"] = facts.get("dropped", []) + dropped
    return frame.drop(columns=dropped).reset_index(drop=True)


def convert_objects(frame, facts, options):
    """Text columns of a workbook or JSON file read as dates or numbers where their values are."""
    texts = [pd.Series(frame[n].dropna().astype(str).head(2000).tolist()) for n in frame.columns if frame[n].dtype == object]
    comma = point = 0
    for text in texts:
        c, p = decimal_evidence(number_shapes(undecorate(text.str.strip())), np.ones(len(text), dtype="int64"))
        comma, point = comma + c, point + p
    hint = {"decimal": "," if comma > point else ".", "certain": bool(comma) != bool(point)}
    decisions = {}
    for name in frame.columns:
        if frame[name].dtype != object:
            continue
        decision = decide_column(frame[name], hint, options)
        values, unread, _ = apply_decision(frame[name], decision)
        decision["unread_rows"] = unread
        frame[name] = values
        decisions[name] = decision
    facts["columns"] = decisions
    return frame, [n for n, d in decisions.items() if d["as"] == "number"]


def read_delimited(path, options):
    """A CSV or text table; big files are read in chunks, and streamed when even compact they would not fit."""
    source = TableSource(path, options)
    source.sniff()
    for _ in range(3):
        source.decisions, source.facts["blank_rows"], source.facts["bad_lines"] = {}, 0, 0
        try:
            frame, stats = read_rows(source)
            break
        except ValueError as error:
            if str(error) != "reread":
                raise
    source.facts["columns"] = source.decisions
    if frame is not None:
        frame = drop_empty(frame, source.facts, rows=False)  # empty rows went chunk by chunk
    else:
        source.facts["dropped"] = [n for n, s in stats.columns.items() if re.fullmatch(r"column \d+", n) and s["missing"] == stats.rows]
    return frame, source, stats


def read_rows(source):
    # "stream" and "chunk_rows" read even a small table the way a too-big one is read (for tests).
    streaming = bool(source.options.get("stream"))
    if source.facts["size"] < CHUNKED_FROM_BYTES and not streaming:
        return compact(source.convert(source.read_all(), first=True)), None
    budget = 0 if streaming else 0.4 * available_bytes()
    kept, held, stats, first = [], 0, None, True
    for chunk in source.read(source.chunk_rows):
        chunk = compact(source.convert(chunk, first))
        held += chunk.memory_usage(deep=True).sum()
        if first:
            # The whole table, compact, judged from its first chunk.
            estimate = held * source.facts["size"] / (len(chunk) * source.bytes_per_row + 1)
            first = False
        else:
            estimate = held
        if stats is None and estimate > budget:
            stats = StreamStats()
            for part in kept:
                stats.add(part)
            kept = []
        if stats is not None:
            stats.add(chunk)
        else:
            kept.append(chunk)
    if stats is not None:
        source.facts["streamed"] = True
        return None, stats
    return compact(combine(kept)) if kept else pd.DataFrame(columns=source.names), None


def pick_sheet(book, wanted):
    """The sheet asked for, else the first that holds a table (two columns and a row at least)."""
    if wanted is not None:
        return wanted
    for name in book.sheet_names:
        head = book.parse(sheet_name=name, nrows=5)
        if head.shape[1] >= 2 and len(head.dropna(how="all")) >= 1:
            return name
    return book.sheet_names[0]


def read_table(path, sheet=None, options=None):
    """Reads a table and says how: returns the frame (None when it is streamed), its source and how it was read."""
    options = dict(options or {})
    extension = path.rsplit(".", 1)[-1].lower()
    if extension in ("csv", "txt", "tsv", "tab"):
        frame, source, stats = read_delimited(path, options)
        facts = source.facts
    else:
        source, stats = None, None
        facts = {"path": path, "size": os.path.getsize(path)}
        if extension in ("xlsx", "xlsm"):
            book = pd.ExcelFile(path)
            facts["sheets"] = book.sheet_names
            facts["sheet"] = pick_sheet(book, sheet)
            frame = book.parse(sheet_name=facts["sheet"])
        elif extension in ("jsonl", "ndjson"):
            frame = pd.read_json(path, lines=True)
        else:
            with open(path, encoding="utf-8-sig") as f:
                frame = pd.json_normalize(json.load(f))
        frame.columns = clean_names(frame.columns)
        frame, numbers = convert_objects(frame, facts, options)
        frame = compact(whole_numbers(drop_empty(frame, facts), numbers))
    return frame, source, stats, facts


def describe_column(column):
    category = column.dtype.name == "category"
    unique = int((column.cat.codes[column.cat.codes >= 0]).nunique()) if category else int(column.nunique())
    info = {"name": column.name, "dtype": str(column.dtype), "missing": int(column.isna().sum()), "unique": unique}
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        info.update(min=plain(column.min()), max=plain(column.max()), mean=plain(column.mean()), sum=plain(column.sum()))
    elif pd.api.types.is_datetime64_any_dtype(column):
        distinct_dates = pd.Series(column.dropna().unique())
        info.update(min=plain(column.min()), max=plain(column.max()), resolution=RESOLUTIONS[resolution_rank(distinct_dates)])
    elif unique <= 100:
        counts = column.value_counts() if category else column.dropna().astype(str).value_counts()
        info["values"] = [str(v)[:200] for v, n in counts.items() if n > 0]
    return info


def public(decision):
    return {k: v for k, v in decision.items() if k not in ("family",)}


def table_profile(frame, stats, facts):
    """The JSON profile the analyst plans from, with how the file was read."""
    reading = {k: v for k, v in facts.items() if k not in ("path", "columns")}
    dropped = facts.get("dropped", [])
    reading["columns"] = {n: public(d) for n, d in facts.get("columns", {}).items() if n not in dropped}
    if frame is not None:
        rows, columns = len(frame), [describe_column(frame[n]) for n in frame.columns]
        sample = json.loads(frame.head(5).to_json(orient="split", date_format="iso", default_handler=str))
    else:
        rows, columns = stats.rows, [c for c in stats.describe() if c["name"] not in facts.get("dropped", [])]
        sample = {"columns": [c["name"] for c in columns], "data": []}
    return {"file": facts["path"], "rows": rows, "columns": columns, "sample": sample, "reading": reading}
`;
