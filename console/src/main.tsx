import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { i18nReady } from "./i18n";
import { App } from "./App";

// The page's words first (one small chunk per namespace of the language in use), then the page.
void i18nReady.then(() => {
  document.documentElement.lang = document.documentElement.lang || "en";
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
