import type { Express } from 'express';
import { IMMUTABLE, PreparedAsset, SHORT } from '../pages/PreparedAsset';
import { STATUS_SCRIPT, STATUS_STYLE } from './statusPageScript';

export const STATUS_PATH = '/status';

/** The page's only sources: its own script and style, and /status.json. */
const STATUS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/**
 * GET /status (the page: short-cached, ETag), its script and style at hashed URLs (cached for a
 * year), and /status.json (what the page polls: never cached). Everything comes from this
 * gateway, compressed; the page works without internet.
 */
export function statusRoutes(report: () => unknown): (app: Express) => void {
  const script = PreparedAsset.of(STATUS_SCRIPT, 'text/javascript; charset=utf-8');
  const style = PreparedAsset.of(STATUS_STYLE, 'text/css; charset=utf-8');
  const assets = new Map([
    [`status.${script.hash}.js`, script],
    [`status.${style.hash}.css`, style],
  ]);
  const page = PreparedAsset.of(
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SchemaFlow status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STATUS_PATH}/assets/status.${style.hash}.css">
</head>
<body>
<h1>SchemaFlow status</h1>
<div id="root"><p id="summary">loading…</p></div>
<script src="${STATUS_PATH}/assets/status.${script.hash}.js"></script>
</body>
</html>
`,
    'text/html; charset=utf-8',
  );
  for (const asset of [page, ...assets.values()]) void asset.prepare();
  return (app) => {
    app.get(STATUS_PATH, async (req, res) => {
      res.set('Content-Security-Policy', STATUS_CSP);
      await page.send(req, res, SHORT);
    });
    app.get(`${STATUS_PATH}/assets/:name`, async (req, res, next) => {
      const asset = assets.get(req.params.name);
      if (!asset) return next();
      await asset.send(req, res, IMMUTABLE);
    });
    app.get(`${STATUS_PATH}.json`, (_req, res) => {
      res.set('Cache-Control', 'no-store');
      res.json(report());
    });
  };
}
