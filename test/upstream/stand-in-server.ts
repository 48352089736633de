// The one HTTP server every stand-in upstream is mounted on. It owns what the wire formats share:
// tenants (`/t/<tenant>/...`, so concurrent test files never share counters or faults), the
// control routes (`_stats`, `_reset`, `_fault`), auth and body logging, and fault injection.
// Each format (`WireFormat`) only parses its requests and words its answers and errors.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type NonFiniteValue, parseFault, type QueuedFault, serialize, takeFault } from "./faults.ts";

export type FormatName = "together" | "workers-ai" | "openai" | "cohere";

/** Where each format is mounted below `/t/<tenant>` (or below the root, for the default tenant). */
export const FORMAT_PREFIXES: Record<FormatName, string> = {
  together: "/v1",
  "workers-ai": "/workers-ai/client/v4",
  openai: "/openai/v1",
  cohere: "/cohere/v2",
};

/**
 * The base URL a gateway is configured with to reach `format` for `tenant`.
 * @example standInBaseURL(upstreamURL, "openai", "t1") // http://127.0.0.1:PORT/t/t1/openai/v1
 */
export function standInBaseURL(url: string, format: FormatName, tenant?: string): string {
  return `${url}${tenant ? `/t/${encodeURIComponent(tenant)}` : ""}${FORMAT_PREFIXES[format]}`;
}

export interface TenantState {
  /**
   * Requests that passed auth and JSON parsing, per format. `embeddings` and `rerank` count
   * Together's two routes (their meaning from before the other formats existed); the others count
   * every request of that format, embeddings and rerank alike.
   */
  calls: { embeddings: number; rerank: number; "workers-ai": number; openai: number; cohere: number };
  /** How often each text (embedding input, or rerank document text) was sent, over all formats. */
  embedded: Record<string, number>;
  reranked: Record<string, number>;
  /** Every parsed request body as sent, and (same index) the format it came to. */
  bodies: unknown[];
  bodyFormats: FormatName[];
  faults: QueuedFault[];
  /** The Authorization header of every request to a model route, before it is checked. */
  authHeaders: string[];
  /** Tokens billed: the `usage.total_tokens` of every successful answer that reports usage. */
  billedTokens: number;
}

function newTenant(): TenantState {
  return {
    calls: { embeddings: 0, rerank: 0, "workers-ai": 0, openai: 0, cohere: 0 },
    embedded: {},
    reranked: {},
    bodies: [],
    bodyFormats: [],
    faults: [],
    authHeaders: [],
    billedTokens: 0,
  };
}

/** Adds one sighting of each text to a tenant's `embedded` or `reranked` tally. */
export function tally(counts: Record<string, number>, texts: readonly string[]): void {
  for (const text of texts) counts[text] = (counts[text] ?? 0) + 1;
}

/** An answer before serialisation. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Operation {
  kind: "embeddings" | "rerank";
  /** The model and account, for formats that name them in the path (Workers AI). */
  model?: string;
  account?: string;
}

export interface AnswerContext {
  state: TenantState;
  /** Set by the `wrong-dimensions` fault: vectors come back one component short. */
  wrongDimensions: boolean;
  /** Set by the `non-finite` fault: the first vector or the best score is broken this way. */
  nonFinite?: NonFiniteValue;
}

/** One wire format: how its requests are routed, checked and answered, and how it words errors. */
export interface WireFormat {
  readonly name: FormatName;
  /** The operation `path` (below the format's prefix) names, or the format's 404. */
  operation(path: string): Operation | Reply;
  /** The refusal for a wrong or missing credential, if it is one. */
  authorize(authorization: string | undefined, op: Operation): Reply | undefined;
  /** The format's error shape, used for injected `status` faults too. */
  error(status: number, message: string): Reply;
  /** The answer to a body that is not a JSON object. */
  badJson(): Reply;
  /** What the real upstream refuses before doing any work: unknown models, limits, markers. */
  refuse(op: Operation, body: Record<string, any>, raw: string): Reply | undefined;
  answer(op: Operation, body: Record<string, any>, ctx: AnswerContext): Reply;
  /** A success body cut off mid-way, for the `malformed` fault. */
  readonly truncated: string;
}

export interface StandIn {
  url: string;
  /** Together's base URL (`/v1`), as before the other formats existed. */
  baseURL(tenant?: string): string;
  baseURLFor(format: FormatName, tenant?: string): string;
  tenant(name?: string): TenantState;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, reply: Reply, nonFinite?: NonFiniteValue): void {
  res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
  res.end(serialize(reply.body, nonFinite));
}

const isReply = (value: Operation | Reply): value is Reply => "status" in value;

