// Reading records for `npm run import`: JSONL ({id, text, metadata}), CSV with `id` and `text`
// columns (other columns become metadata), or plain text, one record a line (id: a hash of the text,
// so re-importing a changed file keeps the ids of the lines that did not change).
import { createHash } from "node:crypto";
import { extname } from "node:path";

/** @typedef {{ id: string; text: string; metadata?: Record<string, string | number | boolean | string[]> }} ImportRecord */

/**
 * One CSV line's fields (RFC 4180 quoting: "a ""b""", commas inside quotes). Fields spanning lines are not supported.
 * @param {string} line
 */
export function csvFields(line) {
  /** @type {string[]} */
  const fields = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      fields.push(field);
      field = "";
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/** @param {string} text */
const textId = (text) => createHash("sha256").update(text).digest("hex").slice(0, 24);

/**
 * The records of a file's content, by its extension (.jsonl/.ndjson, .csv, else plain text).
 * Throws naming the line of the first bad record.
 * @param {string} content
 * @param {string} path
 * @returns {ImportRecord[]}
 */
export function parseRecords(content, path) {
  const lines = content.split(/\r?\n/);
  const ext = extname(path).toLowerCase();
  /** @type {ImportRecord[]} */
  const records = [];
  if (ext === ".jsonl" || ext === ".ndjson") {
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        throw new Error(`${path}:${i + 1}: not JSON`);
      }
      if (typeof record?.text !== "string" || record.text === "") throw new Error(`${path}:${i + 1}: a record needs a non-empty "text"`);
      const id = record.id === undefined ? textId(record.text) : String(record.id);
      records.push(record.metadata === undefined ? { id, text: record.text } : { id, text: record.text, metadata: record.metadata });
    });
  } else if (ext === ".csv") {
    const header = csvFields(lines[0] ?? "").map((h) => h.trim());
    const idAt = header.indexOf("id");
    const textAt = header.indexOf("text");
    if (textAt < 0) throw new Error(`${path}:1: the header needs a "text" column (and usually "id")`);
    lines.slice(1).forEach((line, i) => {
      if (!line.trim()) return;
      const fields = csvFields(line);
      const text = fields[textAt] ?? "";
      if (!text) throw new Error(`${path}:${i + 2}: empty text`);
      /** @type {Record<string, string>} */
      const metadata = {};
      header.forEach((name, c) => {
        if (c !== idAt && c !== textAt && name && fields[c] !== undefined && fields[c] !== "") metadata[name] = fields[c];
      });
      const id = idAt >= 0 && fields[idAt] ? fields[idAt] : textId(text);
      records.push(Object.keys(metadata).length ? { id, text, metadata } : { id, text });
    });
  } else {
    for (const line of lines) {
      const text = line.trim();
      if (text) records.push({ id: textId(text), text });
    }
  }
  return records;
}
