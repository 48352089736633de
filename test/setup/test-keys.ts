// The worker tests' secrets (vitest.config.ts binds them). Long enough for the gateway's secret rules
// (32+ characters, no example values), and distinctive, so a test can assert they never leak.

/** The server key with id `ci`. */
export const TEST_SERVER_KEY_1 = "test-server-key-1-8f3a61c2d9e04b7a";
/** The server key with id `backend`. */
export const TEST_SERVER_KEY_2 = "test-server-key-2-5c0e92b4f7a1d386";
/** `GATEWAY_KEYS` as the worker tests bind it. */
export const TEST_GATEWAY_KEYS = `ci:${TEST_SERVER_KEY_1},backend:${TEST_SERVER_KEY_2}`;
/** `TOKEN_SECRET` as the worker tests bind it. */
export const TEST_TOKEN_SECRET = "test-token-secret-0123456789abcdef0123456789";
