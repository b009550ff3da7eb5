import { Router, type Response } from 'express';
import { applicationView, type ApplicationStore } from '../apps/application-store.js';
import { removeApplication, type ApplicationData } from '../apps/remove-application.js';
import { dkimView } from '../email/dkim-key.js';
import { setEmailDomain } from '../email/email-domain.js';
import { CiamError } from '../errors.js';
import type { SigningKeys } from '../issuer/keys.js';
import type { PrefixGuard } from '../pumping/prefix-guard.js';
import type { RequireScope } from './auth.middleware.js';

/** What the admin API is built from. */
export interface AdminRoutesDeps {
  readonly apps: ApplicationStore;
  readonly requireScope: RequireScope;
  /** The embedded issuer's keys; absent with an external issuer (no key rotation then). */
  readonly keys?: SigningKeys | undefined;
  /** How long a retired key stays published: the token lifetime plus clock skew. */
  readonly keyGraceSeconds: number;
  /** Seals the DKIM keys it generates. */
  readonly serverSecret: Buffer;
  /** The users' authenticator devices, removed with their application. */
  readonly devices: ApplicationData;
  /** The SMS-pumping guard: its quarantines are listed and released here. */
  readonly pumping: PrefixGuard;
  readonly now: () => number;
}

const BASE = '/admin/v1/applications';

/**
 * The registration process, scope `mfa:admin`: create, list, read, change, delete applications,
 * rotate a client secret (shown once, stored hashed), give an application a DKIM key for its email
 * domain (stored sealed), list and release its SMS-pumping quarantines, and rotate the issuer's
 * signing key.
 */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = Router();
  const { apps } = deps;
  // /admin/v1 only: GET /admin (and /admin/login, /admin/logout) is the overview page, signed in by form.
  router.use('/admin/v1', deps.requireScope('mfa:admin'));
  router.post(BASE, async (req, res) => {
    const { application, clientSecret } = await apps.create(req.body);
    noStore(res)
      .status(201)
      .location(`${BASE}/${application.clientId}`)
      .json({ ...applicationView(application), clientSecret });
  });
  router.get(BASE, async (_req, res) => {
    res.json({ applications: (await apps.list()).map(applicationView) });
  });
  router.get(`${BASE}/:clientId`, async (req, res) => {
    res.json(applicationView(found(await apps.get(req.params.clientId), req.params.clientId)));
  });
  router.patch(`${BASE}/:clientId`, async (req, res) => {
    res.json(
      applicationView(found(await apps.update(req.params.clientId, req.body), req.params.clientId)),
    );
  });
  router.delete(`${BASE}/:clientId`, async (req, res) => {
    const removed = await removeApplication(apps, deps.devices, req.params.clientId);
    found(removed || undefined, req.params.clientId);
    res.status(204).end();
  });
  router.post(`${BASE}/:clientId/secret`, async (req, res) => {
    const clientSecret = found(await apps.rotateSecret(req.params.clientId), req.params.clientId);
    noStore(res).json({ clientId: req.params.clientId, clientSecret });
  });
  router.post(`${BASE}/:clientId/email-domain`, async (req, res) => {
    const { clientId } = req.params;
    const { application, records } = found(
      await setEmailDomain(apps, deps.serverSecret, clientId, req.body),
      clientId,
    );
    res.json({ clientId, emailDkim: dkimView(application.emailDkim!), dnsRecords: records });
  });
  router.get(`${BASE}/:clientId/quarantines`, async (req, res) => {
    const { clientId } = req.params;
    found(await apps.get(clientId), clientId);
    res.json({ clientId, quarantines: await deps.pumping.list(clientId, deps.now()) });
  });
  router.delete(`${BASE}/:clientId/quarantines/:prefix`, async (req, res) => {
    const { clientId, prefix } = req.params;
    found(await apps.get(clientId), clientId);
    if (!(await deps.pumping.release(clientId, prefix))) {
      throw new CiamError('NOT_FOUND', `${prefix.slice(0, 16)} is not quarantined`);
    }
    res.status(204).end();
  });
  if (deps.keys) {
    router.post('/admin/v1/keys/rotate', rotateKeys(deps.keys, deps.keyGraceSeconds));
  }
  return router;
}

function rotateKeys(keys: SigningKeys, graceSeconds: number) {
  return async (_req: unknown, res: Response) => {
    const { kid, previousKid } = await keys.rotate(graceSeconds);
    res.json({
      kid,
      previousKid,
      previousPublishedUntil: new Date(Date.now() + graceSeconds * 1000).toISOString(),
    });
  };
}

function found<T>(value: T | undefined, clientId: string): T {
  if (value === undefined) {
    throw new CiamError('NOT_FOUND', `no application ${clientId.slice(0, 64)}`);
  }
  return value;
}

function noStore(res: Response): Response {
  return res.setHeader('Cache-Control', 'no-store');
}
