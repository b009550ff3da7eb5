// The demo realm (docker/realm-import.json) made ready for one Keycloak: the same flows, theme,
// client, user and user profile, with the script's settings pointed at this machine's bridge.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The realm file the compose stack imports, and `npm run keycloak` and the tests start from. */
export const REALM_IMPORT = resolve(import.meta.dirname, '../../../docker/realm-import.json');
/** The vault key the demo realm's `smsMfaClientSecret` names: `${vault.smsMfaClientSecret}`. */
export const SECRET_VAULT_KEY = 'smsMfaClientSecret';

/** A realm representation, as the admin API and realm files carry it. */
export type RealmRepresentation = Record<string, unknown> & {
  realm: string;
  attributes?: Record<string, string>;
  users?: Record<string, unknown>[];
};

/** What differs between the demo realm and one made from it. */
export interface RealmChanges {
  readonly realm?: string;
  /** Script settings and other realm attributes, laid over the file's. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Any other top-level field (loginTheme, users, ...). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** The demo realm's representation with `changes` applied. */
export function demoRealm(changes: RealmChanges = {}): RealmRepresentation {
  const realm = JSON.parse(readFileSync(REALM_IMPORT, 'utf8')) as RealmRepresentation;
  return {
    ...realm,
    ...changes.fields,
    realm: changes.realm ?? realm.realm,
    attributes: { ...realm.attributes, ...changes.attributes },
  };
}

/** Writes a realm file for `--import-realm` and returns its path. */
export function writeRealmFile(file: string, realm: RealmRepresentation): string {
  writeFileSync(file, JSON.stringify(realm, null, 2));
  return file;
}

/** The name of a file-vault entry for `key` in `realm` (underscores doubled, as Keycloak reads them). */
export function vaultEntryName(realm: string, key: string): string {
  return `${realm.replaceAll('_', '__')}_${key.replaceAll('_', '__')}`;
}
