/** Origin of a catalog figure and the date it was last compared with that origin. */
export interface Source {
  /** Address of the original document: a URL, or a repository path with its host. */
  url: string;
  /** Date the figure was last compared with the source, as YYYY-MM-DD. */
  checked: string;
  /** The statement in the source, or how the figure was derived from it. */
  note?: string;
}

/** Date the catalog figures were last compared with their sources. */
export const CATALOG_CHECKED = "2026-12-04";

/** Bytes in one GiB (binary). Checkpoint sizes are published in decimal GB. */
export const BYTES_PER_GIB = 2 ** 30;

/** Converts decimal gigabytes (10^9 bytes) to GiB (2^30 bytes). */
export function gbToGiB(gigabytes: number): number {
  return (gigabytes * 1e9) / BYTES_PER_GIB;
}
