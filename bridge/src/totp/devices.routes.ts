import { Router, type NextFunction, type Request, type Response } from 'express';
import { parseInput } from '../apps/application-input.js';
import { applicationOf, type RequireScope } from '../http/auth.middleware.js';
import { parseVerifyBody } from '../http/deviceauth.schemas.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import { activateDevice } from './activate-device.js';
import { enrolDevice } from './enrol-device.js';
import { listDevices, removeDevice } from './manage-devices.js';
import { deviceNotFound } from './totp-errors.js';
import { deviceIdOf, enrolBodySchema, requireTotpDeviceType, userNameOf } from './totp.schemas.js';

/** What the devices router is built from (the composition root's). */
export interface DeviceRoutesDeps {
  readonly otp: OtpDeps;
  readonly requireScope: RequireScope;
}

const USERS = '/ciam-mfa/v2/users';
const DEVICES = `${USERS}/:userName/devices`;

/**
 * A user's authenticator apps (TOTP): enrol, activate with a first code, list, remove. Every route
 * needs `mfa:send`, as sending a code does: enrolling a second factor is no less sensitive.
 */
export function deviceRoutes(deps: DeviceRoutesDeps): Router {
  const handle = handlers(deps.otp);
  const send = deps.requireScope('mfa:send');
  const router = Router();
  // the enrolment's answer holds the secret: no cache may keep any of these
  router.use(USERS, noStore);
  router.post(DEVICES, send, handle.enrol);
  router.get(DEVICES, send, handle.list);
  router.post(`${DEVICES}/:deviceId/activate`, send, handle.activate);
  router.delete(`${DEVICES}/:deviceId`, send, handle.remove);
  return router;
}

/** Each handler only parses, calls a use case and responds. */
function handlers(deps: OtpDeps) {
  return {
    enrol: async (req: Request, res: Response) => {
      const userName = userNameOf(req.params);
      requireTotpDeviceType(parseInput(enrolBodySchema, req.body).deviceType);
      res.status(201).json(await enrolDevice(deps, applicationOf(res), userName));
    },
    list: async (req: Request, res: Response) => {
      const devices = await listDevices(deps, applicationOf(res), userNameOf(req.params));
      res.json({ devices });
    },
    activate: async (req: Request, res: Response) => {
      const userName = userNameOf(req.params);
      const deviceId = requiredDeviceId(req);
      const { otp } = parseVerifyBody(req.body);
      res.json(await activateDevice(deps, applicationOf(res), { userName, deviceId, otp }));
    },
    remove: async (req: Request, res: Response) => {
      const userName = userNameOf(req.params);
      await removeDevice(deps, applicationOf(res), userName, requiredDeviceId(req));
      res.status(204).end();
    },
  };
}

function requiredDeviceId(req: Request): string {
  const deviceId = deviceIdOf(req.params);
  if (!deviceId) {
    throw deviceNotFound();
  }
  return deviceId;
}

function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
