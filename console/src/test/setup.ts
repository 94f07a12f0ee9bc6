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

// Each test starts from an empty page (Testing Library cleans up by itself only with Vitest's globals).
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
afterEach(cleanup);
