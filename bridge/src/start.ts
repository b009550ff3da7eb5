import { runService } from '@sms-mfa/common/run-service';
import { loadConfig } from './config.js';
import { startBridge } from './service.js';

/** `node bridge/src/start.ts`: runs the bridge until SIGTERM/SIGINT, then shuts down gracefully. */
runService(async () => {
  const config = loadConfig();
  const bridge = await startBridge(config, { pages: true });
  bridge.logger.info('bridge started', {
    url: bridge.url,
    issuer: config.issuer.externalUrl ?? config.issuer.url,
    embeddedIssuer: !config.issuer.externalUrl,
  });
  return bridge;
}, 'BRIDGE_PORT');
