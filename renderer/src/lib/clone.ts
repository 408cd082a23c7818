/**
 * A deep, plain copy of JSON data. Store state and form drafts are reactive proxies, which
 * `structuredClone` refuses; everything the API carries is JSON anyway.
 */
export function plainCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
