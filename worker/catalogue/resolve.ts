import type { GatewayConfig } from "../config";
import { ApiError } from "../errors";
import type { Provider } from "../providers/types";
import type { ModelRoute, ModelSpec } from "./schema";

/** A model and the routes that can serve it now (configured providers only), in catalogue order. */
export interface ServedModel {
  spec: ModelSpec;
  routes: Array<{ route: ModelRoute; provider: Provider }>;
}

const operation = (type: ModelSpec["type"]) => (type === "embedding" ? "embed" : "rerank");

const servedByConfig = new WeakMap<GatewayConfig, Map<ModelSpec, ServedModel["routes"]>>();

/**
 * The routes of `spec` whose provider is configured and can do the model's job. They follow from
 * the config alone, so they are worked out once per config, not on every request.
 */
export function servedRoutes(config: GatewayConfig, spec: ModelSpec): ServedModel["routes"] {
  let served = servedByConfig.get(config);
  if (!served) {
    served = new Map();
    servedByConfig.set(config, served);
  }
  let routes = served.get(spec);
  if (!routes) {
    routes = [];
    for (const route of spec.routes) {
      const provider = config.providers.get(route.provider);
      if (provider?.[operation(spec.type)]) routes.push({ route, provider });
    }
    served.set(spec, routes);
  }
  return routes;
}

/**
 * The model a request names (by id or alias), with its usable routes; a 404 before any upstream call
 * when it is unknown, or when no provider that serves it is configured (naming the variables that
 * would enable one: a public id never quietly resolves to another model).
 */
export function requireModel(config: GatewayConfig, name: string, type: ModelSpec["type"]): ServedModel {
  const spec = config.catalogue.byName.get(name);
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
  const routes = servedRoutes(config, spec);
  if (routes.length === 0) {
    const options = spec.routes.map((route) => {
      const settings = config.providerSettings.find((s) => s.name === route.provider);
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
export function checkRoutes(config: GatewayConfig): void {
  for (const spec of config.catalogue.models) {
    for (const route of spec.routes) {
      const settings = config.providerSettings.find((s) => s.name === route.provider);
      if (!settings) throw new Error(`MODELS: '${spec.id}' routes to an unknown provider '${route.provider}'`);
      const kindCan = settings.kind === "cohere" ? spec.type === "rerank" : settings.kind === "openai" ? spec.type === "embedding" : true;
      if (!kindCan)
        throw new Error(
          `MODELS: '${spec.id}' is a ${spec.type} model, which a ${settings.kind} provider ('${route.provider}') cannot serve`,
        );
    }
  }
}
