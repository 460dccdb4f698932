/**
 * The Python that reads a table into a frame and profiles it (after the table source): statistics gathered
 * while chunks stream by, delimited text, rows, workbooks' sheets, compact conversions, columns left for later,
 * and the profile that says how the file was read.
 */

export const TABLE_PROFILE_SOURCE = String.raw`
# --- Reading and profiling ---------------------------------------------------------------------------------------


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
