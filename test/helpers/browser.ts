/*
 * Headless Chromium from Debian's package (/usr/bin/chromium), driven by playwright-core: no browser is
 * ever downloaded (playwright-core has no install step; `.ci/run` installs the Debian package).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The browser: INTAKE_CHROMIUM, else Debian's. */
export const chromiumPath = (env: NodeJS.ProcessEnv = process.env) =>
  env.INTAKE_CHROMIUM || '/usr/bin/chromium';

/**
 * Flags beside the `--headless` playwright adds: no sandbox (CI runs as root), no GPU, and nothing that
 * reaches the network by itself (QUIC, background networking, component updates, sync, first-run pages).
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class BrowserMissingError extends Error {
  constructor(path: string) {
    super(
      `no Chromium at ${path}: install Debian's package (apt-get install chromium) or set INTAKE_CHROMIUM to a Chromium binary; the browser tests never download one`,
    );
    this.name = 'BrowserMissingError';
  }
}

export interface TestBrowser {
  /** A new tab; its page errors and console errors are collected in `problems`. */
  newPage(): Promise<Page>;
  /**
   * Every uncaught page error and console error (CSP violations included) of every tab so far; not the
   * "Failed to load resource" line Chromium logs for each 4xx/5xx answer (the page shows those itself).
   */
  readonly problems: string[];
  /** The message of every confirm() the pages asked, in order (each accepted unless dismissNextDialog). */
  readonly dialogs: string[];
  /** The next confirm() is answered Cancel. */
  dismissNextDialog(): void;
  /** Saves a full-page PNG as `<screenshotDir>/<name>.png` and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  readonly screenshotDir: string;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile (a temporary --user-data-dir, removed on close). */
export async function launchBrowser(options: { screenshotDir?: string } = {}): Promise<TestBrowser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) throw new BrowserMissingError(executablePath);
  const profile = mkdtempSync(join(tmpdir(), 'intake-chromium-profile-'));
  const screenshotDir = options.screenshotDir ?? mkdtempSync(join(tmpdir(), 'intake-console-screenshots-'));
  mkdirSync(screenshotDir, { recursive: true });
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const problems: string[] = [];
  const dialogs: string[] = [];
  let dismissNext = false;
  return {
    problems,
    dialogs,
    dismissNextDialog() {
      dismissNext = true;
    },
    screenshotDir,
    async newPage() {
      const page = await context.newPage();
      // The page confirms its mass actions (replay all, redrive all): accepted, unless a test says otherwise.
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void (dismissNext ? ((dismissNext = false), dialog.dismiss()) : dialog.accept());
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (line) => {
        if (line.type() === 'error' && !line.text().startsWith('Failed to load resource'))
          problems.push(`console error: ${line.text()}`);
      });
      return page;
    },
    async screenshot(page, name) {
      const path = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
