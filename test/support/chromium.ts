import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM } from '../../scripts/systemTools';

export interface HeadlessChromium {
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Debian's Chromium (scripts/systemTools.ts), headless on a fresh profile in a temporary
 * directory, reaching nothing on its own (no background networking, updates, sync or QUIC).
 * No skipping: without the browser this fails, saying how to get it.
 */
export async function launchChromium(viewport: { width: number; height: number }): Promise<HeadlessChromium> {
  if (!existsSync(CHROMIUM.binary)) {
    throw new Error(
      `${CHROMIUM.binary} is missing: the browser tests need Debian's ${CHROMIUM.debianPackage} package. ` +
        `npm test installs it when run as root; otherwise: apt-get update && apt-get install -y ${CHROMIUM.debianPackage}`,
    );
  }
  const profileDir = mkdtempSync(join(tmpdir(), 'schemaflow-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM.binary,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
      viewport,
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profileDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
}
