// Metadata filters: Vectorize's language (https://developers.cloudflare.com/vectorize/reference/metadata-filtering/)
// and OpenAI's vector-store filters both parse to one tree, evaluated here in the Durable Object
// store and translated for the Vectorize store. Pure functions: no I/O.
import { invalidParam } from "../errors";
import type { Comparison, FilterNode, Metadata, MetadataValue, Scalar } from "./types";

const COMPARISONS = new Set<string>(["$eq", "$ne", "$in", "$nin", "$lt", "$lte", "$gt", "$gte"]);
/** Vectorize's own limit on a filter's JSON size. */
export const MAX_FILTER_BYTES = 2048;
const MAX_LIST = 100;

const isScalar = (v: unknown): v is Scalar =>
  typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

function checkValue(op: Comparison, value: unknown, param: string): Scalar | Scalar[] {
  if (op === "$in" || op === "$nin") {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST || !value.every(isScalar))
      throw invalidParam(param, `Invalid '${param}': ${op} takes a list of 1 to ${MAX_LIST} strings, numbers or booleans.`);
    return value;
  }
  if (!isScalar(value)) throw invalidParam(param, `Invalid '${param}': ${op} takes a string, number or boolean.`);
  if (typeof value === "boolean" && op !== "$eq" && op !== "$ne")
    throw invalidParam(param, `Invalid '${param}': ${op} compares numbers or strings, not booleans.`);
  return value;
}

function checkField(field: string, param: string): void {
  if (field === "" || field.startsWith("$") || field.length > 512)
    throw invalidParam(param, `Invalid '${param}': a field name is 1 to 512 characters and does not start with '$'.`);
}

/**
 * Parses a filter in Vectorize's language: `{field: value}` means `$eq`; `{field: {$op: value, ...}}`
 * applies each operator; all fields are ANDed. Undefined when there is nothing to filter by.
 */
export function parseFilter(raw: unknown, param = "filter"): FilterNode | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidParam(param, `Invalid '${param}': expected an object.`);
  if (JSON.stringify(raw).length > MAX_FILTER_BYTES)
    throw invalidParam(param, `Invalid '${param}': at most ${MAX_FILTER_BYTES} bytes of JSON.`);
  const children: FilterNode[] = [];
  for (const [field, condition] of Object.entries(raw)) {
    const where = `${param}.${field}`;
    checkField(field, where);
    if (condition !== null && typeof condition === "object" && !Array.isArray(condition)) {
      const ops = Object.entries(condition);
      if (ops.length === 0) throw invalidParam(where, `Invalid '${where}': name at least one operator.`);
      for (const [op, value] of ops) {
        if (!COMPARISONS.has(op))
          throw invalidParam(where, `Invalid '${where}': unknown operator '${op}' (use ${[...COMPARISONS].join(", ")}).`);
        children.push({ op: op as Comparison, field, value: checkValue(op as Comparison, value, where) });
      }
    } else children.push({ op: "$eq", field, value: checkValue("$eq", condition, where) });
  }
  return children.length === 0 ? undefined : children.length === 1 ? children[0] : { op: "and", children };
}

const OPENAI_TYPES: Record<string, Comparison> = {
  eq: "$eq",
  ne: "$ne",
  gt: "$gt",
  gte: "$gte",
  lt: "$lt",
  lte: "$lte",
  in: "$in",
  nin: "$nin",
};

/** Parses OpenAI's vector-store filters: `{type, key, value}` comparisons and `{type: "and"|"or", filters}`. */
export function parseOpenAIFilter(raw: unknown, param = "filters", depth = 0): FilterNode {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw invalidParam(param, `Invalid '${param}': expected an object.`);
  if (depth === 0 && JSON.stringify(raw).length > MAX_FILTER_BYTES * 4)
    throw invalidParam(param, `Invalid '${param}': at most ${MAX_FILTER_BYTES * 4} bytes of JSON.`);
  const node = raw as { type?: unknown; key?: unknown; value?: unknown; filters?: unknown };
  if (node.type === "and" || node.type === "or") {
    if (depth >= 8 || !Array.isArray(node.filters) || node.filters.length === 0)
      throw invalidParam(param, `Invalid '${param}': '${node.type}' takes a non-empty 'filters' list (nested at most 8 deep).`);
    return { op: node.type, children: node.filters.map((f, i) => parseOpenAIFilter(f, `${param}.filters[${i}]`, depth + 1)) };
  }
  const op = typeof node.type === "string" ? OPENAI_TYPES[node.type] : undefined;
  if (!op) throw invalidParam(`${param}.type`, `Invalid '${param}.type': use eq, ne, gt, gte, lt, lte, in, nin, and or or.`);
  if (typeof node.key !== "string") throw invalidParam(`${param}.key`, `Invalid '${param}.key': expected a string.`);
  checkField(node.key, `${param}.key`);
  return { op, field: node.key, value: checkValue(op, node.value, `${param}.value`) };
}

/** Compares only like with like: a number never ranks against a string, a boolean never ranks. */
function ordered(have: MetadataValue, op: Comparison, want: Scalar): boolean {
  if (typeof have !== typeof want || typeof have === "boolean" || Array.isArray(have)) return false;
  const a = have as string | number;
  const b = want as string | number;
  if (op === "$lt") return a < b;
  if (op === "$lte") return a <= b;
  if (op === "$gt") return a > b;
  return a >= b;
}

/** Equality; a string-array field equals a value when it holds it. */
const equals = (have: MetadataValue | undefined, want: Scalar) =>
  have === undefined ? false : Array.isArray(have) ? have.includes(want as string) : have === want;

/**
 * Whether a record's metadata passes the filter. A missing field passes only `$ne` and `$nin`;
 * comparisons between different types fail.
 */
export function matches(node: FilterNode, metadata: Metadata | undefined): boolean {
  switch (node.op) {
    case "and":
      return node.children.every((child) => matches(child, metadata));
    case "or":
      return node.children.some((child) => matches(child, metadata));
  }
  const have = metadata && Object.hasOwn(metadata, node.field) ? metadata[node.field] : undefined;
  switch (node.op) {
    case "$eq":
      return equals(have, node.value as Scalar);
    case "$ne":
      return !equals(have, node.value as Scalar);
    case "$in":
      return (node.value as Scalar[]).some((v) => equals(have, v));
    case "$nin":
      return !(node.value as Scalar[]).some((v) => equals(have, v));
    default:
      return have !== undefined && ordered(have, node.op, node.value as Scalar);
  }
}
