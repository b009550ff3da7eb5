import type { ApplicationStore } from './application-store.js';

/** What else holds an application's data by its client id: its users' authenticator devices. */
export interface ApplicationData {
  removeAllOf(clientId: string): Promise<number>;
}

/**
 * Deletes an application and what belongs to it. Its users' authenticator devices go too: user keys
 * derive from (client id, userName), so an application re-created under the same id would otherwise
 * find the old devices still active. False when there was no such application.
 */
export async function removeApplication(
  apps: ApplicationStore,
  data: ApplicationData,
  clientId: string,
): Promise<boolean> {
  if (!(await apps.remove(clientId))) {
    return false;
  }
  await data.removeAllOf(clientId);
  return true;
}
