/**
 * A SandboxSession for tests that runs cells in a plain, NOT sandboxed `/usr/bin/python3` (one persistent
 * interpreter per session, like Code Interpreter's). It keeps the sandbox's contract: `/mnt/data` is the
 * session's own temp dir, every open matplotlib figure is saved as PNG after a cell (and closed), new or changed
 * regular files are reported, and stdout, stderr and the traceback are captured.
 *
 * `epilogue`: Python run after each cell that succeeded, in the same namespace while its figures are still
 * open; what it prints is kept in `epilogueOutputs` (the analyst never sees it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { CellFile, CellResult, SandboxSession } from "../../src/adapters/agents/local-engine/types";

const DRIVER = String.raw`
import contextlib, io, json, os, sys, traceback
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

channel = os.fdopen(3, "w")
images_dir = sys.argv[1]
namespace = {"__name__": "__main__"}
saved = 0

def execute(code):
    out, err, error = io.StringIO(), io.StringIO(), None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            exec(compile(code, "<cell>", "exec"), namespace)
        except BaseException as e:
            error = {"name": type(e).__name__, "message": str(e), "traceback": traceback.format_exc()}
    return out.getvalue(), err.getvalue(), error

for line in sys.stdin:
    request = json.loads(line)
    stdout, stderr, error = execute(request["code"])
    epilogue = None
    if request.get("epilogue") and error is None:
        e_out, e_err, e_error = execute(request["epilogue"])
        epilogue = e_out if e_error is None else "EPILOGUE FAILED: " + e_error["traceback"]
    images = []
    for number in plt.get_fignums():
        saved += 1
        path = os.path.join(images_dir, "figure-%d.png" % saved)
        plt.figure(number).savefig(path)
        images.append(path)
    plt.close("all")
    reply = {"stdout": stdout, "stderr": stderr, "error": error, "images": images, "epilogue": epilogue}
    channel.write(json.dumps(reply) + "\n")
    channel.flush()
`;

interface DriverReply {
  stdout: string;
  stderr: string;
  error: CellResult["error"] | null;
  images: string[];
  epilogue: string | null;
}

export interface PlainPythonSessionOptions {
  python?: string;
  /** A cell running longer is killed and the session ends. */
  cellTimeoutMs?: number;
}

let counter = 0;

export class PlainPythonSession implements SandboxSession {
  readonly id: string;
  epilogue?: string;
  readonly epilogueOutputs: string[] = [];
  /** Every cell this session ran, as the analyst sent it. */
  readonly codeRun: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly replies: ((line: string) => void)[] = [];

  private constructor(
    readonly dir: string,
    private readonly imagesDir: string,
    private readonly child: ChildProcess,
    private readonly cellTimeoutMs: number,
  ) {
    this.id = `plain-${process.pid}-${++counter}`;
    const channel = child.stdio[3] as Readable;
    createInterface({ input: channel }).on("line", (line) => this.replies.shift()?.(line));
    child.stdout?.resume();
    child.stderr?.resume();
  }

