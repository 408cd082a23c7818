/** The MQL subset the emulator understands (metacat docs/mql.rst, grammar/file_query.py, common.py). */

export type Query =
  | { k: 'all' }
  | { k: 'datasets'; specs: DatasetSpec[] }
  | { k: 'dids'; dids: { namespace: string | null; name: string }[] }
  | { k: 'fids'; fids: string[] }
  | { k: 'parents' | 'children'; q: Query }
  | { k: 'union' | 'join'; qs: Query[] }
  | { k: 'minus'; left: Query; right: Query }
  | { k: 'where'; q: Query; e: Meta }
  | { k: 'limit' | 'skip'; q: Query; n: number }
  | { k: 'ordered'; q: Query }
  | { k: 'filter'; name: string; params: Constant[]; qs: Query[] }

export type DatasetSpec =
  | { k: 'name'; namespace: string | null; name: string }
  /** `matching ns:"MC%"` (SQL or shell wildcards) or `matching regexp ns:"MC.*"`. */
  | { k: 'pattern'; namespace: string; pattern: string; regexp: boolean }

export type Constant = number | string | boolean

export type Scalar =
  | { k: 'meta'; name: string }
  | { k: 'attr'; name: string }
  | { k: 'any' | 'all'; name: string }
  | { k: 'sub'; name: string; index: number | string }
  | { k: 'len'; name: string }

export type CmpOp = '<' | '<=' | '=' | '==' | '!=' | '>' | '>=' | '~' | '~*' | '!~' | '!~*' | 'like'

export type Meta =
  | { k: 'or' | 'and'; xs: Meta[] }
  | { k: 'not'; x: Meta }
  | { k: 'cmp'; s: Scalar; op: CmpOp; v: Constant }
  | { k: 'range'; s: Scalar; lo: Constant; hi: Constant; neg: boolean }
  | { k: 'set'; s: Scalar; vs: Constant[]; neg: boolean }
  | { k: 'present'; name: string; neg: boolean }
  | { k: 'contains'; v: Constant; name: string; neg: boolean }

/** File attributes a meta-filter may name without a dot (metacat common/attributes.py FileAttributes). */
export const FILE_ATTRIBUTES = [
  'creator',
  'created_timestamp',
  'name',
  'namespace',
  'size',
  'retired',
  'retired_by',
  'retired_timestamp',
  'updated_by',
  'updated_timestamp',
  'checksums',
] as const

/** MQL errors come back as `400 <ErrorClass>: <message>` (webserver/data_handler.py query). */
export class MqlError extends Error {
  constructor(
    readonly errorClass: 'MQLSyntaxError' | 'MQLCompilationError' | 'MQLExecutionError',
    message: string,
  ) {
    super(message)
  }
}
