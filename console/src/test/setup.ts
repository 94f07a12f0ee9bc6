// Every namespace's English words loaded before any test renders.
import { i18nReady } from "../i18n";
await i18nReady;

// jsdom lacks what antd's responsive pieces ask the browser for.

Object.defineProperty(window, "matchMedia", {
  writable: true,
  value: (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }),
});
window.HTMLElement.prototype.scrollIntoView = () => {};
// antd's Tree, Modal and Table measure themselves with ResizeObserver.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

// Each test starts from an empty page (Testing Library cleans up by itself only with Vitest's globals), and with the
// real globals back (renderSignedIn stubs `fetch`); after-hooks run last-registered first, so the page goes first.
import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";
afterEach(() => vi.unstubAllGlobals());
afterEach(cleanup);
