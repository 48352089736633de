import type { ServedRoute } from "./resolve";
import type { ModelSpec } from "./schema";

/** One served model as `GET /v1/models` lists it. */
export interface ListedModel {
  id: string;
  object: "model";
  type: ModelSpec["type"];
  dimensions?: number;
  context_length?: number;
  max_batch: number;
  matryoshka?: boolean;
  aliases?: string[];
  provider: string;
  providers: string[];
  owned_by: string;
  organization: string;
  created: number;
  description?: string;
}

/** The models with at least one configured route, in catalogue order: fixed per configuration. */
export function listServedModels(models: readonly ModelSpec[], served: ReadonlyMap<ModelSpec, readonly ServedRoute[]>): ListedModel[] {
  return models.flatMap((m) => {
    const routes = served.get(m) ?? [];
    if (routes.length === 0) return [];
    const providers = routes.map((r) => r.provider.name);
    const owner = m.id.includes("/") ? m.id.split("/")[0] : providers[0];
    return [
      {
        id: m.id,
        object: "model" as const,
        type: m.type,
        dimensions: m.dimensions,
        context_length: m.context_length,
        max_batch: m.max_batch,
        matryoshka: m.matryoshka,
        aliases: m.aliases,
        provider: providers[0],
        providers,
        owned_by: owner,
        organization: owner,
        created: 0,
        description: m.description,
      },
    ];
  });
}
