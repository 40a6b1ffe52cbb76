// A Hive Gateway plugin (plain JavaScript: Hive loads its config with Node itself) that signs every
// subgraph fetch as our gateway does (lib/auth/RequestSigner.ts, format v1), so that another
// Federation 2 gateway can serve the product's subgraphs: they answer federation's internal fields
// (_entities...) only to signed requests. HMAC-SHA256, with the shared INTERNAL_SIGNING_SECRET,
// over the version, method, path, timestamp, body hash, x-client-ip and authorization.
// Use: `import { signingPlugin } from '.../gateway/hive/signingPlugin.mjs'` in gateway.config.mjs,
// `plugins: () => [signingPlugin(process.env.INTERNAL_SIGNING_SECRET)]`.
import { createHash, createHmac } from 'node:crypto';

export function signingPlugin(secret) {
  if (!secret || secret.length < 32) throw new Error('INTERNAL_SIGNING_SECRET (at least 32 characters) is needed to sign subgraph fetches');
  return {
    onFetch({ url, options, setOptions, executionRequest }) {
      const propagated = executionRequest?.extensions?.headers ?? {};
      const headers = { ...propagated, ...(options.headers ?? {}) };
      const body = typeof options.body === 'string' ? options.body : '';
      const timestamp = String(Date.now());
      const target = new URL(url);
      const canonical = [
        'v1',
        (options.method ?? 'POST').toUpperCase(),
        target.pathname + target.search,
        timestamp,
        createHash('sha256').update(body).digest('hex'),
        headers['x-client-ip'] ?? '',
        headers.authorization ?? '',
      ].join('\n');
      const signature = `v1=${createHmac('sha256', secret).update(canonical).digest('hex')}`;
      setOptions({ ...options, headers: { ...headers, 'x-signature-timestamp': timestamp, 'x-signature': signature } });
    },
  };
}
