/** Error codes that cross every boundary (IPC, HTTP, CLI), with their HTTP statuses (architecture.md §2). */
export const ERROR_CODES = [
  'BAD_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'UNAVAILABLE',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
}

/** One offending field of a BAD_INPUT error; `path` is dot-joined (`paramOverrides.0.1`). */
export interface FieldError {
  path: string
  message: string
}

/** The serialisable form of an error, as it travels in a `{ok:false, error}` envelope. */
export interface WireError {
  code: ErrorCode
  message: string
  fields?: FieldError[]
  details?: Record<string, unknown>
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly fields?: FieldError[]
  readonly details?: Record<string, unknown>

  constructor(code: ErrorCode, message: string, extra: { fields?: FieldError[]; details?: Record<string, unknown> } = {}) {
    super(message)
    this.name = 'AppError'
    this.code = code
    if (extra.fields) this.fields = extra.fields
    if (extra.details) this.details = extra.details
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message }
    if (this.fields) wire.fields = this.fields
    if (this.details) wire.details = this.details
    return wire
  }

  static fromWire(wire: WireError): AppError {
    return new AppError(wire.code, wire.message, { fields: wire.fields, details: wire.details })
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}

export const badInput = (message: string, fields?: FieldError[]): AppError =>
  new AppError('BAD_INPUT', message, fields ? { fields } : {})
export const notFound = (what: string, id: string): AppError => new AppError('NOT_FOUND', `${what} ${id} was not found`)
