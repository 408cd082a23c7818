/**
 * The SAM dimension language as POMS writes it (poms-reference.md §8.2, protocols.md §3.4):
 * a small algebra of file sets. `parseDimensions` (dimensions/parse.ts) turns text into this tree;
 * `evaluateDimensions` (dimensions/evaluate.ts) turns a tree into file names against a Catalog.
 */
export type DimensionExpr =
  | { kind: 'defname'; name: string }
  | { kind: 'snapshot_id'; id: number }
  | { kind: 'snapshot_for_project_name'; project: string }
  | { kind: 'project_name'; project: string }
  | { kind: 'consumed_status'; statuses: string[] }
  | { kind: 'file_name'; op: '=' | 'like'; values: string[] }
  | { kind: 'version'; values: string[] }
  | { kind: 'run_number'; values: string[] }
  | { kind: 'create_date'; op: '>' | '>=' | '<' | '<='; iso: string }
  | { kind: 'end_time'; op: '>' | '>=' | '<' | '<='; iso: string }
  | { kind: 'isparentof'; of: DimensionExpr }
  | { kind: 'ischildof'; of: DimensionExpr }
  | { kind: 'and'; left: DimensionExpr; right: DimensionExpr }
  | { kind: 'or'; left: DimensionExpr; right: DimensionExpr }
  | { kind: 'minus'; left: DimensionExpr; right: DimensionExpr }
  /** `with limit n [offset m]`, `with stride n [offset k]`, `with availability …` apply to the result. */
  | { kind: 'with'; of: DimensionExpr; limit?: number; offset?: number; stride?: number; availability?: 'physical' | 'anylocation' | 'virtual' }

export class DimensionSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message)
    this.name = 'DimensionSyntaxError'
  }
}
