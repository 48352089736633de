import { z } from "@hono/zod-openapi";
import type { Provider, ProviderKind, UpstreamLimits } from "./types";

/** One provider instance as configured: enough to build its adapter, and to say what enables it. */
export interface ProviderSettings {
  name: string;
  kind: ProviderKind;
  /** Base URL without a trailing slash ("" for `local`). */
  baseURL: string;
  apiKey?: string;
  /** Workers AI only. */
  accountId?: string;
  /** The variables that configure this instance, for error messages (never their values). */
  vars: string[];
  /** Where its base URL is set, for error messages: `OPENAI_BASE_URL`, or `PROVIDERS entry 'tei'`. */
  baseVar: string;
  /** The operations its kind can do. */
  serves: { embed: boolean; rerank: boolean };
  /** False when a required variable is missing: its models are then not served. */
  configured: boolean;
}

/** The environment as provider settings read it: variables by name. */
export type EnvVars = Record<string, unknown>;

export const str = (env: EnvVars, name: string): string | undefined => {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};

export function baseURL(raw: string | undefined, fallback: string, variable: string): string {
  const url = (raw ?? fallback).replace(/\/+$/, "");
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new Error(`${variable} must be an http(s) URL`);
  return url;
}

/** Hosts whose traffic never leaves the machine: the only ones a key may reach over plain http. */
const isLoopback = (host: string) =>
  host === "localhost" || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "[::1]";

/**
 * Refuses sending a key (and the users' texts) over plain http to anything but this machine: on the
 * way there anyone could read both. Upstreams without a key (TEI, Ollama on a private network) may
 * use http.
 */
export function checkTransport(url: string, apiKey: string | undefined, variable: string): void {
  const { protocol, hostname } = new URL(url);
  if (apiKey !== undefined && protocol === "http:" && !isLoopback(hostname)) {
    throw new Error(`${variable} must be an https URL: a key is sent there (plain http only for localhost)`);
  }
}

/**
 * What a provider kind's folder exports, and all the gateway needs to know of the kind: its name, its
 * default base URL, what it serves, how its default instance is configured and how to build one.
 * Adding a kind is a new folder and one line in `registry.ts`.
 */
export interface ProviderDescriptor {
  readonly kind: ProviderKind;
  /** "" for a kind that makes no HTTP calls. */
  readonly defaultBaseURL: string;
  readonly serves: { embed: boolean; rerank: boolean };
  /** Whether an instance needs an account id besides its key (Workers AI). */
  readonly needsAccount?: boolean;
  /** The default instance (named after the kind) from the kind's documented variables. */
  defaultInstance(env: EnvVars): ProviderSettings;
  build(settings: ProviderSettings, limits: UpstreamLimits): Provider;
}

/**
 * A default instance configured by one key variable, `<PREFIX>_API_KEY`, with its base URL in
 * `<PREFIX>_BASE_URL`: how Together, OpenAI and Cohere are set up.
 */
export function keyedInstance(env: EnvVars, descriptor: ProviderDescriptor, prefix: string): ProviderSettings {
  const apiKey = str(env, `${prefix}_API_KEY`);
  const baseVar = `${prefix}_BASE_URL`;
  const url = baseURL(str(env, baseVar), descriptor.defaultBaseURL, baseVar);
  checkTransport(url, apiKey, baseVar);
  return {
    name: descriptor.kind,
    kind: descriptor.kind,
    baseURL: url,
    apiKey,
    vars: [`${prefix}_API_KEY`],
    baseVar,
    serves: descriptor.serves,
    configured: apiKey !== undefined,
  };
}

const ExtraProviderSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' or '-'"),
    kind: z.string(),
    base_url: z.string().optional(),
    /** The variable (usually a secret) holding this instance's key; omit for upstreams without auth. */
    api_key_var: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    /** Workers AI: the account id, or the variable holding it. */
    account_id: z.string().optional(),
    account_id_var: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
  })
  .strict();

/**
 * Every provider instance: the default one of each kind, plus `PROVIDERS` (a JSON array of
 * `{name, kind, base_url, api_key_var}`) for more than one upstream of a kind, say TEI beside OpenAI.
 * An entry named like a default instance replaces it.
 */
export function parseProviders(env: EnvVars, descriptors: readonly ProviderDescriptor[]): ProviderSettings[] {
  const byName = new Map(descriptors.map((d) => d.defaultInstance(env)).map((p) => [p.name, p]));
  const byKind = new Map(descriptors.map((d) => [d.kind, d]));
  let raw: unknown = env.PROVIDERS;
  if (typeof raw === "string") {
    if (raw.trim() === "") raw = undefined;
    else {
      try {
        raw = JSON.parse(raw);
      } catch {
        throw new Error("PROVIDERS must be a JSON array of {name, kind, base_url, api_key_var}");
      }
    }
  }
  const parsed = z.array(ExtraProviderSchema).safeParse(raw ?? []);
  if (!parsed.success) throw new Error(`PROVIDERS is invalid: ${z.prettifyError(parsed.error)}`);
  for (const entry of parsed.data) {
    const descriptor = byKind.get(entry.kind);
    if (!descriptor) throw new Error(`PROVIDERS (${entry.name}).kind must be one of ${[...byKind.keys()].join(", ")}`);
    const variable = `PROVIDERS (${entry.name}).base_url`;
    const url = descriptor.defaultBaseURL === "" ? "" : baseURL(entry.base_url, descriptor.defaultBaseURL, variable);
    const apiKey = entry.api_key_var ? str(env, entry.api_key_var) : undefined;
    if (url) checkTransport(url, apiKey, variable);
    const accountId = entry.account_id ?? (entry.account_id_var ? str(env, entry.account_id_var) : undefined);
    const vars = [entry.api_key_var, entry.account_id_var].filter((v): v is string => v !== undefined);
    const configured = (!entry.api_key_var || apiKey !== undefined) && (!descriptor.needsAccount || accountId !== undefined);
    const baseVar = `PROVIDERS entry '${entry.name}'`;
    byName.set(entry.name, {
      name: entry.name,
      kind: entry.kind,
      baseURL: url,
      apiKey,
      accountId,
      vars,
      baseVar,
      serves: descriptor.serves,
      configured,
    });
  }
  return [...byName.values()];
}
