/**
 * POMS (since Oct 2024) derives a per-experiment host from its `sam_base`: `web` becomes the
 * experiment, then `samsamdev` becomes `samdev` — `https://samweb.fnal.gov:8483` → `https://samnova.fnal.gov:8483`
 * (protocols.md §3.1). Applied to the host name only.
 */
export function perExperimentBase(samBase: string, experiment: string): string {
  const url = new URL(samBase)
  url.hostname = url.hostname.replace('web', experiment).replace('samsamdev', 'samdev')
  return url.toString().replace(/\/$/, '')
}

/** `<base>/sam/<exp>/api`; a base that already ends in `/api` (a dev instance's `/sam/<exp>/dev/api`) is kept. */
export function samApiBase(baseUrl: string, experiment: string): string {
  const base = baseUrl.replace(/\/+$/, '')
  return /\/api$/.test(base) ? base : `${base}/sam/${encodeURIComponent(experiment)}/api`
}

/** One path segment (definition, file, project names). */
export const seg = (value: string): string => encodeURIComponent(value)
