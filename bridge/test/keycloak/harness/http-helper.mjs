// One HTTP exchange for the fake SimpleHttp, run as a child process so that the script under test
// can call it synchronously, as Nashorn's SimpleHttp is. Reads {method, url, headers, body,
// timeoutMs} on stdin; prints {status, headers, body} or {error}.
import { readFileSync } from 'node:fs';

const request = JSON.parse(readFileSync(0, 'utf8'));
try {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body ?? undefined,
    signal: AbortSignal.timeout(request.timeoutMs ?? 10000),
  });
  const headers = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  process.stdout.write(JSON.stringify({ status: res.status, headers, body: await res.text() }));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: String(err?.cause ?? err) }));
}
