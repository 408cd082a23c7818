import type { z } from 'zod'
import type { FieldError } from '../../../shared/errors'

/** Messages keyed by dot-joined field path (`name`, `paramOverrides.0.1`); the first message per path wins. */
export type FieldErrors = Record<string, string>

export function fieldErrorsFromZod(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.')
    // A bad record key says only "Invalid key in record"; the key's own issue says why.
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message
    errors[path] ??= message
  }
  return errors
}

/**
 * Server BAD_INPUT fields name paths in the whole request (`value.name`); forms edit only `value`,
 * so that prefix is dropped and the message lands next to the same field as a client-side one.
 */
export function fieldErrorsFromServer(fields: readonly FieldError[] | undefined, prefix = 'value.'): FieldErrors {
  const errors: FieldErrors = {}
  for (const field of fields ?? []) {
    const path = field.path.startsWith(prefix) ? field.path.slice(prefix.length) : field.path
    errors[path] ??= field.message
  }
  return errors
}

/** The message at `path`, or the first one below it (for editors that show one message for a group). */
export function errorWithin(errors: FieldErrors, path: string): string | undefined {
  if (errors[path] !== undefined) return errors[path]
  const nested = Object.keys(errors).find((key) => key.startsWith(`${path}.`))
  return nested === undefined ? undefined : errors[nested]
}
