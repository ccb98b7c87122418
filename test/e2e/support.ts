import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/** Debian's Chromium (never a downloaded browser), with the flags it needs in containers and CI. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
} as const;

/** The WCAG levels every page is held to. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export const VIEWPORTS = {
  phone: { width: 360, height: 740 },
  desktop: { width: 1280, height: 800 },
} as const;

export interface OpenOptions {
  /** Whether the page runs JavaScript; every journey runs both ways. Default true. */
  javaScript?: boolean;
  /** A named viewport or any size. Default desktop. */
  viewport?: keyof typeof VIEWPORTS | { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** The browser's language (Accept-Language). Default en-US, so tests do not depend on the machine. */
  locale?: string;
}

/** The real app listening on loopback, one Chromium, and a fresh browser context per page. */
export interface BrowserApp {
  /** The app's origin, e.g. http://127.0.0.1:41234. */
  readonly baseURL: string;
  /** The app and its database, to seed data or create people. */
  readonly testApp: TestApp;
  readonly browser: Browser;
  /** A new page in a context of its own (own cookies), watched for console errors, CSP violations and third-party requests. */
  open(options?: OpenOptions): Promise<Page>;
  /** Closes the contexts opened so far and fails if any of their pages reported a problem. */
  closePages(): Promise<void>;
  close(): Promise<void>;
}

interface ConsoleError {
  text: string;
  url: string;
}

interface Watch {
  javaScript: boolean;
  problems: string[];
  consoleErrors: ConsoleError[];
  /** Navigations answered with an error status on purpose (404 page, failed sign-in), by URL. */
  errorDocuments: Map<string, number>;
}

const watches = new WeakMap<Page, Watch>();

function watchOf(page: Page): Watch {
  const watch = watches.get(page);
  if (!watch) throw new Error('This page was not opened with BrowserApp.open()');
  return watch;
}

const FAILED_DOCUMENT = /^Failed to load resource: the server responded with a status of (\d{3})\b/;

/**
 * The problems a page has reported so far, and forgets them. Chromium logs every document
 * answered with a 4xx/5xx as a console error; those are left out when they are the page's own
 * navigations (the 404 page, a refused sign-in), since tests assert those statuses themselves.
 */
export function takePageProblems(page: Page): string[] {
  const watch = watchOf(page);
  const problems = [...watch.problems];
  for (const error of watch.consoleErrors) {
    const status = FAILED_DOCUMENT.exec(error.text)?.[1];
    if (status && watch.errorDocuments.get(error.url) === Number(status)) continue;
    problems.push(`console error${error.url ? ` at ${error.url}` : ''}: ${error.text}`);
  }
  watch.problems.length = 0;
  watch.consoleErrors.length = 0;
  return problems;
}

