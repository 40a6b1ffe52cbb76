/**
 * Turns a client-controlled value (an operation name, an error code a subgraph sent) into a label
 * value from a bounded set, so no client can make the gateway grow a time series per request:
 * the `known` values always pass; besides them the first `roomFor` distinct values seen pass (and
 * keep passing: a series never changes name), everything after is `other`.
 */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(
    private known: ReadonlySet<string>,
    private roomFor: number,
  ) {}

  /** From now on only these values pass (a closed set such as the safelist's names). */
  restrictTo(known: ReadonlySet<string>): void {
    this.known = known;
    this.roomFor = 0;
    this.seen.clear();
  }

  label(value: string): string {
    if (this.known.has(value) || this.seen.has(value)) return value;
    if (this.seen.size < this.roomFor) {
      this.seen.add(value);
      return value;
    }
    return 'other';
  }
}
