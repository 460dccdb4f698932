/** Pacing shared by the fake's engines: steps between events, holds a test releases, and text split in pieces. */

/** Thrown inside an engine when its run or response was asked to stop. */
export class CancelRequested extends Error {}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const nextTurnOfLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Splits text into pieces of at most `size` characters. */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [""];
}

/** Work that waits at a hold until a test releases it (released early, it passes the hold). */
export class HoldGate {
  private readonly holds = new Map<string, () => void>();
  private readonly released = new Set<string>();

  wait(id: string): Promise<void> {
    if (this.released.has(id)) return Promise.resolve();
    return new Promise((resolve) => this.holds.set(id, resolve));
  }

  /** Lets one id go on (now, or when it reaches its hold), or every id holding now. */
  release(id?: string): void {
    if (id !== undefined) this.released.add(id);
    for (const [held, resume] of this.holds) {
      if (id === undefined || held === id) {
        this.holds.delete(held);
        resume();
      }
    }
  }

  isHolding(id: string): boolean {
    return this.holds.has(id);
  }
}
