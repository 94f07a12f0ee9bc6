// jsdom has no ResizeObserver, which antd's Tree and Modal ask for (the shared src/test/setup.ts does not stub it).
if (globalThis.ResizeObserver === undefined) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
