/**
 * Paging that reaches the end. The SDK's list methods stop after the first page (20 items by default, newest
 * first) because the service pages by cursor (`after`, `has_more`) and the SDK looks for a `nextLink` that never
 * comes. These helpers ask page after page with `after` until the service says there is no more.
 */
import type { PagedAsyncIterableIterator } from "@azure/ai-agents";

/** What every list call accepts. */
export interface PageRequest {
  limit: number;
  order: "asc" | "desc";
  after?: string;
  onResponse: (response: { parsedBody?: unknown }) => void;
}

/** Calls a list method for one page of items. */
export type ListPage<T> = (request: PageRequest) => PagedAsyncIterableIterator<T>;

/** Items one page at a time, in `order`, until the service reports `has_more: false`. */
async function* allPages<T extends { id: string }>(
  list: ListPage<T>,
  order: "asc" | "desc",
  pageSize: number,
): AsyncGenerator<T[]> {
  let after: string | undefined;
  for (;;) {
    let hasMore: boolean | undefined;
    const items: T[] = [];
    const iterator = list({
      limit: pageSize,
      order,
      after,
      onResponse: (response) => {
        hasMore = (response.parsedBody as { has_more?: boolean } | undefined)?.has_more;
      },
    });
    // The SDK's iterator yields exactly the first page: the one this call asked for.
    for await (const item of iterator) items.push(item);
    if (items.length > 0) yield items;
    const last = items[items.length - 1];
    if (!last || (hasMore ?? items.length >= pageSize) === false) return;
    after = last.id;
  }
}

/** Every item, in `order`. */
export async function listAll<T extends { id: string }>(
  list: ListPage<T>,
  order: "asc" | "desc" = "asc",
  pageSize = 100,
): Promise<T[]> {
  const out: T[] = [];
  for await (const items of allPages(list, order, pageSize)) out.push(...items);
  return out;
}

/** The first item that matches, reading only as many pages as needed. */
export async function findFirst<T extends { id: string }>(
  list: ListPage<T>,
  matches: (item: T) => boolean,
  order: "asc" | "desc" = "desc",
  pageSize = 20,
): Promise<T | undefined> {
  for await (const items of allPages(list, order, pageSize)) {
    const found = items.find(matches);
    if (found) return found;
  }
  return undefined;
}
