/**
 * The Python that reads a whole table (after the column reader): the encoding, the delimiter, a title line above
 * the header, rows as categories or plain text, workbooks and JSON; compact types; a profile with how the file
 * was read. A table too big to hold even compact is read again chunk by chunk for every question
 * (`source.chunks()`), with what its profile needs gathered on the way.
 */

export const TABLE_READER_SOURCE = String.raw`
# --- Tables ------------------------------------------------------------------------------------------------------


def sample_values(values):
    """The distinct texts of a sampled column (a few hundred tell as much as thousands)."""
    return pd.Series(list(dict.fromkeys(str(v).strip() for v in values))[:500], dtype=object)


class SampledColumn:
    """A column's distinct sampled texts, with their number shapes worked out once (only if they look numeric)."""

    def __init__(self, values):
        self.text = sample_values(values)
        present = self.text[~self.text.str.lower().isin(NA_WORDS)]
        self.present = present
        self.numeric = len(present) > 0 and mostly(present, NUMBER_LIKE, share=0.5)
        self.shapes = number_shapes(undecorate(present)) if self.numeric else None


def file_hint(columns, delimiter):
    """Which decimal mark the file's numbers use, judged from every column of the sample."""
    comma = point = 0
    for column in columns:
        if column.numeric:
            c, p = decimal_evidence(column.shapes, np.ones(len(column.present), dtype="int64"))
            comma, point = comma + c, point + p
    if comma and not point:
        return {"decimal": ",", "certain": True}
    if point and not comma:
        return {"decimal": ".", "certain": True}
    return {"decimal": "," if delimiter == ";" else ".", "certain": False}


def native_number(column, hint):
    """Sampled texts the C parser reads as numbers exactly as meant (no separators, no leading zeros)."""
    text, shapes = column.present, column.shapes
    if not column.numeric or text.empty:
        return False
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


# From this size, texts that differ on most rows (ids, names) are read when a question needs them: parsing
# them is most of the cost of reading a table, and most questions group and add up the other columns.
DEFER_FROM_BYTES = 8 * 1024 * 1024


def plain_text(column):
    """Sampled values that are neither numbers nor dates, however written."""
    return not column.numeric and not any(mostly(column.present, pattern, share=0.5) for pattern in FAMILIES.values())


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
        # The first 128 KB hold a couple of thousand rows: enough to judge, and cheap to split.
        part = text[:131072]
        records = sample_records(part, self.delimiter, cut or len(part) < len(text)) or [[]]
        self.bytes_per_row = max(1.0, len(part.encode(self.encoding, errors="replace")) / max(1, len(records)))
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
        columns = [[r[i] for r in rows if i < len(r)] for i in range(len(self.names))]
        sampled = [SampledColumn(values) for values in columns]
        self.hint = file_hint(sampled, self.delimiter)
        self.native = {name: native_number(column, self.hint) for name, column in zip(self.names, sampled)}
        # Texts that mostly differ (ids, names) are read as plain text: a category per row only costs time.
        self.varied = {
            name
            for name, values, column in zip(self.names, columns, sampled)
            if not self.native.get(name) and len(values) > 100 and len(set(values)) > 0.5 * len(values) and plain_text(column)
        }
        whole = self.facts["size"] < CHUNKED_FROM_BYTES and not self.options.get("stream")
        large = self.facts["size"] >= DEFER_FROM_BYTES or self.options.get("defer")  # "defer": for tests
        self.deferred = sorted(self.varied) if whole and large else []
        self.sampled = {name: values for name, values in zip(self.names, columns) if name in self.deferred}
        self.facts.update(
            encoding=encoding_note, delimiter=self.delimiter, skipped_lines=self.skip, header=self.has_header
        )

    def reader(self, chunksize=None, columns=None):
        # Texts come as categories: each distinct value is parsed once, and repeated ones take no memory.
        dtypes = {
            name: str if name in self.varied else "category"
            for name in self.names
            if not self.native.get(name) or name in self.forced
        }
        wanted = columns or [n for n in self.names if n not in self.deferred]
        return pd.read_csv(
            self.path,
            usecols=wanted if len(wanted) < len(self.names) else None,
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
        # With columns not read yet, a row cannot be told empty: it stays, so those columns line up later.
        empty = empty_rows(chunk) if not self.deferred else np.zeros(len(chunk), dtype=bool)
        self.facts["blank_rows"] = self.facts.get("blank_rows", 0) + int(empty.sum())
        chunk = chunk[~empty].copy() if empty.any() else chunk
        return whole_numbers(chunk, [n for n, d in self.decisions.items() if d["as"] == "number"])

    def column(self, name):
        """A column left out of the first read, read now, converted like the others."""
        messages = io.StringIO()
        with contextlib.redirect_stderr(messages):
            column = self.reader(columns=[name])[name]
        decision = self.decisions.get(name) or decide_column(column, self.hint, self.options)
        self.decisions[name] = decision
        values, _, _ = apply_decision(column, decision)
        return values

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
                    # Past counting: what matters is whether most rows differ (ids, names) or values repeat.
                    s["varied"] = len(s["counts"]) > 0.5 * self.rows
                    s["many"], s["counts"] = True, {}

    def describe(self):
        out = []
        for name, s in self.columns.items():
            unique = (self.rows if s.get("varied") else StreamStats.LIMIT + 1) if s["many"] else len(s["counts"])
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
    source.facts["source"], source.facts["order"] = source, source.names
    if source.deferred:
        source.facts["deferred"] = source.deferred
    if frame is not None:
        frame = drop_empty(frame, source.facts, rows=False)  # empty rows went chunk by chunk
        source.facts["order"] = [n for n in source.names if n in frame.columns or n in source.deferred]
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


def deferred_column(name, facts, rows):
    """A column not read yet, described from the sample: its values mostly differ."""
    values = [v for v in facts["source"].sampled.get(name, []) if str(v).strip().lower() not in NA_WORDS]
    share = len(values) / max(1, len(facts["source"].sampled.get(name, [])))
    return {"name": name, "dtype": "object", "missing": int(round(rows * (1 - share))), "unique": rows, "deferred": True}


def ensure_columns(names):
    """Reads the columns a question needs that were left out of the first read."""
    for name in names:
        if name not in df.columns:
            df[name] = source.column(name)
    return df


def public(decision):
    return {k: v for k, v in decision.items() if k not in ("family",)}


def table_profile(frame, stats, facts):
    """The JSON profile the analyst plans from, with how the file was read."""
    reading = {k: v for k, v in facts.items() if k not in ("path", "columns", "source", "order")}
    dropped = facts.get("dropped", [])
    reading["columns"] = {n: public(d) for n, d in facts.get("columns", {}).items() if n not in dropped}
    if frame is not None:
        rows = len(frame)
        columns = [describe_column(frame[n]) if n in frame.columns else deferred_column(n, facts, rows) for n in facts.get("order", frame.columns)]
        sample = json.loads(frame.head(5).to_json(orient="split", date_format="iso", default_handler=str))
    else:
        rows, columns = stats.rows, [c for c in stats.describe() if c["name"] not in facts.get("dropped", [])]
        sample = {"columns": [c["name"] for c in columns], "data": []}
    return {"file": facts["path"], "rows": rows, "columns": columns, "sample": sample, "reading": reading}
`;
