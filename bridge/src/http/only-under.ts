import type { RequestHandler } from 'express';

/**
 * Runs `router` only for a request under one of `prefixes` (matched as Express matches paths:
 * case-insensitively, at a segment boundary) and lets every other request go straight on. A router
 * mounted without a path tests each of its routes against every request the app sees; a sign-in
 * request would otherwise walk the admin, token and health routes' dozen layers on its way.
 */
export function onlyUnder(prefixes: readonly string[], router: RequestHandler): RequestHandler {
  const escaped = prefixes.map((prefix) => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const under = new RegExp(`^(?:${escaped.join('|')})(?:[/?#]|$)`, 'i');
  const guarded: RequestHandler = (req, res, next) =>
    under.test(req.url) ? router(req, res, next) : next();
  // Whatever lists the app's routes by walking its routers (the OpenAPI test) still finds these.
  return Object.assign(guarded, { stack: (router as { stack?: unknown }).stack });
}
