import { runService } from '@sms-mfa/common/run-service';
import { loadConfig } from './config.js';
import { ROLES, startReferenceApi, type Role } from './service.js';

function roleFromArgs(argv: readonly string[]): Role {
  const at = argv.indexOf('--role');
  const role = at >= 0 ? argv[at + 1] : 'all';
  if (!ROLES.includes(role as Role)) {
    throw new TypeError(`--role must be one of ${ROLES.join(', ')}, not ${role}`);
  }
  return role as Role;
}

/** `node reference-api/src/start.ts [--role api|worker|all]`: runs until SIGTERM/SIGINT, then shuts down gracefully. */
runService(async () => {
  const role = roleFromArgs(process.argv);
  const config = loadConfig();
  const service = await startReferenceApi(config, { role });
  // Logged at warn when info is off, so launchers always see where the API listens.
  const level = config.logLevel === 'info' || config.logLevel === 'debug' ? 'info' : 'warn';
  service.logger.log(level, 'reference-api started', {
    role,
    url: service.url,
    providers: config.providers,
  });
  return service;
}, 'REFERENCE_API_PORT');
