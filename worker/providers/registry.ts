import { cohereProvider } from "./cohere";
import type { UpstreamLimits } from "./http-provider";
import { localProvider } from "./local";
import { openAiProvider } from "./openai";
import type { ProviderSettings } from "./settings";
import { togetherProvider } from "./together";
import type { Provider } from "./types";
import { workersAiProvider } from "./workers-ai";

/** The adapter for one configured instance: adding a wire format means adding a folder and a line here. */
function build(settings: ProviderSettings, limits: UpstreamLimits): Provider {
  switch (settings.kind) {
    case "together":
      return togetherProvider(settings, limits);
    case "workers-ai":
      return workersAiProvider(settings, limits);
    case "openai":
      return openAiProvider(settings, limits);
    case "cohere":
      return cohereProvider(settings, limits);
    case "local":
      return localProvider();
  }
}

/** Adapters for the configured instances, by name; unconfigured ones are left out. */
export function buildProviders(settings: readonly ProviderSettings[], limits: UpstreamLimits): Map<string, Provider> {
  return new Map(settings.filter((s) => s.configured).map((s) => [s.name, build(s, limits)]));
}
