import { z } from "@hono/zod-openapi";
import { BUILTIN_MODELS } from "./builtin";
import { type ModelSpec, type ModelSpecInput, ModelSpecSchema } from "./schema";

/** The models this gateway knows, by public id and alias. */
export interface Catalogue {
  /** Every model, in catalogue order. */
  readonly models: readonly ModelSpec[];
  /** By id and by alias. */
  readonly byName: ReadonlyMap<string, ModelSpec>;
}

/**
 * Builds the catalogue: the built-in list, extended by `MODELS` (a JSON array, or an already-parsed
 * array from wrangler vars). An entry with a built-in's id replaces it; an entry without `routes` is
 * served by the `together` provider under its own id, as before providers existed.
 */
export function parseCatalogue(raw: unknown): Catalogue {
  let value = raw === "" ? undefined : raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error(
        "MODELS must be a JSON array of {id, type, dimensions?, context_length?, max_batch?, aliases?, matryoshka?, routes?}",
      );
    }
  }
  const extra = z.array(ModelSpecSchema).safeParse(value ?? []);
  if (!extra.success) throw new Error(`MODELS is invalid: ${z.prettifyError(extra.error)}`);
  const builtin = BUILTIN_MODELS.map((m) => ModelSpecSchema.parse(m));

  const byId = new Map<string, z.infer<typeof ModelSpecSchema>>();
  for (const model of [...builtin, ...extra.data]) byId.set(model.id, model);
  const models = [...byId.values()].map((m): ModelSpec => ({ ...m, routes: m.routes ?? [{ provider: "together", model: m.id }] }));

  const byName = new Map<string, ModelSpec>();
  for (const model of models) byName.set(model.id, model);
  for (const model of models) {
    for (const alias of model.aliases ?? []) {
      const owner = byName.get(alias);
      // An id always wins over another model's alias, so MODELS can take a name over.
      if (!owner || (owner.id !== alias && owner !== model)) byName.set(alias, model);
    }
  }
  return { models, byName };
}

export type { ModelSpec, ModelSpecInput };