/** Starts one server on 127.0.0.1 serving `formats` under their prefixes. */
export async function startStandInServer(formats: readonly WireFormat[], port = 0): Promise<StandIn> {
  const tenants = new Map<string, TenantState>();
  const tenant = (name = "default") => {
    const existing = tenants.get(name);
    if (existing) return existing;
    const created = newTenant();
    tenants.set(name, created);
    return created;
  };
  const hanging = new Set<ServerResponse>();
  const notFound: Reply = {
    status: 404,
    body: { error: { message: "not found", type: "invalid_request_error", param: null, code: null } },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^(?:\/t\/([^/]+))?(\/[^?]*)/.exec(req.url ?? "");
    if (!match) return send(res, notFound);
    const name = match[1] ? decodeURIComponent(match[1]) : "default";
    const path = match[2];

    if (path === "/_stats" || path === "/_reset" || path === "/_fault") {
      const raw = await readBody(req);
      if (path === "/_stats") return send(res, { status: 200, body: tenant(name) });
      if (path === "/_reset") {
        tenants.set(name, newTenant());
        return send(res, { status: 200, body: { ok: true } });
      }
      const fault = parseFault(raw);
      if (!fault) return send(res, { status: 400, body: { error: `not a fault: ${raw}` } });
      tenant(name).faults.push(fault);
      return send(res, { status: 200, body: { ok: true } });
    }

    const format = formats.find((f) => path.startsWith(`${FORMAT_PREFIXES[f.name]}/`));
    if (!format) return send(res, notFound);
    const op = format.operation(path.slice(FORMAT_PREFIXES[format.name].length));
    if (isReply(op)) return send(res, op);

    const state = tenant(name);
    const raw = await readBody(req);
    state.authHeaders.push(req.headers.authorization ?? "");
    const unauthorized = format.authorize(req.headers.authorization, op);
    if (unauthorized) return send(res, unauthorized);

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, format.badJson());
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return send(res, format.badJson());
    state.bodies.push(body);
    state.bodyFormats.push(format.name);
    if (format.name === "together") state.calls[op.kind]++;
    else state.calls[format.name]++;

    const refusal = format.refuse(op, body as Record<string, any>, raw);
    if (refusal) return send(res, refusal);

    const ctx: AnswerContext = { state, wrongDimensions: false };
    const fault = takeFault(state.faults);
    switch (fault?.kind) {
      case "status": {
        const headers = fault.retryAfter ? { "retry-after": fault.retryAfter } : undefined;
        if (fault.body !== undefined) {
          res.writeHead(fault.status, { "content-type": "application/json", ...headers });
          return void res.end(fault.body);
        }
        return send(res, { ...format.error(fault.status, `injected ${fault.status} (upstream secret detail)`), headers });
      }
      case "timeout":
        hanging.add(res);
        return; // never answers
      case "reset":
        // A TCP RST once the request is in: the client sees the connection reset before any answer.
        // workerd logs each such failure as an "uncaught exception ... Network connection lost"
        // even when the worker catches it; no way of closing (FIN or RST, before or after reading
        // the body, or a refused connect) avoids that line, so it is not this server's doing.
        return void req.socket.resetAndDestroy();
      case "malformed":
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(format.truncated);
      case "html":
        res.writeHead(200, { "content-type": "text/html" });
        return void res.end("<html><body>502 Bad Gateway</body></html>");
      case "wrong-dimensions":
        ctx.wrongDimensions = true;
        break;
      case "delay":
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        break;
      case "non-finite":
        ctx.nonFinite = fault.value ?? "null";
        break;
      case "redirect":
        res.writeHead(fault.status ?? 307, { location: fault.location });
        return void res.end();
      case "oversized": {
        const reply = format.answer(op, body as Record<string, any>, ctx);
        const padding = " ".repeat(fault.padBytes);
        if (!fault.chunked) {
          const whole = serialize(reply.body) + padding;
          res.writeHead(reply.status, { "content-type": "application/json", "content-length": Buffer.byteLength(whole) });
          return void res.end(whole);
        }
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.write(serialize(reply.body));
        for (let i = 0; i < padding.length; i += 64 << 10) res.write(padding.slice(i, i + (64 << 10)));
        return void res.end();
      }
    }
    const reply = format.answer(op, body as Record<string, any>, ctx);
    const billed = (reply.body as { usage?: { total_tokens?: unknown } } | undefined)?.usage?.total_tokens;
    if (reply.status === 200 && typeof billed === "number") state.billedTokens += billed;
    send(res, reply, ctx.nonFinite);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A stand-in bug must fail the test that hit it, not crash the test run.
      if (res.headersSent) return void res.destroy();
      send(res, { status: 500, body: { error: `stand-in failure: ${String(err)}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseURL: (name) => standInBaseURL(url, "together", name),
    baseURLFor: (format, name) => standInBaseURL(url, format, name),
    tenant,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
