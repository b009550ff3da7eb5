import type KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import type AuthenticationExecutionInfoRepresentation from '@keycloak/keycloak-admin-client/lib/defs/authenticationExecutionInfoRepresentation.js';
import type { UserProfileAttribute } from '@keycloak/keycloak-admin-client/lib/defs/userProfileMetadata.js';

/**
 * The idempotent steps that put the SMS script authenticator into a realm's browser flow, through
 * the Keycloak Admin REST API. Each step reads first and writes only what differs, so a second
 * run makes no write call at all.
 */

type Execution = AuthenticationExecutionInfoRepresentation;

/** Keycloak's provider id for a deployed script is "script-" + its file name (keycloak-scripts.json). */
export const DEFAULT_PROVIDER_ID = 'script-sms-authenticator.js';
export const DEFAULT_FLOW_ALIAS = 'browser with sms';
const PASSWORD_FORM = 'auth-username-password-form';
/** E.164: a plus, a non-zero digit, 7 to 15 digits in all. The bridge normalises further. */
export const PHONE_PATTERN = '^\\+[1-9][0-9]{6,14}$';

export type MissingPhone = 'skip' | 'fail';

/** What to install; every field is already validated by the CLI. */
export interface InstallOptions {
  readonly realm: string;
  readonly flowAlias: string;
  readonly providerId: string;
  readonly bridgeUrl: string;
  readonly bridgeClientId: string;
  /**
   * The value of smsMfaClientSecret: the secret, or `${vault.<key>}` for the script to read from
   * Keycloak's vault; undefined stores none (and removes one an earlier run stored), so that the
   * script reads SMS_MFA_CLIENT_SECRET on the Keycloak host.
   */
  readonly bridgeClientSecret: string | undefined;
  readonly tokenRealm: string;
  readonly tokenUrl: string | undefined;
  readonly phoneAttribute: string;
  readonly missingPhone: MissingPhone;
}

/** One step's outcome: `changed` is false when Keycloak already had it. */
export interface StepResult {
  readonly step: string;
  readonly changed: boolean;
  readonly detail: string;
}

export type InstallErrorCode = 'REALM_NOT_FOUND' | 'PROVIDER_NOT_DEPLOYED' | 'FLOW_SHAPE';

