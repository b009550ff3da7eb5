// The real Keycloak's admin REST API, as the tests use it: a logged-in client that renews its
// token (the master realm's tokens live 60 s), and the few reads the scenarios check.
import KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import type { RunningKeycloak } from '@sms-mfa/bridge/keycloak/server/server';
import type { RealmRepresentation } from '@sms-mfa/bridge/keycloak/server/realm';

const RENEW_AFTER_MS = 40_000;

/** An admin login to one Keycloak. */
export class KeycloakAdmin {
  readonly #kc: RunningKeycloak;
  #client: KeycloakAdminClient | undefined;
  #loggedInAt = 0;

  constructor(kc: RunningKeycloak) {
    this.#kc = kc;
  }

  /** The admin client, logged in, aimed at `realm`. */
  async client(realm: string): Promise<KeycloakAdminClient> {
    if (!this.#client || Date.now() - this.#loggedInAt > RENEW_AFTER_MS) {
      const client = new KeycloakAdminClient({ baseUrl: this.#kc.url, realmName: 'master' });
      await client.auth({
        grantType: 'password',
        clientId: 'admin-cli',
        username: this.#kc.admin.username,
        password: this.#kc.admin.password,
      });
      this.#client = client;
      this.#loggedInAt = Date.now();
    }
    this.#client.setConfig({ realmName: realm });
    return this.#client;
  }

  /** Creates a realm from a whole representation (as a realm file would). */
  async createRealm(realm: RealmRepresentation): Promise<void> {
    await (await this.client('master')).realms.create(realm);
  }

  /** The realm as GET returns it. */
  async realm(name: string): Promise<Record<string, unknown>> {
    const found = await (await this.client(name)).realms.findOne({ realm: name });
    if (!found) {
      throw new Error(`realm ${name} not found`);
    }
    return found as Record<string, unknown>;
  }

  /** Creates an enabled user with a password and, when given, a mobile number; returns its id. */
  async createUser(
    realm: string,
    user: { username: string; password: string; phone?: string },
  ): Promise<string> {
    const admin = await this.client(realm);
    const { id } = await admin.users.create({
      realm,
      username: user.username,
      enabled: true,
      email: `${user.username}@example.com`,
      emailVerified: true,
      firstName: 'Test',
      lastName: user.username,
      attributes: user.phone ? { mobile_number: [user.phone] } : {},
      credentials: [{ type: 'password', value: user.password, temporary: false }],
    });
    return id;
  }

  /** Login errors Keycloak recorded for a user, newest first (the realm must store events). */
  async loginErrors(realm: string, userId: string): Promise<{ error?: string }[]> {
    const admin = await this.client(realm);
    return (await admin.realms.findEvents({
      realm,
      user: userId,
      type: 'LOGIN_ERROR',
    })) as { error?: string }[];
  }

  /** Keycloak's brute-force record of a user: failures counted and whether it is locked out. */
  async bruteForce(
    realm: string,
    userId: string,
  ): Promise<{ numFailures: number; disabled: boolean }> {
    const admin = await this.client(realm);
    const status = (await admin.attackDetection.findOne({ realm, id: userId })) as {
      numFailures?: number;
      disabled?: boolean;
    };
    return { numFailures: status.numFailures ?? 0, disabled: status.disabled ?? false };
  }
}
