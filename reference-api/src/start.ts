import { ConfigError } from '@sms-mfa/common/config-error';
import { loadConfig } from './config.js';
import { startReferenceApi, type Role } from './service.js';

/** `node reference-api/src/start.ts [--role api|worker|all]`: runs until SIGTERM/SIGINT, then shuts down gracefully. */
async function main(): Promise<void> {
  const roleArg = process.argv.indexOf('--role');
  const role = (roleArg >= 0 ? process.argv[roleArg + 1] : 'all') as Role;
  if (!['api', 'worker', 'all'].includes(role))
    throw new TypeError(`--role must be api, worker or all, not ${role}`);
  const config = loadConfig();
  const service = await startReferenceApi(config, { role });
  service.logger.log(
    config.logLevel === 'info' || config.logLevel === 'debug' ? 'info' : 'warn',
    'reference-api started',
    { role, url: service.url, providers: config.providers },
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.logger.info('shutting down', { signal });
    await service.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
