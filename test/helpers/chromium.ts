// Debian's chromium, headless, driven by playwright-core (issue 10): playwright's own browser
// download cannot work on our closed network, so it is pointed at /usr/bin/chromium
// (`CHROMIUM_PATH` overrides); `.ci/run` installs the package when it is missing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * The flags issue 10 asks for. Without the background-networking ones Chromium's own
 * connections (updates, sync, QUIC probes) are refused here, many at a time.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export interface HeadlessChromium {
  readonly page: Page;
  /** Closes the browser and removes its user-data-dir. */
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a fresh user-data-dir (playwright takes one only through
 * `launchPersistentContext`) and one page.
 * @throws Error saying which executable failed to start, and why, when it cannot start.
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'msrp-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 20_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      page,
      close: async () => {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(
      `Cannot start Chromium at ${CHROMIUM_PATH} (install Debian's chromium package, or set ` +
        `CHROMIUM_PATH): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
