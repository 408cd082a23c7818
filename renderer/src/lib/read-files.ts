/** Campaign files are small text files; anything bigger than this is not one (the contract's limit). */
export const MAX_CAMPAIGN_FILE_BYTES = 2_000_000

export interface ReadFile {
  name: string
  text: string
}

export interface ReadOutcome {
  files: ReadFile[]
  /** Files that could not be read or are too large, with why. */
  refused: { name: string; reason: string }[]
}

/** Reads dropped or chosen files as text, in the page (File.text), refusing what cannot be a campaign file. */
export async function readTextFiles(list: Iterable<File>): Promise<ReadOutcome> {
  const outcome: ReadOutcome = { files: [], refused: [] }
  for (const file of list) {
    if (file.size > MAX_CAMPAIGN_FILE_BYTES) {
      outcome.refused.push({ name: file.name, reason: `${file.name} is over 2 MB: not a campaign file` })
      continue
    }
    try {
      outcome.files.push({ name: file.name, text: await file.text() })
    } catch (thrown) {
      outcome.refused.push({ name: file.name, reason: `${file.name} could not be read: ${thrown instanceof Error ? thrown.message : String(thrown)}` })
    }
  }
  return outcome
}