  static async start(options: PlainPythonSessionOptions = {}): Promise<PlainPythonSession> {
    const root = await mkdtemp(join(tmpdir(), "databot-plain-session-"));
    const dir = join(root, "data");
    const images = join(root, "images");
    await Promise.all([mkdir(dir), mkdir(images)]);
    const child = spawn(options.python ?? "/usr/bin/python3", ["-u", "-c", DRIVER, images], {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin", HOME: process.env.HOME ?? root, LANG: "C.UTF-8", MPLBACKEND: "Agg" },
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    return new PlainPythonSession(dir, images, child, options.cellTimeoutMs ?? 60_000);
  }

  /** The sandbox path `/mnt/data` is this session's temp dir. */
  private localize(code: string): string {
    return code.replaceAll("/mnt/data", this.dir);
  }

  async writeFile(name: string, stream: Readable): Promise<void> {
    await pipeline(stream, createWriteStream(join(this.dir, name)));
  }

  async listFiles(): Promise<CellFile[]> {
    const files: CellFile[] = [];
    for (const name of await readdir(this.dir)) {
      const info = await lstat(join(this.dir, name));
      if (info.isFile()) files.push({ name, size: info.size });
    }
    return files;
  }

  async openFile(name: string): Promise<Readable> {
    const path = join(this.dir, name);
    if (!(await lstat(path)).isFile()) throw new Error(`not a regular file: ${name}`);
    return createReadStream(path);
  }

  run(code: string, signal?: AbortSignal): Promise<CellResult> {
    const next = this.queue.then(() => this.runNow(code, signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async snapshot(): Promise<Map<string, string>> {
    const state = new Map<string, string>();
    for (const name of await readdir(this.dir)) {
      const info = await lstat(join(this.dir, name));
      if (info.isFile()) state.set(name, `${info.size}:${info.mtimeMs}`);
    }
    return state;
  }

  private async runNow(code: string, signal?: AbortSignal): Promise<CellResult> {
    signal?.throwIfAborted();
    this.codeRun.push(code);
    const before = await this.snapshot();
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill("SIGKILL");
        reject(new Error(`cell ran longer than ${this.cellTimeoutMs} ms`));
      }, this.cellTimeoutMs);
      this.replies.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      const request = {
        code: this.localize(code),
        epilogue: this.epilogue ? this.localize(this.epilogue) : undefined,
      };
      this.child.stdin?.write(JSON.stringify(request) + "\n");
    });
    const reply = JSON.parse(line) as DriverReply;
    if (reply.epilogue !== null) this.epilogueOutputs.push(reply.epilogue);
    const images = await Promise.all(
      reply.images.map(async (path, i) => {
        const data = await readFile(path);
        await rm(path);
        return { name: `figure-${i + 1}.png`, data };
      }),
    );
    const after = await this.snapshot();
    const files = [...after]
      .filter(([name, stamp]) => before.get(name) !== stamp)
      .map(([name, stamp]) => ({
        name,
        size: Number(stamp.split(":")[0]),
      }));
    return {
      stdout: reply.stdout,
      stderr: reply.stderr,
      ...(reply.error ? { error: reply.error } : {}),
      images,
      files,
    };
  }

  async close(): Promise<void> {
    this.child.stdin?.end();
    this.child.kill("SIGKILL");
    await rm(join(this.dir, ".."), { recursive: true, force: true });
  }
}

/**
 * Python that describes every open figure as JSON: what was drawn (bars, lines, wedges, scatter points, filled
 * areas, images), titles and labels, whether the x-axis shows formatted dates, and whether tick labels overlap.
 */
export const FIGURE_INTROSPECTION = String.raw`
import json as _json
import matplotlib.pyplot as _plt
import matplotlib.dates as _mdates
from matplotlib.collections import PathCollection as _PathCollection, PolyCollection as _PolyCollection
from matplotlib.container import BarContainer as _BarContainer
from matplotlib.patches import Wedge as _Wedge


def _float_or_none(value):
    return None if value != value else float(value)


def _overlap(labels):
    boxes = [label.get_window_extent() for label in labels if label.get_visible() and label.get_text()]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def _describe_axes(ax):
    bars = [(c, p) for c in ax.containers if isinstance(c, _BarContainer) for p in c.patches]
    horizontal = any(getattr(c, "orientation", None) == "horizontal" for c, _ in bars)
    patches = sorted((p for _, p in bars), key=lambda p: p.get_x())
    contiguous = len(patches) > 2 and all(
        abs(a.get_x() + a.get_width() - b.get_x()) < 1e-6 * max(1.0, abs(b.get_x())) for a, b in zip(patches, patches[1:])
    )
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) >= 2]
    return {
        "title": ax.get_title(),
        "xlabel": ax.get_xlabel(),
        "ylabel": ax.get_ylabel(),
        "bars": len(bars),
        "horizontal": horizontal,
        "contiguousBars": contiguous,
        "barValues": [_float_or_none(p.get_width() if horizontal else p.get_height()) for _, p in bars],
        "lines": len(lines),
        "linePoints": max([len(line.get_xdata()) for line in lines] or [0]),
        "wedges": sum(isinstance(p, _Wedge) for p in ax.patches),
        "scatterPoints": sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, _PathCollection)),
        "areas": sum(isinstance(c, _PolyCollection) for c in ax.collections),
        "images": len(ax.images),
        "dateAxis": isinstance(ax.xaxis.get_major_formatter(), (_mdates.ConciseDateFormatter, _mdates.AutoDateFormatter, _mdates.DateFormatter)),
        "xTickLabels": [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()],
        "yTickLabels": [t.get_text() for t in ax.get_yticklabels() if t.get_visible() and t.get_text()],
        "xOverlap": _overlap(ax.get_xticklabels()),
        "yOverlap": _overlap(ax.get_yticklabels()),
        "legend": [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else [],
    }


_figures = []
for _number in _plt.get_fignums():
    _figure = _plt.figure(_number)
    _figure.canvas.draw()
    _axes = [_describe_axes(ax) for ax in _figure.axes if ax.get_label() != "<colorbar>"]
    _width, _height = _figure.get_size_inches() * _figure.dpi
    _figures.append({"width": int(_width), "height": int(_height), "axes": _axes})
print(_json.dumps(_figures))
`;
