"""databot's in-sandbox Python runner.

Runs as process 1 of the sandbox (the supervisor). It imports pandas, numpy and matplotlib once, then forks the
interpreter that runs cells, so a session starts warm and an interpreter stopped by a limit is replaced in
milliseconds while `/mnt/data` (a tmpfs owned by the sandbox) keeps its files. After every cell it kills every
other process in the sandbox, so nothing outlives its cell.

Protocol with the host, on the file descriptors it had as stdin/stdout: frames of a 4-byte big-endian length and
UTF-8 JSON. The first frame (read by the bootstrap) is this source; the second is the configuration. Then:
  host -> {"op": "run", "id": n, "code": str}      runner -> {"type": "result", "id": n, ...}
  host -> {"op": "stop", "reason": str}            (interrupts the running cell; kills it after a grace period)
  runner -> {"type": "ready", "interpreterPid": n} once, and {"type": "restarted", ...} when an idle interpreter died.
Everything the runner sends is treated by the host as untrusted input.
"""

import ast
import base64
import errno
import io
import json
import linecache
import os
import resource
import select
import signal
import struct
import sys
import time
import traceback

MAX_FRAME = 64 << 20
STOP_GRACE_SECONDS = 2.0
MAX_IMAGES = 20
MAX_IMAGE_BYTES = 8 << 20
MAX_IMAGES_TOTAL = 32 << 20
DISK_ERRNOS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


