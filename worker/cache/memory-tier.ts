/** Roughly what V8 spends on a Map entry and its small record, beyond the strings themselves. */
const ENTRY_OVERHEAD_BYTES = 96;

interface Entry {
  value: string;
  /** Epoch ms after which the entry is as good as absent (the store's TTL from when it was fetched). */
  expiresAt: number;
  /** The vector printed as a JSON float array, kept once a float client asked for it. */
  floatText?: string;
  /** This isolate already wrote it to the store (write economy). */
  stored: boolean;
  bytes: number;
}

/**
 * A per-isolate LRU of cached items by store key, bounded in bytes, in front of the store. Hits do no
 * store round trip. Strings of base64 and digits are one byte per character in V8, so a value's size
 * is its length; keys and overhead are counted too, so the bound holds for what the isolate holds.
 */
export class MemoryTier {
  private readonly entries = new Map<string, Entry>();
  private used = 0;

  constructor(readonly budgetBytes: number) {}

  /** Bytes held now; never above the budget. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now = Date.now()): string | undefined {
    const entry = this.touch(key, now);
    return entry?.value;
  }

  /** The float text cached for `key`, if a float client asked before. */
  floatText(key: string): string | undefined {
    return this.entries.get(key)?.floatText;
  }

  setFloatText(key: string, text: string): void {
    const entry = this.entries.get(key);
    if (!entry || entry.floatText !== undefined) return;
    const bytes = entry.bytes + text.length;
    if (bytes > this.budgetBytes) return;
    this.used += text.length;
    entry.floatText = text;
    entry.bytes = bytes;
    this.evict();
  }

  /** Whether this isolate already stored `key` (and it has not expired). */
  wasStored(key: string, now = Date.now()): boolean {
    const entry = this.entries.get(key);
    return entry?.stored === true && entry.expiresAt > now;
  }

  set(key: string, value: string, expiresAt: number, stored: boolean): void {
    // Keys hold the text itself, which V8 keeps at two bytes a character beyond Latin-1: counted so.
    const bytes = key.length * 2 + value.length + ENTRY_OVERHEAD_BYTES;
    // The old value goes even when the new one is too big to keep: it is no longer the value.
    this.delete(key);
    if (bytes > this.budgetBytes) return;
    this.entries.set(key, { value, expiresAt, stored, bytes });
    this.used += bytes;
    this.evict();
  }

  markStored(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.stored = true;
  }

  private touch(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
  }

  /** Drops least recently used entries until the budget holds. */
  private evict(): void {
    for (const [key] of this.entries) {
      if (this.used <= this.budgetBytes) return;
      this.delete(key);
    }
  }
}

let tier: MemoryTier | undefined;

/**
 * The isolate's memory tier (module state: one per isolate, bounded by its budget). A new budget
 * (configuration changed) starts a new tier; 0 turns it off.
 */
export function memoryTierFor(budgetBytes: number): MemoryTier | undefined {
  if (budgetBytes <= 0) return undefined;
  if (!tier || tier.budgetBytes !== budgetBytes) tier = new MemoryTier(budgetBytes);
  return tier;
}
