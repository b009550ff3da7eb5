import type { z } from 'zod';
import type { BridgeConfig } from '../config.js';
import { CiamError } from '../errors.js';
import type { Application, DeviceType } from './application.js';
import type { createApplicationSchema, Scope } from './application-input.js';
import type { ApplicationStore } from './application-store.js';

type NewClient = z.input<typeof createApplicationSchema> & { clientId: string; scopes: Scope[] };

/** The demo application BRIDGE_DEMO_CLIENT_ID creates: every messaging channel, every country, back to the demo's callback. */
function demoClient(clientId: string, publicUrl: string): NewClient {
  return {
    clientId,
    name: 'Demo application',
    brand: 'sms-mfa demo',
    scopes: ['mfa:send', 'mfa:verify'],
    deviceTypes: ['SMS', 'WHATSAPP', 'TELEGRAM', 'TOTP'],
    allowedCountries: [],
    // Return URLs must be https (http only on loopback); a plain-http public host gets none rather than a failed start.
    returnUrls: /^(https:|http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$))/.test(publicUrl)
      ? [`${publicUrl}/demo/callback`]
      : [],
  };
}

/** The administrator BRIDGE_ADMIN_CLIENT_ID creates: the admin scope only, so it cannot send codes. */
function adminClient(clientId: string): NewClient {
  return { clientId, name: 'Administrator', scopes: ['mfa:admin'] };
}

/**
 * Creates (or brings up to date) the applications named in the environment: the demo client and
 * the admin client. An existing one keeps its settings but gets the configured secret, and any
 * scope, return URL or device type it lacks.
 */
export async function ensureConfiguredClients(
  apps: ApplicationStore,
  config: Pick<BridgeConfig, 'demoClient' | 'adminClient' | 'publicUrl'>,
): Promise<Application[]> {
  const ready: Application[] = [];
  const { demoClient: demo, adminClient: admin } = config;
  if (demo?.clientSecret) {
    ready.push(
      await ensureClient(apps, demoClient(demo.clientId, config.publicUrl), demo.clientSecret),
    );
  }
  if (admin?.clientSecret) {
    ready.push(await ensureClient(apps, adminClient(admin.clientId), admin.clientSecret));
  }
  return ready;
}

async function ensureClient(
  apps: ApplicationStore,
  wanted: NewClient,
  secret: string,
): Promise<Application> {
  if (!(await apps.get(wanted.clientId))) {
    try {
      return (await apps.create(wanted, secret)).application;
    } catch (err) {
      // Another instance created it a moment ago: fall through and bring it up to date.
      if (!(err instanceof CiamError && err.code === 'INVALID_REQUEST')) {
        throw err;
      }
    }
  }
  if (!(await apps.verifySecret(wanted.clientId, secret))) {
    await apps.rotateSecret(wanted.clientId, secret);
  }
  const current = await apps.get(wanted.clientId);
  if (!current) {
    throw new Error(`application ${wanted.clientId} vanished during start-up`);
  }
  const missing = wanted.scopes.filter((s) => !current.scopes.includes(s));
  const missingUrls = (wanted.returnUrls ?? []).filter((u) => !current.returnUrls.includes(u));
  // a device type the bridge learnt since the demo client was created (TOTP) is offered too
  const missingTypes = (wanted.deviceTypes ?? []).filter(
    (t) => !current.deviceTypes.includes(t.toUpperCase() as DeviceType),
  );
  if (missing.length === 0 && missingUrls.length === 0 && missingTypes.length === 0) {
    return current;
  }
  const patch = {
    ...(missing.length ? { scopes: [...current.scopes, ...missing] as Scope[] } : {}),
    ...(missingUrls.length ? { returnUrls: [...current.returnUrls, ...missingUrls] } : {}),
    ...(missingTypes.length ? { deviceTypes: [...current.deviceTypes, ...missingTypes] } : {}),
  };
  return (await apps.update(wanted.clientId, patch)) ?? current;
}
