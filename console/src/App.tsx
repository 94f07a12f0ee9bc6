/**
 * The console: sign-in with a token, then the shell with the views the token's roles open. Ant Design's locale
 * follows the language chosen.
 */
import { Suspense, lazy, useCallback, useEffect, useState } from "react";
import { App as AntApp, ConfigProvider, Spin } from "antd";
import type { Locale } from "antd/es/locale";
import enUS from "antd/locale/en_US";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { describeError } from "./api/problem";
import { SignIn } from "./SignIn";
import { SessionProvider, useToken } from "./session";

/** antd's own words (dates, pagination, empty tables) in the language chosen; English is built in, others load. */
const ANTD_LOCALES: Record<string, () => Promise<{ default: Locale }>> = {
  "zh-CN": () => import("antd/locale/zh_CN"),
  es: () => import("antd/locale/es_ES"),
};

// The signed-in page is its own chunk: the first load is the sign-in page only. A tab already signed in asks for it
// at once, alongside its /v1/me, rather than after.
const loadShell = () => import("./Shell").then((m) => ({ default: m.Shell }));
const Shell = lazy(loadShell);
if (globalThis.sessionStorage?.getItem("tradeline.token")) void loadShell();

function useAntdLocale(language: string): Locale {
  const [locale, setLocale] = useState<Locale>(enUS);
  useEffect(() => {
    const load = ANTD_LOCALES[language];
    if (load === undefined) {
      setLocale(enUS);
      return;
    }
    let current = true;
    void load().then((m) => current && setLocale(m.default));
    return () => {
      current = false;
    };
  }, [language]);
  return locale;
}

/**
 * The bank's blue, and antd's secondary and tertiary greys darkened to reach WCAG AA contrast (4.5:1) on white and
 * on the light fills behind table headers and selected menu items: axe-core finds antd's defaults too light.
 */
const THEME = {
  token: {
    // No animation for a reader who asked the system for less motion (a fading element also has no settled colours).
    motion: !globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches,
    colorPrimary: "#1f4e79",
    colorTextSecondary: "rgba(0, 0, 0, 0.68)",
    colorTextTertiary: "rgba(0, 0, 0, 0.65)",
    colorTextDescription: "rgba(0, 0, 0, 0.65)",
    colorTextPlaceholder: "rgba(0, 0, 0, 0.6)",
  },
  components: { Menu: { itemSelectedColor: "#1f4e79", itemSelectedBg: "#e3ecf5" } },
};

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // A refusal is not retried (it would be refused again); a list is fresh until the stream says otherwise.
      queries: { retry: false, staleTime: 30_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

export function App({ queryClient = makeQueryClient() }: { queryClient?: QueryClient }) {
  const { t, i18n } = useTranslation();
  const [client] = useState(queryClient);
  const [token, setToken] = useToken();
  const [refusal, setRefusal] = useState<string>();
  /** Back to the sign-in page; `reason` says why when the service ended the session (an unknown or revoked token). */
  const signOut = useCallback(
    (reason?: string) => {
      setRefusal(reason);
      setToken(undefined);
    },
    [setToken],
  );
  const locale = useAntdLocale(i18n.language);

  return (
    <ConfigProvider locale={locale} theme={THEME}>
      <AntApp>
        <QueryClientProvider client={client}>
          {token === undefined ? (
            <SignIn
              refusal={refusal}
              onSignIn={(next) => {
                setRefusal(undefined);
                setToken(next);
              }}
            />
          ) : (
            <SessionProvider
              token={token}
              signOut={signOut}
              pending={<Spin fullscreen tip={t("signIn.checking")} />}
              refused={(error) => (
                <SignIn
                  refusal={describeError(t, error)}
                  onSignIn={(next) => {
                    setRefusal(undefined);
                    setToken(next);
                  }}
                />
              )}
            >
              <Suspense fallback={<Spin fullscreen />}>
                <Shell />
              </Suspense>
            </SessionProvider>
          )}
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
