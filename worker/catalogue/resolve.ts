import { ApiError } from "../errors";
import type { ProviderSettings } from "../providers/settings";
import type { Provider } from "../providers/types";
import type { Catalogue } from "./catalogue";
import type { ModelRoute, ModelSpec } from "./schema";

/** A route that can serve its model now: a configured provider that does the model's job. */
export interface ServedRoute {
  route: ModelRoute;
  provider: Provider;
  /** Its store-key prefixes for embeddings by cache subject ("" = shared), filled in on first use (hashing is async). */
  embedPrefixes?: Map<string, string>;
}

/** A model and the routes that can serve it now (configured providers only), in catalogue order. */
export interface ServedModel {
  spec: ModelSpec;
  routes: ServedRoute[];
}

/** What finding a request's model needs: the catalogue, the provider instances and the served routes. */
export interface ModelDirectory {
  catalogue: Catalogue;
  providerSettings: readonly ProviderSettings[];
  served: ReadonlyMap<ModelSpec, ServedRoute[]>;
}

const operation = (type: ModelSpec["type"]) => (type === "embedding" ? "embed" : "rerank");

/** Each model's routes whose provider is configured and can do the model's job: fixed per configuration. */
export function serveModels(catalogue: Catalogue, providers: ReadonlyMap<string, Provider>): Map<ModelSpec, ServedRoute[]> {
  const served = new Map<ModelSpec, ServedRoute[]>();
  for (const spec of catalogue.models) {
    const routes: ServedRoute[] = [];
    for (const route of spec.routes) {
      const provider = providers.get(route.provider);
      if (provider?.[operation(spec.type)]) routes.push({ route, provider });
    }
    served.set(spec, routes);
  }
  return served;
}

/**
 * The model a request names (by id or alias), with its usable routes; a 404 before any upstream call
 * when it is unknown, or when no provider that serves it is configured (naming the variables that
 * would enable one: a public id never quietly resolves to another model).
 */
export function requireModel(directory: ModelDirectory, name: string, type: ModelSpec["type"]): ServedModel {
  const spec = directory.catalogue.byName.get(name);
  if (!spec) {
    throw new ApiError(
      404,
      "model_not_found",
      `The model '${name}' is not served by this gateway; GET /v1/models lists the ones that are.`,
      { param: "model" },
    );
  }
  if (spec.type !== type) {
    throw new ApiError(400, "model_type_mismatch", `The model '${name}' is a ${spec.type} model, not a ${type} model.`, { param: "model" });
  }
  const routes = directory.served.get(spec) ?? [];
  if (routes.length === 0) {
    const options = spec.routes.map((route) => {
      const settings = directory.providerSettings.find((s) => s.name === route.provider);
      return settings?.vars.length ? `${settings.vars.join(" and ")} (${route.provider})` : `the ${route.provider} provider`;
    });
    throw new ApiError(
      404,
      "model_not_configured",
      `The model '${name}' needs a provider this gateway has not configured: set ${[...new Set(options)].join(", or ")}.`,
      {
        param: "model",
      },
    );
  }
  return { spec, routes };
}

/** Checks at start-up that every route names a known provider that can do the model's job. */
export function checkRoutes(catalogue: Catalogue, providerSettings: readonly ProviderSettings[]): void {
  for (const spec of catalogue.models) {
    for (const route of spec.routes) {
      const settings = providerSettings.find((s) => s.name === route.provider);
      if (!settings) throw new Error(`MODELS: '${spec.id}' routes to an unknown provider '${route.provider}'`);
      if (!settings.serves[operation(spec.type)])
        throw new Error(
          `MODELS: '${spec.id}' is a ${spec.type} model, which a ${settings.kind} provider ('${route.provider}') cannot serve`,
        );
    }
  }
}

/**
 * The vector size a request may ask of an embedding model: its own, or less for a matryoshka model
 * (the gateway shortens the one cached full vector); anything else is a 400 naming `dimensions`.
 */
export function requireDimensions(model: ServedModel, name: string, requested: number | undefined): number {
  const native = model.spec.dimensions!;
  const dimensions = requested ?? native;
  if (dimensions !== native && !(model.spec.matryoshka && dimensions < native)) {
    throw new ApiError(
      400,
      "unsupported_parameter",
      model.spec.matryoshka
        ? `The model '${name}' makes ${native}-dimensional vectors; 'dimensions' may be at most ${native}.`
        : `The model '${name}' makes ${native}-dimensional vectors and cannot shorten them; omit 'dimensions'.`,
      { param: "dimensions" },
    );
  }
  return dimensions;
}
