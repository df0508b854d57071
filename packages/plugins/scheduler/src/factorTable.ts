import type { Candidate } from '@fester/core';

/**
 * The factor values of one decision, a column per factor indexed like `ctx.live`. A
 * 1,000-node decision used to allocate a `{ value, weight }` object per factor per node (about
 * 900 KB per decision, a young-generation collection every 17 decisions, which set the p99);
 * columns are typed arrays reused from decision to decision. Only the candidates a decision
 * records (all of a small farm, the best few of a large one) get factor objects, for
 * `fester explain` and the journal.
 */
export class FactorTable {
  readonly names: string[] = [];
  readonly weights: number[] = [];
  readonly cols: Float64Array[] = [];
  private size = 0;
  /** Buffers by factor name, kept across decisions; grown when a farm grows. */
  private readonly buffers = new Map<string, Float64Array>();

  /** A new decision over `size` live candidates: no factor set yet. */
  reset(size: number): void {
    this.size = size;
    this.names.length = 0;
    this.weights.length = 0;
    this.cols.length = 0;
  }

  /** The column of `name` for this decision (its values are overwritten by the caller). */
  column(name: string, weight: number): Float64Array {
    const at = this.names.indexOf(name);
    if (at >= 0) { this.weights[at] = weight; return this.cols[at]!; }
    let buf = this.buffers.get(name);
    if (!buf || buf.length < this.size) this.buffers.set(name, (buf = new Float64Array(Math.max(16, this.size * 2))));
    this.names.push(name);
    this.weights.push(weight);
    this.cols.push(buf);
    return buf;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** Σ value × weight of candidate `i` over this table's factors. */
  sum(i: number): number {
    let s = 0;
    for (let k = 0; k < this.cols.length; k++) s += this.cols[k]![i]! * this.weights[k]!;
    return s;
  }

  /** Write candidate `i`'s factors onto it as `{ value, weight }` objects (for the record). */
  materialize(c: Candidate, i: number): void {
    for (let k = 0; k < this.cols.length; k++) c.factors[this.names[k]!] = { value: this.cols[k]![i]!, weight: this.weights[k]! };
  }
}
