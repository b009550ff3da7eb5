// The guard that keeps a sign-in request from walking routers that cannot answer it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { onlyUnder } from '../src/http/only-under.js';

function reached(url: string): 'router' | 'next' {
  let where: 'router' | 'next' | undefined;
  const router: RequestHandler = () => void (where = 'router');
  const wrapped = onlyUnder(['/admin/v1', '/healthz'], router);
  wrapped({ url } as Request, {} as Response, (() => void (where = 'next')) as NextFunction);
  return where!;
}

describe('routers mounted only under their prefixes', () => {
  it('hands the router every request under its prefixes, with a query, deeper paths, or in another case as Express matches', () => {
    for (const url of [
      '/admin/v1',
      '/admin/v1/applications',
      '/ADMIN/V1/applications/x',
      '/healthz?probe=1',
    ]) {
      assert.equal(reached(url), 'router', url);
    }
  });

  it('lets every other request go straight on, including paths that only start with the same letters', () => {
    for (const url of [
      '/ciam-mfa/v2/deviceAuthentications',
      '/admin/v10',
      '/admin',
      '/healthzz',
      '/',
    ]) {
      assert.equal(reached(url), 'next', url);
    }
  });
});
