// Prints the passwordHash of a demo user for bridge/demo-users.json:
//   node --import tsx bridge/src/pages/demo/hash-password.ts 'my password'
import { hashSecret } from '../../apps/secret-hash.js';

const password = process.argv[2];
if (!password) {
  console.error('usage: node --import tsx bridge/src/pages/demo/hash-password.ts <password>');
  process.exit(2);
}
console.log(await hashSecret(password));
