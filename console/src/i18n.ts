/**
 * Translations with react-i18next: English, Simplified Chinese and Spanish, one namespace per desk (and `errors`,
 * a sentence per contract refusal). Only the language in use is loaded, each namespace its own small chunk
 * (i18next-resources-to-backend over Vite's dynamic imports), so the first page does not carry every language.
 * The choice is kept in localStorage; the first visit follows the browser's language.
 */
import i18n from "i18next";
import resourcesToBackend from "i18next-resources-to-backend";
import { initReactI18next } from "react-i18next";

const files = import.meta.glob<{ default: Record<string, unknown> }>("./locales/*/*.json");

export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "简体中文" },
  { code: "es", label: "Español" },
] as const;
export type Language = (typeof LANGUAGES)[number]["code"];

/** Every namespace, from the English files' names. */
export const NAMESPACES = Object.keys(files)
  .map((f) => /\.\/locales\/en\/([^/]+)\.json$/.exec(f)?.[1])
  .filter((ns): ns is string => ns !== undefined);

const STORAGE_KEY = "tradeline.language";

function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (LANGUAGES.some((l) => l.code === stored)) return stored as Language;
  const browser = globalThis.navigator?.language ?? "en";
  if (browser.toLowerCase().startsWith("zh")) return "zh-CN";
  if (browser.toLowerCase().startsWith("es")) return "es";
  return "en";
}

/** Resolves once the language in use has its namespaces loaded. */
export const i18nReady = i18n
  .use(
    resourcesToBackend(async (language: string, namespace: string) => {
      const load = files[`./locales/${language}/${namespace}.json`];
      if (load === undefined) throw new Error(`no ${namespace} words in ${language}`);
      return (await load()).default;
    }),
  )
  .use(initReactI18next)
  .init({
    lng: initialLanguage(),
    fallbackLng: "en",
    supportedLngs: LANGUAGES.map((l) => l.code),
    load: "currentOnly",
    ns: NAMESPACES,
    defaultNS: "common",
    interpolation: { escapeValue: false },
    returnNull: false,
  });

export async function setLanguage(language: Language): Promise<void> {
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  await i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

export default i18n;
