import { ApiError } from "../errors";
import { overLimit } from "./over-limit";

/** A limit as the refusal names it: its value, the variable that sets it, and what it counts. */
export interface Limit {
  limit: number;
  setting: string;
}

/** What one top-level field of a request body may hold. */
export interface FieldRules {
  /** Most items the field's array may have; `what` starts the message ("The number of inputs"). */
  items?: Limit & { what: string };
  /** Longest text, in UTF-16 code units as `String.length` counts: the field's own string, or each item's. */
  chars?: Limit & { what: (index: number | undefined) => string };
  /** Most nesting levels one item may have (`{}` is 1, `{"a":{}}` is 2). */
  itemDepth?: Limit;
  /**
   * Most members (object fields and array items, at any depth, an empty container counting one) all
   * the items together may hold: what parsing, copying and writing them as JSON costs.
   */
  members?: Limit & { what: string };
}

export type ScanRules = Readonly<Record<string, FieldRules>>;

/** Nesting beyond this is refused wherever it is: no request field needs it, and it only costs. */
const MAX_DEPTH = 66;

const QUOTE = 0x22;

/**
 * Finds where strings end and how long they are once decoded. The next backslash is searched for once
 * and remembered (it only moves forward), so a body with few escapes is not searched to its end for
 * each of its strings: the whole scan stays linear in the text.
 */
class StringReader {
  private nextBackslash: number;

  constructor(private readonly text: string) {
    this.nextBackslash = this.find("\\", 0);
  }

  private find(char: string, from: number): number {
    const at = this.text.indexOf(char, from);
    return at < 0 ? Number.POSITIVE_INFINITY : at;
  }

  /** The end of the string opening at `start` (the index of its closing quote) and its decoded length. */
  read(start: number): { end: number; length: number } {
    const { text } = this;
    let quote = this.find('"', start + 1);
    if (this.nextBackslash <= start) this.nextBackslash = this.find("\\", start + 1);
    let saved = 0;
    while (this.nextBackslash < quote) {
      // `\uXXXX` is one code unit in six characters, any other escape one in two.
      const unicode = text.charCodeAt(this.nextBackslash + 1) === 0x75;
      saved += unicode ? 5 : 1;
      const after = this.nextBackslash + (unicode ? 6 : 2);
      if (after > quote) quote = this.find('"', after);
      this.nextBackslash = this.find("\\", after);
    }
    const end = Math.min(quote, text.length);
    return { end, length: end - start - 1 - saved };
  }
}

/** A key as JSON.parse reads it; escapes are rare in keys, so only then is it parsed. */
function keyName(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  if (!raw.includes("\\")) return raw;
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return raw;
  }
}

const notAnObject = () => new ApiError(400, "invalid_parameter", "Invalid 'body': send a JSON object.", { param: null });

/**
 * Checks a JSON request body against the limits of its fields before it is parsed, in one pass that
 * stops at the first limit passed: a refusal costs what the body holds up to the point where it went
 * over, not what was sent after it (1.9 million one-letter inputs cost a JSON.parse, a schema check
 * of each, and only then MAX_INPUTS). It counts array items by their commas, measures strings by
 * finding their quotes (`indexOf`, not a loop per character), and tracks nesting. It is not a
 * validator: a malformed body is left for JSON.parse to refuse, and anything the rules do not cover
 * is left for the schema.
 */
export function prescanJson(text: string, rules: ScanRules): void {
  let at = 0;
  while (at < text.length && text.charCodeAt(at) <= 0x20) at++;
  if (at === text.length) return; // empty: JSON.parse says so
  if (text.charCodeAt(at) !== 0x7b) throw notAnObject();
  // Per level: whether it is an array. Level 1 is the body object, level 2 a field's value.
  const strings = new StringReader(text);
  const isArray: boolean[] = [];
  let depth = 0;
  let field: FieldRules | undefined;
  let name = "";
  let expectKey = false;
  let index = 0;
  let members = 0;
  const countMember = () => {
    const limit = field?.members;
    if (limit && isArray[2] && ++members > limit.limit) throw overLimit(name, limit.what, limit.limit, limit.setting);
  };
  const itemParam = () => (depth >= 2 && isArray[2] ? `${name}[${index}]` : name);
  for (; at < text.length; at++) {
    const ch = text.charCodeAt(at);
    if (ch === QUOTE) {
      const { end, length } = strings.read(at);
      if (depth === 1 && expectKey) {
        name = keyName(text, at, end);
        field = Object.hasOwn(rules, name) ? rules[name] : undefined;
        expectKey = false;
      } else if (field?.chars && (depth === 1 || (depth === 2 && isArray[2])) && length > field.chars.limit) {
        const item = depth === 2 ? index : undefined;
        throw overLimit(itemParam(), `${field.chars.what(item)} (${length} characters)`, field.chars.limit, field.chars.setting);
      }
      at = end;
    } else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      isArray[depth] = ch === 0x5b;
      if (depth === 1) expectKey = true;
      if (depth === 2) index = 0;
      const itemDepth = depth - 2;
      if (field?.itemDepth && isArray[2] && itemDepth > field.itemDepth.limit)
        throw overLimit(itemParam(), "The nesting depth of this item", field.itemDepth.limit, field.itemDepth.setting);
      if (depth > MAX_DEPTH) throw overLimit(name, "The nesting depth", MAX_DEPTH - 2, "a fixed limit");
      if (depth >= 3) countMember();
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
      if (depth <= 0) return;
      if (depth === 1) field = undefined;
    } else if (ch === 0x2c) {
      if (depth === 1) expectKey = true;
      else if (depth >= 3) countMember();
      else if (depth === 2 && isArray[2]) {
        const items = field?.items;
        if (++index >= (items?.limit ?? Number.POSITIVE_INFINITY) && items) throw overLimit(name, items.what, items.limit, items.setting);
      }
    }
  }
}
