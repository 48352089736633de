// Every price the bench's cost table uses, in one place. USD, marginal prices beyond the monthly
// allowances of the Workers Paid plan (the allowances are listed for reference and not deducted).
// Checked against Cloudflare's pricing pages in November 2026; update `checked` with the numbers.

export const PRICES = {
  checked: "2026-11",
  workers: {
    // https://developers.cloudflare.com/workers/platform/pricing/ (Standard usage model)
    perMillionRequests: 0.3, // 10 million included per month
    perMillionCpuMs: 0.02, // 30 million CPU ms included per month
  },
  kv: {
    // https://developers.cloudflare.com/kv/platform/pricing/ ("Bulk read operations are billed by
    // the amount of keys read": a 16-key bulk get is 16 reads; misses count as reads too)
    perMillionReads: 0.5, // 10 million included per month
    perMillionWrites: 5, // 1 million included per month
  },
  d1: {
    // https://developers.cloudflare.com/d1/platform/pricing/ (rows scanned and rows written; an index
    // on a written column adds a written row, so the store's key should be its primary key)
    perMillionRowsRead: 0.001, // 25 billion included per month
    perMillionRowsWritten: 1, // 50 million included per month
  },
  upstream: {
    /** Used when the model's catalogue entry has no `price_per_million_tokens`. */
    defaultPerMillionTokens: 0.02,
  },
} as const;
