import { AppError } from '../../../shared/errors'

/** Anything thrown, as an AppError: programming errors become INTERNAL with their message. */
export function toAppError(thrown: unknown): AppError {
  if (thrown instanceof AppError) return thrown
  if (thrown instanceof Error) return new AppError('INTERNAL', thrown.message || thrown.name)
  return new AppError('INTERNAL', String(thrown))
}

/** What a person reads for an error: a headline and, for bad input, one line per field. */
export function describeError(error: AppError): { title: string; lines: string[] } {
  switch (error.code) {
    case 'BAD_INPUT':
      return { title: error.message, lines: (error.fields ?? []).map((field) => `${field.path}: ${field.message}`) }
    case 'CONFLICT':
      return { title: 'Changed by someone else — reload to see the latest version.', lines: [error.message] }
    case 'NOT_FOUND':
      return { title: 'Not found', lines: [error.message] }
    case 'FORBIDDEN':
      return { title: 'Not allowed in your current role', lines: [error.message] }
    case 'UNAUTHENTICATED':
      return { title: 'Access token missing or no longer valid', lines: [error.message] }
    case 'UNAVAILABLE':
      return { title: 'The POMS service is unavailable', lines: [error.message] }
    case 'INTERNAL':
      return { title: 'Something went wrong', lines: [error.message] }
  }
}
