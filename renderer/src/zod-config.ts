import { z } from 'zod'

// The page's CSP forbids eval. zod decides at schema construction whether it may compile parsers
// with `new Function`; probing that makes the browser report a CSP violation. So this module must
// be evaluated before any schema is built: it is main.ts's first import.
z.config({ jitless: true })
