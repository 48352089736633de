import { cohere } from "./cohere";
import { local } from "./local";
import { openai } from "./openai";
import type { ProviderDescriptor, ProviderSettings } from "./settings";
import { together } from "./together";
import type { Provider, UpstreamLimits } from "./types";
import { workersAi } from "./workers-ai";

/**
 * Every provider kind, in the order their default instances are listed. Adding a wire format means
 * adding a folder that exports a descriptor, and a line here.
 */
export const PROVIDER_DESCRIPTORS: readonly ProviderDescriptor[] = [together, workersAi, openai, cohere, local];

/** Adapters for the configured instances, by name; unconfigured ones are left out. */
export function buildProviders(settings: readonly ProviderSettings[], limits: UpstreamLimits): Map<string, Provider> {
  const byKind = new Map(PROVIDER_DESCRIPTORS.map((d) => [d.kind, d]));
  return new Map(settings.filter((s) => s.configured).map((s) => [s.name, byKind.get(s.kind)!.build(s, limits)]));
}
