/**
 * Splits rendered Markdown (already escaped for its platform) into messages of at most `limit` characters, along
 * the blocks marked's lexer finds, so that every message shows what the whole would:
 * - blocks go whole into a message while they fit, so breaks fall between paragraphs, lists and code blocks;
 * - a block too long for what is left is split between its lines (code blocks, tables), or at a line break or
 *   a space (paragraphs, lists, quotes); only a single line longer than a message is cut inside itself;
 * - a fenced code block split across messages is closed and reopened with its own fence and language;
 * - a table split across messages repeats its header in the next one, and so does a code block that shows an
 *   aligned table (a header line underlined with dashes, as the renderers write tables);
 * - a cut inside a line never falls inside an entity (`&amp;`) or between the halves of a surrogate pair.
 */
import type { Token, Tokens } from "marked" with { "resolution-mode": "import" };
import { marked } from "./marked";

/** Splits `text` into pieces of at most `limit` characters (see the module comment). */
export function splitMarkdown(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const pieces: string[] = [];
  let current = "";
  const flush = () => {
    const piece = current.trimEnd();
    if (piece.trim() !== "") pieces.push(piece);
    current = "";
  };
  for (const block of blocksOf(text)) {
    const blank = block.raw.trim() === "";
    if (blank && current.trim() === "") continue; // no piece starts with blank lines
    if ((current + block.raw).trimEnd().length <= limit) {
      current += block.raw;
      continue;
    }
    if (block.raw.trimEnd().length <= limit) {
      flush();
      current = block.raw;
      continue;
    }
    // A block longer than a whole piece begins in the current one when a good share of it is still free.
    if (current.trim() === "") current = "";
    else if (limit - current.length < limit / 4) flush();
    const [head = "", ...fragments] = splitBlock(block, limit - current.length, limit);
    current += head;
    for (const fragment of fragments) {
      flush();
      current = fragment;
    }
  }
  flush();
  return pieces;
}

interface Block {
  raw: string;
  token?: Token;
}

/** The top-level blocks, whose raw text together is exactly `text` (else the whole text as one block). */
function blocksOf(text: string): Block[] {
  const tokens = marked.lexer(text, { gfm: true });
  if (tokens.map((t) => t.raw).join("") !== text) return [{ raw: text }];
  return tokens.map((token) => ({ raw: token.raw, token }));
}

/** Lines wrapped in an opening and closing line (a code fence), with lines to repeat at the top of each piece. */
interface Frame {
  open?: string;
  close?: string;
  repeat: string[];
}

/**
 * A block longer than a piece, as fragments: the first fits `first` characters (and is "" when nothing of the
 * block fits there), the others `limit`.
 */
function splitBlock(block: Block, first: number, limit: number): string[] {
  const raw = block.raw.trimEnd();
  const token = block.token;
  let lines: string[] | undefined;
  let frame: Frame = { repeat: [] };
  if (token?.type === "code" && (token as Tokens.Code).codeBlockStyle !== "indented") {
    const fenced = fencedLines(raw);
    if (fenced) [lines, frame] = [fenced.body, { ...fenced, repeat: tableHeader(fenced.body) }];
  } else if (token?.type === "code") {
    lines = raw.split("\n");
  } else if (token?.type === "table") {
    lines = raw.split("\n");
    frame = { repeat: lines.slice(0, 2) };
  }
  if (!lines) return splitProse(raw, first, limit);
  // A frame that would fill most of a piece leaves too little room for the lines: repeat no header then.
  if (wrap(frame, frame.repeat).length > limit / 2) frame = { ...frame, repeat: [] };
  if (wrap(frame, []).length > limit / 2) return splitProse(raw, first, limit);
  return splitLines(lines, frame, first, limit);
}

function wrap(frame: Frame, body: string[]): string {
  return [
    ...(frame.open === undefined ? [] : [frame.open]),
    ...body,
    ...(frame.close === undefined ? [] : [frame.close]),
  ].join("\n");
}

/** A fenced block's opening line, lines and closing line (a block left open at the end gets a closing fence). */
function fencedLines(raw: string): { open: string; body: string[]; close: string } | undefined {
  const lines = raw.split("\n");
  const open = lines[0] ?? "";
  const fence = /^ {0,3}(`{3,}|~{3,})/.exec(open)?.[1];
  if (!fence) return undefined;
  const last = lines.at(-1) ?? "";
  const closed = lines.length > 1 && new RegExp(`^ {0,3}\\${fence[0]}{${fence.length},}\\s*$`).test(last);
  return { open, body: lines.slice(1, closed ? -1 : undefined), close: closed ? last : fence };
}

/** The header and underline of an aligned table shown as code (as the renderers write tables). */
function tableHeader(body: string[]): string[] {
  const [header, underline] = body;
  return header?.trim() && underline && /^-+(?: {2}-+)*$/.test(underline) ? [header, underline] : [];
}

/** Packs whole lines into framed fragments; a line longer than a whole fragment is the only one cut. */
function splitLines(lines: string[], frame: Frame, first: number, limit: number): string[] {
  const fragments: string[] = [];
  let body: string[] = [];
  let added = 0; // lines of this fragment that are not a repeated header
  let room = first;
  const next = () => {
    fragments.push(added > 0 ? wrap(frame, body) : "");
    body = fragments.length === 1 && added === 0 ? [] : [...frame.repeat];
    added = 0;
    room = limit;
  };
  for (const line of lines) {
    if (wrap(frame, [...body, line]).length > room && (added > 0 || room < limit)) next();
    let rest = line;
    while (wrap(frame, [...body, rest]).length > room) {
      const free = room - wrap(frame, [...body, ""]).length;
      const cut = safeCut(rest, Math.max(1, free));
      body.push(rest.slice(0, cut));
      added += 1;
      rest = rest.slice(cut);
      next();
    }
    body.push(rest);
    added += 1;
  }
  if (added > 0) fragments.push(wrap(frame, body));
  return fragments;
}

/** Prose (a paragraph, a list, a quote): cut at a blank line, a line break or a space, in that order. */
function splitProse(raw: string, first: number, limit: number): string[] {
  const fragments: string[] = [];
  let rest = raw;
  let room = first;
  while (rest.length > room) {
    const partial = room < limit; // the end of a piece that already holds something
    const { cut, skip } = cutPoint(rest, room, partial ? 0 : room / 2);
    fragments.push(cut === 0 && partial ? "" : rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut + skip);
    room = limit;
  }
  fragments.push(rest);
  return fragments;
}

/**
 * Where to end a fragment of at most `max` characters (at a separator past `min`, else a safe hard cut, which
 * is 0 when the fragment should rather stay empty), and how many separator characters to drop after it.
 */
function cutPoint(text: string, max: number, min: number): { cut: number; skip: number } {
  const window = text.slice(0, max + 1);
  for (const separator of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(separator);
    if (at > min) return { cut: at, skip: separator.length };
  }
  return { cut: min === 0 ? 0 : safeCut(text, max), skip: 0 };
}

/** A cut at or before `max` that leaves entities (`&amp;`, `&#39;`) and surrogate pairs whole. */
function safeCut(text: string, max: number): number {
  let cut = Math.min(max, text.length);
  const from = Math.max(0, cut - 12);
  const entity = /&#?[a-zA-Z0-9]{0,10}$/.exec(text.slice(from, cut));
  if (entity && from + entity.index > 0) cut = from + entity.index;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff && cut > 1) cut -= 1;
  return cut;
}
