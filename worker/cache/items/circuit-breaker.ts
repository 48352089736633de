/** Consecutive failed upstream attempts after which a route is skipped. */
export const BREAKER_FAILURES = 5;
/** How long a tripped route is skipped before one request probes it again. */
export const BREAKER_COOLDOWN_MS = 30_000;
/** Routes tracked at once; the oldest entry goes first (a route that recovered has none). */
const MAX_TRACKED = 1000;

interface RouteHealth {
  failures: number;
  /** While now is before this, the route is skipped; 0 when it is not tripped. */
  skipUntil: number;
}

// Per isolate on purpose: each isolate judges the routes by its own calls, with no store round trip
// on the hot path; an isolate that never saw a route fail keeps using it. Only failing routes have an
// entry, and the map is bounded, so it cannot grow without limit.
const health = new Map<string, RouteHealth>();

/**
 * Whether a call to the route may go ahead now. A tripped route is skipped for the cool-down; after
 * it, the first caller goes ahead as the probe and the others keep skipping for another cool-down
 * unless the probe succeeds.
 */
export function routeAllowed(route: string, now = Date.now()): boolean {
  const state = health.get(route);
  if (!state || state.failures < BREAKER_FAILURES) return true;
  if (now < state.skipUntil) return false;
  state.skipUntil = now + BREAKER_COOLDOWN_MS;
  return true;
}

/** Records one upstream attempt's outcome: a success closes the breaker, a failure counts. */
export function recordAttempt(route: string, ok: boolean, now = Date.now()): void {
  if (ok) {
    health.delete(route);
    return;
  }
  let state = health.get(route);
  if (!state) {
    if (health.size >= MAX_TRACKED) health.delete(health.keys().next().value!);
    state = { failures: 0, skipUntil: 0 };
    health.set(route, state);
  }
  state.failures++;
  if (state.failures >= BREAKER_FAILURES) state.skipUntil = Math.max(state.skipUntil, now + BREAKER_COOLDOWN_MS);
}

/** Milliseconds until a tripped route is probed again (0 when it is not tripped). */
export function msUntilProbe(route: string, now = Date.now()): number {
  const state = health.get(route);
  return state && state.failures >= BREAKER_FAILURES ? Math.max(0, state.skipUntil - now) : 0;
}
