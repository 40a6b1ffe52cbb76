/**
 * One reference from a record of one store (`source`, the record's id) to an entity that another
 * service owns (`target`, its id). Stores list them for the integrity check, in keyset pages.
 */
export interface Reference {
  source: string;
  target: string;
}

/**
 * A store that lists its references of each `Kind` (e.g. a project's owner, its team) for the
 * integrity check: counted, and scanned in keyset pages by the referring record's id (memory does
 * not grow with the store, and records repaired on the way do not shift the scan).
 */
export interface ReferenceScan<Kind extends string> {
  /** How many records hold a reference of this kind. */
  countReferences(kind: Kind): Promise<number>;
  /** Up to `limit` such records after the id `after` (in id order), each with the id it names. */
  scanReferences(kind: Kind, after: string | null, limit: number): Promise<Reference[]>;
}