/** A problem the admin can fix; `message` says how. */
export class InstallError extends Error {
  override readonly name = 'InstallError';
  constructor(
    readonly code: InstallErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Runs every step in order against a logged-in admin client; returns what each did. */
export async function installSmsStep(
  admin: KeycloakAdminClient,
  o: InstallOptions,
): Promise<StepResult[]> {
  admin.setConfig({ realmName: o.realm });
  await requireRealm(admin, o.realm);
  await requireProvider(admin, o.providerId);
  return [
    await ensureFlowCopy(admin, o.flowAlias),
    ...(await ensureSmsExecution(admin, o.flowAlias, o.providerId)),
    await ensureRealmSettings(admin, o),
    await ensureProfileAttribute(admin, o.phoneAttribute),
  ];
}

async function requireRealm(admin: KeycloakAdminClient, realm: string): Promise<void> {
  const found = await admin.realms.findOne({ realm });
  if (!found) {
    throw new InstallError('REALM_NOT_FOUND', `realm "${realm}" not found on ${admin.baseUrl}`);
  }
}

async function requireProvider(admin: KeycloakAdminClient, providerId: string): Promise<void> {
  const providers = await admin.authenticationManagement.getAuthenticatorProviders();
  if (providers.some((p) => p.id === providerId)) {
    return;
  }
  throw new InstallError(
    'PROVIDER_NOT_DEPLOYED',
    `Keycloak has no authenticator "${providerId}": deploy the jar (bridge/keycloak/dist/sms-mfa-authenticator.jar) ` +
      'into providers/, start Keycloak with --features=scripts (kc.sh build --features=scripts for an optimized start) and restart it',
  );
}

/** Copies the built-in `browser` flow to `alias` unless a flow of that alias exists. */
export async function ensureFlowCopy(
  admin: KeycloakAdminClient,
  alias: string,
): Promise<StepResult> {
  const flows = await admin.authenticationManagement.getFlows();
  if (flows.some((f) => f.alias === alias)) {
    return { step: 'flow', changed: false, detail: `flow "${alias}" exists` };
  }
  await admin.authenticationManagement.copyFlow({ flow: 'browser', newName: alias });
  return { step: 'flow', changed: true, detail: `copied "browser" to "${alias}"` };
}

/** Keycloak lists a script provider's id Base32-encoded in GET executions (RFC 4648 alphabet, no padding). */
export function base32(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out;
}

function isProvider(e: Execution, providerId: string): boolean {
  const listed = (e.providerId ?? '').replace(/=+$/, '');
  return listed === providerId || listed === base32(providerId);
}

interface FormsShape {
  readonly subflowAlias: string;
  /** Executions directly in the forms subflow, in order. */
  readonly siblings: readonly Execution[];
}

/** Finds the subflow that holds the username/password form, and that subflow's direct children. */
export function findFormsSubflow(executions: readonly Execution[]): FormsShape {
  const pwIndex = executions.findIndex((e) => e.providerId === PASSWORD_FORM);
  const pw = executions[pwIndex];
  const level = pw?.level ?? 0;
  let parentIndex = pwIndex - 1;
  while (parentIndex >= 0 && (executions[parentIndex]?.level ?? 0) >= level) {
    parentIndex--;
  }
  const parent = executions[parentIndex];
  if (!pw || !parent?.authenticationFlow || !parent.displayName) {
    throw new InstallError(
      'FLOW_SHAPE',
      `the flow has no subflow holding "${PASSWORD_FORM}"; copy it from "browser" or pass another --flow-alias`,
    );
  }
  const siblings: Execution[] = [];
  for (const e of executions.slice(parentIndex + 1)) {
    if ((e.level ?? 0) < level) {
      break;
    }
    if (e.level === level) {
      siblings.push(e);
    }
  }
  return { subflowAlias: parent.displayName, siblings };
}

/** Adds the SMS execution to the forms subflow, moves it right after the password form, makes it REQUIRED. */
export async function ensureSmsExecution(
  admin: KeycloakAdminClient,
  flowAlias: string,
  providerId: string,
): Promise<StepResult[]> {
  const am = admin.authenticationManagement;
  const read = async () => findFormsSubflow(await am.getExecutions({ flow: flowAlias }));
  let shape = await read();
  const added = !shape.siblings.some((e) => isProvider(e, providerId));
  if (added) {
    await am.addExecutionToFlow({ flow: shape.subflowAlias, provider: providerId });
    shape = await read();
  }
  const moves = await moveAfterPasswordForm(admin, shape, providerId);
  if (moves) {
    shape = await read();
  }
  const sms = shape.siblings.find((e) => isProvider(e, providerId));
  if (!sms?.id) {
    throw new InstallError(
      'FLOW_SHAPE',
      `the execution "${providerId}" did not appear in "${shape.subflowAlias}"`,
    );
  }
  const required = sms.requirement !== 'REQUIRED';
  // The execution goes back whole: Keycloak sets `priority` from the body, and a body without one
  // would move the step to the top of its subflow, before the password form.
  if (required) {
    await am.updateExecution({ flow: flowAlias }, { ...sms, requirement: 'REQUIRED' });
  }
  return [
    {
      step: 'execution',
      changed: added,
      detail: added
        ? `added "${providerId}" to "${shape.subflowAlias}"`
        : `"${providerId}" is in "${shape.subflowAlias}"`,
    },
    {
      step: 'order',
      changed: moves > 0,
      detail: moves
        ? `moved it ${moves} place(s) to follow the password form`
        : 'it follows the password form',
    },
    {
      step: 'requirement',
      changed: required,
      detail: required ? `set REQUIRED (was ${sms.requirement})` : 'REQUIRED',
    },
  ];
}

/** Raises (or lowers) the SMS execution until it sits right after the password form; returns the moves made. */
async function moveAfterPasswordForm(
  admin: KeycloakAdminClient,
  shape: FormsShape,
  providerId: string,
): Promise<number> {
  const ids = shape.siblings.map((e) => e.id);
  const pw = shape.siblings.findIndex((e) => e.providerId === PASSWORD_FORM);
  const smsIndex = shape.siblings.findIndex((e) => isProvider(e, providerId));
  const sms = ids[smsIndex];
  if (!sms) {
    return 0;
  }
  const distance = smsIndex - (pw + 1) + (smsIndex < pw ? 1 : 0);
  const am = admin.authenticationManagement;
  for (let i = 0; i < Math.abs(distance); i++) {
    if (distance > 0) {
      await am.raisePriorityExecution({ id: sms });
    } else {
      await am.lowerPriorityExecution({ id: sms });
    }
  }
  return Math.abs(distance);
}

/** The realm attribute that holds the bridge client secret, or a vault reference to it. */
export const SECRET_ATTRIBUTE = 'smsMfaClientSecret';

/** `${vault.<key>}`: the form Keycloak's vault transcriber resolves (session.vault()). */
export function vaultReference(key: string): string {
  return `\${vault.${key}}`;
}

/** The realm attributes the script authenticator reads. */
export function desiredAttributes(o: InstallOptions): Record<string, string> {
  return {
    smsMfaBridgeUrl: o.bridgeUrl,
    smsMfaClientId: o.bridgeClientId,
    ...(o.bridgeClientSecret === undefined ? {} : { [SECRET_ATTRIBUTE]: o.bridgeClientSecret }),
    smsMfaTokenRealm: o.tokenRealm,
    ...(o.tokenUrl ? { smsMfaTokenUrl: o.tokenUrl } : {}),
    smsMfaPhoneAttribute: o.phoneAttribute,
    smsMfaMissingPhone: o.missingPhone,
  };
}

/** Attributes an earlier run may have stored that these options want gone. */
export function unwantedAttributes(o: InstallOptions): string[] {
  return o.bridgeClientSecret === undefined ? [SECRET_ATTRIBUTE] : [];
}

/** Binds the flow as the realm's browser flow and sets the script's attributes, in one PUT if anything differs. */
export async function ensureRealmSettings(
  admin: KeycloakAdminClient,
  o: InstallOptions,
): Promise<StepResult> {
  const realm = await admin.realms.findOne({ realm: o.realm });
  if (!realm) {
    throw new InstallError('REALM_NOT_FOUND', `realm "${o.realm}" not found on ${admin.baseUrl}`);
  }
  const current = realm.attributes ?? {};
  const wanted = desiredAttributes(o);
  const changedKeys = Object.keys(wanted).filter((k) => current[k] !== wanted[k]);
  const removedKeys = unwantedAttributes(o).filter((k) => k in current);
  const bind = realm.browserFlow !== o.flowAlias;
  if (!bind && changedKeys.length === 0 && removedKeys.length === 0) {
    return { step: 'realm', changed: false, detail: 'flow bound, attributes set' };
  }
  const attributes = { ...current, ...wanted };
  for (const key of removedKeys) {
    delete attributes[key];
  }
  // The whole representation goes back: a realm PUT resets settings it leaves out (the OAuth 2.0
  // device code lifespan and polling interval) and removes every attribute it leaves out.
  await admin.realms.update({ realm: o.realm }, { ...realm, browserFlow: o.flowAlias, attributes });
  const set = [...(bind ? [`browserFlow = "${o.flowAlias}"`] : []), ...changedKeys];
  const detail = [
    ...(set.length ? [`set ${set.join(', ')}`] : []),
    ...(removedKeys.length ? [`removed ${removedKeys.join(', ')}`] : []),
  ].join('; ');
  return { step: 'realm', changed: true, detail };
}

/** The user-profile declaration of the phone attribute: admins edit it, users see and edit their own. */
export function phoneAttributeDeclaration(name: string): UserProfileAttribute {
  return {
    name,
    displayName: 'Mobile number',
    multivalued: false,
    permissions: { view: ['admin', 'user'], edit: ['admin', 'user'] },
    validations: {
      length: { max: 20 },
      pattern: {
        pattern: PHONE_PATTERN,
        'error-message': 'Use the international format, e.g. +5511966191717',
      },
    },
    annotations: {
      inputType: 'html5-tel',
      inputHelperTextBefore: 'International format: +, country code, number',
    },
  };
}

/** Declares the phone attribute in the realm's user profile (Keycloak 24+ drops undeclared attributes). */
export async function ensureProfileAttribute(
  admin: KeycloakAdminClient,
  name: string,
): Promise<StepResult> {
  const profile = await admin.users.getProfile();
  const attributes = profile.attributes ?? [];
  if (attributes.some((a) => a.name === name)) {
    return { step: 'profile', changed: false, detail: `"${name}" is declared` };
  }
  await admin.users.updateProfile({
    ...profile,
    attributes: [...attributes, phoneAttributeDeclaration(name)],
  });
  return { step: 'profile', changed: true, detail: `declared "${name}"` };
}
