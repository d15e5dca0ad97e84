// The few DOM types page.ts uses. The repository's type-check runs with Node's types and
// without the DOM library (which would change the types of Node's Blob everywhere), so the
// page reaches the browser's globals through these; esbuild bundles it for the browser and
// test/web-chat.test.ts runs it in Chromium.

/** An element, as the page uses it. */
export interface PageElement {
  id: string;
  className: string;
  hidden: boolean;
  textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  scrollTop: number;
  readonly scrollHeight: number;
  append(...nodes: Array<PageElement | string>): void;
  replaceChildren(...nodes: Array<PageElement | string>): void;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { forEach(each: (element: PageElement) => void): void };
  addEventListener(type: string, listener: (event: { preventDefault(): void }) => void): void;
  /** Inputs. */
  value: string;
  /** File inputs. */
  readonly files?: { readonly [index: number]: File | undefined } | null;
  /** Links. */
  href: string;
  download: string;
}

/** The browser globals the page uses. */
export interface PageGlobals {
  readonly document: {
    getElementById(id: string): PageElement | null;
    createElement(tag: string): PageElement;
    /** Whether the tab is shown; `visibilitychange` events tell when it changes. */
    readonly visibilityState: 'visible' | 'hidden';
    addEventListener(type: 'visibilitychange', listener: () => void): void;
  };
  readonly location: { readonly origin: string; readonly search: string };
}

/** The browser's globals. */
export const browser = globalThis as unknown as PageGlobals;
