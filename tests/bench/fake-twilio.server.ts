// The Twilio fake in a process of its own, so the worker under test does not share its event loop.
import { startTwilioFake } from '@sms-mfa/reference-api/test/providers/twilio/twilio.fake';

const fake = await startTwilioFake({ accountSid: `AC${'b'.repeat(32)}`, authToken: 'bench-token' });
// Recording every request would grow without bound over a long run.
setInterval(() => (fake.requests.length = 0), 1000).unref();
console.log(`LISTENING ${new URL(fake.url).port}`);
