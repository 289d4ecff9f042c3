// Owns page numbers: parsing them safely and describing a page of a list.

export const MAX_PAGE_SIZE = 50;

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

/** A page number from user input: a positive integer, else 1; capped to keep OFFSET cheap. */
export function pageNumber(raw: unknown, max = 10_000): number {
  const n = typeof raw === 'number' ? raw : Number.parseInt(String(raw ?? ''), 10);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : 1;
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