def write_frame(fd, obj):
    data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "backslashreplace")
    view = memoryview(struct.pack(">I", len(data)) + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exact(fd, n):
    chunks = []
    while n > 0:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    """Blocking read of one frame; None at end of file."""
    head = read_exact(fd, 4)
    if head is None:
        return None
    (size,) = struct.unpack(">I", head)
    if size > MAX_FRAME:
        raise ValueError("frame too large")
    body = read_exact(fd, size)
    return None if body is None else json.loads(body)


class FrameBuffer:
    """Collects frames from a non-blocking pipe."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data
        frames = []
        while len(self.buf) >= 4:
            (size,) = struct.unpack(">I", self.buf[:4])
            if size > MAX_FRAME:
                raise ValueError("frame too large")
            if len(self.buf) < 4 + size:
                break
            frames.append(json.loads(bytes(self.buf[4 : 4 + size])))
            del self.buf[: 4 + size]
        return frames


class Capture:
    """Keeps the first `limit` bytes of a stream and counts the rest."""

    def __init__(self, limit):
        self.limit = limit
        self.data = bytearray()
        self.total = 0

    def add(self, chunk):
        self.total += len(chunk)
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]

    def text(self):
        out = self.data.decode("utf-8", "replace")
        if self.total > len(self.data):
            out += "\n[output truncated: %d of %d bytes shown]\n" % (len(self.data), self.total)
        return out


# ---------------------------------------------------------------------------------------------------------------
# The interpreter (a forked child of the supervisor)
# ---------------------------------------------------------------------------------------------------------------


def warm_imports():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    # Builds matplotlib's font cache and loads the PNG writer now rather than in the first cell.
    fig = plt.figure(figsize=(2, 2))
    plt.bar(["a", "b"], [1, 2])
    plt.title("warm-up")
    fig.savefig(io.BytesIO(), format="png")
    plt.close("all")

    # What a session's first cell would otherwise pay for, done now: parsing and compiling a long cell, and
    # pandas' CSV reader, string methods, factorizing, date assembly and grouping on categories.
    compile(ast.parse("\n".join("def f%d(x):\n    return [x, %d, {'k': x}]" % (i, i) for i in range(300))), "<warm-up>", "exec")
    import codecs  # noqa: F401
    import contextlib  # noqa: F401
    import csv  # noqa: F401

    frame = pandas.read_csv(io.StringIO("a,b,c\n1,x,31.01.2024\n2,y,01.02.2024\n"), dtype={"b": "category", "c": "category"})
    text = pandas.Series(["1.234,5", "x", " y "], dtype=object)
    text.str.strip().str.lower().isin(["x"])
    text.str.match(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")
    text.str.replace(",", ".", regex=False).str.replace(r"[$€%\s]", "", regex=True)
    text.str.extract(r"^(\d{1,2})([./-])(\d{1,2})")
    pandas.factorize(text)
    pandas.to_numeric(text, errors="coerce")
    pandas.to_datetime(pandas.DataFrame({"year": [2024], "month": [1], "day": [31]}), errors="coerce")
    frame.groupby("b", observed=True)["a"].agg(["sum", "count", "min", "max"])
    json.dumps(frame.head(2).to_json(orient="split", date_format="iso"))


def split_last_expression(code, filename):
    """Like a notebook: the value of a trailing expression is shown. Returns (body, last expression or None)."""
    # Registered so tracebacks show the cell's source lines.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tree = ast.parse(code, filename, "exec")
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
        return compile(tree, filename, "exec"), compile(last, filename, "eval")
    return compile(tree, filename, "exec"), None


def is_plot_object(value):
    """Chart calls return artists (`<AxesSubplot: ...>`); the chart itself is the output, so their repr is noise."""
    if isinstance(value, (list, tuple)) and value:
        value = value[0]
    return type(value).__module__.split(".")[0] == "matplotlib"


def format_error(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    # Drop the runner's own frames: the person debugging their cell only needs the cell's.
    user = [f for f in frames if f.filename != "<databot-runner>"]
    lines = ["Traceback (most recent call last):\n"] if user else []
    lines += traceback.format_list(user)
    lines += traceback.format_exception_only(type(exc), exc)
    error = {"name": type(exc).__name__, "message": str(exc), "traceback": "".join(lines)}
    if isinstance(exc, MemoryError):
        error["limit"] = "memory"
    elif isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
        error["limit"] = "disk"
    return error


def figure_title(fig):
    """The figure's title, or its first axes' title: what the chart is called in the chat."""
    try:
        suptitle = getattr(fig, "_suptitle", None)
        if suptitle is not None and suptitle.get_text().strip():
            return suptitle.get_text().strip()[:200]
        for ax in fig.axes:
            if ax.get_title().strip():
                return ax.get_title().strip()[:200]
    except Exception:  # A title is a nicety; never let it cost the chart.
        pass
    return ""


def collect_figures(notes):
    import matplotlib.pyplot as plt

    images = []
    total = 0
    for number in plt.get_fignums():
        if len(images) >= MAX_IMAGES:
            notes.append("only the first %d figures were kept" % MAX_IMAGES)
            break
        buf = io.BytesIO()
        try:
            plt.figure(number).savefig(buf, format="png")
        except Exception as exc:  # A broken figure should not hide the cell's other results.
            notes.append("figure %d could not be saved: %s" % (number, exc))
            continue
        data = buf.getvalue()
        if len(data) > MAX_IMAGE_BYTES or total + len(data) > MAX_IMAGES_TOTAL:
            notes.append("figure %d was too large to keep (%d bytes)" % (number, len(data)))
            continue
        total += len(data)
        images.append(
            {"figure": number, "title": figure_title(plt.figure(number)), "png": base64.b64encode(data).decode("ascii")}
        )
    plt.close("all")
    return images


def interpreter_main(ctl_in, ctl_out, config):
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    my_pid = os.getpid()
    cpu_seconds = int(config["cpuSeconds"])
    data_dir = config.get("dataDir")
    while True:
        request = read_frame(ctl_in)
        if request is None:
            os._exit(0)
        code = request.get("code", "")
        if data_dir:
            # Unsandboxed development mode: there is no /mnt/data mount, so cells use the session directory.
            code = code.replace("/mnt/data", data_dir)
        used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = int(used) + cpu_seconds + 1
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        error = None
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            try:
                body, last = split_last_expression(code, "<cell %s>" % request.get("id"))
                exec(body, namespace)
                if last is not None:
                    value = eval(last, namespace)
                    if value is not None and not is_plot_object(value):
                        print(repr(value))
            except BaseException as exc:  # noqa: B902 - a cell may raise anything, SystemExit included
                error = format_error(exc)
            finally:
                if os.getpid() != my_pid:
                    # A process the cell forked fell through to here: it must never speak the protocol.
                    os._exit(0)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        except KeyboardInterrupt as exc:
            # The host's interrupt arrived just as the cell ended.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            error = error or format_error(exc)
        notes = []
        try:
            images = collect_figures(notes)
        except BaseException as exc:  # noqa: B902
            images = []
            notes.append("figures could not be collected: %s" % exc)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception as exc:  # A closed or broken stream is the cell's doing; report it.
                notes.append("output could not be flushed: %s" % exc)
        write_frame(ctl_out, {"type": "done", "id": request.get("id"), "error": error, "images": images, "notes": notes})


# ---------------------------------------------------------------------------------------------------------------
# The supervisor (process 1 of the sandbox)
# ---------------------------------------------------------------------------------------------------------------


class Interpreter:
    def __init__(self, pid, ctl_in, ctl_out, out_r, err_r):
        self.pid = pid
        self.ctl_in = ctl_in  # supervisor writes requests here
        self.ctl_out = ctl_out  # supervisor reads "done" frames here
        self.out_r = out_r
        self.err_r = err_r
        self.frames = FrameBuffer()
        self.status = None
        self.open_outputs = {out_r, err_r}


class Supervisor:
    def __init__(self, host_in, host_out, config):
        self.host_in = host_in
        self.host_out = host_out
        self.config = config
        self.is_init = os.getpid() == 1
        self.output_limit = int(config["outputBytes"])
        self.host_frames = FrameBuffer()
        self.interp = None
        self.cell = None
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)

    # -- interpreter lifecycle ---------------------------------------------------------------------------------

    def spawn(self):
        req_r, req_w = os.pipe()
        done_r, done_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                signal.set_wakeup_fd(-1)
                for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
                    signal.signal(sig, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                for fd in (self.host_in, self.host_out, self.wake_r, self.wake_w, req_w, done_r, out_r, err_r):
                    os.close(fd)
                null = os.open("/dev/null", os.O_RDONLY)
                os.dup2(null, 0)
                os.close(null)
                os.dup2(out_w, 1)
                os.dup2(err_w, 2)
                os.close(out_w)
                os.close(err_w)
                os.setpgid(0, 0)
                sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True)
                sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True)
                interpreter_main(req_r, done_w, self.config)
            finally:
                os._exit(1)
        for fd in (req_r, done_w, out_w, err_w):
            os.close(fd)
        for fd in (done_r, out_r, err_r):
            os.set_blocking(fd, False)
        self.interp = Interpreter(pid, req_w, done_r, out_r, err_r)

    def discard_interpreter(self):
        interp = self.interp
        self.interp = None
        if interp is None:
            return
        try:
            os.kill(interp.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.drain(interp)
        for fd in (interp.ctl_in, interp.ctl_out, interp.out_r, interp.err_r):
            os.close(fd)

    def kill_strays(self, keep, group):
        """Kills every process of the sandbox except this one and `keep`, until none is left."""
        for _ in range(200):
            others = [pid for pid in self.sandbox_pids(group) if pid != os.getpid() and pid != keep]
            if not others:
                return
            for pid in others:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    continue
            self.reap()
            time.sleep(0.002)

    def sandbox_pids(self, group):
        """Live processes of the sandbox; without a sandbox (development mode) only the interpreter's group."""
        pids = []
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            stat = process_stat(int(name))
            if stat is None or stat[0] in (b"Z", b"X"):
                continue  # gone, or a zombie waiting to be reaped: it runs nothing
            if not self.is_init and (group is None or stat[1] != group):
                continue
            pids.append(int(name))
        return pids

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.interp is not None and pid == self.interp.pid:
                self.interp.status = status

    # -- output ----------------------------------------------------------------------------------------------------

    def drain(self, interp):
        for fd, name in ((interp.out_r, "stdout"), (interp.err_r, "stderr")):
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                self.on_output(name, chunk)

    def on_output(self, name, chunk):
        if self.cell is None:
            return  # Nothing runs: output from a cell that already ended is dropped.
        capture = self.cell[name]
        capture.add(chunk)
        total = self.cell["stdout"].total + self.cell["stderr"].total
        if total > max(8 * self.output_limit, 1 << 20) and self.cell["stop"] is None:
            self.stop("output")

    # -- cells -----------------------------------------------------------------------------------------------------

    def start_cell(self, request):
        if self.cell is not None:
            self.send({"type": "result", "id": request.get("id"), "rejected": "a cell is already running"})
            return
        if self.interp is None:
            self.spawn()
        self.cell = {
            "id": request.get("id"),
            "stdout": Capture(self.output_limit),
            "stderr": Capture(self.output_limit),
            "stop": None,
            "deadline": None,
        }
        write_frame(self.interp.ctl_in, {"op": "run", "id": request.get("id"), "code": request.get("code", "")})

    def stop(self, reason):
        if self.cell is None or self.cell["stop"] is not None:
            return
        self.cell["stop"] = reason
        self.cell["deadline"] = time.monotonic() + STOP_GRACE_SECONDS
        try:
            os.kill(self.interp.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    def finish_cell(self, done):
        cell = self.cell
        self.drain(self.interp)
        self.kill_strays(self.interp.pid, self.interp.pid)
        self.drain(self.interp)
        self.cell = None
        error = done.get("error")
        limit = cell["stop"]
        if limit is None and cell["stdout"].total + cell["stderr"].total > 2 * self.output_limit:
            limit = "output"
        if limit is None and error:
            limit = error.pop("limit", None)
        self.send(
            {
                "type": "result",
                "id": cell["id"],
                "stdout": cell["stdout"].text(),
                "stderr": cell["stderr"].text(),
                "error": error,
                "limit": limit,
                "images": done.get("images") or [],
                "notes": done.get("notes") or [],
            }
        )

    def interpreter_ended(self):
        """The interpreter died (a limit, a crash, os._exit): replace it; report the cell it was running."""
        interp = self.interp
        deadline = time.monotonic() + 1.0
        while interp.status is None and time.monotonic() < deadline:
            self.reap()
            if interp.status is None:
                time.sleep(0.005)
        status = interp.status
        self.drain(interp)
        cell = self.cell
        self.cell = None
        self.discard_interpreter()
        self.kill_strays(None, interp.pid)
        self.spawn()
        how, limit = describe_status(status)
        if cell is None:
            self.send({"type": "restarted", "reason": how})
            return
        if cell["stop"] is not None:
            limit = cell["stop"]
        message = "The Python process was stopped (%s). Variables were reset; files in /mnt/data are kept." % how
        self.send(
            {
                "type": "result",
                "id": cell["id"],
                "stdout": cell["stdout"].text(),
                "stderr": cell["stderr"].text(),
                "error": {"name": "InterpreterRestarted", "message": message, "traceback": message},
                "limit": limit,
                "restarted": True,
                "images": [],
                "notes": [],
            }
        )

    def send(self, obj):
        write_frame(self.host_out, obj)

    # -- the loop ----------------------------------------------------------------------------------------------------

    def run(self):
        self.spawn()
        self.send({"type": "ready", "interpreterPid": self.interp.pid})
        while True:
            interp = self.interp
            fds = [self.host_in, self.wake_r, interp.ctl_out, *interp.open_outputs]
            timeout = None
            if self.cell is not None and self.cell["deadline"] is not None:
                timeout = max(0.0, self.cell["deadline"] - time.monotonic())
            readable, _, _ = select.select(fds, [], [], timeout)
            if self.wake_r in readable:
                try:
                    os.read(self.wake_r, 4096)
                except BlockingIOError:
                    pass
                self.reap()
            for fd, name in ((interp.out_r, "stdout"), (interp.err_r, "stderr")):
                if fd in readable:
                    try:
                        chunk = os.read(fd, 65536)
                    except BlockingIOError:
                        continue
                    if chunk:
                        self.on_output(name, chunk)
                    else:
                        interp.open_outputs.discard(fd)  # the cell closed its own stdout/stderr
            if interp.ctl_out in readable:
                try:
                    chunk = os.read(interp.ctl_out, 1 << 20)
                except BlockingIOError:
                    chunk = None
                if chunk == b"":
                    self.interpreter_ended()
                    continue
                if chunk:
                    try:
                        frames = interp.frames.feed(chunk)
                    except ValueError:
                        # The cell wrote garbage into the runner's channel: replace the interpreter.
                        os.kill(interp.pid, signal.SIGKILL)
                        frames = []
                    for frame in frames:
                        if self.cell is not None and frame.get("id") == self.cell["id"]:
                            self.finish_cell(frame)
            if interp.status is not None and self.interp is interp:
                self.interpreter_ended()
                continue
            if self.cell is not None and self.cell["deadline"] is not None and time.monotonic() >= self.cell["deadline"]:
                os.kill(interp.pid, signal.SIGKILL)
                self.cell["deadline"] = None
            if self.host_in in readable:
                data = os.read(self.host_in, 1 << 20)
                if not data:
                    self.shutdown()
                for request in self.host_frames.feed(data):
                    op = request.get("op")
                    if op == "run":
                        self.start_cell(request)
                    elif op == "stop":
                        self.stop(str(request.get("reason", "cancelled")))

    def shutdown(self):
        group = self.interp.pid if self.interp else None
        self.discard_interpreter()
        self.kill_strays(None, group)
        os._exit(0)


def process_stat(pid):
    """(state, process group) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return fields[0], int(fields[2])
    except (OSError, IndexError, ValueError):
        return None


def close_other_fds(keep):
    low = 3
    for fd in sorted(keep):
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1
    os.closerange(low, 65536)


def describe_status(status):
    if status is None:
        return "it stopped responding", "killed"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return "CPU time limit reached", "cpu"
        if sig == signal.SIGXFSZ:
            return "file size limit reached", "disk"
        return "killed by signal %s" % signal.Signals(sig).name, "killed"
    return "it exited with code %d" % os.WEXITSTATUS(status), None


def main():
    host_in = os.dup(0)
    host_out = os.dup(1)
    os.set_inheritable(host_in, False)
    os.set_inheritable(host_out, False)
    # Keep stray prints (warnings from imports) out of the protocol channel.
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    config = read_frame(host_in)
    if config is None:
        os._exit(0)
    close_other_fds({host_in, host_out})
    # Process 1 ignores signals it has no handler for; make sure the cells cannot interrupt it either.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.umask(0o022)
    warm_imports()
    Supervisor(host_in, host_out, config).run()


if __name__ == "__main__":
    main()
