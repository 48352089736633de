// The model pickers, filled from GET /v1/models, and the note under each: what the model is, and a
// plain warning when it is one of the gateway's keyless local models, which match words, not meaning.
import { el, fill } from "./dom.js";
import { isLexical } from "./gateway.js";

/** @typedef {import("./gateway.js").Model} Model */

/** Fills `select` with the models of `type`, keeping the current choice when it is still listed. */
export function fillPicker(/** @type {HTMLSelectElement} */ select, /** @type {Model[]} */ models, /** @type {Model["type"]} */ type) {
  const previous = select.value;
  const options = models.filter((m) => m.type === type);
  fill(select, ...options.map((m) => el("option", { value: m.id }, m.id)));
  if (options.some((m) => m.id === previous)) select.value = previous;
  select.disabled = options.length === 0;
  return options;
}

const facts = (/** @type {Model} */ m) =>
  [
    m.provider && `provider ${m.provider}`,
    m.dimensions && `${m.dimensions} dims`,
    m.context_length && `${m.context_length} tokens`,
    `batch ${m.max_batch}`,
  ]
    .filter(Boolean)
    .join(" · ");

/** The note under a picker for `model` (or nothing when no model is chosen). */
export function renderModelNote(/** @type {HTMLElement} */ note, /** @type {Model | undefined} */ model) {
  if (!model) return fill(note, el("span", { class: "muted" }, "No model of this kind is configured."));
  const lexical = isLexical(model)
    ? el(
        "span",
        { class: "warn" },
        model.type === "embedding"
          ? "Lexical: similarity here is word overlap, not meaning. Texts that say the same thing in other words score low."
          : "Lexical (BM25): ranks by shared words, not meaning.",
      )
    : null;
  // A local model's own description says "lexical" too; the warning above says it once, plainly.
  const description = model.description && !lexical ? el("span", {}, model.description) : null;
  fill(note, lexical, description, el("span", { class: "muted" }, facts(model)));
}
