import { ConfigError } from '@sms-mfa/common/config-error';
import { loadConfig } from './config.js';
import { pageRouters } from './pages/pages.routes.js';
import { startBridge } from './service.js';

/** `node bridge/src/start.ts`: runs the bridge until SIGTERM/SIGINT, then shuts down gracefully. */
async function main(): Promise<void> {
  const config = loadConfig();
  const bridge = await startBridge(config, { extraRouters: pageRouters });
  bridge.logger.info('bridge started', {
    url: bridge.url,
    issuer: config.issuer.externalUrl ?? config.issuer.url,
    embeddedIssuer: !config.issuer.externalUrl,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    bridge.logger.info('shutting down', { signal });
    await bridge.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
