import { z } from "@hono/zod-openapi";
import { PROVIDER_KINDS, type ProviderKind } from "./types";

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
  /** False when a required variable is missing: its models are then not served. */
  configured: boolean;
}

type Env = Record<string, unknown>;

const str = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};

function baseURL(raw: string | undefined, fallback: string, variable: string): string {
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
function checkTransport(url: string, apiKey: string | undefined, variable: string): void {
  const { protocol, hostname } = new URL(url);
  if (apiKey !== undefined && protocol === "http:" && !isLoopback(hostname)) {
    throw new Error(`${variable} must be an https URL: a key is sent there (plain http only for localhost)`);
  }
}

const DEFAULT_BASE_URLS: Record<Exclude<ProviderKind, "local">, string> = {
  together: "https://api.together.ai/v1",
  "workers-ai": "https://api.cloudflare.com/client/v4",
  openai: "https://api.openai.com/v1",
  cohere: "https://api.cohere.com/v2",
};

/** A default instance configured by one key variable: `<PREFIX>_API_KEY` and `<PREFIX>_BASE_URL`. */
function keyed(env: Env, kind: "together" | "openai" | "cohere", prefix: string): ProviderSettings {
  const apiKey = str(env, `${prefix}_API_KEY`);
  const baseVar = `${prefix}_BASE_URL`;
  const url = baseURL(str(env, baseVar), DEFAULT_BASE_URLS[kind], baseVar);
  checkTransport(url, apiKey, baseVar);
  return {
    name: kind,
    kind,
    baseURL: url,
    apiKey,
    vars: [`${prefix}_API_KEY`],
    configured: apiKey !== undefined,
  };
}

/** The default instance of each kind, named after the kind, from the documented variables. */
function defaultInstances(env: Env): ProviderSettings[] {
  const accountId = str(env, "WORKERS_AI_ACCOUNT_ID");
  const cfToken = str(env, "WORKERS_AI_API_TOKEN");
  const workersAiURL = baseURL(str(env, "WORKERS_AI_BASE_URL"), DEFAULT_BASE_URLS["workers-ai"], "WORKERS_AI_BASE_URL");
  checkTransport(workersAiURL, cfToken, "WORKERS_AI_BASE_URL");
  const local = (str(env, "LOCAL_PROVIDER") ?? "off").toLowerCase();
  if (!["on", "off", "true", "false", "1", "0"].includes(local)) throw new Error("LOCAL_PROVIDER must be on or off");
  return [
    keyed(env, "together", "TOGETHER"),
    {
      name: "workers-ai",
      kind: "workers-ai",
      baseURL: workersAiURL,
      apiKey: cfToken,
      accountId,
      vars: ["WORKERS_AI_ACCOUNT_ID", "WORKERS_AI_API_TOKEN"],
      configured: accountId !== undefined && cfToken !== undefined,
    },
    keyed(env, "openai", "OPENAI"),
    keyed(env, "cohere", "COHERE"),
    { name: "local", kind: "local", baseURL: "", vars: ["LOCAL_PROVIDER=on"], configured: ["on", "true", "1"].includes(local) },
  ];
}

const ExtraProviderSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, '.', '_' or '-'"),
    kind: z.enum(PROVIDER_KINDS),
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
export function parseProviders(env: Env): ProviderSettings[] {
  const byName = new Map(defaultInstances(env).map((p) => [p.name, p]));
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
    const variable = `PROVIDERS (${entry.name}).base_url`;
    const url = entry.kind === "local" ? "" : baseURL(entry.base_url, DEFAULT_BASE_URLS[entry.kind], variable);
    const apiKey = entry.api_key_var ? str(env, entry.api_key_var) : undefined;
    if (url) checkTransport(url, apiKey, variable);
    const accountId = entry.account_id ?? (entry.account_id_var ? str(env, entry.account_id_var) : undefined);
    const vars = [entry.api_key_var, entry.account_id_var].filter((v): v is string => v !== undefined);
    const configured = (!entry.api_key_var || apiKey !== undefined) && (entry.kind !== "workers-ai" || accountId !== undefined);
    byName.set(entry.name, { name: entry.name, kind: entry.kind, baseURL: url, apiKey, accountId, vars, configured });
  }
  return [...byName.values()];
}
