/** An output file a simulated job declares for one input. */
export interface SamJobOutput {
  name: string
  /** The application version recorded (defaults to the job's appversion). */
  version?: string
  /** Add a location, making it `physical` (default true). A virtual output is declared only. */
  located?: boolean
  metadata?: Record<string, unknown>
}

export interface SamJobOptions {
  project: string
  appname?: string
  appversion?: string
  node?: string
  /** The process's file limit (0: as many as it is given). */
  maxFiles?: number
  /** The status the job reports for each file it gets (default `consumed`). */
  outcome?: (file: string, index: number) => string
  /** The outputs it declares for an input before releasing it (parentage: the input). */
  outputs?: (file: string) => SamJobOutput[]
  /** How it ends: endProcess (`completed`), setStatus `bad`, or it `died` and never says. */
  end?: 'completed' | 'bad' | 'died'
  token?: string
  /** 202 answers are waited out for their Retry-After, but at most this long (ms). */
  maxRetryWaitMs?: number
}

export interface SamJobResult {
  processId: number
  files: { name: string; status: string }[]
  outputs: string[]
  /** How many 202 "not ready" answers it waited out. */
  waits: number
}

/**
 * One grid job against a SAM server, the way ifdh does it (protocols.md §3.2 "Projects and
 * processes"): find the project, establish a process, take files until 204, declare outputs with
 * their parentage, report each file's status, end the process.
 */
export async function runSamJob(apiBase: string, o: SamJobOptions): Promise<SamJobResult> {
  const headers: Record<string, string> = o.token ? { Authorization: `Bearer ${o.token}` } : {}
  async function call(method: string, url: string, form?: Record<string, string>, body?: unknown): Promise<Response> {
    const init: RequestInit = { method, headers: { ...headers } }
    if (form) {
      init.body = new URLSearchParams(form)
    } else if (body !== undefined) {
      init.body = JSON.stringify(body)
      ;(init.headers as Record<string, string>)['Content-Type'] = 'application/json'
    }
    const res = await fetch(url, init)
    if (res.status >= 400) throw new Error(`${method} ${url} answered ${res.status}: ${await res.text()}`)
    return res
  }

  const projectUrl = (await (await call('GET', `${apiBase}/findProject?name=${encodeURIComponent(o.project)}`)).text()).trim()
  const appversion = o.appversion ?? 'v1'
  const pid = (
    await (
      await call('POST', `${projectUrl}/establishProcess`, {
        appname: o.appname ?? 'emulated_job',
        appversion,
        appfamily: 'art',
        node: o.node ?? 'worker.emulated',
        filelimit: String(o.maxFiles ?? 0),
      })
    ).text()
  ).trim()
  const processUrl = `${projectUrl}/processes/${pid}`
  const result: SamJobResult = { processId: Number(pid), files: [], outputs: [], waits: 0 }

  for (;;) {
    const res = await call('POST', `${processUrl}/getNextFile`, {})
    if (res.status === 204) break
    if (res.status === 202) {
      result.waits++
      const seconds = Number(res.headers.get('Retry-After') ?? '10')
      await new Promise((r) => setTimeout(r, Math.min(seconds * 1000, o.maxRetryWaitMs ?? 50)))
      continue
    }
    const name = (await res.text()).split('\n')[1]!.trim()
    for (const out of o.outputs?.(name) ?? []) {
      await call('POST', `${apiBase}/files`, undefined, {
        file_name: out.name,
        file_size: 2048,
        parents: [{ file_name: name }],
        application: { family: 'art', name: o.appname ?? 'emulated_job', version: out.version ?? appversion },
        ...(out.metadata ?? {}),
      })
      if (out.located !== false) await call('POST', `${apiBase}/files/name/${encodeURIComponent(out.name)}/locations`, { add: `dcache:/pnfs/emulated/out` })
      result.outputs.push(out.name)
    }
    const status = o.outcome?.(name, result.files.length) ?? 'consumed'
    await call('POST', `${processUrl}/updateFileStatus`, { filename: name, status })
    result.files.push({ name, status })
  }

  if (o.end === 'bad') await call('POST', `${processUrl}/setStatus`, { status: 'bad' })
  else if (o.end !== 'died') await call('POST', `${processUrl}/endProcess`, {})
  return result
}
