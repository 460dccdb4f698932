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
`;
