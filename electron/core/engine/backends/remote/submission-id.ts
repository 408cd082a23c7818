const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Submission ids go into batch-system constraints and file names: only a UUID ever does. */
export function checkedSubmissionId(id: string): string {
  if (!UUID.test(id)) throw new Error(`"${id}" is not a submission id`)
  return id.toLowerCase()
}
