/** Sentence pieces for slice descriptions ("files 81–120 of mc_gen (40 files)"). */
export const filesText = (count: number | null): string => (count === null ? 'file count unknown' : count === 1 ? '1 file' : `${count} files`)
