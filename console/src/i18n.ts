/**
 * Translations with react-i18next: English, Simplified Chinese and Spanish, bundled (a few kilobytes each), one
 * namespace per desk so each view's words live beside the others of its language. The choice is kept in
 * localStorage; the first visit follows the browser's language.
 */
import i18n from "i18next";
import { initReactI18next } from "react-i18next";

const files = import.meta.glob<{ default: Record<string, unknown> }>("./locales/*/*.json", { eager: true });

export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "简体中文" },
  { code: "es", label: "Español" },
] as const;
export type Language = (typeof LANGUAGES)[number]["code"];

const resources: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [file, module] of Object.entries(files)) {
  const [, language, namespace] = /\.\/locales\/([^/]+)\/([^/]+)\.json$/.exec(file) ?? [];
  (resources[language] ??= {})[namespace] = module.default;
}

export const NAMESPACES = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))];
const STORAGE_KEY = "tradeline.language";

function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (LANGUAGES.some((l) => l.code === stored)) return stored as Language;
  const browser = globalThis.navigator?.language ?? "en";
  if (browser.toLowerCase().startsWith("zh")) return "zh-CN";
  if (browser.toLowerCase().startsWith("es")) return "es";
  return "en";
}

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLanguage(),
  fallbackLng: "en",
  ns: NAMESPACES,
  defaultNS: "common",
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(language: Language): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

export default i18n;