/** Fails with the list of console errors, CSP violations, uncaught exceptions and third-party requests the page has reported. */
export function expectNoPageProblems(page: Page): void {
  const problems = takePageProblems(page);
  if (problems.length > 0) throw new Error(`The page reported ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

// Chromium runs no script at all in a page with JavaScript off, axe included: an evaluated script
// runs, but its timers never fire, and axe waits on setTimeout between rules. Promise jobs still
// run, so in such a page axe gets a setTimeout made of promises. The page's own scripts stay off.
const PROMISE_TIMERS = `(() => {
  window.setTimeout = (callback, _delay, ...args) => { Promise.resolve().then(() => callback(...args)); return 0; };
  window.clearTimeout = () => {};
})();`;

/**
 * Runs axe with the WCAG 2.2 A/AA rules on the page as it is now and fails with a readable list
 * of violations (rule, help text, elements). Also fails on any problem the page reported so far.
 */
export async function expectAccessible(page: Page): Promise<void> {
  expectNoPageProblems(page);
  const { javaScript } = watchOf(page);
  let builder = new AxeBuilder({ page }).withTags(AXE_TAGS);
  if (!javaScript) {
    await page.evaluate(PROMISE_TIMERS);
    // The default mode finishes the run in a new blank page, which would have JavaScript off too.
    builder = builder.setLegacyMode(true);
  }
  const results = await withTimeout(builder.analyze(), 30_000, `axe did not finish on ${page.url()}`);
  if (results.passes.length === 0) throw new Error(`axe checked nothing on ${page.url()}: the scan did not run`);
  if (results.violations.length === 0) return;
  const lines = results.violations.flatMap((v) => [
    `  ${v.id} (${v.impact ?? 'unknown impact'}): ${v.help}`,
    ...v.nodes.map((n) => `      ${n.target.join(' ')}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`),
  ]);
  throw new Error(`${results.violations.length} accessibility violation(s) on ${page.url()} (JavaScript ${javaScript ? 'on' : 'off'}):\n${lines.join('\n')}`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the app on a fresh PGlite database over HTTP on loopback, and Chromium beside it. */
export async function startBrowserApp(): Promise<BrowserApp> {
  const testApp = await createTestApp('pglite');
  let browser: Browser | undefined;
  try {
    const baseURL = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM.executablePath, args: [...CHROMIUM.args] });
    const origin = new URL(baseURL).origin;
    const contexts = new Set<BrowserContext>();
    const launched = browser;

    async function open(options: OpenOptions = {}): Promise<Page> {
      const javaScript = options.javaScript ?? true;
      const viewport = typeof options.viewport === 'object' ? options.viewport : VIEWPORTS[options.viewport ?? 'desktop'];
      const context = await launched.newContext({
        baseURL,
        javaScriptEnabled: javaScript,
        viewport,
        colorScheme: options.colorScheme ?? 'light',
        locale: options.locale ?? 'en-US',
        reducedMotion: 'reduce',
        serviceWorkers: 'block',
      });
      contexts.add(context);
      // Nothing may leave the machine: requests to any other origin are refused (and reported below).
      await context.route(
        (url) => url.origin !== origin && (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:'),
        (route) => route.abort('blockedbyclient'),
      );
      const page = await context.newPage();
      const watch: Watch = { javaScript, problems: [], consoleErrors: [], errorDocuments: new Map() };
      watches.set(page, watch);
      // CSP violations are console errors in Chromium, with JavaScript on or off.
      page.on('console', (message) => {
        if (message.type() === 'error') watch.consoleErrors.push({ text: message.text(), url: message.location().url });
      });
      page.on('pageerror', (error) => watch.problems.push(`uncaught exception: ${error.stack ?? error.message}`));
      page.on('request', (request) => {
        const url = request.url();
        if (/^(data|blob|about):/.test(url)) return;
        if (new URL(url).origin !== origin) watch.problems.push(`third-party request: ${request.method()} ${url} (${request.resourceType()})`);
      });
      page.on('response', (response) => {
        const request = response.request();
        if (request.isNavigationRequest() && request.frame() === page.mainFrame() && response.status() >= 400) {
          watch.errorDocuments.set(response.url(), response.status());
        }
      });
      return page;
    }

    async function closePages(): Promise<void> {
      const failures: string[] = [];
      for (const context of contexts) {
        for (const page of context.pages()) {
          if (!watches.has(page)) continue;
          const problems = takePageProblems(page);
          if (problems.length > 0) failures.push(`${page.url()}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
        }
        await context.close();
      }
      contexts.clear();
      if (failures.length > 0) throw new Error(`Pages reported problems:\n${failures.join('\n')}`);
    }

    return {
      baseURL,
      testApp,
      browser,
      open,
      closePages,
      close: async () => {
        try {
          await closePages();
        } finally {
          await launched.close();
          await testApp.close();
        }
      },
    };
  } catch (error) {
    await browser?.close();
    await testApp.close();
    throw error;
  }
}

/**
 * One app and one browser for the calling test file: started before its tests, each test's
 * pages closed (and checked for problems) after it, everything closed at the end.
 */
export function useBrowserApp(): BrowserApp {
  let current: BrowserApp | undefined;
  const started = (): BrowserApp => {
    if (!current) throw new Error('The browser app is only available inside tests and hooks');
    return current;
  };
  beforeAll(async () => {
    current = await startBrowserApp();
  });
  afterEach(async () => {
    await current?.closePages();
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get baseURL() {
      return started().baseURL;
    },
    get testApp() {
      return started().testApp;
    },
    get browser() {
      return started().browser;
    },
    open: (options) => started().open(options),
    closePages: () => started().closePages(),
    close: () => started().close(),
  };
}
