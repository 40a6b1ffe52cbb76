import { createHash } from 'node:crypto';
import type { Express } from 'express';
import { IMMUTABLE, PreparedAsset, SHORT } from './PreparedAsset';

/**
 * The page may talk to this gateway only: whatever GraphiQL might try to load from elsewhere is
 * refused by the browser. Its code comes from the hashed assets beside it plus one small inline
 * script (allowed by its hash, not by 'unsafe-inline'); its editor workers start from blob: URLs,
 * and it injects styles at run time.
 */
function explorerCsp(inlineScriptHashes: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${inlineScriptHashes.map((hash) => `'sha256-${hash}'`).join(' ')} blob:`,
    'worker-src blob:',
    "style-src 'self' 'unsafe-inline'",
    'img-src data:',
    'font-src data:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** Inline scripts and styles larger than this become assets of their own (the rest stay in the page). */
const INLINE_LIMIT = 16 * 1024;

export interface SplitPage {
  html: string;
  /** By path under `${base}/assets/`. */
  assets: Map<string, PreparedAsset>;
  /** The SHA-256 (base64) of each script left inline, for the CSP. */
  inlineScriptHashes: string[];
}

/** Where GraphiQL's one inline script turns from its bundle to the call that starts it with this gateway's settings. */
export const GRAPHIQL_START = 'YogaGraphiQL.renderYogaGraphiQL(';

/**
 * Takes a page with everything inlined (what @graphql-yoga/render-graphiql renders: about 9 MB of
 * GraphiQL, React and Monaco in one `<script>` and a `<style>`) apart: each large script and style
 * goes to an asset named by its content hash (`graphiql.<hash>.js`), referenced from where it
 * stood, so the browser runs them in the same order. What follows `keepInline` in a script (the
 * call that starts the app, with this gateway's settings) stays inline after it, as do small ones.
 */
export function splitInlinePage(page: string, assetsUrl: string, keepInline = GRAPHIQL_START): SplitPage {
  const assets = new Map<string, PreparedAsset>();
  const inlineScriptHashes: string[] = [];
  const asset = (content: string, extension: 'js' | 'css', type: string) => {
    const prepared = PreparedAsset.of(content, type);
    const name = `graphiql.${prepared.hash}.${extension}`;
    assets.set(name, prepared);
    return `${assetsUrl}/${name}`;
  };
  const html = page
    .replace(/<script>([\s\S]*?)<\/script>/g, (whole, code: string) => {
      if (code.length <= INLINE_LIMIT) {
        inlineScriptHashes.push(createHash('sha256').update(code, 'utf8').digest('base64'));
        return whole;
      }
      const split = code.lastIndexOf(keepInline);
      const bundle = split > 0 ? code.slice(0, split) : code;
      const start = split > 0 ? code.slice(split) : '';
      const external = `<script src="${asset(bundle, 'js', 'text/javascript; charset=utf-8')}"></script>`;
      if (!start) return external;
      inlineScriptHashes.push(createHash('sha256').update(start, 'utf8').digest('base64'));
      return `${external}\n<script>${start}</script>`;
    })
    .replace(/<style>([\s\S]*?)<\/style>/g, (whole, css: string) =>
      css.length <= INLINE_LIMIT ? whole : `<link rel="stylesheet" href="${asset(css, 'css', 'text/css; charset=utf-8')}">`,
    );
  return { html, assets, inlineScriptHashes };
}

/**
 * Serves the offline explorer at `path`: the page itself short-cached with an ETag, its assets at
 * `${path}/assets/<name>.<hash>.<ext>` cached for a year (a new GraphiQL has new names), all of it
 * compressed (brotli or gzip, made once). Rendered and compressed on first use, so a gateway
 * whose explorer nobody opens spends nothing on it.
 */
export function serveExplorer(app: Express, path: string, render: () => string): void {
  let prepared: { page: PreparedAsset; assets: Map<string, PreparedAsset>; csp: string } | null = null;
  const explorer = () => {
    if (!prepared) {
      const split = splitInlinePage(render(), `${path}/assets`);
      prepared = { page: PreparedAsset.of(split.html, 'text/html; charset=utf-8'), assets: split.assets, csp: explorerCsp(split.inlineScriptHashes) };
    }
    return prepared;
  };
  app.get(path, async (req, res) => {
    const { page, csp } = explorer();
    res.set('Content-Security-Policy', csp);
    await page.send(req, res, SHORT);
  });
  app.get(`${path}/assets/:name`, async (req, res, next) => {
    const asset = explorer().assets.get(req.params.name);
    if (!asset) return next();
    await asset.send(req, res, IMMUTABLE);
  });
}
